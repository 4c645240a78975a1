"""Command line of the analysis package: `python3 -m analysis {report,compare,summary,plot}`.

Exit codes: 0 success; 2 bad input (a missing file, a file that is not an mss-sim/2 results
file, a sweep plot asked of a plain run, a bad option); 1 anything else.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXAMPLES = """\
examples:
  /usr/bin/python3 -m analysis report runs/baseline.h5 -o report/          # open report/report.html
  /usr/bin/python3 -m analysis report runs/fleet-vs-tour.h5 -o sweep-report/ --force --png
  /usr/bin/python3 -m analysis compare runs/calm.h5 runs/baseline.h5 -o compare/
  /usr/bin/python3 -m analysis summary runs/baseline.h5 --csv
  /usr/bin/python3 -m analysis summary runs/fleet-vs-tour.h5 --vs 0 --kpi days_to_foc,cost_usd
  /usr/bin/python3 -m analysis plot filled runs/baseline.h5 -o filled.png
"""

#: The figures `plot` draws: those of a plain run (or one design point), then a sweep's, then
#: that of a file of `mss optimize`.
PLOTS = ("filled", "reach", "dip", "contingents", "closures", "regimes", "timelines", "money",
         "kpis", "points_filled", "points_reach", "contrasts", "grid", "response", "effects",
         "cost", "points_closures", "optimize")
SWEEP_PLOTS = PLOTS[PLOTS.index("points_filled"):PLOTS.index("optimize")]

#: The KPIs of the readable sweep table and contrasts without --kpi (docs/statistics.md), and
#: of the contrast table of a sweep report.
DEFAULT_SWEEP_KPIS = ("days_to_foc", "mean_filled_frac", "min_filled_frac", "gap_person_days",
                      "cost_usd")

class _Parser(argparse.ArgumentParser):
    def error(self, message):  # exit 2 with our prefix, as argparse does
        self.print_usage(sys.stderr)
        self.exit(2, f"analysis: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python3 -m analysis",
                description="Reports and plots from mss-sim results files (format mss-sim/2).",
                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND",
                           parser_class=_Parser)

    r = sub.add_parser("report", help="one self-contained HTML report of a results file",
                       description="Writes DIR/report.html (figures, tables, the resolved "
                       "scenario and provenance in one page that opens from disk: plotly.js is "
                       "embedded, nothing is fetched) and the CSV tables kpis.csv (for a sweep "
                       "also kpis_by_point.csv, contrasts.csv, sensitivity.csv); with --png "
                       "every figure as NAME.png for slides. A directory that holds a report "
                       "is not overwritten without --force.")
    r.add_argument("file", help="results file (mss run / mss sweep / mss merge output)")
    r.add_argument("-o", "--out", required=True, metavar="DIR", help="output directory")
    r.add_argument("--force", action="store_true",
                   help="replace the report an existing DIR holds")
    r.add_argument("--png", action="store_true",
                   help="also write every figure as a PNG (matplotlib)")
    g = r.add_mutually_exclusive_group()
    g.add_argument("--sweep", dest="sweep", action="store_const", const="yes", default="auto",
                   help="require the sweep sections (exit 2 if the file is a plain run); by "
                   "default they are drawn when the file is a sweep")
    g.add_argument("--no-sweep", dest="sweep", action="store_const", const="no",
                   help="no sweep sections (a sweep then needs --point)")
    r.add_argument("--point", type=int, metavar="P",
                   help="report design point P of a sweep as a plain run")

    c = sub.add_parser("compare", help="B against A, run by run: strength, differences, KPIs",
                       description="Matches the runs of A and B by (point, replication) and "
                       "prints, per design point, the mean paired difference B - A of each KPI "
                       "over the pairs of ok runs where both have a value, with its paired 95% "
                       "CI (for a first-day KPI also the difference in the share reaching it; "
                       "docs/statistics.md); with -o also writes compare.html (the two "
                       "filled-billets curves overlaid, the paired difference over time with "
                       "its band, the KPI difference table) and compare.csv.")
    c.add_argument("a", metavar="A.h5")
    c.add_argument("b", metavar="B.h5")
    c.add_argument("-o", "--out", metavar="DIR", help="output directory for files")
    c.add_argument("--force", action="store_true",
                   help="replace the comparison an existing DIR holds")
    c.add_argument("--png", action="store_true", help="also write the figures as PNGs")
    c.add_argument("--csv", action="store_true", help="print CSV instead of a table")

    s = sub.add_parser("summary", help="the statistics of `mss summary` (docs/statistics.md)",
                       description="Per KPI over the ok runs of a design point: n/runs, mean "
                       "and its 95% CI (clipped to the KPI's range), sd, P10/P50/P90, min, "
                       "max; for a first-day KPI (days_to_ioc, days_to_foc) first the share "
                       "of runs reaching it with its Wilson interval, the mean if reached, "
                       "and `never` beyond the horizon; days also as dates. A plain run "
                       "prints its table; a sweep one row per design point (mean and CI, or "
                       "share reaching, of the --kpi list), --point P the full table of P, "
                       "--vs R paired contrasts against point R (common random numbers). "
                       "The same numbers as `mss summary`.")
    s.add_argument("file")
    s.add_argument("--csv", action="store_true",
                   help="CSV as `mss summary --csv`: one line per design point and KPI (with "
                   "--vs: per point other than R and KPI), every KPI unless --kpi, 17 "
                   "significant digits, empty = no value, inf = never")
    s.add_argument("--kpi", metavar="LIST",
                   help="comma-separated KPIs (default: all; the sweep table and the "
                   "readable contrasts: " + ",".join(DEFAULT_SWEEP_KPIS) + ")")
    s.add_argument("--point", type=int, metavar="P", help="only design point P")
    s.add_argument("--vs", type=int, metavar="R",
                   help="paired contrasts of each design point (or P) against point R")

    pl = sub.add_parser("plot", help="one figure of the report as a PNG (matplotlib)",
                        description="Draws one figure of the report with matplotlib: "
                        + ", ".join(PLOTS) + ". " + ", ".join(SWEEP_PLOTS) +
                        " need a sweep file, optimize a file of `mss optimize`. The format "
                        "follows the suffix of -o (.png, .svg, .pdf; PNG without one).")
    pl.add_argument("kind", choices=PLOTS, metavar="FIGURE",
                    help="one of: " + ", ".join(PLOTS))
    pl.add_argument("file")
    pl.add_argument("-o", "--out", required=True, metavar="PNG")
    pl.add_argument("--point", type=int, metavar="P",
                    help="design point P of a sweep (the plain-run figures)")
    return p


# ------------------------------------------------------------------------------------------
# summary

def _kpi_list(res, text: str | None, default) -> list[str]:
    """The KPIs of --kpi (InputError for an empty or unknown name), else `default` (those of
    the file)."""
    from analysis.results import InputError
    if text is None:
        return [k for k in default if k in res.kpi_names]
    names = [k.strip() for k in text.split(",")]
    if any(not k for k in names):
        raise InputError(f"--kpi {text!r}: an empty KPI name (give a comma-separated list, "
                         "e.g. --kpi days_to_foc,cost_usd)")
    unknown = [k for k in names if k not in res.kpi_names]
    if unknown:
        raise InputError(f"--kpi: unknown KPI {unknown[0]!r} (this file has: "
                         + ", ".join(res.kpi_names) + ")")
    return list(dict.fromkeys(names))


def _align(rows: list[list[str]], left: int) -> str:
    """Rows as columns separated by two spaces: the first `left` columns left-aligned, the
    others right-aligned."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) if i < left else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths))).rstrip()
                     for r in rows) + "\n"


