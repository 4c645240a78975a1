"""`compare A B` as an HTML page: the two files' filled billets overlaid, the paired
difference B − A over time with its 95% band, P(FOC by date) of both, and the KPI difference
table of the statistics contract (`stats.compare_table`), per design point, never pooled.

Runs are paired by (point, replication) (`stats.match_runs`); only pairs in which both runs
are ok count. The band of the difference on a day is the paired t-interval of the contract
(docs/statistics.md "Paired contrasts") applied to that day's differences.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from markupsafe import Markup

from analysis import stats
from analysis.figure import AUTH, FLOOR, NEUTRAL, PALETTE, Axis, Figure, Panel, Ref, Trace, \
    padded_range

A_COLOUR, B_COLOUR = "#2166ac", "#d6604d"
#: Design points drawn one panel each; more share one panel (medians and means only).
MAX_PANELS = 6


def paired_band(d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per day (column) of differences d [pair, day]: the mean and its paired 95%
    t-interval, mean ± t(0.975, m − 1) · sd / √m (NaN with fewer than two pairs; the mean
    itself where every difference is equal)."""
    m = d.shape[0]
    mean = d.mean(axis=0) if m else np.full(d.shape[1], np.nan)
    if m < 2:
        return mean, np.full_like(mean, np.nan), np.full_like(mean, np.nan)
    sd = d.std(axis=0, ddof=1)
    same = (d == d[0]).all(axis=0)
    sd = np.where(same, 0.0, sd)
    mean = np.where(same, d[0], mean)
    half = stats.t975(m - 1) * sd / math.sqrt(m)
    return mean, mean - half, mean + half


def _pair_arrays(a, b, pairs: pd.DataFrame, point: int):
    """Row indices into A's and B's runs of the ok pairs of design point `point`."""
    ok = pairs[pairs["ok_a"].to_numpy(bool) & pairs["ok_b"].to_numpy(bool)
               & (pairs["point"].to_numpy() == point)]
    ka = a.runs.reset_index().set_index(["point", "replication"])["index"]
    kb = b.runs.reset_index().set_index(["point", "replication"])["index"]
    keys = list(zip(ok["point"], ok["replication"]))
    return ka.loc[keys].to_numpy(), kb.loc[keys].to_numpy()


