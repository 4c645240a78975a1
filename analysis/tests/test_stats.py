"""Numbers: the KPI table, paired differences, sensitivity, closures, regimes."""

import math

import numpy as np
import pytest
import analysis
from analysis import stats
from analysis.tests import conftest, helpers, synthetic


def test_summarise_matches_numpy_and_scipy_and_skips_nan():
    rng = np.random.default_rng(3)
    v = rng.normal(10, 3, 50)
    v[[3, 17, 40]] = np.nan
    s = stats.summarise("x", "day", v)
    w = v[~np.isnan(v)]
    assert (s.n, s.runs) == (47, 50)
    assert s.mean == pytest.approx(w.mean(), rel=1e-14)
    assert s.sd == pytest.approx(w.std(ddof=1), rel=1e-13)
    half = helpers.t975_reference(46) * w.std(ddof=1) / math.sqrt(47)
    assert s.ci95_low == pytest.approx(w.mean() - half, rel=1e-13)
    assert s.ci95_high == pytest.approx(w.mean() + half, rel=1e-13)
    assert (s.min, s.max) == (w.min(), w.max())


def test_summarise_edge_cases_follow_mss_summary():
    s0 = stats.summarise("x", "", [math.nan, math.nan])
    assert s0.n == 0 and s0.runs == 2 and all(math.isnan(x) for x in
                                              (s0.mean, s0.sd, s0.ci95_low, s0.min, s0.max))
    s1 = stats.summarise("x", "", [math.nan, 4.0])
    assert (s1.n, s1.mean, s1.min, s1.max) == (1, 4.0, 4.0, 4.0)
    assert math.isnan(s1.sd) and math.isnan(s1.ci95_low) and math.isnan(s1.ci95_high)
    sc = stats.summarise("x", "", [2.0] * 5)
    assert (sc.sd, sc.ci95_low, sc.ci95_high) == (0.0, 2.0, 2.0)


def test_t_quantile_is_accurate_where_scipy_ppf_is_not():
    # Boost.Math (used by `mss summary`) gives these; scipy 1.10's t.ppf is off by ~1e-9.
    boost = {5: 2.5705818356363146, 6: 2.4469118511449794, 40: 2.021075390306273,
             2: 4.302652729749462, 999: 1.9623414611334495}
    for df, q in boost.items():
        assert stats.t975(df) == pytest.approx(q, rel=5e-15, abs=0)
        assert stats.t975(df) == pytest.approx(helpers.t975_reference(df), rel=5e-15, abs=0)


def test_summary_table_equals_the_file(syn_plain):
    with analysis.load(syn_plain) as res:
        got = res.summary()
    want = helpers.reference_summary(syn_plain)
    helpers.assert_tables_close(got, want, rel=1e-12, what="summary")
    row = got.set_index("kpi").loc["days_to_foc"]
    assert (row["n"], row["runs"]) == (4, 6)


def test_summary_csv_has_the_mss_summary_format(syn_plain):
    with analysis.load(syn_plain) as res:
        text = stats.summary_csv(res.summary())
    lines = text.splitlines()
    assert lines[0] == "kpi,unit,mean,sd,ci95_low,ci95_high,min,max,n,runs"
    assert len(lines) == 1 + len(synthetic.KPI_COLUMNS)
    killed = next(line for line in lines if line.startswith("killed,"))
    assert killed == "killed,person,0,0,0,0,0,0,6,6"
    # %.17g round-trips exactly.
    with analysis.load(syn_plain) as res:
        t = res.summary().set_index("kpi")
    cells = next(line for line in lines if line.startswith("mean_strength_frac,")).split(",")
    assert float(cells[2]) == t.loc["mean_strength_frac", "mean"]


def test_failed_runs_have_no_value(tmp_path):
    path = synthetic.write(tmp_path / "f.h5", failed_runs=(2,))
    with analysis.load(path) as res:
        t = res.summary().set_index("kpi")
        assert (t["runs"] == 6).all() and (t["n"] == 5).all()
        assert res.ok.tolist() == [True, True, False, True, True, True]


def test_paired_differences_of_a_file_with_itself_are_zero(syn_plain):
    with analysis.load(syn_plain) as a, analysis.load(syn_plain) as b:
        per_run, table = stats.paired_differences(a, b)
    assert len(per_run) == 6 and per_run.attrs["same_seeds"]
    has = table["n"] > 0
    assert (table.loc[has, ["mean_diff", "sd_diff", "ci95_low", "ci95_high"]] == 0).all().all()
    assert table.set_index("kpi").loc["days_to_foc", "n"] == 4


