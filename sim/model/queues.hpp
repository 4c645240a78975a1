// Who waits for a seat (DESIGN §3 "Airlift"): personnel ready at their origin airport, oldest
// ready first; and, per (origin, Haitian airport), the outbound queue of personnel waiting there
// to fly home, medevacs first and then by tour end, with the seats of the sorties already on
// their way to take them. The airlift boards from these queues, the transfer links move people
// between them, and the personnel rules put people in and take them out.
//
// Queue entries are not erased when a person leaves a queue early (killed, attrited, moved):
// the person's ticket changes and the stale entry is skipped when it reaches the front.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "sim/kernel/calendar.hpp"
#include "sim/model/arrival_queue.hpp"
#include "sim/model/ids.hpp"
#include "sim/model/roster.hpp"

namespace mss::model {

/// The ready queues of every origin and the outbound queues of every (origin, airport).
class Queues {
public:
    /// Queues for `airports` airports.
    Queues(std::size_t airports, Roster& roster);

    /// Called when someone becomes ready at `origin` or joins an outbound queue of `origin`
    /// at `at` (the airlift pokes that origin's idle aircraft, the links may get work).
    void on_ready(std::function<void(AirportId origin)> f) { on_ready_ = std::move(f); }
    void on_outbound(std::function<void(AirportId origin, AirportId at)> f) {
        on_outbound_ = std::move(f);
    }

    // ---- ready at the origin ---------------------------------------------------------------
    /// Person `id` (state ready, ready since `ready_h`) joins `origin`'s queue.
    void join_ready(std::int32_t id, AirportId origin, double ready_h);
    /// The same, back from a cancelled sortie keeping their place; nobody is told.
    void rejoin_ready(std::int32_t id, AirportId origin, double ready_h);
    /// A ready person of `origin` left the queue without boarding (stood down).
    void leave_ready(AirportId origin) { --origins_[origin].count; }
    /// Ready personnel at `origin`.
    std::int64_t ready_count(AirportId origin) const { return origins_[origin].count; }
    /// When the longest-waiting ready person at `origin` became ready (ready_count > 0).
    double oldest_ready_h(AirportId origin);
    /// Takes the longest-waiting ready person at `origin`, or -1 when none.
    std::int32_t take_ready(AirportId origin);

    // ---- outbound -----------------------------------------------------------------------------
    /// The outbound queue of `origin` at `at`.
    PoolId pool(AirportId origin, AirportId at) const {
        return PoolId(origin.index() * airports_ + at.index());
    }
    /// Person `id` joins `origin`'s queue at `at` (leaving the queue it was in).
    void join_outbound(std::int32_t id, AirportId origin, AirportId at);
    /// Person `id` leaves their outbound queue, if any.
    void leave_outbound(std::int32_t id);
    /// Asks the cache for `p`'s boarding order before many are taken (a hint: changes nothing).
    void warm(PoolId p) const;
    /// Takes the first to board from `p` (medevacs first, then by tour end), or -1 when none.
    std::int32_t take_outbound(PoolId p);
    /// People in `p`.
    std::int64_t count(PoolId p) const { return pools_[p].count; }
    /// Medevacs in `p`.
    std::int64_t medevacs(PoolId p) const { return pools_[p].medevacs; }
    /// Seats of sorties on their way to take `p`'s people, not yet boarded.
    std::int64_t en_route(PoolId p) const { return pools_[p].en_route; }
    void add_en_route(PoolId p, std::int64_t seats) { pools_[p].en_route += seats; }
    /// True when the first to board from `p` is a medevac (false when `p` is empty).
    bool medevac_first(PoolId p);
    /// When the longest-waiting medevac of `p` started waiting (medevacs(p) > 0).
    double oldest_medevac_h(PoolId p);
    /// When the longest-waiting person of `p` started waiting (count(p) > 0).
    double oldest_waiting_h(PoolId p);
    std::size_t pools() const noexcept { return pools_.size(); }

private:
    struct ReadyEntry {
        double ready_h;
        std::int32_t id;
    };
    /// A place in a boarding order, ordered by kernel::earlier: by `time` (a medevac's wait
    /// start, anyone else's tour end), then by person id. The key holds the id in its high
    /// half and the person's ticket in its low half, so it is unique among pending entries.
    struct BoardEntry {
        double time;
        std::uint64_t key;
        std::int32_t id() const noexcept { return static_cast<std::int32_t>(key >> 32); }
        std::uint32_t ticket() const noexcept { return static_cast<std::uint32_t>(key); }
    };
    /// A boarding order: a 4-ary heap, the kernel calendar's.
    using BoardHeap = kernel::HeapCalendar<4, BoardEntry>;
    struct WaitEntry {
        double since_h;
        std::int32_t id;
        std::uint32_t ticket;
    };
    struct ReadyLater {
        bool operator()(const ReadyEntry& x, const ReadyEntry& y) const noexcept {
            return x.ready_h > y.ready_h || (x.ready_h == y.ready_h && x.id > y.id);
        }
    };
    /// By wait start alone: the queue answers only when the longest wait began, which is the
    /// same whichever of the entries that tie comes first. Without an id tie-break, people who
    /// start waiting at the same instant go to the arrival queue's FIFO, not to its heap.
    struct WaitLater {
        bool operator()(const WaitEntry& x, const WaitEntry& y) const noexcept {
            return x.since_h > y.since_h;
        }
    };
    struct Origin {
        ArrivalQueue<ReadyEntry, ReadyLater> ready;  ///< by (ready time, id)
        std::int64_t count = 0;
    };
    struct Pool {
        BoardHeap medevac_board;                    ///< medevacs, who board first: by wait start
        BoardHeap board;                            ///< everyone else: by tour end
        ArrivalQueue<WaitEntry, WaitLater> oldest;  ///< by wait start
        std::int64_t count = 0;
        std::int64_t medevacs = 0;
        std::int64_t en_route = 0;
    };
    void push_ready(std::int32_t id, AirportId origin, double ready_h);
    void clean_ready(Origin& o);
    /// True when the entry of person `id` with `ticket` no longer stands for them in `p`.
    bool stale(PoolId p, std::int32_t id, std::uint32_t ticket) const;
    /// Drops stale entries from the front of `h`, one of `p`'s boarding orders.
    void clean(PoolId p, BoardHeap& h);
    /// Drops stale entries from the front of `p`'s queue of wait starts.
    void clean_oldest(PoolId p);

    Roster& roster_;
    std::size_t airports_;
    Table<AirportId, Origin> origins_;
    Table<PoolId, Pool> pools_;
    std::function<void(AirportId)> on_ready_;
    std::function<void(AirportId, AirportId)> on_outbound_;
};

}  // namespace mss::model
