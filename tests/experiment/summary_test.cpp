// sim/experiment/summary: the tables and CSV of statistics (docs/statistics.md): which runs
// count, pairing by replication, and the shape of what is printed.
#include <catch2/catch.hpp>

#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "sim/experiment/summary.hpp"

namespace ex = mss::experiment;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

/// Two points x three replications, rows out of order; run (1, 2) failed.
mss::output::RunsTable two_points() {
    mss::output::RunsTable t;
    t.kpi_names = {"days_to_foc", "cost_usd"};
    const struct {
        std::int64_t point, rep;
        std::int8_t status;
        double foc, cost;
    } rows[] = {{0, 1, 0, 100, 2000},  {0, 0, 0, 90, 1000}, {0, 2, 0, kNaN, 3000},
                {1, 2, 1, kNaN, kNaN}, {1, 0, 0, 80, 1500}, {1, 1, 0, 95, 2600}};
    t.kpis.resize(2);
    std::int64_t run = 0;
    for (const auto& r : rows) {
        t.run.push_back(run++);
        t.point.push_back(r.point);
        t.replication.push_back(r.rep);
        t.seed.push_back(1);
        t.status.push_back(r.status);
        t.kpis[0].push_back(r.foc);
        t.kpis[1].push_back(r.cost);
    }
    return t;
}

}  // namespace

TEST_CASE("failed runs are left out, a point's runs are in replication order", "[summary]") {
    const auto by_point = ex::ok_runs_by_point(two_points(), 2);
    REQUIRE(by_point.size() == 2);
    CHECK(by_point[0].replications == std::vector<std::int64_t>{0, 1, 2});
    CHECK(by_point[0].values[1] == std::vector<double>{1000, 2000, 3000});
    CHECK(by_point[1].replications == std::vector<std::int64_t>{0, 1});
    const auto stats = ex::point_stats(by_point[1], {"days_to_foc", "cost_usd"}, {0, 1});
    CHECK(stats[0].runs == 2);  // ok runs only
    CHECK(stats[1].mean == 2050.0);
}

TEST_CASE("contrasts pair run (P, r) with run (R, r)", "[summary]") {
    const auto by_point = ex::ok_runs_by_point(two_points(), 2);
    CHECK(ex::ok_pairs(by_point[1], by_point[0]) == 2);
    const auto c =
        ex::point_contrasts(by_point[1], by_point[0], {"days_to_foc", "cost_usd"}, {0, 1});
    // Replication 0: 1500 - 1000, replication 1: 2600 - 2000.
    CHECK(c[1].pairs == 2);
    CHECK(c[1].diff == 550.0);
    CHECK(c[0].pairs == 2);  // both reached FOC in replications 0 and 1
    CHECK(c[0].diff == -7.5);
    CHECK(c[0].reached_pairs == 2);
}

TEST_CASE("the per-KPI table: a first-day KPI leads with its share, then a date line",
          "[summary]") {
    const auto by_point = ex::ok_runs_by_point(two_points(), 2);
    auto stats = ex::point_stats(by_point[0], {"days_to_foc", "cost_usd"}, {0, 1});
    stats.push_back(ex::kpi_stats(ex::kpi_info("gap_person_days"), {4.0, kNaN, 6.0}));
    // Day 0 is 2024-06-01 (19875 days since 1970-01-01).
    const std::string table = ex::format_kpi_table(stats, 19875);
    INFO(table);
    const auto lines = lines_of(table);
    REQUIRE(lines.size() == 8);
    CHECK(lines[0].rfind("KPI ", 0) == 0);
    CHECK(lines[0].find("n/runs") != std::string::npos);
    CHECK(lines[0].find("95% CI of the mean") != std::string::npos);
    CHECK(lines[1] == "days_to_foc: reached 2/3 = 0.6667, 95% CI [0.2077, 0.9385] (Wilson)");
    CHECK(lines[2].rfind("  mean if reached", 0) == 0);
    CHECK(lines[2].find(" 95 ") != std::string::npos);       // the mean of 90 and 100
    CHECK(lines[2].substr(lines[2].size() - 5) == "never");  // the max
    CHECK(lines[3].rfind("  date", 0) == 0);
    CHECK(lines[3].find("2024-09-04") != std::string::npos);  // 2024-06-01 + 95
    CHECK(lines[4].rfind("cost_usd ", 0) == 0);
    CHECK(lines[4].find("2,000") != std::string::npos);
    CHECK(lines[5].rfind("gap_person_days ", 0) == 0);
    CHECK(lines[5].find("2/3") != std::string::npos);
    CHECK(lines[5].find("5  *") != std::string::npos);  // a conditional mean
    CHECK(lines[6].rfind("reached: share of runs", 0) == 0);
    CHECK(lines[7].rfind("* mean over", 0) == 0);
}

