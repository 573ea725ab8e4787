"""iCalendar (RFC 5545) feeds of planned sessions, built with ``icalendar``.

A session with a start time is a timed event in its IANA zone (the zone's VTIMEZONE is
included, so calendars follow its daylight-saving rules); one without is an all-day event. The
UID is stable per session and SEQUENCE grows with each change, so subscribed calendars update
a moved or realigned session in place. The description lists the workout's steps ("2 km warm-up
easy 5:30–6:10/km; 5 × (1000 m at interval 4:25–4:32/km, 400 m recovery); 1.5 km cool-down") and
why the session is there.
"""

import datetime as dt

from django.utils import timezone
from icalendar import Calendar, Event

from .generator.vdot import format_duration, format_pace
from .workouts import describe_steps, session_steps

PRODID = "-//Coaching platform//Training plans//EN"


def _summary(session) -> str:
    parts = [session.title]
    if session.target_distance_km:
        parts.append(f"{session.target_distance_km:g} km")
    elif session.target_duration_s:
        parts.append(format_duration(session.target_duration_s))
    status = {"completed": " ✓", "skipped": " (skipped)", "missed": " (missed)"}.get(session.status, "")
    return " · ".join(parts) + status


def _description(session) -> str:
    lines = [session.description]
    workout = describe_steps(session_steps(session))
    if workout:
        lines.append(f"Workout: {workout}")
    if session.purpose:
        lines.append(f"Why: {session.purpose}")
    if session.target_pace_s_per_km:
        lines.append(f"Target pace: {format_pace(session.target_pace_s_per_km)}/km")
    if session.target_duration_s:
        lines.append(f"About {format_duration(session.target_duration_s)}")
    lines.append(f"Week {session.week_number}")
    return "\n".join(line for line in lines if line)


def build_calendar(sessions, *, name: str, host: str = "training") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", dt.timedelta(hours=6), parameters={"VALUE": "DURATION"})
    zones = set()
    stamp = timezone.now().astimezone(dt.UTC)
    for session in sessions:
        event = Event()
        event.add("uid", f"planned-session-{session.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("summary", _summary(session))
        event.add("description", _description(session))
        event.add("last-modified", session.updated_at.astimezone(dt.UTC))
        event.add("sequence", int(session.updated_at.timestamp()) - int(session.created_at.timestamp()))
        if session.start_time_local is not None:
            start = session.start_at().astimezone(session.zone)
            event.add("dtstart", start)
            event.add("dtend", start + dt.timedelta(seconds=session.target_duration_s or 3600))
            zones.add(session.time_zone)
        else:
            event.add("dtstart", session.date)
            event.add("dtend", session.date + dt.timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        event.add("categories", [session.get_session_type_display()])
        if session.status == "skipped":
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
        calendar.add_component(event)
    if zones:
        calendar.add_missing_timezones()
    return calendar.to_ical()
