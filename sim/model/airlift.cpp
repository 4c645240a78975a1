// Airlift (DESIGN §3 "Airlift", "Airports"): the outbound queues at Haitian airports, the
// launch rule, and the sortie loop of one airframe: board at home, fly, land (or hold, divert,
// return), hand over, board the return leg, fly home, turn around.
#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/model/mission.hpp"

namespace mss::model {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool board_later(const auto& x, const auto& y) {  // heap order: smallest (rank, key, id) first
    if (x.rank != y.rank) return x.rank > y.rank;
    if (x.key != y.key) return x.key > y.key;
    return x.id > y.id;
}
bool wait_later(const auto& x, const auto& y) {
    return x.since_h > y.since_h || (x.since_h == y.since_h && x.id > y.id);
}
bool ready_later(const auto& x, const auto& y) {
    return x.ready_h > y.ready_h || (x.ready_h == y.ready_h && x.id > y.id);
}

}  // namespace

// ---- outbound queues -------------------------------------------------------------------------

std::int32_t Mission::pool_index(int origin, int at) const {
    return static_cast<std::int32_t>(static_cast<std::size_t>(origin) * airports_.size() +
                                     static_cast<std::size_t>(at));
}

Mission::Pool& Mission::pool(int origin, int at) {
    Pool& p = pools_[static_cast<std::size_t>(pool_index(origin, at))];
    p.origin = origin;
    p.at = at;
    return p;
}

void Mission::pool_push(std::int32_t id, int origin, int at) {
    Person& p = roster_.person(id);
    if (p.pool >= 0) pool_remove(id);
    Pool& pl = pool(origin, at);
    p.pool = pool_index(origin, at);
    ++p.ticket;
    const std::uint8_t rank = p.medevac ? 0 : 1;
    pl.board.push_back({rank, p.medevac ? p.wait_since_h : p.tour_end_h, id, p.ticket});
    std::push_heap(pl.board.begin(), pl.board.end(), board_later<PoolEntry, PoolEntry>);
    pl.oldest.push_back({p.wait_since_h, id, p.ticket});
    std::push_heap(pl.oldest.begin(), pl.oldest.end(), wait_later<WaitEntry, WaitEntry>);
    ++pl.count;
    if (p.medevac) ++pl.medevacs;
    poke_origin(origin);
    // Links carry people out only while the gateway is closed to some class.
    const AirportRt& gw = airports_[static_cast<std::size_t>(gateway_)];
    if (at == gateway_ && (gw.closed[0] > 0 || gw.closed[1] > 0 || gw.closed[2] > 0)) poke_links();
}

void Mission::pool_remove(std::int32_t id) {
    Person& p = roster_.person(id);
    if (p.pool < 0) return;
    Pool& pl = pools_[static_cast<std::size_t>(p.pool)];
    --pl.count;
    if (p.medevac) --pl.medevacs;
    p.pool = -1;
    ++p.ticket;  // its heap entries are now stale
}

void Mission::pool_clean(Pool& pl) {
    const std::int32_t idx = pool_index(pl.origin, pl.at);
    auto stale = [&](std::int32_t id, std::uint32_t ticket) {
        const Person& p = roster_.person(id);
        return p.pool != idx || p.ticket != ticket;
    };
    while (!pl.board.empty() && stale(pl.board.front().id, pl.board.front().ticket)) {
        std::pop_heap(pl.board.begin(), pl.board.end(), board_later<PoolEntry, PoolEntry>);
        pl.board.pop_back();
    }
    while (!pl.oldest.empty() && stale(pl.oldest.front().id, pl.oldest.front().ticket)) {
        std::pop_heap(pl.oldest.begin(), pl.oldest.end(), wait_later<WaitEntry, WaitEntry>);
        pl.oldest.pop_back();
    }
}

std::int32_t Mission::pool_pop(Pool& pl) {
    pool_clean(pl);
    if (pl.board.empty()) return -1;
    const std::int32_t id = pl.board.front().id;
    std::pop_heap(pl.board.begin(), pl.board.end(), board_later<PoolEntry, PoolEntry>);
    pl.board.pop_back();
    pool_remove(id);
    return id;
}

