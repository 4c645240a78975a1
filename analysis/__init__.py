"""Offline analysis of mss-sim results files (format mss-sim/2): reports, plots, comparisons.

Library use::

    import analysis
    res = analysis.load("runs/baseline.h5")
    res.runs            # pandas DataFrame of the per-run root variables (one row per run, KPI columns)
    res.series          # xarray Dataset of /series (dims run, time, contingent, airport, operator_class)
    res.points, res.events, res.scenario, res.info
    res.summary()       # the statistics of `mss summary --csv` (docs/statistics.md)

Command line: `/usr/bin/python3 -m analysis {report,compare,summary,plot} ...`; see
docs/analysis.md.

Modules: results (reading files), stats (the statistics contract, docs/statistics.md),
figure (figures as data), planner / sweep / comparison / optimization (the report's sections
and figures), web (plotly.js JSON), plots (matplotlib), report (the HTML page, Jinja2), browser
(headless chromium, for tests and screenshots), cli.
"""

#: The package's version (also in analysis/pyproject.toml).
__version__ = "2.0.0"


def __getattr__(name):
    # Imported on first use only: the statistics pull in scipy, the results h5py and pandas
    # (so that `python3 -m analysis` loads them inside cli.main, which handles Ctrl-C).
    if name in ("FORMAT", "InputError", "Results", "load"):
        from analysis import results
        return getattr(results, name)
    if name in ("compare_table", "contrast_table", "format_number", "kpi_stats", "match_runs",
                "summary_table"):
        from analysis import stats
        return getattr(stats, name)
    if name == "effects":
        from analysis import sweep
        return sweep.effects
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


__all__ = ["FORMAT", "InputError", "Results", "compare_table", "contrast_table", "effects",
           "format_number", "kpi_stats", "load", "match_runs", "summary_table"]
