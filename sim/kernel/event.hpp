// One-shot events and the conditions over them.
//
//     Event<int> landed(sim);
//     landed.succeed(42);                  // waiters resume when the entry is handled, now
//     int v = co_await landed;             // in a process: waits, gets 42 (or the failure)
//     std::size_t i = co_await any_of(landed, timeout_event(sim, 6.0), proc);
//
// An event is triggered once (succeed or fail) and then processed: every process waiting on
// it resumes in the order it started waiting. Awaiting an already processed event returns at
// once. A failed event that nobody awaits makes Simulation::run rethrow the failure.
#pragma once

#include <initializer_list>
#include <optional>
#include <type_traits>
#include <variant>
#include <vector>

#include "sim/kernel/process.hpp"
#include "sim/kernel/simulation.hpp"

namespace mss::kernel {

/// A one-shot event carrying a value of type T (none for void). Copies share the event.
template <class T = void>
class Event {
    using Stored = std::conditional_t<std::is_void_v<T>, std::monostate, T>;
    struct State final : Trigger {
        Simulation* sim;
        std::optional<Stored> value;
        explicit State(Simulation& s) : sim(&s) {}
        void on_last_release() noexcept override { delete this; }
    };

public:
    /// A new pending event.
    explicit Event(Simulation& sim) : s_(new State(sim)) { s_->retain(); }
    Event(const Event& o) noexcept : s_(o.s_) { s_->retain(); }
    Event(Event&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
    Event& operator=(Event o) noexcept {
        std::swap(s_, o.s_);
        return *this;
    }
    ~Event() {
        if (s_ != nullptr) s_->release();
    }

    /// Succeeds with `value`; waiters resume at the current time.
    template <class V = Stored>
    requires(!std::is_void_v<T>) void succeed(V&& value, Priority prio = Priority::normal) {
        check_pending("succeed");
        s_->value.emplace(std::forward<V>(value));
        s_->mark_triggered(true, nullptr);
        s_->sim->schedule_trigger(*s_, s_->sim->now(), prio);
    }
    /// Succeeds; waiters resume at the current time.
    void succeed(Priority prio = Priority::normal) requires std::is_void_v<T> {
        check_pending("succeed");
        s_->value.emplace();
        s_->mark_triggered(true, nullptr);
        s_->sim->schedule_trigger(*s_, s_->sim->now(), prio);
    }
    /// Succeeds `delay` hours from now (the event counts as triggered at once, like a timeout).
    void succeed_after(double delay) requires std::is_void_v<T> {
        check_pending("succeed_after");
        if (!(delay >= 0.0) || !std::isfinite(delay))
            throw KernelError("succeed_after: delay must be finite and >= 0");
        s_->value.emplace();
        s_->mark_triggered(true, nullptr);
        s_->sim->schedule_trigger(*s_, s_->sim->now() + delay);
    }
    /// Fails with `error`; every waiter gets it rethrown.
    void fail(std::exception_ptr error, Priority prio = Priority::normal) {
        check_pending("fail");
        if (!error) throw KernelError("fail: null exception");
        s_->mark_triggered(false, std::move(error));
        s_->sim->schedule_trigger(*s_, s_->sim->now(), prio);
    }
    /// Fails with a copy of exception `e`.
    template <class E>
    requires std::derived_from<E, std::exception>
    void fail(const E& e, Priority prio = Priority::normal) {
        fail(std::make_exception_ptr(e), prio);
    }

    /// True once succeeded or failed.
    bool triggered() const noexcept { return s_->triggered(); }
    /// True once its waiters have been resumed.
    bool processed() const noexcept { return s_->processed(); }
    /// True unless it failed.
    bool ok() const noexcept { return s_->ok(); }
    /// The value it succeeded with.
    template <class U = T>
    requires(!std::is_void_v<U>) const U& value() const {
        if (!s_->triggered() || !s_->ok()) throw KernelError("event value: not succeeded");
        return *s_->value;
    }
    /// Its completion state (for any_of / all_of).
    Trigger& trigger() const noexcept { return *s_; }

    struct Awaiter {
        Event ev;
        PromiseBase* waiter = nullptr;
        bool await_ready() const noexcept { return ev.s_->processed(); }
        template <class P>
        void await_suspend(std::coroutine_handle<P> h) {
            waiter = &h.promise();
            ev.s_->add_waiter(waiter);
            waiter->wait_remaining = 1;
            waiter->cancel = &cancel;
            waiter->cancel_ctx = ev.s_;
            if (!waiter->interrupts.empty()) [[unlikely]]
                waiter->deliver_queued_interrupt();
        }
        decltype(auto) await_resume() const {
            if (waiter != nullptr) waiter->check_interrupt();
            if (!ev.s_->ok()) std::rethrow_exception(ev.s_->error());
            if constexpr (!std::is_void_v<T>) return T(*ev.s_->value);
        }
        static void cancel(void* ctx, PromiseBase& p) noexcept {
            static_cast<Trigger*>(ctx)->remove_waiter(&p);
        }
    };
    Awaiter operator co_await() const noexcept { return Awaiter{*this}; }

private:
    void check_pending(const char* what) const {
        if (s_->triggered())
            throw KernelError(std::string(what) + ": the event has already been triggered");
    }
    State* s_;
};

/// An event that succeeds `delay` hours from now (SimPy's Timeout as an event, for any_of).
inline Event<> timeout_event(Simulation& sim, double delay) {
    Event<> e(sim);
    e.succeed_after(delay);
    return e;
}

/// A shared reference to any event's or process's completion, for any_of and all_of.
class WaitRef {
public:
    template <class T>
    WaitRef(const Event<T>& e) noexcept : t_(&e.trigger()) {  // NOLINT: implicit by design
        t_->retain();
    }
    template <class T>
    WaitRef(const Process<T>& p) noexcept  // NOLINT: implicit by design
        : t_(&p.trigger()), process_sim_(&p.simulation()) {
        t_->retain();
    }
    WaitRef(const WaitRef& o) noexcept : t_(o.t_), process_sim_(o.process_sim_) { t_->retain(); }
    WaitRef& operator=(const WaitRef&) = delete;
    ~WaitRef() {
        // A process frame is destroyed by the teardown itself; do not touch it then.
        if (process_sim_ == nullptr || !process_sim_->tearing_down()) t_->release();
    }
    Trigger& trigger() const noexcept { return *t_; }

private:
    Trigger* t_;
    Simulation* process_sim_ = nullptr;
};

namespace detail {

/// Waits for the first (any) or every (all) trigger of a set.
class ConditionAwaiter {
public:
    ConditionAwaiter(std::vector<WaitRef> refs, bool all) : refs_(std::move(refs)), all_(all) {}

