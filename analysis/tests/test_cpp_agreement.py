"""`mss summary --csv` (C++) and `python3 -m analysis summary --csv` (Python) on the same
files written by the simulator print the same statistics (docs/statistics.md): the same
columns, rows, counts, and every number the same after the one number format
(`format_number`) on both sides."""

from __future__ import annotations

import csv
import io


from analysis import stats
from analysis.tests.conftest import mss_text as _mss, run_analysis

COUNTS = {"point", "reference", "runs", "n", "pairs", "reached_pairs"}


def _rows(text: str) -> tuple[list[str], list[dict]]:
    r = csv.DictReader(io.StringIO(text))
    return list(r.fieldnames or []), [row for row in r]


def _shown(cell: str) -> str:
    """A CSV cell as a table prints it: empty = no value, `inf` = never."""
    return stats.format_number(float(cell) if cell != "" else float("nan"))


def _agree(cpp_text: str, py_text: str, columns: list[str], key: list[str]) -> None:
    cpp_cols, cpp = _rows(cpp_text)
    py_cols, py = _rows(py_text)
    assert cpp_cols == columns, f"mss summary --csv columns {cpp_cols}, the contract {columns}"
    assert py_cols == columns
    assert [[r[k] for k in key] for r in cpp] == [[r[k] for k in key] for r in py], \
        "different rows"
    assert cpp, "no rows"
    bad = []
    for c, p in zip(cpp, py):
        for col in columns:
            if col in key or col in ("kpi", "unit"):
                ok = c[col] == p[col]
            elif col in COUNTS:
                ok = (c[col] == "" == p[col]) or (c[col] != "" and p[col] != "" and
                                                  float(c[col]) == float(p[col]))
            else:
                ok = _shown(c[col]) == _shown(p[col])
            if not ok:
                bad.append(f"{'/'.join(c[k] for k in key)} {col}: mss {c[col]!r}, "
                           f"analysis {p[col]!r}")
    assert not bad, "\n".join(bad[:40])


def test_summary_of_a_plain_run_agrees(sim_plain):
    _agree(_mss("summary", sim_plain, "--csv"),
           run_analysis("summary", sim_plain, "--csv", check=0).stdout,
           stats.SUMMARY_CSV_COLUMNS, ["point", "kpi"])


def test_summary_of_a_sweep_agrees(sim_sweep):
    _agree(_mss("summary", sim_sweep, "--csv"),
           run_analysis("summary", sim_sweep, "--csv", check=0).stdout,
           stats.SUMMARY_CSV_COLUMNS, ["point", "kpi"])
    _agree(_mss("summary", sim_sweep, "--csv", "--point", "1", "--kpi", "days_to_foc,cost_usd"),
           run_analysis("summary", sim_sweep, "--csv", "--point", "1", "--kpi",
                        "days_to_foc,cost_usd", check=0).stdout,
           stats.SUMMARY_CSV_COLUMNS, ["point", "kpi"])


def test_paired_contrasts_of_a_sweep_agree(sim_sweep):
    _agree(_mss("summary", sim_sweep, "--vs", "0", "--csv"),
           run_analysis("summary", sim_sweep, "--vs", "0", "--csv", check=0).stdout,
           stats.CONTRAST_CSV_COLUMNS, ["point", "reference", "kpi"])


def test_what_binds_is_printed_as_mss_summary_prints_it(sim_plain):
    """The 'what binds' block of a plain run's readable summary: character for character."""
    def block(text):
        return text[text.index("\nwhat binds:"):]
    cpp = block(_mss("summary", sim_plain))
    assert "pipeline  binds in" in cpp
    assert block(run_analysis("summary", sim_plain, check=0).stdout) == cpp
