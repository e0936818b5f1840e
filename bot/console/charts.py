"""Charts for the reports dashboard, drawn on the server as SVG shapes: no script, no network.

Each chart is its numbers (a ``Table``, shown beside the drawing for screen readers and offered
as CSV) and the shapes that draw them. Geometry is computed here; the template only writes each
shape out, so every label still goes through the console's autoescaping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

# Colours with enough contrast on white, told apart by more than hue where it matters (labels too).
PALETTE = ("#3358c4", "#d9822b", "#2f9e62", "#b83280", "#6b7280", "#8a5a00")
LEVEL_COLOURS = {"yellow": "#e0b000", "orange": "#e07000", "red": "#c0262d"}
TIER_COLOURS = {"A": "#2f9e62", "B": "#d9822b", "C": "#c0262d"}
WIDTH = 640


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Shape:
    """One SVG element: ``rect`` (x, y, w, h, fill), ``line`` (points, stroke) or ``text``."""

    kind: str
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0
    fill: str = "none"
    stroke: str = "none"
    points: str = ""
    text: str = ""
    anchor: str = "start"
    title: str = ""


@dataclass(frozen=True, slots=True)
class Chart:
    slug: str
    title: str
    summary: str
    table: Table
    height: int
    shapes: tuple[Shape, ...] = field(default_factory=tuple)
    width: int = WIDTH


def _num(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def line_chart(
    slug: str, title: str, summary: str, x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]
) -> Chart:
    """Shares (0..1) over periods: one line per series, gaps where a share is undefined."""
    left, right, top, bottom, height = 48, 16, 24, 40, 240
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    step = plot_w / max(len(x_labels) - 1, 1)
    shapes: list[Shape] = []
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = top + plot_h * (1 - tick)
        shapes.append(Shape("line", points=f"{left},{y:.1f} {WIDTH - right},{y:.1f}", stroke="#e3e6ee"))
        shapes.append(Shape("text", x=left - 6, y=y + 4, text=f"{tick * 100:.0f}%", anchor="end"))
    for i, label in enumerate(x_labels):
        if len(x_labels) <= 8 or i % max(len(x_labels) // 8, 1) == 0:
            shapes.append(Shape("text", x=left + i * step, y=height - bottom + 16, text=label, anchor="middle"))
    for n, (name, values) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        run: list[str] = []
        for i, value in enumerate([*values, None]):
            if value is None:
                if len(run) > 1:
                    shapes.append(Shape("line", points=" ".join(run), stroke=colour))
                run = []
                continue
            x, y = left + i * step, top + plot_h * (1 - min(max(value, 0.0), 1.0))
            run.append(f"{x:.1f},{y:.1f}")
            shapes.append(
                Shape("rect", x=x - 3, y=y - 3, w=6, h=6, fill=colour, title=f"{name} {x_labels[i]}: {percent(value)}")
            )
        shapes.append(Shape("rect", x=left + n * 150, y=4, w=10, h=10, fill=colour))
        shapes.append(Shape("text", x=left + n * 150 + 14, y=13, text=name))
    table = Table(
        ("period", *(name for name, _ in series)),
        tuple((label, *(percent(values[i]) for _, values in series)) for i, label in enumerate(x_labels)),
    )
    return Chart(slug, title, summary, table, height, tuple(shapes))


def bar_chart(slug: str, title: str, summary: str, bars: Sequence[tuple[str, float, str]], unit: str = "") -> Chart:
    """Horizontal bars, one per (label, value, colour), each labelled with its number."""
    left, row, top = 190, 26, 8
    height = top * 2 + row * max(len(bars), 1)
    biggest = max((value for _, value, _ in bars), default=0) or 1
    room = WIDTH - left - 70
    shapes: list[Shape] = []
    for i, (label, value, colour) in enumerate(bars):
        y = top + i * row
        w = room * value / biggest
        shapes.append(Shape("text", x=left - 8, y=y + 16, text=label, anchor="end"))
        shapes.append(
            Shape("rect", x=left, y=y + 4, w=max(w, 1), h=row - 8, fill=colour, title=f"{label}: {_num(value)}{unit}")
        )
        shapes.append(Shape("text", x=left + w + 6, y=y + 16, text=f"{_num(value)}{unit}"))
    table = Table(("", "value"), tuple((label, f"{_num(value)}{unit}") for label, value, _ in bars))
    return Chart(slug, title, summary, table, height, tuple(shapes))


def grouped_bars(
    slug: str, title: str, summary: str, steps: Sequence[str], groups: Sequence[tuple[str, Sequence[float]]]
) -> Chart:
    """For each group a block of bars, one per step (a funnel per tier)."""
    left, row, gap, top = 190, 18, 14, 26
    per_group = row * len(steps) + gap
    height = top + per_group * max(len(groups), 1) + 8
    biggest = max((v for _, values in groups for v in values), default=0) or 1
    room = WIDTH - left - 70
    shapes: list[Shape] = []
    for n, step in enumerate(steps):
        colour = PALETTE[n % len(PALETTE)]
        shapes.append(Shape("rect", x=8 + n * 125, y=4, w=10, h=10, fill=colour))
        shapes.append(Shape("text", x=22 + n * 125, y=13, text=step))
    for g, (group, values) in enumerate(groups):
        y0 = top + g * per_group
        shapes.append(Shape("text", x=8, y=y0 + row * len(steps) / 2 + 4, text=group))
        for n, value in enumerate(values):
            y = y0 + n * row
            w = room * value / biggest
            colour = PALETTE[n % len(PALETTE)]
            shapes.append(Shape("text", x=left - 8, y=y + 13, text=steps[n], anchor="end"))
            shapes.append(
                Shape(
                    "rect",
                    x=left,
                    y=y + 2,
                    w=max(w, 1),
                    h=row - 4,
                    fill=colour,
                    title=f"{group} {steps[n]}: {_num(value)}",
                )
            )
            shapes.append(Shape("text", x=left + w + 6, y=y + 13, text=_num(value)))
    table = Table(("group", *steps), tuple((group, *(_num(v) for v in values)) for group, values in groups))
    return Chart(slug, title, summary, table, height, tuple(shapes))


def heat_map(
    slug: str, title: str, summary: str, rows: Sequence[str], columns: Sequence[str], counts: Sequence[Sequence[int]]
) -> Chart:
    """A matrix of counts, each cell shaded by its share of its row (how loans in a bucket moved)."""
    left, top, cell_w, cell_h = 110, 36, (WIDTH - 120) / max(len(columns), 1), 30
    height = top + cell_h * len(rows) + 8
    shapes: list[Shape] = [
        Shape("text", x=left, y=12, text="bucket at the end →"),
        Shape("text", x=4, y=28, text="at the start ↓"),
    ]
    for j, column in enumerate(columns):
        shapes.append(Shape("text", x=left + j * cell_w + cell_w / 2, y=top - 6, text=column, anchor="middle"))
    for i, row in enumerate(rows):
        total = sum(counts[i]) or 1
        y = top + i * cell_h
        shapes.append(Shape("text", x=left - 8, y=y + cell_h / 2 + 4, text=row, anchor="end"))
        for j, count in enumerate(counts[i]):
            share = count / total
            shade = _blend(share)
            x = left + j * cell_w
            label = f"{row} → {columns[j]}: {count} ({share * 100:.0f}%)"
            shapes.append(Shape("rect", x=x, y=y, w=cell_w - 2, h=cell_h - 2, fill=shade, title=label))
            shapes.append(
                Shape("text", x=x + cell_w / 2, y=y + cell_h / 2 + 4, text=str(count), anchor="middle",
                      fill="#ffffff" if share > 0.55 else "#1f2430")
            )  # fmt: skip
    table = Table(
        ("at the start \\ at the end", *columns), tuple((row, *map(str, counts[i])) for i, row in enumerate(rows))
    )
    return Chart(slug, title, summary, table, int(height), tuple(shapes))


def _blend(share: float) -> str:
    """White to the accent blue by ``share``."""
    low, high = (255, 255, 255), (51, 88, 196)
    r, g, b = (round(lo + (hi - lo) * min(max(share, 0.0), 1.0)) for lo, hi in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"