void Mission::origin_clean(OriginRt& o) {
    while (!o.ready.empty() && roster_.person(o.ready.front().id).state != PersonState::ready) {
        std::pop_heap(o.ready.begin(), o.ready.end(), ready_later<ReadyEntry, ReadyEntry>);
        o.ready.pop_back();
    }
}

// ---- the launch rule -------------------------------------------------------------------------

int Mission::first_open_alternate(const RouteRt& r, OperatorClass c, int after) const {
    for (std::size_t i = static_cast<std::size_t>(after + 1); i < r.alternates.size(); ++i) {
        const int ap = r.alternates[i].airport;
        if (airports_[static_cast<std::size_t>(ap)].has_link && !closed(ap, c))
            return static_cast<int>(i);
    }
    return -1;
}

Mission::SortiePlan Mission::plan_sortie(const Airframe& a) {
    SortiePlan plan;
    plan.wake_h = kInf;
    if (closed(a.origin, a.cls)) return plan;  // woken when the closure changes
    const RouteRt& r = routes_[static_cast<std::size_t>(a.route)];
    int dest = -1;
    if (!closed(gateway_, a.cls)) {
        dest = gateway_;
    } else if (r.rule == ClosureRule::plan_alternate) {
        const int i = first_open_alternate(r, a.cls);
        if (i >= 0) dest = r.alternates[static_cast<std::size_t>(i)].airport;
    }
    if (dest < 0) return plan;  // the gateway is known to be closed to this class
    const double now = sim_.now();
    const std::int64_t threshold =
        std::max<std::int64_t>(1, std::min<std::int64_t>(r.min_load, a.seats));

    bool inbound = false, outbound = false, medevac = false;
    OriginRt& o = origins_[static_cast<std::size_t>(a.origin)];
    origin_clean(o);
    std::int64_t room = a.seats;
    if (beds_ >= 0)
        room = std::min(room, beds_ - roster_.in_theatre_total() - roster_.inbound_total());
    if (o.ready_count > 0 && room > 0) {
        if (std::min(o.ready_count, room) >= threshold) {
            inbound = true;
        } else {
            const double t = o.ready.front().ready_h + r.max_wait_h;
            if (now >= t)
                inbound = true;
            else
                plan.wake_h = std::min(plan.wake_h, t);
        }
    }
    // Outbound demand is what the sorties already on their way there will not take: they board
    // medevacs first, so their seats cover the medevacs before anyone else.
    Pool& pl = pool(a.origin, dest);
    pool_clean(pl);
    const std::int64_t uncovered = pl.count - pl.en_route;
    if (uncovered > 0) {
        if (uncovered >= threshold) {
            outbound = true;
        } else {
            const double t = pl.oldest.front().since_h + r.max_wait_h;
            if (now >= t)
                outbound = true;
            else
                plan.wake_h = std::min(plan.wake_h, t);
        }
    }
    if (pl.medevacs > pl.en_route) {
        const double t = pl.board.front().key + max_medevac_wait_h_;  // oldest medevac
        if (now >= t)
            medevac = true;
        else
            plan.wake_h = std::min(plan.wake_h, t);
    }
    plan.launch = inbound || outbound || medevac;
    plan.dest = dest;
    plan.medevac_only = medevac && !inbound && !outbound;
    return plan;
}

void Mission::head_for(Airframe& a, int airport) {
    const int to = airport < 0 ? -1 : pool_index(a.origin, airport);
    if (to == a.bound_for) return;
    const int from = a.bound_for;
    if (from >= 0) pools_[static_cast<std::size_t>(from)].en_route -= a.seats;
    if (to >= 0) pool(a.origin, airport).en_route += a.seats;
    a.bound_for = to;
    if (from >= 0) poke_origin(a.origin);  // demand it no longer takes may call another sortie
}

