"""Charts as inline SVG for the HTML report: no script, no network, any browser. Every chart
has a title, a title on each axis and an accessible label; text is escaped. Charts scale to
their container's width (a phone's too): sizes are in the viewBox's units."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

__all__ = ["column_chart", "bar_chart", "nice_ticks"]

FONT = "font-family='system-ui, sans-serif'"


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Round gridline values from 0 to at least ``top``."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [step * i for i in range(int(math.ceil(top / step)) + 1)]


def _number(v: float) -> str:
    if v >= 1_000_000:
        return f"{v / 1_000_000:.1f}M".replace(".0M", "M")
    if v >= 10_000:
        return f"{v / 1000:.0f}k"
    return f"{v:g}"


def _axis_title(x: float, y: float, text: str, *, vertical: bool = False, anchor: str = "middle") -> str:
    turn = f" transform='rotate(-90 {x:.1f} {y:.1f})'" if vertical else ""
    return (f"<text x='{x:.1f}' y='{y:.1f}' {FONT} font-size='11' font-style='italic' fill='#556' "
            f"text-anchor='{anchor}' class='axis-title'{turn}>{escape(text)}</text>")


def column_chart(points: Sequence[tuple[str, int]], *, title: str, x_title: str, y_title: str,
                 color: str = "#3b6fd4", width: int = 560, height: int = 250) -> str:
    """Vertical bars, one per (label, value), e.g. commits per month; ``x_title`` and
    ``y_title`` name the axes (what a column is, what its height counts)."""
    left, right, top, bottom = 58, 12, 28, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    ticks = nice_ticks(max((v for _, v in points), default=0))
    scale = plot_h / ticks[-1]
    parts = [f"<text x='{left}' y='18' {FONT} font-size='14' font-weight='600'>{escape(title)}</text>",
             _axis_title(left + plot_w / 2, height - 6, x_title),
             _axis_title(14, top + plot_h / 2, y_title, vertical=True)]
    for t in ticks:
        y = top + plot_h - t * scale
        parts.append(f"<line x1='{left}' x2='{width - right}' y1='{y:.1f}' y2='{y:.1f}' stroke='#e3e6ec'/>")
        parts.append(f"<text x='{left - 6}' y='{y + 4:.1f}' {FONT} font-size='11' fill='#667' "
                     f"text-anchor='end'>{_number(t)}</text>")
    n = max(len(points), 1)
    slot = plot_w / n
    every = max(1, math.ceil(n / 8))  # at most ~8 axis labels
    for i, (label, value) in enumerate(points):
        h = value * scale
        bar_w = min(slot * 0.76, 48)
        x = left + (i + 0.5) * slot - bar_w / 2
        parts.append(f"<rect x='{x:.1f}' y='{top + plot_h - h:.1f}' width='{bar_w:.1f}' height='{h:.1f}' "
                     f"fill='{color}' rx='1.5'><title>{escape(label)}: {value}</title></rect>")
        if i % every == 0:
            parts.append(f"<text x='{left + (i + 0.5) * slot:.1f}' y='{height - bottom + 16}' {FONT} font-size='11' "
                         f"fill='#445' text-anchor='middle'>{escape(label)}</text>")
    return _svg(parts, title, width, height)


def bar_chart(items: Sequence[tuple[str, int]], *, title: str, label_title: str, value_title: str, unit: str = "",
              color: str = "#2e9e78", width: int = 560) -> str:
    """Horizontal bars, largest first as given, labelled on the left, values on the right;
    ``label_title`` heads the labels (what a bar is), ``value_title`` the bars (what they count)."""
    row, top, label_w, value_w = 22, 44, 210, 100
    height = top + row * max(len(items), 1) + 8
    peak = max((v for _, v in items), default=0) or 1
    plot_w = width - label_w - value_w
    parts = [f"<text x='0' y='18' {FONT} font-size='14' font-weight='600'>{escape(title)}</text>",
             _axis_title(label_w - 8, top - 6, label_title, anchor="end"),
             _axis_title(label_w, top - 6, value_title, anchor="start")]
    if not items:
        parts.append(f"<text x='0' y='{top + 14}' {FONT} font-size='12' fill='#667'>nothing to show</text>")
    for i, (label, value) in enumerate(items):
        y = top + i * row
        shown = label if len(label) <= 32 else label[:12] + "…" + label[-19:]
        w = max(1.0, plot_w * value / peak)
        parts.append(f"<text x='{label_w - 8}' y='{y + 15}' {FONT} font-size='12' fill='#223' "
                     f"text-anchor='end'>{escape(shown)}<title>{escape(label)}</title></text>")
        parts.append(f"<rect x='{label_w}' y='{y + 4}' width='{w:.1f}' height='{row - 8}' fill='{color}' rx='2'>"
                     f"<title>{escape(label)}: {value}{escape(unit)}</title></rect>")
        parts.append(f"<text x='{label_w + w + 6:.1f}' y='{y + 15}' {FONT} font-size='12' fill='#445'>"
                     f"{value:,}{escape(unit)}</text>")
    return _svg(parts, title, width, height)


def _svg(parts: list[str], title: str, width: int, height: int) -> str:
    return (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='100%' "
            f"role='img' aria-label='{escape(title, quote=True)}' class='chart'>" + "".join(parts) + "</svg>")
