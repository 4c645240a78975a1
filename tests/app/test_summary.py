"""The statistics a person reads (docs/statistics.md) as `mss run`, `mss sweep` and
`mss summary` print them: the shape of the tables and CSV, the refusals (exit 2), and one
paired contrast recomputed from the per-run variables (xarray) with scipy. Small scenarios (tests/cluster),
a few seconds in all. Started from the source root with $MSS_BIN."""
import csv
import io
import os
import pathlib
import subprocess

import xarray as xr
import numpy as np
import pytest
import scipy.stats as st

ROOT = pathlib.Path(__file__).resolve().parents[2]
MSS = os.environ.get("MSS_BIN", str(ROOT / "build/release/sim/app/mss"))
SMALL = ROOT / "tests/cluster/small.toml"
SMALL_SWEEP = ROOT / "tests/cluster/small_sweep.toml"
POINTS, REPS = 4, 4
DEFAULT_KPIS = ["days_to_foc", "mean_filled_frac", "min_filled_frac", "gap_person_days",
                "cost_usd"]


def mss(*args, check=True):
    r = subprocess.run([MSS, *map(str, args)], capture_output=True, text=True, cwd=ROOT)
    if check:
        assert r.returncode == 0, r.stderr
    return r


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    out = tmp_path_factory.mktemp("plain") / "plain.h5"
    r = mss("run", SMALL, "-r", 3, "-q", "-o", out)
    return out, r.stdout


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "sweep.h5"
    r = mss("sweep", SMALL_SWEEP, "-j", 2, "-q", "-o", out)
    return out, r.stdout


def table_after(lines, first):
    """The lines from the one starting with `first` to the next empty line or the end."""
    i = next(i for i, line in enumerate(lines) if line.startswith(first))
    j = next((k for k in range(i, len(lines)) if not lines[k].strip()), len(lines))
    return lines[i:j]


def test_run_and_summary_print_the_same_per_kpi_table(plain):
    out, stdout = plain
    lines = stdout.splitlines()
    # From the table to the end: the per-KPI table, then what binds; as mss summary prints them.
    tail = lines[next(i for i, line in enumerate(lines) if line.startswith("KPI ")):]
    assert tail == mss("summary", out).stdout.splitlines()
    assert any(line.startswith("what binds:") for line in tail)
    printed = table_after(lines, "KPI ")
    assert printed[0].split()[:4] == ["KPI", "unit", "n/runs", "mean"]
    assert "95% CI of the mean" in printed[0] and printed[0].endswith("max")
    # A first-day KPI leads with its share reaching, then the conditional mean and its dates.
    i = next(i for i, line in enumerate(printed) if line.startswith("days_to_foc: reached "))
    assert "(Wilson)" in printed[i]
    assert printed[i + 1].startswith("  mean if reached")
    assert printed[i + 2].startswith("  date") and "-" in printed[i + 2]
    assert any(line.startswith("cost_usd ") and "3/3" in line for line in printed)


def test_a_sweep_ends_with_one_row_per_design_point(swept):
    out, stdout = swept
    printed = table_after(stdout.splitlines(), "point ")
    head = printed[0].split()
    assert head[:2] == ["point", "aircraft.B787-charter.count"]
    assert head[-len(DEFAULT_KPIS):] == DEFAULT_KPIS
    assert "reached [95% CI]" in printed[1] and "mean [95% CI]" in printed[1]
    rows = printed[2:2 + POINTS]
    assert [int(r.split()[0]) for r in rows] == list(range(POINTS))
    assert "design point 0" not in stdout  # no table per point
    # `mss summary` prints the same table.
    assert mss("summary", out).stdout.splitlines() == printed[:len(printed) - 1]


def test_summary_point_and_kpi(swept):
    out, _ = swept
    lines = mss("summary", out, "--point", 1).stdout.splitlines()
    assert lines[0].startswith("design point 1: aircraft.B787-charter.count=1, "
                               "contingent.Kenya.tour_days={ dist = \"normal\"")
    assert lines[1].startswith("KPI ")
    lines = mss("summary", out, "--kpi", "cost_usd, days_to_ioc").stdout.splitlines()
    assert lines[0].split()[-2:] == ["cost_usd", "days_to_ioc"]


def runs_table(path):
    """The per-run table as docs/results.md reads it (format 2: one variable per column)."""
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        return ds.drop_dims(["contingent", "payer", "design_point"],
                            errors="ignore").to_dataframe().reset_index()


