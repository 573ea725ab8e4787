"""The sandbox copy templates render in: a Django template ``Engine`` of their own.

Content designers write the copy per kind and tone in the admin; it is rendered for every user at
send time. So the engine that renders it can do nothing but fill in the copy:

* no template loaders and no folders: nothing is read from the filesystem (``include``,
  ``extends`` and ``ssi`` do not exist here);
* no ``load``: no tag library but this module's; no ``debug`` (it would print the context and
  ``sys.modules`` to users), no ``url``, ``csrf_token``, ``querystring`` or ``lorem``;
* the filters are Django's built-in ones (less those that pad a value to any width a designer
  asks for) plus the project's own, registered on ``register`` below;
* unknown variables render as an empty string and nothing is escaped (push copy is plain text).

``SAMPLE_CONTEXT`` names every variable the copy may use (the model's help text lists them from
it); ``check_copy`` renders a template against it, as ``NotificationTemplate.clean`` does before
saving, so what fails to parse or to render is refused in the admin rather than at send time.
"""

import datetime as dt

from django.template import Context, Engine, Library, TemplateSyntaxError, defaultfilters, defaulttags

ALLOWED_TAGS = (
    "autoescape",
    "comment",
    "cycle",
    "filter",
    "firstof",
    "for",
    "if",
    "ifchanged",
    "now",
    "regroup",
    "resetcycle",
    "spaceless",
    "templatetag",
    "verbatim",
    "widthratio",
    "with",
)
# Built-in filters left out: they pad or format a value to any width the template asks for
# (``{{ x|ljust:"1000000000" }}``), or print Python's view of an object.
EXCLUDED_FILTERS = {"center", "ljust", "rjust", "stringformat", "pprint"}
MAX_DECIMAL_PLACES = 6

register = Library()
for _name in ALLOWED_TAGS:
    register.tags[_name] = defaulttags.register.tags[_name]
for _name, _filter in defaultfilters.register.filters.items():
    if _name not in EXCLUDED_FILTERS:
        register.filters[_name] = _filter


# --- the project's own filters ---------------------------------------------------------------


@register.filter(is_safe=True)
def floatformat(value, arg=-1):
    """Django's ``floatformat`` with at most ``MAX_DECIMAL_PLACES`` places (a huge precision would
    build a huge string)."""
    try:
        places = int(str(arg).rstrip("gu") or -1)
    except ValueError:
        return defaultfilters.floatformat(value, arg)
    if abs(places) > MAX_DECIMAL_PLACES:
        suffix = "".join(ch for ch in str(arg) if ch in "gu")
        arg = f"{MAX_DECIMAL_PLACES if places > 0 else -MAX_DECIMAL_PLACES}{suffix}"
    return defaultfilters.floatformat(value, arg)


class CopyEngine(Engine):
    """An engine whose only built-ins are ``register`` above (not Django's full set)."""

    default_builtins = []


engine = CopyEngine(
    dirs=[],
    app_dirs=False,
    loaders=[],
    libraries={},
    builtins=[__name__],
    debug=False,
    autoescape=False,
    string_if_invalid="",
)


def _session(title, day, start):
    return {
        "id": 1,
        "title": title,
        "date": day,
        "type": "easy",
        "target_distance_km": 8.0,
        "target_pace": "5:40",
        "start_time": start,
        "status": "planned",
    }


SAMPLE_CONTEXT = {
    "first_name": "Sam",
    "user": {"username": "sam"},
    "plan": {"id": 1, "name": "Half marathon in 12 weeks", "duration_weeks": 12},
    "session": _session("Easy run", dt.date(2026, 3, 2), dt.time(7, 0)),
    "next_session": _session("Intervals", dt.date(2026, 3, 4), None),
    "stats": {
        "total": 48,
        "completed": 12,
        "remaining": 36,
        "due": 13,
        "adherence_pct": 92,
        "total_km": 410.5,
        "week_planned": 4,
        "week_completed": 3,
        "week_km": 27.5,
        "next_week_sessions": 4,
        "next_week_km": 31.0,
    },
    "weather": {"summary": "light rain", "temp_c": 12},
    "milestone": {
        "name": "halfway",
        "label": "Halfway there",
        "detail": "Half of the plan's sessions are done.",
    },
    "start_local": "07:00",
    "confidence_pct": 80,
}
# What a real send may look like too: no weather, no plan numbers yet, no next session.
SPARSE_CONTEXT = {
    **SAMPLE_CONTEXT,
    "plan": None,
    "session": None,
    "next_session": None,
    "stats": {},
    "weather": None,
    "milestone": None,
    "start_local": "",
    "confidence_pct": 0,
}
VARIABLES = ", ".join(SAMPLE_CONTEXT)


def compile_copy(source: str):
    """The compiled template (``TemplateSyntaxError`` for what does not parse in the sandbox)."""
    return engine.from_string(source)


def render_copy(template, context: dict) -> str:
    """Render a compiled copy template to one line of text."""
    return " ".join(template.render(Context(context, autoescape=False)).split())


def check_copy(source: str) -> str | None:
    """Why ``source`` cannot be used as copy (parse or render error), or None when it can."""
    try:
        template = compile_copy(source)
        for context in (SAMPLE_CONTEXT, SPARSE_CONTEXT):
            render_copy(template, context)
    except Exception as exc:  # anything a designer's template can raise is a reason to refuse it
        return describe_error(exc)
    return None


def describe_error(exc: BaseException) -> str:
    message = str(exc)
    if isinstance(exc, TemplateSyntaxError) and "Invalid block tag" in message:
        message += f" Tags available in copy: {', '.join(ALLOWED_TAGS)}."
    return f"{type(exc).__name__}: {message}"[:500]
