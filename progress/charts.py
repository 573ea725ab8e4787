"""Small server-side SVG charts for the admin (no JavaScript, no external assets)."""

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
