// Processes: C++20 coroutines in the process-interaction style of SimPy.
//
//     Process<double> sortie(Simulation& sim, double block_h) {
//         co_await sim.timeout(block_h);
//         co_return sim.now();
//     }
//     auto p = sortie(sim, 20.0);         // starts itself at the current time
//     double landed = co_await p;          // (inside another process) waits for it, gets its value
//
// A process function must take the Simulation (by reference or pointer), or an object with a
// `simulation()` member returning it (a member coroutine's own object counts), so that the
// process can schedule its start. Write process functions as free or member functions taking
// their arguments by value: a capturing lambda that is a coroutine keeps its captures outside
// the frame, and they die while the frame is suspended.
//
// An exception escaping a process fails it: processes awaiting it get the exception rethrown;
// if nobody awaits it, Simulation::run rethrows it. Lifetime rules are in trigger.hpp.
#pragma once

#include <concepts>
#include <coroutine>
#include <optional>
#include <type_traits>
#include <utility>

#include "sim/kernel/frame_pool.hpp"
#include "sim/kernel/simulation.hpp"

namespace mss::kernel {

template <class T = void>
class Process;

namespace detail {

template <class A>
Simulation* simulation_of(A& a) noexcept {
    using U = std::remove_cvref_t<A>;
    if constexpr (std::is_same_v<U, Simulation>) {
        return &a;
    } else if constexpr (std::is_same_v<U, Simulation*>) {
        return a;
    } else if constexpr (requires {
                             { a.simulation() } -> std::convertible_to<Simulation&>;
                         }) {
        return &a.simulation();
    } else if constexpr (std::is_pointer_v<U> && requires {
                             { a->simulation() } -> std::convertible_to<Simulation&>;
                         }) {
        return &a->simulation();
    } else {
        return nullptr;
    }
}

template <class A>
constexpr bool names_simulation = std::is_same_v<std::remove_cvref_t<A>, Simulation> ||
                                  std::is_same_v<std::remove_cvref_t<A>, Simulation*> ||
                                  requires(A& a) {
    { a.simulation() } -> std::convertible_to<Simulation&>;
}
|| (std::is_pointer_v<std::remove_cvref_t<A>> && requires(A & a) {
    { a->simulation() } -> std::convertible_to<Simulation&>;
});

template <class... A>
Simulation& find_simulation(A&... args) noexcept {
    static_assert((names_simulation<A> || ...),
                  "a process function must take a Simulation& (or an object with simulation())");
    Simulation* s = nullptr;
    ((s = s != nullptr ? s : simulation_of(args)), ...);
    return *s;
}

template <class T>
struct ValueSlot {
    std::optional<T> value;
};
template <>
struct ValueSlot<void> {};

/// Resumes the process at its start; an interrupt that arrived before the start is kept
/// queued and delivered at the process's first wait.
struct InitialAwaiter {
    PromiseBase* p;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<>) const noexcept {}
    void await_resume() const noexcept {
        p->started = true;
        p->clear_interrupt_due();  // still queued: the first wait delivers it
    }
};

/// At the end, the frame dies at once if nobody holds it, else its completion is scheduled.
struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <class P>
    void await_suspend(std::coroutine_handle<P> h) const noexcept {
        PromiseBase& p = h.promise();
        p.finished = true;
        p.interrupts.clear();
        if (p.refs() == 0) {
            if (!p.ok()) p.sim->set_unhandled(p.error());
            h.destroy();
            return;
        }
        p.sim->schedule_trigger(p, p.sim->now());
    }
    void await_resume() const noexcept {}
};

template <class T>
struct ProcessPromise : PromiseBase, ValueSlot<T> {
    template <class... A>
    explicit ProcessPromise(A&... args) {
        sim = &find_simulation(args...);
        self = std::coroutine_handle<ProcessPromise>::from_promise(*this);
        sim->adopt(*this);
        wake_key = sim->schedule_resume(*this, sim->now(), Priority::normal);
    }
    ProcessPromise(const ProcessPromise&) = delete;
    ProcessPromise& operator=(const ProcessPromise&) = delete;
    ~ProcessPromise() override { sim->forget(*this); }

    static void* operator new(std::size_t size) { return allocate_frame(size); }
    static void operator delete(void* p, std::size_t size) noexcept { free_frame(p, size); }

    Process<T> get_return_object() noexcept;
    InitialAwaiter initial_suspend() noexcept { return {this}; }
    FinalAwaiter final_suspend() noexcept { return {}; }
    void unhandled_exception() noexcept { mark_triggered(false, std::current_exception()); }
};

