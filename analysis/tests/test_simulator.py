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
from analysis.tests.conftest import (assert_png_not_blank, mss_summary_csv, mss_text,
                                     run_analysis)

PLAIN_FILES = ["strength.png", "airport.png", "kpis.png", "kpis.csv", "report.md"]


@pytest.fixture(scope="module")
def plain_report(sim_plain, tmp_path_factory):
    out = tmp_path_factory.mktemp("sim-report-plain")
    run_analysis("report", sim_plain, "-o", out, check=0)
    return out


@pytest.fixture(scope="module")
def sweep_report(sim_sweep, tmp_path_factory):
    out = tmp_path_factory.mktemp("sim-report-sweep")
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


def test_report_plots_exist_and_are_not_blank(plain_report):
    for name in PLAIN_FILES:
        assert (plain_report / name).exists(), name
    for png in plain_report.glob("*.png"):
        assert_png_not_blank(png)


def test_report_numbers_equal_mss_summary(plain_report, sim_plain):
    mss = mss_summary_csv(sim_plain)
    assert set(mss["point"]) == {0}
    with analysis.load(sim_plain) as res:
        start = res.start_date
    assert start
    header, rows = helpers.md_table(plain_report / "report.md", ["KPI", "unit", "n/runs"])
    assert header == ["KPI", "unit"] + report.STAT_HEADER
    kpis = [r[0] for r in rows if r[0] != "date"]
    assert kpis == [f"`{k}`" for k in mss["kpi"]]
    helpers.assert_stat_rows_shown(rows, 2, mss, start, what="report.md")
    helpers.assert_same_table(helpers.read_csv_table(plain_report / "kpis.csv"), mss,
                              what="kpis.csv vs mss summary")


def test_sweep_report_plots_exist_and_are_not_blank(sweep_report, sim_sweep):
    for name in PLAIN_FILES + ["sensitivity.png", "sensitivity.csv", "kpis_by_point.csv",
                               "contrasts.csv"]:
        assert (sweep_report / name).exists(), name
    for png in sweep_report.glob("*.png"):
        assert_png_not_blank(png)
    with analysis.load(sim_sweep) as res:
        assert res.is_sweep and res.factors
        with_values = [k for k in res.kpi_names if res.runs[k].notna().any()]
    for k in with_values:
        assert (sweep_report / f"sweep_{k}.png").exists(), k


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
    # report.md: a table per KPI with a row per design point, showing mss's numbers
    tables = [t for t in helpers.md_tables(sweep_report / "report.md")
              if t[0][0] == "point" and t[0][-1] == "max"]
    kpis = list(dict.fromkeys(mss["kpi"]))
    assert len(tables) == len(kpis)
    for (header, rows), kpi in zip(tables, kpis):
        helpers.assert_stat_rows_shown(rows, 1 + n_factors, mss[mss["kpi"] == kpi], start,
                                       what=f"{kpi} by point")


def test_sweep_contrasts_equal_mss_summary_vs_0(sweep_report, sim_sweep):
    want = helpers.read_csv_table(mss_text("summary", sim_sweep, "--vs", "0", "--csv"))
    helpers.assert_same_table(helpers.read_csv_table(sweep_report / "contrasts.csv"), want,
                              what="contrasts.csv vs mss summary --vs 0")
    tables = [t for t in helpers.md_tables(sweep_report / "report.md") if "pairs" in t[0]]
    assert len(tables) == 1
    header, rows = tables[0]
    assert [int(r[0]) for r in rows] == [1, 2, 3]
    col = header.index("`cost_usd`")
    for r in rows:
        w = want[(want["point"] == int(r[0])) & (want["kpi"] == "cost_usd")].iloc[0]
        shown = stats.contrast_text(w["diff"], w["diff_low"], w["diff_high"])
        assert r[col] == shown, (r[col], shown)
    reached = header.index("`days_to_foc` reached")
    for r in rows:
        w = want[(want["point"] == int(r[0])) & (want["kpi"] == "days_to_foc")].iloc[0]
        assert r[reached] == stats.contrast_text(w["reached_diff"], w["reached_diff_low"],
                                                 w["reached_diff_high"])


def test_compare_of_a_simulator_file_with_itself_gives_zero_differences(sim_plain, tmp_path):
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
    md = (tmp_path / "compare.md").read_text()
    assert "| `cost_usd` | USD | " in md and " | 0 [0, 0] |" in md
    assert_png_not_blank(tmp_path / "compare.png")


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
    assert cli.main(["plot", "sensitivity", str(sim_plain), "-o", str(tmp_path / "s.png")]) == 2


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
