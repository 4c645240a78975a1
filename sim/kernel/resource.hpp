// Resources: `capacity` identical units (runway slots, aircraft parking, a crew) that processes
// request and release.
//
//     Resource mog(sim, 2);
//     {
//         auto slot = co_await mog.request();   // waits while all units are in use
//         co_await sim.timeout(handling_h);
//     }                                         // the token releases the unit here
//
// Requests are served by priority (lower value first), then in the order they were made
// (FIFO). A released unit goes straight to the first waiter, which resumes at the current
// time. An interrupted waiter leaves the queue; if it had already been granted the unit but
// had not yet resumed, the unit passes on to the next waiter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>

#include "sim/kernel/simulation.hpp"

namespace mss::kernel {

class Resource {
public:
    /// A resource of `capacity` units (at least 1).
    Resource(Simulation& sim, std::size_t capacity) : sim_(&sim), capacity_(capacity) {
        if (capacity == 0) throw KernelError("Resource: capacity must be at least 1");
    }
    Resource(const Resource&) = delete;
    Resource& operator=(const Resource&) = delete;

    /// Proof of holding one unit; releases it when destroyed (or on `release()`). Move-only.
    class Token {
    public:
        Token() = default;
        Token(Token&& o) noexcept
            : r_(std::exchange(o.r_, nullptr)), sim_(std::exchange(o.sim_, nullptr)) {}
        Token& operator=(Token&& o) noexcept {
            if (this != &o) {
                release();
                r_ = std::exchange(o.r_, nullptr);
                sim_ = std::exchange(o.sim_, nullptr);
            }
            return *this;
        }
        Token(const Token&) = delete;
        Token& operator=(const Token&) = delete;
        ~Token() { release(); }
        /// Gives the unit back now (idempotent).
        void release() noexcept {
            // During teardown the resource may already be gone; nothing runs any more.
            if (r_ != nullptr && !sim_->tearing_down()) r_->release_unit();
            r_ = nullptr;
        }
        /// True while the unit is held.
        explicit operator bool() const noexcept { return r_ != nullptr; }

    private:
        friend class Resource;
        explicit Token(Resource* r) noexcept : r_(r), sim_(r->sim_) {}
        Resource* r_ = nullptr;
        Simulation* sim_ = nullptr;
    };

    /// `co_await res.request(priority)` gives a Token once a unit is free.
    class RequestAwaiter {
    public:
        RequestAwaiter(Resource& r, int priority) noexcept : r_(&r), priority_(priority) {}
        bool await_ready() noexcept {
            if (r_->in_use_ < r_->capacity_) {
                ++r_->in_use_;
                return true;
            }
            return false;
        }
        template <class P>
        void await_suspend(std::coroutine_handle<P> h) {
            waiter_ = &h.promise();
            r_->enqueue(this);
            waiter_->cancel = &cancel;
            waiter_->cancel_ctx = this;
            if (!waiter_->interrupts.empty()) [[unlikely]]
                waiter_->deliver_queued_interrupt();
        }
        Token await_resume() {
            if (waiter_ != nullptr) waiter_->check_interrupt();
            return Token(r_);
        }

    private:
        friend class Resource;
        static void cancel(void* ctx, PromiseBase&) noexcept {
            auto* self = static_cast<RequestAwaiter*>(ctx);
            if (self->granted_) {
                self->granted_ = false;
                self->r_->release_unit();
            } else {
                self->r_->dequeue(self);
            }
        }
        Resource* r_;
        PromiseBase* waiter_ = nullptr;
        std::uint64_t seq_ = 0;
        int priority_;
        bool granted_ = false;
    };

    /// Requests one unit; lower `priority` values are served first.
    RequestAwaiter request(int priority = 0) noexcept { return RequestAwaiter(*this, priority); }

    /// Number of units.
    std::size_t capacity() const noexcept { return capacity_; }
    /// Units held (including ones granted to waiters that have not resumed yet).
    std::size_t in_use() const noexcept { return in_use_; }
    /// Requests waiting.
    std::size_t queue_length() const noexcept { return queue_.size(); }

private:
    void enqueue(RequestAwaiter* a) {
        a->seq_ = ++seq_;
        // Keep the queue sorted by (priority, seq): a new request goes after every request of
        // equal or higher priority, so equal priorities stay FIFO.
        auto it = queue_.end();
        while (it != queue_.begin() && (*(it - 1))->priority_ > a->priority_)
            --it;
        queue_.insert(it, a);
    }
    void dequeue(RequestAwaiter* a) noexcept {
        for (auto it = queue_.begin(); it != queue_.end(); ++it)
            if (*it == a) {
                queue_.erase(it);
                return;
            }
    }
    void release_unit() noexcept {
        if (queue_.empty()) {
            --in_use_;
            return;
        }
        RequestAwaiter* next = queue_.front();
        queue_.pop_front();
        next->granted_ = true;  // the unit changes hands; in_use_ is unchanged
        sim_->wake(*next->waiter_);
    }

    Simulation* sim_;
    std::size_t capacity_;
    std::size_t in_use_ = 0;
    std::uint64_t seq_ = 0;
    std::deque<RequestAwaiter*> queue_;
};

}  // namespace mss::kernel
