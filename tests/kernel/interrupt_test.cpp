#include <catch2/catch.hpp>

#include "sim/kernel/kernel.hpp"
#include "tests/kernel/timeline.hpp"

using namespace mss::kernel;
using mss::kernel::test::Timeline;

namespace {

Process<> sleeper(Simulation& sim, Timeline& log, double h) {
    bool interrupted = false;
    try {
        co_await sim.timeout(h);
        log.push_back({"slept", sim.now()});
    } catch (const Interrupt& i) {
        log.push_back({"interrupted: " + i.cause_text(), sim.now()});
        interrupted = true;
    }
    if (interrupted) {  // co_await is not allowed inside a handler
        co_await sim.timeout(1.0);
        log.push_back({"resumed work", sim.now()});
    }
}

template <class P>
Process<> interrupter(Simulation& sim, P target, double at, std::string cause) {
    co_await sim.timeout(at);
    target.interrupt(cause);
}

Process<> queued(Simulation& sim, Resource& r, Timeline& log, std::string name, double hold) {
    try {
        auto token = co_await r.request();
        log.push_back({name + " in", sim.now()});
        co_await sim.timeout(hold);
        log.push_back({name + " out", sim.now()});
    } catch (const Interrupt&) {
        log.push_back({name + " left the queue", sim.now()});
    }
}

Process<> getter(Simulation& sim, Store<int>& s, Timeline& log, std::string name) {
    try {
        int v = co_await s.get();
        log.push_back({name + " got " + std::to_string(v), sim.now()});
    } catch (const Interrupt&) {
        log.push_back({name + " interrupted", sim.now()});
    }
}

Process<> put_at(Simulation& sim, Store<int>& s, double at, int v) {
    co_await sim.timeout(at);
    co_await s.put(v);
}

Process<> event_waiter(Simulation& sim, Timeline& log, Event<> ev) {
    try {
        co_await ev;
        log.push_back({"event", sim.now()});
    } catch (const Interrupt&) {
        log.push_back({"gave up", sim.now()});
    }
}

Process<> counts_interrupts(Simulation& sim, Timeline& log) {
    for (int i = 0; i < 3; ++i) {
        try {
            co_await sim.timeout(100.0);
        } catch (const Interrupt& e) {
            log.push_back({e.cause_text(), sim.now()});
        }
    }
}

Process<> double_interrupter(Simulation& sim, Process<> target) {
    co_await sim.timeout(2.0);
    target.interrupt(std::string("one"));
    target.interrupt(std::string("two"));
}

Process<> self_interrupter(Simulation& sim, Timeline& log, Process<>* me) {
    co_await sim.timeout(1.0);
    try {
        me->interrupt(std::string("self"));
    } catch (const KernelError&) {
        log.push_back({"refused", sim.now()});
    }
}

}  // namespace

TEST_CASE("an interrupt is thrown at the current wait and the process carries on",
          "[kernel][interrupt]") {
    Simulation sim;
    Timeline log;
    auto p = sleeper(sim, log, 10.0);
    interrupter(sim, p, 3.0, "closure");
    sim.run();
    CHECK(log == Timeline{{"interrupted: closure", 3}, {"resumed work", 4}});
}

TEST_CASE("an interrupted waiter leaves the resource queue", "[kernel][interrupt]") {
    Simulation sim;
    Resource r(sim, 1);
    Timeline log;
    queued(sim, r, log, "a", 5.0);
    auto b = queued(sim, r, log, "b", 1.0);
    queued(sim, r, log, "c", 1.0);
    interrupter(sim, b, 2.0, "recalled");
    sim.run();
    CHECK(log ==
          Timeline{{"a in", 0}, {"b left the queue", 2}, {"a out", 5}, {"c in", 5}, {"c out", 6}});
    CHECK(r.in_use() == 0);
    CHECK(r.queue_length() == 0);
}

TEST_CASE("a waiter granted a unit but interrupted before resuming passes it on",
          "[kernel][interrupt]") {
    Simulation sim;
    Resource r(sim, 1);
    Timeline log;
    queued(sim, r, log, "a", 5.0);
    auto b = queued(sim, r, log, "b", 1.0);
    queued(sim, r, log, "c", 1.0);
    // At t = 5, a releases (b is granted, its resume is scheduled); the interrupter, scheduled
    // earlier for t = 5, runs after a's release but before b resumes.
    interrupter(sim, b, 5.0, "recalled");
    sim.run();
    CHECK(log ==
          Timeline{{"a in", 0}, {"a out", 5}, {"b left the queue", 5}, {"c in", 5}, {"c out", 6}});
    CHECK(r.in_use() == 0);
}

TEST_CASE("an interrupted store getter leaves the queue and loses no item", "[kernel][interrupt]") {
    Simulation sim;
    Store<int> s(sim);
    Timeline log;
    auto a = getter(sim, s, log, "a");
    getter(sim, s, log, "b");
    interrupter(sim, a, 1.0, "x");
    put_at(sim, s, 2.0, 42);
    sim.run();
    CHECK(log == Timeline{{"a interrupted", 1}, {"b got 42", 2}});
}

TEST_CASE("an interrupted event waiter is withdrawn from the event", "[kernel][interrupt]") {
    Simulation sim;
    Timeline log;
    Event<> ev(sim);
    auto w = event_waiter(sim, log, ev);
    interrupter(sim, w, 1.0, "x");
    sim.run();
    CHECK(log == Timeline{{"gave up", 1}});
    ev.succeed();
    sim.run();  // nobody waits any more
    CHECK(log.size() == 1);
}

TEST_CASE("two interrupts are both delivered, in order", "[kernel][interrupt]") {
    Simulation sim;
    Timeline log;
    auto p = counts_interrupts(sim, log);
    double_interrupter(sim, p);
    sim.run();
    CHECK(log == Timeline{{"one", 2}, {"two", 2}});
    CHECK(sim.now() == 102.0);
}

TEST_CASE("interrupting a finished process or oneself is refused", "[kernel][interrupt]") {
    Simulation sim;
    Timeline log;
    auto p = sleeper(sim, log, 1.0);
    sim.run();
    CHECK_THROWS_AS(p.interrupt(), KernelError);

    Process<> me;
    me = self_interrupter(sim, log, &me);
    sim.run();
    CHECK(log == Timeline{{"slept", 1}, {"refused", 2}});
}

TEST_CASE("an interrupt before a process starts arrives at its first wait", "[kernel][interrupt]") {
    Simulation sim;
    Timeline log;
    auto p = sleeper(sim, log, 10.0);
    p.interrupt(std::string("early"));
    sim.run();
    CHECK(log == Timeline{{"interrupted: early", 0}, {"resumed work", 1}});
}
