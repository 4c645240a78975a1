// Onward transfer (sim/model/transfer.hpp) through a Mission: hand-computed timelines of a
// diversion to an alternate whose link shuttles the passengers into theatre, and of personnel
// carried out to an alternate while the gateway is shut (and back when it reopens).
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <string>

#include "sim/model/mission.hpp"
#include "tests/model/fixtures.hpp"

using namespace mss::model;
using namespace mss::model::test;

namespace {

struct Run {
    MemoryObserver obs;
    std::unique_ptr<Mission> mission;
    RunKpis kpis;
};

void run(const ModelConfig& m, Run& r) {
    r.mission = std::make_unique<Mission>(m, 7, 0, r.obs);
    while (!r.mission->done()) {
        r.mission->run_day();
        REQUIRE(r.mission->check_invariants() == "");
    }
    r.kpis = r.mission->finish();
}

/// When people reached theatre, by runs of consecutive person ids: "arrive FIRST-LAST".
Timeline arrivals(const Roster& roster) {
    Timeline t;
    std::int32_t first = -1;
    for (std::int32_t p = 0; p <= static_cast<std::int32_t>(roster.size()); ++p) {
        const bool end = p == static_cast<std::int32_t>(roster.size());
        const double at = end ? kNever : roster.person(p).arrived_h;
        if (first >= 0 && (end || at != roster.person(first).arrived_h)) {
            t.push_back({"arrive " + std::to_string(first) + "-" + std::to_string(p - 1),
                         roster.person(first).arrived_h});
            first = -1;
        }
        if (!end && first < 0 && !std::isnan(at)) first = p;
    }
    return t;
}

std::vector<double> in_transit_by_day(const MemoryObserver& obs) {
    std::vector<double> v;
    for (const DaySnapshot& d : obs.days)
        v.push_back(d.in_transit[0]);
    return v;
}

}  // namespace

TEST_CASE("a diverted sortie lands at the alternate and two shuttles bring its passengers in",
          "[model][transfer]") {
    // 100 ready, the gateway closed over [5, 30) h: the sortie reaches the gateway area at 10 h
    // and diverts (1 h) to CAP. Two vehicles of 30 seats, 1.5 h each way, based in theatre, fly
    // out empty at 11 h; at CAP (12.5 h) the first takes passengers 0-29, the second 30-59;
    // back at 14 h. Again: out at 14 h, 60-89 and 90-99 at 15.5 h, back at 17 h.
    ModelConfig m = simple_config(100, 100, 1);
    m.scenario.horizon_days = 2;
    add_alternate(m, "CAP", 10.5, 1.0);
    add_link(m, "CAP", 2, 30, 1.5, 1000.0);
    add_closure(m, "PAP", 5.0, 30.0);
    Run r;
    run(m, r);
    CHECK(airlift_timeline(m, r.obs) == Timeline{{"batch_ready ORG 100", 0},
                                                 {"sortie_launched ORG 100", 0},
                                                 {"closure_start PAP 7", 5},
                                                 {"landed CAP 100", 11},
                                                 {"diverted CAP 100", 11},
                                                 {"returned_home ORG 0", 23.5},
                                                 {"closure_end PAP 7", 30}});
    CHECK(arrivals(r.mission->roster()) == Timeline{{"arrive 0-59", 14}, {"arrive 60-99", 17}});
    // The tour starts on stepping off the link.
    CHECK(r.mission->roster().person(99).tour_end_h == 17 + 365 * 24.0);
    CHECK(strength_by_day(r.obs) == std::vector<double>{100, 100});
    CHECK(in_transit_by_day(r.obs) == std::vector<double>{0, 0});
    CHECK(r.kpis.pax_in == 100);
    CHECK(r.kpis.flights_flown == 1);
    CHECK(r.kpis.flights_diverted == 1);
    // Eight one-way trips (four empty) and 10 + 1 + 10.5 block hours.
    CHECK(r.kpis.cost_usd == Approx(8 * 1000.0 + 21.5 * 100.0));
}

