"""Charts as inline SVG, drawn on the server or at build time: no script, no external asset, no
`style` attribute (the staff page's CSP forbids inline styles). Each chart carries a <title> and a
<desc> named by `aria-labelledby`, and the page puts the same numbers in a table beside it.

Every text is escaped here; the result is a complete SVG element the templates insert as is.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BAR = "#1f5f99"
MUTED = "#6b6b6b"
GRID = "#d0d0d0"
INK = "#1a1a1a"
WIDTH = 640


def _frame(chart_id: str, title: str, desc: str, height: int, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
            f'width="100%" aria-labelledby="{chart_id}-t {chart_id}-d">'
            f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
            + "".join(body) + "</svg>")


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def bars(chart_id: str, title: str, labels: Sequence[str], values: Sequence[float | None], unit: str = "",
         hidden_text: str = "不公布") -> str:
    """Horizontal bars, one per label; a value of None (suppressed or no data) is named, not drawn."""
    row, left, top = 26, 200, 10
    height = top * 2 + row * max(len(labels), 1)
    known = [v for v in values if v is not None]
    scale = (WIDTH - left - 90) / max(max(known, default=0), 1)
    body = [f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - top}" stroke="{GRID}"/>']
    parts = []
    for n, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + n * row
        body.append(f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" font-size="13" fill="{INK}">'
                    f"{escape(label)}</text>")
        if value is None:
            body.append(f'<text x="{left + 6}" y="{y + 17}" font-size="12" fill="{MUTED}">{escape(hidden_text)}</text>')
            parts.append(f"{label}：{hidden_text}")
            continue
        width = max(value * scale, 1 if value else 0)
        body.append(f'<rect x="{left}" y="{y + 4}" width="{width:.1f}" height="{row - 8}" fill="{BAR}"/>')
        body.append(f'<text x="{left + width + 6:.1f}" y="{y + 17}" font-size="12" fill="{INK}">'
                    f"{escape(_number(value))}{escape(unit)}</text>")
        parts.append(f"{label}：{_number(value)}{unit}")
    return _frame(chart_id, title, "；".join(parts) or "无数据", height, body)


def line(chart_id: str, title: str, labels: Sequence[str], values: Sequence[float | None],
         low: float = 0, high: float | None = None, unit: str = "") -> str:
    """A line over time (e.g. months); gaps where a value is None."""
    left, right, top, bottom, height = 50, 20, 14, 40, 200
    known = [v for v in values if v is not None]
    high = high if high is not None else max(max(known, default=1), 1)
    span = (high - low) or 1
    step = (WIDTH - left - right) / max(len(labels) - 1, 1)

    def y(v: float) -> float:
        return top + (height - top - bottom) * (1 - (v - low) / span)

    body = [f'<line x1="{left}" y1="{y(low):.1f}" x2="{WIDTH - right}" y2="{y(low):.1f}" stroke="{GRID}"/>',
            f'<text x="{left - 6}" y="{y(high) + 4:.1f}" text-anchor="end" font-size="11" fill="{MUTED}">'
            f"{escape(_number(high))}</text>",
            f'<text x="{left - 6}" y="{y(low) + 4:.1f}" text-anchor="end" font-size="11" fill="{MUTED}">'
            f"{escape(_number(low))}</text>"]
    path: list[str] = []
    parts = []
    for n, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + n * step
        body.append(f'<text x="{x:.1f}" y="{height - 14}" text-anchor="middle" font-size="11" fill="{INK}">'
                    f"{escape(label)}</text>")
        if value is None:
            if len(path) > 1:
                body.append(f'<polyline points="{" ".join(path)}" fill="none" stroke="{BAR}" stroke-width="2"/>')
            path = []
            parts.append(f"{label}：无数据")
            continue
        path.append(f"{x:.1f},{y(value):.1f}")
        body.append(f'<circle cx="{x:.1f}" cy="{y(value):.1f}" r="3.5" fill="{BAR}"/>')
        parts.append(f"{label}：{_number(round(value, 2))}{unit}")
    if len(path) > 1:
        body.append(f'<polyline points="{" ".join(path)}" fill="none" stroke="{BAR}" stroke-width="2"/>')
    return _frame(chart_id, title, "；".join(parts) or "无数据", height, body)
