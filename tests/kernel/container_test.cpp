#include "sim/kernel/container.hpp"

#include <catch2/catch.hpp>

#include "sim/kernel/process.hpp"
#include "tests/kernel/timeline.hpp"

using namespace mss::kernel;
using mss::kernel::test::Timeline;

namespace {

Process<> take(Simulation& sim, Container& c, Timeline& log, std::string name, double at,
               double amount) {
    co_await sim.timeout(at);
    co_await c.get(amount);
    log.push_back({name + " took", sim.now()});
}

Process<> give(Simulation& sim, Container& c, Timeline& log, std::string name, double at,
               double amount) {
    co_await sim.timeout(at);
    co_await c.put(amount);
    log.push_back({name + " gave", sim.now()});
}

}  // namespace

TEST_CASE("a container's getters wait for the level, in order", "[kernel][container]") {
    Simulation sim;
    Container beds(sim, 10.0, 3.0);
    Timeline log;
    take(sim, beds, log, "big", 0, 5);
    take(sim, beds, log, "small", 1, 1);  // waits behind big: no overtaking
    give(sim, beds, log, "g1", 2, 2);
    give(sim, beds, log, "g2", 3, 2);
    sim.run();
    // A putter that fits goes on at once; the getter it satisfies resumes after it.
    CHECK(log == Timeline{{"g1 gave", 2}, {"big took", 2}, {"g2 gave", 3}, {"small took", 3}});
    CHECK(beds.level() == 1.0);
}

TEST_CASE("a container's putters wait for room", "[kernel][container]") {
    Simulation sim;
    Container c(sim, 4.0, 4.0);
    Timeline log;
    give(sim, c, log, "p", 0, 3);
    take(sim, c, log, "t", 2, 3);
    sim.run();
    CHECK(log == Timeline{{"t took", 2}, {"p gave", 2}});
    CHECK(c.level() == 4.0);
}

TEST_CASE("a container rejects impossible amounts", "[kernel][container]") {
    Simulation sim;
    CHECK_THROWS_AS(Container(sim, 0.0), KernelError);
    CHECK_THROWS_AS(Container(sim, 5.0, 6.0), KernelError);
    Container c(sim, 5.0);
    CHECK_THROWS_AS(c.get(-1.0), KernelError);
    CHECK_THROWS_AS(c.put(6.0), KernelError);
}