def summary_text(res, csv: bool = False, kpi: str | None = None, point: int | None = None,
                 vs: int | None = None) -> str:
    """What `python3 -m analysis summary` prints (docs/statistics.md): the CSV of
    `stats.summary_table`/`stats.contrast_table`, or readable tables with
    `stats.format_number`. InputError for a bad --kpi, --point or --vs."""
    from analysis import stats
    from analysis.results import InputError
    runs = res.runs
    points = sorted(int(p) for p in res.points["point"])
    for flag, p in (("--point", point), ("--vs", vs)):
        if p is not None and p not in points:
            raise InputError(f"{flag} {p}: no such design point (the file has points "
                             f"{points[0]}..{points[-1]})" if points else
                             f"{flag} {p}: the file has no design point")
        if p is not None and not (runs["point"] == p).any():
            raise InputError(f"{flag} {p}: no run of design point {p} in this file (a shard "
                             "holds only its slice of the runs)")
    sweep = res.is_sweep or len(points) > 1
    readable_default = DEFAULT_SWEEP_KPIS if (sweep and point is None) or vs is not None \
        else res.kpi_names
    kpis = _kpi_list(res, kpi, res.kpi_names if csv else readable_default)
    if not kpis:
        raise InputError(f"{res.path}: none of the KPIs {', '.join(readable_default)} is in "
                         "this file; name some with --kpi")
    ok = res.ok
    units = res.kpi_units
    if vs is not None:
        if len(points) < 2:
            raise InputError(f"--vs {vs}: the file has a single design point, so nothing to "
                             "compare it with")
        if point is not None and point == vs:
            raise InputError(f"--point {point} and --vs {vs} name the same design point")
        t = stats.contrast_table(runs, vs, kpis, ok=ok, units=units,
                                 points=None if point is None else [point])
        return stats.csv_text(t) if csv else _contrast_text(res, t, vs)
    sel = [point] if point is not None else points
    t = res.summary(kpis, sel)
    if csv:
        return stats.csv_text(t)
    if sweep and point is None:
        return _sweep_text(res, t, kpis)
    return _point_text(res, t, point if point is not None else sel[0])


