"""The statistics of docs/statistics.md (analysis.stats): each number checked against numpy,
scipy or statsmodels on fixed inputs, the edge cases the contract names, and the KPI table
against the simulator's own list (sim/model/observer.cpp)."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

import analysis
from analysis import stats
from analysis.tests.conftest import REPO, run_analysis

INF = math.inf
NAN = math.nan


def same(a, b) -> bool:
    """Equal floats, NaN equal to NaN."""
    return (a != a and b != b) or a == b


# ------------------------------------------------------------------------------------------
# The KPI table mirrors model::kpi_columns()

def _cpp_columns(function: str, struct: str) -> list[stats.Kpi]:
    text = (REPO / "sim/model/observer.cpp").read_text()
    start = text.index(f"{function}() {{")
    body = text[start:text.index("return columns;", start)]
    entry = re.compile(r'\{"(\w+)",\s*"([^"]*)",\s*"((?:[^"\\]|\\.)*)",\s*&' + struct +
                       r'::(\w+)(?:,\s*([^,}]+),\s*([^,}]+)(?:,\s*(true|false))?)?\}')

    def num(tok):
        tok = tok.strip()
        return INF if tok == "kInf" else float(tok)

    out = []
    for m in entry.finditer(body):
        name, unit, long_name, member, lo, hi, first = m.groups()
        assert name == member, f"{name}: column named after another member {member}"
        out.append(stats.Kpi(name, unit, long_name, num(lo) if lo else 0.0,
                             num(hi) if hi else INF, first == "true"))
    assert len(out) == body.count(f"&{struct}::"), "an entry of observer.cpp was not parsed"
    return out


def test_kpi_table_is_model_kpi_columns():
    assert list(stats.KPIS) == _cpp_columns("kpi_columns", "RunKpis")
    assert list(stats.CONTINGENT_KPIS) == _cpp_columns("contingent_kpi_columns",
                                                       "ContingentKpis")
    assert len(stats.KPIS) == 24
    assert stats.FIRST_DAY == {"days_to_ioc", "days_to_foc"}
    assert stats.KPI_RANGE["mean_filled_frac"] == (0.0, 1.0)
    assert stats.KPI_RANGE["min_filled_frac"] == (0.0, 1.0)
    assert stats.KPI_RANGE["cost_usd"] == (0.0, INF)
    assert {k.unit for k in stats.KPIS} == {"day", "1", "USD"}


# ------------------------------------------------------------------------------------------
# One number format

@pytest.mark.parametrize("x, text", [
    (0, "0"), (-0.0, "0"), (147.3, "147.3"), (0.16, "0.16"), (0.0071874734667, "0.007187"),
    (7.187e-05, "7.187e-05"), (999.96, "1,000"), (1000.4, "1,000"),
    (150862323, "150,862,323"), (-2.5, "-2.5"), (NAN, "-"), (INF, "never"),
    (999.94, "999.9"), (9.9996e-05, "0.0001"), (1e-05, "1.000e-05"), (1.0, "1"),
    (100.0, "100"), (2.0e-4, "0.0002"), (-1234.5, "-1,234"), (1234.5, "1,234"),
    (1235.5, "1,236"), (12.345678, "12.35"), (-0.000123456, "-0.0001235"),
])
def test_format_number(x, text):
    assert stats.format_number(x) == text


def test_csv_number_round_trips_and_marks_nan_and_never():
    for x in (0.1, 1 / 3, 150189078.87670964, 7.187e-05, -2.5):
        assert float(stats.csv_number(x)) == x
        assert stats.csv_number(x) == format(x, ".17g")
    assert stats.csv_number(NAN) == "" and stats.csv_number(INF) == "inf"
    assert stats.csv_number(np.int64(7)) == "7"


def test_dates_are_start_plus_the_whole_day():
    assert stats.kpi_date("2024-06-01", 0) == "2024-06-01"
    assert stats.kpi_date("2024-06-01", 30.9) == "2024-07-01"
    assert stats.kpi_date("2024-06-01", INF) == "never"
    assert stats.kpi_date("2024-06-01", NAN) == "-"


# ------------------------------------------------------------------------------------------
# Per KPI

def test_kpi_stats_match_numpy_and_scipy():
    rng = np.random.default_rng(11)
    v = rng.normal(50.0, 7.0, 40)
    v[[2, 30]] = NAN
    s = stats.kpi_stats(v, 0.0, INF)
    x = v[~np.isnan(v)]
    assert (s["runs"], s["n"]) == (40, 38)
    assert s["mean"] == np.mean(x) and s["sd"] == np.std(x, ddof=1)
    lo, hi = sps.t.interval(0.95, 37, loc=np.mean(x), scale=sps.sem(x))
    assert s["ci_low"] == pytest.approx(lo, rel=1e-14)
    assert s["ci_high"] == pytest.approx(hi, rel=1e-14)
    assert [s["p10"], s["p50"], s["p90"]] == list(np.quantile(x, [0.1, 0.5, 0.9],
                                                              method="linear"))
    assert (s["min"], s["max"]) == (x.min(), x.max())
    assert all(math.isnan(s[c]) for c in ("reached", "reached_low", "reached_high"))


def test_all_nan_one_run_and_a_constant():
    s0 = stats.kpi_stats([NAN, NAN, NAN], 0.0, INF)
    assert (s0["runs"], s0["n"]) == (3, 0)
    assert all(math.isnan(s0[c]) for c in ("mean", "sd", "ci_low", "ci_high", "p10", "p50",
                                           "p90", "min", "max"))
    s1 = stats.kpi_stats([NAN, 4.5], 0.0, INF)
    assert (s1["n"], s1["mean"], s1["min"], s1["max"], s1["p10"], s1["p90"]) == \
        (1, 4.5, 4.5, 4.5, 4.5, 4.5)
    assert math.isnan(s1["sd"]) and math.isnan(s1["ci_low"]) and math.isnan(s1["ci_high"])
    # A constant: exactly that mean, sd 0 and [mean, mean], though summation would leave
    # rounding dust (np.mean([0.1] * 3) is 0.10000000000000002).
    sc = stats.kpi_stats([0.1] * 3, 0.0, 1.0)
    assert (sc["mean"], sc["sd"], sc["ci_low"], sc["ci_high"]) == (0.1, 0.0, 0.1, 0.1)
    assert stats.format_number(sc["sd"]) == "0"
    s0runs = stats.kpi_stats([], 0.0, INF, first_day=True)
    assert s0runs["runs"] == 0 and math.isnan(s0runs["reached"]) and math.isnan(s0runs["max"])


def test_an_interval_never_leaves_the_range():
    # Skewed non-negative values: the raw t-interval goes below 0.
    v = np.array([0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 40.0])
    raw = sps.ttest_1samp(v, 0.0).confidence_interval(0.95)
    assert raw.low < 0
    s = stats.kpi_stats(v, 0.0, INF)
    assert s["ci_low"] == 0.0 and s["ci_high"] == pytest.approx(raw.high, rel=1e-15)
    # A fraction near 1: the raw interval goes beyond 1.
    f = np.array([1.0, 1.0, 1.0, 0.9, 1.0])
    raw = sps.ttest_1samp(f, 0.0).confidence_interval(0.95)
    assert raw.high > 1
    s = stats.kpi_stats(f, 0.0, 1.0)
    assert s["ci_high"] == 1.0 and s["ci_low"] == pytest.approx(raw.low, rel=1e-15)
    # The same values as a KPI with no range are not clipped.
    s = stats.kpi_stats(f)
    assert s["ci_high"] == pytest.approx(raw.high, rel=1e-15)


def test_never_quantile_is_numpys_on_finite_data():
    rng = np.random.default_rng(5)
    for n in (1, 2, 3, 4, 7, 10, 11, 30, 101):
        x = rng.gamma(2.0, 10.0, n)
        for p in (0.0, 0.1, 0.25, 0.5, 0.9, 1.0):
            assert stats.never_quantile(x, p) == pytest.approx(
                float(np.quantile(x, p, method="linear")), rel=4e-16, abs=0)
    x = np.arange(10.0)   # integers: exact
    assert [stats.never_quantile(x, p) for p in (0.1, 0.5, 0.9)] == \
        list(np.quantile(x, [0.1, 0.5, 0.9]))
    assert math.isnan(stats.never_quantile([], 0.5))


def test_never_is_beyond_the_horizon_for_quantiles_and_max():
    # 10 runs, 3 never: sorted 10..16, never x3; h = 0.9, 4.5, 8.1.
    v = [16, NAN, 10, 11, NAN, 12, 13, 14, 15, NAN]
    s = stats.kpi_stats(v, 0.0, INF, first_day=True)
    assert s["p10"] == 10.9 and s["p50"] == 14.5 and s["p90"] == INF
    assert (s["min"], s["max"]) == (10.0, INF)
    # h = 6 exactly: x6 = 16 gets all the weight, the never beside it none.
    v7 = [10, 11, 12, 13, 14, 15, 16, NAN, NAN, NAN, NAN, NAN, NAN]  # n = 13, P50: h = 6
    assert stats.kpi_stats(v7, 0.0, INF, first_day=True)["p50"] == 16.0
    # h = 6.5 with x7 never: any weight on a never is never.
    v8 = [10, 11, 12, 13, 14, 15, 16] + [NAN] * 7               # n = 14, P50: h = 6.5
    assert stats.kpi_stats(v8, 0.0, INF, first_day=True)["p50"] == INF
    # The conditional mean, sd and interval are over the runs that reached it.
    x = np.array([16, 10, 11, 12, 13, 14, 15], float)
    assert s["n"] == 7 and s["mean"] == np.mean(x) and s["sd"] == np.std(x, ddof=1)
    lo, hi = sps.ttest_1samp(x, 0.0).confidence_interval(0.95)
    assert (s["ci_low"], s["ci_high"]) == pytest.approx((lo, hi), rel=1e-15)
    assert s["reached"] == 0.7
    assert (s["reached_low"], s["reached_high"]) == proportion_confint(7, 10, alpha=0.05,
                                                                       method="wilson")


def test_all_never_and_all_reached():
    s = stats.kpi_stats([NAN] * 5, 0.0, INF, first_day=True)
    assert (s["runs"], s["n"], s["reached"], s["reached_low"]) == (5, 0, 0.0, 0.0)
    assert s["reached_high"] == pytest.approx(
        proportion_confint(0, 5, alpha=0.05, method="wilson")[1], rel=1e-15)
    assert all(s[c] == INF for c in ("p10", "p50", "p90", "min", "max"))
    assert all(math.isnan(s[c]) for c in ("mean", "sd", "ci_low", "ci_high"))
    assert stats.format_number(s["p50"]) == "never"
    a = stats.kpi_stats([3.0] * 40, 0.0, INF, first_day=True)
    # statsmodels gives 1.0000000000000002 at 40/40: the share lies in [0, 1].
    assert proportion_confint(40, 40, alpha=0.05, method="wilson")[1] > 1
    assert (a["reached"], a["reached_high"]) == (1.0, 1.0)
    assert a["reached_low"] == pytest.approx(
        proportion_confint(40, 40, alpha=0.05, method="wilson")[0], rel=1e-15)
    assert a["max"] == 3.0 and a["p90"] == 3.0


# ------------------------------------------------------------------------------------------
# Tables

def _runs(values: dict, points, reps, status=None) -> pd.DataFrame:
    df = pd.DataFrame({"point": points, "replication": reps,
                       "status": status if status is not None else [0] * len(points)})
    for k, v in values.items():
        df[k] = np.asarray(v, float)
    return df


def test_summary_table_has_the_csv_columns_and_counts_ok_runs_only():
    runs = _runs({"days_to_foc": [10, NAN, 12, 20, 21, 99],
                  "mean_filled_frac": [0.5, 0.6, 0.7, 0.8, 0.9, 0.1]},
                 [0, 0, 0, 1, 1, 1], [0, 1, 2, 0, 1, 2], status=[0, 0, 0, 0, 0, 1])
    t = stats.summary_table(runs)
    assert list(t.columns) == stats.SUMMARY_CSV_COLUMNS
    assert list(zip(t["point"], t["kpi"])) == [(0, "days_to_foc"), (0, "mean_filled_frac"),
                                               (1, "days_to_foc"), (1, "mean_filled_frac")]
    r = t.set_index(["point", "kpi"])
    assert tuple(r.loc[(0, "days_to_foc"), ["runs", "n"]]) == (3, 2)
    assert r.loc[(0, "days_to_foc"), "max"] == INF
    assert tuple(r.loc[(1, "mean_filled_frac"), ["runs", "n"]]) == (2, 2)   # failed run out
    assert r.loc[(1, "mean_filled_frac"), "max"] == 0.9
    assert math.isnan(r.loc[(1, "mean_filled_frac"), "reached"])
    want = stats.kpi_stats([0.5, 0.6, 0.7], 0.0, 1.0)
    got = r.loc[(0, "mean_filled_frac")]
    assert all(same(got[c], want[c]) for c in want)
    assert list(t["unit"]) == ["day", "1", "day", "1"]
    text = stats.csv_text(t).splitlines()
    assert text[0] == ",".join(stats.SUMMARY_CSV_COLUMNS)
    assert text[1].startswith("0,days_to_foc,day,3,2,0.66666666666666663,")
    assert text[1].endswith(",inf")
    assert text[2].split(",")[5:8] == ["", "", ""]


def test_paired_contrasts_use_replications_where_both_have_a_value():
    # Point 1 against point 0; replication 1 missing at point 1, replication 3 at point 0,
    # replication 4 of point 1 failed.
    p0 = [10.0, 11.0, 14.0, NAN, 12.0, 15.0]
    p1 = [12.0, NAN, 15.0, 20.0, 30.0, 18.0]
    runs = _runs({"days_to_foc": p0 + p1, "cost_usd": [5.0, 6, 7, 8, 9, 10] * 2},
                 [0] * 6 + [1] * 6, list(range(6)) * 2, status=[0] * 10 + [1, 0])
    t = stats.contrast_table(runs, 0)
    assert list(t.columns) == stats.CONTRAST_CSV_COLUMNS
    r = t.set_index("kpi")
    d = r.loc["days_to_foc"]
    a, b = np.array([12.0, 15.0, 18.0]), np.array([10.0, 14.0, 15.0])   # reps 0, 2, 5
    assert d["pairs"] == 3 and d["diff"] == np.mean(a - b)
    ci = sps.ttest_rel(a, b).confidence_interval(0.95)
    assert (d["diff_low"], d["diff_high"]) == pytest.approx((ci.low, ci.high), rel=1e-15)
    # Share reaching over the 5 pairs of ok runs (rep 4 failed at point 1).
    ip, ir = np.array([1, 0, 1, 1, 1.0]), np.array([1, 1, 1, 0, 1.0])
    assert d["reached_pairs"] == 5 and d["reached_diff"] == 0.0
    ci = sps.ttest_rel(ip, ir).confidence_interval(0.95)
    assert (d["reached_diff_low"], d["reached_diff_high"]) == pytest.approx((ci.low, ci.high),
                                                                          rel=1e-15)
    c = r.loc["cost_usd"]
    assert (c["pairs"], c["diff"], c["diff_low"], c["diff_high"]) == (5, 0.0, 0.0, 0.0)
    assert math.isnan(c["reached_pairs"]) and math.isnan(c["reached_diff"])


def test_difference_in_share_reaching_is_clipped_to_minus_one_one():
    # 3 pairs, two reach at P only: the raw paired interval goes above 1.
    p0 = [NAN, NAN, 5.0]
    p1 = [4.0, 6.0, 5.0]
    runs = _runs({"days_to_ioc": p0 + p1}, [0, 0, 0, 1, 1, 1], [0, 1, 2] * 2)
    raw = sps.ttest_rel([1, 1, 1.0], [0, 0, 1.0]).confidence_interval(0.95)
    assert raw.high > 1
    r = stats.contrast_table(runs, 0).iloc[0]
    assert r["reached_diff"] == pytest.approx(2 / 3, rel=1e-15)
    assert r["reached_diff_high"] == 1.0
    assert r["reached_diff_low"] == pytest.approx(raw.low, rel=1e-15)
    assert r["pairs"] == 1 and r["diff"] == 0.0 and math.isnan(r["diff_low"])


def test_a_fraction_difference_is_clipped_to_its_range():
    p0 = [0.0, 0.0, 0.0, 0.0]
    p1 = [1.0, 1.0, 1.0, 0.2]
    runs = _runs({"min_filled_frac": p0 + p1}, [0] * 4 + [1] * 4, list(range(4)) * 2)
    raw = sps.ttest_rel(p1, p0).confidence_interval(0.95)
    assert raw.high > 1
    r = stats.contrast_table(runs, 0).iloc[0]
    assert r["diff_high"] == 1.0 and r["diff_low"] == pytest.approx(raw.low, rel=1e-15)


def test_contrast_errors():
    runs = _runs({"cost_usd": [1.0, 2.0]}, [0, 1], [0, 0])
    with pytest.raises(ValueError, match="reference point 7"):
        stats.contrast_table(runs, 7)
    dup = _runs({"cost_usd": [1.0, 2.0, 3.0]}, [0, 1, 1], [0, 0, 0])
    with pytest.raises(ValueError, match="two runs"):
        stats.contrast_table(dup, 0)


# ------------------------------------------------------------------------------------------
# The command

def test_summary_csv_is_the_tables(syn_plain, syn_sweep):
    p = run_analysis("summary", syn_plain, "--csv", check=0)
    with analysis.load(syn_plain) as res:
        t = stats.summary_table(res.runs, res.kpi_names, ok=res.ok, units=res.kpi_units)
    assert p.stdout == stats.csv_text(t)
    p = run_analysis("summary", syn_sweep, "--csv", "--vs", "1", "--kpi",
                     "days_to_foc,cost_usd", "--point", "3", check=0)
    with analysis.load(syn_sweep) as res:
        t = stats.contrast_table(res.runs, 1, ["days_to_foc", "cost_usd"], ok=res.ok,
                                 points=[3])
    assert p.stdout == stats.csv_text(t)
    assert p.stdout.splitlines()[0] == ",".join(stats.CONTRAST_CSV_COLUMNS)


def test_summary_tables_read_as_the_contract(syn_plain, syn_sweep):
    out = run_analysis("summary", syn_plain, check=0).stdout
    assert "days_to_foc" in out and "4/6" in out and "if reached" in out and "never" in out
    assert "as dates" in out and "2024-" in out
    out = run_analysis("summary", syn_sweep, check=0).stdout
    lines = out.splitlines()
    assert lines[1].split()[:3] == ["point", "aircraft.B787-charter.count",
                                    "contingent.Kenya.tour_days"]
    assert len(lines) >= 2 + 6
    out = run_analysis("summary", syn_sweep, "--vs", "0", check=0).stdout
    assert "paired contrasts against design point R = 0" in out


@pytest.mark.parametrize("args, says", [
    (["--kpi", "nope"], "unknown KPI 'nope'"),
    (["--kpi", "days_to_foc,,cost_usd"], "empty KPI name"),
    (["--point", "99"], "--point 99: no such design point"),
    (["--vs", "-1"], "--vs -1: no such design point"),
    (["--point", "x"], "invalid int value"),
    (["--vs", "2", "--point", "2"], "name the same design point"),
])
def test_bad_summary_flags_exit_2(syn_sweep, args, says):
    p = run_analysis("summary", syn_sweep, *args)
    assert p.returncode == 2, p.stderr
    assert says in p.stderr and p.stdout == ""


def test_vs_needs_several_design_points(syn_plain):
    p = run_analysis("summary", syn_plain, "--vs", "0")
    assert p.returncode == 2 and "single design point" in p.stderr
