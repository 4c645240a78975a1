// sim/experiment/statistics: per-KPI statistics and paired contrasts on fixed inputs
// (docs/statistics.md). Expected values are numpy 1.24 / scipy 1.10 / statsmodels 0.13
// results (/usr/bin/python3, `import numpy as np, scipy.special as sp`,
// `from statsmodels.stats.proportion import proportion_confint as pc`), given with the line that
// produced them. Means, sds and quantiles are the same bits as numpy's. The t-intervals are
//   def ci(x): n = len(x); q = np.sqrt((n - 1) * (1 / sp.betaincinv((n - 1) / 2, .5, .05) - 1))
//              se = np.sqrt(np.var(x, ddof=1) / n); return np.mean(x) - q * se, np.mean(x) + q * se
// with a t quantile exact to the last bit or two, as Boost's: scipy's t.ppf (and so
// ttest_1samp/ttest_rel's confidence_interval) is off by up to 1e-10 relative
// (t.ppf(0.975, 1) = 12.706204736432095; the exact value is 12.7062047361747039...).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "sim/experiment/statistics.hpp"

namespace ex = mss::experiment;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Approx close(double x) {
    return Approx(x).epsilon(1e-12).margin(1e-14);
}

const ex::KpiInfo kDay = ex::kpi_info("overstay_person_days");  // [0, inf)
const ex::KpiInfo kFrac = ex::kpi_info("mean_filled_frac");     // [0, 1]
const ex::KpiInfo kFoc = ex::kpi_info("days_to_foc");           // first day
const ex::KpiInfo kGap = ex::kpi_info("gap_person_days");       // NaN when FOC is never reached

}  // namespace

TEST_CASE("KPI ranges and first-day flags come from the model's KPI table", "[statistics]") {
    CHECK(kFrac.lower == 0.0);
    CHECK(kFrac.upper == 1.0);
    CHECK(kDay.upper == kInf);
    CHECK(kFoc.first_day);
    CHECK(kFoc.unit == "day");
    CHECK_FALSE(kGap.first_day);
    const ex::KpiInfo other = ex::kpi_info("not_a_model_kpi");
    CHECK(other.lower == -kInf);
    CHECK(other.upper == kInf);
    CHECK_FALSE(other.first_day);
}

TEST_CASE("quantiles are numpy's linear method", "[statistics]") {
    // np.quantile([5.0], [0.1, 0.5, 0.9]) -> [5.0, 5.0, 5.0]
    CHECK(ex::quantile_linear({5.0}, 0.1) == 5.0);
    CHECK(ex::quantile_linear({5.0}, 0.9) == 5.0);
    // np.quantile([3.0, 1.0], [0.1, 0.5, 0.9]) -> [1.2, 2.0, 2.8]
    CHECK(ex::quantile_linear({1.0, 3.0}, 0.1) == 1.2);
    CHECK(ex::quantile_linear({1.0, 3.0}, 0.5) == 2.0);
    CHECK(ex::quantile_linear({1.0, 3.0}, 0.9) == 2.8);
    // np.quantile(range(31), [0.1, 0.5, 0.9]) -> [3.0, 15.0, 27.0] (30 * 0.1 is 3.0000000000000004)
    std::vector<double> r31;
    for (int i = 0; i < 31; ++i)
        r31.push_back(i);
    CHECK(ex::quantile_linear(r31, 0.1) == 3.0);
    CHECK(ex::quantile_linear(r31, 0.9) == 27.0);
    CHECK(std::isnan(ex::quantile_linear({}, 0.5)));
}

