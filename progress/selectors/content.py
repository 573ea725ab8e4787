"""Content querysets scoped to the learner's communities."""

from django.db.models import Prefetch

from ..models import Block, Community, Course, CourseWod, Membership, Page, Program, ProgramCourse, Wod


def communities_for(user):
    return Community.objects.for_user(user).order_by("name", "id")


def memberships_by_community(user) -> dict[int, str]:
    return dict(Membership.objects.filter(user=user).values_list("community_id", "role"))


def programs_for(user):
    return Program.objects.visible_to(user).order_by("title", "id")


def programs_with_courses_for(user):
    links = (
        ProgramCourse.objects.filter(course__status="published")
        .select_related("course")
        .order_by("order", "id")
    )
    return programs_for(user).prefetch_related(
        Prefetch("course_links", queryset=links, to_attr="published_links")
    )


def courses_for(user):
    return Course.objects.visible_to(user).order_by("title", "id")


def courses_with_wods_for(user):
    links = CourseWod.objects.filter(wod__status="published").select_related("wod").order_by("order", "id")
    return courses_for(user).prefetch_related(
        Prefetch("wod_links", queryset=links, to_attr="published_links"),
        "prerequisites__required_course",
        "prerequisites__required_wod",
    )


def wods_for(user):
    return Wod.objects.visible_to(user).order_by("title", "id")


def wods_with_pages_for(user):
    blocks = Block.objects.filter(is_published=True).order_by("order", "id")
    pages = (
        Page.objects.filter(is_published=True)
        .order_by("order", "id")
        .prefetch_related(Prefetch("blocks", queryset=blocks, to_attr="published_blocks"))
    )
    return wods_for(user).prefetch_related(
        Prefetch("pages", queryset=pages, to_attr="published_pages"),
        "prerequisites__required_course",
        "prerequisites__required_wod",
    )


def content_preview(model, pk):
    """One program, course or WOD prefetched as its API detail reads it, drafts included (the
    node and its ordered children, whatever their status): the admin's "Preview as a learner"."""
    if model is Program:
        links = ProgramCourse.objects.select_related("course").order_by("order", "id")
        queryset = Program.objects.prefetch_related(
            Prefetch("course_links", queryset=links, to_attr="published_links")
        )
    elif model is Course:
        links = CourseWod.objects.select_related("wod").order_by("order", "id")
        queryset = Course.objects.prefetch_related(
            Prefetch("wod_links", queryset=links, to_attr="published_links"),
            "prerequisites__required_course",
            "prerequisites__required_wod",
        )
    else:
        blocks = Block.objects.filter(is_published=True).order_by("order", "id")
        pages = (
            Page.objects.filter(is_published=True)
            .order_by("order", "id")
            .prefetch_related(Prefetch("blocks", queryset=blocks, to_attr="published_blocks"))
        )
        queryset = Wod.objects.prefetch_related(
            Prefetch("pages", queryset=pages, to_attr="published_pages"),
            "prerequisites__required_course",
            "prerequisites__required_wod",
        )
    return queryset.filter(pk=pk).first()
