"""The live preview of notification copy on its admin change page.

The title and body being typed are rendered by the sweep's own :class:`rendering.Renderer`
(the same engine and context), for a sample runner or, for operators, a real
runner's active plan and next session. Push previews are cut short on phones: the limits below
are marked on the preview.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.template import TemplateSyntaxError
from django.utils import timezone

from training.models import PlannedSession, PlanStatus, SessionStatus, SessionType, TrainingPlan

from .copy_engine import compile_copy
from .models import Kind, Notification, NotificationPreferences, Tone
from .rendering import MILESTONES, CompiledTemplates, Renderer, compiled_templates

# Android shows about 65 characters of a push title and 240 of its body collapsed; iOS about
# 178 characters of title and body together on the lock screen.
PUSH_LIMITS = {"title": 65, "body": 240, "lock_screen_total": 178}

SAMPLE_STATS = {
    "total": 36,
    "completed": 14,
    "remaining": 22,
    "due": 15,
    "adherence_pct": 93,
    "total_km": 312.5,
    "week_planned": 4,
    "week_completed": 2,
    "week_km": 16.0,
    "next_week_sessions": 4,
    "next_week_km": 34.0,
}


class _TypedCopy(CompiledTemplates):
    """The copy being typed, compiled by the engine the sweep uses, in place of the saved one."""

    def __init__(self, kind: str, tone: str, title: str, body: str):
        saved = compiled_templates()
        self.fallback = saved.fallback
        self.builtin = saved.builtin
        self.broken = {}
        self.uses_stats = set()
        self.by_key = {(kind, tone): [(compile_copy(title), compile_copy(body))]}


def _sample(kind: str, tone: str):
    today = timezone.localdate()
    user = get_user_model()(username="sample.runner", first_name="Sam")
    plan = TrainingPlan(name="Half Marathon - 12 Week Plan", duration_weeks=12)
    session = PlannedSession(
        title="Easy run 8 km",
        date=today + dt.timedelta(days=1),
        week_number=5,
        session_type=SessionType.EASY,
        target_distance_km=8.0,
        target_pace_s_per_km=345,
        start_time_local=dt.time(7, 0),
        status=SessionStatus.PLANNED,
    )
    notification = Notification(
        user=user, kind=kind, plan=plan, session=session, decision={"start_local": "07:00"}
    )
    return notification, {"tone": tone}


def _real(user, kind: str, tone: str):
    plan = TrainingPlan.objects.filter(user=user, status=PlanStatus.ACTIVE).first()
    session = (
        PlannedSession.objects.filter(plan=plan, status=SessionStatus.PLANNED, date__gte=timezone.localdate())
        .order_by("date")
        .first()
        if plan
        else None
    )
    prefs = NotificationPreferences.objects.filter(user=user).values("tone").first() or {}
    notification = Notification(user=user, kind=kind, plan=plan, session=session, decision={})
    return notification, {"tone": tone or prefs.get("tone")}


def copy_preview(*, kind: str, tone: str, title: str, body: str, user=None) -> dict:
    """``{"title", "body", "error", "limits", "over"}``: the copy rendered as the sweep would."""
    if kind not in Kind.values or tone not in Tone.values:
        return {"error": "Choose a kind and a tone first."}
    try:
        templates = _TypedCopy(kind, tone, title, body)
    except TemplateSyntaxError as exc:
        return {"error": f"Template error: {exc}"}
    notification, prefs = _real(user, kind, tone) if user is not None else _sample(kind, tone)
    renderer = Renderer(templates=templates)
    local_day = timezone.localdate()
    if user is not None and notification.plan_id:
        renderer.prepare([(notification, {"tone": prefs["tone"]}, local_day)], now=timezone.now())
    else:
        renderer.stats[(notification.plan_id, local_day)] = SAMPLE_STATS
    label, detail = MILESTONES["halfway"]
    extra = {"milestone": {"label": label, "detail": detail}, "next_session": {"title": "Long run 14 km"}}
    try:
        rendered = renderer.render(notification, prefs=prefs, local_day=local_day, extra=extra)
    except Exception as exc:  # a template that fails to render is shown to the designer, not raised
        return {"error": f"Could not render: {exc}"}
    title_len, body_len = len(rendered.title), len(rendered.body)
    return {
        "title": rendered.title,
        "body": rendered.body,
        "runner": notification.user.get_username(),
        "limits": PUSH_LIMITS,
        "lengths": {"title": title_len, "body": body_len, "lock_screen_total": title_len + body_len},
        "over": {
            "title": title_len > PUSH_LIMITS["title"],
            "body": body_len > PUSH_LIMITS["body"],
            "lock_screen_total": title_len + body_len > PUSH_LIMITS["lock_screen_total"],
        },
    }


def may_pick_runner(user) -> bool:
    """Operators (and superusers) may preview copy for a real runner; designers see a sample."""
    from config.permissions import OPERATORS

    return user.is_superuser or user.groups.filter(name=OPERATORS).exists()


class CopyPreviewAdminMixin:
    """The change page's live preview: ``preview/`` answers the rendered copy as JSON."""

    class Media:
        js = ["notifications/copy_preview.js"]
        css = {"all": ["notifications/copy_preview.css"]}

    def get_urls(self):
        from django.urls import path

        opts = self.model._meta
        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.copy_preview_view),
                name=f"{opts.app_label}_{opts.model_name}_preview",
            ),
            *super().get_urls(),
        ]

    def copy_preview_view(self, request):
        from django.core.exceptions import PermissionDenied
        from django.http import JsonResponse

        if not self.has_view_permission(request):
            raise PermissionDenied
        user = None
        runner = request.GET.get("runner", "").strip()
        if runner:
            if not may_pick_runner(request.user):
                return JsonResponse({"error": "Only operators may preview for a real runner."}, status=403)
            user = get_user_model().objects.filter(username=runner).first()
            if user is None:
                return JsonResponse({"error": f"No runner {runner!r}."}, status=404)
        answer = copy_preview(
            kind=request.GET.get("kind", ""),
            tone=request.GET.get("tone", ""),
            title=request.GET.get("title", ""),
            body=request.GET.get("body", ""),
            user=user,
        )
        return JsonResponse(answer)

    def render_change_form(self, request, context, *args, **kwargs):
        opts = self.model._meta
        from django.urls import reverse

        context["copy_preview_url"] = reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_preview"
        )
        context["copy_preview_runner"] = may_pick_runner(request.user)
        return super().render_change_form(request, context, *args, **kwargs)
