// The personnel clock: timed actions on personnel records and airports (a relief due, a
// tour's end, a recovery, a scheduled closure's start, ...). One agenda for the whole mission
// instead of one coroutine per person. The replication driver (Mission::run_day) executes
// due actions between kernel calendar entries; see docs/model.md "Time and ordering".
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "sim/kernel/calendar.hpp"

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
    payment,         ///< a = contribution (funding)
    freeze_end,      ///< a = freeze (funding)
    contract,        ///< a = construction project: its cost accrues
    beds_ready,      ///< a = construction project: its beds are added
    pipeline_done,   ///< a = contingent: its pledge pipeline is complete
};

/// One timed action (24 bytes), a kernel::TimedEntry.
struct AgendaItem {
    double time = 0.0;      ///< hours since the scenario start
    std::uint64_t key = 0;  ///< insertion sequence << 8 | action: ties run first-in first-out
    std::int32_t a = -1;
    std::int32_t b = -1;
    Action action() const noexcept { return static_cast<Action>(key & 0xff); }
};

/// Timed actions ordered by (time, insertion order), the kernel calendar's rule
/// (kernel::earlier): one bucket per day, and the kernel's heap for the current day, so that a
/// push is O(1) for later days and the heap holds one day's actions only.
///
///     Agenda agenda(horizon_days);
///     agenda.push(t, Action::tour_end, person, stamp);   // any time, any day
///     agenda.start_day(d);                               // day d's bucket joins the heap
///     while (agenda.next_time() <= now) execute(agenda.pop());
///
/// Actions at or after the horizon are dropped: the run never reaches them. Days must be
/// started in order; an action pushed for a started day (or an earlier one) goes straight to
/// the heap.
class Agenda {
public:
    /// The heap of the started days (4-ary: it is pushed and popped, never replaced at the top).
    using Heap = kernel::HeapCalendar<4, AgendaItem>;

    /// An agenda for days [0, horizon_days).
    explicit Agenda(std::int32_t horizon_days = 0)
        : buckets_(static_cast<std::size_t>(horizon_days > 0 ? horizon_days : 0)) {}

    /// Schedules `action` on (a, b) at time `t` (hours).
    void push(double t, Action action, std::int32_t a, std::int32_t b = -1) {
        const AgendaItem it{t, (++seq_ << 8) | static_cast<std::uint64_t>(action), a, b};
        const double d = t / 24.0;
        if (!(d < static_cast<double>(buckets_.size()))) return;  // at or after the horizon
        const std::size_t day = d > 0.0 ? static_cast<std::size_t>(d) : 0;
        if (day > day_) {
            std::vector<AgendaItem>& b = buckets_[day];
            if (b.capacity() == 0 && !spare_.empty()) {  // reuse a started day's storage
                b.swap(spare_.back());
                spare_.pop_back();
            }
            b.push_back(it);
            return;
        }
        heap_.push(it);
    }
    /// Starts day `day`: its actions join the heap. Days must be started in order.
    void start_day(std::int32_t day) {
        day_ = static_cast<std::size_t>(day);
        if (day_ >= buckets_.size()) return;
        std::vector<AgendaItem>& b = buckets_[day_];
        for (const AgendaItem& it : b)
            heap_.push(it);
        // Keep the storage for a later day: at 100x personnel a bucket holds tens of thousands
        // of actions, and fresh storage for each day cost a page fault per 4 KiB.
        b.clear();
        if (b.capacity() > 0) spare_.push_back(std::move(b));
        std::vector<AgendaItem>().swap(b);
    }
    /// True when no action of the started days is pending.
    bool empty() const noexcept { return heap_.empty(); }
    /// Time of the earliest action of the started days, or +infinity.
    double next_time() const noexcept {
        return heap_.empty() ? std::numeric_limits<double>::infinity() : heap_.top().time;
    }
    /// Removes and returns the earliest action; the started days must have one.
    AgendaItem pop() {
        const AgendaItem top = heap_.top();
        heap_.pop();
        return top;
    }
    /// Actions pushed so far (including dropped ones).
    std::uint64_t pushed() const noexcept { return seq_; }

private:
    std::vector<std::vector<AgendaItem>> buckets_;
    std::vector<std::vector<AgendaItem>> spare_;  ///< emptied buckets' storage, for reuse
    Heap heap_;
    std::size_t day_ = 0;
    std::uint64_t seq_ = 0;
};

}  // namespace mss::model
