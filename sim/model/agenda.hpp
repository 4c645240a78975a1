// The personnel clock: timed actions on personnel records and airports (a relief due, a
// tour's end, a recovery, a scheduled closure's start, ...). One agenda for the whole mission
// instead of one coroutine per person. The replication driver (Mission::run_day) executes
// due actions between kernel calendar entries; see docs/model.md "Time and ordering".
#pragma once

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstdint>
#include <limits>
#include <memory>
#include <utility>
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

/// True when the action's `a` is a person.
constexpr bool acts_on_person(Action a) noexcept {
    switch (a) {
        case Action::person_ready:
        case Action::relief_due:
        case Action::tour_end:
        case Action::extension_end:
        case Action::overlap_end:
        case Action::recover:
            return true;
        default:
            return false;
    }
}

/// One timed action (24 bytes), a kernel::TimedEntry.
struct AgendaItem {
    double time = 0.0;      ///< hours since the scenario start
    std::uint64_t key = 0;  ///< insertion sequence << 8 | action: ties run first-in first-out
    std::int32_t a = -1;
    std::int32_t b = -1;
    Action action() const noexcept { return static_cast<Action>(key & 0xff); }
};

/// Timed actions ordered by (time, insertion order), the kernel calendar's rule
/// (kernel::earlier): one bucket per day. When a day starts its bucket is sorted by that rule
/// and read in order; actions pushed for a started day go to the kernel's heap, and the next
/// action is the earlier of the two fronts. A push is O(1) for later days, and the day's
/// actions are known in order ahead of time, so the caller can prefetch what they will touch
/// (upcoming()).
///
///     Agenda agenda(horizon_days);
///     agenda.push(t, Action::tour_end, person, stamp);   // any time, any day
///     agenda.start_day(d);                               // day d's bucket is sorted
///     while (agenda.next_time() <= now) execute(agenda.pop());
///
/// Actions at or after the horizon are dropped: the run never reaches them. Days must be
/// started in order; an action pushed for a started day (or an earlier one) goes straight to
/// the heap.
///
/// A bucket is a list of fixed-size chunks from one pool. The chunks of a started day go back
/// to the pool last in, first out, so the next pushes write into memory just read: at 100x
/// personnel a day's pushes are ~100 kB spread over many later days, and writing them into
/// memory not touched since months before cost a cache miss per 64 bytes.
class Agenda {
public:
    /// The heap of actions pushed for started days (4-ary: it is pushed and popped, never
    /// replaced at the top).
    using Heap = kernel::HeapCalendar<4, AgendaItem>;
    /// Actions per chunk (1.5 KiB).
    static constexpr std::int32_t kChunk = 64;
    /// Days of this many actions or more are sorted by radix, smaller ones by comparison.
    static constexpr std::size_t kRadixFrom = 1024;

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
            Bucket& b = buckets_[day];
            if (b.fill == kChunk) {
                const std::int32_t c = take_chunk();
                (b.tail < 0 ? b.head : link_[static_cast<std::size_t>(b.tail)]) = c;
                b.tail = c;
                b.fill = 0;
            }
            chunk(b.tail)[b.fill++] = it;
            return;
        }
        heap_.push(it);
    }
    /// Starts day `day`: its bucket becomes the sorted run. Days must be started in order.
    void start_day(std::int32_t day) {
        day_ = static_cast<std::size_t>(day);
        for (; next_ < today_.size(); ++next_)  // not reached yesterday: keep in order
            heap_.push(today_[next_]);
        today_.clear();
        next_ = 0;
        if (day_ >= buckets_.size()) return;
        Bucket& b = buckets_[day_];
        for (std::int32_t c = b.head; c >= 0;) {
            const AgendaItem* first = chunk(c);
            today_.insert(today_.end(), first, first + (c == b.tail ? b.fill : kChunk));
            const std::int32_t next = link_[static_cast<std::size_t>(c)];
            link_[static_cast<std::size_t>(c)] = free_;  // back to the pool, last in first out
            free_ = c;
            c = next;
        }
        b = Bucket{};
        sort_run();
    }
    /// True when no action of the started days is pending.
    bool empty() const noexcept { return next_ == today_.size() && heap_.empty(); }
    /// Time of the earliest action of the started days, or +infinity.
    double next_time() const noexcept {
        if (empty()) return std::numeric_limits<double>::infinity();
        return front().time;
    }
    /// Removes and returns the earliest action; the started days must have one.
    AgendaItem pop() {
        if (from_run()) return today_[next_++];
        const AgendaItem top = heap_.top();
        heap_.pop();
        return top;
    }
    /// The action `k` places ahead in the started day's sorted run (0: the next of the run),
    /// or nullptr beyond it. Actions pushed since the day started may come in between: this
    /// is for prefetching, not for deciding.
    const AgendaItem* upcoming(std::size_t k) const noexcept {
        return next_ + k < today_.size() ? &today_[next_ + k] : nullptr;
    }
    /// Actions pushed so far (including dropped ones).
    std::uint64_t pushed() const noexcept { return seq_; }

