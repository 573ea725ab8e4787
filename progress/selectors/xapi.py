"""The event log as xAPI 1.0.3 statements, for an external learning record store."""

from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from ..models import Membership, MembershipRole, ProgressEvent

VERBS = {
    "viewed": "http://id.tincanapi.com/verb/viewed",
    "progressed": "http://adlnet.gov/expapi/verbs/progressed",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "submitted": "http://activitystrea.ms/schema/1.0/submit",
}
ACTIVITY_TYPES = {
    "video": "https://w3id.org/xapi/video/activity-type/video",
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "agent": "http://id.tincanapi.com/activitytype/chat-channel",
    "document": "http://id.tincanapi.com/activitytype/document",
    "user_submission": "http://adlnet.gov/expapi/activities/interaction",
    "prompt": "http://adlnet.gov/expapi/activities/question",
}
DEFAULT_ACTIVITY_TYPE = "http://adlnet.gov/expapi/activities/media"


def statements_for(user, *, since=None, community_id=None, after_id=None):
    """Events the user may export: their own, plus every event of the communities where they
    are an instructor or admin; in the order they were stored."""
    staff_of = Membership.objects.filter(
        user=user, role__in=[MembershipRole.INSTRUCTOR, MembershipRole.ADMIN]
    ).values("community_id")
    events = ProgressEvent.objects.filter(Q(user=user) | Q(community_id__in=staff_of))
    if since is not None:
        events = events.filter(stored_at__gt=since)
    if community_id is not None:
        events = events.filter(community_id=community_id)
    if after_id is not None:
        events = events.filter(pk__gt=after_id)
    return events.select_related("user", "block").order_by("id")


def iso_duration(seconds: Decimal) -> str:
    value = Decimal(seconds).quantize(Decimal("0.001")).normalize()
    return f"PT{value:f}S"


def _activity(kind: str, pk: int, *, name: str | None = None, activity_type: str | None = None) -> dict:
    base = settings.PROGRESS_XAPI_BASE_IRI.rstrip("/")
    activity = {"objectType": "Activity", "id": f"{base}/xapi/activities/{kind}/{pk}"}
    definition = {}
    if name:
        definition["name"] = {"en-US": name}
    if activity_type:
        definition["type"] = activity_type
    if definition:
        activity["definition"] = definition
    return activity


def as_statement(event: ProgressEvent) -> dict:
    base = settings.PROGRESS_XAPI_BASE_IRI.rstrip("/")
    block = event.block
    result: dict = {"duration": iso_duration(event.time_spent_s)}
    if event.score is not None:
        result["score"] = {
            "scaled": round(event.score, 4),
            "raw": round(event.score * 100, 2),
            "min": 0,
            "max": 100,
        }
    if event.success is not None:
        result["success"] = event.success
    if event.completion is not None:
        result["completion"] = event.completion
    if event.progress is not None:
        result["extensions"] = {f"{base}/xapi/extensions/progress": event.progress}
    context = event.context or {}
    parents = []
    if context.get("page"):
        parents.append(_activity("page", context["page"]))
    grouping = []
    if context.get("wod"):
        grouping.append(_activity("wod", context["wod"]))
    grouping += [_activity("course", pk) for pk in context.get("courses", [])]
    grouping += [_activity("program", pk) for pk in context.get("programs", [])]
    grouping.append(_activity("community", event.community_id))
    statement = {
        "id": str(event.statement_id),
        "version": "1.0.3",
        "actor": {
            "objectType": "Agent",
            "name": event.user.get_username(),
            "account": {"homePage": base, "name": str(event.user_id)},
        },
        "verb": {"id": VERBS[event.verb], "display": {"en-US": event.verb}},
        "object": _activity(
            "block",
            event.block_id or 0,
            name=(block.title or block.get_block_type_display()) if block else None,
            activity_type=ACTIVITY_TYPES.get(block.block_type, DEFAULT_ACTIVITY_TYPE) if block else None,
        ),
        "result": result,
        "context": {
            "contextActivities": {"parent": parents, "grouping": grouping},
            "platform": "Coaching platform",
            "language": "en-US",
        },
        "timestamp": event.occurred_at.isoformat(),
        "stored": event.stored_at.isoformat(),
    }
    if not parents:
        del statement["context"]["contextActivities"]["parent"]
    if event.registration:
        statement["context"]["registration"] = str(event.registration)
    return statement
