// A priority queue for entries that mostly arrive in order: people join the ready queue and
// the outbound queues with "now" as their key, so almost every push is at the back. Those go
// to a FIFO (O(1), sequential in memory); the few that arrive out of order (back from a
// cancelled sortie, moved between airports with their old wait start) go to a small heap.
// The front is the smaller of the two fronts, so the order is exactly a heap's.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace mss::model {

/// Entries ordered by `Later` (a strict weak order: `later(x, y)` when x comes after y). When
/// the caller needs to know which entry comes first, the order must be total on the entries
/// (an id tie-break); entries that tie come out in an order that is deterministic but depends on
/// the pushes and pops, so an order with ties suits a caller that reads only the key.
template <class Entry, class Later>
class ArrivalQueue {
public:
    bool empty() const noexcept { return head_ == fifo_.size() && heap_.empty(); }
    /// The first entry; the queue must not be empty.
    const Entry& front() const {
        if (heap_.empty()) return fifo_[head_];
        if (head_ == fifo_.size()) return heap_.front();
        return Later{}(fifo_[head_], heap_.front()) ? heap_.front() : fifo_[head_];
    }
    void push(const Entry& e) {
        if (head_ == fifo_.size() || Later{}(e, fifo_.back())) {
            if (head_ == fifo_.size()) {
                fifo_.clear();
                head_ = 0;
            }
            fifo_.push_back(e);
            return;
        }
        heap_.push_back(e);
        std::push_heap(heap_.begin(), heap_.end(), Later{});
    }
    /// Removes the first entry; the queue must not be empty.
    void pop() {
        if (!heap_.empty() && (head_ == fifo_.size() || Later{}(fifo_[head_], heap_.front()))) {
            std::pop_heap(heap_.begin(), heap_.end(), Later{});
            heap_.pop_back();
            return;
        }
        if (++head_ > 64 && head_ * 2 > fifo_.size()) {  // drop the consumed half
            fifo_.erase(fifo_.begin(), fifo_.begin() + static_cast<std::ptrdiff_t>(head_));
            head_ = 0;
        }
    }

private:
    std::vector<Entry> fifo_;  ///< in order from head_
    std::size_t head_ = 0;
    std::vector<Entry> heap_;  ///< out of order arrivals (a heap by Later)
};

}  // namespace mss::model
