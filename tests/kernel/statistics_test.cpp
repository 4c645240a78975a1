// tests/kernel/statistics_test.cpp — Tally and TimeWeighted (sim/kernel/statistics.hpp)
// against hand-computed values.

#include "sim/kernel/statistics.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

using mss::kernel::Tally;
using mss::kernel::TimeWeighted;

TEST_CASE("a tally of a small data set gives the hand-computed statistics", "[statistics]") {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32, sample variance 32/7.
    Tally t;
    for (double x : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0})
        t.add(x);
    CHECK(t.count() == 8);
    CHECK(t.mean() == 5.0);
    CHECK(t.variance() == Approx(32.0 / 7.0));
    CHECK(t.sd() == Approx(std::sqrt(32.0 / 7.0)));
    CHECK(t.sem() == Approx(std::sqrt(32.0 / 7.0) / std::sqrt(8.0)));
    CHECK(t.min() == 2.0);
    CHECK(t.max() == 9.0);
}

TEST_CASE("an empty or single-observation tally reports NaN where undefined", "[statistics]") {
    Tally t;
    CHECK(t.count() == 0);
    CHECK(std::isnan(t.mean()));
    CHECK(std::isnan(t.variance()));
    CHECK(std::isnan(t.sd()));
    CHECK(std::isnan(t.sem()));
    CHECK(std::isnan(t.min()));
    CHECK(std::isnan(t.max()));

    t.add(-3.5);
    CHECK(t.mean() == -3.5);
    CHECK(std::isnan(t.variance()));
    CHECK(std::isnan(t.sem()));
    CHECK(t.min() == -3.5);
    CHECK(t.max() == -3.5);
}

TEST_CASE("a tally keeps its precision with a large offset", "[statistics]") {
    // The naive sum-of-squares formula loses every digit here; Welford's does not.
    Tally t;
    for (double x : {1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16})
        t.add(x);
    CHECK(t.mean() == 1e9 + 10);
    CHECK(t.variance() == Approx(30.0));
}

TEST_CASE("merging tallies equals adding every observation to one", "[statistics]") {
    const std::vector<double> xs = {3.1, -2.0, 8.5, 0.25, 4.0, 4.0, 11.0, -7.5, 2.2, 6.6, 1.0};
    Tally all, left, right, empty;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        all.add(xs[i]);
        (i < 4 ? left : right).add(xs[i]);
    }
    Tally merged = left;
    merged.merge(right);
    merged.merge(empty);
    CHECK(merged.count() == all.count());
    CHECK(merged.mean() == Approx(all.mean()).epsilon(1e-14));
    CHECK(merged.variance() == Approx(all.variance()).epsilon(1e-14));
    CHECK(merged.min() == all.min());
    CHECK(merged.max() == all.max());

    Tally into_empty;
    into_empty.merge(all);
    CHECK(into_empty.count() == all.count());
    CHECK(into_empty.mean() == all.mean());
    CHECK(into_empty.variance() == all.variance());
}

TEST_CASE("a NaN observation shows in every tally statistic", "[statistics]") {
    Tally t;
    t.add(1.0);
    t.add(std::nan(""));
    t.add(2.0);
    CHECK(std::isnan(t.mean()));
    CHECK(std::isnan(t.variance()));
    CHECK(std::isnan(t.min()));
    CHECK(std::isnan(t.max()));
}

TEST_CASE("a time-weighted level gives the hand-computed step-function statistics",
          "[statistics]") {
    // Level 2 on [0, 3), 5 on [3, 4), 0 on [4, 10), then 4 from 10 on.
    TimeWeighted w(0.0, 2.0);
    w.set(3.0, 5.0);
    w.set(4.0, 0.0);
    w.set(10.0, 4.0);
    // Up to t = 12: integral 2*3 + 5*1 + 0*6 + 4*2 = 19 over 12 hours.
    CHECK(w.integral(12.0) == 19.0);
    CHECK(w.mean(12.0) == 19.0 / 12.0);
    // E[x^2] = (4*3 + 25*1 + 0*6 + 16*2) / 12 = 69/12; variance = 69/12 - (19/12)^2.
    CHECK(w.variance(12.0) == Approx(69.0 / 12.0 - (19.0 / 12.0) * (19.0 / 12.0)));
    CHECK(w.min() == 0.0);
    CHECK(w.max() == 5.0);
    CHECK(w.level() == 4.0);
    CHECK(w.start_time() == 0.0);
    CHECK(w.last_time() == 10.0);

    // Querying at the last change time counts nothing after it.
    CHECK(w.integral(10.0) == 11.0);
    CHECK(w.mean(10.0) == 1.1);
}

TEST_CASE("a time-weighted level starting later averages from its start", "[statistics]") {
    TimeWeighted w(100.0, 1.0);
    w.set(100.0, 3.0);  // a change at the start time replaces the level held for no time
    w.set(102.0, 1.0);
    CHECK(w.mean(104.0) == 2.0);              // (3*2 + 1*2) / 4
    CHECK(w.variance(104.0) == Approx(1.0));  // levels 3 and 1 half the time each
    CHECK(w.min() == 1.0);                    // the initial level counts
    CHECK(w.max() == 3.0);
    CHECK(std::isnan(TimeWeighted(5.0, 1.0).mean(5.0)));
    CHECK(std::isnan(TimeWeighted(5.0, 1.0).variance(5.0)));
}

TEST_CASE("a time-weighted level rejects time going backwards and non-finite input",
          "[statistics]") {
    TimeWeighted w(0.0, 1.0);
    w.set(5.0, 2.0);
    CHECK_THROWS_WITH(w.set(4.5, 3.0),
                      "TimeWeighted::set: time 4.5 is before the last change at 5");
    CHECK_THROWS_WITH(w.mean(4.0), "TimeWeighted: query time 4 is before the last change at 5");
    CHECK_THROWS_AS(w.integral(1.0), std::invalid_argument);
    CHECK_THROWS_AS(w.variance(1.0), std::invalid_argument);
    CHECK_THROWS_WITH(w.set(6.0, std::nan("")), "TimeWeighted::set: level must be finite, got nan");
    CHECK_THROWS_AS(w.set(std::nan(""), 1.0), std::invalid_argument);
    CHECK_THROWS_AS(TimeWeighted(0.0, HUGE_VAL), std::invalid_argument);
    // A rejected call leaves the statistics untouched.
    CHECK(w.level() == 2.0);
    CHECK(w.mean(10.0) == 1.5);
}
