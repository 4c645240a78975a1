"""Figures (analysis.figure) drawn with matplotlib's object API on the Agg backend, for
`report --png` and `plot`: the same data as the HTML report's, as static images for slides.

`render(fig)` returns a matplotlib Figure of fixed size (12 inches wide at `DPI`); `save`
writes it. Legends sit in a row of their own below the axes so that they never cover data;
date axes show the year; count axes have integer ticks; money is shown in $M.
"""

from __future__ import annotations

import contextlib
import math
import os
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap, to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from analysis.results import InputError  # noqa: E402

DPI = 100
WIDTH_IN = 12.0
LS = {"solid": "-", "dash": "--", "dot": ":", "dashdot": "-."}


def new_figure(width_in: float, height_in: float) -> Figure:
    fig = Figure(figsize=(width_in, height_in), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save(fig: Figure, path: str | Path) -> Path:
    """Writes `fig` at `path`, in the format its suffix names (PNG when it has none),
    through a temporary file beside it: an error or an interrupt never leaves a truncated
    image at `path`."""
    path = Path(path)
    fmt = path.suffix[1:].lower() or "png"
    if fmt not in fig.canvas.get_supported_filetypes():
        raise InputError(f"{path}: cannot write a figure as .{fmt} (use .png)")
    if os.path.isdir(path):
        raise InputError(f"{path}: is a directory; name the image file to write")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        extra = {"metadata": {"Software": None}} if fmt == "png" else {}
        fig.savefig(tmp, format=fmt, dpi=DPI, **extra)
        os.replace(tmp, path)
    except OSError as e:
        raise InputError(f"{path}: cannot write: {e.strerror or e}") from e
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    return path


def _tx(text):
    """Text as matplotlib shows it literally: a `$` is a dollar, not the start of math."""
    return None if text is None else str(text).replace("$", r"\$")


def _money(v, _pos=None) -> str:
    return _tx(f"${v / 1e6:,.{0 if abs(v) >= 1e7 or v == 0 else 1}f}M")


def _count(v, _pos=None) -> str:
    return f"{v:,.0f}"


def _is_dates(x) -> bool:
    return isinstance(x, np.ndarray) and x.dtype.kind == "M"


def _format_axis(ax, axis, which: str) -> None:
    a = ax.xaxis if which == "x" else ax.yaxis
    if axis.kind == "date":
        loc = mdates.AutoDateLocator(minticks=4, maxticks=9)
        a.set_major_locator(loc)
        a.set_major_formatter(mdates.DateFormatter("%b %Y" if True else ""))
        if axis.range:
            (ax.set_xlim if which == "x" else ax.set_ylim)(*[np.datetime64(v, "D")
                                                              for v in axis.range])
        for lab in (ax.get_xticklabels() if which == "x" else []):
            lab.set_rotation(0)
    elif axis.kind == "category" and axis.categories is not None:
        n = len(axis.categories)
        if which == "y":
            ax.set_yticks(range(n), labels=[_tx(c) for c in axis.categories], fontsize=8.5)
            ax.set_ylim(n - 0.5, -0.5)
        else:
            ax.set_xticks(range(n), labels=[_tx(c) for c in axis.categories], fontsize=8.5)
            ax.set_xlim(-0.5, n - 0.5)
    else:
        if axis.fmt == "percent":
            a.set_major_formatter(mticker.PercentFormatter(1.0, decimals=None))
        elif axis.fmt == "money":
            a.set_major_formatter(mticker.FuncFormatter(_money))
        elif axis.fmt == "count":
            a.set_major_locator(mticker.MaxNLocator(nbins=6, integer=True))
            a.set_major_formatter(mticker.FuncFormatter(_count))
        if axis.range:
            (ax.set_xlim if which == "x" else ax.set_ylim)(*axis.range)
        if axis.ticks is not None:
            (ax.set_xticks if which == "x" else ax.set_yticks)(
                list(axis.ticks), labels=[_tx(t) for t in axis.ticklabels]
                if axis.ticklabels is not None
                else None)
    if axis.label:
        (ax.set_xlabel if which == "x" else ax.set_ylabel)(_tx(axis.label), fontsize=9)


def _cmap(t):
    if t.colorscale:
        stops = [(float(p), to_rgba(_css(c))) for p, c in t.colorscale]
        return LinearSegmentedColormap.from_list("cs", stops)
    return LinearSegmentedColormap.from_list("cs", [(1, 1, 1, 0), to_rgba(t.color)])


def _css(c: str):
    """A CSS colour (hex or rgba()) as matplotlib takes it."""
    if c.startswith("rgba("):
        r, g, b, a = (float(v) for v in c[5:-1].split(","))
        return (r / 255, g / 255, b / 255, a)
    return c


def _rows(values, categories):
    index = {c: i for i, c in enumerate(categories)}
    return np.array([index[str(v)] for v in values], dtype=float)


def _draw_trace(ax, t, panel, stack_base: dict) -> None:
    x, y = t.x, t.y
    scale_y = 1.0
    if panel.y.kind == "category" and panel.y.categories is not None and y is not None \
            and t.kind in ("points", "heat"):
        y = _rows(y, panel.y.categories)
    if panel.x.kind == "category" and panel.x.categories is not None and x is not None \
            and t.kind in ("points", "heat"):
        x = _rows(x, panel.x.categories)
    kw = {"color": t.color, "alpha": t.opacity}
    label = _tx(t.name) if t.name else None
    if t.kind == "line":
        ax.plot(x, np.asarray(y, float) * scale_y, lw=t.width, ls=LS[t.dash], label=label,
                **kw)
    elif t.kind == "step":
        ax.step(x, y, where="post", lw=t.width, ls=LS[t.dash], label=label, **kw)
    elif t.kind == "band":
        ax.fill_between(x, t.y0, y, lw=0, label=label, color=t.color, alpha=t.opacity)
    elif t.kind == "stack":
        key = id(panel)
        base = stack_base.get(key, np.zeros(len(y)))
        top = base + np.asarray(y, float)
        ax.fill_between(x, base, top, lw=0, label=label, color=t.color, alpha=t.opacity)
        stack_base[key] = top
    elif t.kind == "bars":
        w = t.width if t.width and t.width != 1.5 else 0.8
        align = "center"
        if _is_dates(x):   # a day's bar covers the day, [d, d + 1)
            w = np.timedelta64(max(1, int(round(w))), "D")
            align = "edge"
        ax.bar(x, y, width=w, label=label, lw=0, align=align, **kw)
    elif t.kind == "points":
        if x is None or len(x) == 0:
            ax.scatter([], [], color=t.color, label=label, marker="s")
            return
        s = (np.asarray(t.size, float) * 0.75) ** 2 if t.size is not None else 30
        if not _is_dates(x) and not isinstance(x, list):   # no value: nothing to draw
            xv, yv = np.asarray(x, float), np.asarray(y, float)
            keep = np.isfinite(xv) & np.isfinite(yv)
            if not keep.all():
                x, y = xv[keep], yv[keep]
                err = None if t.err is None else (np.asarray(t.err[0])[keep],
                                                   np.asarray(t.err[1])[keep])
                xerr = None if t.xerr is None else (np.asarray(t.xerr[0])[keep],
                                                    np.asarray(t.xerr[1])[keep])
                import dataclasses
                t = dataclasses.replace(t, err=err, xerr=xerr,
                                        size=None if t.size is None else np.asarray(t.size)[keep])
                s = (np.asarray(t.size, float) * 0.75) ** 2 if t.size is not None else 30
                if not keep.any():
                    return
        if t.err is not None or t.xerr is not None:
            yerr = None if t.err is None else np.abs(np.vstack([np.asarray(y, float) - t.err[0],
                                                                t.err[1] - np.asarray(y, float)]))
            xerr = None if t.xerr is None else np.abs(
                np.vstack([np.asarray(x, float) - t.xerr[0], t.xerr[1] - np.asarray(x, float)]))
            ax.errorbar(x, y, yerr=yerr, xerr=xerr, fmt="o", ms=5, color=t.color, lw=1.1,
                        capsize=2.5, alpha=t.opacity, label=label)
        else:
            ax.scatter(x, y, s=s, color=t.color, alpha=t.opacity, lw=0, label=label)
    elif t.kind == "heat":
        z = np.ma.masked_invalid(np.asarray(t.z, float))
        zmin = 0.0 if t.zmin is None else t.zmin
        zmax = 1.0 if t.zmax is None else t.zmax
        yv = np.asarray(y, float) if y is not None else np.arange(z.shape[0], dtype=float)
        if _is_dates(x):
            xn = mdates.date2num(x.astype("datetime64[D]"))
            xe = np.concatenate([xn, [xn[-1] + 1.0]])   # a day's cell covers [d, d + 1)
        else:
            xa = np.asarray(x)
            xn = np.arange(len(xa), dtype=float) if xa.dtype.kind not in "iuf" else \
                xa.astype(float)
            xe = _edges(xn)
        ye = _edges(yv) if panel.y.kind != "category" else np.concatenate(
            [yv - 0.45, [yv[-1] + 0.45]]) if len(yv) == 1 else _edges(yv)
        if panel.y.kind == "category" and len(yv) == 1:
            ye = np.array([yv[0] - 0.42, yv[0] + 0.42])
        m = ax.pcolormesh(xe, ye, z, cmap=_cmap(t), vmin=zmin, vmax=zmax, shading="flat")
        if t.colorbar:
            cb = ax.figure.colorbar(m, ax=ax, shrink=0.9)
            cb.set_label(t.colorbar, fontsize=8)
        if t.cell_labels and t.text is not None:
            for i in range(z.shape[0]):
                for j in range(z.shape[1]):
                    v = z[i, j]
                    dark = v is not np.ma.masked and zmax > zmin and (v - zmin) / (zmax - zmin) > 0.6
                    ax.text(xn[j], yv[i], _tx(t.text[i][j]), ha="center", va="center",
                            fontsize=8, color="white" if dark else "#222")
    else:
        raise ValueError(f"unknown trace kind {t.kind!r}")


def _edges(c: np.ndarray) -> np.ndarray:
    c = np.asarray(c, float)
    if c.size == 1:
        return np.array([c[0] - 0.5, c[0] + 0.5])
    mid = (c[:-1] + c[1:]) / 2
    return np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])


