// The readiness KPIs (sim/model/kpis.hpp) on hand-built daily series: readiness_kpis() is a pure
// function, so every rule of docs/model.md "Snapshots and KPIs" is checked here with no
// simulation behind it.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "sim/model/kpis.hpp"

using namespace mss::model;

namespace {

KpiConfig thresholds(double ioc, double foc, double floor) {
    KpiConfig c;
    c.ioc_frac = ioc;
    c.foc_frac = foc;
    c.floor_frac = floor;
    return c;
}

/// One contingent whose headcount and filled-billet series are given.
DailySeries one(std::vector<double> strength, std::vector<double> filled) {
    DailySeries s;
    s.contingent_strength = {strength};
    s.contingent_filled = {filled};
    s.strength = std::move(strength);
    s.filled = std::move(filled);
    return s;
}

struct Result {
    RunKpis k;
    std::vector<ContingentKpis> c;
};

Result kpis(const KpiConfig& cfg, const std::vector<std::int32_t>& billets, const DailySeries& s) {
    Result r;
    readiness_kpis(cfg, billets, s, r.k, r.c);
    return r;
}

}  // namespace

TEST_CASE("days to IOC and FOC are the first days whose strength reaches the thresholds",
          "[model][kpi]") {
    // 100 billets: IOC at 50, FOC at 95. The dip to 90 on day 5 does not move FOC.
    const std::vector<double> s{0, 49, 50, 94, 95, 90, 100, 100};
    const Result r = kpis(thresholds(0.5, 0.95, 0.9), {100}, one(s, s));
    CHECK(r.k.days_to_ioc == 2);
    CHECK(r.k.days_to_foc == 4);
    CHECK(r.k.mean_strength_frac == Approx(578.0 / 800.0).epsilon(1e-12));
    CHECK(r.k.gap_person_days == 0);  // on duty 95, 90, 100, 100: never below the floor of 90
    REQUIRE(r.c.size() == 1);
    CHECK(r.c[0].days_to_foc == 4);
    CHECK(r.c[0].mean_strength_frac == Approx(578.0 / 800.0).epsilon(1e-12));
}

TEST_CASE("a threshold of 0.55 x 100 billets is reached by 55 officers", "[model][kpi]") {
    // 0.55 x 100 is 55.000000000000007 in binary floating point.
    REQUIRE(0.55 * 100 > 55.0);
    const Result r =
        kpis(thresholds(0.55, 0.55, 0.55), {100}, one({54, 55, 55, 55}, {54, 55, 54, 55}));
    CHECK(r.k.days_to_ioc == 1);
    CHECK(r.k.days_to_foc == 1);
    CHECK(r.k.gap_person_days == 1.0);  // day 2 only: 55 - 54, exactly
    REQUIRE(r.c.size() == 1);
    CHECK(r.c[0].days_to_foc == 1);
}

TEST_CASE("readiness KPIs are NaN when a threshold is never reached, or with no billets or days",
          "[model][kpi]") {
    const KpiConfig cfg = thresholds(0.5, 0.95, 0.9);
    SECTION("FOC never reached: no FOC and no gap, but IOC and the mean") {
        const Result r = kpis(cfg, {100}, one({10, 60, 94}, {10, 60, 94}));
        CHECK(r.k.days_to_ioc == 1);
        CHECK(std::isnan(r.k.days_to_foc));
        CHECK(std::isnan(r.k.gap_person_days));
        CHECK(r.k.mean_strength_frac == Approx(164.0 / 300.0).epsilon(1e-12));
        CHECK(std::isnan(r.c[0].days_to_foc));
        CHECK(r.c[0].mean_strength_frac == Approx(164.0 / 300.0).epsilon(1e-12));
    }
    SECTION("IOC never reached either") {
        const Result r = kpis(cfg, {100}, one({0, 10, 49}, {0, 10, 49}));
        CHECK(std::isnan(r.k.days_to_ioc));
        CHECK(std::isnan(r.k.days_to_foc));
        CHECK(std::isnan(r.k.gap_person_days));
    }
    SECTION("no billets at all") {
        const Result r = kpis(cfg, {0}, one({0, 0}, {0, 0}));
        CHECK(std::isnan(r.k.days_to_ioc));
        CHECK(std::isnan(r.k.days_to_foc));
        CHECK(std::isnan(r.k.mean_strength_frac));
        CHECK(std::isnan(r.k.gap_person_days));
        REQUIRE(r.c.size() == 1);
        CHECK(std::isnan(r.c[0].days_to_foc));
        CHECK(std::isnan(r.c[0].mean_strength_frac));
    }
    SECTION("no contingents") {
        DailySeries s;
        s.strength = {0, 0};
        s.filled = {0, 0};
        const Result r = kpis(cfg, {}, s);
        CHECK(std::isnan(r.k.days_to_ioc));
        CHECK(std::isnan(r.k.mean_strength_frac));
        CHECK(r.c.empty());
    }
    SECTION("no days") {
        const Result r = kpis(cfg, {100}, one({}, {}));
        CHECK(std::isnan(r.k.days_to_ioc));
        CHECK(std::isnan(r.k.days_to_foc));
        CHECK(std::isnan(r.k.mean_strength_frac));
        CHECK(std::isnan(r.k.gap_person_days));
        REQUIRE(r.c.size() == 1);
        CHECK(std::isnan(r.c[0].days_to_foc));
        CHECK(std::isnan(r.c[0].mean_strength_frac));
    }
}

