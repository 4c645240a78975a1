// Hand-computable airlift timelines (issue 3): every launch, landing, diversion, cancellation
// and return in closed form, compared whole.
#include <catch2/catch.hpp>

#include "sim/model/mission.hpp"
#include "tests/model/fixtures.hpp"

using namespace mss::model;
using namespace mss::model::test;

namespace {

RunKpis run(const ModelConfig& m, MemoryObserver& obs) {
    Mission mission(m, 7, 0, obs);
    while (!mission.done()) {
        mission.run_day();
        REQUIRE(mission.check_invariants() == "");
    }
    return mission.finish();
}

}  // namespace

TEST_CASE("one aircraft lifts 1,000 ready personnel in four sorties", "[model][airlift]") {
    // Cycle = block 10 + handling 2 at PAP + block 10 + handling 3 at home + turnaround 12 = 37 h.
    const ModelConfig m = simple_config(1000, 250, 1);
    MemoryObserver obs;
    const RunKpis k = run(m, obs);
    CHECK(airlift_timeline(m, obs) == Timeline{{"batch_ready ORG 1000", 0},
                                               {"sortie_launched ORG 250", 0},
                                               {"landed PAP 250", 10},
                                               {"returned_home ORG 0", 22},
                                               {"sortie_launched ORG 250", 37},
                                               {"landed PAP 250", 47},
                                               {"returned_home ORG 0", 59},
                                               {"sortie_launched ORG 250", 74},
                                               {"landed PAP 250", 84},
                                               {"returned_home ORG 0", 96},
                                               {"sortie_launched ORG 250", 111},
                                               {"landed PAP 250", 121},
                                               {"returned_home ORG 0", 133}});
    CHECK(strength_by_day(obs) ==
          std::vector<double>{250, 500, 500, 750, 750, 1000, 1000, 1000, 1000, 1000});
    CHECK(k.flights_flown == 4);
    CHECK(k.flights_diverted == 0);
    CHECK(k.flights_cancelled == 0);
    CHECK(k.pax_in == 1000);
    CHECK(k.pax_out == 0);
    CHECK(k.days_to_ioc == 1);
    CHECK(k.days_to_foc == 5);
    CHECK(k.mean_strength_frac == Approx(0.775).epsilon(1e-12));
    CHECK(k.gap_person_days == 0);
    CHECK(k.cost_usd == Approx(4 * 20 * 100.0));  // block hours x cost; per diem 0
    CHECK(k.airport_closed_days == 0);
    REQUIRE(obs.days.size() == 10);
    CHECK(obs.days[0].waiting_at_origin[0] == 750);
    CHECK(obs.days[0].airport_open == std::vector<float>{1.0f, 1.0f});
    CHECK(obs.days[0].regime == -1);
}

TEST_CASE("a route's own min_load and max_wait_days override the airlift policy's",
          "[model][airlift]") {
    // 10 ready, min_load 100, max_wait_days 14: the policy waits 14 days for more.
    ModelConfig m = simple_config(10, 250, 1);
    m.scenario.horizon_days = 20;
    auto first_launch = [](const ModelConfig& c) {
        MemoryObserver obs;
        run(c, obs);
        const auto launches = obs.events_of(EventKind::sortie_launched);
        REQUIRE(!launches.empty());
        CHECK(launches[0].count == 10);
        return launches[0].t_h;
    };
    CHECK(first_launch(m) == 14 * 24.0);
    ModelConfig one = m;
    one.routes[0].min_load = 1;  // dedicated flights: go with whoever is ready
    CHECK(first_launch(one) == 0.0);
    ModelConfig soon = m;
    soon.routes[0].max_wait_days = 0.5;
    CHECK(first_launch(soon) == 12.0);
}

TEST_CASE("with MOG 1 the second of two aircraft arriving together waits for the slot",
          "[model][airlift]") {
    ModelConfig m = simple_config(1000, 250, 2);
    m.airports[0].mog = 1;
    MemoryObserver obs;
    const RunKpis k = run(m, obs);
    CHECK(airlift_timeline(m, obs) == Timeline{{"batch_ready ORG 1000", 0},
                                               {"sortie_launched ORG 250", 0},
                                               {"sortie_launched ORG 250", 0},
                                               {"landed PAP 250", 10},
                                               {"landed PAP 250", 12},  // after the first departs
                                               {"returned_home ORG 0", 22},
                                               {"returned_home ORG 0", 24},
                                               {"sortie_launched ORG 250", 37},
                                               {"sortie_launched ORG 250", 39},
                                               {"landed PAP 250", 47},
                                               {"landed PAP 250", 49},
                                               {"returned_home ORG 0", 59},
                                               {"returned_home ORG 0", 61}});
    CHECK(k.pax_in == 1000);
    // Waiting for a parking slot in the air is not block time: 4 sorties x 20 h.
    CHECK(k.cost_usd == Approx(4 * 20 * 100.0));
}

