// Onward transfer (DESIGN §3 "Onward transfer"): helicopter shuttles or road convoys between
// an alternate airport and theatre. Each vehicle is one process based in theatre: it carries
// outbound personnel to its alternate when their sorties are planned there (gateway shut,
// plan_alternate), brings in personnel landed at the alternate, and brings back outbound
// personnel stranded at the alternate once their sorties use the gateway again.
#include <algorithm>
#include <limits>

#include "sim/model/mission.hpp"

namespace mss::model {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

int Mission::outbound_alternate(int origin) const {
    const std::uint8_t classes = airports_[static_cast<std::size_t>(origin)].origin_classes;
    const int ri = origins_[static_cast<std::size_t>(origin)].route;
    if (classes == 0 || ri < 0) return -1;
    const RouteRt& r = routes_[static_cast<std::size_t>(ri)];
    if (r.rule != ClosureRule::plan_alternate) return -1;
    for (int k = 0; k < kOperatorClassCount; ++k)
        if ((classes & (1u << k)) && !closed(gateway_, static_cast<OperatorClass>(k))) return -1;
    for (const AlternateRt& alt : r.alternates) {
        const AirportRt& ap = airports_[static_cast<std::size_t>(alt.airport)];
        if (!ap.has_link) continue;
        for (int k = 0; k < kOperatorClassCount; ++k)
            if ((classes & (1u << k)) && ap.closed[k] == 0) return alt.airport;
    }
    return -1;
}

bool Mission::link_has_work(const LinkRt& l) {
    if (l.cut > 0) return false;
    const auto a = static_cast<std::size_t>(l.airport);
    if (alt_inbound_head_[a] < alt_inbound_[a].size()) return true;
    for (std::size_t o = 0; o < origins_.size(); ++o) {
        if (origins_[o].route < 0) continue;
        const int oa = outbound_alternate(static_cast<int>(o));
        if (oa == l.airport && pool(static_cast<int>(o), gateway_).count > 0) return true;
        if (oa != l.airport && pool(static_cast<int>(o), l.airport).count > 0) return true;
    }
    return false;
}

void Mission::poke_links() {
    for (const auto& v : vehicles_) {
        if (!v->sleep.asleep || v->sleep.ev.triggered()) continue;
        // An idle vehicle wakes only for work; one waiting out a cut re-checks on every poke.
        if (v->idle && !link_has_work(links_[static_cast<std::size_t>(v->link)])) continue;
        wake(v->sleep);
    }
}

kernel::Process<> Mission::shuttle(std::size_t index) {
    Vehicle& v = *vehicles_[index];
    LinkRt& l = links_[static_cast<std::size_t>(v.link)];
    const int alt = l.airport;
    const auto cap = static_cast<std::size_t>(l.seats);
    for (;;) {
        while (!link_has_work(l)) {
            v.idle = true;
            co_await nap(v.sleep, kInf);
            v.sleep.asleep = false;
            v.idle = false;
        }

        // Theatre -> alternate, with outbound personnel whose sorties are planned there
        // (medevacs of every origin first).
        v.out_cabin.clear();
        for (int pass = 0; pass < 2; ++pass) {
            for (std::size_t o = 0; o < origins_.size() && v.out_cabin.size() < cap; ++o) {
                if (origins_[o].route < 0 || outbound_alternate(static_cast<int>(o)) != alt)
                    continue;
                Pool& pl = pool(static_cast<int>(o), gateway_);
                while (v.out_cabin.size() < cap) {
                    pool_clean(pl);
                    if (pl.board.empty() || (pass == 0 && pl.board.front().rank != 0)) break;
                    const std::int32_t id = pool_pop(pl);
                    const PersonState s = roster_.person(id).state;
                    if (s == PersonState::on_duty || s == PersonState::injured) leave_theatre(id);
                    v.out_cabin.push_back(id);
                }
            }
        }
        double trip = sample(*l.trip, *l.trip_stream);
        l.trips += 1;
        co_await sim_.timeout(trip);
        for (std::int32_t id : v.out_cabin) {
            Person& p = roster_.person(id);
            p.location = static_cast<std::int16_t>(alt);
            pool_push(id, contingents_[static_cast<std::size_t>(p.contingent)].origin, alt);
        }
        v.out_cabin.clear();

        while (l.cut > 0) {  // a cut link holds the vehicle where it is
            v.idle = false;
            co_await nap(v.sleep, kInf);
            v.sleep.asleep = false;
        }

        // Alternate -> theatre: stranded medevacs, then arrivals (first come, first served),
        // then other stranded outbound personnel.
        v.in_cabin.clear();
        v.back_cabin.clear();
        auto take_back = [&](bool medevacs_only) {
            for (std::size_t o = 0; o < origins_.size(); ++o) {
                if (origins_[o].route < 0 || outbound_alternate(static_cast<int>(o)) == alt)
                    continue;
                Pool& pl = pool(static_cast<int>(o), alt);
                while (v.in_cabin.size() + v.back_cabin.size() < cap) {
                    pool_clean(pl);
                    if (pl.board.empty() || (medevacs_only && pl.board.front().rank != 0)) break;
                    v.back_cabin.push_back(pool_pop(pl));
                }
            }
        };
        take_back(true);
        auto& q = alt_inbound_[static_cast<std::size_t>(alt)];
        auto& head = alt_inbound_head_[static_cast<std::size_t>(alt)];
        while (head < q.size() && v.in_cabin.size() + v.back_cabin.size() < cap)
            v.in_cabin.push_back(q[head++]);
        if (head == q.size()) {
            q.clear();
            head = 0;
        }
        take_back(false);
        trip = sample(*l.trip, *l.trip_stream);
        l.trips += 1;
        co_await sim_.timeout(trip);
        for (std::int32_t id : v.in_cabin)
            arrive_theatre(id);
        for (std::int32_t id : v.back_cabin) {
            Person& p = roster_.person(id);
            p.location = static_cast<std::int16_t>(gateway_);
            pool_push(id, contingents_[static_cast<std::size_t>(p.contingent)].origin, gateway_);
        }
        v.in_cabin.clear();
        v.back_cabin.clear();
    }
}

}  // namespace mss::model
