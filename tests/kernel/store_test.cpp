#include "sim/kernel/store.hpp"

#include <catch2/catch.hpp>

#include "sim/kernel/process.hpp"
#include "tests/kernel/timeline.hpp"

using namespace mss::kernel;
using mss::kernel::test::Timeline;

namespace {

struct Pax {
    int id;
    bool medevac;
};

Process<> producer(Simulation& sim, Store<Pax>& s, Timeline& log, std::vector<Pax> items,
                   double gap) {
    for (const Pax& p : items) {
        co_await sim.timeout(gap);
        co_await s.put(p);
        log.push_back({"put " + std::to_string(p.id), sim.now()});
    }
}

Process<> consumer(Simulation& sim, Store<Pax>& s, Timeline& log, std::string name, int n,
                   bool medevac_only) {
    for (int i = 0; i < n; ++i) {
        Pax p = medevac_only ? co_await s.get([](const Pax& x) { return x.medevac; })
                             : co_await s.get();
        log.push_back({name + " got " + std::to_string(p.id), sim.now()});
    }
}

}  // namespace

TEST_CASE("a store hands items to getters in FIFO order", "[kernel][store]") {
    Simulation sim;
    Store<Pax> s(sim);
    Timeline log;
    consumer(sim, s, log, "c", 3, false);
    producer(sim, s, log, {{1, false}, {2, false}, {3, false}}, 1.0);
    sim.run();
    CHECK(log == Timeline{{"put 1", 1},
                          {"c got 1", 1},
                          {"put 2", 2},
                          {"c got 2", 2},
                          {"put 3", 3},
                          {"c got 3", 3}});
}

TEST_CASE("a filtered getter takes the first matching item and does not block others",
          "[kernel][store]") {
    Simulation sim;
    Store<Pax> s(sim);
    Timeline log;
    consumer(sim, s, log, "medic", 1, true);
    consumer(sim, s, log, "any", 2, false);
    producer(sim, s, log, {{1, false}, {2, true}, {3, false}}, 1.0);
    sim.run();
    CHECK(log == Timeline{{"put 1", 1},
                          {"any got 1", 1},
                          {"put 2", 2},
                          {"medic got 2", 2},
                          {"put 3", 3},
                          {"any got 3", 3}});
}

TEST_CASE("a full store makes putters wait", "[kernel][store]") {
    Simulation sim;
    Store<Pax> s(sim, 1);
    Timeline log;
    producer(sim, s, log, {{1, false}, {2, false}}, 0.0);
    sim.run_until(5.0);
    CHECK(log == Timeline{{"put 1", 0}});
    CHECK(s.putters_waiting() == 1);
    consumer(sim, s, log, "c", 2, false);
    sim.run();
    // Taking item 1 admits item 2 at once; the putter resumes after the getter's next get.
    CHECK(log == Timeline{{"put 1", 0}, {"c got 1", 5}, {"c got 2", 5}, {"put 2", 5}});
    CHECK(s.size() == 0);
}

TEST_CASE("try_put works outside processes and respects capacity", "[kernel][store]") {
    Simulation sim;
    Store<int> s(sim, 2);
    CHECK(s.try_put(1));
    CHECK(s.try_put(2));
    CHECK_FALSE(s.try_put(3));
    CHECK(s.items() == std::deque<int>{1, 2});
}