TEST_CASE("a scheduled closure diverts the sortie to the alternate and a shuttle brings them in",
          "[model][airlift][closure]") {
    ModelConfig m = simple_config(250, 250, 1);
    m.scenario.horizon_days = 3;
    add_alternate(m, "CAP", 10.5, 1.0);
    add_link(m, "CAP", 1, 20, 1.0, 1000.0);
    add_closure(m, "PAP", 5.0, 30.0);
    MemoryObserver obs;
    const RunKpis k = run(m, obs);
    CHECK(airlift_timeline(m, obs) == Timeline{{"batch_ready ORG 250", 0},
                                               {"sortie_launched ORG 250", 0},
                                               {"closure_start PAP 7", 5},
                                               {"landed CAP 250", 11},  // 10 h + 1 h divert
                                               {"diverted CAP 250", 11},
                                               {"returned_home ORG 0", 23.5},  // 11 + 2 + 10.5
                                               {"closure_end PAP 7", 30}});
    // The shuttle flies empty to CAP and back with 20: arrivals at 13, 15, ..., 37 (13 trips).
    CHECK(strength_by_day(obs) == std::vector<double>{120, 250, 250});
    CHECK(k.flights_flown == 1);
    CHECK(k.flights_diverted == 1);
    CHECK(k.pax_in == 250);
    CHECK(k.cost_usd == Approx(26 * 1000.0 + 21.5 * 100.0));
    CHECK(k.airport_closed_days == Approx(25.0 / 24.0));
    CHECK(obs.days[0].airport_open[0] == Approx(5.0 / 24.0));
    CHECK(obs.days[1].airport_open[0] == Approx(18.0 / 24.0));
    CHECK(obs.days[2].airport_open[0] == 1.0f);
}

TEST_CASE("a closure with no open alternate under each route rule", "[model][airlift][closure]") {
    ModelConfig m = simple_config(250, 250, 1);
    m.scenario.horizon_days = 3;

    SECTION("divert with every alternate closed returns (cancelled), relaunches after reopening") {
        add_alternate(m, "CAP", 10.5, 1.0);
        add_link(m, "CAP", 1, 20, 1.0, 0.0);
        add_closure(m, "CAP", 0.0, 100.0);
        add_closure(m, "PAP", 5.0, 30.0);
        MemoryObserver obs;
        const RunKpis k = run(m, obs);
        CHECK(airlift_timeline(m, obs) == Timeline{{"batch_ready ORG 250", 0},
                                                   {"closure_start CAP 7", 0},
                                                   {"sortie_launched ORG 250", 0},
                                                   {"closure_start PAP 7", 5},
                                                   {"cancelled ORG 250", 20},
                                                   {"closure_end PAP 7", 30},
                                                   {"sortie_launched ORG 250", 35},
                                                   {"landed PAP 250", 45},
                                                   {"returned_home ORG 0", 57}});
        CHECK(k.flights_cancelled == 1);
        CHECK(k.flights_flown == 1);
        CHECK(k.cost_usd == Approx(40 * 100.0));
    }
    SECTION("return goes straight back") {
        m.routes[0].on_closure = ClosureRule::return_origin;
        add_closure(m, "PAP", 5.0, 30.0);
        MemoryObserver obs;
        const RunKpis k = run(m, obs);
        CHECK(airlift_timeline(m, obs) == Timeline{{"batch_ready ORG 250", 0},
                                                   {"sortie_launched ORG 250", 0},
                                                   {"closure_start PAP 7", 5},
                                                   {"cancelled ORG 250", 20},
                                                   {"closure_end PAP 7", 30},
                                                   {"sortie_launched ORG 250", 35},
                                                   {"landed PAP 250", 45},
                                                   {"returned_home ORG 0", 57}});
        CHECK(k.flights_cancelled == 1);
    }
    SECTION("hold waits max_hold_h, then (no alternate) returns") {
        m.routes[0].on_closure = ClosureRule::hold;
        m.routes[0].max_hold_h = 2.0;
        add_closure(m, "PAP", 5.0, 30.0);
        MemoryObserver obs;
        const RunKpis k = run(m, obs);
        CHECK(airlift_timeline(m, obs) == Timeline{{"batch_ready ORG 250", 0},
                                                   {"sortie_launched ORG 250", 0},
                                                   {"closure_start PAP 7", 5},
                                                   {"cancelled ORG 250", 22},
                                                   {"closure_end PAP 7", 30},
                                                   {"sortie_launched ORG 250", 37},
                                                   {"landed PAP 250", 47},
                                                   {"returned_home ORG 0", 59}});
        CHECK(k.flights_cancelled == 1);
        CHECK(k.cost_usd == Approx(42 * 100.0));  // the 2 h hold is airborne
    }
    SECTION("hold lands when the gateway reopens within max_hold_h") {
        m.routes[0].on_closure = ClosureRule::hold;
        m.routes[0].max_hold_h = 2.0;
        add_closure(m, "PAP", 5.0, 11.0);
        MemoryObserver obs;
        const RunKpis k = run(m, obs);
        CHECK(airlift_timeline(m, obs) == Timeline{{"batch_ready ORG 250", 0},
                                                   {"sortie_launched ORG 250", 0},
                                                   {"closure_start PAP 7", 5},
                                                   {"closure_end PAP 7", 11},
                                                   {"landed PAP 250", 11},
                                                   {"returned_home ORG 0", 23}});
        CHECK(k.flights_cancelled == 0);
        CHECK(k.cost_usd == Approx(21 * 100.0));
    }
    SECTION("plan_alternate with no alternate does not launch into a known closure") {
        m.routes[0].on_closure = ClosureRule::plan_alternate;
        add_closure(m, "PAP", 0.0, 30.0);
        MemoryObserver obs;
        const RunKpis k = run(m, obs);
        CHECK(airlift_timeline(m, obs) == Timeline{{"batch_ready ORG 250", 0},
                                                   {"closure_start PAP 7", 0},
                                                   {"closure_end PAP 7", 30},
                                                   {"sortie_launched ORG 250", 30},
                                                   {"landed PAP 250", 40},
                                                   {"returned_home ORG 0", 52}});
        CHECK(k.flights_cancelled == 0);
    }
    SECTION("plan_alternate plans the sortie to an open alternate from the start") {
        m.routes[0].on_closure = ClosureRule::plan_alternate;
        add_alternate(m, "CAP", 10.5, 1.0);
        add_link(m, "CAP", 1, 250, 1.0, 0.0);
        add_closure(m, "PAP", 0.0, 30.0);
        MemoryObserver obs;
        const RunKpis k = run(m, obs);
        CHECK(airlift_timeline(m, obs) == Timeline{{"batch_ready ORG 250", 0},
                                                   {"closure_start PAP 7", 0},
                                                   {"sortie_launched ORG 250", 0},
                                                   {"landed CAP 250", 10.5},
                                                   {"diverted CAP 250", 10.5},
                                                   {"returned_home ORG 0", 23},
                                                   {"closure_end PAP 7", 30}});
        CHECK(k.flights_diverted == 1);
        CHECK(k.pax_in == 250);  // the shuttle: out 10.5 -> 11.5, back 12.5
        CHECK(strength_by_day(obs)[0] == 250);
    }
}

