// The Mission's set-up, its day loop (the kernel calendar interleaved with the personnel
// clock), airport closure bookkeeping, snapshots and KPIs.
#include "sim/model/mission.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

#include "sim/kernel/ctmc.hpp"

namespace mss::model {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::uint8_t class_bit(OperatorClass c) {
    return static_cast<std::uint8_t>(1u << static_cast<int>(c));
}

std::uint8_t closure_mask(const ClosureConfig& c) {
    if (c.all_classes) return 0x7;
    std::uint8_t m = 0;
    for (OperatorClass k : c.classes)
        m |= class_bit(k);
    return m;
}

}  // namespace

RunKpis run_replication(const ModelConfig& cfg, std::uint64_t seed, std::uint64_t replication,
                        Observer& obs) {
    Mission m(cfg, seed, replication, obs);
    return m.finish();
}

// ---- set-up ------------------------------------------------------------------------------------

namespace {
std::vector<std::int32_t> billets_of(const ModelConfig& cfg) {
    std::vector<std::int32_t> b;
    for (const ContingentConfig& c : cfg.contingents)
        b.push_back(std::max(0, c.billets));
    return b;
}
std::vector<std::string> checked(const ModelConfig& cfg) {
    std::vector<std::string> errs = validate_model_config(cfg);
    if (!errs.empty()) {
        std::string msg = "invalid model configuration: ";
        for (std::size_t i = 0; i < errs.size(); ++i)
            msg += (i ? "; " : "") + errs[i];
        throw std::invalid_argument(msg);
    }
    return errs;
}
}  // namespace

Mission::Mission(const ModelConfig& cfg, std::uint64_t seed, std::uint64_t replication,
                 Observer& obs)
    : cfg_((checked(cfg), cfg)),
      obs_(obs),
      streams_(seed, replication),
      roster_(billets_of(cfg)),
      agenda_(cfg.scenario.horizon_days) {
    build();
}

Mission::~Mission() = default;

