"""Which object of a user each path id of the API addresses.

The schema-driven suites (schemathesis, tenancy, mass assignment) find operations in the OpenAPI
schema; for an operation with a path id they need one of a user's own objects. ``REGISTRY`` maps
a path prefix to a function that returns ``{path parameter: value}`` for a user's object (creating
it through the app's services when the user has none). The longest matching prefix wins; an
operation with a path id and no entry fails the suites, so a new endpoint needs one line here and
no change to their loops.

``scope`` says who may address the object:

* ``owner``: only its owner (or the members of its community); anyone else gets a 404.
* ``public``: anyone, by design (``reason`` says why); the tenancy matrix checks that another
  user's call changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

OWNER, PUBLIC = "owner", "public"


@dataclass(frozen=True)
class Entry:
    prefix: str
    ids: Callable[[Any], dict[str, Any]]
    scope: str = OWNER
    reason: str = ""


def _membership(user):
    from progress.models import Membership

    membership = Membership.objects.filter(user=user).select_related("community").order_by("pk").first()
    assert membership is not None, f"{user} is a member of no community"
    return membership


def community(user):
    return {"id": _membership(user).community_id}


def _program(user):
    from progress.models import ProgramEnrollment

    enrollment = ProgramEnrollment.objects.filter(user=user).select_related("program").order_by("pk").first()
    assert enrollment is not None, f"{user} is enrolled in no program"
    return enrollment.program


def program(user):
    return {"id": _program(user).pk}


def _course(user):
    return _program(user).course_links.order_by("order", "pk").first().course


def course(user):
    return {"id": _course(user).pk}


def wod(user):
    return {"id": _course(user).wod_links.order_by("order", "pk").first().wod_id}


def achievement(user):
    """An achievement the user earned (its badge is exportable)."""
    from progress.models import Achievement, UserAchievement
    from progress.services.achievements import achievements_reevaluate

    earned = UserAchievement.objects.filter(user=user, earned_at__isnull=False).order_by("pk").first()
    if earned is None:
        first_steps, _ = Achievement.objects.get_or_create(
            community_id=_membership(user).community_id,
            name="First block",
            defaults={"criteria": {"all": [{"type": "blocks_completed", "count": 1}]}},
        )
        achievements_reevaluate(achievements=[first_steps])
        earned = UserAchievement.objects.get(user=user, achievement=first_steps, earned_at__isnull=False)
    return {"id": earned.achievement_id}


def certificate(user):
    from progress.models import Certificate

    found = (
        Certificate.objects.filter(user=user).order_by("pk").first() or Certificate.objects.order_by("pk")[0]
    )
    return {"id": str(found.verification_id)}


def curriculum(user):
    from curriculum.models import Curriculum

    return {"slug": Curriculum.objects.published().order_by("pk")[0].slug}


def curriculum_enrollment(user):
    from curriculum import services
    from curriculum.models import Curriculum, Enrollment

    enrollment = Enrollment.objects.filter(user=user).order_by("pk").first()
    if enrollment is None:
        published = Curriculum.objects.published().get(slug="separation-anxiety")
        enrollment, _ = services.enrollment_get_or_create(
            user=user,
            curriculum=published,
            traits={"energy_level": "high", "food_motivation": "medium", "age_band": "adult"},
        )
    step = enrollment.current_step or enrollment.curriculum.steps.order_by("order").first()
    return {"id": enrollment.pk, "order": step.order}


def scenario(user):
    from scenarios.models import Scenario, Visibility
    from scenarios.services import scenario_create

    own = Scenario.objects.filter(created_by=user, visibility=Visibility.PRIVATE).order_by("pk").first()
    if own is None:
        own = scenario_create(
            user=user,
            title=f"{user.username}'s interview practice",
            description="A private practice scenario.",
            role="character",
            difficulty="beginner",
            instructions="Answer the interviewer's questions.",
            context="A job interview for a junior developer position.",
        )
    return {"id": own.pk}


def _runner(user):
    from training.models import RunnerProfile
    from training.services import runner_profile_update

    if not RunnerProfile.objects.filter(user=user).exists():
        runner_profile_update(
            user=user,
            experience_level="intermediate",
            recent_weekly_km=30,
            longest_recent_run_km=14,
            available_days=["mon", "wed", "fri", "sun"],
            long_run_day="sun",
            min_rest_days=2,
        )


def _plan(user, status="active"):
    """The user's plan in ``status``: an active one (pause, complete, sessions) or a draft one
    (activate)."""
    from training.models import TrainingPlan
    from training.services import plan_activate, plan_generate

    plan = TrainingPlan.objects.filter(user=user, status=status).order_by("pk").first()
    if plan is None:
        _runner(user)
        plan = plan_generate(user=user, goal_type="10k", duration_weeks=8)
        if status == "active":
            plan = plan_activate(user=user, plan=plan)
    return plan


def training_plan(user):
    return {"id": _plan(user).pk}


def draft_training_plan(user):
    return {"id": _plan(user, status="draft").pk}


def plan_session(user):
    return {"id": _plan(user).sessions.order_by("date", "pk").first().pk}


def run_plan_session(user):
    """A session of the user's active plan that is a run (its workout exports as a FIT file)."""
    session = _plan(user).sessions.exclude(session_type__in=("rest", "cross")).order_by("date", "pk").first()
    return {"id": session.pk}


