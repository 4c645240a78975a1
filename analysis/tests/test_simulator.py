"""The analysis package on files written by the simulator during the test session
(`$MSS_BIN run scenarios/baseline.toml -r 8 --set scenario.horizon_days=120` and
`$MSS_BIN sweep scenarios/sweeps/fleet-vs-tour.toml`). These tests fail, not skip, when the
binary is missing (see conftest.py)."""

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis import cli, report, stats
from analysis.tests import helpers
from analysis.tests.conftest import (mss_summary_csv, mss_text,
                                     run_analysis)

PLAIN_FILES = ["report.html", "kpis.csv"]


@pytest.fixture(scope="module")
def plain_report(sim_plain, tmp_path_factory):
    out = tmp_path_factory.mktemp("sim-report-plain") / "r"
    run_analysis("report", sim_plain, "-o", out, check=0)
    return out


@pytest.fixture(scope="module")
def sweep_report(sim_sweep, tmp_path_factory):
    out = tmp_path_factory.mktemp("sim-report-sweep") / "r"
    run_analysis("report", sim_sweep, "-o", out, "--sweep", check=0)
    return out


def test_simulator_file_loads_with_named_dimensions_and_dates(sim_plain):
    with analysis.load(sim_plain) as res:
        assert res.n_runs == 8 and not res.is_sweep
        s = res.series
        assert s["strength"].dims == ("run", "time", "contingent")
        assert s["filled"].dims == ("run", "time", "contingent")
        assert s["airport_open"].dims == ("run", "time", "airport")
        assert s["airport_closed"].dims == ("run", "time", "airport", "operator_class")
        assert s["regime"].dims == ("run", "time")
        assert s.sizes["time"] == 120
        assert s["time"].values[0] == np.datetime64(res.start_date)
        assert res.dates[0] == pd.Timestamp(res.start_date)
        assert res.contingents == [c["name"] for c in res.scenario["contingent"]]
        assert res.airports == [a["code"] for a in res.scenario["airport"]]
        assert res.main_airport in res.airports
        assert set(res.billets) == set(res.contingents)
        assert res.authorised_total > 0 and 0 < res.floor <= res.authorised_total
        np.testing.assert_array_equal(res.runs["run"], np.arange(8))


def test_summary_equals_mss_summary_and_the_file(sim_plain):
    mss = mss_summary_csv(sim_plain)
    with analysis.load(sim_plain) as res:
        ours = res.summary()
    assert list(ours.columns) == stats.SUMMARY_CSV_COLUMNS
    helpers.assert_same_table(ours, mss, rel=1e-9, what="Results.summary() vs mss summary")
    helpers.assert_matches_reference(ours, helpers.reference_summary(sim_plain),
                                     what="Results.summary() vs the file")
    # The contract's arithmetic is numpy's on both sides: means, sd, quantiles and shares are
    # the same bits (only the t and Wilson intervals may differ in the last digits).
    for col in ("mean", "sd", "p10", "p50", "p90", "min", "max", "reached"):
        a, b = ours[col].to_numpy(np.float64), mss[col].to_numpy(np.float64)
        assert np.array_equal(a, b, equal_nan=True), f"{col}: {a} vs {b}"


def test_report_files_exist(plain_report):
    assert sorted(p.name for p in plain_report.iterdir()) == sorted(PLAIN_FILES)


def test_report_numbers_equal_mss_summary(plain_report, sim_plain):
    mss = mss_summary_csv(sim_plain)
    with analysis.load(sim_plain) as res:
        start = res.start_date
    header, rows = helpers.html_table(plain_report / "report.html", id="table-kpis")
    assert header == ["KPI", "unit"] + report.STAT_HEADER
    helpers.assert_stat_rows_shown(rows, 2, mss, start, what="report.html")
    helpers.assert_same_table(helpers.read_csv_table(plain_report / "kpis.csv"), mss,
                              what="kpis.csv vs mss")


def test_sweep_report_files_exist(sweep_report):
    assert sorted(p.name for p in sweep_report.iterdir()) == sorted(
        PLAIN_FILES + ["kpis_by_point.csv", "contrasts.csv", "sensitivity.csv"])


def test_sweep_tables_equal_mss_summary_per_point(sweep_report, sim_sweep):
    mss = mss_summary_csv(sim_sweep)   # a sweep: every design point, `point` first
    assert sorted(set(mss["point"])) == [0, 1, 2, 3]
    for name in ("kpis_by_point.csv", "kpis.csv"):   # no --point: both are every point
        helpers.assert_same_table(helpers.read_csv_table(sweep_report / name), mss,
                                  what=f"{name} vs mss")
    helpers.assert_matches_reference(mss, helpers.reference_summary(sim_sweep),
                                     what="mss summary vs the file")
    with analysis.load(sim_sweep) as res:
        fv = res.factor_values
        assert not fv.isna().any().any(), f"factor values not numeric:\n{res.points}"
        start = res.start_date
        n_factors = len(res.factors)
    # report.html: a table per KPI with a row per design point, showing mss's numbers
    tables = [t for t in helpers.html_tables(sweep_report / "report.html")
              if t["id"].startswith("table-kpi-")]
    kpis = list(dict.fromkeys(mss["kpi"]))
    assert [t["id"] for t in tables] == [f"table-kpi-{k}" for k in kpis]
    for t, kpi in zip(tables, kpis):
        helpers.assert_stat_rows_shown(t["rows"], 1 + n_factors, mss[mss["kpi"] == kpi], start,
                                       what=f"{kpi} by point")