def _point_text(res, t, point: int) -> str:
    from analysis import stats
    fn = stats.format_number
    start = stats.start_date_of(res)
    head = f"{res.path}: "
    if res.is_sweep:
        desc = ", ".join(f"{f} = {v}" for f, v in zip(res.factors, stats.factor_text(res, point)))
        head += f"design point {point}" + (f" ({desc})" if desc else "")
    else:
        head += f"scenario {res.scenario_name}"
    sub = t[t["point"] == point]
    runs = int(sub["runs"].iloc[0]) if len(sub) else 0
    lines = [head + f"; {runs} ok runs" + (f"; day 0 = {start}" if start else "")]
    rows = [["KPI", "unit", "n/runs", "reached [95% CI]", "mean [95% CI]", "sd", "P10", "P50",
             "P90", "min", "max"]]
    notes = set()
    for r in sub.to_dict("records"):
        first = stats.kpi_meta(r["kpi"]).first_day
        mean = stats.mean_text(r)
        if mean.endswith(" *"):
            notes.add("* mean over the runs with a value (conditional)")
        rows.append([r["kpi"], r["unit"], f"{r['n']}/{r['runs']}",
                     stats.format_interval(r["reached"], r["reached_low"], r["reached_high"])
                     if first else "",
                     mean] + [fn(r[c]) for c in ("sd", "p10", "p50", "p90", "min", "max")])
        if first and start:
            dm, *dq = stats.date_texts(start, r)
            rows.append(["  as dates", "", "", "", dm, ""] + dq)
    out = "\n".join(lines) + "\n" + _align(rows, 2)
    if any(stats.kpi_meta(k).first_day for k in sub["kpi"]):
        notes.add("first-day KPIs: share of runs reaching it [Wilson 95% CI]; mean, CI and "
                  "sd over the runs reaching it; `never` = not within the horizon")
    return out + "".join(n + "\n" for n in sorted(notes)) + _binding_text(res, point)


def _binding_text(res, point: int) -> str:
    """What binds over the point's ok runs, worded and aligned as `mss summary` prints it."""
    import numpy as np

    from analysis import stats
    fn = stats.format_number
    sel = (res.runs["point"] == point).to_numpy()
    t = stats.binding_table(res.runs[sel], ok=np.asarray(res.ok)[sel])
    if t is None or not int(t["runs"].iloc[0]):
        return ""
    cells = [[r["constraint"], f"{r['binds']}/{r['runs']}", fn(r["share"]),
              f"[{fn(r['share_low'])}, {fn(r['share_high'])}]"] for r in t.to_dict("records")]
    w = [max(len(c[i]) for c in cells) for i in range(3)]
    out = ("\nwhat binds: the largest of funds_held_person_days, beds_held_person_days,\n"
           "lift_held_person_days and pipeline_billet_days over the binding window "
           "(docs/model.md)\n")
    for c in cells:
        out += (f"  {c[0]:<{w[0] + 2}}binds in {c[1]:>{w[1]}} runs = {c[2]:>{w[2]}}  "
                f"95% CI {c[3]}\n")
    return out + "(share of runs: 95% Wilson interval; ties go to the first listed)\n"


def _sweep_text(res, t, kpis) -> str:
    from analysis import stats
    rows = [["point"] + list(res.factors) + ["runs"] +
            [f"{k} reached [95% CI]" if stats.kpi_meta(k).first_day else f"{k} [95% CI]"
             for k in kpis]]
    for p, sub in t.groupby("point", sort=True):
        sub = sub.set_index("kpi")
        cells = [str(p)] + stats.factor_text(res, int(p)) + [str(int(sub["runs"].iloc[0]))]
        for k in kpis:
            r = sub.loc[k]
            if stats.kpi_meta(k).first_day:
                cells.append(stats.format_interval(r["reached"], r["reached_low"],
                                                   r["reached_high"]))
            else:
                cells.append(stats.mean_text({**r, "kpi": k}))
        rows.append(cells)
    out = f"{res.path}: {res.n_points} design points; mean [95% CI] over the ok runs, " \
          "for a first-day KPI the share of runs reaching it [Wilson 95% CI]\n"
    out += _align(rows, 1 + len(res.factors))
    if any(c.endswith(" *") for r in rows[1:] for c in r):
        out += "* mean over the runs with a value (conditional)\n"
    return out