TEST_CASE("while the gateway is shut the link carries leaving personnel out to the alternate",
          "[model][transfer]") {
    // Ten land at 10 h; the contingent has drawn down, so they leave at their tour end (34 h)
    // with no relief. The gateway is closed from 30 h and the route plans alternates: the one
    // vehicle (20 seats, 1 h) takes them out of theatre at 34 h to CAP (35 h) and comes back
    // empty (36 h). The aircraft, idle again at 37 h (22 h home + 3 h handling + 12 h
    // turnaround), flies to CAP for them.
    ModelConfig m = simple_config(10, 100, 1);
    m.scenario.horizon_days = 5;
    m.airlift.min_load = 1;
    m.contingents[0].tour_days = D::constant(1.0);
    m.contingents[0].drawdown_day = 0.1;
    m.routes[0].on_closure = ClosureRule::plan_alternate;
    add_alternate(m, "CAP", 10.5, 1.0);
    add_link(m, "CAP", 1, 20, 1.0, 1000.0);
    Run r;
    SECTION("the sortie collects them at the alternate") {
        add_closure(m, "PAP", 30.0, 100.0);
        run(m, r);
        // 37 + 10.5 = 47.5 at CAP, 2 h handling, 10.5 h home.
        CHECK(airlift_timeline(m, r.obs) == Timeline{{"batch_ready ORG 10", 0},
                                                     {"sortie_launched ORG 10", 0},
                                                     {"landed PAP 10", 10},
                                                     {"returned_home ORG 0", 22},
                                                     {"closure_start PAP 7", 30},
                                                     {"sortie_launched ORG 0", 37},
                                                     {"landed CAP 0", 47.5},
                                                     {"diverted CAP 0", 47.5},
                                                     {"returned_home ORG 10", 60},
                                                     {"closure_end PAP 7", 100}});
        CHECK(strength_by_day(r.obs) == std::vector<double>{10, 0, 0, 0, 0});
        CHECK(in_transit_by_day(r.obs) == std::vector<double>{0, 10, 0, 0, 0});
        CHECK(r.kpis.flights_diverted == 1);
        CHECK(r.kpis.cost_usd == Approx(2 * 1000.0 + 41 * 100.0));
    }
    SECTION("the gateway reopens first: the link brings them back to fly from it") {
        // Reopened at 36.5 h, the vehicle fetches them from CAP (37.5 h) back to the gateway
        // (38.5 h), where they call the idle aircraft: 48.5 h at PAP, 50.5 h boarding.
        add_closure(m, "PAP", 30.0, 36.5);
        run(m, r);
        CHECK(airlift_timeline(m, r.obs) == Timeline{{"batch_ready ORG 10", 0},
                                                     {"sortie_launched ORG 10", 0},
                                                     {"landed PAP 10", 10},
                                                     {"returned_home ORG 0", 22},
                                                     {"closure_start PAP 7", 30},
                                                     {"closure_end PAP 7", 36.5},
                                                     {"sortie_launched ORG 0", 38.5},
                                                     {"landed PAP 0", 48.5},
                                                     {"returned_home ORG 10", 60.5}});
        CHECK(strength_by_day(r.obs) == std::vector<double>{10, 0, 0, 0, 0});
        CHECK(in_transit_by_day(r.obs) == std::vector<double>{0, 10, 0, 0, 0});
        CHECK(r.kpis.flights_diverted == 0);
        CHECK(r.kpis.cost_usd == Approx(4 * 1000.0 + 40 * 100.0));
    }
    // They left theatre when they boarded the link, at their tour end.
    CHECK(r.kpis.overstay_person_days == 0);
    CHECK(r.kpis.pax_out == 10);
    CHECK(r.mission->roster().count(0, PersonState::home) == 10);
}
