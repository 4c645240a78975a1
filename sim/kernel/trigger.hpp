// The waiting machinery shared by every awaitable of the kernel: a `Trigger` is one-shot
// completion state (events and processes both have one), and `PromiseBase` is the part of
// every process's coroutine promise that the kernel sees (its wait, its interrupts, its
// lifetime). Models use Event, Process, Resource, Store and Container, never these directly.
//
// Lifetime rules, written once:
// - A process's coroutine frame is owned by the Simulation until the coroutine finishes, then
//   by its references: `Process` handles, a pending completion entry in the calendar, and
//   stale calendar entries left by an interrupt. It is destroyed when it has finished and the
//   last reference goes. When the Simulation is destroyed it destroys every frame still alive
//   (finished or suspended), without running anything; `Process` handles and resource tokens
//   must therefore not outlive their Simulation (declare them after it, as usual in C++).
// - An event's state is reference-counted by its `Event` handles and by a pending calendar
//   entry; it may outlive the Simulation but must not be triggered after it is gone.
#pragma once

#include <any>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

namespace mss::kernel {

class Simulation;
struct PromiseBase;

/// Calendar priority: at equal times, lower values are handled first.
enum class Priority : std::uint8_t { urgent = 0, normal = 1 };

/// Thrown into a process at its current wait by `Process::interrupt`.
class Interrupt : public std::exception {
public:
    explicit Interrupt(std::any cause) : cause_(std::move(cause)) {}
    /// What the interrupter passed (empty if nothing).
    const std::any& cause() const noexcept { return cause_; }
    /// The cause as text when it is a string, else "interrupt".
    std::string cause_text() const {
        if (auto* s = std::any_cast<std::string>(&cause_)) return *s;
        if (auto* c = std::any_cast<const char*>(&cause_)) return *c;
        return "interrupt";
    }
    const char* what() const noexcept override { return "process interrupted"; }

private:
    std::any cause_;
};

/// One-shot completion state: pending, then triggered (succeeded or failed, and scheduled to be
/// processed), then processed (its waiters have been resumed). Reference-counted.
class Trigger {
public:
    enum class State : std::uint8_t { pending, triggered, processed };

    Trigger() = default;
    Trigger(const Trigger&) = delete;
    Trigger& operator=(const Trigger&) = delete;
    virtual ~Trigger() = default;

    /// The current state.
    State state() const noexcept { return state_; }
    /// True once succeeded or failed.
    bool triggered() const noexcept { return state_ != State::pending; }
    /// True once its waiters have been resumed.
    bool processed() const noexcept { return state_ == State::processed; }
    /// True unless it failed.
    bool ok() const noexcept { return ok_; }
    /// The failure, or null.
    const std::exception_ptr& error() const noexcept { return error_; }

    void retain() noexcept { ++refs_; }
    void release() noexcept {
        if (--refs_ == 0) on_last_release();
    }
    std::uint32_t refs() const noexcept { return refs_; }

    // Kernel internals.
    void add_waiter(PromiseBase* p) { waiters_.push_back(p); }
    void remove_waiter(PromiseBase* p) noexcept;
    std::vector<PromiseBase*>& waiters() noexcept { return waiters_; }
    void mark_triggered(bool ok, std::exception_ptr error) noexcept {
        state_ = State::triggered;
        ok_ = ok;
        error_ = std::move(error);
    }
    void mark_processed() noexcept { state_ = State::processed; }
    bool processing() const noexcept { return processing_; }
    void set_processing(bool v) noexcept { processing_ = v; }

protected:
    virtual void on_last_release() noexcept = 0;

private:
    std::vector<PromiseBase*> waiters_;
    std::exception_ptr error_;
    std::uint32_t refs_ = 0;
    State state_ = State::pending;
    bool ok_ = true;
    bool processing_ = false;
};

/// How an awaitable withdraws a waiting process when it is interrupted.
using CancelFn = void (*)(void* ctx, PromiseBase& p) noexcept;

/// The kernel's view of a process: its frame, its current wait and its completion trigger.
struct PromiseBase : Trigger {
    Simulation* sim = nullptr;
    std::coroutine_handle<> self;
    std::uint64_t wake_key = 0;  ///< key of the calendar entry that will resume it, 0 = none
    CancelFn cancel = nullptr;   ///< withdraws it from what it waits in, or null
    void* cancel_ctx = nullptr;
    Trigger* woken_by = nullptr;       ///< the trigger that resumed it last
    std::uint32_t wait_remaining = 0;  ///< triggers still awaited (all_of)
    bool finished = false;
    bool started = false;
    std::vector<std::any> interrupts;  ///< causes not yet delivered, oldest first
    PromiseBase* live_prev = nullptr;  ///< the Simulation's list of live frames
    PromiseBase* live_next = nullptr;

    /// True while the process is suspended in a kernel wait.
    bool waiting() const noexcept { return wake_key != 0 || cancel != nullptr; }

    /// Called first by every kernel awaiter's await_resume: throws a delivered interrupt.
    void check_interrupt() {
        if (interrupt_due_) {
            interrupt_due_ = false;
            std::any cause = std::move(interrupts.front());
            interrupts.erase(interrupts.begin());
            throw Interrupt(std::move(cause));
        }
    }
    /// Called by every kernel awaiter's await_suspend after it registered the wait: an
    /// interrupt that arrived while the process was running is delivered at once.
    void deliver_queued_interrupt();

    void set_interrupt_due() noexcept { interrupt_due_ = true; }
    void clear_interrupt_due() noexcept { interrupt_due_ = false; }
    bool interrupt_due() const noexcept { return interrupt_due_; }

protected:
    void on_last_release() noexcept override;

private:
    bool interrupt_due_ = false;
};

}  // namespace mss::kernel