void Mission::build() {
    horizon_days_ = cfg_.scenario.horizon_days;
    max_medevac_wait_h_ = cfg_.airlift.max_medevac_wait_h;
    if (cfg_.base.beds) beds_ = *cfg_.base.beds;

    std::map<std::string, int> code;
    const std::size_t na = cfg_.airports.size();
    airports_.resize(na);
    for (std::size_t i = 0; i < na; ++i) {
        const AirportConfig& a = cfg_.airports[i];
        code[a.code] = static_cast<int>(i);
        AirportRt& ap = airports_[i];
        ap.code = a.code;
        ap.mog = std::make_unique<kernel::Resource>(sim_, static_cast<std::size_t>(a.mog));
        ap.handling.emplace(a.handling_h);
        ap.handling_stream.emplace(streams_.stream("airport/" + a.code + "/handling"));
    }
    gateway_ = code.at(cfg_.main_gateway);
    origins_.resize(na);
    pools_.resize(na * na);
    alt_inbound_.resize(na);
    alt_inbound_head_.assign(na, 0);

    for (const RouteConfig& r : cfg_.routes) {
        RouteRt rt;
        rt.origin = code.at(r.origin);
        rt.gateway = code.at(r.gateway);
        rt.block.emplace(r.block_h);
        for (const AlternateConfig& a : r.alternates) {
            AlternateRt alt;
            alt.airport = code.at(a.code);
            alt.block.emplace(a.block_h);
            alt.divert.emplace(a.divert_h);
            rt.alternates.push_back(std::move(alt));
        }
        rt.rule = r.on_closure;
        rt.max_hold_h = r.max_hold_h;
        rt.min_load = r.min_load.value_or(cfg_.airlift.min_load);
        rt.max_wait_h = 24.0 * r.max_wait_days.value_or(cfg_.airlift.max_wait_days);
        OriginRt& o = origins_[static_cast<std::size_t>(rt.origin)];
        if (o.route < 0) o.route = static_cast<int>(routes_.size());  // the first route wins
        routes_.push_back(std::move(rt));
    }

    for (const TransferLinkConfig& l : cfg_.links) {
        LinkRt lr;
        lr.airport = code.at(l.airport);
        lr.seats = l.seats_per_trip;
        lr.cost = l.cost_per_trip_usd;
        lr.trip.emplace(l.trip_h);
        lr.trip_stream.emplace(streams_.stream("link/" + l.name + "/trip"));
        if (l.vehicles > 0) airports_[static_cast<std::size_t>(lr.airport)].has_link = true;
        const int li = static_cast<int>(links_.size());
        for (std::int32_t k = 0; k < l.vehicles; ++k) {
            auto v = std::make_unique<Vehicle>(sim_);
            v->link = li;
            lr.vehicles.push_back(static_cast<int>(vehicles_.size()));
            vehicles_.push_back(std::move(v));
        }
        links_.push_back(std::move(lr));
    }

    for (std::size_t t = 0; t < cfg_.aircraft.size(); ++t) {
        const AircraftConfig& a = cfg_.aircraft[t];
        const int origin = code.at(a.home_base);
        // Based where no route starts, it never flies (the scenario reader warns): no airframes.
        if (origins_[static_cast<std::size_t>(origin)].route < 0) continue;
        for (std::int32_t k = 1; k <= a.count; ++k) {
            auto f = std::make_unique<Airframe>(sim_);
            f->type = static_cast<int>(t);
            f->origin = origin;
            f->route = origins_[static_cast<std::size_t>(origin)].route;
            f->cls = a.operator_class;
            f->seats = a.seats;
            f->cost_per_h = a.cost_per_block_hour_usd;
            f->block_stream.emplace(
                streams_.stream("aircraft/" + a.type + "/" + std::to_string(k) + "/block"));
            f->cabin.reserve(static_cast<std::size_t>(a.seats));
            origins_[static_cast<std::size_t>(origin)].aircraft.push_back(
                static_cast<int>(airframes_.size()));
            airports_[static_cast<std::size_t>(origin)].origin_classes |=
                class_bit(a.operator_class);
            airframes_.push_back(std::move(f));
        }
    }

    std::size_t expected = 0;  // people generated over the run, roughly (a reservation)
    for (const ContingentConfig& c : cfg_.contingents)
        expected += 3 * static_cast<std::size_t>(std::max(0, c.billets));
    roster_.reserve(expected);

    // Contingents: pledge realisation, batches (persons are generated now, pledged), attrition,
    // drawdown.
    const std::size_t nc = cfg_.contingents.size();
    contingents_.resize(nc);
    contingent_strength_by_day_.assign(nc, {});
    for (auto& v : contingent_strength_by_day_)
        v.reserve(static_cast<std::size_t>(horizon_days_));
    strength_by_day_.reserve(static_cast<std::size_t>(horizon_days_));
    duty_by_day_.reserve(static_cast<std::size_t>(horizon_days_));
    for (std::size_t ci = 0; ci < nc; ++ci) {
        const ContingentConfig& c = cfg_.contingents[ci];
        ContingentRt& cr = contingents_[ci];
        const auto cc = static_cast<std::int16_t>(ci);
        cr.origin = code.at(c.origin);
        cr.readiness.emplace(c.readiness_delay_days);
        cr.tour.emplace(c.tour_days);
        const std::string base = "contingent/" + c.name + "/";
        cr.readiness_stream.emplace(streams_.stream(base + "readiness"));
        cr.tour_stream.emplace(streams_.stream(base + "tour"));
        cr.attrition_stream.emplace(streams_.stream(base + "attrition"));
        cr.pledge_stream.emplace(streams_.stream(base + "pledge"));
        cr.drawdown_h = c.drawdown_day ? 24.0 * *c.drawdown_day : kInf;
        // One uniform decides the pledge; the delay is drawn only for a realised pledge.
        cr.realised = cr.pledge_stream->uniform01() < c.pledge.probability;
        if (!cr.realised) {
            record(EventKind::pledge_unrealised, static_cast<int>(ci), -1, c.billets);
            continue;
        }
        cr.pledge_delay_h =
            24.0 * kernel::Distribution(c.pledge.delay_days).sample(*cr.pledge_stream);
        std::int32_t next_billet = roster_.first_billet(static_cast<int>(ci));
        for (std::size_t bi = 0; bi < c.generation.size(); ++bi) {
            const GenerationBatch& b = c.generation[bi];
            const double delay_h = 24.0 * cr.readiness->sample(*cr.readiness_stream);
            const double ready_h = std::max(0.0, 24.0 * b.day + cr.pledge_delay_h + delay_h);
            ContingentRt::Batch batch;
            batch.first = static_cast<std::int32_t>(roster_.size());
            if (ready_h < cr.drawdown_h) {
                for (std::int32_t k = 0; k < b.count; ++k)
                    roster_.add(cc, next_billet++, BilletRole::incumbent);
                batch.count = b.count;
            }
            cr.batches.push_back(batch);
            if (batch.count > 0)
                agenda_.push(ready_h, Action::batch_ready, static_cast<std::int32_t>(ci),
                             static_cast<std::int32_t>(bi));
        }
        if (std::isfinite(cr.drawdown_h))
            agenda_.push(std::max(0.0, cr.drawdown_h), Action::drawdown,
                         static_cast<std::int32_t>(ci));
    }

    bool attrition = false;
    for (const ContingentConfig& c : cfg_.contingents)
        attrition = attrition || c.attrition_per_person_day > 0.0;
    if (attrition) agenda_.push(0.0, Action::attrition_step, -1);

    for (std::size_t i = 0; i < na; ++i)
        for (const ClosureConfig& c : cfg_.airports[i].closures) {
            if (!(c.end_h > c.start_h)) continue;
            const std::uint8_t m = closure_mask(c);
            if (m == 0) continue;
            agenda_.push(std::max(0.0, c.start_h), Action::closure_start,
                         static_cast<std::int32_t>(i), m);
            agenda_.push(std::max(0.0, c.end_h), Action::closure_end, static_cast<std::int32_t>(i),
                         m);
        }

    const ViolenceConfig& v = cfg_.violence;
    if (v.enabled && !v.regimes.empty()) {
        for (const RegimeConfig& r : v.regimes) {
            RegimeRt rr;
            rr.rate_per_h = r.attacks_per_day / 24.0;
            rr.p_close = r.p_close_airport;
            rr.p_cut = r.p_cut_link;
            rr.p_hit = r.p_patrol_hit;
            rr.closure_days.emplace(r.closure_days);
            rr.cut_days.emplace(r.cut_days);
            rr.wounded.emplace(r.wounded);
            rr.killed.emplace(r.killed);
            regimes_.push_back(std::move(rr));
        }
        for (const auto& row : v.generator_per_day) {
            std::vector<double> h;
            for (double q : row)
                h.push_back(q / 24.0);
            generator_per_h_.push_back(std::move(h));
        }
        regime_stream_.emplace(streams_.stream("violence/regime"));
        attack_stream_.emplace(streams_.stream("violence/attacks"));
        effect_stream_.emplace(streams_.stream("violence/effects"));
        recovery_stream_.emplace(streams_.stream("casualty/recovery"));
        recovery_days_.emplace(v.recovery_days);
        p_medevac_ = v.p_medevac;
        violence_proc_ = violence();
    }

    // Processes start at t = 0 in this order (the order breaks ties at equal times).
    for (std::size_t i = 0; i < airframes_.size(); ++i)
        airframes_[i]->proc = fly(i);
    for (std::size_t i = 0; i < vehicles_.size(); ++i)
        vehicles_[i]->proc = shuttle(i);
}

