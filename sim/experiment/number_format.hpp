// The one number format of every table mss prints (docs/statistics.md "One number format"),
// shared with the Python analysis package (analysis.stats.format_number): both round correctly
// from the binary value, so they print the same digits.
#pragma once

#include <string>

namespace mss::experiment {

/// A number for a person: `-` for NaN, `never` for +inf, `0` for zero; |x| >= 1000 after
/// rounding as a whole number with digits grouped by commas (`150,862,323`); otherwise 4
/// significant digits without trailing zeros (`147.3`, `0.16`, `0.007187`), and `%.3e` when
/// that would need more than 7 decimals (`7.187e-05`).
std::string format_number(double x);
/// A number for CSV: 17 significant digits (`%.17g`, round-trip exact), empty for NaN, `inf`
/// and `-inf` for the infinities.
std::string format_csv_number(double x);

}  // namespace mss::experiment
