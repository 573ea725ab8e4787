"""The curriculum CMS: curricula with their steps inline, steps with their alternatives inline,
a learner's-eye preview of a step, read-only outcome statistics, publish / unpublish."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from config.admin import ReadOnlyModelAdmin
from config.api.params import to_int
from config.charts import line_chart
from config.content_io import ContentImportExportMixin
from config.preview_admin import LearnerPreviewMixin, pretty_api_json
from config.revision_admin import ContentVersionAdmin
from config.scheduling_admin import ScheduledListMixin

from . import services
from .evidence import alternative_evidence, first_try_success_by_week, segment_columns
from .models import Alternative, AlternativeStat, Curriculum, Enrollment, EnrollmentStep, OutcomeEvent, Step
from .resources import AlternativeResource
from .selection import policy_for
from .selectors import alternatives_rank, curriculum_with_content


def strip_empty(value):
    """Drop the blanks the JSON form widget submits for untouched inputs (``None``, ``""``,
    ``[]``, ``{}``), recursively, so the stored JSON holds only what the designer entered."""
    if isinstance(value, dict):
        cleaned = {key: strip_empty(item) for key, item in value.items()}
        return {key: item for key, item in cleaned.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        cleaned = [strip_empty(item) for item in value]
        return [item for item in cleaned if item not in (None, "", {})]
    return value


class TidyJSONForm(forms.ModelForm):
    """Tidies the JSON fields before the model validates them against their schema files."""

    tidy_json_fields = ("content", "match_rules", "trait_schema")

    def clean(self):
        cleaned = super().clean()
        for name in self.tidy_json_fields:
            if cleaned.get(name) is not None:
                cleaned[name] = strip_empty(cleaned[name])
        return cleaned


class ReorderableInlineForm(TidyJSONForm):
    """Rows of an inline hold the parent's whole ordering, so uniqueness of ``order`` / ``code``
    is checked across the formset (by the formset itself), not row by row against the
    database: that lets a designer swap two positions in one save."""

    def validate_unique(self):
        pass


class ReorderingInlineMixin:
    """Moves changed or deleted rows to temporary values before the inline saves, so swapping
    two orders or codes never trips the unique constraints mid-save."""

    reorder_fields: tuple[str, ...] = ("order",)

    @classmethod
    def free_unique_slots(cls, formset):
        model = formset.model
        for form in formset.initial_forms:
            instance = form.instance
            moved = any(name in form.changed_data for name in cls.reorder_fields)
            if instance.pk and (moved or form in formset.deleted_forms):
                temporary = {"order": -instance.pk}
                if "code" in cls.reorder_fields:
                    temporary["code"] = f"~{instance.pk}"
                model.objects.filter(pk=instance.pk).update(**temporary)


class StepInline(ReorderingInlineMixin, admin.TabularInline):
    model = Step
    form = ReorderableInlineForm
    fields = ["order", "title", "goal", "success_criteria", "alternatives_link"]
    readonly_fields = ["alternatives_link"]
    extra = 0
    show_change_link = True
    ordering = ["order"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(alternative_count=Count("alternatives"))

    @admin.display(description="alternatives")
    def alternatives_link(self, step):
        if not step.pk:
            return "save first"
        url = reverse("admin:curriculum_step_change", args=[step.pk])
        preview = reverse("admin:curriculum_step_preview", args=[step.pk])
        count = getattr(step, "alternative_count", None)
        return format_html('<a href="{}">{} plans: edit</a> · <a href="{}">preview</a>', url, count, preview)


@admin.register(Curriculum)
class CurriculumAdmin(LearnerPreviewMixin, ScheduledListMixin, ContentVersionAdmin):
    list_display = ["title", "slug", "status", "step_count", "published_at", "updated_at"]
    list_filter = ["status"]
    form = TidyJSONForm
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["published_at", "first_try_success"]
    fields = [
        "title",
        "slug",
        "description",
        "learner_noun",
        "status",
        "published_at",
        ("publish_at", "unpublish_at"),
        "selection_policy",
        "trait_schema",
        "first_try_success",
    ]
    inlines = [StepInline]
    actions = ["publish", "unpublish"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(step_total=Count("steps"))

    @admin.display(description="steps", ordering="step_total")
    def step_count(self, curriculum):
        return curriculum.step_total

    @admin.display(description="first-try success")
    def first_try_success(self, curriculum):
        if not curriculum.pk:
            return "-"
        points = first_try_success_by_week(curriculum=curriculum)
        if not points:
            return "No outcomes yet."
        chart = line_chart(
            "First-try success by week (%): learners whose first plan at a step succeeded",
            [(week, value) for week, value, _ in points],
        )
        learners = sum(total for _, _, total in points)
        return format_html(
            '<div class="curriculum-first-try">{}</div><p class="help">{} learner-steps over {} week(s); '
            "weeks start on Monday.</p>",
            chart,
            learners,
            len(points),
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is Step:
            StepInline.free_unique_slots(formset)
        super().save_formset(request, form, formset, change)

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data and obj.status == Curriculum.Status.PUBLISHED:
            # Publishing through the form follows the same rules as the action (checked after
            # the steps are saved, in save_related).
            obj.status = Curriculum.Status.DRAFT
            request._curriculum_publish = True
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if getattr(request, "_curriculum_publish", False):
            self._publish(request, form.instance)

    def _publish(self, request, curriculum):
        try:
            services.curriculum_publish(user=request.user, curriculum=curriculum)
        except ValidationError as exc:
            self.message_user(request, f"Not published: {' '.join(exc.messages)}", messages.ERROR)
            return False
        return True

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="curriculum_curriculum_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk):
        """The curriculum as the API answers a learner (drafts included), every step's plans
        ranked for the traits chosen in the form; reads only."""
        from .api.serializers import CurriculumDetailSerializer

        curriculum = get_object_or_404(curriculum_with_content(user=request.user), pk=pk)
        if not self.has_view_permission(request, curriculum):
            raise PermissionDenied
        traits, trait_fields = trait_form(curriculum, request.GET)
        data = CurriculumDetailSerializer(curriculum, context={"request": request}).data
        steps = [
            {"step": step, "ranked": alternatives_rank(step=step, traits=traits)}
            for step in curriculum.steps.all()
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Preview as a learner: {curriculum.title}",
            "curriculum": curriculum,
            "steps": steps,
            "trait_fields": trait_fields,
            "segment": curriculum.segment_for(traits) or "*",
            "policy": policy_for(curriculum),
            "api_json": pretty_api_json(data),
            "change_url": reverse("admin:curriculum_curriculum_change", args=[curriculum.pk]),
        }
        return TemplateResponse(request, "admin/curriculum/curriculum/preview.html", context)

    @admin.action(description="Publish selected curricula", permissions=["change"])
    def publish(self, request, queryset):
        done = sum(self._publish(request, curriculum) for curriculum in queryset)
        if done:
            self.message_user(
                request, f"Published {done} curricul{'um' if done == 1 else 'a'}.", messages.SUCCESS
            )

    @admin.action(description="Unpublish selected curricula", permissions=["change"])
    def unpublish(self, request, queryset):
        for curriculum in queryset:
            services.curriculum_unpublish(user=request.user, curriculum=curriculum)
        self.message_user(request, f"Unpublished {queryset.count()}.", messages.SUCCESS)


def _percent(value):
    return None if value is None else round(100 * value, 1)


def evidence_table(alternative, rows=None):
    """An alternative's statistics as a table per segment (see ``curriculum.evidence``); the
    template escapes every value, and its output is safe HTML."""
    curriculum = alternative.step.curriculum
    evidence = alternative_evidence(alternative=alternative, rows=rows)
    context = {
        "columns": segment_columns(curriculum),
        "noun": curriculum.learner_noun,
        "rows": [
            {
                "labels": row.labels,
                "successes": row.successes,
                "attempts": row.attempts,
                "rate_pct": _percent(row.rate),
                "low_pct": _percent(row.low),
                "high_pct": _percent(row.high),
                "expected_pct": _percent(row.expected),
            }
            for row in evidence
        ],
    }
    return render_to_string("admin/curriculum/alternative/evidence.html", context)


class AlternativeInline(ReorderingInlineMixin, admin.StackedInline):
    model = Alternative
    form = ReorderableInlineForm
    reorder_fields = ("order", "code")
    extra = 0
    show_change_link = True
    ordering = ["order"]
    fields = [
        ("order", "code", "is_active"),
        "title",
        "summary",
        "content",
        "match_rules",
        ("prior_success_rate", "prior_strength"),
        "outcome_statistics",
    ]
    readonly_fields = ["outcome_statistics"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("step__curriculum").prefetch_related("stats")

    @admin.display(description="outcome statistics per segment")
    def outcome_statistics(self, alternative):
        if not alternative.pk:
            return "-"
        return evidence_table(alternative, list(alternative.stats.all()))


@admin.register(Step)
class StepAdmin(ContentVersionAdmin):
    list_display = ["__str__", "curriculum", "order", "alternative_count", "preview_link"]
    list_filter = ["curriculum"]
    search_fields = ["title", "curriculum__title"]
    list_select_related = ["curriculum"]
    fields = ["curriculum", "order", "title", "goal", "success_criteria", "links"]
    readonly_fields = ["links"]
    inlines = [AlternativeInline]
    ordering = ["curriculum", "order"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(alternative_total=Count("alternatives"))

    @admin.display(description="alternatives", ordering="alternative_total")
    def alternative_count(self, step):
        return step.alternative_total

    @admin.display(description="preview")
    def preview_link(self, step):
        return format_html(
            '<a href="{}">preview</a>', reverse("admin:curriculum_step_preview", args=[step.pk])
        )

    @admin.display(description="links")
    def links(self, step):
        if not step.pk:
            return "-"
        return format_html(
            '<a href="{}">back to the curriculum</a> · <a href="{}">preview as a learner</a>',
            reverse("admin:curriculum_curriculum_change", args=[step.curriculum_id]),
            reverse("admin:curriculum_step_preview", args=[step.pk]),
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is Alternative:
            AlternativeInline.free_unique_slots(formset)
        super().save_formset(request, form, formset, change)

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="curriculum_step_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk):
        """The step as a learner sees it, ranked for the traits chosen in the form."""
        step = get_object_or_404(Step.objects.select_related("curriculum"), pk=pk)
        if not self.has_view_permission(request, step):
            raise PermissionDenied
        traits, trait_fields = trait_form(step.curriculum, request.GET)
        ranked = alternatives_rank(step=step, traits=traits)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Preview: {step.order}. {step.title}",
            "step": step,
            "curriculum": step.curriculum,
            "trait_fields": trait_fields,
            "segment": step.curriculum.segment_for(traits) or "*",
            "ranked": ranked,
            "policy": policy_for(step.curriculum),
            "change_url": reverse("admin:curriculum_step_change", args=[step.pk]),
        }
        return TemplateResponse(request, "admin/curriculum/step/preview.html", context)


def trait_form(curriculum, query):
    """The traits chosen in a preview's form (``query``: the GET parameters) and its fields."""
    properties = (curriculum.trait_schema or {}).get("properties", {})
    traits, trait_fields = {}, []
    for name, spec in properties.items():
        raw = query.get(name, "")
        value = _coerce(raw, spec.get("type")) if raw != "" else None
        if value is not None:
            traits[name] = value
        choices = spec.get("enum") or (["true", "false"] if spec.get("type") == "boolean" else None)
        trait_fields.append(
            {"name": name, "title": spec.get("title") or name, "choices": choices, "value": raw}
        )
    return traits, trait_fields


