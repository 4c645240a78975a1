// sim/experiment/number_format: the one number format of every table (docs/statistics.md). The
// expected strings come from the doc's rule written in Python (/usr/bin/python3):
//   def fmt(x): s = '%.3e' % x; E = int(s.split('e')[1])
//     E >= 3: '{:,.0f}'.format(x); E < -4: s; else ('%.*f' % (3 - E, x)).rstrip('0').rstrip('.')
#include <catch2/catch.hpp>

#include <limits>

#include "sim/experiment/number_format.hpp"

using mss::experiment::format_csv_number;
using mss::experiment::format_number;

TEST_CASE("four significant digits below 1000, trailing zeros dropped", "[number_format]") {
    CHECK(format_number(147.25) == "147.2");  // the binary value rounds to even
    CHECK(format_number(147.35) == "147.3");
    CHECK(format_number(0.16) == "0.16");
    CHECK(format_number(0.007187) == "0.007187");
    CHECK(format_number(999.94) == "999.9");
    CHECK(format_number(12.0) == "12");
    CHECK(format_number(1.0) == "1");
    CHECK(format_number(0.5) == "0.5");
    CHECK(format_number(0.99996) == "1");
    CHECK(format_number(1e-4) == "0.0001");
    CHECK(format_number(-0.00012345) == "-0.0001234");
}

TEST_CASE("from 1000 after rounding, whole numbers grouped by commas", "[number_format]") {
    CHECK(format_number(150862323.4) == "150,862,323");
    CHECK(format_number(999.96) == "1,000");
    CHECK(format_number(-1234.5) == "-1,234");        // %.0f rounds half to even
    CHECK(format_number(1e300).size() == 301 + 100);  // 301 digits, 100 commas
}

TEST_CASE("tiny numbers in scientific notation, and NaN, never and zero", "[number_format]") {
    CHECK(format_number(7.187e-05) == "7.187e-05");
    CHECK(format_number(2.5e-17) == "2.500e-17");
    CHECK(format_number(std::numeric_limits<double>::quiet_NaN()) == "-");
    CHECK(format_number(std::numeric_limits<double>::infinity()) == "never");
    CHECK(format_number(0.0) == "0");
    CHECK(format_number(-0.0) == "0");
}

TEST_CASE("CSV numbers keep 17 significant digits", "[number_format]") {
    CHECK(format_csv_number(0.1) == "0.10000000000000001");
    CHECK(format_csv_number(150862323.4) == "150862323.40000001");
    CHECK(format_csv_number(std::numeric_limits<double>::quiet_NaN()).empty());
    CHECK(format_csv_number(std::numeric_limits<double>::infinity()) == "inf");
}
