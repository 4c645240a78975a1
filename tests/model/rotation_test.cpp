// Rotation policy (DESIGN §3 "Contingent", "Tour clock"): strength held with ample lift, the
// gap when relief cannot arrive, overstay counted exactly, drawdown.
#include <catch2/catch.hpp>

#include "sim/model/mission.hpp"
#include "tests/model/fixtures.hpp"

using namespace mss::model;
using namespace mss::model::test;

namespace {

/// 100 billets, one batch of 100 ready after `readiness_days`, 20-day tours, one 100-seat
/// aircraft launching for a single passenger (min_load 1), handling 2 h at PAP and none at
/// home, no turnaround.
ModelConfig rotation_config(double readiness_days, double extension_days, double overlap_days) {
    ModelConfig m = simple_config(100, 100, 1);
    m.scenario.horizon_days = 40;
    ContingentConfig& c = m.contingents[0];
    c.readiness_delay_days = D::constant(readiness_days);
    c.tour_days = D::constant(20.0);
    c.rotation.relief_lead_days = 5.0;
    c.rotation.overlap_days = overlap_days;
    c.rotation.max_extension_days = extension_days;
    m.airports[1].handling_h = D::constant(0.0);
    m.airlift.min_load = 1;
    m.airlift.max_wait_days = 0.0;
    m.airlift.turnaround_h = 0.0;
    return m;
}

struct Run {
    MemoryObserver obs;
    RunKpis kpis;
    std::vector<std::int64_t> final_counts;
};

void run(const ModelConfig& m, Run& r, std::uint64_t seed = 3) {
    Mission mission(m, seed, 0, r.obs);
    while (!mission.done()) {
        mission.run_day();
        REQUIRE(mission.check_invariants() == "");
    }
    r.kpis = mission.finish();
    for (int s = 0; s < kPersonStateCount; ++s)
        r.final_counts.push_back(mission.roster().count(0, static_cast<PersonState>(s)));
}

std::vector<double> on_duty_by_day(const MemoryObserver& obs) {
    std::vector<double> v;
    for (const DaySnapshot& d : obs.days)
        v.push_back(d.on_duty[0]);
    return v;
}

std::vector<double> filled_by_day(const MemoryObserver& obs) {
    std::vector<double> v;
    for (const DaySnapshot& d : obs.days)
        v.push_back(d.filled[0]);
    return v;
}

/// `before` for days [0, from), then `after` up to `days`.
std::vector<double> step(int days, int from, double before, double after) {
    std::vector<double> v(static_cast<std::size_t>(days), after);
    for (int d = 0; d < from; ++d)
        v[static_cast<std::size_t>(d)] = before;
    return v;
}

}  // namespace

TEST_CASE("with ample lift strength never falls below the billets after FOC", "[model][rotation]") {
    ModelConfig m = simple_config(100, 200, 1);
    m.scenario.horizon_days = 365;
    ContingentConfig& c = m.contingents[0];
    c.tour_days = D::normal(60.0, 5.0, 45.0, 75.0);
    c.readiness_delay_days = D::uniform(0.0, 3.0);
    c.rotation.relief_lead_days = 20.0;
    c.rotation.overlap_days = 2.0;
    c.rotation.max_extension_days = 30.0;
    m.airlift.min_load = 1;
    m.airlift.max_wait_days = 0.0;
    SECTION("individual rotation") {}
    SECTION("unit rotation") {
        c.rotation.mode = RotationMode::unit;
    }
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
        Run r;
        run(m, r, seed);
        REQUIRE(r.kpis.days_to_foc == r.kpis.days_to_foc);  // reached
        for (const DaySnapshot& d : r.obs.days) {
            if (d.day < r.kpis.days_to_foc) continue;
            INFO("seed " << seed << " day " << d.day);
            CHECK(d.strength[0] >= 100);
            CHECK(d.on_duty[0] >= 100);
        }
        CHECK(r.kpis.gap_person_days == 0);
        CHECK(r.kpis.pax_in > 500);  // about six tours
    }
}

