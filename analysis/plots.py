"""Figures of a results file, drawn with matplotlib's object API on the Agg backend.

Every function takes a `Results` (and for some a run mask) and returns a Figure of fixed size;
`save` writes it as PNG at `DPI`. Legends sit in a row of their own below the axes so that
they never cover data; time axes show dates (the decoded `time` coordinate of /series).
"""

from __future__ import annotations

import contextlib
import math
import os
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from analysis import stats  # noqa: E402
from analysis.results import InputError  # noqa: E402

DPI = 100
BAND90 = "#9ecae1"
BAND50 = "#4292c6"
MEDIAN = "#08306b"
AUTH = "#238b45"
FLOOR = "#cb181d"
ONDUTY = "#6a51a3"
CLOSED = "#7f7f7f"


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


def unit_label(unit: str) -> str:
    return {"1": "fraction", "": "value"}.get(unit, unit)


def _date_axis(ax) -> None:
    loc = mdates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
    ax.set_xlabel("date (UTC, end of day)")


def _legend_row(fig: Figure, gs_cell, handles, ncol: int | None = None) -> None:
    ax = fig.add_subplot(gs_cell)
    ax.axis("off")
    ax.legend(handles=handles, loc="center", ncol=ncol or min(len(handles), 4), frameon=False,
              fontsize=9)


def _ok_mask(res, mask) -> np.ndarray:
    m = res.ok.copy()
    if mask is not None:
        m &= np.asarray(mask)
    if not m.any():
        raise InputError(f"{res.path}: no successful run to plot (status ok) in the selection")
    return m


def _shade_closures(ax, dates: np.ndarray, share: np.ndarray) -> None:
    """Grey spans over days when the main airport was closed in some runs; darker = more runs."""
    day = np.timedelta64(1, "D")
    d = 0
    D = len(share)
    while d < D:
        if share[d] <= 0:
            d += 1
            continue
        e = d
        while e + 1 < D and share[e + 1] == share[d]:
            e += 1
        # Strength is the end-of-day state: shade the whole day ending at that date.
        ax.axvspan(dates[d] - day, dates[e], color=CLOSED, alpha=0.08 + 0.32 * float(share[d]),
                   lw=0, zorder=0)
        d = e + 1