def test_paired_differences_recover_a_shift(tmp_path):
    a = synthetic.write(tmp_path / "a.h5")
    b = synthetic.write(tmp_path / "b.h5", kpi_shift={"pax_in": 5.0, "days_to_foc": -2.0})
    with analysis.load(a) as ra, analysis.load(b) as rb:
        _, table = stats.paired_differences(ra, rb)
    t = table.set_index("kpi")
    assert t.loc["pax_in", "mean_diff"] == 5.0 and t.loc["pax_in", "sd_diff"] == 0.0
    assert t.loc["days_to_foc", "mean_diff"] == -2.0
    assert t.loc["flights_flown", "mean_diff"] == 0.0


def test_src_equals_correlation_on_a_grid_and_has_the_right_sign(syn_sweep):
    with analysis.load(syn_sweep) as res:
        s = stats.sensitivity(res, "days_to_ioc")
        x = res.points.set_index("point").loc[res.runs["point"], res.factors]
        y = res.runs["days_to_ioc"].to_numpy()
    f0, f1 = res.factors
    # Faster build-up with more aircraft: fewer days to IOC.
    assert s.coef[f0] < -0.8 and s.ranking()[0] == f0
    # Orthogonal (grid) design: SRC = Pearson correlation.
    for f in res.factors:
        r = np.corrcoef(x[f].to_numpy(), y)[0, 1]
        assert s.coef[f] == pytest.approx(r, abs=1e-9)
        assert s.ci95[f][0] <= s.coef[f] <= s.ci95[f][1]
    assert 0 <= s.r2 <= 1
    k = stats.sensitivity(res, "killed")
    assert k.note == "the KPI does not vary"


def test_closed_days_from_series_and_from_events(tmp_path):
    sched = (20 * 24.0, 32 * 24.0)
    both = synthetic.write(tmp_path / "b.h5", scheduled_closure_h=sched)
    ev_only = synthetic.write(tmp_path / "e.h5", scheduled_closure_h=sched,
                              closures_in_series=False)
    series_only = synthetic.write(tmp_path / "s.h5", scheduled_closure_h=sched, events=False)
    masks = []
    for p in (both, ev_only, series_only):
        with analysis.load(p) as res:
            c = stats.closed_days(res)
            assert c.shape == (6, 90)
            assert c[:, 20:32].all() and not c[:, :20].any()
            masks.append(c)
    np.testing.assert_array_equal(masks[0], masks[1])
    np.testing.assert_array_equal(masks[0], masks[2])
    # The alternate's closure (CAP, day 5) is not the main airport's.
    assert not masks[0][:, 5].any()


def test_regime_share_sums_to_one_and_is_empty_without_violence(syn_plain, tmp_path):
    with analysis.load(syn_plain) as res:
        sh = stats.regime_share(res)
        assert list(sh.columns) == ["calm", "tense", "crisis"]
        np.testing.assert_allclose(sh.sum(axis=1), 1.0)
    with analysis.load(synthetic.write(tmp_path / "q.h5", violence=False)) as res:
        assert stats.regime_share(res).empty


# ------------------------------------------------------------------------------------------
# Sweeps pooled: common random numbers make the runs of one replication correlated


def test_pooled_sweep_interval_is_over_replication_means(syn_sweep):
    # In the synthetic sweep, flights_flown etc. are drawn per replication (the same at every
    # point, + 0.01 · factor): 30 runs but only 5 independent values.
    with analysis.load(syn_sweep) as res:
        got = stats.summary_table(res).set_index("kpi")
        runs = res.runs
    checked = 0
    for k in ["flights_flown", "pax_in", "cost_usd", "airport_closed_days", "days_to_ioc",
              "mean_strength_frac"]:
        lo, hi = helpers.replication_means_ci(runs[k], runs["replication"])
        assert got.loc[k, "ci95_low"] == pytest.approx(lo, rel=1e-12, abs=1e-12), k
        assert got.loc[k, "ci95_high"] == pytest.approx(hi, rel=1e-12, abs=1e-12), k
        # mean, sd, min, max and n stay over the runs
        v = runs[k].to_numpy()
        assert got.loc[k, "mean"] == pytest.approx(v.mean(), rel=1e-14)
        assert got.loc[k, "sd"] == pytest.approx(v.std(ddof=1), rel=1e-12)
        assert (got.loc[k, "n"], got.loc[k, "runs"]) == (30, 30)
        checked += 1
    # The naive interval (30 independent runs) is much narrower than the right one here.
    naive = stats.summarise("flights_flown", "", runs["flights_flown"])
    assert (naive.ci95_high - naive.ci95_low) < 0.6 * (got.loc["flights_flown", "ci95_high"]
                                                        - got.loc["flights_flown", "ci95_low"])
    assert checked == 6