def _contrast_text(res, t, vs: int) -> str:
    from analysis import stats
    rows = [["point"] + list(res.factors) + ["KPI", "unit", "pairs", "P − R [95% CI]",
                                             "pairs ok", "reached P − R [95% CI]"]]
    for r in t.itertuples(index=False):
        d = stats.contrast_text(r.diff, r.diff_low, r.diff_high)
        if r.reached_pairs == r.reached_pairs:
            rd = stats.contrast_text(r.reached_diff, r.reached_diff_low, r.reached_diff_high)
            rp = str(int(r.reached_pairs))
        else:
            rd = rp = ""
        rows.append([str(r.point)] + stats.factor_text(res, int(r.point)) +
                    [r.kpi, r.unit, str(r.pairs), d, rp, rd])
    desc = ", ".join(f"{f} = {v}" for f, v in zip(res.factors, stats.factor_text(res, vs)))
    out = (f"{res.path}: paired contrasts against design point R = {vs}"
           + (f" ({desc})" if desc else "") + ": run (P, r) minus run (R, r), common random "
           "numbers\n")
    out += _align(rows, 3 + len(res.factors))
    out += ("pairs: replications where both runs have a value; for a first-day KPI P − R is "
            "the day if both reached it, and `reached` the difference in the share reaching "
            "it over the pairs of ok runs. * the interval excludes 0\n")
    return out


def run(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from analysis.results import InputError, check_file, load, same_file
    inputs = [check_file(getattr(args, name)) for name in ("file", "a", "b")
              if getattr(args, name, None) is not None]   # fail fast, before plotting imports
    out = getattr(args, "out", None)
    if out is not None:
        if not out.strip():
            raise InputError("-o/--out: the output path is empty")
        if any(same_file(out, i) for i in inputs):
            raise InputError(f"{out}: is the input file; choose another output path")
    from analysis import report, stats

    if args.command == "report":
        from analysis.report import check_outdir
        check_outdir(args.out, args.force)   # before reading anything
        with load(args.file) as res:
            files = report.write_report(res, args.out, sweep=args.sweep, point=args.point,
                                        force=args.force, png=args.png)
        print(f"wrote {len(files)} files to {args.out}; open {Path(args.out) / 'report.html'}")
        return 0
    if args.command == "compare":
        if args.out is not None:
            from analysis.report import COMPARE_FILES, check_outdir
            check_outdir(args.out, args.force, COMPARE_FILES[:2], "comparison")
        with load(args.a) as a, load(args.b) as b:
            pairs, table, files = report.write_compare(a, b, args.out, force=args.force,
                                                       png=args.png)
            if args.csv:
                sys.stdout.write(stats.csv_text(table))
            else:
                print(f"B - A, runs matched by (point, replication): B = {args.b}, A = {args.a}")
                for title, rows in report.compare_blocks(a, pairs, table,
                                                         code=lambda k, s: k + s):
                    print(title)
                    sys.stdout.write(_align([report.COMPARE_HEADER] + rows, 2))
                print("pairs: pairs with both values / pairs of ok runs; A, B: means over "
                      "those pairs; B − A: mean paired difference [paired 95% CI]; "
                      "* the interval excludes 0")
        if files:
            print(f"wrote {len(files)} files to {args.out}; open "
                  f"{Path(args.out) / 'compare.html'}", file=sys.stderr)
        return 0
    if args.command == "summary":
        with load(args.file) as res:
            sys.stdout.write(summary_text(res, csv=args.csv, kpi=args.kpi, point=args.point,
                                          vs=args.vs))
        return 0
    if args.command == "plot":
        with load(args.file) as res:
            if args.kind in SWEEP_PLOTS and not res.is_sweep:
                raise InputError(f"{res.path}: `plot {args.kind}` needs a sweep file, and this "
                                 "is a plain run (no sweep text in /scenario, no factor "
                                 "variables over /design_point)")
            from analysis import plots
            fig = report.figure(res, args.kind, args.point)
            if fig is None:
                raise InputError(f"{res.path}: the figure `{args.kind}` has nothing to draw "
                                 "for this file (see the report for why)")
            path = plots.save(plots.render(fig), args.out)
        print(f"wrote {path}")
        return 0
    raise AssertionError(args.command)


def main(argv: list[str] | None = None) -> int:
    try:
        from analysis.results import InputError
        try:
            return run(argv)
        except InputError as e:
            print(f"analysis: error: {e}", file=sys.stderr)
            return 2
        except BrokenPipeError:
            return 0
    except KeyboardInterrupt:   # Ctrl-C: report.staged has removed any partial output
        print("analysis: interrupted", file=sys.stderr)
        return 130
