"""The report's figures as data: what is drawn, independent of how.

A `Figure` is a grid of `Panel`s, each with two `Axis`es, `Trace`s (lines, bands, bars, points,
heat rows, stacked areas), reference lines (`Ref`) and spans (`Span`). `analysis.web` turns a
Figure into plotly.js JSON for the HTML report, `analysis.plots` into a matplotlib figure for
`--png`; the sections of the report (analysis.planner, analysis.sweep, analysis.comparison)
build them from a results file. `Figure.data` keeps the numbers a figure shows in a form the
tests read (never pixels).

Units of the axes are words (`Axis.label`) and a format (`Axis.fmt`): `count` (integer ticks),
`number`, `percent` (values are fractions 0..1, shown as %), `money` (values in USD, shown as
$…M), `date` (numpy datetime64[D] values), `days`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Colours (ColorBrewer): bands and medians blue, authorised strength green, the floor red,
# closures grey (every class) and orange (a ban on some classes).
BAND90 = "#c6dbef"
BAND50 = "#6baed6"
MEDIAN = "#08306b"
AUTH = "#238b45"
FOC = "#74c476"
FLOOR = "#cb181d"
SHORTFALL = "#fb6a4a"
HEADCOUNT = "#6a51a3"
CLOSED = "#525252"
BAN = "#fd8d3c"
NEUTRAL = "#737373"
#: Categorical colours for design points, files and series (Tableau 10).
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf"]


@dataclass
class Axis:
    """One axis: its label in words (with the unit), kind and number format."""

    label: str = ""
    kind: str = "linear"          # linear | date | category
    fmt: str = "number"           # number | count | percent | money | date | days
    range: tuple | None = None    # (low, high) in data units; None: automatic
    categories: list | None = None  # category order (top to bottom on a y axis)
    ticks: list | None = None     # explicit tick values
    ticklabels: list | None = None  # their labels


@dataclass
class Trace:
    """One drawn element of a panel.

    kind: `line` (y over x), `step` (y over x, held until the next x), `band` (filled
    between y0 and y), `bars` (bars of height y at x, width `width` in x units), `points`
    (markers at (x, y), optional error bars `err` = (low, high) arrays of interval ends and
    `xerr`, optional `size` per marker, `text` per marker for the hover), `heat` (z [len(y),
    len(x)] on category rows y or a numeric grid, coloured from white to `color` over
    [zmin, zmax], or by `colorscale`), `stack` (areas stacked over x: one trace per layer,
    in order)."""

    kind: str
    name: str = ""                # legend label; "" = no legend entry
    x: Any = None
    y: Any = None
    y0: Any = None
    z: Any = None
    err: tuple | None = None
    xerr: tuple | None = None
    size: Any = None
    text: Any = None              # per point or per cell: hover text (cells: also drawn)
    color: str = MEDIAN
    dash: str = "solid"           # solid | dash | dot | dashdot
    width: float = 1.5
    opacity: float = 1.0
    visible: bool = True          # False: listed in the legend, drawn when clicked
    group: str | None = None      # legend group: one entry for traces of one group
    hover: str | None = None      # value part of the hover text, e.g. "%{y:,.0f} billets"
    colorscale: list | None = None
    zmin: float | None = None
    zmax: float | None = None
    colorbar: str | None = None   # heat: title of a colour bar (None: no bar)
    cell_labels: bool = False     # heat: draw each cell's `text` in the cell


@dataclass
class Ref:
    """A reference line across a panel: horizontal at y = value (`Panel.hlines`) or
    vertical at x = value (`Panel.vlines`), named in the legend (hlines) or by a label at
    its top (vlines)."""

    value: Any
    label: str
    color: str = NEUTRAL
    dash: str = "dash"
    width: float = 1.3


@dataclass
class Span:
    """A shaded interval of x across the panel's height."""

    x0: Any
    x1: Any
    label: str
    color: str = NEUTRAL
    opacity: float = 0.15


@dataclass
class Panel:
    title: str
    x: Axis
    y: Axis
    traces: list = field(default_factory=list)
    hlines: list = field(default_factory=list)
    vlines: list = field(default_factory=list)
    spans: list = field(default_factory=list)
    weight: float = 1.0           # relative height within its row of the grid
    note: str = ""                # a line of text in the panel when it has nothing to draw
    xticks: bool | None = None    # True: x tick labels even inside a shared-x figure


@dataclass
class Figure:
    """A figure of the report: panels in a grid of `cols` columns, filled row by row."""

    id: str
    title: str
    panels: list
    cols: int = 1
    height: int = 420             # pixels (HTML); the PNG keeps the aspect
    share_x: bool = False         # one x axis for all panels (stacked time panels)
    hovermode: str = "x unified"  # x unified | closest
    caption: str = ""             # HTML: how to read it
    data: dict = field(default_factory=dict)

    def panel(self, title: str) -> Panel:
        """The panel titled `title` (tests)."""
        for p in self.panels:
            if p.title == title:
                return p
        raise KeyError(f"{self.id}: no panel {title!r} (panels: "
                       + ", ".join(repr(p.title) for p in self.panels) + ")")

    def trace(self, name: str, panel: str | None = None) -> Trace:
        """The first trace named `name` (in panel `panel` if given)."""
        for p in self.panels:
            if panel is not None and p.title != panel:
                continue
            for t in p.traces:
                if t.name == name:
                    return t
        raise KeyError(f"{self.id}: no trace {name!r}")

    def traces(self, kind: str | None = None):
        return [t for p in self.panels for t in p.traces if kind is None or t.kind == kind]


# ------------------------------------------------------------------------------------------
# Helpers the sections share

def nice_step(span: float, target: int = 6, integer: bool = False) -> float:
    """A tick step of 1, 2 or 5 × 10^k giving about `target` ticks over `span`; at least 1
    for integer axes."""
    if not span > 0 or not math.isfinite(span):
        return 1.0
    raw = span / target
    k = math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        step = m * 10.0 ** k
        if step >= raw:
            break
    return max(step, 1.0) if integer else step


def padded_range(lo: float, hi: float, pad: float = 0.05, floor0: bool = True) -> tuple:
    """(lo, hi) widened by `pad` of the span on each side (from 0 when floor0 and lo >= 0);
    a point range becomes a small interval around it."""
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return (0.0, 1.0)
    if hi == lo:
        w = max(abs(hi) * 0.1, 1.0)
        return (lo - w if not (floor0 and lo >= 0) else 0.0, hi + w)
    span = hi - lo
    low = 0.0 if floor0 and lo >= 0 else lo - pad * span
    return (low, hi + pad * span)


def day_dates(start: np.datetime64, days: np.ndarray) -> np.ndarray:
    """Day indices as datetime64[D] dates (day 0 = start)."""
    return start.astype("datetime64[D]") + np.asarray(days).astype("timedelta64[D]")


def date_text(d) -> str:
    """A date as `9 Jan 2025`."""
    d = np.datetime64(d, "D").item()
    return f"{d.day} {d.strftime('%b %Y')}"