def test_pooled_interval_drops_replications_without_a_value_and_handles_nan(tmp_path):
    R = 5
    all_nan_rep0 = list(range(0, 6 * R, R))         # replication 0 at every point
    path = synthetic.write(tmp_path / "n.h5", factors=conftest.SWEEP_FACTORS, replications=R,
                           days=60, nan_kpi={"pax_in": all_nan_rep0, "pax_out": [1, 7, 8]},
                           failed_runs=(13,))
    with analysis.load(path) as res:
        got = stats.summary_table(res).set_index("kpi")
        runs = res.runs
    assert got.loc["pax_in", "n"] == 30 - 6 - 1
    # pax_in: replication 0 drops out, 4 replications remain (one of them lacks failed run 13)
    lo, hi = helpers.cluster_robust_ci(runs["pax_in"], runs["replication"])
    assert (got.loc["pax_in", "ci95_low"], got.loc["pax_in", "ci95_high"]) == \
        pytest.approx((lo, hi), rel=1e-12)
    # unbalanced NaN: centred on the mean over runs with a value
    lo, hi = helpers.cluster_robust_ci(runs["pax_out"], runs["replication"])
    row = got.loc["pax_out"]
    assert (row["ci95_low"], row["ci95_high"]) == pytest.approx((lo, hi), rel=1e-12)
    assert row["mean"] == pytest.approx((row["ci95_low"] + row["ci95_high"]) / 2, rel=1e-12)
    # one replication with a value: no interval
    only = [i for i in range(30) if i % R != 2]
    p2 = synthetic.write(tmp_path / "one.h5", factors=conftest.SWEEP_FACTORS, replications=R,
                         days=60, nan_kpi={"pax_in": only})
    with analysis.load(p2) as res:
        row = stats.summary_table(res).set_index("kpi").loc["pax_in"]
    assert row["n"] == 6 and math.isnan(row["ci95_low"]) and math.isnan(row["ci95_high"])


def test_one_point_of_a_sweep_keeps_the_plain_interval(syn_sweep):
    with analysis.load(syn_sweep) as res:
        got = stats.summary_table(res, mask=res.runs_of_point(2))
        by_point = stats.summary_table(res, by_point=True)
    want = by_point[by_point["point"] == 2].drop(columns="point").reset_index(drop=True)
    helpers.assert_tables_close(got, want, rel=0, what="point 2")


def test_paired_differences_of_sweeps_are_clustered_by_replication(tmp_path):
    # Another seed: each replication's draws change, identically at every point.
    a = synthetic.write(tmp_path / "a.h5", factors=conftest.SWEEP_FACTORS, replications=5,
                        days=60)
    b = synthetic.write(tmp_path / "b.h5", factors=conftest.SWEEP_FACTORS, replications=5,
                        days=60, seed=8)
    with analysis.load(a) as ra, analysis.load(b) as rb:
        per_run, table = stats.paired_differences(ra, rb)
        # one design point: the plain t-interval of the differences
        pa = ra.runs[ra.runs["point"] == 1]
        pb = rb.runs[rb.runs["point"] == 1]
    t = table.set_index("kpi")
    for k in ["flights_flown", "pax_in", "cost_usd"]:
        lo, hi = helpers.replication_means_ci(per_run[k], per_run["replication"])
        assert (t.loc[k, "ci95_low"], t.loc[k, "ci95_high"]) == pytest.approx((lo, hi),
                                                                              rel=1e-12), k
        assert t.loc[k, "n"] == 30
        d = per_run[k].to_numpy()
        assert t.loc[k, "mean_diff"] == pytest.approx(d.mean(), rel=1e-12)
    d1 = pb["pax_in"].to_numpy() - pa["pax_in"].to_numpy()
    s1 = stats.summarise_runs("pax_in", "", d1, np.ones(5), np.arange(5))
    half = helpers.t975_reference(4) * d1.std(ddof=1) / math.sqrt(5)
    assert (s1.ci95_low, s1.ci95_high) == pytest.approx((d1.mean() - half, d1.mean() + half),
                                                        rel=1e-12)


def test_sensitivity_intervals_are_clustered_by_replication(syn_sweep):
    # cost_usd = 1.5e8 + 1e4 · tour_days + a replication effect common to every point: within
    # each replication the factor's effect is exact, so the interval of its SRC is (nearly)
    # a point, not the wide OLS interval that treats the replication effect as run noise.
    with analysis.load(syn_sweep) as res:
        s = stats.sensitivity(res, "cost_usd")
    f0, f1 = res.factors
    lo, hi = s.ci95[f1]
    assert lo <= s.coef[f1] <= hi
    assert hi - lo < 1e-6 * abs(s.coef[f1]), (lo, hi, s.coef[f1])
    # days_to_ioc: the interval still covers the SRC and has positive width.
    d = stats.sensitivity(res, "days_to_ioc")
    assert d.ci95[f0][0] < d.coef[f0] < d.ci95[f0][1]
