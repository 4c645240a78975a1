"""Helpers shared by the analysis tests: reading CSV and report.md tables back, reference
statistics computed from the file without the analysis package."""

from __future__ import annotations

import math
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
from scipy import optimize
from scipy import stats as sps

from analysis import stats

#: Columns of the CSV tables that are text, and those that are counts (compared exactly).
TEXT_COLUMNS = {"kpi", "unit"}
COUNT_COLUMNS = {"point", "reference", "runs", "n", "pairs", "reached_pairs"}


def read_csv_table(source) -> pd.DataFrame:
    """A CSV in the format of `mss summary --csv` (a path, or the text itself): text columns
    as text, every other cell a float read exactly (empty = NaN, `inf` = never)."""
    import csv
    import io
    text = source if isinstance(source, str) and "\n" in source else Path(source).read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    cols = text.splitlines()[0].split(",")
    return pd.DataFrame({c: [r[c] if c in TEXT_COLUMNS else
                             (float(r[c]) if r[c] != "" else math.nan) for r in rows]
                         for c in cols}, columns=cols)


def assert_same_table(got: pd.DataFrame, want: pd.DataFrame, rel: float = 1e-9,
                      what: str = "") -> None:
    """The same columns and rows: text equal, counts exactly equal, every other number equal
    within `rel` of the larger of it and the row's mean (or diff), NaN and inf in the same
    places."""
    assert list(got.columns) == list(want.columns), f"{what}: columns differ"
    assert len(got) == len(want), f"{what}: {len(got)} rows, expected {len(want)}"
    scale_col = "mean" if "mean" in want.columns else "diff" if "diff" in want.columns else None
    for col in want.columns:
        g, w = list(got[col]), list(want[col])
        if col in TEXT_COLUMNS:
            assert g == w, f"{what} {col}: {g} vs {w}"
            continue
        g = np.asarray(g, np.float64)
        w = np.asarray(w, np.float64)
        assert np.array_equal(np.isnan(g), np.isnan(w)), f"{what} {col}: NaN pattern differs"
        assert np.array_equal(np.isinf(g), np.isinf(w)), f"{what} {col}: inf pattern differs"
        if col in COUNT_COLUMNS:
            assert np.array_equal(g, w, equal_nan=True), f"{what} {col}: {g} vs {w}"
            continue
        ok = np.isfinite(w)
        scale = np.abs(w)
        if scale_col is not None:
            sc = np.abs(np.asarray(want[scale_col], np.float64))
            scale = np.fmax(scale, np.where(np.isfinite(sc), sc, 0.0))
        bad = np.zeros(len(w), bool)
        bad[ok] = np.abs(g[ok] - w[ok]) > rel * scale[ok] + 1e-300
        assert not bad.any(), (f"{what} {col} differs for {list(np.asarray(want['kpi'])[bad])}"
                               f": {g[bad]} vs {w[bad]}")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip()[1:-1].split(" | ")]


def md_tables(md_path: Path) -> list[tuple[list[str], list[list[str]]]]:
    """Every Markdown table of a file: (header cells, rows of cells)."""
    lines = Path(md_path).read_text().splitlines()
    out = []
    i = 0
    while i < len(lines):
        if lines[i].startswith("|") and i + 1 < len(lines) and lines[i + 1].startswith("| --"):
            header = _cells(lines[i])
            rows = []
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            out.append((header, rows))
        else:
            i += 1
    return out


def md_table(md_path: Path, first: list[str]) -> tuple[list[str], list[list[str]]]:
    """The Markdown table of a file whose header starts with the cells `first`."""
    for header, rows in md_tables(md_path):
        if header[:len(first)] == first:
            return header, rows
    raise AssertionError(f"{md_path}: no table with a header starting {first}")


