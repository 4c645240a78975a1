// The event calendar: a d-ary min-heap of entries ordered by (time, priority, insertion
// sequence). It is the hottest structure of the kernel; the arity was chosen by measurement
// (docs/kernel.md, "Time and the calendar"), and other arities are kept so the tests run one
// behavioural test against each. The heap is generic over its entry type: the model's
// personnel agenda (sim/model/agenda.hpp) orders its timed actions, and its outbound queues
// (sim/model/queues.hpp) their boarding orders, with the same heap and the same rule.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mss::kernel {

/// What a calendar can order: an entry with a `time` in hours and a 64-bit `key` that breaks
/// ties at equal times (lower first). Keys must be unique among pending entries, so that the
/// order is total and does not depend on the heap's layout.
template <class E>
concept TimedEntry =
    std::same_as<decltype(E::time), double> && std::same_as<decltype(E::key), std::uint64_t>;

/// One pending calendar entry: what happens at `time`.
struct CalendarEntry {
    double time;            ///< hours since the scenario start
    std::uint64_t key;      ///< priority in the top 8 bits, insertion sequence in the low 56
    std::uintptr_t target;  ///< tagged pointer to what is woken (see Simulation::dispatch)
};

/// The ordering rule, written once: earlier time first; at equal times the lower key first.
/// For the kernel's entries the key is (priority, insertion sequence), so at equal times lower
/// priority value first and at equal priority the entry scheduled first; the agenda's key is its
/// insertion sequence. No pointer or hash ever breaks a tie.
template <TimedEntry E>
inline bool earlier(const E& a, const E& b) noexcept {
    return a.time < b.time || (a.time == b.time && a.key < b.key);
}

/// `earlier` without short-circuit branches (compiles to flag arithmetic).
template <TimedEntry E>
inline bool earlier_bits(const E& a, const E& b) noexcept {
    return (a.time < b.time) | ((a.time == b.time) & (a.key < b.key));
}

/// A d-ary min-heap calendar of `Entry`s, ordered by `earlier`. `replace_top` pops the earliest
/// entry and pushes a new one in a single sift, which the simulation uses when the entry being
/// handled schedules the next.
template <unsigned Arity, TimedEntry Entry = CalendarEntry>
class HeapCalendar {
    static_assert(Arity >= 2, "a heap needs at least two children per node");

public:
    using entry_type = Entry;

    /// True when nothing is scheduled.
    bool empty() const noexcept { return a_.empty(); }
    /// Number of pending entries.
    std::size_t size() const noexcept { return a_.size(); }
    /// The earliest entry; the calendar must not be empty.
    const Entry& top() const noexcept { return a_.front(); }
    /// All pending entries, in heap order (for teardown and inspection, not for ordering).
    const std::vector<Entry>& entries() const noexcept { return a_; }
    /// Reserves room for `n` entries.
    void reserve(std::size_t n) { a_.reserve(n); }
    /// Drops every entry.
    void clear() noexcept { a_.clear(); }

    /// Adds an entry.
    void push(const Entry& e) {
        std::size_t i = a_.size();
        a_.push_back(e);
        while (i > 0) {
            const std::size_t parent = (i - 1) / Arity;
            if (!earlier(e, a_[parent])) break;
            a_[i] = a_[parent];
            i = parent;
        }
        a_[i] = e;
    }

    /// Removes the earliest entry; the calendar must not be empty.
    void pop() {
        const Entry last = a_.back();
        a_.pop_back();
        if (!a_.empty()) sift_down(last);
    }

    /// Removes the earliest entry and adds `e`, in one sift.
    void replace_top(const Entry& e) { sift_down(e); }

private:
    // Floyd's bottom-up sift: move the hole from the root to a leaf along the earlier child
    // (one comparison per level among the children), then sift `e` up from there. New entries
    // are usually later than most pending ones, so the way up is short; this does about half
    // the comparisons of the textbook sift-down.
    void sift_down(const Entry& e) noexcept {
        const std::size_t n = a_.size();
        Entry* a = a_.data();
        std::size_t i = 0;
        for (;;) {
            const std::size_t first = Arity * i + 1;
            if (first >= n) break;
            std::size_t best = first;
            if constexpr (Arity == 2) {
                // Branch-free choice of the earlier child: the outcome is a coin flip, which
                // a branch predictor cannot learn.
                if (first + 1 < n)
                    best += static_cast<std::size_t>(earlier_bits(a[first + 1], a[first]));
            } else {
                const std::size_t end = first + Arity < n ? first + Arity : n;
                for (std::size_t c = first + 1; c < end; ++c)
                    if (earlier(a[c], a[best])) best = c;
            }
            a[i] = a[best];
            i = best;
        }
        while (i > 0) {
            const std::size_t parent = (i - 1) / Arity;
            if (!earlier(e, a[parent])) break;
            a[i] = a[parent];
            i = parent;
        }
        a[i] = e;
    }

    std::vector<Entry> a_;
};

}  // namespace mss::kernel