def compare_figures(a, b, pairs: pd.DataFrame):
    from analysis.planner import FAN, fan, reach_by_day
    fa = a.series_values("filled").sum(axis=2, dtype=np.float64)
    fb = b.series_values("filled").sum(axis=2, dtype=np.float64)
    D = min(fa.shape[1], fb.shape[1])
    dates = a.day_dates[:D]
    same_dates = (a.day_dates[:D] == b.day_dates[:D]).all()
    points = sorted(int(p) for p in pd.unique(pairs["point"]))
    many = len(points) > MAX_PANELS
    name_a, name_b = f"A: {a.path.name}", f"B: {b.path.name}"
    auth = a.authorised()
    data = {"diff": {}, "a": {}, "b": {}, "pairs": {}}
    over, diff = [], []
    if many:
        over = [Panel("Filled billets, median over each point's paired runs",
                      Axis("", "date", "date"), Axis("billets filled", fmt="count"))]
        diff = [Panel("B − A, mean paired difference per point", Axis("", "date", "date"),
                      Axis("billets filled, B − A", fmt="number"))]
    for i, p in enumerate(points):
        ia, ib = _pair_arrays(a, b, pairs, p)
        va, vb = fa[ia, :D], fb[ib, :D]
        m = len(ia)
        data["pairs"][p] = m
        if m == 0:
            continue
        qa, qb = fan(va), fan(vb)
        d_mean, d_lo, d_hi = paired_band(vb - va)
        data["a"][p], data["b"][p] = qa, qb
        data["diff"][p] = (d_mean, d_lo, d_hi)
        label = f"design point {p}" if len(points) > 1 else ""
        colour = PALETTE[i % len(PALETTE)]
        if many:
            over[0].traces += [
                Trace("line", f"P{p}: A", dates, qa[2], color=colour, width=1.4,
                      group=f"P{p}", hover="%{y:,.0f}"),
                Trace("line", f"P{p}: B", dates, qb[2], color=colour, dash="dash", width=1.4,
                      group=f"P{p}", hover="%{y:,.0f}")]
            diff[0].traces.append(Trace("line", f"P{p}", dates, d_mean, color=colour,
                                        width=1.4, hover="%{y:,.1f}"))
            continue
        top = max(float(np.nanmax(qa[4])), float(np.nanmax(qb[4])), float(auth.total or 0))
        po = Panel(("Filled billets, " + label + f" ({m} pairs of ok runs)").replace(", (", " ("),
                   Axis("", "date", "date"), Axis("billets filled", fmt="count",
                                                  range=padded_range(0, top, 0.06)))
        for q, nm, c in ((qa, name_a, A_COLOUR), (qb, name_b, B_COLOUR)):
            po.traces += [Trace("band", f"{nm}: 90% of runs", dates, q[4], q[0], color=c,
                                opacity=0.15),
                          Trace("line", f"{nm}: median", dates, q[2], color=c, width=2,
                                hover="%{y:,.0f}")]
        if auth.total is not None:
            po.hlines.append(Ref(auth.total, f"authorised strength (A): {auth.total:,.0f}",
                                 AUTH, "solid"))
        if auth.floor is not None:
            po.hlines.append(Ref(auth.floor, f"floor (A): {auth.floor:,.0f}", FLOOR, "dash"))
        over.append(po)
        lo_all = np.nanmin(np.r_[d_lo, d_mean]) if np.isfinite(d_lo).any() else np.nanmin(d_mean)
        hi_all = np.nanmax(np.r_[d_hi, d_mean]) if np.isfinite(d_hi).any() else np.nanmax(d_mean)
        span = max(1.0, hi_all - lo_all)
        pd_ = Panel(("B − A, " + label + " paired by replication").replace(",  ", ", "),
                    Axis("", "date", "date"),
                    Axis("billets filled, B − A", fmt="number",
                         range=(lo_all - 0.08 * span, hi_all + 0.08 * span)))
        if np.isfinite(d_lo).any():
            pd_.traces.append(Trace("band", "95% paired t-interval of the mean difference",
                                    dates, d_hi, d_lo, color=NEUTRAL, opacity=0.25,
                                    text=("interval low", "interval high"), hover="%{y:,.1f}"))
        pd_.traces.append(Trace("line", "mean paired difference B − A", dates, d_mean,
                                color="#252525", width=1.8, hover="%{y:,.1f}"))
        pd_.hlines.append(Ref(0.0, "no difference", NEUTRAL, "dot", 1.0))
        diff.append(pd_)
    figs = []
    n_over = len(over)
    figs.append(Figure("compare_filled", "Filled billets of A and B", over, share_x=not many,
                       height=(120 + 300 * n_over) if not many else 520,
                       data={"a": data["a"], "b": data["b"], "pairs": data["pairs"],
                             "percentiles": FAN, "same_dates": bool(same_dates)}))
    figs.append(Figure("compare_diff", "The paired difference B − A over time", diff,
                       share_x=not many, height=(110 + 250 * len(diff)) if not many else 480,
                       data={"diff": data["diff"], "pairs": data["pairs"]}))
    if "days_to_foc" in a.kpi_names and "days_to_foc" in b.kpi_names:
        pr = Panel("Share of runs that have reached FOC by each date",
                   Axis("", "date", "date"), Axis("share of the paired ok runs", fmt="percent",
                                                  range=(0, 1.02)))
        shares = {}
        for i, p in enumerate(points):
            ia, ib = _pair_arrays(a, b, pairs, p)
            if not len(ia):
                continue
            suffix = f" P{p}" if len(points) > 1 else ""
            for res, idx, nm, c, dash in ((a, ia, "A", A_COLOUR, "solid"),
                                          (b, ib, "B", B_COLOUR, "dash")):
                k = reach_by_day(res.runs["days_to_foc"].to_numpy(float)[idx], D)
                shares[(p, nm)] = k / len(idx)
                pr.traces.append(Trace("step", f"{nm}{suffix}", dates, k / len(idx),
                                       color=c if len(points) == 1 else PALETTE[i % 10],
                                       dash=dash, width=1.8, hover="%{y:.1%}"))
        figs.append(Figure("compare_reach", "P(FOC by date), A and B", [pr], height=400,
                           data={"share": shares}))
    return figs


