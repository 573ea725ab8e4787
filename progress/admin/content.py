"""The admin is the CMS for learning content; learner state is shown read-only."""

from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from config.admin import ReadOnlyModelAdmin
from config.content_io import ContentImportExportMixin
from config.preview_admin import LearnerPreviewMixin, pretty_api_json
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
from ..resources import BlockResource
from ..selectors.content import content_preview


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


class ContentAdmin(LearnerPreviewMixin, ScheduledListMixin, ContentVersionAdmin):
    list_display = ["title", "community", "status", "difficulty", "updated_at"]
    list_filter = ["status", "difficulty", "community"]
    search_fields = ["title", "description"]
    list_select_related = ["community"]

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name=f"{opts.app_label}_{opts.model_name}_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk):
        """What the API's detail answers a learner for this node, drafts included; reads only."""
        from ..api.content import CourseDetailSerializer, ProgramDetailSerializer, WodDetailSerializer

        node = content_preview(self.model, pk)
        if node is None:
            raise Http404
        if not self.has_view_permission(request, node):
            raise PermissionDenied
        serializer = {Program: ProgramDetailSerializer, Course: CourseDetailSerializer}.get(
            self.model, WodDetailSerializer
        )
        data = serializer(node, context={"request": request}).data
        opts = self.model._meta
        child = {Program: "course", Course: "wod"}.get(self.model)
        children = data.get("courses") or data.get("wods") or []
        for item in children:
            item["preview_url"] = reverse(f"admin:progress_{child}_preview", args=[item["id"]])
        for page in data.get("pages", []):
            for block in page["blocks"]:
                block["label"] = BlockType(block["type"]).label
                block["fields"] = _content_rows(block["content"])
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": f"Preview as a learner: {node.title}",
            "node": node,
            "data": data,
            "children": children,
            "child_label": {"course": "Courses", "wod": "WODs"}.get(child),
            "api_json": pretty_api_json(data),
            "change_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[node.pk]),
        }
        return TemplateResponse(request, "admin/progress/preview.html", context)


def _content_rows(content, prefix=""):
    """A block's content as (key, text) rows for reading: lists joined, objects by key."""
    rows = []
    for key, value in (content or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows.extend(_content_rows(value, f"{name}."))
        elif isinstance(value, list) and all(not isinstance(item, (dict, list)) for item in value):
            rows.append((name, ", ".join(str(item) for item in value)))
        elif isinstance(value, list):
            for index, item in enumerate(value, start=1):
                if isinstance(item, dict):
                    rows.extend(_content_rows(item, f"{name} {index}."))
                else:
                    rows.append((f"{name} {index}", str(item)))
        else:
            rows.append((name, "" if value is None else str(value)))
    return rows


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
class BlockAdmin(ContentImportExportMixin, ContentVersionAdmin):
    list_display = ["__str__", "page", "order", "block_type", "required", "is_published"]
    list_filter = ["block_type", "required", "is_published"]
    search_fields = ["title", "page__title", "page__wod__title"]
    autocomplete_fields = ["page"]
    list_select_related = ["page__wod"]
    resource_classes = [BlockResource]

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
