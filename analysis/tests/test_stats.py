"""Numbers: the KPI table of a file and compare's paired differences."""

import math

import numpy as np
import pandas as pd
import pytest
import analysis
from analysis import stats
from analysis.tests import conftest, helpers, synthetic
from statsmodels.stats.proportion import proportion_confint


def test_t_quantile_is_accurate_where_scipy_ppf_is_not():
    # Boost.Math (used by `mss summary`) gives these; scipy 1.10's t.ppf is off by ~1e-9.
    boost = {5: 2.5705818356363146, 6: 2.4469118511449794, 40: 2.021075390306273,
             2: 4.302652729749462, 999: 1.9623414611334495}
    for df, q in boost.items():
        assert stats.t975(df) == pytest.approx(q, rel=5e-15, abs=0)
        assert stats.t975(df) == pytest.approx(helpers.t975_reference(df), rel=5e-15, abs=0)


def test_summary_is_the_contract_table_and_equals_the_file(syn_plain):
    with analysis.load(syn_plain) as res:
        got = res.summary()
        direct = stats.summary_table(res.runs, res.kpi_names, ok=res.ok, units=res.kpi_units)
    assert list(got.columns) == stats.SUMMARY_CSV_COLUMNS
    pd.testing.assert_frame_equal(got, direct)
    helpers.assert_matches_reference(got, helpers.reference_summary(syn_plain), what="summary")
    row = got.set_index("kpi").loc["days_to_foc"]
    assert (row["n"], row["runs"], row["reached"]) == (4, 6, 4 / 6)


def test_summary_csv_has_the_mss_summary_format(syn_plain):
    with analysis.load(syn_plain) as res:
        t = res.summary()
    text = stats.csv_text(t)
    lines = text.splitlines()
    assert lines[0] == ",".join(stats.SUMMARY_CSV_COLUMNS)
    assert len(lines) == 1 + len(synthetic.KPI_COLUMNS)
    killed = next(line for line in lines if line.startswith("0,killed,"))
    assert killed == "0,killed,1,6,6,,,,0,0,0,0,0,0,0,0,0"
    foc = next(line for line in lines if line.startswith("0,days_to_foc,")).split(",")
    assert foc[3:6] == ["6", "4", "0.66666666666666663"] and foc[-1] == "inf"
    # %.17g round-trips exactly.
    cells = next(line for line in lines if line.startswith("0,mean_strength_frac,")).split(",")
    assert float(cells[8]) == t.set_index("kpi").loc["mean_strength_frac", "mean"]


def test_failed_runs_are_left_out(tmp_path):
    path = synthetic.write(tmp_path / "f.h5", failed_runs=(2,))
    with analysis.load(path) as res:
        t = res.summary().set_index("kpi")
        assert (t["runs"] == 5).all() and (t["n"] == 5).all()
        assert res.ok.tolist() == [True, True, False, True, True, True]


def test_a_sweep_is_summarised_per_design_point(syn_sweep):
    with analysis.load(syn_sweep) as res:
        every = res.summary()
        two = res.summary(["pax_in", "days_to_ioc"], [2])
        runs = res.runs
    assert list(every["point"].unique()) == list(range(6))
    assert len(every) == 6 * len(synthetic.KPI_COLUMNS)
    want = every[(every["point"] == 2) & every["kpi"].isin(["pax_in", "days_to_ioc"])]
    want = want.set_index("kpi").loc[["pax_in", "days_to_ioc"]].reset_index()
    pd.testing.assert_frame_equal(two, want[two.columns])
    v = runs.loc[runs["point"] == 2, "pax_in"].to_numpy(np.float64)
    row = two.iloc[0]
    assert (row["n"], row["mean"], row["sd"]) == (5, np.mean(v), np.std(v, ddof=1))


