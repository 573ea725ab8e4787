"""Default copy for every kind in every tone. Content designers edit it in the admin; the
reverse removes only rows still identical to what this migration wrote."""

from django.db import migrations

WEATHER = "{% if weather %} {{ weather.summary }}, {{ weather.temp_c }}°C.{% endif %}"

COPY = {
    ("kickoff_primer", "drill_sergeant"): (
        "{{ plan.name }} starts now. No excuses.",
        "{{ stats.total }} sessions in {{ plan.duration_weeks }} weeks. First one: {{ session.title }} on "
        "{{ session.date|date:'l' }}. Be there.",
    ),
    ("kickoff_primer", "supportive_friend"): (
        "Your plan is ready, {{ first_name }}!",
        "{{ plan.name }} begins. We'll take it one session at a time, starting with {{ session.title }} "
        "on {{ session.date|date:'l' }}.",
    ),
    ("kickoff_primer", "data_nerd"): (
        "Plan loaded: {{ stats.total }} sessions",
        "{{ plan.name }}: {{ plan.duration_weeks }} weeks, {{ stats.total }} sessions, "
        "{{ stats.total_km }} km planned. Session 1: {{ session.title }}.",
    ),
    ("kickoff_primer", "minimalist"): ("Plan started", "{{ plan.name }}. First: {{ session.title }}."),
    ("evening_brief", "drill_sergeant"): (
        "Tomorrow: {{ session.title }}. Lay out your kit.",
        "{{ session.title }}{% if session.target_distance_km %}, {{ session.target_distance_km }} km"
        "{% endif %} at {{ start_local }}. Bed early.{% if weather %} Forecast: {{ weather.summary }}, "
        "{{ weather.temp_c }}°C.{% endif %}",
    ),
    ("evening_brief", "supportive_friend"): (
        "Tomorrow's plan: {{ session.title }}",
        "Around {{ start_local }} you have {{ session.title }}. Get your shoes ready tonight and "
        "sleep well." + WEATHER,
    ),
    ("evening_brief", "data_nerd"): (
        "T-minus 1 day: {{ session.title }}",
        "{% if session.target_distance_km %}{{ session.target_distance_km }} km{% endif %}"
        "{% if session.target_pace %} at {{ session.target_pace }}/km{% endif %}, usual start "
        "{{ start_local }} (confidence {{ confidence_pct }}%). Adherence so far: "
        "{{ stats.adherence_pct }}%." + WEATHER,
    ),
    ("evening_brief", "minimalist"): ("Tomorrow: {{ session.title }}", "{{ start_local }}."),
    ("morning_hype", "drill_sergeant"): (
        "Up. {{ session.title }} today.",
        "No snooze for this one. {{ session.title }} at {{ start_local }}." + WEATHER,
    ),
    ("morning_hype", "supportive_friend"): (
        "Today's the day for {{ session.title }}",
        "You've got this, {{ first_name }}. {{ session.title }} around {{ start_local }}." + WEATHER,
    ),
    ("morning_hype", "data_nerd"): (
        "Session window opens {{ start_local }}",
        "{{ session.title }}{% if session.target_distance_km %}: {{ session.target_distance_km }} km"
        "{% endif %}. Completed so far: {{ stats.completed }}/{{ stats.total }}." + WEATHER,
    ),
    ("morning_hype", "minimalist"): ("{{ session.title }} today", "{{ start_local }}."),
    ("completion_celebration", "drill_sergeant"): (
        "Done. Good.",
        "{{ session.title }} is in the books. {{ stats.completed }} down, {{ stats.remaining }} to go.",
    ),
    ("completion_celebration", "supportive_friend"): (
        "Well done, {{ first_name }}!",
        "{{ session.title }} complete. That's {{ stats.completed }} sessions you've shown up for.",
    ),
    ("completion_celebration", "data_nerd"): (
        "Logged: {{ session.title }}",
        "Session {{ stats.completed }}/{{ stats.total }}; adherence {{ stats.adherence_pct }}%; "
        "{{ stats.week_km }} km this week.",
    ),
    ("completion_celebration", "minimalist"): ("Done", "{{ session.title }} ✓"),
    ("missed_follow_up", "drill_sergeant"): (
        "You missed {{ session.title }}.",
        "Yesterday's session didn't happen. Next one: {{ next_session.title }}. Don't miss two.",
    ),
    ("missed_follow_up", "supportive_friend"): (
        "Missed one? That's okay.",
        "{{ session.title }} didn't happen, and that's part of training. Next up: "
        "{{ next_session.title }}; move it if the day doesn't work.",
    ),
    ("missed_follow_up", "data_nerd"): (
        "1 session missed",
        "Adherence is now {{ stats.adherence_pct }}% ({{ stats.completed }} of {{ stats.due }} due). "
        "Next: {{ next_session.title }}.",
    ),
    ("missed_follow_up", "minimalist"): ("Missed: {{ session.title }}", "Next: {{ next_session.title }}."),
    ("weekly_digest", "drill_sergeant"): (
        "Week report: {{ stats.week_completed }}/{{ stats.week_planned }}",
        "{{ stats.week_km }} km this week. Next week: {{ stats.next_week_sessions }} sessions. Show up.",
    ),
    ("weekly_digest", "supportive_friend"): (
        "Your week in review",
        "You completed {{ stats.week_completed }} of {{ stats.week_planned }} sessions and ran "
        "{{ stats.week_km }} km. Next week has {{ stats.next_week_sessions }} sessions.",
    ),
    ("weekly_digest", "data_nerd"): (
        "Weekly stats: {{ stats.week_km }} km",
        "Adherence {{ stats.week_completed }}/{{ stats.week_planned }} this week, "
        "{{ stats.adherence_pct }}% overall. Next week: {{ stats.next_week_sessions }} sessions, "
        "{{ stats.next_week_km }} km.",
    ),
    ("weekly_digest", "minimalist"): (
        "Week: {{ stats.week_completed }}/{{ stats.week_planned }}",
        "{{ stats.week_km }} km. Next: {{ stats.next_week_sessions }} sessions.",
    ),
    ("milestone", "drill_sergeant"): ("Milestone: {{ milestone.label }}", "Earned, not given. Keep moving."),
    ("milestone", "supportive_friend"): (
        "{{ milestone.label }}!",
        "Look how far you've come, {{ first_name }}. {{ milestone.detail }}",
    ),
    ("milestone", "data_nerd"): ("Milestone unlocked: {{ milestone.label }}", "{{ milestone.detail }}"),
    ("milestone", "minimalist"): ("{{ milestone.label }}", "{{ milestone.detail }}"),
}


def add_copy(apps, schema_editor):
    NotificationTemplate = apps.get_model("notifications", "NotificationTemplate")
    for (kind, tone), (title, body) in COPY.items():
        NotificationTemplate.objects.get_or_create(kind=kind, tone=tone, defaults={"title": title, "body": body})


def remove_copy(apps, schema_editor):
    NotificationTemplate = apps.get_model("notifications", "NotificationTemplate")
    for (kind, tone), (title, body) in COPY.items():
        NotificationTemplate.objects.filter(kind=kind, tone=tone, title=title, body=body).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_preferences_devices_profiles_outbox")]

    operations = [migrations.RunPython(add_copy, remove_copy)]
