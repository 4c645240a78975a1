// Stores: queues of items (personnel waiting at a gateway, cargo on a ramp) that processes put
// and get.
//
//     Store<Pax> lounge(sim);                          // unbounded; Store<Pax>(sim, 50) holds 50
//     co_await lounge.put(pax);                        // waits while the store is full
//     Pax p = co_await lounge.get();                   // waits while it is empty (FIFO)
//     Pax m = co_await lounge.get([](const Pax& x) { return x.medevac; });   // filtered
//
// Getters are served in the order they asked, each taking the oldest item its filter accepts;
// a getter whose filter accepts nothing does not block the getters behind it. Putters wait in
// FIFO order for room. An interrupted getter that had already been handed an item gives it
// back (at the front); an interrupted putter whose item was already accepted leaves it stored.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <limits>
#include <optional>
#include <utility>

#include "sim/kernel/simulation.hpp"

namespace mss::kernel {

template <class T>
class Store {
public:
    using Filter = std::function<bool(const T&)>;

    /// A store holding at most `capacity` items (at least 1).
    explicit Store(Simulation& sim, std::size_t capacity = std::numeric_limits<std::size_t>::max())
        : sim_(&sim), capacity_(capacity) {
        if (capacity == 0) throw KernelError("Store: capacity must be at least 1");
    }
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    class GetAwaiter {
    public:
        GetAwaiter(Store& s, Filter f) : s_(&s), filter_(std::move(f)) {}
        bool await_ready() {
            auto it = s_->find(filter_);
            if (it == s_->items_.end()) return false;
            item_.emplace(std::move(*it));
            s_->items_.erase(it);
            s_->admit_putters();
            return true;
        }
        template <class P>
        void await_suspend(std::coroutine_handle<P> h) {
            waiter_ = &h.promise();
            s_->getters_.push_back(this);
            waiter_->cancel = &cancel;
            waiter_->cancel_ctx = this;
            if (!waiter_->interrupts.empty()) [[unlikely]]
                waiter_->deliver_queued_interrupt();
        }
        T await_resume() {
            if (waiter_ != nullptr) waiter_->check_interrupt();
            return std::move(*item_);
        }

    private:
        friend class Store;
        static void cancel(void* ctx, PromiseBase&) noexcept {
            auto* self = static_cast<GetAwaiter*>(ctx);
            if (self->item_) {  // handed an item but not resumed: give it back
                self->s_->items_.push_front(std::move(*self->item_));
                self->item_.reset();
                self->s_->serve_getters();
            } else {
                auto& g = self->s_->getters_;
                for (auto it = g.begin(); it != g.end(); ++it)
                    if (*it == self) {
                        g.erase(it);
                        break;
                    }
            }
        }
        Store* s_;
        Filter filter_;
        std::optional<T> item_;
        PromiseBase* waiter_ = nullptr;
    };

    class PutAwaiter {
    public:
        PutAwaiter(Store& s, T item) : s_(&s), item_(std::move(item)) {}
        bool await_ready() {
            if (!s_->putters_.empty() || s_->items_.size() >= s_->capacity_) return false;
            s_->accept(std::move(item_));
            return true;
        }
        template <class P>
        void await_suspend(std::coroutine_handle<P> h) {
            waiter_ = &h.promise();
            s_->putters_.push_back(this);
            waiter_->cancel = &cancel;
            waiter_->cancel_ctx = this;
            if (!waiter_->interrupts.empty()) [[unlikely]]
                waiter_->deliver_queued_interrupt();
        }
        void await_resume() {
            if (waiter_ != nullptr) waiter_->check_interrupt();
        }

    private:
        friend class Store;
        static void cancel(void* ctx, PromiseBase&) noexcept {
            auto* self = static_cast<PutAwaiter*>(ctx);
            if (self->accepted_) return;  // already stored: it stays
            auto& q = self->s_->putters_;
            for (auto it = q.begin(); it != q.end(); ++it)
                if (*it == self) {
                    q.erase(it);
                    break;
                }
        }
        Store* s_;
        T item_;
        PromiseBase* waiter_ = nullptr;
        bool accepted_ = false;
    };

    /// Puts `item`, waiting while the store is full.
    PutAwaiter put(T item) { return PutAwaiter(*this, std::move(item)); }
    /// Puts `item` without waiting (callable outside processes); false if the store is full.
    bool try_put(T item) {
        if (!putters_.empty() || items_.size() >= capacity_) return false;
        accept(std::move(item));
        return true;
    }
    /// Gets the oldest item, waiting while there is none.
    GetAwaiter get() { return GetAwaiter(*this, nullptr); }
    /// Gets the oldest item that `filter` accepts, waiting until there is one.
    GetAwaiter get(Filter filter) { return GetAwaiter(*this, std::move(filter)); }

    /// Items stored, oldest first.
    const std::deque<T>& items() const noexcept { return items_; }
    /// Number of items stored.
    std::size_t size() const noexcept { return items_.size(); }
    /// Maximum number of items.
    std::size_t capacity() const noexcept { return capacity_; }
    /// Getters waiting.
    std::size_t getters_waiting() const noexcept { return getters_.size(); }
    /// Putters waiting.
    std::size_t putters_waiting() const noexcept { return putters_.size(); }

private:
    typename std::deque<T>::iterator find(const Filter& f) {
        if (!f) return items_.begin();
        for (auto it = items_.begin(); it != items_.end(); ++it)
            if (f(*it)) return it;
        return items_.end();
    }
    void accept(T item) {
        items_.push_back(std::move(item));
        serve_getters();
    }
    // Hands items to waiting getters in the order they asked.
    void serve_getters() {
        for (auto g = getters_.begin(); g != getters_.end() && !items_.empty();) {
            auto it = find((*g)->filter_);
            if (it == items_.end()) {
                ++g;
                continue;
            }
            GetAwaiter* a = *g;
            a->item_.emplace(std::move(*it));
            items_.erase(it);
            g = getters_.erase(g);
            sim_->wake(*a->waiter_);
        }
        admit_putters();
    }
    // Lets waiting putters in while there is room.
    void admit_putters() {
        bool admitted = false;
        while (!putters_.empty() && items_.size() < capacity_) {
            PutAwaiter* p = putters_.front();
            putters_.pop_front();
            items_.push_back(std::move(p->item_));
            p->accepted_ = true;
            sim_->wake(*p->waiter_);
            admitted = true;
        }
        if (admitted && !getters_.empty()) serve_getters();
    }

    Simulation* sim_;
    std::size_t capacity_;
    std::deque<T> items_;
    std::deque<GetAwaiter*> getters_;
    std::deque<PutAwaiter*> putters_;
};

}  // namespace mss::kernel