def test_compare_of_a_file_with_itself_is_zero(syn_plain):
    with analysis.load(syn_plain) as a, analysis.load(syn_plain) as b:
        pairs, kpis = stats.match_runs(a, b)
        table = stats.compare_table(pairs, kpis, a.kpi_units)
    assert len(pairs) == 6 and (pairs["seed_a"] == pairs["seed_b"]).all()
    assert list(table.columns) == stats.COMPARE_CSV_COLUMNS
    assert (table[["diff", "diff_low", "diff_high"]] == 0).all().all()
    assert table.set_index("kpi").loc["days_to_foc", "pairs"] == 4


def test_compare_recovers_a_shift(tmp_path):
    a = synthetic.write(tmp_path / "a.h5")
    b = synthetic.write(tmp_path / "b.h5", kpi_shift={"pax_in": 5.0, "days_to_foc": -2.0})
    with analysis.load(a) as ra, analysis.load(b) as rb:
        t = stats.compare_table(*stats.match_runs(ra, rb), ra.kpi_units).set_index("kpi")
    assert tuple(t.loc["pax_in", ["diff", "diff_low", "diff_high"]]) == (5.0, 5.0, 5.0)
    assert t.loc["days_to_foc", "diff"] == -2.0 and t.loc["days_to_foc", "reached_diff"] == 0
    assert t.loc["flights_flown", "diff"] == 0.0


def test_compare_of_sweeps_is_per_design_point_with_the_paired_t_interval(tmp_path):
    # Another seed: each replication's draws change, identically at every point.
    a = synthetic.write(tmp_path / "a.h5", factors=conftest.SWEEP_FACTORS, replications=5,
                        days=60)
    b = synthetic.write(tmp_path / "b.h5", factors=conftest.SWEEP_FACTORS, replications=5,
                        days=60, seed=8)
    with analysis.load(a) as ra, analysis.load(b) as rb:
        t = stats.compare_table(*stats.match_runs(ra, rb), ra.kpi_units)
        runs_a, runs_b = ra.runs, rb.runs
    assert list(t["point"].unique()) == list(range(6))
    checked = 0
    for p in range(6):
        for k in ["flights_flown", "pax_in", "cost_usd"]:
            va = runs_a.loc[runs_a["point"] == p, k].to_numpy(np.float64)
            vb = runs_b.loc[runs_b["point"] == p, k].to_numpy(np.float64)
            row = t[(t["point"] == p) & (t["kpi"] == k)].iloc[0]
            d = vb - va
            assert row["pairs"] == 5 and row["diff"] == pytest.approx(d.mean(), rel=1e-12)
            if np.ptp(d) > 0:
                half = helpers.t975_reference(4) * d.std(ddof=1) / math.sqrt(5)
                lo, hi = max(d.mean() - half, -math.inf), d.mean() + half
                # counts and costs are >= 0: a difference is in [-inf, inf], no clipping
                assert (row["diff_low"], row["diff_high"]) == pytest.approx((lo, hi),
                                                                            rel=1e-9), (p, k)
                checked += 1
    assert checked > 0


def test_binding_table_largest_of_four_ties_to_the_first_zeros_bind_nothing():
    # As the C++ test (tests/experiment/summary_test.cpp): pipeline largest; funds and lift
    # tied (funds first); all zero; beds largest; a missing value (nothing).
    runs = pd.DataFrame({"funds_held_person_days": [0, 7, 0, 1, 0],
                         "beds_held_person_days": [0, 0, 0, 9, np.nan],
                         "lift_held_person_days": [3, 7, 0, 2, 5],
                         "pipeline_billet_days": [10, 1, 0, 0, 5]})
    t = stats.binding_table(runs)
    assert list(t["constraint"]) == ["funds", "beds", "lift", "pipeline", "nothing"]
    assert list(t["binds"]) == [1, 1, 0, 1, 2]
    lo, hi = proportion_confint(2, 5, method="wilson")
    assert t["share_low"].iloc[4] == pytest.approx(lo)
    assert t["share_high"].iloc[4] == pytest.approx(hi)
    assert list(stats.binding_table(runs, ok=[True, True, False, False, False])["binds"]) == \
        [1, 0, 0, 1, 0]
    assert stats.binding_table(runs.drop(columns="beds_held_person_days")) is None
