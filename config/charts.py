"""Small server-side SVG charts for the admin (no JavaScript, no external assets).

Shared by the apps: progress draws its analytics trends with ``bar_chart``/``line_chart``;
training draws a plan's weeks with ``progression_chart`` and the runner snapshot with
``radar_chart``.
"""

import math

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 680, 240
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 48, 12, 28, 44


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = step * magnitude
        if top >= value:
            return float(top)
    return float(value)


def _frame(title: str, top: float, labels: list[str], body: list[str]) -> str:
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" class="trend-chart">',
        f'<text x="{PAD_LEFT}" y="18" font-size="14" font-weight="bold" fill="#333">{escape(title)}</text>',
    ]
    for i in range(5):
        y = PAD_TOP + plot_h - plot_h * i / 4
        value = top * i / 4
        shown = f"{value:,.2f}".rstrip("0").rstrip(".")  # 2.5, not a rounded 2
        parts.append(
            f'<line x1="{PAD_LEFT}" y1="{y:.1f}" x2="{WIDTH - PAD_RIGHT}" y2="{y:.1f}" stroke="#e3e3e3"/>'
        )
        parts.append(
            f'<text x="{PAD_LEFT - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end" '
            f'fill="#666">{shown}</text>'
        )
    parts.extend(body)
    n = max(1, len(labels))
    slot = plot_w / n
    every = max(1, n // 12)
    for i, label in enumerate(labels):
        if i % every:
            continue
        x = PAD_LEFT + slot * (i + 0.5)
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" font-size="10" text-anchor="middle" '
            f'fill="#666">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(title: str, points: list[tuple[str, float]], *, color: str = "#417690") -> str:
    """A bar chart of (label, value) points as an inline SVG string (safe to render)."""
    labels = [label for label, _ in points]
    top = _nice_max(max((v for _, v in points), default=0))
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / max(1, len(points))
    body = []
    for i, (label, value) in enumerate(points):
        h = plot_h * (value / top) if top else 0
        x = PAD_LEFT + slot * i + slot * 0.15
        y = PAD_TOP + plot_h - h
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{color}">'
            f"<title>{escape(label)}: {value:g}</title></rect>"
        )
    return mark_safe(_frame(title, top, labels, body))


def line_chart(title: str, points: list[tuple[str, float]], *, color: str = "#c0392b") -> str:
    """A line chart of (label, value) points as an inline SVG string (safe to render)."""
    labels = [label for label, _ in points]
    top = _nice_max(max((v for _, v in points), default=0))
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / max(1, len(points))
    coords = [
        (PAD_LEFT + slot * (i + 0.5), PAD_TOP + plot_h - plot_h * (value / top))
        for i, (_, value) in enumerate(points)
    ]
    body = []
    if coords:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        body.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for (x, y), (label, value) in zip(coords, points, strict=True):
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}">'
                f"<title>{escape(label)}: {value:g}</title></circle>"
            )
    return mark_safe(_frame(title, top, labels, body))


def progression_chart(title: str, weeks: list[dict]) -> str:
    """Weekly volume bars (planned), an actual volume line (km run, when a week has ``actual``) and
    an intensity line (0-100 of the plot's height); recovery and taper weeks marked.

    ``weeks``: ``{"label", "volume", "intensity", "recovery", "taper"}`` per week, and optionally
    ``"actual"`` (km run; ``None`` for a week not begun, which breaks the line) and ``"so_far"``
    (the current week: its dot is hollow).
    """
    labels = [w["label"] for w in weeks]
    actuals = [w.get("actual") for w in weeks]
    top = _nice_max(max([w["volume"] for w in weeks] + [a for a in actuals if a is not None], default=0))
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / max(1, len(weeks))
    body = []
    points = []
    for i, week in enumerate(weeks):
        h = plot_h * (week["volume"] / top) if top else 0
        x = PAD_LEFT + slot * i + slot * 0.15
        y = PAD_TOP + plot_h - h
        color, kind = "#417690", "build"
        if week.get("recovery"):
            color, kind = "#9cc3a4", "recovery"
        elif week.get("taper"):
            color, kind = "#e0b04f", "taper"
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{color}" '
            f'class="week-{kind}"><title>{escape(week["label"])}: {week["volume"]:g} km, intensity '
            f"{week['intensity']:g}{', ' + kind if kind != 'build' else ''}</title></rect>"
        )
        points.append(
            (PAD_LEFT + slot * (i + 0.5), PAD_TOP + plot_h - plot_h * min(100, week["intensity"]) / 100)
        )
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="#c0392b" stroke-width="2"/>')
    has_actual = any(a is not None for a in actuals)
    if has_actual:
        body.extend(_actual_line(weeks, top, slot, plot_h))
    legend = [
        ("#417690", "planned (km)"),
        ("#9cc3a4", "recovery week"),
        ("#e0b04f", "taper"),
        ("#c0392b", "intensity"),
    ]
    if has_actual:
        legend.append((ACTUAL_COLOR, "run (km)"))
    for i, (color, text) in enumerate(legend):
        x = PAD_LEFT + i * 110
        body.append(f'<rect x="{x}" y="{HEIGHT - 14}" width="10" height="10" fill="{color}"/>')
        body.append(f'<text x="{x + 14}" y="{HEIGHT - 5}" font-size="10" fill="#333">{escape(text)}</text>')
    return mark_safe(_frame(title, top, labels, body))