// ---- the day loop ------------------------------------------------------------------------------

void Mission::run_day() {
    if (done()) return;
    const double end = 24.0 * (day_ + 1);
    agenda_.start_day(day_);
    // Timed personnel actions and kernel entries in time order; at equal times the personnel
    // actions run first, and a kernel entry that schedules an action "now" sees it run before
    // the next kernel entry.
    for (;;) {
        const double ta = agenda_.next_time();
        const double tk = sim_.peek();
        if (ta < end && ta <= tk) {
            sim_.run_until(ta);
            while (agenda_.next_time() <= sim_.now())
                execute(agenda_.pop());
        } else if (tk < end) {
            sim_.step();
        } else {
            break;
        }
    }
    sim_.run_until(end);
    snapshot();
    ++day_;
}

void Mission::execute(const AgendaItem& it) {
    switch (it.action()) {
        case Action::batch_ready:
            batch_ready(it.a, it.b);
            break;
        case Action::person_ready:
            person_ready(it.a);
            break;
        case Action::relief_due:
            relief_due(it.a, it.b);
            break;
        case Action::tour_end:
            tour_end(it.a, it.b);
            break;
        case Action::extension_end:
            extension_end(it.a, it.b);
            break;
        case Action::overlap_end:
            overlap_end(it.a);
            break;
        case Action::recover:
            recover(it.a);
            break;
        case Action::unit_rotation:
            unit_rotation(it.a, it.b);
            break;
        case Action::closure_start:
            change_closure(it.a, static_cast<std::uint8_t>(it.b), +1);
            break;
        case Action::closure_end:
            change_closure(it.a, static_cast<std::uint8_t>(it.b), -1);
            break;
        case Action::link_restore: {
            LinkRt& l = links_[static_cast<std::size_t>(it.a)];
            --l.cut;
            record(EventKind::link_restored, -1, l.airport, it.a);
            poke_links();
            break;
        }
        case Action::drawdown:
            drawdown(it.a);
            break;
        case Action::attrition_step:
            attrition_step();
            break;
        case Action::attrition_hit:
            attrition_hit(it.a);
            break;
    }
}