def html_tables(html_path: Path) -> list[dict]:
    """Every table of an HTML report, read with the standard library's parser: [{"id",
    "header": [cell text], "rows": [[cell text]], "keys": [the row's data-key or ""]}]. A
    cell's text is its text content with whitespace collapsed; the first cell of a row that
    has a data-key (a KPI's name in words and its variable) reads as the key itself."""
    from html.parser import HTMLParser

    class Tables(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.tables, self.cell, self.row, self.key = [], None, None, ""
            self.first_is_key = False

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "table":
                self.tables.append({"id": a.get("id", ""), "header": [], "rows": [],
                                    "keys": []})
            elif tag == "tr" and self.tables:
                self.row, self.key = [], a.get("data-key", "")
            elif tag in ("td", "th") and self.row is not None:
                self.cell = []
                self.first_is_key = tag == "td" and "key" in (a.get("class") or "").split()
            elif tag == "br" and self.cell is not None:
                self.cell.append(" ")

        def handle_data(self, data):
            if self.cell is not None:
                self.cell.append(data)

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self.cell is not None:
                text = " ".join("".join(self.cell).split())
                if self.first_is_key and not self.row:
                    text = self.key
                self.row.append(text)
                self.cell = None
            elif tag == "tr" and self.row is not None:
                t = self.tables[-1]
                if not t["header"] and not t["rows"] and not self.key and \
                        self._in_head:
                    t["header"] = self.row
                else:
                    t["rows"].append(self.row)
                    t["keys"].append(self.key)
                self.row = None
            elif tag == "thead":
                self._in_head = False

        _in_head = False

        def handle_startendtag(self, tag, attrs):
            self.handle_starttag(tag, attrs)

        def parse_starttag(self, i):   # note <thead> before its rows
            j = super().parse_starttag(i)
            if self.rawdata[i:i + 6].lower() == "<thead":
                self._in_head = True
            return j

    parser = Tables()
    parser.feed(Path(html_path).read_text(encoding="utf-8"))
    return parser.tables


def html_table(html_path: Path, id: str | None = None, first: list[str] | None = None):
    """(header, rows) of the report table with this id, or whose header starts `first`."""
    for t in html_tables(html_path):
        if (id is not None and t["id"] == id) or (first is not None and
                                                    t["header"][:len(first)] == first):
            return t["header"], t["rows"]
    raise AssertionError(f"{html_path}: no table {id or first}")


def split_cell(cell: str) -> tuple[str, str | None, str | None, str]:
    """A table cell `v [lo, hi] suffix` as (v, lo, hi, suffix); lo, hi None without an
    interval. Numbers keep their thousands commas (the interval's ends are separated by a
    comma and a space)."""
    import re
    m = re.fullmatch(r"(\S+)(?: \[(\S+), (\S+)\])?(?: (.*))?", cell)
    assert m, f"not a value cell: {cell!r}"
    return m.group(1), m.group(2), m.group(3), m.group(4) or ""


def assert_stat_rows_shown(rows: list[list[str]], lead: int, want: pd.DataFrame,
                           start: str, what: str = "") -> None:
    """The rows of a report KPI table (after `lead` leading cells, the columns of
    report.STAT_HEADER, with `reached` when the table has it, and a `date` row under a
    first-day KPI) show `want` (rows of mss summary --csv, in order) through format_number
    and kpi_date."""
    fn = stats.format_number
    rows = list(rows)
    for w in want.to_dict("records"):
        first = stats.kpi_meta(w["kpi"]).first_day
        row = rows.pop(0)
        cells = row[lead:]
        has_reached = len(cells) == 9
        assert cells[0] == f"{int(w['n'])}/{int(w['runs'])}", (what, w["kpi"], cells[0])
        if has_reached:
            r = cells.pop(1)
            if first:
                v, lo, hi, _ = split_cell(r)
                assert (v, lo, hi) == (fn(w["reached"]),) + (
                    (None, None) if w["reached_low"] != w["reached_low"]
                    else (fn(w["reached_low"]), fn(w["reached_high"]))), (what, w["kpi"], r)
            else:
                assert r == "", (what, w["kpi"], r)
        v, lo, hi, suffix = split_cell(cells[1])
        assert v == fn(w["mean"]), (what, w["kpi"], "mean", v, w["mean"])
        if w["ci_low"] == w["ci_low"]:
            assert (lo, hi) == (fn(w["ci_low"]), fn(w["ci_high"])), (what, w["kpi"], lo, hi)
        else:
            assert lo is None and hi is None, (what, w["kpi"], cells[1])
        if w["mean"] == w["mean"]:
            assert suffix == ("if reached" if first else
                              "*" if 0 < w["n"] < w["runs"] else ""), (what, w["kpi"], suffix)
        for cell, col in zip(cells[2:], ("sd", "p10", "p50", "p90", "min", "max")):
            assert cell == fn(w[col]), (what, w["kpi"], col, cell, w[col])
        if first and start:
            d = rows.pop(0)[lead:]
            assert row[0] != "date" and d[0] == "", (what, w["kpi"])
            dates = d[2 if has_reached else 1:]
            v, lo, hi, _ = split_cell(dates[0])
            assert v == stats.kpi_date(start, w["mean"]), (what, w["kpi"], v)
            if w["ci_low"] == w["ci_low"]:
                assert (lo, hi) == (stats.kpi_date(start, w["ci_low"]),
                                    stats.kpi_date(start, w["ci_high"]))
            assert dates[1] == ""
            assert dates[2:] == [stats.kpi_date(start, w[c]) for c in
                                 ("p10", "p50", "p90", "min", "max")], (what, w["kpi"], dates)
    assert not rows, f"{what}: extra rows {rows}"


def t975_reference(df: int) -> float:
    """The 0.975 quantile of Student's t by root finding on the upper tail, independently of
    scipy's `t.ppf` (inaccurate to ~4e-9 in scipy 1.10) and of analysis.stats.t975."""
    return optimize.brentq(lambda t: sps.t.sf(t, df) - 0.025, 0.0, 1e3, xtol=1e-15,
                           rtol=8.9e-16, maxiter=500)


def runs_table(path: Path):
    """The root's per-run variables of an mss-sim/2 file as one numpy structured array (run,
    point, replication, seed, status, wall_s, the KPIs of /run `kpis`, events_dropped), and
    KPI name -> units."""
    with h5py.File(path, "r") as f:
        kpis = [k.decode() if isinstance(k, bytes) else str(k) for k in f["run"].attrs["kpis"]]
        names = ["run", "point", "replication", "seed", "status", "wall_s", *kpis,
                 "events_dropped"]
        cols = {k: f[k][()] for k in names if k in f}
        units = {}
        for k in kpis:
            u = f[k].attrs.get("units", "")
            units[k] = u.decode() if isinstance(u, bytes) else str(u)
    out = np.zeros(len(cols["run"]), [(k, v.dtype) for k, v in cols.items()])
    for k, v in cols.items():
        out[k] = v
    return out, units


def reference_summary(path: Path) -> pd.DataFrame:
    """Statistics read from the file with h5py and computed with numpy alone (not the
    analysis package), one row per design point with runs and KPI: point, kpi, runs (ok
    runs), n (runs with a value), reached (first-day KPIs: n / runs), and for every other KPI
    mean, sd, p10, p50, p90, min and max over the n values (NaN where undefined)."""
    runs, _ = runs_table(path)
    ok = runs[runs["status"] == 0]
    skip = {"run", "point", "replication", "seed", "status", "wall_s", "events_dropped"}
    rows = []
    for p in np.unique(runs["point"]):
        sub = ok[ok["point"] == p]
        for k in runs.dtype.names:
            if k in skip:
                continue
            v = sub[k].astype(np.float64)
            x = v[~np.isnan(v)]
            row = {"point": int(p), "kpi": k, "runs": v.size, "n": x.size}
            if k in stats.FIRST_DAY:
                row["reached"] = x.size / v.size if v.size else math.nan
            elif x.size:
                q = np.quantile(x, [0.1, 0.5, 0.9])
                row.update(mean=x.mean(), sd=x.std(ddof=1) if x.size > 1 else math.nan,
                           p10=q[0], p50=q[1], p90=q[2], min=x.min(), max=x.max())
            rows.append(row)
    return pd.DataFrame(rows)


def assert_matches_reference(got: pd.DataFrame, want: pd.DataFrame, rel: float = 1e-12,
                             what: str = "") -> None:
    """`got` (a summary table) has the rows of `want` (reference_summary) in the same order,
    the same counts, and the numbers `want` gives within `rel` (where `want` has them)."""
    assert list(got["point"].astype(int)) == list(want["point"]), what
    assert list(got["kpi"]) == list(want["kpi"]), what
    for col in ("runs", "n"):
        assert list(got[col].astype(int)) == list(want[col]), f"{what} {col}"
    for col in ("reached", "mean", "sd", "p10", "p50", "p90", "min", "max"):
        w = want[col].to_numpy(np.float64)
        g = got[col].to_numpy(np.float64)
        has = ~np.isnan(w)
        assert has.any(), f"{what} {col}: nothing to compare"
        np.testing.assert_allclose(g[has], w[has], rtol=rel, atol=1e-300,
                                   err_msg=f"{what} {col}")
