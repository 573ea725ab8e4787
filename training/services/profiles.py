"""The runner profile: created on first write, validated as a whole."""

from django.db import transaction

from ..models import RunnerProfile

PROFILE_FIELDS = (
    "experience_level",
    "recent_weekly_km",
    "longest_recent_run_km",
    "recent_race_distance_m",
    "recent_race_time_s",
    "recent_race_date",
    "available_days",
    "cross_training_days",
    "long_run_day",
    "min_rest_days",
    "injury_notes",
    "preferred_start_time",
    "time_zone",
)


def runner_profile_get(*, user) -> RunnerProfile:
    """The user's profile, or an unsaved one with the defaults."""
    try:
        return user.runner_profile
    except RunnerProfile.DoesNotExist:
        return RunnerProfile(user=user)


@transaction.atomic
def runner_profile_update(*, user, **values) -> RunnerProfile:
    """Create or update the user's profile with ``values`` (fields of ``PROFILE_FIELDS``)."""
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"unknown profile fields: {sorted(unknown)}")
    profile = RunnerProfile.objects.select_for_update(of=("self",)).filter(user=user).first()
    if profile is None:
        profile = RunnerProfile(user=user)
    for name, value in values.items():
        setattr(profile, name, value)
    order = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    for name in ("available_days", "cross_training_days"):
        days = getattr(profile, name)
        if days:
            in_week_order = sorted(set(days), key=lambda d: (order.index(d) if d in order else 9, str(d)))
            setattr(profile, name, in_week_order)
    profile.full_clean(exclude=["user"])
    profile.save()
    return profile