TEST_CASE("Wilson intervals are statsmodels', exactly 0 and 1 at the ends", "[statistics]") {
    // pc(3, 10, method='wilson') -> (0.10779126740630104, 0.6032218525388546)
    CHECK(ex::wilson_interval(3, 10).low == close(0.10779126740630104));
    CHECK(ex::wilson_interval(3, 10).high == close(0.6032218525388546));
    // pc(18, 20, method='wilson') -> (0.6989663547715127, 0.9721335187862318)
    CHECK(ex::wilson_interval(18, 20).low == close(0.6989663547715127));
    CHECK(ex::wilson_interval(18, 20).high == close(0.9721335187862318));
    // pc(0, 7, method='wilson') -> (2.7755575615628914e-17, 0.3543304350666875): exactly 0
    CHECK(ex::wilson_interval(0, 7).low == 0.0);
    CHECK(ex::wilson_interval(0, 7).high == close(0.3543304350666875));
    // pc(10, 10, method='wilson') -> (0.7224672001371106, 1.0)
    CHECK(ex::wilson_interval(10, 10).low == close(0.7224672001371106));
    CHECK(ex::wilson_interval(10, 10).high == 1.0);
    CHECK(std::isnan(ex::wilson_interval(0, 0).low));
}

TEST_CASE("mean, sd and quantiles have numpy's bits (pairwise summation)", "[statistics]") {
    // v = [0.1*i + 0.013*i*i for i in range(1, 21)]
    std::vector<double> v;
    for (int i = 1; i <= 20; ++i)
        v.push_back(0.1 * i + 0.013 * i * i);
    const ex::KpiStats s = ex::kpi_stats(kDay, v);
    CHECK(s.runs == 20);
    CHECK(s.n == 20);
    CHECK(s.mean == 2.9155);             // np.mean(v)
    CHECK(s.sd == 2.241800838611673);    // np.std(v, ddof=1)
    CHECK(s.p10 == 0.4005000000000001);  // np.quantile(v, 0.1)
    CHECK(s.p50 == 2.4865);
    CHECK(s.p90 == 6.0701);
    // ci(v) -> (1.8663049112054795, 3.964695088794521)
    CHECK(s.ci.low == close(1.8663049112054795));
    CHECK(s.ci.high == close(3.964695088794521));
    CHECK(s.min == v.front());
    CHECK(s.max == v.back());
    CHECK(std::isnan(s.reached));
}

TEST_CASE("no value at all: every statistic is missing", "[statistics]") {
    const ex::KpiStats s = ex::kpi_stats(kGap, {kNaN, kNaN, kNaN});
    CHECK(s.runs == 3);
    CHECK(s.n == 0);
    for (double x : {s.mean, s.sd, s.ci.low, s.ci.high, s.p10, s.p50, s.p90, s.min, s.max})
        CHECK(std::isnan(x));
    const ex::KpiStats none = ex::kpi_stats(kDay, {});
    CHECK(none.runs == 0);
    CHECK(std::isnan(none.mean));
    CHECK(std::isnan(none.max));
}

TEST_CASE("one run: a mean and quantiles, no sd and no interval", "[statistics]") {
    const ex::KpiStats s = ex::kpi_stats(kDay, {42.5});
    CHECK(s.n == 1);
    CHECK(s.mean == 42.5);
    CHECK(std::isnan(s.sd));
    CHECK(std::isnan(s.ci.low));
    CHECK(s.p10 == 42.5);
    CHECK(s.p90 == 42.5);
}

TEST_CASE("constant values: sd 0 and the interval [mean, mean]", "[statistics]") {
    const ex::KpiStats s = ex::kpi_stats(kDay, {7.0, 7.0, 7.0, 7.0});
    CHECK(s.sd == 0.0);
    CHECK(s.ci.low == 7.0);
    CHECK(s.ci.high == 7.0);
}

TEST_CASE("an interval that would go below 0 is clipped to the KPI's range", "[statistics]") {
    // Overstay-like: nine zeros and one long overstay.
    // ci([0]*9 + [120.0]) -> (-15.145885953578464,
    // 39.145885953578464); np.std(..., ddof=1) -> 37.94733192202055
    std::vector<double> v(9, 0.0);
    v.push_back(120.0);
    const ex::KpiStats s = ex::kpi_stats(kDay, v);
    CHECK(s.mean == 12.0);
    CHECK(s.sd == close(37.94733192202055));
    CHECK(s.ci.low == 0.0);
    CHECK(s.ci.high == close(39.145885953578464));
}

