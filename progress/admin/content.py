"""The admin is the CMS for learning content; learner state is shown read-only."""

from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS
from django.urls import reverse
from django.utils.html import format_html

from config.admin import ReadOnlyModelAdmin
from config.revision_admin import ContentVersionAdmin
from config.scheduling_admin import ScheduledListMixin

from ..models import (
    Block,
    BlockProgress,
    BlockType,
    Community,
    Course,
    CourseEnrollment,
    CourseWod,
    Membership,
    NodeProgress,
    Page,
    Prerequisite,
    Program,
    ProgramCourse,
    ProgramEnrollment,
    ProgressEvent,
    Wod,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "content_version", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["content_version"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "community", "role", "joined_at"]
    list_select_related = ["user", "community"]
    list_filter = ["role", "community"]
    search_fields = ["user__username", "community__name"]
    autocomplete_fields = ["user", "community"]


class ProgramCourseInline(admin.TabularInline):
    model = ProgramCourse
    extra = 0
    autocomplete_fields = ["course"]
    ordering = ["order", "id"]


class CourseWodInline(admin.TabularInline):
    model = CourseWod
    extra = 0
    autocomplete_fields = ["wod"]
    ordering = ["order", "id"]


class CoursePrerequisiteInline(admin.TabularInline):
    model = Prerequisite
    fk_name = "course"
    extra = 0
    fields = ["required_course", "required_wod", "min_percent", "require_mastered"]
    autocomplete_fields = ["required_course", "required_wod"]
    verbose_name = "prerequisite rule"


class WodPrerequisiteInline(CoursePrerequisiteInline):
    fk_name = "wod"


class PageInline(admin.TabularInline):
    model = Page
    extra = 0
    fields = ["order", "title", "is_published"]
    show_change_link = True
    ordering = ["order", "id"]


class BlockInlineForm(forms.ModelForm):
    """A row of the page's blocks has no content editor: a content error of the block's type is
    shown on the row (with where to fill the content in), not raised as a server error."""

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict") and "content" in errors.error_dict and "content" not in self.fields:
            messages = [message for error in errors.error_dict.pop("content") for message in error.messages]
            errors.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(
                forms.ValidationError(
                    f'Content: {message} Add a block of this type with "Add block with content" '
                    "below to fill its content in."
                )
                for message in messages
            )
        super()._update_errors(errors)


class BlockInline(admin.TabularInline):
    model = Block
    form = BlockInlineForm
    extra = 0
    fields = ["order", "block_type", "title", "required", "is_published"]
    show_change_link = True
    ordering = ["order", "id"]


class ContentAdmin(ScheduledListMixin, ContentVersionAdmin):
    list_display = ["title", "community", "status", "difficulty", "updated_at"]
    list_filter = ["status", "difficulty", "community"]
    search_fields = ["title", "description"]
    list_select_related = ["community"]


@admin.register(Program)
class ProgramAdmin(ContentAdmin):
    inlines = [ProgramCourseInline]


@admin.register(Course)
class CourseAdmin(ContentAdmin):
    inlines = [CourseWodInline, CoursePrerequisiteInline]


@admin.register(Wod)
class WodAdmin(ContentAdmin):
    inlines = [PageInline, WodPrerequisiteInline]


@admin.register(Page)
class PageAdmin(ContentVersionAdmin):
    list_display = ["title", "wod", "order", "is_published"]
    list_filter = ["is_published", "wod__community"]
    search_fields = ["title", "wod__title"]
    autocomplete_fields = ["wod"]
    list_select_related = ["wod"]
    readonly_fields = ["add_block_with_content"]
    inlines = [BlockInline]

    @admin.display(description="add block with content")
    def add_block_with_content(self, page):
        if not page.pk:
            return "save first"
        url = reverse("admin:progress_block_add")
        return format_html(
            " · ".join(['<a href="{}?page={}&block_type={}">{}</a>'] * len(BlockType.choices)),
            *[part for value, label in BlockType.choices for part in (url, page.pk, value, label)],
        )


@admin.register(Block)
class BlockAdmin(ContentVersionAdmin):
    list_display = ["__str__", "page", "order", "block_type", "required", "is_published"]
    list_filter = ["block_type", "required", "is_published"]
    search_fields = ["title", "page__title", "page__wod__title"]
    autocomplete_fields = ["page"]
    list_select_related = ["page__wod"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # The content widget shows the schema of the block's type (see block_content_schema); a
        # new block takes its type from the link that opened the page ("add block with content").
        if obj is None:
            obj = Block(block_type=request.POST.get("block_type") or request.GET.get("block_type") or "")
        form.base_fields["content"].widget.instance = obj
        return form


@admin.register(ProgramCourse)
class ProgramCourseAdmin(ContentVersionAdmin):
    list_display = ["program", "order", "course"]
    list_select_related = ["program", "course"]
    autocomplete_fields = ["program", "course"]


@admin.register(CourseWod)
class CourseWodAdmin(ContentVersionAdmin):
    list_display = ["course", "order", "wod"]
    list_select_related = ["course", "wod"]
    autocomplete_fields = ["course", "wod"]


@admin.register(Prerequisite)
class PrerequisiteAdmin(ContentVersionAdmin):
    list_display = [
        "__str__",
        "course",
        "wod",
        "required_course",
        "required_wod",
        "min_percent",
        "require_mastered",
    ]
    list_select_related = ["course", "wod", "required_course", "required_wod"]
    autocomplete_fields = ["course", "wod", "required_course", "required_wod"]


@admin.register(ProgramEnrollment)
class ProgramEnrollmentAdmin(ReadOnlyModelAdmin):
    list_display = [
        "user",
        "program",
        "status",
        "completion_percent",
        "current_course",
        "enrolled_at",
        "completed_at",
    ]
    list_select_related = ["user", "program", "current_course"]
    list_filter = ["status", "community"]
    search_fields = ["user__username", "program__title"]


@admin.register(CourseEnrollment)
class CourseEnrollmentAdmin(ReadOnlyModelAdmin):
    list_display = ["user", "course", "status", "completion_percent", "enrolled_at", "completed_at"]
    list_select_related = ["user", "course"]
    list_filter = ["status", "community"]
    search_fields = ["user__username", "course__title"]


@admin.register(BlockProgress)
class BlockProgressAdmin(ReadOnlyModelAdmin):
    list_display = [
        "user",
        "block",
        "state",
        "time_spent_s",
        "interaction_count",
        "mastery_score",
        "updated_at",
    ]
    list_select_related = ["user", "block__page"]
    list_filter = ["state", "community"]
    search_fields = ["user__username"]


@admin.register(NodeProgress)
class NodeProgressAdmin(ReadOnlyModelAdmin):
    list_display = ["user", "node_type", "node_id", "percent", "state", "time_spent_s", "last_activity_at"]
    list_select_related = ["user"]
    list_filter = ["node_type", "state", "community"]
    search_fields = ["user__username"]


@admin.register(ProgressEvent)
class ProgressEventAdmin(ReadOnlyModelAdmin):
    list_display = ["occurred_at", "user", "verb", "block", "score", "time_spent_s", "state_after"]
    list_select_related = ["user", "block__page"]
    list_filter = ["verb", "community"]
    search_fields = ["user__username", "idempotency_key"]
