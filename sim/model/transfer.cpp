// Transfer links: set-up and the vehicle loop.
#include "sim/model/transfer.hpp"

#include <algorithm>
#include <limits>

#include "sim/model/agenda.hpp"
#include "sim/model/airlift.hpp"
#include "sim/model/personnel.hpp"

namespace mss::model {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

Transfer::Transfer(const ModelConfig& cfg, kernel::Simulation& sim, kernel::StreamFactory& streams,
                   Roster& roster, Airports& airports, Queues& queues, EventLog& log)
    : sim_(sim),
      roster_(roster),
      airports_(airports),
      queues_(queues),
      log_(log),
      gateway_(airports.gateway()) {
    arrivals_.resize(airports.size());
    arrivals_head_.resize(airports.size());
    for (const TransferLinkConfig& l : cfg.links) {
        Link lr;
        lr.airport = airports.id(l.airport);
        lr.seats = l.seats_per_trip;
        lr.cost = l.cost_per_trip_usd;
        lr.trip.emplace(l.trip_h);
        lr.trip_stream.emplace(streams.stream("link/" + l.name + "/trip"));
        if (l.vehicles > 0) airports.add_link(lr.airport);
        const LinkId li = links_.push_back(std::move(lr));
        for (std::int32_t k = 0; k < l.vehicles; ++k) {
            auto v = std::make_unique<Vehicle>(sim_);
            v->link = li;
            vehicles_.push_back(std::move(v));
        }
    }
}

void Transfer::start() {
    for (VehicleId i : vehicles_.ids())
        vehicles_[i]->proc = shuttle(i);
}

void Transfer::accrue_cost_usd(double& total) const {
    for (const Link& l : links_)
        total += l.trips * l.cost;
}

double Transfer::trip_h(Link& l) {
    return std::max(0.0, l.trip->sample(*l.trip_stream));
}

void Transfer::cut(LinkId li, double until_h, Agenda& agenda) {
    Link& l = links_[li];
    ++l.cut;
    log_.record(EventKind::link_cut, ContingentId(), l.airport, li.value);
    agenda.push(until_h, Action::link_restore, li.value);
}

void Transfer::restore(LinkId li) {
    Link& l = links_[li];
    --l.cut;
    log_.record(EventKind::link_restored, ContingentId(), l.airport, li.value);
    poke();
}

bool Transfer::has_work(const Link& l) {
    if (l.cut > 0) return false;
    if (arrivals_head_[l.airport] < arrivals_[l.airport].size()) return true;
    for (AirportId o : airports_.ids()) {
        if (!airlift_->flies_from(o)) continue;
        const AirportId oa = airlift_->outbound_alternate(o);
        if (oa == l.airport && queues_.count(queues_.pool(o, gateway_)) > 0) return true;
        if (oa != l.airport && queues_.count(queues_.pool(o, l.airport)) > 0) return true;
    }
    return false;
}

void Transfer::poke() {
    for (const auto& v : vehicles_) {
        if (!v->sleep.asleep || v->sleep.ev.triggered()) continue;
        // An idle vehicle wakes only for work; one waiting out a cut re-checks on every poke.
        if (v->idle && !has_work(links_[v->link])) continue;
        wake(v->sleep);
    }
}

kernel::Process<> Transfer::shuttle(VehicleId id) {
    Vehicle& v = *vehicles_[id];
    Link& l = links_[v.link];
    const AirportId alt = l.airport;
    const auto cap = static_cast<std::size_t>(l.seats);
    for (;;) {
        while (!has_work(l)) {
            v.idle = true;
            co_await nap(sim_, v.sleep, kInf);
            v.sleep.asleep = false;
            v.idle = false;
        }

        // Theatre -> alternate, with outbound personnel whose sorties are planned there
        // (medevacs of every origin first).
        v.out_cabin.clear();
        for (int pass = 0; pass < 2; ++pass) {
            for (AirportId o : airports_.ids()) {
                if (v.out_cabin.size() >= cap) break;
                if (!airlift_->flies_from(o) || airlift_->outbound_alternate(o) != alt) continue;
                const PoolId pl = queues_.pool(o, gateway_);
                while (v.out_cabin.size() < cap) {
                    if (pass == 0 && !queues_.medevac_first(pl)) break;
                    const std::int32_t p = queues_.take_outbound(pl);
                    if (p < 0) break;
                    const PersonState s = roster_.person(p).state;
                    if (s == PersonState::on_duty || s == PersonState::injured)
                        personnel_->leave_theatre(p);
                    v.out_cabin.push_back(p);
                }
            }
        }
        double trip = trip_h(l);
        l.trips += 1;
        co_await sim_.timeout(trip);
        for (std::int32_t p : v.out_cabin) {
            Person& person = roster_.person(p);
            place(person, alt);
            queues_.join_outbound(p, personnel_->origin(person), alt);
        }
        v.out_cabin.clear();

        while (l.cut > 0) {  // a cut link holds the vehicle where it is
            v.idle = false;
            co_await nap(sim_, v.sleep, kInf);
            v.sleep.asleep = false;
        }

        // Alternate -> theatre: stranded medevacs, then arrivals (first come, first served),
        // then other stranded outbound personnel.
        v.in_cabin.clear();
        v.back_cabin.clear();
        auto take_back = [&](bool medevacs_only) {
            for (AirportId o : airports_.ids()) {
                if (!airlift_->flies_from(o) || airlift_->outbound_alternate(o) == alt) continue;
                const PoolId pl = queues_.pool(o, alt);
                while (v.in_cabin.size() + v.back_cabin.size() < cap) {
                    if (medevacs_only && !queues_.medevac_first(pl)) break;
                    const std::int32_t p = queues_.take_outbound(pl);
                    if (p < 0) break;
                    v.back_cabin.push_back(p);
                }
            }
        };
        take_back(true);
        auto& q = arrivals_[alt];
        auto& head = arrivals_head_[alt];
        while (head < q.size() && v.in_cabin.size() + v.back_cabin.size() < cap)
            v.in_cabin.push_back(q[head++]);
        if (head == q.size()) {
            q.clear();
            head = 0;
        }
        take_back(false);
        trip = trip_h(l);
        l.trips += 1;
        co_await sim_.timeout(trip);
        personnel_->arrive_theatre(v.in_cabin);
        for (std::int32_t p : v.back_cabin) {
            Person& person = roster_.person(p);
            place(person, gateway_);
            queues_.join_outbound(p, personnel_->origin(person), gateway_);
        }
        v.in_cabin.clear();
        v.back_cabin.clear();
    }
}

}  // namespace mss::model
