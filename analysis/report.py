"""The `report` and `compare` outputs: PNG figures, CSV tables and a Markdown summary.

File names in the output directory are fixed (docs/analysis.md lists them) so that scripts
and tests can find them.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import plots, stats
from analysis.results import InputError, iso_today, same_file


def _md_table(header: list[str], rows: list[list[str]], align: str | None = None) -> str:
    align = align or ("l" + "r" * (len(header) - 1))
    sep = ["---:" if a == "r" else "---" for a in align]
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out) + "\n"


#: The statistics columns of the report's KPI tables (docs/statistics.md "Per KPI").
STAT_HEADER = ["n/runs", "reached [95% CI]", "mean [95% CI]", "sd", "P10", "P50", "P90", "min",
               "max"]


def _stat_rows(row: dict, start: str, reached: bool) -> list[list[str]]:
    """The statistics cells of one `stats.summary_table` row (STAT_HEADER, without the
    `reached` column unless `reached`), and for a first-day KPI a second row: its dates
    (mean and CI, P10, P50, P90, min, max as start + day) when the start date is known."""
    fn = stats.format_number
    first = stats.kpi_meta(row["kpi"]).first_day
    cells = [f"{row['n']}/{row['runs']}"]
    if reached:
        cells.append(stats.format_interval(row["reached"], row["reached_low"],
                                           row["reached_high"]) if first else "")
    cells += [stats.mean_text(row)] + [fn(row[c]) for c in ("sd", "p10", "p50", "p90", "min",
                                                            "max")]
    rows = [cells]
    if first and start:
        mean, *rest = stats.date_texts(start, row)
        rows.append([""] + ([""] if reached else []) + [mean, ""] + rest)
    return rows


def kpi_md_table(table: pd.DataFrame, start: str) -> str:
    """The per-KPI table of one design point (rows of `stats.summary_table`) in Markdown: a
    row per KPI, and a `date` row under each first-day KPI."""
    recs = table.to_dict("records")
    reached = any(stats.kpi_meta(r["kpi"]).first_day for r in recs)
    header = ["KPI", "unit"] + [h for h in STAT_HEADER if reached or not h.startswith("reached")]
    rows = []
    for r in recs:
        first, *dates = _stat_rows(r, start, reached)
        rows.append([f"`{r['kpi']}`", r["unit"]] + first)
        rows += [["date", ""] + d for d in dates]
    return _md_table(header, rows, "ll" + "r" * (len(header) - 2))


def kpi_by_point_md_tables(res, table: pd.DataFrame, start: str) -> str:
    """The statistics of several design points (rows of `stats.summary_table`) in Markdown:
    a table per KPI with a row per design point (its factor values after `point`)."""
    blocks = []
    for kpi, sub in table.groupby("kpi", sort=False):
        recs = sub.to_dict("records")
        reached = stats.kpi_meta(kpi).first_day
        header = (["point"] + [f"`{f}`" for f in res.factors]
                  + [h for h in STAT_HEADER if reached or not h.startswith("reached")])
        rows = []
        for r in recs:
            first, *dates = _stat_rows(r, start, reached)
            lead = [str(r["point"])] + stats.factor_text(res, r["point"])
            rows.append(lead + first)
            rows += [["date"] + [""] * len(res.factors) + d for d in dates]
        unit = recs[0]["unit"]
        blocks.append(f"#### `{kpi}`" + (f" ({unit})" if unit else "") + "\n\n"
                      + _md_table(header, rows, "l" * (1 + len(res.factors))
                                  + "r" * (len(header) - 1 - len(res.factors))))
    return "\n".join(blocks)


KPI_NOTES = (
    "Each design point's statistics are over its ok runs (failed runs are left out; "
    "`runs` counts the ok ones), by the rules of docs/statistics.md, the same numbers as "
    "`mss summary`: n/runs (runs with a value / ok runs), the mean and its 95% confidence "
    "interval (Student t, clipped to the KPI's possible range), the sample sd, the 10th, "
    "50th and 90th percentiles (numpy's linear definition), min and max. A KPI that some "
    "runs never reach (`days_to_ioc`, `days_to_foc`) first gives the share of runs reaching "
    "it with its 95% Wilson interval; its mean, CI and sd are over the runs that reached it "
    "(`if reached`), and its percentiles, min and max count a run that never reached it as "
    "beyond the horizon (`never`); its `date` row shows the same statistics as calendar "
    "dates (start + day). `*` marks a mean over fewer runs than the ok runs (a KPI without a "
    "value in some runs, e.g. the gap after an FOC some runs never reach). `-`: no value.")


def _join(blocks: list[str]) -> str:
    """Markdown blocks (headings, paragraphs, tables, images) separated by blank lines."""
    return "\n\n".join(b.strip("\n") for b in blocks if b.strip()) + "\n"


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


@contextlib.contextmanager
def staged(outdir: str | Path, inputs=()):
    """Yields a new hidden directory beside `outdir` to write the output files into. When
    the block succeeds they are moved into `outdir` (created if needed), the Markdown file
    last; when it fails or is interrupted they are deleted, with the directories made for
    them. So `outdir` never receives a partial set of files, and no file of `inputs` is
    overwritten."""
    out = Path(outdir)
    if os.path.exists(out) and not os.path.isdir(out):
        raise InputError(f"{out}: exists and is not a directory (-o names an output "
                         "directory)")
    made = [d for d in out.absolute().parents if not os.path.exists(d)]  # innermost first
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    except OSError as e:
        _remove_empty(made)
        raise InputError(f"{out}: cannot create the output directory: "
                         f"{e.strerror or e}") from e
    try:
        yield tmp
        files = sorted(tmp.iterdir(), key=lambda f: f.suffix == ".md")
        try:
            for f in files:
                dst = out / f.name
                if any(same_file(dst, i) for i in inputs):
                    raise InputError(f"{dst}: is an input file; choose another output "
                                     "directory")
            if not os.path.exists(out):
                umask = os.umask(0)
                os.umask(umask)
                tmp.chmod(0o777 & ~umask)   # mkdtemp makes it private
                os.rename(tmp, out)
            else:
                for f in files:
                    os.replace(f, out / f.name)
        except OSError as e:
            raise InputError(f"{out}: cannot write the output: {e.strerror or e}") from e
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        _remove_empty(made)
        raise
    shutil.rmtree(tmp, ignore_errors=True)


def _remove_empty(dirs) -> None:
    """Removes the directories of `dirs` (innermost first) that are empty."""
    for d in dirs:
        with contextlib.suppress(OSError):
            d.rmdir()


def write_report(res, outdir: str | Path, sweep: str = "auto", point: int | None = None) -> list:
    """Writes the report of `res` into `outdir`; returns the files written.

    sweep: "auto" (sweep sections when the file is a sweep), "yes" (required: InputError
    on a plain run), "no". point: restrict every section but the sweep ones to one design
    point."""
    if sweep == "yes" and not res.is_sweep:
        raise InputError(f"{res.path}: sweep plots requested, but this is a plain run "
                         "(no sweep text in /scenario, no factor columns in /points); "
                         "sweep plots need a file written by `mss sweep`")
    do_sweep = res.is_sweep and sweep != "no"
    if do_sweep and not res.factors:
        if sweep == "yes":
            raise InputError(f"{res.path}: the sweep has no factor columns in /points")
        do_sweep = False
    mask = res.runs_of_point(point) if point is not None else None
    with staged(outdir, [res.path]) as tmp:
        written = _write_report(res, tmp, do_sweep, point, mask)
    return [Path(outdir) / p.name for p in written]


def _write_report(res, out: Path, do_sweep: bool, point, mask) -> list:
    what = None
    if point is not None:
        desc = ", ".join(f"{k} = {v}" for k, v in zip(res.factors,
                                                       stats.factor_text(res, point)))
        what = f"design point {point}" + (f" ({desc})" if desc else "")
    elif res.is_sweep:
        what = f"all {res.n_points} design points pooled"
    written = []

    def save(fig, name):
        path = plots.save(fig, out / name)
        written.append(path)
        return path.name

    points = [point] if point is not None else sorted(int(p) for p in res.points["point"])
    table = res.summary(points=points)
    (out / "kpis.csv").write_text(stats.csv_text(table))
    written.append(out / "kpis.csv")
    start = stats.start_date_of(res)
    fn = stats.format_number

    ok_in = int(res.ok[mask].sum()) if mask is not None else int(res.ok.sum())
    n_in = int(mask.sum()) if mask is not None else res.n_runs
    strength_png = save(plots.strength_figure(res, mask, what=what and f"{what}, {ok_in} runs"),
                        "strength.png")
    airport_png = save(plots.airport_figure(res, mask, what=what and f"{what}, {ok_in} runs"),
                       "airport.png")
    kpi_png = save(plots.kpi_figure(res, mask, what=what and f"{what}, {n_in} runs"),
                   "kpis.png")

    md = []
    title = f"# mss-sim report: scenario `{res.scenario_name}`"
    md.append(title + "\n")
    md.append(f"Written {iso_today()} by `python3 -m analysis report` from `{res.path}`.\n")
    info = res.info
    auth = res.authorised(mask)   # billets and floor at the selected design points
    billets = auth.billets or {}
    why = f" ({auth.note})" if auth.note else ""
    floor_txt = (f"{fn(auth.floor)} filled billets (kpis.floor_frac = {fn(auth.floor_frac)} × total "
                 "billets)" if auth.floor is not None else f"not shown: unknown{why}")
    meta = [
        ["results file", f"`{res.path}` ({info.get('format', '?')})"],
        ["written by", f"mss {info.get('mss_version', '?')}, commit "
                       f"`{info.get('git_commit', '?')}`, {info.get('build_type', '?')} build, "
                       f"{info.get('created_utc', '?')}"],
        ["command line", f"`{info.get('command_line', '?')}`"],
        ["kind", (f"sweep: {res.n_points} design points × {res.replications} replications"
                  if res.is_sweep else f"plain run: {res.replications} replications")],
        ["selection", what or "all runs"],
        ["runs", f"{n_in} ({ok_in} ok, {n_in - ok_in} failed)"],
        ["start, horizon", f"{res.dates[0].date()} to {res.dates[-1].date()} "
                           f"({res.days} days)"],
        ["contingents (billets)", ", ".join(f"{c} ({billets.get(c, '?')})"
                                            for c in res.contingents)],
        ["authorised strength", f"{fn(auth.total)} billets" if auth.total is not None
         else f"not shown: unknown{why}"],
        ["floor", floor_txt],
        ["main airport", f"{res.main_airport} (airports: {', '.join(res.airports)})"],
        ["events dropped", (fn(res.runs['events_dropped'].sum())
                            if "events_dropped" in res.runs else "?")
         + " (beyond output.max_events_per_run)"],
    ]
    md.append(_md_table(["", ""], [[f"**{k}**", v] for k, v in meta], "ll"))

    md.append("\n## Strength in theatre\n")
    md.append(f"![Strength in theatre]({strength_png})\n")
    md.append(
        "Personnel in theatre (on duty or injured) at the end of each day, across the successful "
        "runs: the line is the median, the dark band holds the middle 50% of runs (25th–75th "
        "percentile), the light band 90% (5th–95th). "
        + ("Dashed green: authorised strength (billets" + (" at the selected design point"
                                                          if point is not None else "") + "). "
           if auth.billets is not None else
           f"No authorised-strength line: the billets are not known for this selection{why}. ")
        + (f"In the total panel, dash-dotted red: the floor ({fn(auth.floor_frac)} × "
           f"{fn(auth.total)} = {fn(auth.floor)}), which the gap KPI compares with *filled "
           "billets* (billets whose incumbent is on duty). " if auth.floor is not None else f"No floor line: it is not known for this "
           f"selection{why}. ")
        + "Dotted purple: median filled billets (readiness; headcount runs above it during "
        "reliefs). "
        f"Grey shading: days on which the main airport {res.main_airport} was closed at some "
        "time (closure_start/closure_end events at that airport, or airport_open < 1), darker "
        "when closed in more runs.\n")

    md.append("\n## Main airport and violence\n")
    md.append(f"![Main airport and violence]({airport_png})\n")
    md.append(
        f"Top: share of runs in which {res.main_airport} was closed at some time of the day, "
        "and the mean share of the day it was closed to at least one operator class "
        "(1 − airport_open). Bottom: share of runs in each violence regime at the end of the "
        "day, with the regime's stationary share in the legend.\n")
    reg = res.regimes
    if len(reg):
        md.append("\n" + _md_table(["regime", "stationary share"],
                                  [[str(n), f"{fn(100 * s)}%"] for n, s in
                                   zip(reg["name"], reg["stationary_share"])], "lr"))

    md.append("\n## KPIs\n")
    md.append(KPI_NOTES + " `kpis.csv` has the table to 17 significant digits: what "
              "`mss summary --csv` prints for "
              + (f"`--point {point}`" if point is not None else "this file") + ".\n\n")
    if len(points) == 1:
        md.append(kpi_md_table(table, start))
    else:
        md.append("A table per KPI with a row per design point: the statistics of a sweep are "
                  "never pooled over its design points (the figures above draw all runs "
                  "together).\n\n")
        md.append(kpi_by_point_md_tables(res, table, start))
    md.append(f"\n![KPI distributions]({kpi_png})\n")
    md += _contingent_section(res, points)

    if do_sweep:
        md += _sweep_sections(res, out, save, written)

    md.append("\n## Files\n\n" + "\n".join(f"- `{p.name}`" for p in written + [out / "report.md"])
              + "\n")
    (out / "report.md").write_text(_join(md))
    written.append(out / "report.md")
    return written


def _contingent_section(res, points: list[int]) -> list[str]:
    """The per-contingent KPIs of the selected design points: a row per contingent (and
    design point), the ok runs, and per KPI its mean and 95% CI, for a first-day KPI the share
    reaching it [Wilson 95% CI] and the mean if reached."""
    ck = res.contingent_kpis
    if not len(ck):
        return []
    cols = [c for c in ck.columns if c not in ("run", "contingent")]
    by_run = res.runs.assign(ok=res.ok).set_index("run")
    multi = len(points) > 1
    header = (["point"] + [f"`{f}`" for f in res.factors] if multi else []) + ["contingent",
                                                                               "runs"]
    for c in cols:
        if stats.kpi_meta(c).first_day:
            header += [f"`{c}` reached [95% CI]", f"`{c}` mean [95% CI]"]
        else:
            header.append(f"`{c}` mean [95% CI]")
    units = {k.name: k.unit for k in stats.CONTINGENT_KPIS}
    tables = {}
    for c in res.contingents:
        sub = ck[ck["contingent"] == c]
        info = by_run.loc[sub["run"].to_numpy()]
        frame = sub[cols].assign(point=info["point"].to_numpy(),
                                 replication=info["replication"].to_numpy())
        tables[c] = stats.summary_table(frame, cols, ok=info["ok"].to_numpy(bool),
                                        points=points, units=units)
    rows = []
    for p in points:
        for c in res.contingents:
            t = tables[c]
            recs = t[t["point"] == p].to_dict("records")
            cells = ([str(p)] + stats.factor_text(res, p) if multi else []) + [
                c, str(recs[0]["runs"])]
            for r in recs:
                if stats.kpi_meta(r["kpi"]).first_day:
                    cells.append(stats.format_interval(r["reached"], r["reached_low"],
                                                       r["reached_high"]))
                cells.append(stats.mean_text(r))
            rows.append(cells)
    lead = len(header) - sum(1 for h in header if h.startswith("`") and "[95% CI]" in h)
    return ["\n### Per contingent\n\nThe per-contingent KPIs (`contingent_<kpi>`) over the ok "
            "runs, by the same rules: the mean [95% CI]; for a first-day KPI first the share of "
            "runs reaching it [Wilson 95% CI], then its mean if reached; `*` a mean over fewer "
            "runs than the ok runs.\n\n",
            _md_table(header, rows, "l" * (lead - 1) + "r" * (len(header) - lead + 1))]


def _contrast_section(res, out: Path, written) -> list[str]:
    """The paired contrasts of every design point against the first one (point 0) under
    common random numbers: contrasts.csv with every KPI (`mss summary --vs 0 --csv`), and a
    table with a row per design point for the KPIs of the readable sweep table."""
    from analysis.cli import DEFAULT_SWEEP_KPIS
    ok_points = sorted(int(p) for p in pd.unique(res.runs["point"][res.ok]))
    if len(ok_points) < 2:
        return ["\n### Paired contrasts\n\nFewer than two design points have ok runs: no "
                "contrast.\n"]
    ref = ok_points[0]
    t = stats.contrast_table(res.runs, ref, res.kpi_names, ok=res.ok, units=res.kpi_units)
    (out / "contrasts.csv").write_text(stats.csv_text(t))
    written.append(out / "contrasts.csv")
    kpis = [k for k in DEFAULT_SWEEP_KPIS if k in res.kpi_names] or res.kpi_names
    ok_reps = {p: set(res.runs["replication"][res.ok & (res.runs["point"] == p).to_numpy()])
               for p in ok_points}
    header = ["point"] + [f"`{f}`" for f in res.factors] + ["pairs"]
    for k in kpis:
        header += ([f"`{k}` reached", f"`{k}` day if both reached"]
                   if stats.kpi_meta(k).first_day else [f"`{k}`"])
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
        rows.append(cells)
    desc = ", ".join(f"{f} = {v}" for f, v in zip(res.factors, stats.factor_text(res, ref)))
    lead = 2 + len(res.factors)
    return [f"\n### Paired contrasts against design point {ref}\n\n"
            f"Each design point P minus the reference R = {ref}"
            + (f" ({desc})" if desc else "") + ", replication by replication: under common "
            "random numbers run (P, r) and run (R, r) share their random numbers, so the "
            "difference is measured pair by pair (docs/statistics.md \"Paired contrasts\"). "
            "A cell is the mean difference [paired 95% CI] over the replications where both "
            "runs are ok and have a value, clipped to the range a difference can take; `pairs` "
            "counts the replications with both runs ok"
            + ("; `(m)` after a cell: only m of them had both values" if partial else "")
            + ". For a first-day KPI, `reached` is the difference in the share of runs "
            "reaching it, and `day if both reached` the difference in the day where both "
            "reached it. `*`: the interval excludes 0. Every KPI is in `contrasts.csv` (what "
            f"`mss summary --vs {ref} --csv` prints).\n\n",
            _md_table(header, [r for r in rows], "l" * (lead - 1)
                      + "r" * (len(header) - lead + 1))]


def _sweep_sections(res, out: Path, save, written) -> list[str]:
    fn = stats.format_number
    md = ["## Sweep"]
    md.append(f"{res.n_points} design points × {res.replications} replications; common random "
              "numbers (replication r sees the same random numbers at every point)."
              + (f" Sweep identity hash `{res.sweep_hash}`." if res.sweep_hash else ""))
    fv, fl = res.factor_values, res.factor_labels
    if len(fv) <= 40:
        md.append(_md_table(["point"] + [f"`{f}`" for f in res.factors],
                            [[str(int(p))] + stats.factor_text(res, int(p)) for p in fv.index]))
    if fl:
        md.append("Factors whose values are not numbers ("
                  + ", ".join(f"`{f}`" for f in fl) + ") are plotted and ranked by the "
                  "level's mean (or median) where it has one, else by the level's index in "
                  "the sweep file.")
    (out / "kpis_by_point.csv").write_text(stats.csv_text(res.summary()))
    written.append(out / "kpis_by_point.csv")
    md.append("\nThe statistics of every design point, every KPI: `kpis_by_point.csv` (what "
              "`mss summary --csv` prints for this file; the tables under KPIs show them).\n")
    md += _contrast_section(res, out, written)

    md.append("\n### Each KPI against each factor\n\nMean and 95% CI of the mean per design "
              "point; when the design is a grid, the points that share every other factor's "
              "value are joined and their CIs drawn as a band.\n\n")
    sens = []
    for k in res.kpi_names:
        v = res.runs[k].to_numpy(np.float64)
        if np.isnan(v).all():
            md.append(f"- `{k}`: no value in any run, no plot.\n")
            continue
        name = save(plots.sweep_figure(res, k), f"sweep_{_safe(k)}.png")
        md.append(f"![{k} against the factors]({name})\n\n")
        sens.append(stats.sensitivity(res, k))

    md.append("\n### Sensitivity ranking\n\n")
    md.append(
        "Method: **standardised regression coefficients (SRC)**, at the run level. Every run is "
        "one observation; the KPI and the factors are standardised (z-scores) and the KPI is "
        "regressed on all factors at once by ordinary least squares. A coefficient is the "
        "change of the KPI, in standard deviations, per standard deviation of the factor with "
        "the others held fixed (for a grid design it equals the correlation); the sign is the "
        "direction. Factors are ranked by |SRC|. R² is the share of the run-to-run variance the "
        "linear model explains: when it is low, the KPI is dominated by replication noise or "
        "responds non-linearly, and the ranking says less. The intervals are 95% intervals "
        "from cluster-robust (sandwich) standard errors with the replications as clusters and "
        "t with replications − 1 degrees of freedom: under common random numbers the runs "
        "of one replication at different points are correlated, not independent "
        "observations.\n\n")
    if sens:
        name = save(plots.sensitivity_figure(res, sens), "sensitivity.png")
        md.append(f"![Sensitivity]({name})\n\n")
        rows = []
        for s in sens:
            if s.note:
                rows.append([f"`{s.kpi}`", str(s.n), "-", s.note])
                continue
            rank = "; ".join(
                f"{i + 1}. `{f}` {stats.format_interval(s.coef[f], *s.ci95[f])}"
                if s.coef[f] == s.coef[f] else f"{i + 1}. `{f}` (constant)"
                for i, f in enumerate(s.ranking()))
            rows.append([f"`{s.kpi}`", str(s.n), fn(s.r2), rank])
        md.append(_md_table(["KPI", "runs", "R²",
                             "factors ranked by absolute SRC: SRC [95% CI]"], rows, "lrrl"))
        sens_df = pd.DataFrame([{"kpi": s.kpi, "factor": f, "src": s.coef[f],
                                 "ci95_low": s.ci95[f][0], "ci95_high": s.ci95[f][1],
                                 "rank": s.ranking().index(f) + 1, "r2": s.r2, "n": s.n}
                                for s in sens for f in res.factors])
        sens_df.to_csv(out / "sensitivity.csv", index=False, float_format="%.17g")
        written.append(out / "sensitivity.csv")
    return md


def write_compare(a, b, outdir: str | Path | None) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    """B − A: the runs of A and B matched by (point, replication) (`stats.match_runs`) and the
    paired differences of every KPI per design point (`stats.compare_table`); writes
    compare.md, compare.csv and compare.png into outdir when given. Returns (pairs, table,
    files)."""
    pairs, kpis = stats.match_runs(a, b)
    if len(pairs) == 0:
        raise InputError(f"{a.path} and {b.path} have no run in common (runs are matched by "
                         "design point and replication)")
    if not kpis:
        raise InputError(f"{a.path} and {b.path} have no KPI column in common")
    table = stats.compare_table(pairs, kpis, a.kpi_units)
    if outdir is None:
        return pairs, table, []
    with staged(outdir, [a.path, b.path]) as tmp:
        files = _write_compare(a, b, pairs, table, tmp)
    return pairs, table, [Path(outdir) / p.name for p in files]


COMPARE_HEADER = ["KPI", "unit", "pairs", "A", "B", "B − A [95% CI]"]


def compare_blocks(a, pairs: pd.DataFrame, table: pd.DataFrame,
                   code=lambda k: k) -> list[tuple[str, list[list[str]]]]:
    """The rows of the compare table (COMPARE_HEADER), one block per design point: (title,
    rows). `pairs` m/ok (pairs with both values / pairs of ok runs), A and B the means over
    those m pairs, B − A the mean paired difference [paired 95% CI], `*` when it excludes 0;
    a first-day KPI has a `reached` row (the shares reaching it and their difference) and a
    `day if both reached` row. `code` wraps a KPI name (backticks in Markdown)."""
    fn = stats.format_number
    ok = pairs[pairs["ok_a"].to_numpy(bool) & pairs["ok_b"].to_numpy(bool)]
    blocks = []
    for p, sub in table.groupby("point", sort=True):
        n_ok = int((ok["point"] == p).sum())
        rows = []
        for r in sub.to_dict("records"):
            if stats.kpi_meta(r["kpi"]).first_day:
                rows.append([f"{code(r['kpi'])}: reached", "1",
                             f"{int(r['reached_pairs'])}/{n_ok}", fn(r["reached_a"]),
                             fn(r["reached_b"]),
                             stats.contrast_text(r["reached_diff"], r["reached_diff_low"],
                                                 r["reached_diff_high"])])
                label = f"{code(r['kpi'])}: day if both reached"
            else:
                label = code(r["kpi"])
            rows.append([label, r["unit"], f"{r['pairs']}/{n_ok}", fn(r["mean_a"]),
                         fn(r["mean_b"]),
                         stats.contrast_text(r["diff"], r["diff_low"], r["diff_high"])])
        desc = ", ".join(f"{f} = {v}" for f, v in zip(a.factors, stats.factor_text(a, p)))
        title = f"design point {p}" + (f" ({desc})" if desc else "") + f": {n_ok} pairs of ok runs"
        blocks.append((title, rows))
    return blocks


COMPARE_NOTES = (
    "Runs are paired by (point, replication), i.e. by run id, and only pairs where both runs "
    "are ok count (docs/statistics.md \"Paired contrasts\", B in the place of the point and "
    "A of the reference). Per design point and KPI: `pairs` m/ok, the pairs where both have "
    "a value out of the pairs of ok runs; A and B the means over those m pairs; B − A the "
    "mean paired difference with its paired 95% t-interval, clipped to the range a "
    "difference can take. For a first-day KPI the `reached` row gives the shares of the ok "
    "pairs reaching it and the paired difference of those shares, and the `day if both "
    "reached` row the difference in the day over the pairs where both reached it. `*`: the "
    "interval excludes 0; `-`: no value. Design points are never pooled.")


def _write_compare(a, b, pairs, table, out: Path) -> list:
    files = []
    (out / "compare.csv").write_text(stats.csv_text(table))
    files.append(out / "compare.csv")
    files.append(plots.save(plots.compare_figure(a, b, pairs, table), out / "compare.png"))
    same = bool((pairs["seed_a"] == pairs["seed_b"]).all())
    md = ["# mss-sim comparison: B − A",
          f"Written {iso_today()} by `python3 -m analysis compare`.",
          _md_table(["", "file", "scenario", "runs"], [
              ["**A**", f"`{a.path}`", a.scenario_name, str(a.n_runs)],
              ["**B**", f"`{b.path}`", b.scenario_name, str(b.n_runs)]], "llll"),
          f"{len(pairs)} runs matched by (point, replication); "
          f"{a.n_runs - len(pairs)} runs of A and {b.n_runs - len(pairs)} of B have no "
          "partner. " +
          ("The matched runs share their master seed, so common random numbers pair them and "
           "the differences are tight.\n" if same else
           "**The matched runs do not all share their master seed**: the pairs are independent, "
           "the intervals remain valid but are not tightened by common random numbers.\n"),
          "\n" + COMPARE_NOTES + "\n\n"]
    blocks = compare_blocks(a, pairs, table, code=lambda k: f"`{k}`")
    for title, rows in blocks:
        md.append(f"\n## {title[0].upper()}{title[1:]}\n\n")
        md.append(_md_table(COMPARE_HEADER, rows, "llrrrr"))
    md.append("\n![Paired differences](compare.png)\n")
    (out / "compare.md").write_text(_join(md))
    files.append(out / "compare.md")
    return files