def compare_sections(a, b, pairs: pd.DataFrame, table: pd.DataFrame, same_seed: bool):
    from analysis import report as rp
    from analysis.report import Section
    figs = {f.id: f for f in compare_figures(a, b, pairs)}
    secs = []
    s = Section("files", "The two files")
    s.table(["", "file", "scenario", "runs", "ok runs", "design points"], [
        ["A", str(a.path), a.scenario_name, str(a.n_runs), str(int(a.ok.sum())), str(a.n_points)],
        ["B", str(b.path), b.scenario_name, str(b.n_runs), str(int(b.ok.sum())), str(b.n_points)]],
        "lllrrr", id="files")
    s.para(Markup("{n} runs matched by (point, replication); {ua} runs of A and {ub} of B have "
                  "no partner. ").format(n=len(pairs), ua=a.n_runs - len(pairs),
                                         ub=b.n_runs - len(pairs))
           + (Markup("The matched runs share their master seed, so common random numbers pair "
                     "them and the differences are tight.") if same_seed else Markup(
               "<b>The matched runs do not all share their master seed</b>: the pairs are "
               "independent, the intervals remain valid but are not tightened by common "
               "random numbers.")))
    secs.append(s)
    s = Section("strength", "Filled billets of A and B")
    s.figure(figs["compare_filled"], Markup(
        "Billets filled by an incumbent on duty (all contingents) over the paired ok runs of "
        "each file: the median and the 90% band (5th–95th percentile of each day). Click a "
        "name in the legend to hide it."))
    s.figure(figs["compare_diff"], Markup(
        "On each day, the mean over the pairs of B's filled billets minus A's, run against run "
        "(same design point and replication), with its paired 95% t-interval "
        "(docs/statistics.md \"Paired contrasts\", day by day). Where the band excludes 0, B "
        "differs from A on that day."))
    if "compare_reach" in figs:
        s.figure(figs["compare_reach"], Markup(
            "The share of the paired ok runs that have reached FOC by each date: A solid, B "
            "dashed."))
    secs.append(s)
    s = Section("kpis", "KPI differences")
    s.para(Markup(rp.COMPARE_NOTES) + Markup(" <code>compare.csv</code> holds the table to 17 "
                                             "significant digits."))

    def code(k, suffix):
        return Markup("<code>{}</code>{}").format(k, suffix)
    for title, rows in rp.compare_blocks(a, pairs, table, code=code):
        s.table(rp.COMPARE_HEADER, rows, "llrrrr", title=title[:1].upper() + title[1:],
                id=f"compare-{title.split(':')[0].replace(' ', '-')}")
    secs.append(s)
    s = Section("provenance", "Provenance")
    for name, res in (("A", a), ("B", b)):
        info = res.info
        s.para(Markup("<b>{}</b>: {} — mss {}, commit {}, written {}; command <code>{}</code>"
                      ).format(name, res.path, info.get("mss_version", "?"),
                               info.get("git_commit", "?"), info.get("created_utc", "?"),
                               info.get("command_line", "?")))
        s.pre(f"The resolved scenario of {name}", res.scenario_toml)
    secs.append(s)
    return secs
