// Containers: a continuous level (fuel, beds, seats) that processes put into and take from.
//
//     Container fuel(sim, /*capacity=*/100.0, /*initial=*/40.0);
//     co_await fuel.get(25.0);      // waits while the level is below 25
//     co_await fuel.put(10.0);      // waits while there is no room for 10
//
// Each side is served strictly in arrival order: a large get at the head of the queue makes
// smaller gets behind it wait (no overtaking). Interrupted waiters leave their queue; one that
// was already served keeps the effect (the amount was moved).
#pragma once

#include <cmath>
#include <deque>
#include <limits>
#include <string>

#include "sim/kernel/simulation.hpp"

namespace mss::kernel {

class Container {
public:
    /// A container of `capacity` (> 0, may be infinite) holding `initial` (0..capacity).
    explicit Container(Simulation& sim, double capacity = std::numeric_limits<double>::infinity(),
                       double initial = 0.0)
        : sim_(&sim), capacity_(capacity), level_(initial) {
        if (!(capacity > 0.0)) throw KernelError("Container: capacity must be > 0");
        if (!(initial >= 0.0 && initial <= capacity))
            throw KernelError("Container: initial level must be within [0, capacity]");
    }
    Container(const Container&) = delete;
    Container& operator=(const Container&) = delete;

    class Awaiter {
    public:
        Awaiter(Container& c, double amount, bool put) : c_(&c), amount_(amount), put_(put) {}
        bool await_ready() {
            auto& q = put_ ? c_->putters_ : c_->getters_;
            if (!q.empty() || !c_->fits(amount_, put_)) return false;
            c_->apply(amount_, put_);
            c_->serve();
            return true;
        }
        template <class P>
        void await_suspend(std::coroutine_handle<P> h) {
            waiter_ = &h.promise();
            (put_ ? c_->putters_ : c_->getters_).push_back(this);
            waiter_->cancel = &cancel;
            waiter_->cancel_ctx = this;
            if (!waiter_->interrupts.empty()) [[unlikely]]
                waiter_->deliver_queued_interrupt();
        }
        void await_resume() {
            if (waiter_ != nullptr) waiter_->check_interrupt();
        }

    private:
        friend class Container;
        static void cancel(void* ctx, PromiseBase&) noexcept {
            auto* self = static_cast<Awaiter*>(ctx);
            if (self->served_) return;
            auto& q = self->put_ ? self->c_->putters_ : self->c_->getters_;
            for (auto it = q.begin(); it != q.end(); ++it)
                if (*it == self) {
                    q.erase(it);
                    break;
                }
            self->c_->serve();  // the head may have changed
        }
        Container* c_;
        double amount_;
        PromiseBase* waiter_ = nullptr;
        bool put_;
        bool served_ = false;
    };

    /// Adds `amount` (> 0), waiting for room.
    Awaiter put(double amount) { return Awaiter(*this, check(amount, "put"), true); }
    /// Takes `amount` (> 0), waiting until the level allows it.
    Awaiter get(double amount) { return Awaiter(*this, check(amount, "get"), false); }

    /// The current level.
    double level() const noexcept { return level_; }
    /// The capacity.
    double capacity() const noexcept { return capacity_; }
    std::size_t getters_waiting() const noexcept { return getters_.size(); }
    std::size_t putters_waiting() const noexcept { return putters_.size(); }

private:
    double check(double amount, const char* what) const {
        if (!(amount > 0.0) || !std::isfinite(amount))
            throw KernelError(std::string("Container::") + what +
                              ": amount must be finite and > 0");
        if (amount > capacity_)
            throw KernelError(std::string("Container::") + what + ": amount exceeds the capacity");
        return amount;
    }
    bool fits(double amount, bool put) const noexcept {
        return put ? level_ + amount <= capacity_ : level_ >= amount;
    }
    void apply(double amount, bool put) noexcept { level_ += put ? amount : -amount; }
    // Serves the heads of both queues while they fit.
    void serve() {
        for (bool progress = true; progress;) {
            progress = false;
            for (auto* q : {&getters_, &putters_}) {
                while (!q->empty() && fits(q->front()->amount_, q->front()->put_)) {
                    Awaiter* a = q->front();
                    q->pop_front();
                    apply(a->amount_, a->put_);
                    a->served_ = true;
                    sim_->wake(*a->waiter_);
                    progress = true;
                }
            }
        }
    }

    Simulation* sim_;
    double capacity_;
    double level_;
    std::deque<Awaiter*> getters_;
    std::deque<Awaiter*> putters_;
};

}  // namespace mss::kernel
