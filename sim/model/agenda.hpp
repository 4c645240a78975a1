// The personnel clock: timed actions on personnel records and airports (a relief due, a
// tour's end, a recovery, a scheduled closure's start, ...). One heap for the whole mission
// instead of one coroutine per person. The replication driver (Mission::run_day) executes
// due actions between kernel calendar entries; see docs/model.md "Time and ordering".
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace mss::model {

/// What a timed action does (handled by Mission::execute).
enum class Action : std::uint8_t {
    batch_ready,     ///< a = contingent, b = batch index
    person_ready,    ///< a = person
    relief_due,      ///< a = person, b = its tour stamp when scheduled
    tour_end,        ///< a = person, b = tour stamp
    extension_end,   ///< a = person, b = tour stamp
    overlap_end,     ///< a = person
    recover,         ///< a = person
    unit_rotation,   ///< a = contingent, b = cycle number
    closure_start,   ///< a = airport, b = class mask
    closure_end,     ///< a = airport, b = class mask
    link_restore,    ///< a = link
    drawdown,        ///< a = contingent
    attrition_step,  ///< every contingent's attrition, re-evaluated daily
    attrition_hit,   ///< a = contingent
};

/// One timed action (24 bytes).
struct AgendaItem {
    double t = 0.0;
    std::uint64_t key = 0;  ///< insertion sequence << 8 | action: ties run first-in first-out
    std::int32_t a = -1;
    std::int32_t b = -1;
    Action action() const noexcept { return static_cast<Action>(key & 0xff); }
};

/// Timed actions ordered by (time, insertion order): one bucket per day, and a 4-ary min-heap
/// for the current day, so that a push is O(1) for later days and the heap stays small.
/// Actions at or after the horizon are dropped: the run never reaches them.
class Agenda {
public:
    /// An agenda for days [0, horizon_days).
    explicit Agenda(std::int32_t horizon_days = 0)
        : buckets_(static_cast<std::size_t>(horizon_days > 0 ? horizon_days : 0)) {}

    void push(double t, Action action, std::int32_t a, std::int32_t b = -1) {
        const AgendaItem it{t, (++seq_ << 8) | static_cast<std::uint64_t>(action), a, b};
        const double d = t / 24.0;
        if (!(d < static_cast<double>(buckets_.size()))) return;  // at or after the horizon
        const auto day = static_cast<std::size_t>(d);
        if (day > day_) {
            buckets_[day].push_back(it);
            return;
        }
        heap_push(it);
    }
    /// Starts day `day`: its actions join the heap. Days must be started in order.
    void start_day(std::int32_t day) {
        day_ = static_cast<std::size_t>(day);
        if (day_ >= buckets_.size()) return;
        std::vector<AgendaItem>& b = buckets_[day_];
        for (const AgendaItem& it : b)
            heap_push(it);
        std::vector<AgendaItem>().swap(b);
    }
    bool empty() const noexcept { return heap_.empty(); }
    /// Time of the earliest action of the started days, or +infinity.
    double next_time() const noexcept {
        return heap_.empty() ? std::numeric_limits<double>::infinity() : heap_.front().t;
    }
    /// Removes and returns the earliest action.
    AgendaItem pop() {
        const AgendaItem top = heap_.front();
        const AgendaItem last = heap_.back();
        heap_.pop_back();
        const std::size_t n = heap_.size();
        if (n == 0) return top;
        std::size_t i = 0;
        for (;;) {
            const std::size_t first = 4 * i + 1;
            if (first >= n) break;
            std::size_t best = first;
            const std::size_t end = first + 4 < n ? first + 4 : n;
            for (std::size_t c = first + 1; c < end; ++c)
                if (earlier(heap_[c], heap_[best])) best = c;
            if (!earlier(heap_[best], last)) break;
            heap_[i] = heap_[best];
            i = best;
        }
        heap_[i] = last;
        return top;
    }
    /// Actions pushed so far (including dropped ones).
    std::uint64_t pushed() const noexcept { return seq_; }

private:
    static bool earlier(const AgendaItem& x, const AgendaItem& y) noexcept {
        return x.t < y.t || (x.t == y.t && x.key < y.key);
    }
    void heap_push(const AgendaItem& it) {
        std::size_t i = heap_.size();
        heap_.push_back(it);
        while (i > 0) {
            const std::size_t parent = (i - 1) / 4;
            if (!earlier(it, heap_[parent])) break;
            heap_[i] = heap_[parent];
            i = parent;
        }
        heap_[i] = it;
    }
    std::vector<std::vector<AgendaItem>> buckets_;
    std::vector<AgendaItem> heap_;
    std::size_t day_ = 0;
    std::uint64_t seq_ = 0;
};

}  // namespace mss::model
