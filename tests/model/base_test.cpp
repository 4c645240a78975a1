// The base in theatre (sim/model/base.hpp) through a Mission: beds limit what a sortie boards,
// and a freed bed launches the sortie that was held for lack of one.
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

std::vector<double> waiting_by_day(const MemoryObserver& obs) {
    std::vector<double> v;
    for (const DaySnapshot& d : obs.days)
        v.push_back(d.waiting_at_origin[0]);
    return v;
}

}  // namespace

TEST_CASE("beds limit a sortie's load and a freed bed launches the next", "[model][base]") {
    // 20 ready, 10 beds, two 250-seat aircraft, min_load 10. The first sortie takes 10 (the
    // beds); the second aircraft has no room (10 inbound) and waits. The 10 in theatre leave at
    // their tour end (10 h + 2 days = 58 h; drawn down, no relief): the first aircraft flies out
    // for them with nobody (no free bed yet), lands at 68 h and boards them at 70 h; the beds
    // they free launch the second aircraft with the other 10 at once.
    ModelConfig m = simple_config(20, 250, 2);
    m.scenario.horizon_days = 5;
    m.base.beds = 10;
    m.airlift.min_load = 10;
    m.contingents[0].tour_days = D::constant(2.0);
    m.contingents[0].drawdown_day = 0.1;
    MemoryObserver obs;
    const RunKpis k = run(m, obs);
    CHECK(airlift_timeline(m, obs) == Timeline{{"batch_ready ORG 20", 0},
                                               {"sortie_launched ORG 10", 0},
                                               {"landed PAP 10", 10},
                                               {"returned_home ORG 0", 22},
                                               {"sortie_launched ORG 0", 58},
                                               {"landed PAP 0", 68},
                                               {"sortie_launched ORG 10", 70},
                                               {"returned_home ORG 10", 80},
                                               {"landed PAP 10", 80},
                                               {"returned_home ORG 0", 92}});
    CHECK(strength_by_day(obs) == std::vector<double>{10, 10, 0, 10, 10});
    CHECK(waiting_by_day(obs) == std::vector<double>{10, 10, 0, 0, 0});
    CHECK(k.pax_in == 20);
    CHECK(k.pax_out == 10);
}

TEST_CASE("without a bed limit the same sorties board everyone ready", "[model][base]") {
    ModelConfig m = simple_config(20, 250, 2);
    m.scenario.horizon_days = 2;
    m.airlift.min_load = 10;
    MemoryObserver obs;
    run(m, obs);
    CHECK(airlift_timeline(m, obs) == Timeline{{"batch_ready ORG 20", 0},
                                               {"sortie_launched ORG 20", 0},
                                               {"landed PAP 20", 10},
                                               {"returned_home ORG 0", 22}});
    CHECK(strength_by_day(obs) == std::vector<double>{20, 20});
}
