// Airports (sim/model/airports.hpp) on a kernel Simulation of their own, without a Mission:
// closures nest by operator class, each change is recorded and wakes the aircraft sleeping on
// the airport, and the open and closed time add up to what the snapshots and the
// airport_closed_days KPI report.
#include <catch2/catch.hpp>

#include <limits>
#include <string>

#include "sim/kernel/process.hpp"
#include "sim/model/airports.hpp"
#include "sim/model/event_log.hpp"
#include "sim/model/memory_observer.hpp"
#include "sim/model/sleeper.hpp"
#include "tests/model/fixtures.hpp"

using namespace mss::model;
using namespace mss::model::test;
using mss::kernel::Process;
using mss::kernel::Simulation;

namespace {

constexpr ClassMask kCharter = class_bit(OperatorClass::charter);
constexpr ClassMask kMilitary = class_bit(OperatorClass::military);
constexpr ClassMask kCommercial = class_bit(OperatorClass::commercial);

/// PAP (the gateway, MOG 2, handling 2 h) and CAP (MOG 1, handling 2 h), no scheduled closure.
ModelConfig two_airports() {
    ModelConfig m = simple_config(10, 10, 1);
    m.airports = {m.airports[0]};
    add_alternate(m, "CAP", 10.5, 1.0);
    return m;
}

/// The airports of `cfg` on `sim`, recording into `obs`.
struct World {
    explicit World(const ModelConfig& cfg)
        : streams(1, 0), log(sim, obs), airports(cfg, sim, streams, log) {}
    Simulation sim;
    mss::kernel::StreamFactory streams;
    MemoryObserver obs;
    EventLog log;
    Airports airports;
};

/// Sleeps on airport `a` until its next closure change, then notes the time.
Process<> wait_on(Simulation& sim, Airports& airports, AirportId a, Sleeper& s, Timeline& log,
                  std::string name) {
    airports.wait_for_change(a, s);
    co_await nap(sim, s, std::numeric_limits<double>::infinity());
    s.asleep = false;
    log.push_back({name + " woken", sim.now()});
}

/// The share of the day ending at `end_h` open to every class (the day's closed shares are
/// taken and dropped).
float open_share(Airports& ap, AirportId a, double end_h) {
    float closed[kClosureClassCount];
    return ap.take_day(a, end_h, closed);
}
}  // namespace

TEST_CASE("airports are built from the configuration", "[model][airports]") {
    const ModelConfig m = two_airports();
    World w(m);
    REQUIRE(w.airports.size() == 2);
    const AirportId pap = w.airports.id("PAP"), cap = w.airports.id("CAP");
    CHECK(pap == AirportId(0));
    CHECK(cap == AirportId(1));
    CHECK(!w.airports.id("XXX").valid());
    CHECK(w.airports.gateway() == pap);
    CHECK(w.airports.mog(pap).capacity() == 2);
    CHECK(w.airports.mog(cap).capacity() == 1);
    CHECK(w.airports.handling_h(pap) == 2.0);
    CHECK(!w.airports.has_link(cap));
    w.airports.add_link(cap);
    CHECK(w.airports.has_link(cap));
    CHECK(w.airports.based_classes(pap) == 0);
    w.airports.base_class(pap, OperatorClass::military);
    w.airports.base_class(pap, OperatorClass::charter);
    CHECK(w.airports.based_classes(pap) == (kMilitary | kCharter));
}

TEST_CASE("closures nest by operator class: closed while any applies", "[model][airports]") {
    const ModelConfig m = two_airports();
    World w(m);
    Airports& ap = w.airports;
    const AirportId pap = ap.gateway(), cap = ap.id("CAP");
    auto state = [&] {
        std::string s;
        for (OperatorClass c :
             {OperatorClass::charter, OperatorClass::military, OperatorClass::commercial})
            s += ap.closed(pap, c) ? 'X' : '-';
        return s;
    };
    CHECK(state() == "---");
    CHECK(!ap.closed_to_any(pap));
    ap.change_closure(pap, kAllClasses, +1);
    CHECK(state() == "XXX");
    ap.change_closure(pap, kCommercial, +1);  // a foreign aviation ban inside it
    ap.change_closure(pap, kAllClasses, +1);  // a second, overlapping closure of all
    CHECK(state() == "XXX");
    ap.change_closure(pap, kAllClasses, -1);
    CHECK(state() == "XXX");  // the first is still in force
    CHECK(!ap.open_to_some(pap, kAllClasses));
    ap.change_closure(pap, kAllClasses, -1);
    CHECK(state() == "--X");  // the ban outlives both
    CHECK(ap.closed_to_any(pap));
    CHECK(ap.open_to_some(pap, kAllClasses));
    CHECK(ap.open_to_some(pap, kCharter | kCommercial));
    CHECK(!ap.open_to_some(pap, kCommercial));
    CHECK(!ap.open_to_some(pap, 0));
    CHECK(!ap.closed_to_any(cap));  // closures are per airport
    ap.change_closure(pap, kCommercial, -1);
    CHECK(state() == "---");
    CHECK(!ap.closed_to_any(pap));
    CHECK(ap.open_to_some(pap, kCommercial));
}