TEST_CASE("a closure for commercial operators only lets a charter land",
          "[model][airlift][closure]") {
    ModelConfig m = simple_config(250, 250, 1);
    m.scenario.horizon_days = 4;
    AirportConfig com;
    com.code = "COM";
    com.handling_h = D::constant(3.0);
    m.airports.push_back(com);
    ContingentConfig l = m.contingents[0];
    l.name = "L";
    l.origin = "COM";
    m.contingents.push_back(l);
    AircraftConfig airliner = m.aircraft[0];
    airliner.type = "airliner";
    airliner.home_base = "COM";
    airliner.operator_class = OperatorClass::commercial;
    m.aircraft.push_back(airliner);
    RouteConfig r = m.routes[0];
    r.origin = "COM";
    m.routes.push_back(r);
    add_closure(m, "PAP", 0.0, 50.0, {OperatorClass::commercial});
    MemoryObserver obs;
    const RunKpis k = run(m, obs);
    CHECK(airlift_timeline(m, obs) == Timeline{{"batch_ready ORG 250", 0},
                                               {"batch_ready COM 250", 0},
                                               {"closure_start PAP 4", 0},
                                               {"sortie_launched ORG 250", 0},
                                               {"landed PAP 250", 10},
                                               {"returned_home ORG 0", 22},
                                               {"closure_end PAP 4", 50},
                                               {"sortie_launched COM 250", 50},
                                               {"landed PAP 250", 60},
                                               {"returned_home COM 0", 72}});
    CHECK(k.airport_closed_days == 0);  // never closed to every class
    CHECK(obs.days[0].airport_open[0] == 0.0f);
    CHECK(obs.days[1].airport_open[0] == 0.0f);
    CHECK(obs.days[2].airport_open[0] == Approx(22.0 / 24.0));
    CHECK(k.flights_flown == 2);
}

TEST_CASE("an invalid configuration is refused with every problem named", "[model]") {
    ModelConfig m = simple_config();
    m.aircraft[0].seats = 0;
    m.routes[0].gateway = "ORG";
    MemoryObserver obs;
    const auto errs = validate_model_config(m);
    CHECK(errs.size() == 2);
    CHECK_THROWS_AS(run_replication(m, 1, 0, obs), std::invalid_argument);
}
