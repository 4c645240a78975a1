#include "sim/kernel/resource.hpp"

#include <catch2/catch.hpp>

#include "sim/kernel/process.hpp"
#include "tests/kernel/timeline.hpp"

using namespace mss::kernel;
using mss::kernel::test::Timeline;

namespace {

Process<> use(Simulation& sim, Resource& r, Timeline& log, std::string name, double arrive,
              double hold, int prio) {
    co_await sim.timeout(arrive);
    auto token = co_await r.request(prio);
    log.push_back({name + " in", sim.now()});
    co_await sim.timeout(hold);
    log.push_back({name + " out", sim.now()});
}

Process<> early_release(Simulation& sim, Resource& r, Timeline& log) {
    auto token = co_await r.request();
    co_await sim.timeout(1.0);
    token.release();
    log.push_back({"released", sim.now()});
    co_await sim.timeout(10.0);
    log.push_back({"done", sim.now()});
}

}  // namespace

TEST_CASE("a resource serves requests first come, first served", "[kernel][resource]") {
    Simulation sim;
    Resource mog(sim, 2);
    Timeline log;
    use(sim, mog, log, "a", 0, 4, 0);
    use(sim, mog, log, "b", 1, 4, 0);
    use(sim, mog, log, "c", 2, 1, 0);
    use(sim, mog, log, "d", 3, 1, 0);
    sim.run();
    CHECK(log == Timeline{{"a in", 0},
                          {"b in", 1},
                          {"a out", 4},
                          {"c in", 4},
                          {"b out", 5},  // b's wake-up was scheduled before c's
                          {"c out", 5},  // c's before d's grant
                          {"d in", 5},
                          {"d out", 6}});
    CHECK(mog.in_use() == 0);
}

TEST_CASE("a priority request overtakes the queue", "[kernel][resource]") {
    Simulation sim;
    Resource r(sim, 1);
    Timeline log;
    use(sim, r, log, "holder", 0, 5, 0);
    use(sim, r, log, "routine1", 1, 1, 1);
    use(sim, r, log, "routine2", 2, 1, 1);
    use(sim, r, log, "medevac", 3, 1, 0);
    sim.run();
    CHECK(log == Timeline{{"holder in", 0},
                          {"holder out", 5},
                          {"medevac in", 5},
                          {"medevac out", 6},
                          {"routine1 in", 6},
                          {"routine1 out", 7},
                          {"routine2 in", 7},
                          {"routine2 out", 8}});
}

TEST_CASE("a token released early frees the unit at once", "[kernel][resource]") {
    Simulation sim;
    Resource r(sim, 1);
    Timeline log;
    early_release(sim, r, log);
    use(sim, r, log, "next", 0.5, 2, 0);
    sim.run();
    CHECK(log == Timeline{{"released", 1}, {"next in", 1}, {"next out", 3}, {"done", 11}});
}

TEST_CASE("a resource needs at least one unit", "[kernel][resource]") {
    Simulation sim;
    CHECK_THROWS_AS(Resource(sim, 0), KernelError);
}