// A promise type may declare return_value or return_void, never both.
template <class T>
struct ReturningPromise : ProcessPromise<T> {
    using ProcessPromise<T>::ProcessPromise;
    template <class V>
    requires std::convertible_to<V, T>
    void return_value(V&& v) {
        this->value.emplace(std::forward<V>(v));
        this->mark_triggered(true, nullptr);
    }
};
template <>
struct ReturningPromise<void> : ProcessPromise<void> {
    using ProcessPromise<void>::ProcessPromise;
    void return_void() noexcept { mark_triggered(true, nullptr); }
};

}  // namespace detail

/// A handle to a running or finished process. Copyable (shared reference); awaitable by other
/// processes (`co_await p` gives its value, or rethrows its failure). Must not outlive its
/// Simulation.
template <class T>
class Process {
public:
    struct promise_type : detail::ReturningPromise<T> {
        using detail::ReturningPromise<T>::ReturningPromise;
    };

    Process() = default;
    explicit Process(promise_type* p) noexcept : p_(p), sim_(p->sim) { p_->retain(); }
    Process(const Process& o) noexcept : p_(o.p_), sim_(o.sim_) {
        if (p_ != nullptr) p_->retain();
    }
    Process(Process&& o) noexcept
        : p_(std::exchange(o.p_, nullptr)), sim_(std::exchange(o.sim_, nullptr)) {}
    Process& operator=(Process o) noexcept {
        std::swap(p_, o.p_);
        std::swap(sim_, o.sim_);
        return *this;
    }
    ~Process() { reset(); }

    /// Drops this reference.
    void reset() noexcept {
        if (p_ != nullptr && !sim_->tearing_down()) p_->release();
        p_ = nullptr;
    }
    /// True when this handle refers to a process.
    explicit operator bool() const noexcept { return p_ != nullptr; }
    /// True once the process has returned or failed.
    bool finished() const noexcept { return p_->finished; }
    /// True once finished and its completion has been processed.
    bool processed() const noexcept { return p_->processed(); }
    /// True unless the process failed.
    bool ok() const noexcept { return p_->ok(); }
    /// True while suspended in a kernel wait (not finished, not running).
    bool waiting() const noexcept { return !p_->finished && p_->waiting(); }
    /// The value it returned; it must have finished successfully.
    template <class U = T>
    requires(!std::is_void_v<U>) const U& value() const {
        if (!p_->finished || !p_->ok())
            throw KernelError("process value: not finished with a value");
        return *p_->value;
    }
    /// Throws `Interrupt{cause}` into the process at its current wait, which is withdrawn
    /// (a resource or store queue, an event, a timeout). Not allowed on a finished process
    /// or from the process itself.
    void interrupt(std::any cause = {}) { sim_->interrupt(*p_, std::move(cause)); }

    /// The process's completion state (for any_of / all_of).
    Trigger& trigger() const noexcept { return *p_; }
    Simulation& simulation() const noexcept { return *sim_; }

    struct Awaiter {
        Process proc;
        PromiseBase* waiter = nullptr;
        bool await_ready() const noexcept { return proc.p_->processed(); }
        template <class P>
        void await_suspend(std::coroutine_handle<P> h) {
            waiter = &h.promise();
            proc.p_->add_waiter(waiter);
            waiter->wait_remaining = 1;
            waiter->cancel = &cancel;
            waiter->cancel_ctx = proc.p_;
            if (!waiter->interrupts.empty()) [[unlikely]]
                waiter->deliver_queued_interrupt();
        }
        decltype(auto) await_resume() const {
            if (waiter != nullptr) waiter->check_interrupt();
            if (!proc.p_->ok()) std::rethrow_exception(proc.p_->error());
            if constexpr (!std::is_void_v<T>) return T(*proc.p_->value);
        }
        static void cancel(void* ctx, PromiseBase& p) noexcept {
            static_cast<Trigger*>(ctx)->remove_waiter(&p);
        }
    };
    Awaiter operator co_await() const noexcept { return Awaiter{*this}; }

private:
    promise_type* p_ = nullptr;
    Simulation* sim_ = nullptr;
};

template <class T>
Process<T> detail::ProcessPromise<T>::get_return_object() noexcept {
    return Process<T>(static_cast<typename Process<T>::promise_type*>(this));
}

}  // namespace mss::kernel