TEST_CASE("the dip after FOC: gap, days below the floor and the lowest share, on filled billets",
          "[model][kpi]") {
    // 100 billets, FOC 95, floor 90. Before FOC (days 0 and 1) nothing counts; from FOC on the
    // gap is the floor minus the filled billets (not the headcount: on day 4 the headcount is
    // 100 during a relief's overlap, but 20 billets have an injured incumbent).
    const Result r = kpis(thresholds(0.5, 0.95, 0.9), {100},
                          one({0, 50, 95, 100, 100, 100}, {0, 50, 95, 88, 80, 95}));
    CHECK(r.k.days_to_foc == 2);
    CHECK(r.k.gap_person_days == Approx(2.0 + 10.0));
    CHECK(r.k.days_below_floor == 2);
    CHECK(r.k.min_filled_frac == Approx(0.80));
    // Every day counts in the shortfall: 100 + 50 + 5 + 12 + 20 + 5.
    CHECK(r.k.shortfall_billet_days == Approx(192.0));
    CHECK(r.k.mean_filled_frac == Approx(408.0 / 600.0).epsilon(1e-12));
    CHECK(r.k.mean_strength_frac == Approx(445.0 / 600.0).epsilon(1e-12));
}

TEST_CASE("readiness is read on filled billets, not on headcount", "[model][kpi]") {
    // Headcount reaches 100 on day 1 (incumbents and their reliefs overlapping, or waiting
    // for lift home), but filled billets never pass 94: no FOC, so no gap, no dip.
    const Result r =
        kpis(thresholds(0.5, 0.95, 0.9), {100}, one({60, 100, 110, 120}, {60, 80, 94, 90}));
    CHECK(r.k.days_to_ioc == 0);
    CHECK(std::isnan(r.k.days_to_foc));
    CHECK(std::isnan(r.k.gap_person_days));
    CHECK(std::isnan(r.k.days_below_floor));
    CHECK(std::isnan(r.k.min_filled_frac));
    CHECK(r.k.shortfall_billet_days == Approx(40.0 + 20.0 + 6.0 + 10.0));
    CHECK(r.k.mean_strength_frac == Approx(390.0 / 400.0).epsilon(1e-12));
    CHECK(r.c[0].mean_filled_frac == Approx(324.0 / 400.0).epsilon(1e-12));
    CHECK(std::isnan(r.c[0].days_to_foc));
}

TEST_CASE("per-contingent KPIs use each contingent's own billets", "[model][kpi]") {
    // Billets 60, 40 and 0: A = 100. The third contingent has nothing to measure.
    DailySeries s;
    s.contingent_strength = {{0, 30, 60, 62}, {0, 38, 38, 41}, {0, 0, 0, 0}};
    s.contingent_filled = {{0, 30, 57, 60}, {0, 38, 38, 40}, {0, 0, 0, 0}};
    s.strength = {0, 68, 98, 103};
    s.filled = {0, 68, 95, 100};
    RunKpis k;
    k.pax_in = 7;  // counted KPIs are left as they are
    k.overstay_person_days = 3;
    std::vector<ContingentKpis> c(5);  // resized to the contingents
    readiness_kpis(thresholds(0.5, 0.95, 0.9), {60, 40, 0}, s, k, c);
    CHECK(k.days_to_ioc == 1);
    CHECK(k.days_to_foc == 2);
    CHECK(k.mean_filled_frac == Approx(263.0 / 400.0).epsilon(1e-12));
    CHECK(k.mean_strength_frac == Approx(269.0 / 400.0).epsilon(1e-12));
    CHECK(k.gap_person_days == 0);
    CHECK(k.days_below_floor == 0);
    CHECK(k.min_filled_frac == Approx(0.95));
    CHECK(k.pax_in == 7);
    CHECK(k.overstay_person_days == 3);
    REQUIRE(c.size() == 3);
    CHECK(c[0].days_to_foc == 2);  // 0.95 x 60 = 57
    CHECK(c[1].days_to_foc == 1);  // 0.95 x 40 = 38
    CHECK(c[0].mean_filled_frac == Approx(147.0 / 240.0).epsilon(1e-12));
    CHECK(c[1].mean_filled_frac == Approx(116.0 / 160.0).epsilon(1e-12));
    CHECK(c[0].mean_strength_frac == Approx(152.0 / 240.0).epsilon(1e-12));
    CHECK(c[1].mean_strength_frac == Approx(117.0 / 160.0).epsilon(1e-12));
    CHECK(std::isnan(c[2].days_to_foc));
    CHECK(std::isnan(c[2].mean_filled_frac));
    CHECK(std::isnan(c[2].mean_strength_frac));
}