def activity(user):
    from datetime import timedelta

    from django.utils import timezone

    from training.models import Activity
    from training.services import activity_record

    found = Activity.objects.filter(user=user).order_by("pk").first()
    if found is None:
        found = activity_record(
            user=user, started_at=timezone.now() - timedelta(days=1), duration_s=1800, distance_m=5000
        )
    return {"id": found.pk}


def activity_archive(user):
    from training.models import ActivityArchiveImport, ArchiveStatus

    found = ActivityArchiveImport.objects.filter(user=user).order_by("pk").first()
    if found is None:
        found = ActivityArchiveImport.objects.create(
            user=user, status=ArchiveStatus.DONE, name="export.zip", total=1, processed=1, imported=1
        )
    return {"id": found.pk}


def calendar_feed(user):
    from training.services import calendar_subscription_get_or_create

    return {"token": calendar_subscription_get_or_create(user=user).token}


def notification(user):
    from django.utils import timezone

    from notifications.models import Notification

    found = Notification.objects.filter(user=user).order_by("pk").first()
    if found is None:
        now = timezone.now()
        found = Notification.objects.create(
            user=user,
            kind="weekly_digest",
            dedupe_key=f"weekly_digest:contract:{user.pk}",
            send_at=now,
            local_date=now.date(),
            status="sent",
            sent_at=now,
        )
    return {"id": found.pk}


def device(user):
    from notifications.models import Device

    found = Device.objects.filter(user=user).order_by("pk").first() or Device.objects.create(
        user=user, platform="fcm", token=f"contract-{user.pk}"
    )
    return {"id": found.pk}


REGISTRY = [
    Entry("/api/v1/achievements/{id}/", achievement),
    Entry("/api/v1/analytics/communities/{id}/", community),
    Entry(
        "/api/v1/certificates/{id}/",
        certificate,
        scope=PUBLIC,
        reason="a certificate is verified by anyone who holds its verification id",
    ),
    Entry("/api/v1/communities/{id}/", community),
    Entry("/api/v1/courses/{id}/", course),
    Entry(
        "/api/v1/curricula/{slug}/",
        curriculum,
        scope=PUBLIC,
        reason="published curricula are offered to every learner",
    ),
    Entry("/api/v1/enrollments/{id}/", curriculum_enrollment),
    Entry("/api/v1/programs/{id}/", program),
    Entry("/api/v1/progress/courses/{id}/", course),
    Entry("/api/v1/progress/programs/{id}/", program),
    Entry("/api/v1/progress/wods/{id}/", wod),
    Entry("/api/v1/scenarios/{id}/", scenario),
    Entry("/api/v1/wods/{id}/", wod),
    Entry("/api/v1/training-plans/{id}/", training_plan),
    Entry("/api/v1/training-plans/{id}/activate/", draft_training_plan),
    Entry("/api/v1/plan-sessions/{id}/", plan_session),
    Entry("/api/v1/plan-sessions/{id}/workout.fit", run_plan_session),
    Entry("/api/v1/activities/{id}/", activity),
    Entry("/api/v1/activities/archive/{id}/", activity_archive),
    Entry(
        "/api/v1/calendar/feed/{token}.ics",
        calendar_feed,
        scope=PUBLIC,
        reason="a calendar app subscribes by URL: whoever holds the secret token reads the feed",
    ),
    Entry("/api/v1/notifications/{id}/", notification),
    Entry("/api/v1/devices/{id}/", device),
]