def test_summary_csv_columns(swept):
    out, _ = swept
    rows = list(csv.DictReader(io.StringIO(mss("summary", out, "--csv").stdout)))
    assert list(rows[0]) == ["point", "kpi", "unit", "runs", "n", "reached", "reached_low",
                             "reached_high", "mean", "ci_low", "ci_high", "sd", "p10", "p50",
                             "p90", "min", "max"]
    runs = runs_table(out)
    kpis = list(dict.fromkeys(r["kpi"] for r in rows))
    assert kpis[:2] == ["days_to_ioc", "days_to_foc"] and set(kpis) <= set(runs.columns)
    assert len(kpis) >= 20 and len(rows) == POINTS * len(kpis)
    assert [int(r["point"]) for r in rows] == [p for p in range(POINTS) for _ in kpis]
    foc = [r for r in rows if r["kpi"] == "days_to_foc"]
    assert all(r["reached"] != "" for r in foc)
    cost = [r for r in rows if r["kpi"] == "cost_usd"]
    assert all(r["reached"] == "" and int(r["runs"]) == REPS for r in cost)
    v = runs["cost_usd"][runs["point"] == 2].to_numpy()
    assert float(cost[2]["mean"]) == pytest.approx(v.mean(), rel=1e-15)
    assert float(cost[2]["sd"]) == pytest.approx(v.std(ddof=1), rel=1e-12)


def test_a_paired_contrast_is_scipys(swept):
    out, _ = swept
    r = mss("summary", out, "--vs", 0, "--csv", "--kpi", "cost_usd,days_to_foc")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [(int(x["point"]), x["kpi"]) for x in rows] == [
        (p, k) for p in range(1, POINTS) for k in ("cost_usd", "days_to_foc")]
    runs = runs_table(out)
    ok = runs[runs["status"] == 0]

    def by_rep(point, kpi):
        sel = ok[ok["point"] == point]
        return dict(zip(sel["replication"], sel[kpi]))

    row = next(x for x in rows if x["point"] == "3" and x["kpi"] == "cost_usd")
    p, ref = by_rep(3, "cost_usd"), by_rep(0, "cost_usd")
    reps = sorted(set(p) & set(ref))
    a, b = [p[i] for i in reps], [ref[i] for i in reps]
    ci = st.ttest_rel(a, b).confidence_interval()
    assert int(row["pairs"]) == len(reps)
    assert float(row["diff"]) == pytest.approx(np.mean(np.subtract(a, b)), rel=1e-12)
    assert float(row["diff_low"]) == pytest.approx(ci.low, rel=1e-9)
    assert float(row["diff_high"]) == pytest.approx(ci.high, rel=1e-9)
    assert row["reached_pairs"] == ""
    foc = next(x for x in rows if x["point"] == "3" and x["kpi"] == "days_to_foc")
    assert int(foc["reached_pairs"]) == len(reps)
    # The table: one row per point other than the reference.
    table = mss("summary", out, "--vs", 0).stdout.splitlines()
    assert table[0].startswith("paired contrasts against design point 0: ")
    assert [int(line.split()[0]) for line in table[3:3 + POINTS - 1]] == [1, 2, 3]
    # Without a first-day KPI there is no second header line.
    table = mss("summary", out, "--vs", 0, "--kpi", "cost_usd").stdout.splitlines()
    assert [int(line.split()[0]) for line in table[2:2 + POINTS - 1]] == [1, 2, 3]
    one = mss("summary", out, "--vs", 0, "--point", 2).stdout.splitlines()
    assert one[1].startswith("design point 2: ")
    assert one[2].split()[:4] == ["KPI", "unit", "pairs", "difference"]


@pytest.mark.parametrize("args, message", [
    (["--kpi", "days_to_fco"], "mss summary: --kpi days_to_fco: .* has no KPI named "
                               "'days_to_fco'; did you mean 'days_to_foc'\\?"),
    (["--kpi", "cost_usd,,pax_in"], "mss summary: --kpi cost_usd,,pax_in: an empty KPI name"),
    (["--point", 4], "mss summary: --point 4: .* has design points 0 to 3$"),
    (["--vs", 7], "mss summary: --vs 7: .* has design points 0 to 3$"),
    (["--vs", 1, "--point", 1], "--point 1 and --vs 1 name the same design point"),
    (["--point", -1], "mss summary: --point: expected a design point number"),
])
def test_sweep_refusals(swept, args, message):
    import re
    r = mss("summary", swept[0], *args, check=False)
    assert r.returncode == 2 and r.stdout == ""
    assert re.search(message, r.stderr.splitlines()[0]), r.stderr


def test_contrasts_of_a_plain_run_are_refused(plain):
    r = mss("summary", plain[0], "--vs", 0, check=False)
    assert r.returncode == 2 and r.stdout == ""
    assert "--vs 0: " in r.stderr and "is a plain run (one design point)" in r.stderr
    r = mss("summary", plain[0], "--point", 1, check=False)
    assert r.returncode == 2 and "has one design point, 0" in r.stderr
