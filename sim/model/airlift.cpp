// Airlift: set-up, the launch rule and the sortie loop.
#include "sim/model/airlift.hpp"

#include <algorithm>
#include <limits>

#include "sim/model/personnel.hpp"
#include "sim/model/transfer.hpp"

namespace mss::model {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

Airlift::Airlift(const ModelConfig& cfg, kernel::Simulation& sim, kernel::StreamFactory& streams,
                 Roster& roster, Airports& airports, Queues& queues, const Base& base,
                 EventLog& log)
    : cfg_(cfg),
      sim_(sim),
      roster_(roster),
      airports_(airports),
      queues_(queues),
      base_(base),
      log_(log),
      gateway_(airports.gateway()) {
    origin_route_.resize(airports.size());
    based_.resize(airports.size());
    for (const RouteConfig& r : cfg.routes) {
        Route rt;
        rt.origin = airports.id(r.origin);
        rt.gateway = airports.id(r.gateway);
        rt.block.emplace(r.block_h);
        for (const AlternateConfig& a : r.alternates) {
            Alternate alt;
            alt.airport = airports.id(a.code);
            alt.block.emplace(a.block_h);
            alt.divert.emplace(a.divert_h);
            rt.alternates.push_back(std::move(alt));
        }
        rt.rule = r.on_closure;
        rt.max_hold_h = r.max_hold_h;
        rt.min_load = r.min_load.value_or(cfg.airlift.min_load);
        rt.max_wait_h = kernel::days(r.max_wait_days.value_or(cfg.airlift.max_wait_days));
        const AirportId origin = rt.origin;
        const RouteId id = routes_.push_back(std::move(rt));
        if (!origin_route_[origin].valid()) origin_route_[origin] = id;  // the first route wins
    }
    for (std::size_t type = 0; type < cfg.aircraft.size(); ++type) {
        const AircraftConfig& a = cfg.aircraft[type];
        const AirportId origin = airports.id(a.home_base);
        // Based where no route starts, it never flies (the scenario reader warns): no airframes.
        if (!flies_from(origin)) continue;
        for (std::int32_t k = 1; k <= a.count; ++k) {
            auto f = std::make_unique<Airframe>(sim_);
            f->origin = origin;
            f->route = origin_route_[origin];
            f->cls = a.operator_class;
            f->seats = a.seats;
            f->cost_per_h = a.cost_per_block_hour_usd;
            f->type = static_cast<std::int32_t>(type);
            f->block_stream.emplace(
                streams.stream("aircraft/" + a.type + "/" + std::to_string(k) + "/block"));
            f->cabin.reserve(static_cast<std::size_t>(a.seats));
            based_[origin].push_back(airframes_.push_back(std::move(f)));
            airports.base_class(origin, a.operator_class);
        }
    }
}

void Airlift::start() {
    for (AirframeId i : airframes_.ids())
        airframes_[i]->proc = fly(i);
}

double Airlift::sample(const kernel::Distribution& d, kernel::RandomStream& s) const {
    return std::max(0.0, d.sample(s));
}

void Airlift::accrue_cost_usd(double& total) const {
    for (const auto& f : airframes_)
        total += f->block_h * f->cost_per_h;
}

void Airlift::cost_by_payer_usd(const Funds& funds, std::vector<double>& per_payer) const {
    per_payer.assign(funds.payers(), 0.0);
    for (const auto& f : airframes_)
        per_payer[funds.aircraft_payer(static_cast<std::size_t>(f->type)).index()] +=
            f->block_h * f->cost_per_h;
}

std::string Airlift::check() const {
    std::vector<std::int64_t> seats(queues_.pools(), 0);
    for (const auto& f : airframes_) {
        if (!f->bound_for.valid()) continue;
        if (f->idle) return "an idle aircraft still counts its seats for a pool";
        seats[f->bound_for.index()] += f->seats;
    }
    for (std::size_t i = 0; i < seats.size(); ++i)
        if (queues_.en_route(PoolId(i)) != seats[i])
            return "pool " + std::to_string(i) + " counts " +
                   std::to_string(queues_.en_route(PoolId(i))) +
                   " seats on their way, its aircraft have " + std::to_string(seats[i]);
    return {};
}

// ---- the launch rule -------------------------------------------------------------------------

int Airlift::first_open_alternate(const Route& r, OperatorClass c, int after) const {
    for (std::size_t i = static_cast<std::size_t>(after + 1); i < r.alternates.size(); ++i) {
        const AirportId ap = r.alternates[i].airport;
        if (airports_.has_link(ap) && !airports_.closed(ap, c)) return static_cast<int>(i);
    }
    return -1;
}

AirportId Airlift::outbound_alternate(AirportId origin) const {
    const ClassMask classes = airports_.based_classes(origin);
    const RouteId ri = origin_route_[origin];
    if (classes == 0 || !ri.valid()) return AirportId();
    const Route& r = routes_[ri];
    if (r.rule != ClosureRule::plan_alternate) return AirportId();
    for (int k = 0; k < kOperatorClassCount; ++k)
        if ((classes & (1u << k)) && !airports_.closed(gateway_, static_cast<OperatorClass>(k)))
            return AirportId();
    for (const Alternate& alt : r.alternates)
        if (airports_.has_link(alt.airport) && airports_.open_to_some(alt.airport, classes))
            return alt.airport;
    return AirportId();
}

Airlift::SortiePlan Airlift::plan_sortie(const Airframe& a) {
    SortiePlan plan;
    plan.wake_h = kInf;
    if (airports_.closed(a.origin, a.cls)) return plan;  // woken when the closure changes
    const Route& r = routes_[a.route];
    AirportId dest;
    if (!airports_.closed(gateway_, a.cls)) {
        dest = gateway_;
    } else if (r.rule == ClosureRule::plan_alternate) {
        const int i = first_open_alternate(r, a.cls);
        if (i >= 0) dest = r.alternates[static_cast<std::size_t>(i)].airport;
    }
    if (!dest.valid()) return plan;  // the gateway is known to be closed to this class
    const double now = sim_.now();
    // min_load >= 1 and seats >= 1 (validate.cpp): an aircraft smaller than min_load launches
    // when full.
    const std::int64_t threshold = std::min<std::int64_t>(r.min_load, a.seats);

    bool inbound = false, outbound = false, medevac = false;
    const std::int64_t ready = queues_.ready_count(a.origin);
    const std::int64_t room = base_.room(a.seats);
    if (ready > 0 && room > 0) {
        if (std::min(ready, room) >= threshold) {
            inbound = true;
        } else {
            const double t = queues_.oldest_ready_h(a.origin) + r.max_wait_h;
            if (now >= t)
                inbound = true;
            else
                plan.wake_h = std::min(plan.wake_h, t);
        }
    }
    // Outbound demand is what the sorties already on their way there will not take: they board
    // medevacs first, so their seats cover the medevacs before anyone else.
    const PoolId pl = queues_.pool(a.origin, dest);
    const std::int64_t uncovered = queues_.count(pl) - queues_.en_route(pl);
    if (uncovered > 0) {
        if (uncovered >= threshold) {
            outbound = true;
        } else {
            const double t = queues_.oldest_waiting_h(pl) + r.max_wait_h;
            if (now >= t)
                outbound = true;
            else
                plan.wake_h = std::min(plan.wake_h, t);
        }
    }
    if (queues_.medevacs(pl) > queues_.en_route(pl)) {
        const double t = queues_.oldest_medevac_h(pl) + cfg_.airlift.max_medevac_wait_h;
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

void Airlift::head_for(Airframe& a, AirportId airport) {
    const PoolId to = airport.valid() ? queues_.pool(a.origin, airport) : PoolId();
    if (to == a.bound_for) return;
    const PoolId from = a.bound_for;
    if (from.valid()) queues_.add_en_route(from, -a.seats);
    if (to.valid()) queues_.add_en_route(to, a.seats);
    a.bound_for = to;
    if (from.valid()) poke_origin(a.origin);  // demand it no longer takes may call another sortie
}

void Airlift::poke(Airframe& a) {
    // Wake an idle aircraft when it should launch now, or when a time threshold of the launch
    // rule has moved earlier than the one it sleeps until.
    if (!a.idle || !a.sleep.asleep || a.sleep.ev.triggered()) return;
    const SortiePlan plan = plan_sortie(a);
    if (plan.launch || plan.wake_h < a.nap_until_h) wake(a.sleep);
}

void Airlift::poke_origin(AirportId origin) {
    for (AirframeId i : based_[origin])
        poke(*airframes_[i]);
}

void Airlift::poke_all() {
    for (const auto& f : airframes_)
        poke(*f);
}

// ---- the sortie loop -------------------------------------------------------------------------

kernel::Process<> Airlift::fly(AirframeId id) {
    Airframe& a = *airframes_[id];
    const Route& r = routes_[a.route];
    const AirportId home = a.origin;
    for (;;) {
        // Wait for the launch rule.
        SortiePlan plan = plan_sortie(a);
        while (!plan.launch) {
            a.idle = true;
            a.nap_until_h = plan.wake_h;
            co_await nap(sim_, a.sleep, plan.wake_h - sim_.now());
            a.sleep.asleep = false;
            a.idle = false;
            plan = plan_sortie(a);
        }

        // Board inbound: oldest ready first, up to the seats and the free beds.
        a.cabin.clear();
        std::int64_t room = base_.room(a.seats);
        while (room > 0) {
            const std::int32_t p = queues_.take_ready(home);
            if (p < 0) break;
            roster_.set_state(p, PersonState::in_transit_in);
            place(roster_.person(p), AirportId());
            a.cabin.push_back(p);
            --room;
        }
        log_.record(EventKind::sortie_launched, ContingentId(), home,
                    static_cast<std::int64_t>(a.cabin.size()));
        if (plan.medevac_only)
            log_.record(EventKind::medevac_flight, ContingentId(), home,
                        queues_.medevacs(queues_.pool(home, plan.dest)));
        head_for(a, plan.dest);

        // Fly to the planned destination (the gateway, or an alternate under plan_alternate).
        AirportId dest = plan.dest;
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
        AirportId landed;
        bool held = false;
        kernel::Resource::Token slot;
        for (;;) {
            if (!airports_.closed(dest, a.cls)) {
                slot = co_await airports_.mog(dest).request();
                if (!airports_.closed(dest, a.cls)) {
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
                while (airports_.closed(dest, a.cls) && sim_.now() < until) {
                    airports_.wait_for_change(dest, a.sleep);
                    co_await nap(sim_, a.sleep, until - sim_.now());
                    a.sleep.asleep = false;
                }
                a.block_h += sim_.now() - start;
                continue;
            }
            if (dest == gateway_ && r.rule == ClosureRule::return_origin) break;
            const int next = first_open_alternate(r, a.cls, alt_index);
            if (next < 0) break;  // every alternate closed: return
            const Alternate& alt = r.alternates[static_cast<std::size_t>(next)];
            head_for(a, alt.airport);
            leg = sample(*alt.divert, *a.block_stream);
            co_await sim_.timeout(leg);
            a.block_h += leg;
            dest = alt.airport;
            alt_index = next;
        }

        const bool cancelled = !landed.valid();
        if (cancelled) head_for(a, AirportId());
        if (!cancelled) {
            totals_.flights_flown += 1;
            const auto n = static_cast<std::int64_t>(a.cabin.size());
            log_.record(EventKind::landed, ContingentId(), landed, n);
            if (landed != gateway_) {
                totals_.flights_diverted += 1;
                log_.record(EventKind::diverted, ContingentId(), landed, n);
                for (std::int32_t p : a.cabin) {
                    place(roster_.person(p), landed);
                    transfer_->landed(landed, p);
                }
                transfer_->poke();
            } else {
                personnel_->arrive_theatre(a.cabin);
            }
            a.cabin.clear();
            co_await sim_.timeout(airports_.handling_h(landed));
            // A closure holds an aircraft on the ground.
            while (airports_.closed(landed, a.cls)) {
                airports_.wait_for_change(landed, a.sleep);
                co_await nap(sim_, a.sleep, kInf);
                a.sleep.asleep = false;
            }
            // Board the return leg: this origin's people waiting here, medevacs first, then by
            // tour end.
            const PoolId pl = queues_.pool(home, landed);
            queues_.warm(pl);
            while (a.cabin.size() < static_cast<std::size_t>(a.seats)) {
                const std::int32_t p = queues_.take_outbound(pl);
                if (p < 0) break;
                const PersonState s = roster_.person(p).state;
                if (s == PersonState::on_duty || s == PersonState::injured)
                    personnel_->leave_theatre(p);
                place(roster_.person(p), AirportId());
                a.cabin.push_back(p);
            }
            head_for(a, AirportId());
            slot.release();
        }

        leg = sample(
            alt_index < 0 ? *r.block : *r.alternates[static_cast<std::size_t>(alt_index)].block,
            *a.block_stream);
        co_await sim_.timeout(leg);
        a.block_h += leg;
        while (airports_.closed(home, a.cls)) {  // hold until the home base reopens
            const double start = sim_.now();
            airports_.wait_for_change(home, a.sleep);
            co_await nap(sim_, a.sleep, kInf);
            a.sleep.asleep = false;
            a.block_h += sim_.now() - start;
        }
        {
            auto home_slot = co_await airports_.mog(home).request();
            const auto n = static_cast<std::int64_t>(a.cabin.size());
            if (cancelled) {
                totals_.flights_cancelled += 1;
                log_.record(EventKind::cancelled, ContingentId(), home, n);
                for (std::int32_t p : a.cabin) {  // back in the queue, keeping their place
                    Person& person = roster_.person(p);
                    roster_.set_state(p, PersonState::ready);
                    place(person, home);
                    queues_.rejoin_ready(p, home, person.ready_h);
                }
                a.cabin.clear();
                poke_origin(home);
            } else {
                for (std::int32_t p : a.cabin) {
                    roster_.set_state(p, PersonState::home);
                    Person& person = roster_.person(p);
                    place(person, home);
                    if (person.medevac) totals_.medevacs += 1;  // a patient evacuated
                }
                totals_.pax_out += static_cast<double>(n);
                log_.record(EventKind::returned_home, ContingentId(), home, n);
                a.cabin.clear();
            }
            co_await sim_.timeout(airports_.handling_h(home));
        }
        co_await sim_.timeout(cfg_.airlift.turnaround_h);
    }
}

}  // namespace mss::model
