"""The analysis package on files written by the simulator during the test session
(`$MSS_BIN run scenarios/baseline.toml -r 8 --set scenario.horizon_days=120` and
`$MSS_BIN sweep scenarios/sweeps/fleet-vs-tour.toml`). These tests fail, not skip, when the
binary is missing (see conftest.py)."""

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis import cli, stats
from analysis.tests import helpers
from analysis.tests.conftest import assert_png_not_blank, mss_summary_csv, run_analysis

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
    helpers.assert_tables_close(ours, mss, rel=1e-12, what="analysis vs mss summary")
    assert list(ours["unit"]) == list(mss["unit"])
    helpers.assert_tables_close(ours, helpers.reference_summary(sim_plain), rel=1e-12,
                                what="analysis vs the file")
    # Same Welford arithmetic as the simulator: n, mean, sd, min and max agree exactly.
    for col in ("mean", "sd", "min", "max"):
        a, b = ours[col].to_numpy(), mss[col].to_numpy(np.float64)
        assert np.array_equal(a, b, equal_nan=True), f"{col}: {a} vs {b}"


def test_report_plots_exist_and_are_not_blank(plain_report):
    for name in PLAIN_FILES:
        assert (plain_report / name).exists(), name
    for png in plain_report.glob("*.png"):
        assert_png_not_blank(png)


def test_report_numbers_equal_mss_summary(plain_report, sim_plain):
    mss = mss_summary_csv(sim_plain)
    shown = helpers.md_kpi_table(plain_report / "report.md")
    assert list(shown["kpi"]) == list(mss["kpi"])
    assert list(shown["n"]) == list(mss["n"]) and list(shown["runs"]) == list(mss["runs"])
    for col in ("mean", "sd", "ci95_low", "ci95_high", "min", "max"):
        for kpi, s, w in zip(mss["kpi"], shown[col], mss[col]):
            assert helpers.shown_equal(s, w), f"{kpi} {col}: report shows {s}, mss summary {w}"
    csv = helpers.read_summary_csv(plain_report / "kpis.csv")
    helpers.assert_tables_close(csv, mss, rel=1e-12, what="kpis.csv vs mss summary")


def test_sweep_report_plots_exist_and_are_not_blank(sweep_report, sim_sweep):
    for name in PLAIN_FILES + ["sensitivity.png", "sensitivity.csv", "kpis_by_point.csv"]:
        assert (sweep_report / name).exists(), name
    for png in sweep_report.glob("*.png"):
        assert_png_not_blank(png)
    with analysis.load(sim_sweep) as res:
        assert res.is_sweep and res.factors
        with_values = [k for k in res.kpi_names if res.runs[k].notna().any()]
        want = helpers.reference_summary(sim_sweep)
    for k in with_values:
        assert (sweep_report / f"sweep_{k}.png").exists(), k
    csv = helpers.read_summary_csv(sweep_report / "kpis.csv")
    helpers.assert_tables_close(csv, want, rel=1e-12, what="sweep kpis.csv vs the file")


def test_sweep_tables_equal_mss_summary_per_point(sweep_report, sim_sweep):
    mss = mss_summary_csv(sim_sweep)   # a sweep: one block per design point, `point` first
    assert "point" in mss.columns
    by_point = helpers.read_summary_csv(sweep_report / "kpis_by_point.csv")
    helpers.assert_tables_close(by_point, mss, rel=1e-12, what="kpis_by_point.csv vs mss")
    with analysis.load(sim_sweep) as res:
        fv = res.factor_values
        assert not fv.isna().any().any(), f"factor values not numeric:\n{res.points}"


def test_compare_of_a_simulator_file_with_itself_gives_zero_differences(sim_plain, tmp_path):
    run_analysis("compare", sim_plain, sim_plain, "-o", tmp_path, check=0)
    t = pd.read_csv(tmp_path / "compare.csv")
    has = t["n"] > 0
    assert has.any()
    assert (t.loc[has, ["mean_diff", "sd_diff", "ci95_low", "ci95_high"]] == 0).all().all()
    assert_png_not_blank(tmp_path / "compare.png")


def test_compare_of_a_sweep_with_itself_gives_zero_differences(sim_sweep):
    with analysis.load(sim_sweep) as a, analysis.load(sim_sweep) as b:
        per_run, table = stats.paired_differences(a, b)
    assert len(per_run) == a.n_runs
    has = table["n"] > 0
    assert (table.loc[has, ["mean_diff", "sd_diff"]] == 0).all().all()


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
