// The ready and outbound queues, with lazy deletion by ticket: arrival queues for the ready
// and the longest waiting, a binary heap for the boarding order.
#include "sim/model/queues.hpp"

#include <algorithm>

namespace mss::model {

namespace {
// Heap orders: the smallest element first. Function objects, so that the heap algorithms
// inline them.
constexpr auto board_later = [](const auto& x, const auto& y) {
    if (x.rank != y.rank) return x.rank > y.rank;
    if (x.key != y.key) return x.key > y.key;
    return x.id > y.id;
};

}  // namespace

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
    const std::uint8_t rank = p.medevac ? 0 : 1;
    pl.board.push_back({rank, p.medevac ? p.wait_since_h : p.tour_end_h, id, p.ticket});
    std::push_heap(pl.board.begin(), pl.board.end(), board_later);
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

void Queues::clean(PoolId pid) {
    Pool& pl = pools_[pid];
    auto stale = [&](std::int32_t id, std::uint32_t ticket) {
        const Person& p = roster_.person(id);
        return p.pool != pid.value || p.ticket != ticket;
    };
    while (!pl.board.empty() && stale(pl.board.front().id, pl.board.front().ticket)) {
        std::pop_heap(pl.board.begin(), pl.board.end(), board_later);
        pl.board.pop_back();
    }
    while (!pl.oldest.empty() && stale(pl.oldest.front().id, pl.oldest.front().ticket)) {
        pl.oldest.pop();
    }
}

void Queues::warm(PoolId pid) const {
    // A pool's boarding heap was written as people joined, days before: ask for all of it at
    // once (in sequence, which the memory system serves quickly) rather than a line per sift.
    const std::vector<BoardEntry>& b = pools_[pid].board;
    const auto* first = reinterpret_cast<const char*>(b.data());
    for (std::size_t at = 0; at < b.size() * sizeof(BoardEntry); at += 64)
        __builtin_prefetch(first + at);
}

std::int32_t Queues::take_outbound(PoolId pid) {
    clean(pid);
    Pool& pl = pools_[pid];
    if (pl.board.empty()) return -1;
    const std::int32_t id = pl.board.front().id;
    std::pop_heap(pl.board.begin(), pl.board.end(), board_later);
    pl.board.pop_back();
    // The next to board is the new front or, after it, one of its children: ask for them.
    for (std::size_t i = 0; i < std::min<std::size_t>(3, pl.board.size()); ++i)
        roster_.prefetch(pl.board[i].id);
    leave_outbound(id);
    return id;
}

bool Queues::medevac_first(PoolId pid) {
    clean(pid);
    const Pool& pl = pools_[pid];
    return !pl.board.empty() && pl.board.front().rank == 0;
}

double Queues::oldest_medevac_h(PoolId pid) {
    clean(pid);
    return pools_[pid].board.front().key;
}

double Queues::oldest_waiting_h(PoolId pid) {
    clean(pid);
    return pools_[pid].oldest.front().since_h;
}

}  // namespace mss::model
