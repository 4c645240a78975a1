// Personnel records and billets (sim/model/roster.hpp), and the labels of the observation
// interface.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "sim/model/config.hpp"
#include "sim/model/memory_observer.hpp"
#include "sim/model/roster.hpp"

using namespace mss::model;

TEST_CASE("the roster counts every person in exactly one state", "[model][roster]") {
    Roster r({2, 1});
    const std::int32_t a = r.add(0, 0, BilletRole::incumbent);
    const std::int32_t b = r.add(0, 1, BilletRole::incumbent);
    const std::int32_t c = r.add(1, 2, BilletRole::incumbent);
    CHECK(r.check() == "");
    CHECK(r.count(0, PersonState::pledged) == 2);
    r.set_state(a, PersonState::ready);
    r.set_state(a, PersonState::in_transit_in);
    CHECK(r.inbound_total() == 1);
    r.set_state(a, PersonState::on_duty);
    r.set_state(b, PersonState::ready);
    r.set_state(b, PersonState::in_transit_in);
    r.set_state(b, PersonState::on_duty);
    r.set_state(c, PersonState::ready);
    CHECK(r.in_theatre(0) == 2);
    CHECK(r.in_theatre_total() == 2);
    CHECK(r.on_duty().size() == 2);
    r.set_state(a, PersonState::injured);
    CHECK(r.on_duty().size() == 1);
    CHECK(r.in_theatre(0) == 2);
    CHECK(r.check() == "");
    r.set_state(a, PersonState::killed);
    CHECK(r.in_theatre(0) == 1);
    CHECK(r.theatre(0) == std::vector<std::int32_t>{b});
    // A killed incumbent must have been released from its billet.
    CHECK(r.check() != "");
    r.billet(0).incumbent = -1;
    r.person(a).role = BilletRole::none;
    CHECK(r.check() == "");
    std::int64_t sum = 0;
    for (int s = 0; s < kPersonStateCount; ++s)
        sum += r.count(0, static_cast<PersonState>(s));
    CHECK(sum == r.generated(0));
}

TEST_CASE("the billet check catches a second relief or a dangling occupant", "[model][roster]") {
    Roster r({1});
    const std::int32_t a = r.add(0, 0, BilletRole::incumbent);
    r.set_state(a, PersonState::ready);
    r.set_state(a, PersonState::in_transit_in);
    r.set_state(a, PersonState::on_duty);
    const std::int32_t relief = r.add(0, 0, BilletRole::relief);
    CHECK(r.check() == "");
    // A second relief for the same billet would displace the first: the check names it.
    r.add(0, 0, BilletRole::relief);
    const std::string problem = r.check();
    CHECK(problem.find("relief") != std::string::npos);
    CHECK(problem.find("person " + std::to_string(relief)) != std::string::npos);
}

TEST_CASE("labels of operator classes, event kinds and KPI columns", "[model]") {
    CHECK(std::string(to_string(OperatorClass::commercial)) == "commercial");
    std::set<std::string> kinds;
    for (int k = 0; k < kEventKindCount; ++k)
        kinds.insert(to_string(static_cast<EventKind>(k)));
    CHECK(kinds.size() == static_cast<std::size_t>(kEventKindCount));
    CHECK(kinds.count("unknown") == 0);
    const auto& cols = kpi_columns();
    REQUIRE(cols.size() == 24);
    CHECK(std::string(cols.front().name) == "days_to_ioc");
    CHECK(std::string(cols[19].name) == "cost_usd");
    CHECK(std::string(cols.back().name) == "pipeline_billet_days");
    RunKpis k;
    k.cost_usd = 5;
    CHECK(k.*(cols[19].member) == 5);
}

TEST_CASE("the memory observer keeps or only counts events", "[model]") {
    MemoryObserver keep, count(false);
    EventRecord e;
    e.kind = EventKind::landed;
    keep.on_event(e);
    count.on_event(e);
    CHECK(keep.events.size() == 1);
    CHECK(count.events.empty());
    CHECK(count.event_count == 1);
    CHECK(keep.events_of(EventKind::landed).size() == 1);
    keep.clear();
    CHECK(keep.events.empty());
    CHECK(!keep.finished);
}
