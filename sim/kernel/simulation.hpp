// The simulation: clock, event calendar and the loop that runs them. Everything else in the
// kernel (processes, events, resources, stores, containers) schedules through it. There is no
// global state: each Simulation is independent, so threads run replications side by side.
//
// Time is a double in hours since the scenario start. The ordering rule of the calendar is in
// calendar.hpp; the lifetime rules of processes and events are in trigger.hpp.
#pragma once

#include <any>
#include <cmath>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <limits>
#include <stdexcept>
#include <string>

#include "sim/kernel/calendar.hpp"
#include "sim/kernel/trigger.hpp"

namespace mss::kernel {

/// Hours in `d` days.
constexpr double days(double d) noexcept {
    return 24.0 * d;
}

/// Days in `h` hours.
constexpr double in_days(double h) noexcept {
    return h / 24.0;
}

/// The calendar implementation in use (the arity was measured; see docs/kernel.md).
using Calendar = HeapCalendar<2>;

/// Thrown by a kernel call that is not allowed in the current state (for example a negative
/// delay, or interrupting a finished process).
class KernelError : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

/// Clock, calendar and event loop.
///
///     Simulation sim;
///     auto p = my_process(sim, 3.0);   // processes start themselves (at the current time)
///     sim.run_until(days(730));        // handles every entry with time < 730 days
///
/// `run`, `run_until` and `step` rethrow the failure of a process or event that nobody
/// awaited. They must not be called from inside a process.
class Simulation {
public:
    Simulation() = default;
    Simulation(const Simulation&) = delete;
    Simulation& operator=(const Simulation&) = delete;
    ~Simulation();

    /// The current time in hours.
    double now() const noexcept { return now_; }
    /// Runs until nothing is scheduled.
    void run();
    /// Handles every entry with time < `t`, then sets the clock to `t` (if later).
    void run_until(double t);
    /// Handles the next entry; false when nothing is scheduled.
    bool step();
    /// Time of the next entry, or +infinity.
    double peek() const noexcept {
        return calendar_.empty() ? std::numeric_limits<double>::infinity() : calendar_.top().time;
    }
    /// Number of pending calendar entries.
    std::size_t pending() const noexcept { return calendar_.size(); }
    /// Number of calendar entries handled so far.
    std::uint64_t entries_handled() const noexcept { return handled_; }
    /// The process currently running, or null between entries.
    PromiseBase* active_process() const noexcept { return active_; }
    /// True while the destructor tears the simulation down.
    bool tearing_down() const noexcept { return tearing_down_; }

    /// `co_await sim.timeout(dt)`: the process resumes `dt` hours from now.
    struct TimeoutAwaiter {
        Simulation* sim;
        double delay;
        Priority priority;
        bool await_ready() const noexcept { return false; }
        template <class P>
        void await_suspend(std::coroutine_handle<P> h) {
            PromiseBase& p = h.promise();
            p.wake_key = sim->schedule_resume(p, sim->now_ + delay, priority);
            if (!p.interrupts.empty()) [[unlikely]]
                p.deliver_queued_interrupt();
        }
        void await_resume() const { sim->active_->check_interrupt(); }
    };
    /// An awaitable delay of `dt` hours (0 yields to other entries at the same time).
    TimeoutAwaiter timeout(double dt, Priority priority = Priority::normal) const {
        if (!(dt >= 0.0) || !std::isfinite(dt)) [[unlikely]]
            throw KernelError("timeout: delay must be finite and >= 0, got " + std::to_string(dt));
        return TimeoutAwaiter{const_cast<Simulation*>(this), dt, priority};
    }

    // ---- kernel internals: used by the awaitables, not by models --------------------------
    /// Schedules `p` to resume at `t`; returns the entry's key.
    std::uint64_t schedule_resume(PromiseBase& p, double t, Priority prio) {
        const std::uint64_t key = next_key(prio);
        push({t, key, reinterpret_cast<std::uintptr_t>(&p)});
        return key;
    }
    /// Schedules `t` to be processed (its waiters resumed) at `time`; retains it meanwhile.
    void schedule_trigger(Trigger& t, double time, Priority prio = Priority::normal) {
        t.retain();
        push({time, next_key(prio), reinterpret_cast<std::uintptr_t>(&t) | kTriggerTag});
    }
    /// Resumes `p` at the current time as the result of its wait (not an interrupt).
    void wake(PromiseBase& p, Priority prio = Priority::normal) {
        p.wake_key = schedule_resume(p, now_, prio);
    }
    /// Cancels `p`'s current wait and delivers `cause` there as an Interrupt.
    void interrupt(PromiseBase& p, std::any cause);
    /// Withdraws `p` from its current wait (calendar entry and cancel hook).
    void cancel_wait(PromiseBase& p) noexcept;
    /// Adds `p` to the list of live frames (destroyed with the simulation).
    void adopt(PromiseBase& p) noexcept;
    /// Removes `p` from the list of live frames.
    void forget(PromiseBase& p) noexcept;
    /// Records a failure that nobody handles; run() rethrows it.
    void set_unhandled(std::exception_ptr e) noexcept {
        if (!unhandled_) unhandled_ = std::move(e);
    }

private:
    static constexpr std::uintptr_t kTriggerTag = 1;

    std::uint64_t next_key(Priority prio) noexcept {
        return (static_cast<std::uint64_t>(prio) << 56) | ++seq_;
    }
    // The entry being handled is popped lazily: if it schedules something, the new entry
    // replaces it in one sift (the common case of a process that waits again).
    void push(const CalendarEntry& e) {
        if (pending_pop_) {
            pending_pop_ = false;
            calendar_.replace_top(e);
        } else {
            calendar_.push(e);
        }
    }
    bool step_before(double limit);
    void dispatch(const CalendarEntry& e) noexcept;
    void process_trigger(Trigger& t) noexcept;
    void resume(PromiseBase& p) noexcept {
        PromiseBase* outer = active_;
        active_ = &p;
        p.self.resume();
        active_ = outer;
    }

    Calendar calendar_;
    double now_ = 0.0;
    std::uint64_t seq_ = 0;
    std::uint64_t handled_ = 0;
    PromiseBase* active_ = nullptr;
    PromiseBase* live_ = nullptr;
    std::exception_ptr unhandled_;
    bool pending_pop_ = false;
    bool tearing_down_ = false;
};

}  // namespace mss::kernel
