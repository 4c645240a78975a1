"""Command line of the analysis package: `python3 -m analysis {report,compare,summary,plot}`.

Exit codes: 0 success; 2 bad input (a missing file, a file that is not an mss-sim/1 results
file, a sweep plot asked of a plain run, a bad option); 1 anything else.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXAMPLES = """\
examples:
  /usr/bin/python3 -m analysis report runs/baseline.h5 -o report/
  /usr/bin/python3 -m analysis report runs/fleet-vs-tour.h5 -o sweep-report/ --sweep
  /usr/bin/python3 -m analysis compare runs/a.h5 runs/b.h5 -o compare/
  /usr/bin/python3 -m analysis summary runs/baseline.h5 --csv
  /usr/bin/python3 -m analysis plot strength runs/baseline.h5 -o strength.png --total-only
"""

PLOTS = ("strength", "airport", "kpis", "sweep", "sensitivity")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # exit 2 with our prefix, as argparse does
        self.print_usage(sys.stderr)
        self.exit(2, f"analysis: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python3 -m analysis",
                description="Reports and plots from mss-sim results files (format mss-sim/1).",
                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND",
                           parser_class=_Parser)

    r = sub.add_parser("report", help="PNG plots and report.md for one results file",
                       description="Writes strength.png, airport.png, kpis.png, kpis.csv and "
                       "report.md into DIR; for a sweep also sweep_<kpi>.png, sensitivity.png, "
                       "sensitivity.csv and kpis_by_point.csv.")
    r.add_argument("file", help="results file (mss run / mss sweep / mss merge output)")
    r.add_argument("-o", "--out", required=True, metavar="DIR", help="output directory")
    g = r.add_mutually_exclusive_group()
    g.add_argument("--sweep", dest="sweep", action="store_const", const="yes", default="auto",
                   help="require the sweep plots (exit 2 if the file is a plain run); by "
                   "default they are drawn when the file is a sweep")
    g.add_argument("--no-sweep", dest="sweep", action="store_const", const="no",
                   help="skip the sweep plots")
    r.add_argument("--point", type=int, metavar="P",
                   help="restrict the time plots and KPI tables to design point P")

    c = sub.add_parser("compare", help="paired KPI differences B - A, run by run",
                       description="Matches the runs of A and B by (point, replication) and "
                       "prints the mean paired difference B - A of each KPI with its 95% CI "
                       "(over several design points: from the replication means of the "
                       "differences); "
                       "with -o also writes compare.md, compare.csv and compare.png.")
    c.add_argument("a", metavar="A.h5")
    c.add_argument("b", metavar="B.h5")
    c.add_argument("-o", "--out", metavar="DIR", help="output directory for files")
    c.add_argument("--csv", action="store_true", help="print CSV instead of a table")

    s = sub.add_parser("summary", help="the KPI table of `mss summary`",
                       description="Mean, sd, 95% CI, min, max and n/runs of each KPI: the "
                       "same numbers as `mss summary`, over all runs of a plain run and per "
                       "design point for a sweep. With --pooled over a sweep's points, the CI "
                       "is computed from the replication means (common random numbers make a "
                       "replication's runs at different points correlated).")
    s.add_argument("file")
    s.add_argument("--csv", action="store_true",
                   help="CSV as `mss summary --csv` prints it (17 significant digits; a "
                   "leading `point` column for a sweep)")
    s.add_argument("--pooled", action="store_true",
                   help="one table over all runs, even for a sweep (its CI from the "
                   "replication means over points)")

    pl = sub.add_parser("plot", help="one figure as a PNG",
                        description="Draws one figure of the report: " + ", ".join(PLOTS) +
                        ". `sweep` needs --kpi; `sweep` and `sensitivity` need a sweep file.")
    pl.add_argument("kind", choices=PLOTS)
    pl.add_argument("file")
    pl.add_argument("-o", "--out", required=True, metavar="PNG")
    pl.add_argument("--kpi", help="the KPI of a `sweep` plot")
    pl.add_argument("--point", type=int, metavar="P", help="only design point P")
    pl.add_argument("--total-only", action="store_true",
                    help="strength: the total panel only (the README image)")
    return p


def _table(df, cols) -> str:
    from analysis.report import fmt
    rows = [[str(c) for c in cols]]
    for r in df[cols].itertuples(index=False, name=None):
        rows.append([v if isinstance(v, str) else fmt(v) for v in r])
    widths = [max(len(r[i]) for r in rows) for i in range(len(cols))]
    left = [c in ("point", "kpi", "unit") for c in cols]
    return "\n".join("  ".join(cell.ljust(w) if lft else cell.rjust(w)
                               for cell, w, lft in zip(r, widths, left))
                     for r in rows) + "\n"


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
    from analysis import plots, report, stats

    if args.command == "report":
        with load(args.file) as res:
            files = report.write_report(res, args.out, sweep=args.sweep, point=args.point)
        print(f"wrote {len(files)} files to {args.out}; open {Path(args.out) / 'report.md'}")
        return 0
    if args.command == "compare":
        with load(args.a) as a, load(args.b) as b:
            table, files = report.write_compare(a, b, args.out)
        if args.csv:
            sys.stdout.write(table.to_csv(index=False, float_format="%.17g"))
        else:
            print(f"B - A, runs matched by (point, replication): B = {args.b}, A = {args.a}")
            sys.stdout.write(_table(table, ["kpi", "unit", "mean_a", "mean_b", "mean_diff",
                                            "ci95_low", "ci95_high", "n", "pairs"]))
            if table.attrs.get("points", 1) > 1:
                print("95% CI over several design points: from the replication means of the "
                      "differences (averaged over the points within each replication, t over "
                      "replications), as common random numbers correlate a replication's "
                      "pairs across points.")
        if files:
            print(f"wrote {len(files)} files to {args.out}", file=sys.stderr)
        return 0
    if args.command == "summary":
        with load(args.file) as res:
            # As `mss summary`: per design point when the file has several or has factors.
            by_point = (res.n_points > 1 or bool(res.factors)) and not args.pooled
            t = stats.summary_table(res, by_point=by_point)
        if args.csv:
            sys.stdout.write(stats.summary_csv(t))
        else:
            t = t.assign(**{"n/runs": [f"{n}/{r}" for n, r in zip(t["n"], t["runs"])]})
            cols = (["point"] if by_point else []) + ["kpi", "unit", "mean", "sd",
                                                          "ci95_low", "ci95_high", "min", "max",
                                                          "n/runs"]
            if by_point:
                t["point"] = t["point"].astype(str)
            sys.stdout.write(_table(t, cols))
            if not by_point and res.runs["point"].nunique() > 1:
                print("95% CI pooled over design points: from the replication means (values "
                      "averaged over the points within each replication, t over "
                      "replications), as common random numbers correlate a replication's "
                      "runs across points; mean, sd, min, max and n are over the runs.")
        return 0
    if args.command == "plot":
        with load(args.file) as res:
            mask = res.runs_of_point(args.point) if args.point is not None else None
            if args.kind in ("sweep", "sensitivity") and not res.is_sweep:
                raise InputError(f"{res.path}: `plot {args.kind}` needs a sweep file, and this "
                                 "is a plain run (no sweep text in /scenario, no factor "
                                 "columns in /points)")
            if args.kind == "strength":
                fig = plots.strength_figure(res, mask, total_only=args.total_only)
            elif args.kind == "airport":
                fig = plots.airport_figure(res, mask)
            elif args.kind == "kpis":
                fig = plots.kpi_figure(res, mask)
            elif args.kind == "sweep":
                if not args.kpi:
                    raise InputError("`plot sweep` needs --kpi NAME (one of: "
                                     + ", ".join(res.kpi_names) + ")")
                if args.kpi not in res.kpi_names:
                    raise InputError(f"unknown KPI {args.kpi!r} (one of: "
                                     + ", ".join(res.kpi_names) + ")")
                fig = plots.sweep_figure(res, args.kpi, mask)
            else:
                fig = plots.sensitivity_figure(
                    res, [stats.sensitivity(res, k, mask) for k in res.kpi_names])
            path = plots.save(fig, args.out)
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
