// The statistics a person reads (DESIGN §3, docs/statistics.md): per KPI over the ok runs of a
// design point, and paired contrasts of two design points under common random numbers. Pure
// functions of the values, deterministic (no bootstrap), computed the way numpy, scipy and
// statsmodels compute them, so that `mss` and the Python analysis package print the same
// digits. The tables that show them are in summary.hpp.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace mss::experiment {

/// What the statistics of a KPI need to know about it.
struct KpiInfo {
    std::string name;
    std::string unit;
    double lower = -std::numeric_limits<double>::infinity();  ///< smallest possible value
    double upper = std::numeric_limits<double>::infinity();   ///< largest possible value
    bool first_day = false;  ///< a day index some runs never reach (NaN = never)
};

/// The KPI `name` as model::kpi_columns() describes it; a name not there (a file written by
/// another version) is a plain KPI without unit and with the range [-inf, inf].
KpiInfo kpi_info(const std::string& name);

/// A closed interval; both ends NaN when there is none.
struct Interval {
    double low = std::numeric_limits<double>::quiet_NaN();
    double high = std::numeric_limits<double>::quiet_NaN();
    /// Whether the interval exists and does not contain 0.
    bool excludes_zero() const { return low > 0.0 || high < 0.0; }
};

/// The 0.975 quantile of the standard normal distribution (scipy `norm.isf(0.025)`).
inline constexpr double kZ975 = 1.959963984540054;

/// numpy's default (`linear`, Hyndman and Fan type 7) p-quantile of `sorted` (ascending, no
/// NaN; +inf allowed, see docs/statistics.md), computed as numpy computes it. NaN when empty.
double quantile_linear(const std::vector<double>& sorted, double p);
/// The 95% Wilson score interval of k successes in n trials (statsmodels
/// `proportion_confint(k, n, method="wilson")`), exactly [0, ...] when k = 0 and [..., 1] when
/// k = n. NaN ends when n = 0.
Interval wilson_interval(std::int64_t k, std::int64_t n);
/// The 95% Student-t interval of the mean of `values` (no NaN): mean ± t(0.975, n − 1) ·
/// sqrt(var / n), clipped to [lower, upper]. NaN ends when there are fewer than 2 values.
Interval t_interval(const std::vector<double>& values, double lower, double upper);
/// Arithmetic mean (NaN when empty) and sample standard deviation (divisor n − 1; NaN when
/// fewer than 2 values) of `values` (no NaN).
double mean_of(const std::vector<double>& values);
double sd_of(const std::vector<double>& values);

/// A KPI's statistics over the ok runs of one design point.
struct KpiStats {
    KpiInfo kpi;
    std::int64_t runs = 0;  ///< ok runs
    std::int64_t n = 0;     ///< runs with a value (first-day KPIs: runs reaching it)
    /// First-day KPIs only (NaN otherwise): the share of runs reaching it, n / runs, and its
    /// Wilson interval.
    double reached = std::numeric_limits<double>::quiet_NaN();
    Interval reached_ci;
    double mean = std::numeric_limits<double>::quiet_NaN();  ///< over the n values
    Interval ci;                                             ///< 95% CI of the mean
    double sd = std::numeric_limits<double>::quiet_NaN();
    /// Quantiles, min and max: over the n values; for a first-day KPI over all runs, never
    /// being +inf.
    double p10 = std::numeric_limits<double>::quiet_NaN();
    double p50 = std::numeric_limits<double>::quiet_NaN();
    double p90 = std::numeric_limits<double>::quiet_NaN();
    double min = std::numeric_limits<double>::quiet_NaN();
    double max = std::numeric_limits<double>::quiet_NaN();
    /// Whether the mean is over fewer than all runs (first-day KPIs: "mean if reached").
    bool conditional() const { return n < runs; }
};

/// What binds (DESIGN §10, docs/model.md "What binds"): in each run, the constraint whose KPI
/// is the largest over the binding window; ties go to the first in binding_kpis() order, and
/// a run whose four KPIs are all zero (or lack a value) has nothing binding.
struct BindingShares {
    std::int64_t runs = 0;             ///< ok runs
    std::vector<std::int64_t> counts;  ///< runs each binds, binding_kpis() order, then "none"
};
/// The KPIs of what binds, in tie order: funds, beds, lift, pipeline.
const std::vector<std::string>& binding_kpis();
/// The constraint's name of binding_kpis()[i] for tables: "funds", "beds", "lift", "pipeline".
const std::vector<std::string>& binding_names();
/// Counts over runs: `columns[i]` holds binding_kpis()[i]'s value per ok run (all equally long).
BindingShares binding_shares(const std::vector<const std::vector<double>*>& columns);

/// The statistics of `kpi` over `values`, one per ok run (NaN: no value, or never reached).
KpiStats kpi_stats(const KpiInfo& kpi, const std::vector<double>& values);

/// A paired contrast of a design point P with a reference point R over the replications both
/// ran (ok): the differences KPI(P, r) − KPI(R, r).
struct Contrast {
    KpiInfo kpi;
    std::int64_t pairs = 0;                                  ///< pairs where both have a value
    double diff = std::numeric_limits<double>::quiet_NaN();  ///< mean difference
    Interval diff_ci;  ///< paired t-interval, clipped to [lower − upper, upper − lower]
    /// First-day KPIs only: ok pairs, and the mean difference in reaching it (1 reached, 0
    /// never) with its paired t-interval clipped to [−1, 1]; `diff` is then conditional (over
    /// the pairs where both reached it).
    std::int64_t reached_pairs = 0;
    double reached_diff = std::numeric_limits<double>::quiet_NaN();
    Interval reached_diff_ci;
};

/// The contrast of `kpi` between `p` and `r`, the values of the same replications in the same
/// order (runs of both points with status ok; NaN: no value, or never reached).
Contrast paired_contrast(const KpiInfo& kpi, const std::vector<double>& p,
                         const std::vector<double>& r);

}  // namespace mss::experiment