void Mission::record(EventKind kind, int contingent, int airport, std::int64_t count) {
    if (!cfg_.output.events) return;
    if (events_recorded_ >= cfg_.output.max_events_per_run) {
        ++events_dropped_;
        return;
    }
    ++events_recorded_;
    EventRecord e;
    e.t_h = sim_.now();
    e.kind = kind;
    e.contingent = static_cast<std::int16_t>(contingent);
    e.airport = static_cast<std::int16_t>(airport);
    e.count = static_cast<std::int32_t>(count);
    obs_.on_event(e);
}

void Mission::snapshot() {
    const double end = 24.0 * (day_ + 1);
    DaySnapshot& s = snapshot_;  // reused: no allocation per day
    s.day = day_;
    const std::size_t nc = contingents_.size();
    s.strength.resize(nc);
    s.on_duty.resize(nc);
    s.waiting_at_origin.resize(nc);
    s.in_transit.resize(nc);
    double strength = 0, duty = 0;
    for (std::size_t c = 0; c < nc; ++c) {
        const int ci = static_cast<int>(c);
        const auto th = static_cast<double>(roster_.in_theatre(ci));
        const auto od = static_cast<double>(roster_.count(ci, PersonState::on_duty));
        s.strength[c] = static_cast<float>(th);
        s.on_duty[c] = static_cast<float>(od);
        s.waiting_at_origin[c] = static_cast<float>(roster_.count(ci, PersonState::ready));
        s.in_transit[c] = static_cast<float>(roster_.count(ci, PersonState::in_transit_in) +
                                             roster_.count(ci, PersonState::in_transit_out));
        strength += th;
        duty += od;
        contingent_strength_by_day_[c].push_back(th);
    }
    strength_by_day_.push_back(strength);
    duty_by_day_.push_back(duty);
    s.airport_open.resize(airports_.size());
    for (std::size_t a = 0; a < airports_.size(); ++a) {
        AirportRt& ap = airports_[a];
        account_airport(ap, end);
        s.airport_open[a] = static_cast<float>(ap.open_today_h / 24.0);
        ap.open_today_h = 0.0;
    }
    s.regime = static_cast<std::int8_t>(regime_);
    obs_.on_day(s);
}