def _fan(ax, dates, values, colour=MEDIAN):
    """Median, 50% and 90% bands of values [run, day] across runs."""
    q = np.quantile(values, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    ax.fill_between(dates, q[0], q[4], color=BAND90, lw=0, zorder=1)
    ax.fill_between(dates, q[1], q[3], color=BAND50, lw=0, zorder=2)
    ax.plot(dates, q[2], color=colour, lw=1.6, zorder=3)
    return q


def _subtitle(res, mask_desc: str | None) -> str:
    n = f"{res.n_runs} runs" if mask_desc is None else mask_desc
    return f"scenario {res.scenario_name} · {n}"


def strength_figure(res, mask=None, total_only: bool = False, what: str | None = None) -> Figure:
    """Strength in theatre over time, in total and per contingent: median with 50% and 90%
    bands across runs, authorised strength, the floor (total), closures shaded."""
    m = _ok_mask(res, mask)
    s = res.series
    strength = s["strength"].values[m]            # [run, day, contingent]
    filled = s["filled"].values[m].sum(axis=2)   # billets whose incumbent is on duty
    dates = res.dates.values
    share = stats.closed_days(res, m).mean(axis=0)
    contingents = res.contingents
    auth_sel = res.authorised(m)   # the selected points' billets and floor (None: unknown)
    billets = auth_sel.billets or {}
    panels = [None] if total_only else [None] + contingents
    ncols = 1 if total_only else min(3, max(1, len(contingents)))
    crow = 0 if total_only else math.ceil(len(contingents) / ncols)
    if total_only:
        fig = new_figure(10.0, 4.4)
        gs = fig.add_gridspec(1, 2, width_ratios=[1.0, 0.42])
    else:
        fig = new_figure(12.0, 4.2 + 2.7 * crow + 0.5)
        gs = fig.add_gridspec(2 + crow, ncols, height_ratios=[1.5] + [1.0] * crow + [0.18])
    title_what = what or f"{m.sum()} successful runs"
    fig.suptitle(f"Strength in theatre — scenario {res.scenario_name} — {title_what}",
                 fontsize=12)
    total_ax = None
    for i, c in enumerate(panels):
        if c is None:
            ax = fig.add_subplot(gs[0, 0] if total_only else gs[0, :])
            total_ax = ax
            vals = strength.sum(axis=2)
            auth = auth_sel.total if billets else None
            title = "All contingents"
        else:
            r, col = divmod(i - 1, ncols)
            ax = fig.add_subplot(gs[1 + r, col], sharex=total_ax)
            j = contingents.index(c)
            vals = strength[:, :, j]
            auth = billets.get(c)
            title = c
        _shade_closures(ax, dates, share)
        _fan(ax, dates, vals)
        if auth:
            ax.axhline(auth, color=AUTH, ls="--", lw=1.2, zorder=4)
        if c is None:
            if auth_sel.floor is not None:
                ax.axhline(auth_sel.floor, color=FLOOR, ls="-.", lw=1.2, zorder=4)
            ax.plot(dates, np.median(filled, axis=0), color=ONDUTY, ls=":", lw=1.4, zorder=3)
        ax.set_title(title, fontsize=11 if c is None else 10, loc="left")
        ax.set_ylabel("personnel")
        finite = vals[np.isfinite(vals)]
        top = max(float(finite.max()) if finite.size else 0.0, float(auth or 0))
        ax.set_ylim(0, top * 1.08 + 1)
        ax.set_xlim(dates[0] - np.timedelta64(1, "D"), dates[-1])
        ax.grid(alpha=0.3, lw=0.5)
        _date_axis(ax)
    handles = [
        Line2D([], [], color=MEDIAN, lw=1.6, label="median across runs"),
        Patch(color=BAND50, label="50% band (25–75th percentile)"),
        Patch(color=BAND90, label="90% band (5–95th percentile)"),
        Line2D([], [], color=AUTH, ls="--", label="authorised strength (billets)"
               if auth_sel.billets is not None else
               "authorised strength: not drawn\n(varies or unknown at these points)"),
        Line2D([], [], color=FLOOR, ls="-.",
               label=f"floor: {auth_sel.floor_frac:g} × total billets\n"
                     "(compared with filled billets)" if auth_sel.floor is not None else
                     "floor: not drawn\n(varies or unknown at these points)"),
        Line2D([], [], color=ONDUTY, ls=":", label="filled billets, median (total)"),
        Patch(color=CLOSED, alpha=0.4,
              label=f"main airport {res.main_airport} closed\n(darker = in more runs)"),
    ]
    if total_only:
        lax = fig.add_subplot(gs[0, 1])
        lax.axis("off")
        lax.legend(handles=handles, loc="center left", frameon=False, fontsize=9)
    else:
        _legend_row(fig, gs[-1, :], handles, ncol=4)
    return fig


def _regime_colours(n: int) -> list:
    """Calm to violent: green, amber, red, dark red (interpolated for other counts)."""
    base = ["#41ab5d", "#fdae61", "#e6550d", "#a50f15"]
    if n <= len(base):
        return base[:n] if n > 2 else [base[0], base[2]][:n]
    cmap = matplotlib.colormaps["RdYlGn_r"]
    return [cmap(0.1 + 0.85 * i / (n - 1)) for i in range(n)]


def airport_figure(res, mask=None, what: str | None = None) -> Figure:
    """Main airport: share of runs closed per day; violence regime share per day."""
    m = _ok_mask(res, mask)
    dates = res.dates.values
    closed = stats.closed_days(res, m)
    ao = res.series["airport_open"].sel(airport=res.main_airport).values[m]
    regimes = stats.regime_share(res, m)
    fig = new_figure(12.0, 7.6)
    gs = fig.add_gridspec(4, 1, height_ratios=[1.0, 0.12, 1.0, 0.16])
    fig.suptitle(f"Main airport {res.main_airport} and violence — scenario "
                 f"{res.scenario_name} — {what or f'{m.sum()} successful runs'}", fontsize=12)
    ax = fig.add_subplot(gs[0])
    ax.fill_between(dates, 100 * closed.mean(axis=0), step="mid", color=CLOSED, alpha=0.6, lw=0)
    ax.plot(dates, 100 * (1 - ao).mean(axis=0), color="black", lw=1.0, drawstyle="steps-mid")
    ax.set_ylim(0, 105)
    ax.set_ylabel("% of runs / % of the day")
    ax.set_title(f"{res.main_airport}: closed at some time of the day (share of runs) and mean "
                 "share of the day closed", fontsize=10, loc="left")
    ax.grid(alpha=0.3, lw=0.5)
    _date_axis(ax)
    _legend_row(fig, gs[1], [
        Patch(color=CLOSED, alpha=0.6, label="runs with the airport closed that day (%)"),
        Line2D([], [], color="black", lw=1.0,
               label="mean share of the day closed to some class (%)")], ncol=2)
    ax2 = fig.add_subplot(gs[2], sharex=ax)
    ax2.set_ylabel("% of runs")
    ax2.set_ylim(0, 100)
    ax2.set_title("Violence regime at the end of the day (share of runs)", fontsize=10, loc="left")
    _date_axis(ax2)
    if regimes.empty:
        ax2.text(0.5, 0.5, "violence is off in this scenario", transform=ax2.transAxes,
                 ha="center", va="center", fontsize=11, color="0.3")
        handles = []
    else:
        names = list(regimes.columns)
        colours = _regime_colours(len(names))
        ax2.stackplot(dates, *[100 * regimes[n].to_numpy() for n in names], colors=colours,
                      step="mid", lw=0)
        st = dict(zip(res.regimes["name"], res.regimes["stationary_share"]))
        handles = [Patch(color=colours[i], label=(f"{n} (stationary {100 * st[n]:.0f}%)"
                                                  if n in st else n))
                   for i, n in enumerate(names)]
    ax2.set_xlim(dates[0] - np.timedelta64(1, "D"), dates[-1])
    if handles:
        _legend_row(fig, gs[3], handles, ncol=min(len(handles), 5))
    return fig


def kpi_figure(res, mask=None, what: str | None = None) -> Figure:
    """One histogram per KPI over the ok runs, with the mean and its 95% CI
    (`stats.kpi_stats`) when the runs are those of one design point (a sweep's points are
    never pooled into one mean)."""
    kpis = res.kpi_names
    sel = res.ok if mask is None else res.ok & np.asarray(mask)
    runs = res.runs[sel]
    one_point = runs["point"].nunique() <= 1
    ncols = 4
    nrows = math.ceil(len(kpis) / ncols)
    fig = new_figure(13.0, 2.6 * nrows + 1.0)
    gs = fig.add_gridspec(nrows + 1, ncols, height_ratios=[1.0] * nrows + [0.12])
    fig.suptitle(f"KPI distributions over runs — scenario {res.scenario_name} — "
                 f"{what or f'{len(runs)} runs'}", fontsize=12)
    for i, k in enumerate(kpis):
        ax = fig.add_subplot(gs[divmod(i, ncols)])
        v = runs[k].to_numpy(np.float64)
        m = stats.kpi_meta(k, res.kpi_units.get(k, ""))
        s = stats.kpi_stats(v, m.lower, m.upper, m.first_day)
        vals = v[~np.isnan(v)]
        ax.set_title(f"{k}  (n = {s['n']}/{s['runs']})", fontsize=10)
        ax.set_xlabel(unit_label(m.unit), fontsize=9)
        ax.set_ylabel("runs", fontsize=9)
        ax.tick_params(labelsize=8)
        if vals.size == 0:
            ax.text(0.5, 0.5, f"no value in any of {s['runs']} runs", transform=ax.transAxes,
                    ha="center", va="center", fontsize=9, color="0.3")
            continue
        lo, hi = float(vals.min()), float(vals.max())
        if lo == hi:
            width = max(abs(lo) * 0.05, 0.5)
            ax.bar([lo], [vals.size], width=width, color=BAND50)
            ax.set_xlim(lo - 4 * width, hi + 4 * width)
        else:
            bins = min(30, max(5, int(np.histogram_bin_edges(vals, "auto").size - 1)))
            ax.hist(vals, bins=bins, color=BAND50, edgecolor="white", lw=0.4)
        if one_point:
            _mean_ci_marker(ax, s["mean"], s["ci_low"], s["ci_high"])
        _big_number_axis(ax, vals)
    _legend_row(fig, gs[-1, :], [
        Patch(color=BAND50, label="ok runs (histogram); n = runs with a value / ok runs"),
        Line2D([], [], color=FLOOR, marker="o", lw=1.2,
               label="mean with its 95% CI (Student t)" if one_point else
               "no mean: several design points (see the tables per point)"),
    ], ncol=2)
    return fig


def _mean_ci_marker(ax, mean, lo, hi) -> None:
    """The mean and its CI as a point with a horizontal bar above the histogram's bars."""
    y0, y1 = ax.get_ylim()
    y = y1 * 1.08
    err = None
    if lo == lo and hi == hi:
        err = [[mean - lo], [hi - mean]]
    ax.errorbar([mean], [y], xerr=err, fmt="o", ms=4, color=FLOOR, capsize=3, lw=1.2)
    ax.set_ylim(y0, y1 * 1.18)


def _big_number_axis(ax, vals) -> None:
    """Engineering notation (150M) instead of an offset for large values."""
    if vals.size and np.nanmax(np.abs(vals)) >= 1e5:
        ax.xaxis.set_major_formatter(mticker.EngFormatter(sep=""))


def _short_label(text: str) -> str:
    """A level label short enough for a tick: `normal(mean=182, sd=10, ...)` -> `normal
    mean 182` (two lines)."""
    if len(text) <= 14:
        return text
    if "(" in text:
        m = re.search(r"\b(mean|median)=([^,)]+)", text)
        head = text.split("(", 1)[0]
        return f"{head}\n{m.group(1)} {m.group(2)}" if m else head
    return text[:13] + "…"


def _point_stats(res, kpi, mask=None):
    """Per design point with runs: (point, mean, CI low, CI high, n) of the KPI over its ok
    runs (`stats.summary_table`)."""
    sel = res.ok if mask is None else res.ok & np.asarray(mask)
    pts = sorted(int(p) for p in pd.unique(res.runs["point"][sel]))
    t = stats.summary_table(res.runs, [kpi], ok=sel, units=res.kpi_units, points=pts)
    return list(zip(t["point"], t["mean"], t["ci_low"], t["ci_high"], t["n"]))


def sweep_figure(res, kpi: str, mask=None) -> Figure:
    """One KPI against each factor: mean and 95% CI per design point; lines (with CI bands)
    join the points that share every other factor's value when the design is a grid."""
    if not res.is_sweep or not res.factors:
        raise InputError(f"{res.path}: a plain run has no sweep factors to plot against")
    factors = res.factors
    pts = res.factor_values
    ps = _point_stats(res, kpi, mask)
    ncols = min(3, len(factors))
    nrows = math.ceil(len(factors) / ncols)
    fig = new_figure(5.2 * ncols + 0.4, 4.6 * nrows + 0.8)
    gs = fig.add_gridspec(nrows + 1, ncols, height_ratios=[1.0] * nrows + [0.22])
    unit = unit_label(res.kpi_units.get(kpi, ""))
    fig.suptitle(f"{kpi} against each sweep factor — mean and 95% CI per design point "
                 f"({res.replications} replications each)", fontsize=11)
    cmap = matplotlib.colormaps["tab10"]
    any_grid = False
    for i, f in enumerate(factors):
        ax = fig.add_subplot(gs[divmod(i, ncols)])
        others = [g for g in factors if g != f]
        x = np.array([pts.loc[p, f] for p, *_ in ps])
        mean = np.array([r[1] for r in ps])
        lo = np.array([r[2] for r in ps])
        hi = np.array([r[3] for r in ps])
        groups: dict = {}
        for j, (p, *_r) in enumerate(ps):
            key = tuple(pts.loc[p, g] for g in others)
            groups.setdefault(key, []).append(j)
        grid_like = len(groups) <= 8 and all(len(v) > 1 for v in groups.values())
        any_grid |= grid_like
        if grid_like:
            for gi, (key, idx) in enumerate(sorted(groups.items())):
                idx = sorted(idx, key=lambda j: x[j])
                colour = cmap(gi % 10)
                label = ", ".join(
                    f"{g} = " + _short_label(res.factor_labels.get(g, {}).get(v, f"{v:g}"))
                    .replace("\n", " ") for g, v in zip(others, key)) or "mean"
                ax.fill_between(x[idx], lo[idx], hi[idx], color=colour, alpha=0.18, lw=0)
                ax.plot(x[idx], mean[idx], color=colour, marker="o", lw=1.4, ms=4, label=label)
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=8,
                      frameon=False, title="other factors" if others else None,
                      title_fontsize=8)
        else:
            yerr = np.vstack([mean - lo, hi - mean])
            yerr = np.where(np.isnan(yerr), 0, yerr)
            ax.errorbar(x, mean, yerr=yerr, fmt="o", ms=3.5, color=BAND50, ecolor=BAND90,
                        elinewidth=1.0, capsize=2)
        if f in res.factor_labels:
            ticks = sorted(res.factor_labels[f])
            ax.set_xticks(ticks, labels=[_short_label(res.factor_labels[f][t]) for t in ticks],
                          fontsize=8)
        elif len(np.unique(x)) <= 12:
            ticks = np.unique(x)
            ax.set_xticks(ticks, labels=[f"{t:g}" for t in ticks])
        ax.set_xlabel(f)
        ax.set_ylabel(f"{kpi} ({unit})")
        ax.grid(alpha=0.3, lw=0.5)
        missing = int(np.isnan(mean).sum())
        if missing == len(mean):
            ax.text(0.5, 0.5, "no value in any run", transform=ax.transAxes, ha="center",
                    va="center", color="0.3")
        elif missing:
            ax.text(0.99, 0.02, f"{missing} of {len(mean)} points: no value in any run",
                    transform=ax.transAxes, ha="right", va="bottom", fontsize=8, color="0.3")
    _legend_row(fig, gs[-1, :], [
        Line2D([], [], color="0.2", marker="o", lw=1.4 if any_grid else 0,
               label="design point mean" + (" (joined along the factor)" if any_grid else "")),
        Patch(color="0.2", alpha=0.18, label="95% CI of the mean (band or bar)"),
    ], ncol=2)
    return fig