def _enrollment_state(user):
    from curriculum.models import Enrollment

    enrollment = Enrollment.objects.filter(user=user).order_by("pk").first()
    state = enrollment.step_states.select_related("step", "current_alternative").get(
        step=enrollment.current_step
    )
    return enrollment, state


def _first_block(user):
    from progress.models import Block

    return Block.objects.filter(page__wod_id=wod(user)["id"]).order_by("page__order", "order", "pk").first()


def _in_two_hours():
    from datetime import timedelta

    from django.utils import timezone

    return (timezone.now() + timedelta(hours=2)).isoformat()


# Valid bodies for writes whose input names the user's own objects (an example built from the
# request schema alone cannot know them). ``(METHOD, path) -> body(user)``.
BODIES = {
    ("POST", "/api/v1/auth/token/"): lambda user: {"username": user.username, "password": user.username},
    ("POST", "/api/v1/coach/status"): lambda user: (
        lambda enrollment, state: {
            "enrollment": enrollment.pk,
            "step": state.step.order,
            "plan_id": state.current_alternative.code,
            "outcome": "STOPPED",
            "reason": "tired",
        }
    )(*_enrollment_state(user)),
    ("POST", "/api/v1/curricula/{slug}/enroll/"): lambda user: {
        "traits": {"energy_level": "high", "food_motivation": "medium", "age_band": "adult"}
    },
    ("PATCH", "/api/v1/enrollments/{id}/"): lambda user: {
        "traits": {"energy_level": "medium", "food_motivation": "high", "age_band": "adult"}
    },
    ("PATCH", "/api/v1/scenarios/{id}/notes/"): lambda user: {"notes": "Breathe before answering."},
    ("POST", "/api/v1/enrollments/programs/"): lambda user: {"program": program(user)["id"]},
    ("POST", "/api/v1/enrollments/courses/"): lambda user: {"course": course(user)["id"]},
    ("POST", "/api/v1/notifications/snooze/"): lambda user: {"until": _in_two_hours()},
    ("PUT", "/api/v1/runner-profile/"): lambda user: {
        "experience_level": "intermediate",
        "recent_weekly_km": 30,
        "longest_recent_run_km": 14,
        "recent_race": None,
        "available_days": ["mon", "wed", "fri", "sun"],
        "long_run_day": "sun",
        "min_rest_days": 2,
        "injury_notes": "",
    },
    ("POST", "/api/v1/training-plans/"): lambda user: {"goal_type": "10k", "duration_weeks": 8},
    ("PATCH", "/api/v1/plan-sessions/{id}/"): lambda user: {"start_time_local": "07:00"},
    ("POST", "/api/v1/plan-sessions/{id}/complete/"): lambda user: {
        "actuals": {"duration_s": 2400, "distance_m": 6000}
    },
    ("POST", "/api/v1/progress/events/"): lambda user: {
        "events": [
            {
                "block": _first_block(user).pk,
                "event": "viewed",
                "occurred_at": "2026-01-05T10:00:00Z",
                "idempotency_key": f"mass-assignment-{user.pk}",
            }
        ]
    },
}


def _pause_active_plans(user):
    from training.models import TrainingPlan
    from training.services import plan_pause

    for plan in TrainingPlan.objects.filter(user=user, status="active"):
        plan_pause(user=user, plan=plan)


# State a write needs besides its body, set up just before it is sent. ``(METHOD, path) -> f(user)``.
PREPARE = {
    # A user has at most one active plan: activating the draft needs the active one paused.
    ("POST", "/api/v1/training-plans/{id}/activate/"): _pause_active_plans,
}


def entry_for(path: str) -> Entry:
    matches = [entry for entry in REGISTRY if path.startswith(entry.prefix)]
    if not matches:
        raise LookupError(
            f"{path} has a path id but no entry in tests/api/objects.py REGISTRY: add one that "
            "returns a user's own object for it"
        )
    return max(matches, key=lambda entry: len(entry.prefix))


class UserObjects:
    """Path parameters of one user's objects, computed once per entry."""

    def __init__(self, user):
        self.user = user
        self._cache = {}

    def path_parameters(self, path: str) -> dict[str, Any]:
        entry = entry_for(path)
        if entry.prefix not in self._cache:
            self._cache[entry.prefix] = entry.ids(self.user)
        return self._cache[entry.prefix]


def learner_objects(user) -> UserObjects:
    objects = UserObjects(user)
    for entry in REGISTRY:  # create what is missing now, not while a test is counting rows
        objects.path_parameters(entry.prefix)
    return objects


def demo_user(username):
    return get_user_model().objects.get(username=username)