TEST_CASE("a fraction's interval that would exceed 1 is clipped to 1", "[statistics]") {
    // ci([1, 1, 1, 1, 0.9]) -> (0.9244710978960442,
    // 1.035528902103956); np.mean -> 0.9800000000000001
    const ex::KpiStats s = ex::kpi_stats(kFrac, {1.0, 1.0, 1.0, 1.0, 0.9});
    CHECK(s.mean == 0.9800000000000001);
    CHECK(s.ci.low == close(0.9244710978960442));
    CHECK(s.ci.high == 1.0);
}

TEST_CASE("a first-day KPI never reached: share 0, quantiles never", "[statistics]") {
    const ex::KpiStats s = ex::kpi_stats(kFoc, {kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN});
    CHECK(s.runs == 7);
    CHECK(s.n == 0);
    CHECK(s.reached == 0.0);
    CHECK(s.reached_ci.low == 0.0);
    CHECK(s.reached_ci.high == close(0.3543304350666875));  // pc(0, 7, method='wilson')[1]
    CHECK(std::isnan(s.mean));
    CHECK(std::isnan(s.ci.low));
    for (double x : {s.p10, s.p50, s.p90, s.min, s.max})
        CHECK(x == kInf);
}

TEST_CASE("a first-day KPI some runs never reach", "[statistics]") {
    // r = [100, 120, 90, 110, 105, 130, 95] (7 of 10 reached): np.mean(r) -> 107.14285714285714,
    // np.std(r, ddof=1) -> 14.09998311380279, ci(r) ->
    // (94.10254770870046, 120.18316657701382); pc(7, 10, method='wilson') ->
    // (0.39677814746114537, 0.8922087325936989). Over all 10 runs with never last (sorted
    // 90 95 100 105 110 120 130 never never never): P10 h = 0.9 -> 90 + 0.9 * 5 =
    // np.quantile(r + [1e9] * 3, 0.1) = 94.5; P50 h = 4.5 -> 115.0; P90 h = 8.1 lies between two
    // nevers: never; max never.
    const ex::KpiStats s = ex::kpi_stats(kFoc, {100, 120, kNaN, 90, kNaN, 110, 105, kNaN, 130, 95});
    CHECK(s.runs == 10);
    CHECK(s.n == 7);
    CHECK(s.conditional());
    CHECK(s.reached == 0.7);
    CHECK(s.reached_ci.low == close(0.39677814746114537));
    CHECK(s.reached_ci.high == close(0.8922087325936989));
    CHECK(s.mean == 107.14285714285714);
    CHECK(s.sd == close(14.09998311380279));
    CHECK(s.ci.low == close(94.10254770870046));
    CHECK(s.ci.high == close(120.18316657701382));
    CHECK(s.p10 == 94.5);
    CHECK(s.p50 == 115.0);
    CHECK(s.p90 == kInf);
    CHECK(s.min == 90.0);
    CHECK(s.max == kInf);
}

TEST_CASE("a quantile gives never only when never has weight", "[statistics]") {
    // Sorted 10, 20, never: P50 h = 1.0 lands on 20 (no weight on never); P90 h = 1.8 does not.
    CHECK(ex::quantile_linear({10.0, 20.0, kInf}, 0.5) == 20.0);
    CHECK(ex::quantile_linear({10.0, 20.0, kInf}, 0.9) == kInf);
}

TEST_CASE("another KPI that can be NaN: statistics over the runs with a value", "[statistics]") {
    const ex::KpiStats s = ex::kpi_stats(kGap, {4.0, kNaN, 6.0});
    CHECK(s.n == 2);
    CHECK(s.runs == 3);
    CHECK(s.conditional());
    CHECK(s.mean == 5.0);
    CHECK(s.max == 6.0);  // not never: only first-day KPIs have never
    CHECK(std::isnan(s.reached));
}