def sensitivity_figure(res, results: list) -> Figure:
    """Heat map of standardised regression coefficients, KPI × factor."""
    factors = res.factors
    kpis = [r.kpi for r in results]
    M = np.array([[r.coef.get(f, np.nan) for f in factors] for r in results], dtype=float)
    fig = new_figure(max(9.0, 4.5 + 1.9 * len(factors)), 2.0 + 0.38 * len(kpis))
    ax = fig.add_subplot(1, 1, 1)
    im = ax.imshow(np.ma.masked_invalid(M), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    ax.set_xticks(range(len(factors)), labels=factors, rotation=20, ha="right", fontsize=9)
    ax.set_yticks(range(len(kpis)), fontsize=9,
                  labels=[f"{r.kpi}  (R² = {r.r2:.2f})" if r.r2 == r.r2 else f"{r.kpi}  (—)"
                          for r in results])
    for i in range(len(kpis)):
        for j in range(len(factors)):
            v = M[i, j]
            ax.text(j, i, "—" if v != v else f"{v:+.2f}", ha="center", va="center", fontsize=8,
                    color="white" if v == v and abs(v) > 0.6 else "black")
    fig.suptitle("Sensitivity of each KPI to the sweep factors\nstandardised regression "
                 "coefficients (SRC), run level; R² of the linear model after the KPI name",
                 fontsize=11)
    ax.set_xlabel("sweep factor")
    cb = fig.colorbar(im, ax=ax, shrink=0.8)
    cb.set_label("SRC (SD of KPI per SD of factor)")
    return fig


def compare_figure(a, b, pairs, table) -> Figure:
    """Histograms of the paired differences B − A per KPI over the pairs of ok runs
    (`stats.match_runs`), with the mean difference and its paired 95% CI
    (`stats.compare_table`) when the pairs are of one design point."""
    ok = pairs[pairs["ok_a"].to_numpy(bool) & pairs["ok_b"].to_numpy(bool)]
    kpis = list(dict.fromkeys(table["kpi"]))
    one_point = table["point"].nunique() == 1
    ncols = 4
    nrows = max(1, math.ceil(len(kpis) / ncols))
    fig = new_figure(13.0, 2.6 * nrows + 1.2)
    gs = fig.add_gridspec(nrows + 1, ncols, height_ratios=[1.0] * nrows + [0.12])
    fig.suptitle(f"Paired differences B − A per run (matched by point and replication)\n"
                 f"A = {a.path.name}, B = {b.path.name}, {len(ok)} pairs of ok runs",
                 fontsize=11)
    for i, k in enumerate(kpis):
        row = table[table["kpi"] == k].iloc[0]
        ax = fig.add_subplot(gs[divmod(i, ncols)])
        d = ok[f"{k}_b"].to_numpy(np.float64) - ok[f"{k}_a"].to_numpy(np.float64)
        d = d[~np.isnan(d)]
        ax.set_title(f"{k}  (n = {d.size}/{len(ok)})", fontsize=10)
        ax.set_xlabel(f"B − A ({unit_label(row['unit'])})", fontsize=9)
        ax.set_ylabel("pairs", fontsize=9)
        ax.tick_params(labelsize=8)
        if d.size == 0:
            ax.text(0.5, 0.5, "no pair with both values", transform=ax.transAxes, ha="center",
                    va="center", fontsize=9, color="0.3")
            continue
        if d.min() == d.max():
            width = max(abs(d.min()) * 0.05, 0.5)
            ax.bar([d.min()], [d.size], width=width, color=BAND50)
            ax.set_xlim(d.min() - 4 * width, d.max() + 4 * width)
        else:
            ax.hist(d, bins=min(30, max(5, d.size // 3)), color=BAND50, edgecolor="white",
                    lw=0.4)
        ax.axvline(0, color="0.3", lw=0.8, ls=":")
        if one_point:
            _mean_ci_marker(ax, row["diff"], row["diff_low"], row["diff_high"])
        _big_number_axis(ax, d)
    _legend_row(fig, gs[-1, :], [
        Patch(color=BAND50, label="paired differences (histogram); n = pairs with both values"),
        Line2D([], [], color=FLOOR, marker="o", lw=1.2,
               label="mean difference with its paired 95% CI" if one_point else
               "no mean: several design points (see compare.md)"),
        Line2D([], [], color="0.3", lw=0.8, ls=":", label="no difference"),
    ], ncol=3)
    return fig