    bool await_ready() {
        std::size_t done = 0;
        for (std::size_t i = 0; i < refs_.size(); ++i) {
            const Trigger& t = refs_[i].trigger();
            if (!t.processed()) continue;
            if (!t.ok() || !all_) {
                ready_index_ = i;
                return true;
            }
            ++done;
        }
        return done == refs_.size();
    }
    template <class P>
    void await_suspend(std::coroutine_handle<P> h) {
        waiter_ = &h.promise();
        std::uint32_t waiting = 0;
        for (WaitRef& r : refs_) {
            if (r.trigger().processed()) continue;
            r.trigger().add_waiter(waiter_);
            ++waiting;
        }
        waiter_->wait_remaining = all_ ? waiting : 1;
        waiter_->cancel = &cancel;
        waiter_->cancel_ctx = this;
        if (!waiter_->interrupts.empty()) [[unlikely]]
            waiter_->deliver_queued_interrupt();
    }
    /// The index of the trigger that completed the condition.
    std::size_t await_resume() {
        if (waiter_ != nullptr) {
            withdraw();
            waiter_->check_interrupt();
            for (std::size_t i = 0; i < refs_.size(); ++i)
                if (&refs_[i].trigger() == waiter_->woken_by) ready_index_ = i;
        }
        if (ready_index_ < refs_.size()) {
            const Trigger& t = refs_[ready_index_].trigger();
            if (!t.ok()) std::rethrow_exception(t.error());
        }
        return all_ ? refs_.size() : ready_index_;
    }

private:
    void withdraw() noexcept {
        for (WaitRef& r : refs_)
            r.trigger().remove_waiter(waiter_);
    }
    static void cancel(void* ctx, PromiseBase&) noexcept {
        static_cast<ConditionAwaiter*>(ctx)->withdraw();
    }

    std::vector<WaitRef> refs_;
    PromiseBase* waiter_ = nullptr;
    std::size_t ready_index_ = static_cast<std::size_t>(-1);
    bool all_;
};

}  // namespace detail

/// Resumes when the first of `refs` is processed; gives its index (rethrows its failure).
/// The others keep running.
inline detail::ConditionAwaiter any_of(std::vector<WaitRef> refs) {
    if (refs.empty()) throw KernelError("any_of: needs at least one event or process");
    return detail::ConditionAwaiter(std::move(refs), false);
}
template <class... W>
detail::ConditionAwaiter any_of(const W&... w) {
    return any_of(std::vector<WaitRef>{WaitRef(w)...});
}

/// Resumes when every one of `refs` is processed (at once if empty); rethrows the first
/// failure as soon as it is processed. Gives the number of events and processes.
inline detail::ConditionAwaiter all_of(std::vector<WaitRef> refs) {
    return detail::ConditionAwaiter(std::move(refs), true);
}
template <class... W>
detail::ConditionAwaiter all_of(const W&... w) {
    return all_of(std::vector<WaitRef>{WaitRef(w)...});
}

}  // namespace mss::kernel