TEST_CASE("a paired contrast is scipy's ttest_rel interval", "[statistics]") {
    // P = [10.0, 12.5, 9.0, 14.0, 11.0, 13.5]; R = [9.0, 11.0, 9.5, 12.0, 10.0, 12.0]
    // np.mean(np.subtract(P, R)) -> 1.0833333333333333;
    // ci(np.subtract(P, R)) -> (0.1795586128633727, 1.987108053803294)
    const ex::Contrast c = ex::paired_contrast(kDay, {10.0, 12.5, 9.0, 14.0, 11.0, 13.5},
                                               {9.0, 11.0, 9.5, 12.0, 10.0, 12.0});
    CHECK(c.pairs == 6);
    CHECK(c.diff == 1.0833333333333333);
    CHECK(c.diff_ci.low == close(0.1795586128633727));
    CHECK(c.diff_ci.high == close(1.987108053803294));
    CHECK(c.diff_ci.excludes_zero());
    CHECK(std::isnan(c.reached_diff));  // not a first-day KPI
}

TEST_CASE("a fraction's paired difference is clipped to [-1, 1]", "[statistics]") {
    // ci(np.subtract([1, 1, 1, 0.2], [0, 0.1, 0, 0])) ->
    // (0.16043619076269267, 1.3895638092373073); np.mean(diff) -> 0.775
    const ex::Contrast c = ex::paired_contrast(kFrac, {1.0, 1.0, 1.0, 0.2}, {0.0, 0.1, 0.0, 0.0});
    CHECK(c.diff == 0.775);
    CHECK(c.diff_ci.low == close(0.16043619076269267));
    CHECK(c.diff_ci.high == 1.0);
}

TEST_CASE("a first-day contrast: share reaching and the day if both reached", "[statistics]") {
    // P = [100, nan, 90, 95, nan, 120, 110, 105]; R = [110, 115, nan, 100, nan, 130, 112, 118]
    // Both reached in 5 pairs: d = [-10, -5, -10, -2, -13], np.mean(d) -> -8.0,
    // ci(d) -> (-13.483039754232088, -2.516960245767911).
    // I = [0, -1, 1, 0, 0, 0, 0, 0]: np.mean -> 0.0, ci(I)
    // -> (-0.4468719795590526, 0.4468719795590526)
    const ex::Contrast c = ex::paired_contrast(kFoc, {100, kNaN, 90, 95, kNaN, 120, 110, 105},
                                               {110, 115, kNaN, 100, kNaN, 130, 112, 118});
    CHECK(c.pairs == 5);
    CHECK(c.diff == -8.0);
    CHECK(c.diff_ci.low == close(-13.483039754232088));
    CHECK(c.diff_ci.high == close(-2.516960245767911));
    CHECK(c.diff_ci.excludes_zero());
    CHECK(c.reached_pairs == 8);
    CHECK(c.reached_diff == 0.0);
    CHECK(c.reached_diff_ci.low == close(-0.4468719795590526));
    CHECK(c.reached_diff_ci.high == close(0.4468719795590526));
    CHECK_FALSE(c.reached_diff_ci.excludes_zero());
}

TEST_CASE("a contrast of fewer than two pairs has no interval", "[statistics]") {
    const ex::Contrast c = ex::paired_contrast(kDay, {1.0, kNaN}, {2.0, 3.0});
    CHECK(c.pairs == 1);
    CHECK(c.diff == -1.0);
    CHECK(std::isnan(c.diff_ci.low));
    CHECK_FALSE(c.diff_ci.excludes_zero());
    const ex::Contrast same = ex::paired_contrast(kFoc, {kNaN, kNaN}, {kNaN, kNaN});
    CHECK(same.pairs == 0);
    CHECK(std::isnan(same.diff));
    CHECK(same.reached_diff == 0.0);
    CHECK(same.reached_diff_ci.low == 0.0);  // no spread: [0, 0]
    CHECK(same.reached_diff_ci.high == 0.0);
}
