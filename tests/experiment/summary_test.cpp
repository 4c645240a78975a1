// sim/experiment/summary: the one-line "mean ±half-width" cells of `mss sweep`'s per-point
// report.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>

#include "sim/experiment/summary.hpp"

using mss::experiment::format_mean_ci;

TEST_CASE("mean and half-width share the column's decimals", "[summary]") {
    CHECK(format_mean_ci(0.84213, 0.0123, 3) == "0.842 ±0.012");
    CHECK(format_mean_ci(221.55, 6.68, 1) == "221.6 ±6.7");
    CHECK(format_mean_ci(1.513e8, 3.1e6, 0) == "151300000 ±3100000");
    CHECK(format_mean_ci(5.0, 0.0, 1) == "5.0 ±0.0");  // no spread at all
}

TEST_CASE("a half-width too small for the decimals keeps one significant digit", "[summary]") {
    // Thousands of replications: the interval of mean_strength_frac is narrower than 0.0005.
    CHECK(format_mean_ci(0.84213, 0.00043, 3) == "0.842 ±0.0004");
    CHECK(format_mean_ci(0.84213, 0.0000071, 3) == "0.842 ±7e-06");
    CHECK(format_mean_ci(12.0, 0.03, 1) == "12.0 ±0.03");
    CHECK(format_mean_ci(12.0, 0.05, 1) == "12.0 ±0.1");  // shows at the column's decimals
}

TEST_CASE("huge values are printed whole", "[summary]") {
    const std::string s = format_mean_ci(1e300, 1e299, 0);
    const auto pm = s.find(" ±");
    REQUIRE(pm != std::string::npos);
    CHECK(pm == 301);                                 // 1e300: 301 digits
    CHECK(s.size() - pm - std::strlen(" ±") == 300);  // 1e299: 300 digits
    // "-", 309 digits, ".00", " ±", "1.00"
    CHECK(format_mean_ci(-1.7976931348623157e308, 1.0, 2).size() ==
          1 + 309 + 3 + std::strlen(" ±") + 4);
}

TEST_CASE("no value and no interval", "[summary]") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK(format_mean_ci(nan, nan, 1) == "-");
    CHECK(format_mean_ci(210.0, nan, 1) == "210.0");  // one run: no interval
}