// ---- sleeping and waking -----------------------------------------------------------------------

kernel::detail::ConditionAwaiter Mission::nap(Sleeper& s, double dt) {
    s.ev = kernel::Event<>(sim_);
    s.asleep = true;
    if (dt < kInf) return kernel::any_of(s.ev, kernel::timeout_event(sim_, std::max(0.0, dt)));
    return kernel::any_of(s.ev);
}

void Mission::wake(Sleeper& s) {
    if (s.asleep && !s.ev.triggered()) s.ev.succeed();
}

double Mission::sample(const kernel::Distribution& d, kernel::RandomStream& s) const {
    return std::max(0.0, d.sample(s));
}

// ---- airports ----------------------------------------------------------------------------------

void Mission::account_airport(AirportRt& ap, double t) {
    const double dt = t - ap.last_change_h;
    if (dt > 0.0) {
        bool any = false, all = true;
        for (int k = 0; k < kOperatorClassCount; ++k) {
            any = any || ap.closed[k] > 0;
            all = all && ap.closed[k] > 0;
        }
        if (!any) ap.open_today_h += dt;
        if (all) ap.closed_all_total_h += dt;
    }
    ap.last_change_h = std::max(ap.last_change_h, t);
}

void Mission::change_closure(int airport, std::uint8_t mask, int delta) {
    AirportRt& ap = airports_[static_cast<std::size_t>(airport)];
    account_airport(ap, sim_.now());
    for (int k = 0; k < kOperatorClassCount; ++k)
        if (mask & (1u << k)) ap.closed[k] += delta;
    record(delta > 0 ? EventKind::closure_start : EventKind::closure_end, -1, airport, mask);
    wake_airport_waiters(airport);
    poke_all_aircraft();
    poke_links();
}

void Mission::wake_airport_waiters(int airport) {
    AirportRt& ap = airports_[static_cast<std::size_t>(airport)];
    std::vector<Sleeper*> ws;
    ws.swap(ap.waiters);
    for (Sleeper* s : ws)
        wake(*s);
}

// ---- KPIs --------------------------------------------------------------------------------------

std::string Mission::check_invariants() const {
    std::string r = roster_.check();
    if (!r.empty()) return r;
    for (std::size_t c = 0; c < contingents_.size(); ++c) {
        std::int64_t incumbents = 0, reliefs = 0;
        const int ci = static_cast<int>(c);
        for (std::int32_t b = 0; b < roster_.billets_of(ci); ++b) {
            const Billet& bl = roster_.billet(roster_.first_billet(ci) + b);
            incumbents += bl.incumbent >= 0;
            reliefs += bl.relief >= 0;
        }
        if (incumbents > roster_.billets_of(ci) || reliefs > roster_.billets_of(ci))
            return "contingent " + std::to_string(c) +
                   " has more incumbents or reliefs than billets";
    }
    // Each pool's seats on their way are those of the aircraft bound for it.
    std::vector<std::int64_t> seats(pools_.size(), 0);
    for (const auto& f : airframes_) {
        if (f->bound_for < 0) continue;
        if (f->idle) return "an idle aircraft still counts its seats for a pool";
        seats[static_cast<std::size_t>(f->bound_for)] += f->seats;
    }
    for (std::size_t i = 0; i < pools_.size(); ++i)
        if (pools_[i].en_route != seats[i])
            return "pool " + std::to_string(i) + " counts " + std::to_string(pools_[i].en_route) +
                   " seats on their way, its aircraft have " + std::to_string(seats[i]);
    return {};
}

