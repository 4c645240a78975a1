// Statistics of KPIs over replications, for the closing table of `mss run` and `mss summary`
// (DESIGN §6: statistics use the runs whose KPI is not NaN, and say how many those are).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mss::experiment {

struct KpiSummary {
    std::string name;
    std::string unit;
    std::int64_t runs = 0;           ///< runs considered
    std::int64_t n = 0;              ///< runs with a value (not NaN)
    double mean = 0, sd = 0;         ///< NaN when n == 0 (sd: n < 2)
    double ci_low = 0, ci_high = 0;  ///< 95% Student-t interval of the mean (NaN when n < 2)
    double min = 0, max = 0;
};

/// Summarises one KPI's values (NaN = no value).
KpiSummary summarise(std::string name, std::string unit, const std::vector<double>& values);

/// A fixed-width table for terminals.
std::string format_table(const std::vector<KpiSummary>& rows);
/// "mean ±half" for one-line reports: `decimals` decimals, except that a half-width too small
/// to show there keeps one significant digit ("0.842 ±0.0004", not "±0.000"). "-" for NaN;
/// no "±..." when `half` is NaN.
std::string format_mean_ci(double mean, double half, int decimals);
/// CSV with a header line; numbers with 17 significant digits (round-trip exact).
std::string format_csv(const std::vector<KpiSummary>& rows);

}  // namespace mss::experiment