TEST_CASE("a closure change is recorded, wakes the airport's sleepers, then calls on_change",
          "[model][airports]") {
    const ModelConfig m = two_airports();
    World w(m);
    Airports& ap = w.airports;
    const AirportId pap = ap.gateway(), cap = ap.id("CAP");
    Timeline log;
    Sleeper a(w.sim), b(w.sim), c(w.sim);
    auto pa = wait_on(w.sim, ap, pap, a, log, "a");
    auto pb = wait_on(w.sim, ap, pap, b, log, "b");
    auto pc = wait_on(w.sim, ap, cap, c, log, "c");  // sleeps on the other airport
    ap.on_change([&] {
        // Called once the waiters are woken (their resumption is scheduled, not yet run).
        log.push_back({"on_change a:" + std::to_string(a.ev.triggered()) +
                           " c:" + std::to_string(c.ev.triggered()),
                       w.sim.now()});
    });
    w.sim.run_until(5.0);
    ap.change_closure(pap, kAllClasses, +1);
    w.sim.run_until(8.0);
    ap.change_closure(pap, kCommercial, +1);  // nobody waits any more
    w.sim.run_until(9.0);
    ap.change_closure(pap, kCommercial, -1);
    ap.change_closure(pap, kAllClasses, -1);
    w.sim.run_until(20.0);
    CHECK(log == Timeline{{"on_change a:1 c:0", 5},
                          {"a woken", 5},
                          {"b woken", 5},
                          {"on_change a:1 c:0", 8},
                          {"on_change a:1 c:0", 9},
                          {"on_change a:1 c:0", 9}});
    CHECK(airlift_timeline(m, w.obs) == Timeline{{"closure_start PAP 7", 5},
                                                 {"closure_start PAP 4", 8},
                                                 {"closure_end PAP 4", 9},
                                                 {"closure_end PAP 7", 9}});
    CHECK(c.asleep);
    ap.change_closure(cap, kMilitary, +1);
    w.sim.run_until(21.0);
    CHECK(log.back() == Mark{"c woken", 20});
    CHECK(w.obs.events.back().airport == 1);
    CHECK(w.obs.events.back().count == kMilitary);
}

TEST_CASE("the share of a day open to every class: a closure from 6 h to 18 h gives 0.5",
          "[model][airports]") {
    const ModelConfig m = two_airports();
    World w(m);
    Airports& ap = w.airports;
    const AirportId pap = ap.gateway(), cap = ap.id("CAP");
    SECTION("a closure of every class") {
        w.sim.run_until(6.0);
        ap.change_closure(pap, kAllClasses, +1);
        w.sim.run_until(18.0);
        ap.change_closure(pap, kAllClasses, -1);
    }
    SECTION("a ban of one class is a closure too (open to every class is what counts)") {
        w.sim.run_until(6.0);
        ap.change_closure(pap, kCommercial, +1);
        w.sim.run_until(18.0);
        ap.change_closure(pap, kCommercial, -1);
    }
    SECTION("overlapping closures count once") {
        w.sim.run_until(6.0);
        ap.change_closure(pap, kAllClasses, +1);
        w.sim.run_until(10.0);
        ap.change_closure(pap, kMilitary, +1);
        w.sim.run_until(12.0);
        ap.change_closure(pap, kAllClasses, -1);
        w.sim.run_until(18.0);
        ap.change_closure(pap, kMilitary, -1);
    }
    w.sim.run_until(24.0);
    CHECK(open_share(ap, pap, 24.0) == 0.5f);
    CHECK(open_share(ap, cap, 24.0) == 1.0f);
    // The next day starts a new count.
    w.sim.run_until(48.0);
    CHECK(open_share(ap, pap, 48.0) == 1.0f);
    // A closure in force across midnight is split between the days.
    w.sim.run_until(60.0);
    ap.change_closure(pap, kAllClasses, +1);
    w.sim.run_until(72.0);
    CHECK(open_share(ap, pap, 72.0) == 0.5f);
    w.sim.run_until(84.0);
    ap.change_closure(pap, kAllClasses, -1);
    w.sim.run_until(96.0);
    CHECK(open_share(ap, pap, 96.0) == 0.5f);
}