void Mission::poke(Airframe& a) {
    // Wake an idle aircraft when it should launch now, or when a time threshold of the launch
    // rule has moved earlier than the one it sleeps until.
    if (!a.idle || !a.sleep.asleep || a.sleep.ev.triggered()) return;
    const SortiePlan plan = plan_sortie(a);
    if (plan.launch || plan.wake_h < a.nap_until_h) wake(a.sleep);
}

void Mission::poke_origin(int origin) {
    for (int i : origins_[static_cast<std::size_t>(origin)].aircraft)
        poke(*airframes_[static_cast<std::size_t>(i)]);
}

void Mission::poke_all_aircraft() {
    for (const auto& f : airframes_)
        poke(*f);
}

// ---- the sortie loop -------------------------------------------------------------------------

kernel::Process<> Mission::fly(std::size_t index) {
    Airframe& a = *airframes_[index];
    const RouteRt& r = routes_[static_cast<std::size_t>(a.route)];
    AirportRt& home = airports_[static_cast<std::size_t>(a.origin)];
    OriginRt& o = origins_[static_cast<std::size_t>(a.origin)];
    for (;;) {
        // Wait for the launch rule.
        SortiePlan plan = plan_sortie(a);
        while (!plan.launch) {
            a.idle = true;
            a.nap_until_h = plan.wake_h;
            co_await nap(a.sleep, plan.wake_h - sim_.now());
            a.sleep.asleep = false;
            a.idle = false;
            plan = plan_sortie(a);
        }

        // Board inbound: oldest ready first, up to the seats and the free beds.
        a.cabin.clear();
        std::int64_t room = a.seats;
        if (beds_ >= 0)
            room = std::min(room, beds_ - roster_.in_theatre_total() - roster_.inbound_total());
        while (room > 0) {
            origin_clean(o);
            if (o.ready.empty()) break;
            const std::int32_t id = o.ready.front().id;
            std::pop_heap(o.ready.begin(), o.ready.end(), ready_later<ReadyEntry, ReadyEntry>);
            o.ready.pop_back();
            --o.ready_count;
            roster_.set_state(id, PersonState::in_transit_in);
            roster_.person(id).location = -1;
            a.cabin.push_back(id);
            --room;
        }
        record(EventKind::sortie_launched, -1, a.origin, static_cast<std::int64_t>(a.cabin.size()));
        if (plan.medevac_only)
            record(EventKind::medevac_flight, -1, a.origin, pool(a.origin, plan.dest).medevacs);
        head_for(a, plan.dest);

        // Fly to the planned destination (the gateway, or an alternate under plan_alternate).
        int dest = plan.dest;
        int alt_index = -1;  // index in r.alternates of `dest`, -1 for the gateway
        for (std::size_t i = 0; i < r.alternates.size(); ++i)
            if (dest != gateway_ && r.alternates[i].airport == dest)
                alt_index = static_cast<int>(i);
        double leg = sample(
            alt_index < 0 ? *r.block : *r.alternates[static_cast<std::size_t>(alt_index)].block,
            *a.block_stream);
        co_await sim_.timeout(leg);
        a.block_h += leg;

        // Arrive: land if open (after a parking slot), else follow the route's closure rule.
        int landed = -1;
        bool held = false;
        kernel::Resource::Token slot;
        for (;;) {
            AirportRt& ap = airports_[static_cast<std::size_t>(dest)];
            if (!closed(dest, a.cls)) {
                slot = co_await ap.mog->request();
                if (!closed(dest, a.cls)) {
                    landed = dest;
                    break;
                }
                slot.release();  // closed while waiting for a slot: decide again
                continue;
            }
            if (dest == gateway_ && r.rule == ClosureRule::hold && !held) {
                held = true;
                const double start = sim_.now();
                const double until = start + r.max_hold_h;
                while (closed(dest, a.cls) && sim_.now() < until) {
                    ap.waiters.push_back(&a.sleep);
                    co_await nap(a.sleep, until - sim_.now());
                    a.sleep.asleep = false;
                }
                a.block_h += sim_.now() - start;
                continue;
            }
            if (dest == gateway_ && r.rule == ClosureRule::return_origin) break;
            const int next = first_open_alternate(r, a.cls, alt_index);
            if (next < 0) break;  // every alternate closed: return
            const AlternateRt& alt = r.alternates[static_cast<std::size_t>(next)];
            head_for(a, alt.airport);
            leg = sample(*alt.divert, *a.block_stream);
            co_await sim_.timeout(leg);
            a.block_h += leg;
            dest = alt.airport;
            alt_index = next;
        }

        const bool cancelled = landed < 0;
        if (cancelled) head_for(a, -1);
        if (!cancelled) {
            AirportRt& ap = airports_[static_cast<std::size_t>(landed)];
            flights_flown_ += 1;
            const auto n = static_cast<std::int64_t>(a.cabin.size());
            record(EventKind::landed, -1, landed, n);
            if (landed != gateway_) {
                flights_diverted_ += 1;
                record(EventKind::diverted, -1, landed, n);
                auto& q = alt_inbound_[static_cast<std::size_t>(landed)];
                for (std::int32_t id : a.cabin) {
                    roster_.person(id).location = static_cast<std::int16_t>(landed);
                    q.push_back(id);
                }
                poke_links();
            } else {
                for (std::int32_t id : a.cabin)
                    arrive_theatre(id);
            }
            a.cabin.clear();
            co_await sim_.timeout(sample(*ap.handling, *ap.handling_stream));
            // A closure holds an aircraft on the ground.
            while (closed(landed, a.cls)) {
                ap.waiters.push_back(&a.sleep);
                co_await nap(a.sleep, kInf);
                a.sleep.asleep = false;
            }
            // Board the return leg: this origin's people waiting here, medevacs first, then by
            // tour end.
            Pool& pl = pool(a.origin, landed);
            while (a.cabin.size() < static_cast<std::size_t>(a.seats)) {
                const std::int32_t id = pool_pop(pl);
                if (id < 0) break;
                const PersonState s = roster_.person(id).state;
                if (s == PersonState::on_duty || s == PersonState::injured) leave_theatre(id);
                roster_.person(id).location = -1;
                a.cabin.push_back(id);
            }
            head_for(a, -1);
            slot.release();
        }

        leg = sample(
            alt_index < 0 ? *r.block : *r.alternates[static_cast<std::size_t>(alt_index)].block,
            *a.block_stream);
        co_await sim_.timeout(leg);
        a.block_h += leg;
        while (closed(a.origin, a.cls)) {  // hold until the home base reopens
            const double start = sim_.now();
            home.waiters.push_back(&a.sleep);
            co_await nap(a.sleep, kInf);
            a.sleep.asleep = false;
            a.block_h += sim_.now() - start;
        }
        {
            auto home_slot = co_await home.mog->request();
            const auto n = static_cast<std::int64_t>(a.cabin.size());
            if (cancelled) {
                flights_cancelled_ += 1;
                record(EventKind::cancelled, -1, a.origin, n);
                for (std::int32_t id : a.cabin) {  // back in the queue, keeping their place
                    Person& p = roster_.person(id);
                    roster_.set_state(id, PersonState::ready);
                    p.location = static_cast<std::int16_t>(a.origin);
                    o.ready.push_back({p.ready_h, id});
                    std::push_heap(o.ready.begin(), o.ready.end(),
                                   ready_later<ReadyEntry, ReadyEntry>);
                    ++o.ready_count;
                }
                a.cabin.clear();
                poke_origin(a.origin);
            } else {
                for (std::int32_t id : a.cabin) {
                    roster_.set_state(id, PersonState::home);
                    Person& p = roster_.person(id);
                    p.location = static_cast<std::int16_t>(a.origin);
                    if (p.medevac) medevacs_ += 1;  // a patient evacuated
                }
                pax_out_ += static_cast<double>(n);
                record(EventKind::returned_home, -1, a.origin, n);
                a.cabin.clear();
            }
            co_await sim_.timeout(sample(*home.handling, *home.handling_stream));
        }
        co_await sim_.timeout(cfg_.airlift.turnaround_h);
    }
}

}  // namespace mss::model
