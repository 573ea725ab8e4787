"""Business rules that refuse schema-valid requests: the one reviewed place where schemathesis
is told about them.

A request can match every type, pattern and bound of the schema and still be refused because of
what it means ("no runner finishes a half marathon in 20 minutes", "this plan is already active").
Each such refusal is documented in the operation's schema (a 400, 409 or 422 with the rule in its
description); here it is named once more, so ``positive_data_acceptance`` accepts that status for
that operation and for nothing else. No check is switched off anywhere: an entry widens the
expected statuses of one check on one operation, and says why.

To add one: the operation id (``/api/v1/schema/`` → ``operationId``), the statuses the rule
answers and the reason, in a sentence a reviewer can check against the code.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    operation_id: str
    statuses: tuple[int, ...]
    reason: str


# What schemathesis accepts for valid data by default (success, a redirect, no access, not found,
# a conflict with the resource's state, throttled; a 5xx is ``not_a_server_error``'s to report).
ALWAYS_ACCEPTED = ("2xx", "3xx", "401", "403", "404", "409", "429", "5xx")

RULES: tuple[Rule, ...] = (
    Rule(
        "tools_vdot_retrieve",
        (400,),
        "A distance and time whose VDOT is outside 15-90 (e.g. 1500 m in 8 hours) is no runner's race: "
        "`time_s` says so (training/api/views.py VdotView).",
    ),
    Rule(
        "activities_import_create",
        (400,),
        "A file that is not a readable GPX, TCX or FIT file is refused on `file`; the schema can only "
        "say it is a binary file (training/api/views.py ActivityImportView).",
    ),
    Rule(
        "activities_archive_create",
        (400,),
        "A file that is not a zip archive of activity files (or one whose entries break the archive "
        "limits) is refused on `file`; the schema can only say it is a binary file "
        "(training/api/archive.py).",
    ),
    Rule(
        "training_plans_retrieve",
        (400,),
        "`zoom=day` needs a `date` inside the plan's weeks (and a date only with it); the schema "
        "cannot tie the date to the plan's stored dates (training/selectors.py plan_day_json).",
    ),
    Rule(
        "activities_create",
        (400,),
        "A run faster than 1:40/km (or a ruck faster than a walk allows) is no one's activity: "
        "`distance_m` says so (training/services); the schema bounds each number alone.",
    ),
    Rule(
        "progress_events_create",
        (400,),
        "An event names a block of the learner's communities: an id that names no such block is a "
        "400 on `block` (the batch is atomic, so the error names the event, not a missing resource).",
    ),
    Rule(
        "runner_profile_update",
        (400,),
        "`long_run_day` must be one of `available_days`; the schema cannot tie one field to another.",
    ),
    Rule(
        "coach_status_create",
        (400,),
        "`outcome` and the legacy `status` are two spellings of one answer: a request with both is "
        "refused (curriculum/api); so is a `next_plan_id` that is not an alternative of the step.",
    ),
    Rule(
        "curricula_enroll_create",
        (400,),
        "`traits` must be valid against the curriculum's own `trait_schema` (in the curriculum's "
        "detail); the operation's schema can only say it is an object.",
    ),
    Rule(
        "enrollments_partial_update",
        (400,),
        "The same rule as enrolling: `traits` valid against the curriculum's `trait_schema`.",
    ),
    Rule(
        "notifications_preferences_partial_update",
        (400,),
        "While a plan is active, evening_brief, morning_hype and missed_follow_up cannot be switched off "
        "(`locked_categories` lists them); the 400 says why.",
    ),
    Rule(
        "notifications_snooze_create",
        (400,),
        '`until` must be in the future and at most 24 hours ahead; the schema cannot say "after now".',
    ),
    Rule(
        "plan_sessions_partial_update",
        (400,),
        "A session moves within its own week only; which week depends on the session.",
    ),
    Rule(
        "plan_sessions_complete_create",
        (400,),
        "Give `activity_id` or `actuals`, one of them; the activity must be the runner's own.",
    ),
    Rule(
        "training_plans_create",
        (400, 422),
        "A target date in the past, neither a target date nor a duration, or a goal no plan can reach "
        "in the time left (training/services; the 422 for infeasible goals arrives with the plan rework).",
    ),
    Rule(
        "auth_token_create",
        (400,),
        "A username and password that match no account are refused; the schema cannot know the "
        "accounts (config/api/auth.py).",
    ),
)


def operations_config() -> list[dict]:
    """The ``operations`` section of the schemathesis configuration for ``RULES``."""
    return [
        {
            "include-operation-id": rule.operation_id,
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": [*ALWAYS_ACCEPTED, *map(str, rule.statuses)],
                }
            },
        }
        for rule in RULES
    ]
