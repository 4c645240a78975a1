"""The report of a sweep: its design points side by side, never pooled.

Curves per design point (filled billets, P(FOC by date), closures), paired contrasts of each
point against the reference (the contract's `stats.contrast_table`, drawn as a forest plot),
a heat map of point means for a two-factor grid, response curves of each KPI against each
factor (statsmodels' lowess smoother through the point means of a hypercube), an effect
ranking (statsmodels OLS on standardised factors with cluster-robust errors; an effect whose
interval contains 0 is said to be indistinguishable from zero), and cost against readiness
across points.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pandas as pd
from markupsafe import Markup

from analysis import stats
from analysis.figure import (AUTH, BAN, CLOSED, FLOOR, MEDIAN, NEUTRAL, PALETTE, Axis, Figure,
                             Panel, Ref, Trace, padded_range)
from analysis.results import InputError

#: The KPIs the sweep figures show (the contract's default sweep list).
SWEEP_KPIS = ("days_to_foc", "mean_filled_frac", "min_filled_frac", "gap_person_days",
              "cost_usd")

# ------------------------------------------------------------------------------------------
# Factor names in words

#: The last segment of a factor key in words (docs/scenario.md).
LEAVES = {
    "count": "number of aircraft", "seats": "seats per aircraft",
    "tour_days": "tour length (days)", "billets": "billets", "floor_frac": "floor (share of billets)",
    "foc_frac": "FOC level (share of billets)", "ioc_frac": "IOC level (share of billets)",
    "p_close_airport": "probability an attack closes the airport",
    "closure_days": "closure length (days)", "p_cut_link": "probability an attack cuts a link",
    "cut_days": "link cut length (days)", "p_hit_patrol": "probability an attack hits a patrol",
    "attacks_per_day": "attacks per day", "relief_lead_days": "relief requested ahead (days)",
    "overlap_days": "overlap of reliefs (days)", "max_extension_days": "longest extension (days)",
    "probability": "probability the pledge is realised", "delay_days": "delay (days)",
    "readiness_delay_days": "readiness delay (days)", "min_load": "minimum load (persons)",
    "max_wait_days": "longest wait for a full load (days)", "mog": "aircraft on the ground at once",
    "handling_h": "handling time (hours)", "block_h": "block time (hours)",
    "cost_per_block_hour_usd": "cost per block hour (USD)", "per_diem_usd": "per diem (USD)",
    "attrition_per_person_day": "attrition per person-day", "horizon_days": "horizon (days)",
    "max_hold_h": "longest hold (hours)", "trip_h": "trip time (hours)",
}
#: Tables whose entries are named, and what an entry is called.
ENTITY = {"contingent": "", "aircraft": "", "airport": "", "route": "route from ",
          "link": "link ", "regime": "regime "}
STATISTIC = {"median", "mean", "sd", "min", "max", "mode", "value", "sigma", "shape", "scale"}


def _segments(key: str) -> list[str]:
    from analysis.results import _key_path
    return _key_path(key) or [key]


def factor_label(key: str) -> str:
    """A sweep factor's key in words: `aircraft.B787-charter.count` -> `B787-charter: number
    of aircraft`, `violence.regime.violent.closure_days.median` -> `violent regime: closure
    length (days), median`; an unknown leaf with its underscores as spaces."""
    seg = _segments(key)
    stat = None
    if len(seg) > 1 and seg[-1] in STATISTIC:
        stat = seg[-1]
        seg = seg[:-1]
    leaf = seg[-1]
    words = LEAVES.get(leaf, leaf.replace("_", " "))
    entity = ""
    for i, s in enumerate(seg[:-1]):
        if s in ENTITY and i + 1 < len(seg) - 1:
            name = seg[i + 1]
            entity = f"{name} {ENTITY[s].strip()}".strip() if s == "regime" else \
                f"{ENTITY[s]}{name}"
    if not entity and len(seg) > 2:
        entity = " ".join(seg[1:-1])
    out = f"{entity}: {words}" if entity else words
    if stat:
        out += f", {stat}"
    return out[:1].upper() + out[1:] if not entity else out


def point_ids(res) -> dict[int, str]:
    """Design point -> `P3`."""
    return {int(p): f"P{int(p)}" for p in res.points["point"]}


def point_names(res, short: int = 22) -> dict[int, str]:
    """Design point -> `P3: 2, 182` (its factor values, each cut to `short` characters)."""
    out = {}
    for p in res.points["point"]:
        p = int(p)
        vals = [v if len(v) <= short else v[:short - 1] + "…" for v in stats.factor_text(res, p)]
        out[p] = f"P{p}: " + ", ".join(vals)
    return out


def colour_factor(res) -> str | None:
    """The factor that colours the points of a large design: the one with the largest
    standardised effect on the deepest dip after FOC (else on the mean share filled), else
    the first factor that varies."""
    for k in ("min_filled_frac", "mean_filled_frac"):
        if k in res.kpi_names:
            rows = effects(res, k)["rows"]
            if rows:
                return rows[0]["factor"]
    vf = varying(res)
    return vf[0] if vf else None


def point_colours(res, points: list[int]) -> dict[int, str]:
    """A colour per design point: the categorical palette for up to 10 points, else a
    sequential scale (viridis: dark = low, light = high) along `colour_factor`."""
    if len(points) <= len(PALETTE):
        return {p: PALETTE[i] for i, p in enumerate(points)}
    import matplotlib
    from matplotlib.colors import to_hex
    cmap = matplotlib.colormaps["viridis"]
    f = colour_factor(res)
    if f is None:
        return {p: to_hex(cmap(0.05 + 0.85 * i / (len(points) - 1))) for i, p in enumerate(points)}
    v = res.factor_values.loc[points, f].to_numpy(float)
    lo, hi = float(np.nanmin(v)), float(np.nanmax(v))
    scale = (v - lo) / (hi - lo) if hi > lo else np.zeros_like(v)
    return {p: to_hex(cmap(0.05 + 0.85 * s)) for p, s in zip(points, scale)}


def colour_note(res, points) -> str:
    """What the colours of `point_colours` mean, in words ("" for the categorical palette)."""
    if len(points) <= len(PALETTE):
        return ""
    f = colour_factor(res)
    return f" Colour: {factor_label(f)}, dark = low, light = high." if f else ""


def is_grid(res) -> bool:
    sw = (res.sweep or {}).get("sweep", {}) if isinstance(res.sweep, dict) else {}
    return str(sw.get("design", "grid")) == "grid"


def varying(res) -> list[str]:
    """The factors that take more than one value over the design points."""
    fv = res.factor_values
    return [f for f in res.factors if fv[f].nunique(dropna=False) > 1]


# ------------------------------------------------------------------------------------------
# Per-point views

def point_views(res) -> dict:
    from analysis import planner
    out = {}
    for p in sorted(int(x) for x in res.points["point"]):
        m = (res.runs["point"].to_numpy() == p) & res.ok
        if m.any():
            out[p] = planner.View(res, m, f"design point {p}")
    if not out:
        raise InputError(f"{res.path}: no successful run to plot (status ok) in any design "
                         "point")
    return out


def _common_thresholds(views):
    """Authorised total and floor if every point has the same, else (None, None)."""
    ths = [v.thresholds for v in views.values()]
    tot = {t.total for t in ths}
    fl = {t.floor for t in ths}
    return (ths[0].total if len(tot) == 1 else None, ths[0].floor if len(fl) == 1 else None,
            ths[0])


def points_filled_figure(res, views) -> Figure:
    """Median filled billets per design point (one line each, never pooled); the 90% band of
    each point when there are at most four."""
    from analysis.planner import fan
    names = point_names(res)
    colours = point_colours(res, list(views))
    total, floor, th = _common_thresholds(views)
    p = Panel("Filled billets, all contingents, median over each point's runs",
              Axis("", "date", "date"), Axis("billets filled (median run-day)", fmt="count"))
    top = total or 0.0
    data = {}
    for pt, v in views.items():
        q = fan(v.filled_total)
        data[pt] = q
        top = max(top, float(np.nanmax(q[4] if len(views) <= 4 else q[2])))
        if len(views) <= 4:
            p.traces.append(Trace("band", f"{names[pt]}: 90% of runs", v.dates, q[4], q[0],
                                  color=colours[pt], opacity=0.14, group=names[pt]))
        p.traces.append(Trace("line", names[pt], v.dates, q[2], color=colours[pt], width=1.8,
                              hover="%{y:,.0f}", group=names[pt]))
    p.y.range = padded_range(0, top, 0.06)
    if total is not None:
        p.hlines.append(Ref(total, f"authorised strength: {total:,.0f} billets", AUTH, "solid"))
    if floor is not None:
        p.hlines.append(Ref(floor, f"floor: {100 * th.floor_frac:g}% of billets", FLOOR, "dash"))
    n = len(views)
    legend_rows = math.ceil(n / 3)
    return Figure("points_filled", "Filled billets per design point", [p],
                  height=470 + 21 * legend_rows, data={"quantiles": data},
                  caption=colour_note(res, list(views)))


def points_reach_figure(res, views) -> Figure | None:
    from analysis.planner import reach_by_day
    if "days_to_foc" not in res.kpi_names:
        return None
    names = point_names(res)
    colours = point_colours(res, list(views))
    p = Panel("Share of each point's runs that have reached FOC by each date",
              Axis("", "date", "date"), Axis("share of runs", fmt="percent", range=(0, 1.02)))
    data = {}
    for pt, v in views.items():
        k = reach_by_day(v.kpi("days_to_foc"), len(v.dates))
        data[pt] = k / v.n
        p.traces.append(Trace("step", names[pt], v.dates, k / v.n, color=colours[pt],
                              width=1.8, hover="%{y:.1%} of runs", group=names[pt]))
    return Figure("points_reach", "P(FOC by date) per design point", [p],
                  height=420 + 21 * math.ceil(len(views) / 3), data={"share": data})


def points_closures_figure(res, views) -> Figure:
    """Per design point: the mean share of each day the main gateway was closed to every
    class; a second panel with the bans on a class when any point has them."""
    from analysis.planner import closure_rows
    names = point_names(res)
    rows_all, rows_ban, data = {}, {}, {}
    for pt, v in views.items():
        rows = closure_rows(v, v.closed, res.operator_classes)
        rows_all[names[pt]] = rows["closed to all classes"]
        ban = sum((z for k, z in rows.items() if k.startswith("ban on")),
                  np.zeros(len(v.dates)))
        rows_ban[names[pt]] = ban
        data[pt] = {k: float(z.sum()) for k, z in rows.items()}
    dates = next(iter(views.values())).dates
    panels = [Panel(f"{res.main_airport} closed to all classes (mean share of the day)",
                    Axis("", "date", "date"), Axis("", "category", categories=list(rows_all)),
                    [Trace("heat", x=dates, y=list(rows_all), z=np.vstack(list(rows_all.values())),
                           color=CLOSED, hover="%{y}: %{z:.0%} of the day",
                           colorbar="share of the day")])]
    if any(z.any() for z in rows_ban.values()):
        panels.append(Panel(f"{res.main_airport}: a ban on some operator class, others fly",
                            Axis("", "date", "date"),
                            Axis("", "category", categories=list(rows_ban)),
                            [Trace("heat", x=dates, y=list(rows_ban),
                                   z=np.vstack(list(rows_ban.values())), color=BAN,
                                   hover="%{y}: %{z:.0%} of the day")]))
    rows = len(views)
    return Figure("points_closures", "Closures per design point", panels, share_x=True,
                  height=110 + len(panels) * (40 + min(22, max(10, 400 // rows)) * rows),
                  hovermode="closest", data={"closed_days": data})


# ------------------------------------------------------------------------------------------
# Paired contrasts

def _kpi_fmt(res, kpi):
    from analysis.planner import kpi_format
    f = kpi_format(res, kpi)
    return "number" if f in ("date", "count") else f


def contrasts_figure(res, ct: pd.DataFrame, ref: int) -> Figure | None:
    """The paired contrasts of every point against the reference (rows of
    `stats.contrast_table`) for SWEEP_KPIS: the mean difference and its paired 95% CI,
    coloured when the interval excludes 0."""
    from analysis.planner import short_label as kpi_label
    if ct.empty:
        return None
    names = point_names(res)
    ids = point_ids(res)
    pts = sorted(int(p) for p in pd.unique(ct["point"]))
    rows = [ids[p] for p in pts]
    panels = []
    data = {}
    for k in [k for k in SWEEP_KPIS if k in set(ct["kpi"])]:
        sub = ct[ct["kpi"] == k].set_index("point").loc[pts]
        first = stats.kpi_meta(k).first_day
        cols = [("reached_diff", "reached_diff_low", "reached_diff_high",
                 f"{kpi_label(res, k).replace(' day', '')} reached: share of runs", "percent")] \
            if first else []
        cols.append(("diff", "diff_low", "diff_high",
                     kpi_label(res, k) + (" (days, if both reached)" if first else ""),
                     "number" if first else _kpi_fmt(res, k)))
        for c, lo, hi, title, fmt in cols:
            d = sub[c].to_numpy(float)
            L, H = sub[lo].to_numpy(float), sub[hi].to_numpy(float)
            sig = np.array([stats.excludes_zero(a, b) for a, b in zip(L, H)])
            p = Panel(title, Axis(f"point − P{ref}", fmt=fmt), Axis("", "category",
                                                                    categories=rows))
            texts = [f"{names[pt]}: {stats.contrast_text(a, b, e)}" for pt, a, b, e in
                     zip(pts, d, L, H)]
            for mask, colour, label in ((sig, MEDIAN, "interval excludes 0"),
                                        (~sig, NEUTRAL, "cannot be told from 0")):
                if mask.any():
                    p.traces.append(Trace("points", label, d[mask], [rows[i] for i in
                                                                     np.flatnonzero(mask)],
                                          xerr=(np.where(np.isnan(L[mask]), d[mask], L[mask]),
                                                np.where(np.isnan(H[mask]), d[mask], H[mask])),
                                          color=colour, text=[texts[i] for i in
                                                              np.flatnonzero(mask)]))
            p.vlines.append(Ref(0.0, "", NEUTRAL, "solid", 1.0))
            panels.append(p)
            data[(k, c)] = {"diff": d, "low": L, "high": H, "excludes_zero": sig}
    cols = min(3, len(panels))
    nrows = math.ceil(len(panels) / cols)
    per = max(150, (26 if len(rows) <= 12 else 17) * len(rows) + 80)
    return Figure("contrasts", f"Paired contrasts against design point {ref}", panels,
                  cols=cols, height=per * nrows + 80, hovermode="closest", data=data)


# ------------------------------------------------------------------------------------------
# Point means

def point_table(res) -> pd.DataFrame:
    """The contract's statistics per point and KPI over the ok runs (summary_table)."""
    return res.summary()


def grid_figure(res, table: pd.DataFrame) -> Figure | None:
    """For a grid over exactly two varying factors: a heat map of the point means (share
    reaching for a first-day KPI) of each of SWEEP_KPIS, each cell with its 95% CI."""
    from analysis.planner import short_label
    vf = varying(res)
    if not is_grid(res) or len(vf) != 2:
        return None
    fa, fb = vf
    fv = res.factor_values
    la = sorted(fv[fa].unique())
    lb = sorted(fv[fb].unique())
    labels = res.factor_labels

    def lab(f, v):
        return _short(labels.get(f, {}).get(v, stats.format_number(v)))
    xa = [lab(fa, v) for v in la]
    yb = [lab(fb, v) for v in lb]
    panels, data = [], {}
    for k in [k for k in SWEEP_KPIS if k in res.kpi_names]:
        first = stats.kpi_meta(k).first_day
        col, lo, hi = ("reached", "reached_low", "reached_high") if first else \
            ("mean", "ci_low", "ci_high")
        z = np.full((len(lb), len(la)), np.nan)
        text = [[""] * len(la) for _ in lb]
        ends = []
        t = table[table["kpi"] == k].set_index("point")
        fmt = "percent" if first else _kpi_fmt(res, k)
        for p in t.index:
            i = lb.index(fv.loc[p, fb])
            j = la.index(fv.loc[p, fa])
            r = t.loc[p]
            z[i, j] = r[col]
            ends += [r[lo], r[hi]]
            text[i][j] = _cell(r[col], r[lo], r[hi], fmt) + (" *" if not first and
                                                              0 < r["n"] < r["runs"] else "")
        # The colours span the intervals, not only the means: a difference well inside the
        # uncertainty stays pale.
        finite = np.r_[z[np.isfinite(z)], np.asarray(ends, float)]
        finite = finite[np.isfinite(finite)]
        zmin, zmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if zmax == zmin:
            zmin, zmax = zmin - 1, zmax + 1
        title = (f"{short_label(res, k).replace(' day', '')} reached: share of runs" if first
                 else f"{short_label(res, k)}, mean")
        p = Panel(title, Axis(factor_label(fa), "category", categories=xa),
                  Axis(factor_label(fb), "category", categories=yb),
                  [Trace("heat", x=xa, y=yb, z=z, text=text, zmin=zmin, zmax=zmax,
                         colorscale=[[0, "#f7fbff"], [1, "#6baed6"]], cell_labels=True)])
        panels.append(p)
        data[k] = z
    cols = min(2, len(panels))
    for i, p in enumerate(panels):
        if i % cols:   # the rows' factor is named once, on the left
            p.y.label = ""
    rows = math.ceil(len(panels) / cols)
    return Figure("grid", f"{factor_label(fa)} × {factor_label(fb)}", panels, cols=cols,
                  height=(120 + 50 * len(lb)) * rows + 60, hovermode="closest",
                  data={"means": data, "x": la, "y": lb, "factors": (fa, fb)})


def _cell(v, lo, hi, fmt) -> str:
    from analysis.planner import value_text
    if v != v:
        return "-"
    if fmt in ("percent", "money"):
        s = value_text(fmt, v)
        return s + (f"\n[{value_text(fmt, lo)}, {value_text(fmt, hi)}]" if lo == lo else "")
    return stats.format_number(v) + (f"\n[{stats.format_number(lo)}, {stats.format_number(hi)}]"
                                     if lo == lo else "")


def response_figure(res, table: pd.DataFrame) -> Figure | None:
    """Each of SWEEP_KPIS against each varying factor: the point means with their 95% CI;
    in a grid the points that share every other factor's values joined by a line; in a
    hypercube a lowess smoother (statsmodels) through the point means."""
    from statsmodels.nonparametric.smoothers_lowess import lowess

    from analysis.planner import short_label
    vf = varying(res)
    if not vf:
        return None
    fv = res.factor_values
    labels = res.factor_labels
    grid = is_grid(res)
    panels, data = [], {}
    kpis = [k for k in SWEEP_KPIS if k in res.kpi_names]
    for k in kpis:
        t = table[table["kpi"] == k].set_index("point")
        first = stats.kpi_meta(k).first_day
        fmt = "number" if first else _kpi_fmt(res, k)
        for f in vf:
            pts = [p for p in t.index if t.loc[p, "n"] > 0]
            x = np.array([fv.loc[p, f] for p in pts], float)
            m = np.array([t.loc[p, "mean"] for p in pts], float)
            lo = np.array([t.loc[p, "ci_low"] for p in pts], float)
            hi = np.array([t.loc[p, "ci_high"] for p in pts], float)
            title = f"{short_label(res, k)}{' (if reached)' if first else ''}"
            xa = Axis(factor_label(f))
            if f in labels:
                ticks = sorted(labels[f])
                xa.ticks, xa.ticklabels = ticks, [_short(labels[f][v]) for v in ticks]
            elif grid and np.unique(x).size <= 12:
                ticks = sorted(np.unique(x))
                xa.ticks, xa.ticklabels = ticks, [stats.format_number(v) for v in ticks]
            p = Panel(title, xa, Axis(f"{'day' if first else ''}".strip() or "", fmt=fmt))
            texts = [f"P{pt}: {stats.format_interval(a, b, c)}" for pt, a, b, c in
                     zip(pts, m, lo, hi)]
            elo, ehi = np.where(np.isnan(lo), m, lo), np.where(np.isnan(hi), m, hi)
            entry = {"x": x, "mean": m, "low": lo, "high": hi, "points": pts}
            others = [g for g in vf if g != f]
            groups: dict = {}
            for i, pt in enumerate(pts):
                groups.setdefault(tuple(fv.loc[pt, g] for g in others), []).append(i)
            if grid and others and len(groups) <= 8:
                for gi, (key, idx) in enumerate(sorted(groups.items())):
                    idx = sorted(idx, key=lambda i: x[i])
                    name = ", ".join(f"{factor_label(g)} = "
                                     + _short(labels.get(g, {}).get(v, stats.format_number(v)))
                                     for g, v in zip(others, key))
                    colour = PALETTE[gi % len(PALETTE)]
                    p.traces.append(Trace("points", name, x[idx], m[idx],
                                          err=(elo[idx], ehi[idx]), color=colour,
                                          text=[texts[i] for i in idx], group=name))
                    p.traces.append(Trace("line", name, x[idx], m[idx], color=colour,
                                          width=1.4, group=name))
            else:
                p.traces.append(Trace("points", "point mean with its 95% CI", x, m,
                                      err=(elo, ehi), color=MEDIAN, opacity=0.85, text=texts))
            if grid and others and len(groups) <= 8:
                pass   # joined per group above
            elif grid and not others:
                order = np.argsort(x)
                p.traces.append(Trace("line", "point means joined", x[order], m[order],
                                      color=MEDIAN, width=1.2))
            elif np.isfinite(m).sum() >= 5 and np.unique(x).size >= 4:
                ok = np.isfinite(m)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    sm = lowess(m[ok], x[ok], frac=0.6, it=1, return_sorted=True)
                p.traces.append(Trace("line", "lowess smoother of the point means", sm[:, 0],
                                      sm[:, 1], color=FLOOR, width=2))
                entry["lowess"] = sm
            panels.append(p)
            data[(k, f)] = entry
    cols = len(vf) if len(vf) <= 3 else 3
    rows = math.ceil(len(panels) / cols)
    return Figure("response", "Each KPI against each factor", panels, cols=cols,
                  height=270 * rows + 110, hovermode="closest", data=data)


def _short(text: str) -> str:
    if len(text) <= 16:
        return text
    if "(" in text:
        m = re.search(r"\b(mean|median)=([^,)]+)", text)
        head = text.split("(", 1)[0]
        return f"{head} {m.group(1)} {m.group(2)}" if m else head
    return text[:15] + "…"


# ------------------------------------------------------------------------------------------
# Effect ranking

#: Cluster-robust errors: by design point (the default: a hypercube's points sample the
#: factor space, and a point's runs share its lack of fit) and by replication (the runs of
#: one replication share their random numbers across points).
CLUSTERS = ("point", "replication")


def effects(res, kpi: str) -> dict:
    """Standardised regression coefficients of `kpi` on the varying factors over the ok runs
    (statsmodels OLS on z-scores of the KPI and the factors, one observation per run), with
    cluster-robust (CR1) 95% intervals and p-values, t with G − 1 degrees of freedom, for
    clusters by design point and by replication. Returns {"kpi", "n", "r2", "rows": [{factor,
    src, ci_low_cluster_point, ...}], "note"}; note says why there is no ranking."""
    import statsmodels.api as sm
    factors = varying(res)
    runs = res.runs[res.ok]
    y = runs[kpi].to_numpy(np.float64)
    X = res.factor_values.loc[runs["point"].to_numpy(), factors].to_numpy(np.float64) \
        if factors else np.zeros((len(runs), 0))
    keep = np.isfinite(y) & np.isfinite(X).all(axis=1)
    y, X = y[keep], X[keep]
    out = {"kpi": kpi, "n": int(y.size), "r2": math.nan, "rows": [], "note": ""}
    if not factors:
        out["note"] = "no factor varies"
        return out
    if y.size < len(factors) + 2:
        out["note"] = f"{y.size} runs with a value: too few"
        return out
    if not y.std() > 0:
        out["note"] = "the KPI takes one value in every run"
        return out
    groups = {"point": runs["point"].to_numpy()[keep],
              "replication": runs["replication"].to_numpy()[keep]}
    Z = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    zy = (y - y.mean()) / y.std(ddof=1)
    model = sm.OLS(zy, sm.add_constant(Z, has_constant="add"))
    base = model.fit()
    out["r2"] = float(base.rsquared)
    rows = [{"factor": f, "src": float(base.params[j + 1])} for j, f in enumerate(factors)]
    for c in CLUSTERS:
        g = np.unique(groups[c], return_inverse=True)[1]
        G = int(g.max()) + 1
        if G < 3:
            for r in rows:
                r.update({f"ci_low_cluster_{c}": math.nan, f"ci_high_cluster_{c}": math.nan,
                          f"p_cluster_{c}": math.nan, f"clusters_{c}": G})
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = model.fit(cov_type="cluster", cov_kwds={"groups": g}, use_t=True)
        ci = np.asarray(fit.conf_int(alpha=0.05))
        pv = np.asarray(fit.pvalues)
        for j, r in enumerate(rows):
            r.update({f"ci_low_cluster_{c}": float(ci[j + 1, 0]),
                      f"ci_high_cluster_{c}": float(ci[j + 1, 1]),
                      f"p_cluster_{c}": float(pv[j + 1]), f"clusters_{c}": G})
    rows.sort(key=lambda r: -abs(r["src"]))
    for i, r in enumerate(rows):
        r["rank"] = i + 1
        lo, hi = r.get("ci_low_cluster_point", math.nan), r.get("ci_high_cluster_point",
                                                                 math.nan)
        r["distinguishable_from_0"] = bool(stats.excludes_zero(lo, hi))
    out["rows"] = rows
    return out


EFFECT_COLUMNS = ["kpi", "factor", "rank", "src", "ci_low_cluster_point",
                  "ci_high_cluster_point", "p_cluster_point", "clusters_point",
                  "ci_low_cluster_replication", "ci_high_cluster_replication",
                  "p_cluster_replication", "clusters_replication", "distinguishable_from_0",
                  "r2", "n", "note"]


def effects_table(res) -> pd.DataFrame:
    """`effects` of every KPI of the file (sensitivity.csv): a row per KPI and factor, or
    one row with the note when the KPI has no ranking."""
    recs = []
    for k in res.kpi_names:
        e = effects(res, k)
        if not e["rows"]:
            recs.append({"kpi": k, "n": e["n"], "r2": e["r2"], "note": e["note"]})
        for r in e["rows"]:
            recs.append({"kpi": k, **r, "r2": e["r2"], "n": e["n"], "note": ""})
    return pd.DataFrame(recs, columns=EFFECT_COLUMNS)


def effects_figure(res, table: pd.DataFrame) -> Figure | None:
    """The effect ranking of SWEEP_KPIS: each factor's standardised coefficient with its 95%
    interval (clusters: design points), strongest first; grey when it cannot be told from
    zero."""
    from analysis.planner import short_label as kpi_label
    panels, data = [], {}
    for k in [k for k in SWEEP_KPIS if k in res.kpi_names]:
        sub = table[(table["kpi"] == k) & table["factor"].notna()]
        if sub.empty:
            continue
        sub = sub.sort_values("rank")
        names = [factor_label(f) for f in sub["factor"]]
        src = sub["src"].to_numpy(float)
        lo = sub["ci_low_cluster_point"].to_numpy(float)
        hi = sub["ci_high_cluster_point"].to_numpy(float)
        sig = sub["distinguishable_from_0"].to_numpy(bool)
        r2 = float(sub["r2"].iloc[0])
        p = Panel(f"{kpi_label(res, k)} (R² {r2:.2f})",
                  Axis("standardised coefficient (SD of KPI per SD of factor)",
                       range=(-1.05, 1.05) if np.nanmax(np.abs(np.r_[lo, hi, src])) <= 1 else None),
                  Axis("", "category", categories=names))
        for mask, colour, label in ((sig, MEDIAN, "effect (interval excludes 0)"),
                                    (~sig, NEUTRAL, "cannot be told from 0")):
            if mask.any():
                idx = np.flatnonzero(mask)
                p.traces.append(Trace(
                    "points", label, src[mask], [names[i] for i in idx],
                    xerr=(np.where(np.isnan(lo[mask]), src[mask], lo[mask]),
                          np.where(np.isnan(hi[mask]), src[mask], hi[mask])),
                    color=colour, text=[f"{names[i]}: {stats.format_interval(src[i], lo[i], hi[i])}"
                                        for i in idx]))
        p.vlines.append(Ref(0.0, "", NEUTRAL, "solid", 1.0))
        panels.append(p)
        data[k] = {"factors": list(sub["factor"]), "src": src, "low": lo, "high": hi,
                   "distinguishable": sig, "r2": r2}
    if not panels:
        return None
    cols = min(2, len(panels))
    rows = math.ceil(len(panels) / cols)
    nf = len(varying(res))
    return Figure("effects", "Effect ranking", panels, cols=cols,
                  height=(110 + 44 * nf) * rows + 80, hovermode="closest", data=data)


# ------------------------------------------------------------------------------------------
# Cost against readiness

def cost_figure(res, table: pd.DataFrame) -> Figure | None:
    """Each design point's mean cost against its mean share of billets filled and its deepest
    dip after FOC, both with their 95% CIs."""
    if "cost_usd" not in res.kpi_names:
        return None
    names = point_names(res)
    t = table.set_index(["kpi", "point"])
    pts = sorted(int(p) for p in table["point"].unique())
    colours = point_colours(res, pts)
    panels, data = [], {}
    for k, title in (("mean_filled_frac", "Mean share of billets filled"),
                     ("min_filled_frac", "Deepest dip after FOC")):
        if k not in res.kpi_names:
            continue
        p = Panel(f"Cost against {title[:1].lower()}{title[1:]}",
                  Axis("cost, mean over the point's runs (million USD)", fmt="money"),
                  Axis(f"{title}, mean", fmt="percent"))
        rows = []
        for pt in pts:
            c, r = t.loc[("cost_usd", pt)], t.loc[(k, pt)]
            if c["mean"] != c["mean"] or r["mean"] != r["mean"]:
                continue
            rows.append((pt, c, r))
            p.traces.append(Trace(
                "points", names[pt] if len(pts) <= 12 else "", np.array([c["mean"]]),
                np.array([r["mean"]]),
                err=(np.array([_or(r["ci_low"], r["mean"])]), np.array([_or(r["ci_high"], r["mean"])])),
                xerr=(np.array([_or(c["ci_low"], c["mean"])]), np.array([_or(c["ci_high"], c["mean"])])),
                color=colours[pt], group=names[pt],
                text=[f"{names[pt]}: cost ${c['mean'] / 1e6:,.1f}M, {title} "
                      f"{100 * r['mean']:.1f}%"]))
        if not rows:
            continue
        panels.append(p)
        data[k] = {pt: (float(c["mean"]), float(r["mean"])) for pt, c, r in rows}
    if not panels:
        return None
    return Figure("cost", "Cost against readiness across design points", panels,
                  cols=len(panels), height=430 + (21 * math.ceil(len(pts) / 3)
                                                  if len(pts) <= 12 else 0),
                  hovermode="closest", data=data, caption=colour_note(res, pts))


def _or(v, default):
    return default if v != v else v


# ------------------------------------------------------------------------------------------
# Sections

def figure(res, fig_id: str):
    """One sweep figure by id (`plot`)."""
    table = res.summary()
    if fig_id in ("points_filled", "points_reach", "points_closures"):
        views = point_views(res)
        return {"points_filled": points_filled_figure, "points_reach": points_reach_figure,
                "points_closures": points_closures_figure}[fig_id](res, views)
    if fig_id == "contrasts":
        ref, ct = reference_contrasts(res)
        return None if ref is None else contrasts_figure(res, ct, ref)
    if fig_id == "grid":
        return grid_figure(res, table)
    if fig_id == "response":
        return response_figure(res, table)
    if fig_id == "effects":
        return effects_figure(res, effects_table(res))
    if fig_id == "cost":
        return cost_figure(res, table)
    raise InputError(f"unknown figure {fig_id!r}")


def reference_contrasts(res):
    """(reference point, contrast_table of every KPI): the reference is the first point with
    ok runs (point 0 unless a shard lacks it); (None, None) with fewer than two such points."""
    ok_points = sorted(int(p) for p in pd.unique(res.runs["point"][res.ok]))
    if len(ok_points) < 2:
        return None, None
    ref = ok_points[0]
    return ref, stats.contrast_table(res.runs, ref, res.kpi_names, ok=res.ok,
                                     units=res.kpi_units)


def sweep_sections(res, table: pd.DataFrame):
    """The sections of a sweep's report and its CSV files {name: text}."""
    from analysis import report as rp
    from analysis.report import Section
    views = point_views(res)
    csvs = {"kpis_by_point.csv": stats.csv_text(table)}
    secs = []
    vf = varying(res)
    sw = (res.sweep or {}).get("sweep", {}) if isinstance(res.sweep, dict) else {}
    design = str(sw.get("design", "grid"))

    s = Section("design", "Design")
    if res.is_optimize:   # the alternatives of `mss optimize`: replications differ
        s.para(Markup("The {n} alternatives of <code>mss optimize</code> as design points, "
                      "each with the replications the procedure gave it (an eliminated one "
                      "has fewer; the runs column says how many); common random numbers: "
                      "replication r draws the same random numbers in every alternative, so "
                      "they are compared run against run. Figures and tables show every point "
                      "on its own, never pooled.").format(n=res.n_points))
    else:
        s.para(Markup("{n} design points × {r} replications, design <b>{d}</b>; common random "
                      "numbers: replication r draws the same random numbers at every point, so "
                      "points are compared run against run. Figures and tables show every "
                      "point on its own, never pooled.").format(n=res.n_points,
                                                                r=res.replications, d=design))
    header = ["point"] + [Markup("{}<br><code>{}</code>").format(factor_label(f), f)
                          for f in res.factors] + ["runs"]
    kp = [k for k in SWEEP_KPIS if k in res.kpi_names]
    from analysis.planner import kpi_label
    for k in kp:
        header.append(Markup("{}<br><code>{}</code>{}").format(
            kpi_label(res, k), k, " reached [95% CI]" if stats.kpi_meta(k).first_day
            else " mean [95% CI]"))
    rows = []
    for p in sorted(int(x) for x in res.points["point"]):
        sub = table[table["point"] == p].set_index("kpi")
        if sub.empty:
            continue
        cells = [str(p)] + stats.factor_text(res, p) + [str(int(sub["runs"].iloc[0]))]
        for k in kp:
            r = sub.loc[k]
            cells.append(stats.format_interval(r["reached"], r["reached_low"], r["reached_high"])
                         if stats.kpi_meta(k).first_day else stats.mean_text({**r, "kpi": k}))
        rows.append(rp.Row(cells, key=str(p)))
    lead = 2 + len(res.factors)
    s.table(header, rows, "l" * (lead - 1) + "r" * (len(header) - lead + 1), id="points",
            note="The mean [95% CI] over each point's ok runs (docs/statistics.md), for a "
                 "first-day KPI the share of runs reaching it [Wilson 95% CI]; <code>*</code> "
                 "a mean over fewer runs than the ok runs. The same as <code>mss summary</code> "
                 "of this file.")
    if res.factor_labels:
        s.para(Markup("Factors whose values are not numbers (") + Markup(", ").join(
            Markup("<code>{}</code>").format(f) for f in res.factor_labels) + Markup(
            ") are placed at the level's mean (or median) where it has one, else at its index "
            "in the sweep file."))
    secs.append(s)

    s = Section("points-filled", "Filled billets per design point")
    pf = points_filled_figure(res, views)
    s.figure(pf, Markup(
        "Each design point's median filled billets over its runs (<code>/series/filled</code>, "
        "all contingents); with at most four points, each point's 90% band too. Click a "
        "point in the legend to hide it, double-click to show it alone.") + pf.caption)
    s.figure(points_reach_figure(res, views), Markup(
        "The share of each point's runs that have reached FOC by each date."))
    secs.append(s)

    ref, ct = reference_contrasts(res)
    s = Section("contrasts", "Paired contrasts")
    if ref is None:
        s.para("Fewer than two design points have ok runs: no contrast.")
    else:
        csvs["contrasts.csv"] = stats.csv_text(ct)
        desc = ", ".join(f"{factor_label(f)} = {v}" for f, v in zip(res.factors,
                                                                    stats.factor_text(res, ref)))
        s.figure(contrasts_figure(res, ct, ref), Markup(
            "Each point P minus the reference P{r} ({d}), replication by replication (common "
            "random numbers): the mean paired difference and its paired 95% t-interval "
            "(docs/statistics.md \"Paired contrasts\"); dark where the interval excludes 0, "
            "grey where the difference cannot be told from 0. For FOC, the difference in the "
            "share of runs reaching it, and the difference in the day over the replications "
            "where both reached it.").format(r=ref, d=desc))
        _contrast_table(s, res, ct, ref)
    secs.append(s)

    grid_fig = grid_figure(res, table)
    s = Section("factors", "The factors")
    if grid_fig is not None:
        s.figure(grid_fig, Markup(
            "A cell per design point of the grid: the mean over its runs with its 95% CI "
            "(for FOC the share of runs reaching it with its Wilson interval). Darker: larger."))
    s.figure(response_figure(res, table), Markup(
        "Each KPI's mean over a point's runs (with its 95% CI) against each factor that "
        "varies. ") + (Markup("In a grid, lines join the points that share the other factors' "
                              "values, so an interaction shows as lines that are not parallel.")
                       if is_grid(res) else Markup(
            "The red line is a lowess smoother (statsmodels, a local linear fit to 60% of the "
            "points) through the point means: the shape of the response, not a model.")))
    eff = effects_table(res)
    csvs["sensitivity.csv"] = _csv(eff)
    if not is_grid(res):
        s.figure(effects_figure(res, eff), Markup(
            "Standardised regression coefficients: each KPI and each factor standardised "
            "(z-scores), the KPI regressed on all factors at once by least squares over the "
            "runs (statsmodels OLS), so a coefficient is the change of the KPI in standard "
            "deviations per standard deviation of the factor, the others held fixed; sorted by "
            "size. The 95% intervals are cluster-robust (CR1, t with G − 1 degrees of "
            "freedom) with the design points as clusters: a point's runs share its place in "
            "the factor space and any lack of fit of the linear model there. An effect whose "
            "interval contains 0 <b>cannot be told from zero</b> (grey). R² is the share of "
            "the run-to-run variance the linear model explains: when it is low, replication "
            "noise dominates or the response is not linear (see the smoother above). "
            "<code>sensitivity.csv</code> has every KPI, and intervals with the replications "
            "as clusters too (columns named by the method)."))
        _effects_table(s, res, eff)
    elif len(vf) >= 1:
        s.para(Markup("In a grid the factors' effects are the paired contrasts above, measured "
                      "point against point; <code>sensitivity.csv</code> holds standardised "
                      "regression coefficients of every KPI too (cluster-robust intervals by "
                      "design point and by replication)."))
    secs.append(s)

    s = Section("cost", "Cost against readiness")
    cf = cost_figure(res, table)
    s.figure(cf, Markup(
        "Each design point's mean cost (airlift, transfers, per diem, allowances, base) "
        "against its mean share of billets filled and its deepest dip after FOC, with both 95% CIs: up and to the left "
        "is more readiness for less money. Hover for the point.")
        + (cf.caption if cf is not None else ""))
    secs.append(s)

    s = Section("closures", "Closures per design point")
    s.figure(points_closures_figure(res, views), Markup(
        "From <code>/series/airport_closed</code>: the share of each day the main gateway was "
        "closed to all operator classes, averaged over each point's runs (summed over the days "
        "it is the mean of the KPI <code>airport_closed_days</code>); bans on one class while "
        "others fly are drawn apart."))
    secs.append(s)

    s = Section("kpis", "KPIs per design point")
    s.para(Markup(rp.KPI_NOTES) + Markup(" A table per KPI with a row per design point; "
                                         "<code>kpis_by_point.csv</code> holds them to 17 "
                                         "significant digits (what <code>mss summary "
                                         "--csv</code> prints)."))
    rp.kpi_by_point_tables(s, res, table, str(res.day_dates[0]))
    rp.contingent_table(s, res, sorted(int(p) for p in res.points["point"]))
    secs.append(s)
    secs.append(rp.provenance_section(res))
    return secs, csvs


def _csv(df: pd.DataFrame) -> str:
    return df.to_csv(index=False, float_format="%.17g", na_rep="")


def _contrast_table(s, res, t: pd.DataFrame, ref: int) -> None:
    from analysis import report as rp
    kpis = [k for k in SWEEP_KPIS if k in res.kpi_names] or res.kpi_names
    ok_points = sorted(int(p) for p in pd.unique(res.runs["point"][res.ok]))
    ok_reps = {p: set(res.runs["replication"][res.ok & (res.runs["point"] == p).to_numpy()])
               for p in ok_points}
    header = ["point"] + [factor_label(f) for f in res.factors] + ["pairs"]
    for k in kpis:
        header += ([Markup("<code>{}</code> reached").format(k),
                    Markup("<code>{}</code> day if both reached").format(k)]
                   if stats.kpi_meta(k).first_day else [Markup("<code>{}</code>").format(k)])
    rows = []
    partial = False
    for p, sub in t.groupby("point", sort=True):
        sub = sub.set_index("kpi")
        both = len(ok_reps.get(int(p), set()) & ok_reps[ref])
        cells = [str(p)] + stats.factor_text(res, int(p)) + [str(both)]
        for k in kpis:
            r = sub.loc[k]
            if stats.kpi_meta(k).first_day:
                cells.append(stats.contrast_text(r["reached_diff"], r["reached_diff_low"],
                                                 r["reached_diff_high"]))
            cell = stats.contrast_text(r["diff"], r["diff_low"], r["diff_high"])
            if r["pairs"] < both:
                cell += f" ({int(r['pairs'])})"
                partial = True
            cells.append(cell)
        rows.append(rp.Row(cells, key=str(p)))
    lead = 2 + len(res.factors)
    s.table(header, rows, "l" * (lead - 1) + "r" * (len(header) - lead + 1),
            title=f"Paired contrasts against design point {ref}", id="contrasts",
            note=Markup(
                "A cell is the mean difference P − P{r} [paired 95% CI] over the replications "
                "where both runs are ok and have a value, clipped to the range a difference can "
                "take; <code>pairs</code> counts the replications with both runs ok{m}. For a "
                "first-day KPI, <i>reached</i> is the difference in the share of runs reaching "
                "it, and <i>day if both reached</i> the difference in the day where both "
                "reached it. <code>*</code>: the interval excludes 0. Every KPI is in "
                "<code>contrasts.csv</code> (what <code>mss summary --vs {r} --csv</code> "
                "prints).").format(r=ref, m=Markup("; <code>(m)</code> after a cell: only m of "
                                                   "them had both values") if partial else ""))


def _effects_table(s, res, eff: pd.DataFrame) -> None:
    from analysis import report as rp
    fn = stats.format_number
    rows = []
    for k, sub in eff.groupby("kpi", sort=False):
        if sub["factor"].isna().all():
            rows.append(rp.Row([rp.kpi_cell(res, k), str(int(sub["n"].iloc[0])), "-",
                                sub["note"].iloc[0]], key=k))
            continue
        sub = sub.sort_values("rank")
        rank = Markup("; ").join(
            Markup("{}. {} {}{}").format(
                int(r["rank"]), factor_label(r["factor"]),
                stats.format_interval(r["src"], r["ci_low_cluster_point"],
                                      r["ci_high_cluster_point"]),
                "" if r["distinguishable_from_0"] else " (cannot be told from 0)")
            for r in sub.to_dict("records"))
        rows.append(rp.Row([rp.kpi_cell(res, k), str(int(sub["n"].iloc[0])),
                            fn(sub["r2"].iloc[0]), rank], key=k))
    s.table(["KPI", "runs", "R²", "factors ranked by |coefficient|: coefficient [95% CI, "
             "clusters = design points]"], rows, "lrrl", title="Effect ranking of every KPI",
            id="effects")