def test_sweep_contrasts_equal_mss_summary_vs_0(sweep_report, sim_sweep):
    want = helpers.read_csv_table(mss_text("summary", sim_sweep, "--vs", "0", "--csv"))
    helpers.assert_same_table(helpers.read_csv_table(sweep_report / "contrasts.csv"), want,
                              what="contrasts.csv vs mss summary --vs 0")
    header, rows = helpers.html_table(sweep_report / "report.html", id="table-contrasts")
    assert [int(r[0]) for r in rows] == [1, 2, 3]
    col = header.index("cost_usd")
    for r in rows:
        w = want[(want["point"] == int(r[0])) & (want["kpi"] == "cost_usd")].iloc[0]
        shown = stats.contrast_text(w["diff"], w["diff_low"], w["diff_high"])
        assert r[col] == shown, (r[col], shown)
    reached = header.index("days_to_foc reached")
    for r in rows:
        w = want[(want["point"] == int(r[0])) & (want["kpi"] == "days_to_foc")].iloc[0]
        assert r[reached] == stats.contrast_text(w["reached_diff"], w["reached_diff_low"],
                                                 w["reached_diff_high"])


def test_compare_of_a_simulator_file_with_itself_gives_zero_differences(sim_plain, tmp_path):
    tmp_path = tmp_path / "c"
    run_analysis("compare", sim_plain, sim_plain, "-o", tmp_path, check=0)
    t = helpers.read_csv_table(tmp_path / "compare.csv")
    assert list(t.columns) == stats.COMPARE_CSV_COLUMNS
    with analysis.load(sim_plain) as res:
        assert list(t["kpi"]) == res.kpi_names and (t["point"] == 0).all()
        n_ok = int(res.ok.sum())
    has = t["pairs"] >= 2
    assert has.sum() >= 10
    assert (t.loc[has, ["diff", "diff_low", "diff_high"]] == 0).all().all()
    assert (t.loc[has, "mean_a"] == t.loc[has, "mean_b"]).all()
    assert t.loc[t["pairs"] == 0, ["diff", "diff_low", "mean_a"]].isna().all().all()
    first = t["kpi"].isin(stats.FIRST_DAY)
    assert (t.loc[first, "reached_pairs"] == n_ok).all()
    assert (t.loc[first, ["reached_diff", "reached_diff_low", "reached_diff_high"]] == 0)\
        .all().all()
    assert t.loc[~first, "reached_pairs"].isna().all()
    header, rows = helpers.html_table(tmp_path / "compare.html", first=report.COMPARE_HEADER)
    cost = [r for r in rows if r[0] == "cost_usd"][0]
    assert cost[1] == "USD" and cost[-1] == "0 [0, 0]"


def test_compare_of_a_sweep_with_itself_gives_zero_differences(sim_sweep):
    with analysis.load(sim_sweep) as a, analysis.load(sim_sweep) as b:
        pairs, kpis = stats.match_runs(a, b)
        table = stats.compare_table(pairs, kpis, a.kpi_units)
    assert len(pairs) == a.n_runs
    assert sorted(set(table["point"])) == [0, 1, 2, 3]
    has = table["pairs"] >= 2
    assert has.any()
    assert (table.loc[has, ["diff", "diff_low", "diff_high"]] == 0).all().all()


def test_sweep_plots_from_a_simulator_plain_run_exit_2(sim_plain, tmp_path):
    p = run_analysis("report", sim_plain, "-o", tmp_path / "r", "--sweep")
    assert p.returncode == 2 and "plain run" in p.stderr
    assert cli.main(["plot", "effects", str(sim_plain), "-o", str(tmp_path / "s.png")]) == 2


def test_distribution_factor_of_a_simulator_sweep_is_valued_by_its_mean(sim_sweep):
    """`mss` stores a distribution-valued level as its index in /points; the analysis must
    read it as the level's mean and label it from the sweep text (not as 0, 1)."""
    with analysis.load(sim_sweep) as res:
        assert sorted(set(res.points["contingent.Kenya.tour_days"])) == [0.0, 1.0]
        fv = res.factor_values
        assert sorted(set(fv["contingent.Kenya.tour_days"])) == [182.0, 365.0]
        assert sorted(set(fv["aircraft.B787-charter.count"])) == [1.0, 2.0]
        labels = res.factor_labels["contingent.Kenya.tour_days"]
        assert labels[182.0].startswith("normal(") and "mean=182" in labels[182.0]
        assert "aircraft.B787-charter.count" not in res.factor_labels