TEST_CASE("relief that cannot arrive in time with no extension leaves a hand-computed gap",
          "[model][rotation]") {
    // Batch ready at 240 h, lands 250 h (FOC on day 10). Tours end at 730 h; relief requested at
    // 610 h is ready at 850 h. With no extension the 100 leave their billets at 730 h: the
    // aircraft flies out for them (730 -> 740), they board after handling at 742 h. The relief
    // lands at 860 h. On duty is 0 at the end of days 30..34: gap = 5 x 90 person-days.
    Run r;
    run(rotation_config(10.0, 0.0, 0.0), r);
    CHECK(r.kpis.days_to_foc == 10);
    std::vector<double> expected(40, 0.0);
    for (int d = 10; d < 30; ++d)
        expected[static_cast<std::size_t>(d)] = 100;
    for (int d = 35; d < 40; ++d)
        expected[static_cast<std::size_t>(d)] = 100;
    CHECK(on_duty_by_day(r.obs) == expected);
    CHECK(r.kpis.gap_person_days == Approx(450.0));
    // The billets are empty while nobody holds them: filled is on duty here, and the dip
    // after FOC is to 0 for 5 days.
    CHECK(filled_by_day(r.obs) == expected);
    CHECK(r.kpis.days_below_floor == 5);
    CHECK(r.kpis.min_filled_frac == 0.0);
    CHECK(r.kpis.shortfall_billet_days == Approx(10 * 100.0 + 5 * 100.0));
    CHECK(r.kpis.mean_filled_frac == Approx(2500.0 / 4000.0).epsilon(1e-12));
    // Overstay: 742 - 730 = 12 h each.
    CHECK(r.kpis.overstay_person_days == Approx(100 * 12.0 / 24.0));
    CHECK(r.kpis.pax_in == 200);
    CHECK(r.kpis.pax_out == 100);
    CHECK(r.obs.events_of(EventKind::relief_requested).size() == 100);
    CHECK(r.obs.events_of(EventKind::relief_requested).front().t_h == 610.0);
}

TEST_CASE("overstay is the time in theatre beyond the tour end, counted exactly",
          "[model][rotation]") {
    // As above but with a 60-day extension and a 1-day overlap: the 100 wait for the relief
    // (lands 860 h), hand over until 884 h, the aircraft flies out for them (884 -> 894) and
    // they board at 896 h: overstay 166 h each.
    Run r;
    run(rotation_config(10.0, 60.0, 1.0), r);
    CHECK(r.kpis.overstay_person_days == Approx(100 * 166.0 / 24.0));
    CHECK(r.kpis.gap_person_days == 0);
    std::vector<double> strength = strength_by_day(r.obs);
    CHECK(strength[35] == 200);  // relief and outgoing together during the overlap
    CHECK(strength[36] == 200);  // day 36 ends at 888 h; they board at 896 h
    CHECK(strength[37] == 100);
    // Each billet counts once: through its extended incumbent until the relief lands (860 h,
    // day 35), then through the relief, while the outgoing hand over (to 884 h) and wait for
    // the aircraft (to 896 h). Filled is 100 from FOC on, headcount 200 on days 35 and 36.
    CHECK(filled_by_day(r.obs) == step(40, 10, 0.0, 100.0));
    CHECK(r.kpis.min_filled_frac == 1.0);
    CHECK(r.kpis.days_below_floor == 0);
    CHECK(r.kpis.shortfall_billet_days == Approx(1000.0));
    CHECK(r.kpis.mean_filled_frac == Approx(0.75).epsilon(1e-12));
    CHECK(r.kpis.mean_strength_frac > r.kpis.mean_filled_frac);
    // Per-contingent KPIs agree with the totals.
    REQUIRE(r.obs.contingent_kpis.size() == 1);
    CHECK(r.obs.contingent_kpis[0].overstay_person_days == Approx(r.kpis.overstay_person_days));
    CHECK(r.obs.contingent_kpis[0].pax_in == 200);
}

TEST_CASE("drawdown: no relief after it, everyone leaves at tour end, theatre empties",
          "[model][rotation]") {
    SECTION("drawdown before any relief request") {
        ModelConfig m = rotation_config(0.0, 30.0, 1.0);
        m.contingents[0].tour_days = D::constant(30.0);
        m.contingents[0].rotation.relief_lead_days = 10.0;
        m.contingents[0].drawdown_day = 15.0;
        Run r;
        run(m, r);
        CHECK(r.obs.events_of(EventKind::relief_requested).empty());
        // Land at 10 h, tour end 730 h, fly-out 730 -> 740, board 742, home 752.
        const std::vector<double> s = strength_by_day(r.obs);
        CHECK(s[29] == 100);
        CHECK(s[30] == 0);
        CHECK(s.back() == 0);
        CHECK(r.kpis.pax_out == 100);
        CHECK(r.final_counts[static_cast<int>(PersonState::home)] == 100);
        CHECK(r.kpis.overstay_person_days == Approx(100 * 12.0 / 24.0));
    }
    SECTION("reliefs not yet launched at the drawdown stand down") {
        ModelConfig m = rotation_config(0.0, 30.0, 1.0);
        m.contingents[0].readiness_delay_days = D::constant(0.0);
        m.contingents[0].tour_days = D::constant(30.0);
        m.contingents[0].rotation.relief_lead_days = 10.0;
        m.contingents[0].drawdown_day = 25.0;
        m.airports[0].closures.push_back(ClosureConfig{480.0, 700.0, true, {}, "no lift"});
        Run r;
        run(m, r);
        // Reliefs requested at 490 h wait at home (gateway closed) and stand down at 600 h.
        CHECK(r.obs.events_of(EventKind::relief_requested).size() == 100);
        CHECK(r.final_counts[static_cast<int>(PersonState::stood_down)] == 100);
        CHECK(r.final_counts[static_cast<int>(PersonState::home)] == 100);
        CHECK(strength_by_day(r.obs).back() == 0);
        CHECK(r.kpis.pax_in == 100);
    }
}

