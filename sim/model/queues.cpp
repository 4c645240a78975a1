// The ready and outbound queues, with lazy deletion by ticket: arrival queues for the ready
// and the longest waiting, two kernel calendars (medevacs, everyone else) for the boarding
// order.
#include "sim/model/queues.hpp"

namespace mss::model {

Queues::Queues(std::size_t airports, Roster& roster) : roster_(roster), airports_(airports) {
    origins_.resize(airports);
    pools_.resize(airports * airports);
}

// ---- ready at the origin ---------------------------------------------------------------------

void Queues::push_ready(std::int32_t id, AirportId origin, double ready_h) {
    Origin& o = origins_[origin];
    o.ready.push({ready_h, id});
    ++o.count;
}

void Queues::join_ready(std::int32_t id, AirportId origin, double ready_h) {
    push_ready(id, origin, ready_h);
    if (on_ready_) on_ready_(origin);
}

void Queues::rejoin_ready(std::int32_t id, AirportId origin, double ready_h) {
    push_ready(id, origin, ready_h);
}

void Queues::clean_ready(Origin& o) {
    while (!o.ready.empty() && roster_.person(o.ready.front().id).state != PersonState::ready) {
        o.ready.pop();
    }
}

double Queues::oldest_ready_h(AirportId origin) {
    Origin& o = origins_[origin];
    clean_ready(o);
    return o.ready.front().ready_h;
}

std::int32_t Queues::take_ready(AirportId origin) {
    Origin& o = origins_[origin];
    clean_ready(o);
    if (o.ready.empty()) return -1;
    const std::int32_t id = o.ready.front().id;
    o.ready.pop();
    if (!o.ready.empty()) roster_.prefetch(o.ready.front().id);  // the next to board, likely
    --o.count;
    return id;
}

// ---- outbound ----------------------------------------------------------------------------------

void Queues::join_outbound(std::int32_t id, AirportId origin, AirportId at) {
    Person& p = roster_.person(id);
    if (p.pool >= 0) leave_outbound(id);
    const PoolId pid = pool(origin, at);
    Pool& pl = pools_[pid];
    p.pool = pid.value;
    ++p.ticket;
    const std::uint64_t key = std::uint64_t{static_cast<std::uint32_t>(id)} << 32 | p.ticket;
    if (p.medevac)
        pl.medevac_board.push({p.wait_since_h, key});
    else
        pl.board.push({p.tour_end_h, key});
    pl.oldest.push({p.wait_since_h, id, p.ticket});
    ++pl.count;
    if (p.medevac) ++pl.medevacs;
    if (on_outbound_) on_outbound_(origin, at);
}

void Queues::leave_outbound(std::int32_t id) {
    Person& p = roster_.person(id);
    if (p.pool < 0) return;
    Pool& pl = pools_[PoolId(p.pool)];
    --pl.count;
    if (p.medevac) --pl.medevacs;
    p.pool = -1;
    ++p.ticket;  // its heap entries are now stale
}

bool Queues::stale(PoolId pid, std::int32_t id, std::uint32_t ticket) const {
    const Person& p = roster_.person(id);
    return p.pool != pid.value || p.ticket != ticket;
}

void Queues::clean(PoolId pid, BoardHeap& h) {
    while (!h.empty() && stale(pid, h.top().id(), h.top().ticket()))
        h.pop();
}

void Queues::clean_oldest(PoolId pid) {
    Pool& pl = pools_[pid];
    while (!pl.oldest.empty() && stale(pid, pl.oldest.front().id, pl.oldest.front().ticket))
        pl.oldest.pop();
}

void Queues::warm(PoolId pid) const {
    // A pool's boarding heaps were written as people joined, days before: ask for all of them
    // at once (in sequence, which the memory system serves quickly) rather than a line per sift.
    for (const BoardHeap* h : {&pools_[pid].medevac_board, &pools_[pid].board}) {
        const auto* first = reinterpret_cast<const char*>(h->entries().data());
        for (std::size_t at = 0; at < h->size() * sizeof(BoardEntry); at += 64)
            __builtin_prefetch(first + at);
    }
}

std::int32_t Queues::take_outbound(PoolId pid) {
    // Each order is cleaned only when it is read: the other order's front is not looked at.
    Pool& pl = pools_[pid];
    clean(pid, pl.medevac_board);
    if (pl.medevac_board.empty()) clean(pid, pl.board);
    BoardHeap& h = pl.medevac_board.empty() ? pl.board : pl.medevac_board;
    if (h.empty()) return -1;
    const std::int32_t id = h.top().id();
    h.pop();
    if (!h.empty()) roster_.prefetch(h.top().id());  // the next to board, likely
    leave_outbound(id);
    clean_oldest(pid);  // its stale entries go as the pool empties, not only when it is read
    return id;
}

bool Queues::medevac_first(PoolId pid) {
    clean(pid, pools_[pid].medevac_board);
    return !pools_[pid].medevac_board.empty();
}

double Queues::oldest_medevac_h(PoolId pid) {
    clean(pid, pools_[pid].medevac_board);
    return pools_[pid].medevac_board.top().time;
}

double Queues::oldest_waiting_h(PoolId pid) {
    clean_oldest(pid);
    return pools_[pid].oldest.front().since_h;
}

}  // namespace mss::model
