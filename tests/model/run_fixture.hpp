// A Mission run day by day with its invariants checked after every day, and the timeline of
// its personnel and airlift events, for the model tests that compare with hand-computed
// timelines.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/model/mission.hpp"
#include "tests/model/fixtures.hpp"

namespace mss::model::test {

/// One contingent "K" of `n` billets ready at ORG on day 0 (plus readiness), one 100-seat
/// aircraft that flies for a single passenger (min_load 1, max_wait 0), 10 h each way, 2 h
/// handling at PAP, none at home and no turnaround: a 22 h cycle.
inline ModelConfig small(int n) {
    ModelConfig m = simple_config(n, 100, 1);
    m.scenario.horizon_days = 20;
    m.airports[1].handling_h = D::constant(0.0);
    m.airlift.min_load = 1;
    m.airlift.max_wait_days = 0.0;
    m.airlift.turnaround_h = 0.0;
    return m;
}

struct Run {
    MemoryObserver obs;
    std::unique_ptr<Mission> mission;
    RunKpis kpis;
    std::int64_t count(int c, PersonState s) const { return mission->roster().count(c, s); }
};

inline void run(const ModelConfig& m, Run& r, std::uint64_t seed = 7) {
    r.mission = std::make_unique<Mission>(m, seed, 0, r.obs);
    while (!r.mission->done()) {
        r.mission->run_day();
        REQUIRE(r.mission->check_invariants() == "");
    }
    r.kpis = r.mission->finish();
}

/// The personnel and airlift events of a run: "kind [CONTINGENT] [AIRPORT] count", with
/// consecutive events of one label at one time summed (a hundred relief requests are one line).
inline Timeline timeline(const ModelConfig& m, const MemoryObserver& obs) {
    struct Line {
        std::string label;
        std::int64_t count;
        double t;
    };
    std::vector<Line> lines;
    for (const EventRecord& e : obs.events) {
        switch (e.kind) {
            case EventKind::closure_start:
            case EventKind::closure_end:
            case EventKind::link_cut:
            case EventKind::link_restored:
            case EventKind::regime_change:
            case EventKind::attack:
                continue;
            default:
                break;
        }
        std::string label = to_string(e.kind);
        if (e.contingent >= 0)
            label += " " + m.contingents[static_cast<std::size_t>(e.contingent)].name;
        if (e.airport >= 0) label += " " + m.airports[static_cast<std::size_t>(e.airport)].code;
        if (!lines.empty() && lines.back().label == label && lines.back().t == e.t_h)
            lines.back().count += e.count;
        else
            lines.push_back({label, e.count, e.t_h});
    }
    Timeline t;
    for (const Line& l : lines)
        t.push_back({l.label + " " + std::to_string(l.count), l.t});
    return t;
}

}  // namespace mss::model::test