TEST_CASE("drawdown: a unit rotation due after it cuts no tour short", "[model][rotation]") {
    // Unit rotation, 20-day tours, batches of 50 on days 0 and 10, drawdown on day 12. The
    // unit rotation planned for the first batch's tour end (relief requested 5 days ahead, on
    // day 15.4) comes after the drawdown: no relief, so the second batch serves its own tour
    // (ends at 730 h, boards at 742 h: day 30) instead of leaving with the first (ends at
    // 490 h, boards at 502 h: day 20).
    ModelConfig m = rotation_config(0.0, 0.0, 0.0);
    ContingentConfig& c = m.contingents[0];
    c.generation = {{0.0, 50}, {10.0, 50}};
    c.rotation.mode = RotationMode::unit;
    c.drawdown_day = 12.0;
    Run r;
    run(m, r);
    CHECK(r.obs.events_of(EventKind::relief_requested).empty());
    const std::vector<double> s = strength_by_day(r.obs);
    CHECK(s[11] == 100);
    CHECK(s[19] == 100);
    CHECK(s[20] == 50);
    CHECK(s[29] == 50);
    CHECK(s[30] == 0);
    CHECK(r.kpis.pax_out == 100);
    CHECK(r.kpis.overstay_person_days == Approx(100 * 12.0 / 24.0));  // fly-out and handling
}

TEST_CASE("FOC, IOC and the floor are reached by exactly frac x billets officers", "[model][kpi]") {
    // 55 of 100 billets filled on day 0: 0.55 x 100 is 55.000000000000007 in binary floating
    // point, which 55 officers must still reach.
    ModelConfig m = rotation_config(0.0, 0.0, 0.0);
    m.contingents[0].generation = {{0.0, 55}};
    m.kpis.ioc_frac = 0.55;
    m.kpis.foc_frac = 0.55;
    m.kpis.floor_frac = 0.55;
    m.scenario.horizon_days = 10;
    Run r;
    run(m, r);
    CHECK(r.kpis.days_to_ioc == 0);
    CHECK(r.kpis.days_to_foc == 0);
    CHECK(r.kpis.gap_person_days == 0);
    REQUIRE(r.obs.contingent_kpis.size() == 1);
    CHECK(r.obs.contingent_kpis[0].days_to_foc == 0);
    CHECK(personnel_threshold(0.55, 100) == 55);
    CHECK(personnel_threshold(0.07, 100) == 7);
    CHECK(personnel_threshold(0.95, 2500) == 2375);
    CHECK(personnel_threshold(0.5, 3) == 1.5);
    CHECK(personnel_threshold(0.95, 1234) == Approx(1172.3).epsilon(1e-15));
}

TEST_CASE("outbound demand calls one sortie, not every idle aircraft at the base",
          "[model][rotation][airlift]") {
    // 100 billets relieved 5 days before their 20-day tours end, no overlap: the relief sortie
    // lands as the officers it relieves start to wait, and takes them home. Two more idle
    // aircraft at the base must not fly out for the same officers (and come back empty).
    ModelConfig m1 = rotation_config(0.0, 0.0, 0.0);
    ModelConfig m3 = m1;
    m3.aircraft[0].count = 3;
    Run r1, r3;
    run(m1, r1);
    run(m3, r3);
    CHECK(r1.kpis.pax_out == 200);  // two rotations
    CHECK(r3.kpis.pax_out == r1.kpis.pax_out);
    CHECK(r3.kpis.flights_flown == r1.kpis.flights_flown);
    CHECK(r3.kpis.cost_usd == r1.kpis.cost_usd);
    CHECK(r3.obs.events_of(EventKind::sortie_launched).size() ==
          r1.obs.events_of(EventKind::sortie_launched).size());
}
