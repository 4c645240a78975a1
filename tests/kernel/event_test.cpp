#include "sim/kernel/event.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>

#include "tests/kernel/timeline.hpp"

using namespace mss::kernel;
using mss::kernel::test::Timeline;

namespace {

Process<> wait_value(Simulation& sim, Timeline& log, std::string name, Event<int> ev) {
    try {
        int v = co_await ev;
        log.push_back({name + " got " + std::to_string(v), sim.now()});
    } catch (const std::runtime_error& e) {
        log.push_back({name + " failed: " + e.what(), sim.now()});
    }
}

Process<> trigger_at(Simulation& sim, Event<int> ev, double t, int v, bool ok) {
    co_await sim.timeout(t);
    if (ok)
        ev.succeed(v);
    else
        ev.fail(std::runtime_error("road cut"));
}

Process<int> slow(Simulation& sim, Timeline& log, std::string name, double t, int v) {
    co_await sim.timeout(t);
    log.push_back({name + " done", sim.now()});
    co_return v;
}

Process<> first_of(Simulation& sim, Timeline& log, Process<int> a, Process<int> b) {
    std::size_t i = co_await any_of(a, b, timeout_event(sim, 100.0));
    log.push_back({"first is " + std::to_string(i), sim.now()});
}

Process<> every(Simulation& sim, Timeline& log, Process<int> a, Process<int> b) {
    std::size_t n = co_await all_of(a, b);
    log.push_back({"all " + std::to_string(n), sim.now()});
}

Process<> all_with_failure(Simulation& sim, Timeline& log, Event<int> a, Event<int> b) {
    try {
        co_await all_of(a, b);
        log.push_back({"all ok", sim.now()});
    } catch (const std::runtime_error& e) {
        log.push_back({std::string("all failed: ") + e.what(), sim.now()});
    }
}

Process<> late_waiter(Simulation& sim, Timeline& log, Event<int> ev, double at) {
    co_await sim.timeout(at);
    int v = co_await ev;  // already processed: returns at once
    log.push_back({"late got " + std::to_string(v), sim.now()});
}

}  // namespace

TEST_CASE("an event wakes every waiter in the order they waited", "[kernel][event]") {
    Simulation sim;
    Timeline log;
    Event<int> ev(sim);
    wait_value(sim, log, "a", ev);
    wait_value(sim, log, "b", ev);
    wait_value(sim, log, "c", ev);
    trigger_at(sim, ev, 2.0, 7, true);
    late_waiter(sim, log, ev, 5.0);
    sim.run();
    CHECK(log == Timeline{{"a got 7", 2}, {"b got 7", 2}, {"c got 7", 2}, {"late got 7", 5}});
    CHECK(ev.processed());
    CHECK(ev.value() == 7);
}

TEST_CASE("a failed event propagates to every waiter", "[kernel][event]") {
    Simulation sim;
    Timeline log;
    Event<int> ev(sim);
    wait_value(sim, log, "a", ev);
    wait_value(sim, log, "b", ev);
    trigger_at(sim, ev, 3.0, 0, false);
    sim.run();
    CHECK(log == Timeline{{"a failed: road cut", 3}, {"b failed: road cut", 3}});
}

TEST_CASE("a failed event that nobody awaits stops the run", "[kernel][event]") {
    Simulation sim;
    Event<int> ev(sim);
    trigger_at(sim, ev, 3.0, 0, false);
    CHECK_THROWS_WITH(sim.run(), "road cut");
}

TEST_CASE("an event can be triggered only once", "[kernel][event]") {
    Simulation sim;
    Event<int> ev(sim);
    ev.succeed(1);
    CHECK_THROWS_AS(ev.succeed(2), KernelError);
    CHECK_THROWS_AS(ev.fail(std::runtime_error("x")), KernelError);
    sim.run();
}

TEST_CASE("any_of returns the first and leaves the rest running", "[kernel][event]") {
    Simulation sim;
    Timeline log;
    auto a = slow(sim, log, "a", 5.0, 1);
    auto b = slow(sim, log, "b", 2.0, 2);
    first_of(sim, log, a, b);
    sim.run();
    CHECK(log == Timeline{{"b done", 2}, {"first is 1", 2}, {"a done", 5}});
    CHECK(a.value() == 1);
}

TEST_CASE("any_of with a timeout event gives up at the timeout", "[kernel][event]") {
    Simulation sim;
    Timeline log;
    auto a = slow(sim, log, "a", 500.0, 1);
    auto b = slow(sim, log, "b", 200.0, 2);
    first_of(sim, log, a, b);
    sim.run();
    CHECK(log == Timeline{{"first is 2", 100}, {"b done", 200}, {"a done", 500}});
}

TEST_CASE("all_of waits for every process", "[kernel][event]") {
    Simulation sim;
    Timeline log;
    auto a = slow(sim, log, "a", 5.0, 1);
    auto b = slow(sim, log, "b", 2.0, 2);
    every(sim, log, a, b);
    sim.run();
    CHECK(log == Timeline{{"b done", 2}, {"a done", 5}, {"all 2", 5}});
}

TEST_CASE("all_of fails as soon as one fails", "[kernel][event]") {
    Simulation sim;
    Timeline log;
    Event<int> a(sim), b(sim);
    all_with_failure(sim, log, a, b);
    trigger_at(sim, a, 1.0, 0, false);
    trigger_at(sim, b, 4.0, 5, true);
    sim.run();
    CHECK(log == Timeline{{"all failed: road cut", 1}});
}

TEST_CASE("an event may outlive its simulation", "[kernel][event]") {
    std::optional<Event<int>> kept;
    {
        Simulation sim;
        Event<int> ev(sim);
        Timeline log;
        wait_value(sim, log, "a", ev);
        sim.run();
        kept.emplace(ev);
    }
    CHECK_FALSE(kept->triggered());
}
