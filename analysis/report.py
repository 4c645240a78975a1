"""The `report` and `compare` outputs: PNG figures, CSV tables and a Markdown summary.

File names in the output directory are fixed (docs/analysis.md lists them) so that scripts
and tests can find them.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import plots, stats
from analysis.results import InputError, iso_today, same_file


def fmt(v) -> str:
    """A number for Markdown tables: '–' for NaN, thousands separators from 100,000, else
    six significant digits."""
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}" if abs(int(v)) >= 100_000 else str(int(v))
    v = float(v)
    if v != v:
        return "–"
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if v == 0:
        return "0"
    a = abs(v)
    if 1e5 <= a < 1e15:
        return f"{v:,.0f}"
    if a >= 1e-3:
        return f"{v:.6g}"
    return f"{v:.3e}"


def parse_fmt(cell: str) -> float:
    """Inverse of fmt (for tests and scripts): the number a table cell shows."""
    cell = cell.strip()
    if cell in ("–", ""):
        return float("nan")
    return float(cell.replace(",", "").replace("−", "-"))


def _md_table(header: list[str], rows: list[list[str]], align: str | None = None) -> str:
    align = align or ("l" + "r" * (len(header) - 1))
    sep = ["---:" if a == "r" else "---" for a in align]
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def kpi_md_table(table: pd.DataFrame) -> str:
    rows = []
    for r in table.itertuples(index=False):
        ci = "–" if r.ci95_low != r.ci95_low else f"[{fmt(r.ci95_low)}, {fmt(r.ci95_high)}]"
        rows.append([f"`{r.kpi}`", r.unit, fmt(r.mean), fmt(r.sd), ci, fmt(r.min), fmt(r.max),
                     f"{r.n}/{r.runs}"])
    return _md_table(["KPI", "unit", "mean", "sd", "95% CI of the mean", "min", "max",
                      "n/runs"], rows, "llrrrrrr")


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
        vals = res.factor_values.loc[point] if res.factors else {}
        desc = ", ".join(f"{k} = {res.factor_labels.get(k, {}).get(v, f'{v:g}')}"
                         for k, v in dict(vals).items())
        what = f"design point {point}" + (f" ({desc})" if desc else "")
    elif res.is_sweep:
        what = f"all {res.n_points} design points pooled"
    written = []

    def save(fig, name):
        path = plots.save(fig, out / name)
        written.append(path)
        return path.name

    table = stats.summary_table(res, mask=mask)
    (out / "kpis.csv").write_text(stats.summary_csv(table))
    written.append(out / "kpis.csv")

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
    floor_txt = (f"{fmt(auth.floor)} on duty (kpis.floor_frac = {auth.floor_frac:g} × total "
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
        ["authorised strength", f"{auth.total:,} billets" if auth.total is not None
         else f"not shown: unknown{why}"],
        ["floor", floor_txt],
        ["main airport", f"{res.main_airport} (airports: {', '.join(res.airports)})"],
        ["events dropped", (f"{int(res.runs['events_dropped'].sum()):,}"
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
        + (f"In the total panel, dash-dotted red: the floor ({auth.floor_frac:g} × "
           f"{auth.total:,} = {fmt(auth.floor)}), which the gap KPI compares with personnel "
           "*on duty*. " if auth.floor is not None else f"No floor line: it is not known for this "
           f"selection{why}. ")
        + "Dotted purple: median on duty. "
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
                                  [[str(n), f"{100 * s:.1f}%"] for n, s in
                                   zip(reg["name"], reg["stationary_share"])], "lr"))

    md.append("\n## KPIs\n")
    md.append(
        "Over all runs of the selection; a KPI that is NaN in a run (for example `days_to_foc` "
        "when full strength is never reached) has no value there, and n counts the runs with a "
        "value. sd is the sample standard deviation (n − 1); the 95% confidence interval of the "
        "mean is mean ± t(0.975, n − 1) · sd / √n, computed as `mss summary` does"
        + (". **Pooled over design points, the interval is not that one**: under common random "
           "numbers the runs of one replication at different points share their random numbers "
           "and are correlated, so the interval is computed from the replications, not the "
           "runs: the values are averaged over the points within each replication and the "
           "interval is the Student-t interval of those replication means (t with replications "
           "− 1 degrees of freedom; a replication with no value drops out; when NaN leaves "
           "replications with different counts of values, the cluster-robust form of "
           "docs/analysis.md, centred on the mean shown). mean, sd, min, max and n stay over "
           "the runs" if point is None and res.n_points > 1 and
           res.runs["point"].nunique() > 1 else "")
        + ". `kpis.csv` "
        "has the table to 17 significant digits in the CSV format of `mss summary --csv`"
        + (" (`mss summary` itself prints a sweep per design point: that is "
           "`kpis_by_point.csv`)." if res.is_sweep and point is None else ".") + "\n\n")
    md.append(kpi_md_table(table))
    md.append(f"\n![KPI distributions]({kpi_png})\n")

    ck = res.contingent_kpis
    if len(ck):
        if mask is not None:
            ck = ck[ck["run"].isin(res.runs["run"][mask])]
        cols = [c for c in ck.columns if c not in ("run", "contingent")]
        rows = []
        for c in res.contingents:
            sub = ck[ck["contingent"] == c]
            rid = res.runs.set_index("run").loc[sub["run"].to_numpy()]
            cells = [c]
            for col in cols:
                s = stats.summarise_runs(col, "", sub[col].to_numpy(), rid["point"].to_numpy(),
                                         rid["replication"].to_numpy())
                ci = "" if s.ci95_low != s.ci95_low else \
                    f" [{fmt(s.ci95_low)}, {fmt(s.ci95_high)}]"
                cells.append(f"{fmt(s.mean)}{ci} ({s.n}/{s.runs})")
            rows.append(cells)
        md.append("\n### Per contingent\n\nMean, [95% CI of the mean] and (n/runs) of the "
                  "per-contingent KPIs of `/contingent_kpis`.\n\n")
        md.append(_md_table(["contingent"] + [f"`{c}`" for c in cols], rows))

    if do_sweep:
        md += _sweep_sections(res, out, save, written)

    md.append("\n## Files\n\n" + "\n".join(f"- `{p.name}`" for p in written + [out / "report.md"])
              + "\n")
    (out / "report.md").write_text(_join(md))
    written.append(out / "report.md")
    return written


def _sweep_sections(res, out: Path, save, written) -> list[str]:
    md = ["## Sweep"]
    md.append(f"{res.n_points} design points × {res.replications} replications; common random "
              "numbers (replication r sees the same random numbers at every point)."
              + (f" Sweep identity hash `{res.sweep_hash}`." if res.sweep_hash else ""))
    fv, fl = res.factor_values, res.factor_labels
    if len(fv) <= 40:
        md.append(_md_table(["point"] + [f"`{f}`" for f in res.factors],
                            [[str(int(p))] + [fl[f].get(r[f], fmt(r[f])) if f in fl
                                              else fmt(r[f]) for f in res.factors]
                             for p, r in fv.iterrows()]))
    if fl:
        md.append("Factors whose values are not numbers ("
                  + ", ".join(f"`{f}`" for f in fl) + ") are plotted and ranked by the "
                  "level's mean (or median) where it has one, else by the level's index in "
                  "the sweep file.")
    by_point = stats.summary_table(res, by_point=True)
    (out / "kpis_by_point.csv").write_text(stats.summary_csv(by_point))
    written.append(out / "kpis_by_point.csv")
    md.append("\nPer design point KPI statistics: `kpis_by_point.csv` (same columns as "
              "`kpis.csv`, with `point` first).\n")

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
                rows.append([f"`{s.kpi}`", str(s.n), "–", s.note])
                continue
            rank = "; ".join(
                f"{i + 1}. `{f}` {s.coef[f]:+.3f} [{s.ci95[f][0]:+.3f}, {s.ci95[f][1]:+.3f}]"
                if s.coef[f] == s.coef[f] else f"{i + 1}. `{f}` (constant)"
                for i, f in enumerate(s.ranking()))
            rows.append([f"`{s.kpi}`", str(s.n), f"{s.r2:.3f}", rank])
        md.append(_md_table(["KPI", "runs", "R²",
                             "factors ranked by absolute SRC: SRC [95% CI]"], rows, "lrrl"))
        sens_df = pd.DataFrame([{"kpi": s.kpi, "factor": f, "src": s.coef[f],
                                 "ci95_low": s.ci95[f][0], "ci95_high": s.ci95[f][1],
                                 "rank": s.ranking().index(f) + 1, "r2": s.r2, "n": s.n}
                                for s in sens for f in res.factors])
        sens_df.to_csv(out / "sensitivity.csv", index=False, float_format="%.17g")
        written.append(out / "sensitivity.csv")
    return md


def write_compare(a, b, outdir: str | Path | None) -> tuple[pd.DataFrame, list]:
    """Paired differences of KPIs B − A; writes compare.md, compare.csv and compare.png into
    outdir when given. Returns (table, files)."""
    per_run, table = stats.paired_differences(a, b)
    if len(per_run) == 0:
        raise InputError(f"{a.path} and {b.path} have no run in common (runs are matched by "
                         "design point and replication)")
    if len(table) == 0:
        raise InputError(f"{a.path} and {b.path} have no KPI column in common")
    if outdir is None:
        return table, []
    with staged(outdir, [a.path, b.path]) as tmp:
        files = _write_compare(a, b, per_run, table, tmp)
    return table, [Path(outdir) / p.name for p in files]


def _write_compare(a, b, per_run, table, out: Path) -> list:
    files = []
    table.to_csv(out / "compare.csv", index=False, float_format="%.17g")
    files.append(out / "compare.csv")
    files.append(plots.save(plots.compare_figure(a, b, per_run, table), out / "compare.png"))
    md = ["# mss-sim comparison: B − A",
          f"Written {iso_today()} by `python3 -m analysis compare`.",
          _md_table(["", "file", "scenario", "runs"], [
              ["**A**", f"`{a.path}`", a.scenario_name, str(a.n_runs)],
              ["**B**", f"`{b.path}`", b.scenario_name, str(b.n_runs)]], "llll"),
          f"{len(per_run)} runs matched by (point, replication); "
          f"{a.n_runs - len(per_run)} runs of A and {b.n_runs - len(per_run)} of B have no "
          "partner. " +
          ("The matched runs share their master seed, so common random numbers pair them and "
           "the differences are tight.\n" if per_run.attrs.get("same_seeds") else
           "**The matched runs do not all share their master seed**: the pairs are independent, "
           "the intervals remain valid but are not tightened by common random numbers.\n"),
          "\nPer KPI: mean of A and of B over the pairs where both have a value, the mean "
          "paired difference B − A with the sample sd of the differences and the Student-t "
          "95% CI of the mean difference; n = pairs with both values; `only A` / `only B` "
          "count pairs where one side has no value (NaN), e.g. full strength reached in one "
          "but not the other. When the pairs span several design points (two sweeps of the "
          "same design), the pairs of one replication share their random numbers across "
          "points, so the CI is computed from the replications: the differences are averaged "
          "over the points within each replication, and the CI is the Student-t interval of "
          "those replication means (replications − 1 degrees of freedom; the cluster-robust "
          "form of docs/analysis.md when NaN leaves replications with different counts). sd "
          "is still over the pairs.\n\n"]
    rows = []
    for r in table.itertuples(index=False):
        ci = "–" if r.ci95_low != r.ci95_low else f"[{fmt(r.ci95_low)}, {fmt(r.ci95_high)}]"
        rows.append([f"`{r.kpi}`", r.unit, fmt(r.mean_a), fmt(r.mean_b), fmt(r.mean_diff),
                     fmt(r.sd_diff), ci, f"{r.n}/{r.pairs}", str(r.only_a), str(r.only_b)])
    md.append(_md_table(["KPI", "unit", "mean A", "mean B", "mean B − A", "sd of B − A",
                         "95% CI of B − A", "n/pairs", "only A", "only B"], rows, "llrrrrrrrr"))
    md.append("\n![Paired differences](compare.png)\n")
    (out / "compare.md").write_text(_join(md))
    files.append(out / "compare.md")
    return files