RunKpis Mission::finish() {
    while (!done())
        run_day();
    if (finished_) return kpis_;
    finished_ = true;
    RunKpis& k = kpis_;
    const double horizon_h = 24.0 * horizon_days_;
    const std::size_t nc = contingents_.size();

    // People still in theatre at the horizon: overstay and per diem up to the horizon.
    for (std::size_t i = 0; i < roster_.size(); ++i) {
        const Person& p = roster_.person(static_cast<std::int32_t>(i));
        if (p.state != PersonState::on_duty && p.state != PersonState::injured) continue;
        ContingentRt& cr = contingents_[static_cast<std::size_t>(p.contingent)];
        if (p.tour_end_h < horizon_h) cr.overstay_h += horizon_h - p.tour_end_h;
        cr.person_hours += horizon_h - p.arrived_h;
    }

    double a_total = 0;
    for (const ContingentConfig& c : cfg_.contingents)
        a_total += std::max(0, c.billets);
    const std::size_t days = strength_by_day_.size();
    auto first_day = [&](const std::vector<double>& series, double threshold) {
        for (std::size_t d = 0; d < series.size(); ++d)
            if (series[d] >= threshold) return static_cast<double>(d);
        return kNaN;
    };
    if (a_total > 0 && days > 0) {
        k.days_to_ioc =
            first_day(strength_by_day_, personnel_threshold(cfg_.kpis.ioc_frac, a_total));
        k.days_to_foc =
            first_day(strength_by_day_, personnel_threshold(cfg_.kpis.foc_frac, a_total));
        double sum = 0;
        for (double s : strength_by_day_)
            sum += s;
        k.mean_strength_frac = sum / static_cast<double>(days) / a_total;
        if (!std::isnan(k.days_to_foc)) {
            double gap = 0;
            const double floor = personnel_threshold(cfg_.kpis.floor_frac, a_total);
            for (auto d = static_cast<std::size_t>(k.days_to_foc); d < days; ++d)
                gap += std::max(0.0, floor - duty_by_day_[d]);
            k.gap_person_days = gap;
        }
    }
    double overstay_h = 0, per_diem = 0;
    std::vector<ContingentKpis> ck(nc);
    for (std::size_t c = 0; c < nc; ++c) {
        const ContingentRt& cr = contingents_[c];
        const double billets = std::max(0, cfg_.contingents[c].billets);
        overstay_h += cr.overstay_h;
        per_diem += cr.person_hours / 24.0 * cfg_.contingents[c].per_diem_usd;
        ck[c].overstay_person_days = cr.overstay_h / 24.0;
        ck[c].pax_in = cr.pax_in;
        if (billets > 0 && days > 0) {
            ck[c].days_to_foc = first_day(contingent_strength_by_day_[c],
                                          personnel_threshold(cfg_.kpis.foc_frac, billets));
            double sum = 0;
            for (double s : contingent_strength_by_day_[c])
                sum += s;
            ck[c].mean_strength_frac = sum / static_cast<double>(days) / billets;
        }
    }
    k.overstay_person_days = overstay_h / 24.0;
    k.flights_flown = flights_flown_;
    k.flights_diverted = flights_diverted_;
    k.flights_cancelled = flights_cancelled_;
    k.pax_in = pax_in_;
    k.pax_out = pax_out_;
    AirportRt& gw = airports_[static_cast<std::size_t>(gateway_)];
    account_airport(gw, horizon_h);
    k.airport_closed_days = gw.closed_all_total_h / 24.0;
    k.injured = injured_;
    k.killed = killed_;
    k.medevacs = medevacs_;
    k.attrited = attrited_;
    double cost = per_diem;
    for (const auto& f : airframes_)
        cost += f->block_h * f->cost_per_h;
    for (const LinkRt& l : links_)
        cost += l.trips * l.cost;
    k.cost_usd = cost;
    k.events_handled = sim_.entries_handled();
    obs_.on_finish(k, ck);
    return k;
}

}  // namespace mss::model