def render(spec) -> Figure:
    """A matplotlib Figure of an analysis.figure.Figure."""
    n = len(spec.panels)
    cols = spec.cols
    nrows = max(1, math.ceil(n / cols))
    weights = [max([p.weight for p in spec.panels[r * cols:(r + 1) * cols]] or [1.0])
               for r in range(nrows)]
    height_in = max(3.0, spec.height / 1000 * WIDTH_IN * 0.95)
    fig = new_figure(WIDTH_IN, height_in + 0.6)
    gs = fig.add_gridspec(nrows + 1, cols, height_ratios=weights + [0.08 * sum(weights) + 0.05])
    fig.suptitle(_tx(spec.title), fontsize=12, x=0.01, ha="left")
    first = None
    stack_base: dict = {}
    handles: dict = {}
    chars = int(150 / cols)
    for i, p in enumerate(spec.panels):
        r, c = divmod(i, cols)
        ax = fig.add_subplot(gs[r, c], sharex=first if spec.share_x and first is not None
                             else None)
        if first is None:
            first = ax
        for t in p.traces:
            if t.visible:   # a trace hidden until clicked in the page stays out of a PNG
                _draw_trace(ax, t, p, stack_base)
        for h in p.hlines:
            ax.axhline(h.value, color=h.color, ls=LS.get(h.dash, "--"), lw=h.width,
                       label=_tx(h.label))
        for j, v in enumerate(p.vlines):
            ax.axvline(v.value, color=v.color, ls=LS.get(v.dash, "--"), lw=v.width)
            if v.label:
                ax.text(v.value, 1.0 - 0.08 * (j % 3), " " + _tx(v.label),
                        transform=ax.get_xaxis_transform(), fontsize=7.5, color=v.color,
                        va="top", ha="left",
                        bbox={"facecolor": "white", "alpha": 0.7, "lw": 0, "pad": 0.5})
        for s in p.spans:
            ax.axvspan(s.x0, s.x1, color=s.color, alpha=s.opacity, lw=0, label=_tx(s.label),
                       zorder=0)
        _format_axis(ax, p.x, "x")
        _format_axis(ax, p.y, "y")
        if p.title:
            ax.set_title(_tx("\n".join(textwrap.wrap(p.title, chars))), fontsize=9.5,
                         loc="left")
        if p.note:
            ax.text(0.5, 0.5, _tx(p.note), transform=ax.transAxes, ha="center", va="center",
                    color="0.35", fontsize=10)
        ax.grid(alpha=0.3, lw=0.5)
        ax.tick_params(labelsize=8)
        if spec.share_x and r < nrows - 1 and not p.xticks:
            ax.tick_params(labelbottom=False)
        for hd, lab in zip(*ax.get_legend_handles_labels()):
            if lab and not lab.startswith("_") and lab not in handles:
                handles[lab] = hd
    if handles:
        lax = fig.add_subplot(gs[-1, :])
        lax.axis("off")
        lax.legend(list(handles.values()), list(handles.keys()), loc="center",
                   ncol=min(3, len(handles)), frameon=False, fontsize=8.5)
    return fig


# Kept for callers of the earlier API: a legend handle list for a custom figure.
def legend_handles(items) -> list:
    """Handles for (kind, label, colour) items: kind `line` or `patch`."""
    return [Line2D([], [], color=c, label=lab) if k == "line" else Patch(color=c, label=lab)
            for k, lab, c in items]