def _coerce(raw, kind):
    try:
        if kind == "integer":
            return to_int(raw)  # ASCII digits only (config/api/params.py)
        if kind == "number":
            return float(raw)
    except ValueError:
        return None
    if kind == "boolean":
        return raw.lower() == "true"
    return raw


class AlternativeStatInline(admin.TabularInline):
    model = AlternativeStat
    fields = ["segment", "successes", "attempts", "rate", "updated_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["segment"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="success rate")
    def rate(self, row):
        return "-" if row.success_rate is None else f"{row.success_rate:.0%}"


@admin.register(Alternative)
class AlternativeAdmin(ContentImportExportMixin, ContentVersionAdmin):
    list_display = ["__str__", "step", "order", "is_active", "prior_success_rate", "overall"]
    list_filter = ["step__curriculum", "is_active"]
    list_select_related = ["step", "step__curriculum"]
    search_fields = ["title", "code", "step__title"]
    form = TidyJSONForm
    inlines = [AlternativeStatInline]
    resource_classes = [AlternativeResource]
    fields = [
        "step",
        ("order", "code", "is_active"),
        "title",
        "summary",
        "content",
        "match_rules",
        ("prior_success_rate", "prior_strength"),
        "outcome_statistics",
    ]
    readonly_fields = ["outcome_statistics"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("stats")

    @admin.display(description="outcome statistics per segment")
    def outcome_statistics(self, alternative):
        if not alternative.pk:
            return "-"
        return evidence_table(alternative, list(alternative.stats.all()))

    @admin.display(description="all learners")
    def overall(self, alternative):
        rows = [row for row in alternative.stats.all() if row.segment == "*"]
        return f"{rows[0].successes}/{rows[0].attempts}" if rows else "-"


@admin.register(AlternativeStat)
class AlternativeStatAdmin(admin.ModelAdmin):
    list_display = ["alternative", "step", "segment", "successes", "attempts", "rate", "updated_at"]
    list_filter = ["alternative__step__curriculum"]
    list_select_related = ["alternative", "alternative__step", "alternative__step__curriculum"]
    search_fields = ["segment", "alternative__title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="step")
    def step(self, row):
        return row.alternative.step

    @admin.display(description="success rate")
    def rate(self, row):
        return "-" if row.success_rate is None else f"{row.success_rate:.0%}"


class EnrollmentStepInline(admin.TabularInline):
    model = EnrollmentStep
    fields = ["step", "current_alternative", "state", "metadata", "started_at", "completed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "user", "curriculum", "state", "current_step", "created_at"]
    list_filter = ["state", "curriculum"]
    list_select_related = ["user", "curriculum", "current_step"]
    search_fields = ["user__username"]
    inlines = [EnrollmentStepInline]


@admin.register(OutcomeEvent)
class OutcomeEventAdmin(ReadOnlyModelAdmin):
    list_display = [
        "created_at",
        "enrollment",
        "step",
        "alternative",
        "outcome",
        "next_alternative",
        "reason",
        "counted",
    ]
    list_filter = ["outcome", "counted", "step__curriculum"]
    list_select_related = ["enrollment", "step", "alternative", "next_alternative"]
    search_fields = ["enrollment__user__username", "segment"]
