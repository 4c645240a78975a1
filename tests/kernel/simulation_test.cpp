#include "sim/kernel/simulation.hpp"

#include <catch2/catch.hpp>

#include "sim/kernel/process.hpp"
#include "tests/kernel/timeline.hpp"

using namespace mss::kernel;
using mss::kernel::test::Timeline;

namespace {

Process<> say_at(Simulation& sim, Timeline& log, std::string what, double t, Priority prio) {
    co_await sim.timeout(t, prio);
    log.push_back({what, sim.now()});
}

}  // namespace

TEST_CASE("same-time events run in scheduling order", "[kernel][simulation]") {
    Simulation sim;
    Timeline log;
    for (const char* name : {"first", "second", "third", "fourth"})
        say_at(sim, log, name, 5.0, Priority::normal);
    sim.run();
    CHECK(log == Timeline{{"first", 5}, {"second", 5}, {"third", 5}, {"fourth", 5}});
}

TEST_CASE("an urgent entry at the same time runs before normal ones", "[kernel][simulation]") {
    Simulation sim;
    Timeline log;
    say_at(sim, log, "normal", 1.0, Priority::normal);
    say_at(sim, log, "urgent", 1.0, Priority::urgent);
    say_at(sim, log, "earlier", 0.5, Priority::normal);
    sim.run();
    CHECK(log == Timeline{{"earlier", 0.5}, {"urgent", 1}, {"normal", 1}});
}

TEST_CASE("step handles one entry at a time and peek shows the next time", "[kernel][simulation]") {
    Simulation sim;
    Timeline log;
    CHECK(sim.peek() == std::numeric_limits<double>::infinity());
    say_at(sim, log, "x", 3.0, Priority::normal);
    CHECK(sim.peek() == 0.0);  // the process start
    CHECK(sim.step());         // starts it: it waits until 3
    CHECK(sim.peek() == 3.0);
    CHECK(sim.step());
    CHECK(log == Timeline{{"x", 3}});
    CHECK_FALSE(sim.step());
    CHECK(sim.entries_handled() == 2);
}

TEST_CASE("two simulations are independent", "[kernel][simulation]") {
    Simulation a, b;
    Timeline la, lb;
    say_at(a, la, "a", 1.0, Priority::normal);
    say_at(b, lb, "b", 2.0, Priority::normal);
    a.run();
    CHECK(a.now() == 1.0);
    CHECK(b.now() == 0.0);
    b.run();
    CHECK(la == Timeline{{"a", 1}});
    CHECK(lb == Timeline{{"b", 2}});
}