private:
    /// A day's actions: a list of chunks, the last filled up to `fill`.
    struct Bucket {
        std::int32_t head = -1, tail = -1;
        std::int32_t fill = kChunk;
    };
    /// A free chunk, the one released last; a new one when none is free.
    std::int32_t take_chunk() {
        std::int32_t c = free_;
        if (c >= 0) {
            free_ = link_[static_cast<std::size_t>(c)];
        } else {
            c = static_cast<std::int32_t>(link_.size());
            link_.push_back(-1);
            if (c % kSlab == 0)  // storage that never moves: growth copies nothing
                slabs_.push_back(std::make_unique<AgendaItem[]>(std::size_t{kSlab} * kChunk));
        }
        link_[static_cast<std::size_t>(c)] = -1;
        return c;
    }
    /// Sorts today_ by kernel::earlier. A bucket holds its actions in insertion order, which is
    /// their key order, and its times are positive (day 1 on), whose bits order as the times
    /// do: so a stable sort by the time's bits alone gives the order of (time, key). A radix
    /// sort, 11 bits a pass, over the bits that differ within the day; small days by std::sort.
    void sort_run() {
        const std::size_t n = today_.size();
        auto earlier = [](const AgendaItem& x, const AgendaItem& y) {
            return kernel::earlier(x, y);
        };
        if (n < kRadixFrom) {  // a comparison sort costs less than the radix passes' counts
            std::sort(today_.begin(), today_.end(), earlier);
            return;
        }
        auto bits = [](const AgendaItem& x) { return std::bit_cast<std::uint64_t>(x.time); };
        std::uint64_t differ = 0;
        for (const AgendaItem& x : today_)
            differ |= bits(x) ^ bits(today_[0]);
        scratch_.resize(n);
        constexpr int kBits = 11;
        constexpr std::size_t kCounts = std::size_t{1} << kBits;
        for (int shift = 0; shift < 64 && (differ >> shift) != 0; shift += kBits) {
            if (((differ >> shift) & (kCounts - 1)) == 0) continue;  // the same in every action
            std::uint32_t count[kCounts] = {};
            for (const AgendaItem& x : today_)
                ++count[(bits(x) >> shift) & (kCounts - 1)];
            std::uint32_t at = 0;
            for (std::uint32_t& c : count)
                at += std::exchange(c, at);
            for (const AgendaItem& x : today_)
                scratch_[count[(bits(x) >> shift) & (kCounts - 1)]++] = x;
            today_.swap(scratch_);
        }
        assert(std::is_sorted(today_.begin(), today_.end(), earlier));
    }
    AgendaItem* chunk(std::int32_t c) const noexcept {
        return slabs_[static_cast<std::size_t>(c / kSlab)].get() +
               static_cast<std::size_t>(c % kSlab) * kChunk;
    }
    /// True when the next action comes from the sorted run (the agenda must not be empty).
    bool from_run() const noexcept {
        return heap_.empty() ||
               (next_ < today_.size() && kernel::earlier(today_[next_], heap_.top()));
    }
    const AgendaItem& front() const noexcept { return from_run() ? today_[next_] : heap_.top(); }

    std::vector<Bucket> buckets_;
    static constexpr std::int32_t kSlab = 256;          ///< chunks per slab (384 KiB)
    std::vector<std::unique_ptr<AgendaItem[]>> slabs_;  ///< the chunks' storage
    std::vector<std::int32_t> link_;  ///< [chunk] the next chunk of its bucket, or of the free list
    std::int32_t free_ = -1;          ///< the free list's first chunk
    std::vector<AgendaItem> scratch_;  ///< the radix sort's other half
    std::vector<AgendaItem> today_;    ///< the started day's actions, sorted
    std::size_t next_ = 0;             ///< first action of today_ not popped
    Heap heap_;
    std::size_t day_ = 0;
    std::uint64_t seq_ = 0;
};

}  // namespace mss::model