TEST_CASE("the share of a day closed to each class: all-class closures apart from bans",
          "[model][airports]") {
    const ModelConfig m = two_airports();
    World w(m);
    Airports& ap = w.airports;
    const AirportId pap = ap.gateway();
    // A commercial ban from 0 h to 12 h, an all-class closure from 6 h to 9 h, a military
    // closure from 20 h across midnight to 30 h.
    ap.change_closure(pap, kCommercial, +1);
    w.sim.run_until(6.0);
    ap.change_closure(pap, kAllClasses, +1);
    w.sim.run_until(9.0);
    ap.change_closure(pap, kAllClasses, -1);
    w.sim.run_until(12.0);
    ap.change_closure(pap, kCommercial, -1);
    w.sim.run_until(20.0);
    ap.change_closure(pap, kMilitary, +1);
    w.sim.run_until(24.0);
    float closed[kClosureClassCount];
    REQUIRE(closure_class_names() ==
            std::vector<std::string>{"all", "charter", "military", "commercial"});
    // Open to every class: 12 h to 20 h.
    CHECK(ap.take_day(pap, 24.0, closed) == Approx(8.0 / 24.0));
    CHECK(closed[0] == Approx(3.0 / 24.0));   // all classes at once: 6 h to 9 h
    CHECK(closed[1] == Approx(3.0 / 24.0));   // charter: 6 h to 9 h
    CHECK(closed[2] == Approx(7.0 / 24.0));   // military: 6 h to 9 h and 20 h to 24 h
    CHECK(closed[3] == Approx(12.0 / 24.0));  // commercial: 0 h to 12 h
    w.sim.run_until(30.0);
    ap.change_closure(pap, kMilitary, -1);
    w.sim.run_until(48.0);
    CHECK(ap.take_day(pap, 48.0, closed) == Approx(18.0 / 24.0));
    CHECK(closed[0] == 0.0f);
    CHECK(closed[1] == 0.0f);
    CHECK(closed[2] == Approx(6.0 / 24.0));
    CHECK(closed[3] == 0.0f);
}

TEST_CASE("closed days count only time closed to every class", "[model][airports]") {
    const ModelConfig m = two_airports();
    World w(m);
    Airports& ap = w.airports;
    const AirportId pap = ap.gateway();
    // A commercial ban over [0, 30) h: not closed to every class.
    ap.change_closure(pap, kCommercial, +1);
    w.sim.run_until(6.0);
    ap.change_closure(pap, kAllClasses, +1);  // [6, 18) h closed to all
    w.sim.run_until(18.0);
    ap.change_closure(pap, kAllClasses, -1);
    w.sim.run_until(30.0);
    ap.change_closure(pap, kCommercial, -1);
    CHECK(ap.closed_all_days(pap, 36.0) == 0.5);
    // Charter and military bans that overlap the commercial one close it to every class
    // over [40, 44) h.
    w.sim.run_until(38.0);
    ap.change_closure(pap, kCharter | kMilitary, +1);
    w.sim.run_until(40.0);
    ap.change_closure(pap, kCommercial, +1);
    w.sim.run_until(44.0);
    ap.change_closure(pap, kCommercial, -1);
    w.sim.run_until(46.0);
    ap.change_closure(pap, kCharter | kMilitary, -1);
    CHECK(ap.closed_all_days(pap, 48.0) == Approx(16.0 / 24.0));
    // A closure still in force counts up to the time asked.
    w.sim.run_until(60.0);
    ap.change_closure(pap, kAllClasses, +1);
    CHECK(ap.closed_all_days(pap, 72.0) == Approx(28.0 / 24.0));
    CHECK(ap.closed_all_days(ap.id("CAP"), 72.0) == 0.0);
}