ACTUAL_COLOR = "#222222"


def _actual_line(weeks: list[dict], top: float, slot: float, plot_h: float) -> list[str]:
    """The km-run line over the bars, one segment per run of weeks with a value, a dot per week."""
    parts, segment = [], []
    for i, week in enumerate(weeks + [{"actual": None}]):
        actual = week.get("actual")
        if actual is None:
            if len(segment) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in segment)
                parts.append(
                    f'<polyline points="{path}" fill="none" stroke="{ACTUAL_COLOR}" stroke-width="2" '
                    'stroke-dasharray="5 3" class="actual-volume"/>'
                )
            for x, y, point in segment:
                so_far = point.get("so_far")
                fill = "#ffffff" if so_far else ACTUAL_COLOR
                parts.append(
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{fill}" stroke="{ACTUAL_COLOR}" '
                    f'stroke-width="1.5" class="actual-volume">'
                    f"<title>{escape(point['label'])}: {point['actual']:g} km run of {point['volume']:g} "
                    f"planned{' so far' if so_far else ''}</title></circle>"
                )
            segment = []
            continue
        x = PAD_LEFT + slot * (i + 0.5)
        y = PAD_TOP + plot_h - plot_h * (actual / top if top else 0)
        segment.append((x, y, week))
    return parts


RADAR_SIZE = 300


def radar_chart(title: str, axes: list[dict]) -> str:
    """A radar of ``{"label", "value" (0-100), "uncertain"}`` axes; uncertain ones hollow with a ``?``."""
    size, center, radius = RADAR_SIZE, RADAR_SIZE / 2, RADAR_SIZE / 2 - 50
    n = max(3, len(axes))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size + 20}" width="{size}" '
        f'height="{size + 20}" role="img" aria-label="{escape(title)}" class="radar-chart">',
        f'<text x="8" y="16" font-size="14" font-weight="bold" fill="#333">{escape(title)}</text>',
    ]

    def point(i, value):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * value / 100
        return center + r * math.cos(angle), center + 20 + r * math.sin(angle)

    for ring in (25, 50, 75, 100):
        ring_path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, ring) for i in range(n)))
        parts.append(f'<polygon points="{ring_path}" fill="none" stroke="#e3e3e3"/>')
    for i, axis in enumerate(axes):
        x, y = point(i, 100)
        parts.append(f'<line x1="{center}" y1="{center + 20}" x2="{x:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        lx, ly = point(i, 122)
        label = axis["label"] + (" ?" if axis.get("uncertain") else "")
        parts.append(
            f'<text x="{lx:.1f}" y="{ly + 4:.1f}" font-size="10" text-anchor="middle" fill="#333">'
            f"{escape(label)} {int(axis['value'])}</text>"
        )
    if axes:
        shape = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, a["value"]) for i, a in enumerate(axes)))
        parts.append(f'<polygon points="{shape}" fill="#41769033" stroke="#417690" stroke-width="2"/>')
        for i, axis in enumerate(axes):
            x, y = point(i, axis["value"])
            fill = "#fff" if axis.get("uncertain") else "#417690"
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{fill}" stroke="#417690">'
                f"<title>{escape(axis['label'])}: {int(axis['value'])}"
                f"{' (uncertain)' if axis.get('uncertain') else ''}</title></circle>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))