TEST_CASE("a sweep's table has one row per point", "[summary]") {
    const auto by_point = ex::ok_runs_by_point(two_points(), 2);
    std::vector<ex::PointRow> rows;
    for (std::size_t p = 0; p < 2; ++p)
        rows.push_back({static_cast<std::int64_t>(p),
                        {ex::factor_cell(p == 0 ? "4" : "0.85000000000000009", 0.0)},
                        static_cast<std::int64_t>(by_point[p].replications.size()),
                        ex::point_stats(by_point[p], {"days_to_foc", "cost_usd"}, {0, 1})});
    const std::string table = ex::format_point_table({"fleet"}, rows);
    INFO(table);
    const auto lines = lines_of(table);
    REQUIRE(lines.size() == 5);
    CHECK(lines[0].rfind("point  fleet  runs", 0) == 0);
    CHECK(lines[0].find("days_to_foc") != std::string::npos);
    CHECK(lines[1].find("reached [95% CI]") != std::string::npos);
    CHECK(lines[1].find("mean [95% CI]") != std::string::npos);
    CHECK(lines[2].rfind("0      4         3  ", 0) == 0);
    CHECK(lines[2].find("0.6667 [0.2077, 0.9385]") != std::string::npos);
    CHECK(lines[3].rfind("1      0.85      2  ", 0) == 0);       // 17 digits in, 4 significant out
    CHECK(lines[3].find("1 [0.3424, 1]") != std::string::npos);  // pc(2, 2, method='wilson')
}

TEST_CASE("CSV: one line per point and KPI, empty for no value, inf for never", "[summary]") {
    ex::PointRow row;
    row.point = 3;
    row.kpis = {ex::kpi_stats(ex::kpi_info("days_to_foc"), {kNaN, 10.0})};
    const auto lines = lines_of(ex::format_stats_csv({row}));
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] ==
          "point,kpi,unit,runs,n,reached,reached_low,reached_high,mean,ci_low,ci_high,sd,p10,p50,"
          "p90,min,max");
    // One reached: no sd, no interval of the mean; P10 h = 0.1 gives never weight.
    CHECK(lines[1].rfind("3,days_to_foc,day,2,1,0.5,", 0) == 0);
    CHECK(lines[1].substr(lines[1].find(",10,")) == ",10,,,,inf,inf,inf,10,inf");
}

TEST_CASE("contrast CSV: reached columns only for first-day KPIs", "[summary]") {
    const auto by_point = ex::ok_runs_by_point(two_points(), 2);
    ex::ContrastRow row;
    row.point = 1;
    row.pairs = 2;
    row.kpis = ex::point_contrasts(by_point[1], by_point[0], {"days_to_foc", "cost_usd"}, {0, 1});
    const auto lines = lines_of(ex::format_contrast_csv(0, {row}));
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] ==
          "point,reference,kpi,unit,pairs,diff,diff_low,diff_high,reached_pairs,reached_diff,"
          "reached_diff_low,reached_diff_high");
    CHECK(lines[1].rfind("1,0,days_to_foc,day,2,-7.5,", 0) == 0);
    CHECK(lines[1].substr(lines[1].size() - 8) == ",2,0,0,0");
    CHECK(lines[2].rfind("1,0,cost_usd,USD,2,550,", 0) == 0);
    CHECK(lines[2].substr(lines[2].size() - 4) == ",,,,");
}

TEST_CASE("what binds: the largest of the four KPIs, ties to the first, zeros bind nothing",
          "[summary][binding]") {
    // Five runs: pipeline largest; lift and funds tied (funds listed first); all zero; beds
    // largest; a run without a value (nothing).
    const std::vector<double> funds{0, 7, 0, 1, 0}, beds{0, 0, 0, 9, kNaN}, lift{3, 7, 0, 2, 5},
        pipeline{10, 1, 0, 0, 5};
    const ex::BindingShares b = ex::binding_shares({&funds, &beds, &lift, &pipeline});
    CHECK(b.runs == 5);
    CHECK(b.counts == std::vector<std::int64_t>{1, 1, 0, 1, 2});

    mss::output::RunsTable t;
    t.kpi_names = {"cost_usd"};
    for (const std::string& name : ex::binding_kpis())
        t.kpi_names.push_back(name);
    t.kpis = {{1, 2, 3, 4, 5}, funds, beds, lift, pipeline};
    for (std::int64_t r = 0; r < 5; ++r) {
        t.run.push_back(r);
        t.point.push_back(0);
        t.replication.push_back(r);
        t.seed.push_back(1);
        t.status.push_back(0);
    }
    const auto by_point = ex::ok_runs_by_point(t, 1);
    CHECK(ex::point_binding(by_point[0], t.kpi_names).counts == b.counts);
    const auto lines = lines_of(ex::format_binding(b));
    REQUIRE(lines.size() == 9);
    CHECK(lines[3] == "  funds     binds in 1/5 runs = 0.2  95% CI [0.03622, 0.6245]");
    CHECK(lines[7] == "  nothing   binds in 2/5 runs = 0.4  95% CI [0.1176, 0.7693]");
    // A file without these KPIs (written before them) prints nothing.
    CHECK(ex::point_binding(by_point[0], {"cost_usd"}).counts.empty());
    CHECK(ex::format_binding(ex::point_binding(by_point[0], {"cost_usd"})).empty());
}
