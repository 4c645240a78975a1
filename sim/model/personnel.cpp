// Personnel rules: generation, readiness, arrival, rotation, leaving, casualties, attrition,
// drawdown.
#include "sim/model/personnel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mss::model {

Personnel::Personnel(const ModelConfig& cfg, kernel::Simulation& sim,
                     kernel::StreamFactory& streams, Roster& roster, Agenda& agenda,
                     Airports& airports, Queues& queues, const Base& base, Funds& funds,
                     EventLog& log)
    : cfg_(cfg),
      sim_(sim),
      roster_(roster),
      agenda_(agenda),
      queues_(queues),
      base_(base),
      funds_(funds),
      log_(log),
      gateway_(airports.gateway()) {
    contingents_.resize(cfg.contingents.size());
    for (ContingentId ci : contingents_.ids()) {
        const ContingentConfig& c = config(ci);
        Contingent& cr = contingents_[ci];
        cr.origin = airports.id(c.origin);
        cr.readiness.emplace(c.readiness_delay_days);
        cr.tour.emplace(c.tour_days);
        const std::string base_name = "contingent/" + c.name + "/";
        cr.readiness_stream.emplace(streams.stream(base_name + "readiness"));
        cr.tour_stream.emplace(streams.stream(base_name + "tour"));
        cr.attrition_stream.emplace(streams.stream(base_name + "attrition"));
        cr.pledge_stream.emplace(streams.stream(base_name + "pledge"));
        if (!c.in_theatre.empty())
            cr.in_theatre_stream.emplace(streams.stream(base_name + "in_theatre"));
        cr.drawdown_h = c.drawdown_day ? kernel::days(*c.drawdown_day)
                                       : std::numeric_limits<double>::infinity();
    }
    held_.resize(2 * funds.payers());  // per payer: its reliefs' queue, then its batches'
    held_front_.assign(2 * funds.payers(), 0);
}

double Personnel::sample(const kernel::Distribution& d, kernel::RandomStream& s) const {
    return std::max(0.0, d.sample(s));
}

bool Personnel::drawn_down(ContingentId c) const {
    return sim_.now() >= contingents_[c].drawdown_h;
}

// ---- generation and readiness ------------------------------------------------------------------

void Personnel::generate() {
    for (ContingentId ci : contingents_.ids()) {
        const ContingentConfig& c = config(ci);
        Contingent& cr = contingents_[ci];
        const auto cc = static_cast<std::int16_t>(ci.value);
        std::int32_t next_billet = roster_.first_billet(ci.value);
        place_in_theatre(ci, next_billet);
        // The pipeline, stage by stage on the pledge stream: one uniform decides whether the
        // contingent gets through the stage, then its days are drawn (only for a stage passed).
        // Without stages the pledge is the one stage (the same draws as before stages).
        std::vector<PipelineStage> stages = c.pipeline;
        if (stages.empty()) stages.push_back({"pledge", c.pledge.probability, c.pledge.delay_days});
        double delay_days = 0.0;
        for (const PipelineStage& st : stages) {
            cr.realised = cr.pledge_stream->uniform01() < st.probability;
            if (!cr.realised) break;
            delay_days += kernel::Distribution(st.days).sample(*cr.pledge_stream);
        }
        if (!cr.realised) {
            cr.pipeline_h = std::numeric_limits<double>::quiet_NaN();
            log_.record(EventKind::pledge_unrealised, ci, AirportId(), c.billets);
            continue;
        }
        cr.pledge_delay_h = kernel::days(delay_days);
        cr.pipeline_h = std::max(0.0, cr.pledge_delay_h);
        if (!c.pipeline.empty()) agenda_.push(cr.pipeline_h, Action::pipeline_done, ci.value);
        for (std::size_t bi = 0; bi < c.generation.size(); ++bi) {
            const GenerationBatch& b = c.generation[bi];
            const double delay_h = kernel::days(cr.readiness->sample(*cr.readiness_stream));
            const double ready_h = std::max(0.0, kernel::days(b.day) + cr.pledge_delay_h + delay_h);
            Contingent::Batch batch;
            batch.first = static_cast<std::int32_t>(roster_.size());
            if (ready_h < cr.drawdown_h) {
                for (std::int32_t k = 0; k < b.count; ++k)
                    roster_.add(cc, next_billet++, BilletRole::incumbent);
                batch.count = b.count;
            }
            cr.batches.push_back(batch);
            if (batch.count > 0)
                agenda_.push(ready_h, Action::batch_ready, ci.value, static_cast<std::int32_t>(bi));
        }
        if (std::isfinite(cr.drawdown_h))
            agenda_.push(std::max(0.0, cr.drawdown_h), Action::drawdown, ci.value);
    }
    bool attrition = false;
    for (const ContingentConfig& c : cfg_.contingents)
        attrition = attrition || c.attrition_per_person_day > 0.0;
    if (attrition) agenda_.push(0.0, Action::attrition_step, -1);
}

void Personnel::place_in_theatre(ContingentId c, std::int32_t& next_billet) {
    // Each officer as if they had just landed, with the arrival in the past: on duty, the tour
    // (drawn now, in entry order, one draw per officer on contingent/<name>/in_theatre) counted
    // from the arrival, the rotation scheduled from now. A tour that ended before the start
    // has its relief requested now and its extension counted from the tour end. Not counted
    // in pax_in (they did not arrive within the run); a relief already requested is not
    // counted in the relief_requested events either.
    Contingent& cr = contingents_[c];
    const auto cc = static_cast<std::int16_t>(c.value);
    for (const InTheatreGroup& g : config(c).in_theatre) {
        for (std::int32_t k = 0; k < g.count; ++k) {
            const std::int32_t billet = next_billet++;
            const std::int32_t id = roster_.add(cc, billet, BilletRole::incumbent);
            roster_.set_state(id, PersonState::on_duty);
            Person& p = roster_.person(id);
            place(p, AirportId());
            p.arrived_h = kernel::days(g.arrived_day);
            p.tour_end_h = p.arrived_h + kernel::days(sample(*cr.tour, *cr.in_theatre_stream));
            ++p.tour_stamp;
            schedule_rotation(id);
            if (g.relief_ready_day) {
                const std::int32_t relief = roster_.add(cc, billet, BilletRole::relief);
                agenda_.push(kernel::days(*g.relief_ready_day), Action::person_ready, relief);
            }
        }
    }
}

void Personnel::pipeline_done(ContingentId c) {
    log_.record(EventKind::pipeline_done, c, AirportId(), config(c).billets);
}

// ---- the release rule (funds) ------------------------------------------------------------------

bool Personnel::hold(ContingentId c, std::int32_t batch, std::int32_t person, std::int64_t count) {
    if (!funds_.enabled()) return false;
    // Reliefs of the deployed force come before new batches, and within each first held, first
    // released: a relief never waits behind a batch, and nothing overtakes a release of its
    // kind (nor a batch a relief) already waiting for the same payer.
    const std::size_t p = funds_.payer_of(c).index();
    const std::size_t reliefs = 2 * p, batches = 2 * p + 1;
    const bool waiting = held_front_[reliefs] < held_[reliefs].size() ||
                         (person < 0 && held_front_[batches] < held_[batches].size());
    if (!waiting && funds_.affordable(c, count, sim_.now())) return false;
    held_[person >= 0 ? reliefs : batches].push_back(Held{c, batch, person, count, sim_.now()});
    contingents_[c].held += count;
    log_.record(EventKind::held_for_funds, c, contingents_[c].origin, count);
    return true;
}

std::int64_t Personnel::held(PayerId p) const {
    std::int64_t n = 0;
    for (std::size_t q = 2 * p.index(); q < 2 * p.index() + 2; ++q)
        for (std::size_t i = held_front_[q]; i < held_[q].size(); ++i)
            n += held_[q][i].count;
    return n;
}

void Personnel::release_held() {
    // Payer by payer: its reliefs' queue, then (once no relief waits) its batches'.
    for (std::size_t qi = 0; qi < held_.size(); ++qi) {
        if (qi % 2 == 1 && held_front_[qi - 1] < held_[qi - 1].size()) continue;
        const PayerId payer(static_cast<std::int32_t>(qi / 2));
        std::vector<Held>& q = held_[qi];
        std::size_t& front = held_front_[qi];
        while (front < q.size() &&
               (q[front].count == 0 ||  // stood down meanwhile: nobody to release
                funds_.affordable(q[front].contingent, q[front].count, sim_.now()))) {
            const Held h = q[front++];
            contingents_[h.contingent].held -= h.count;
            funds_.add_held_hours(payer, static_cast<double>(h.count) * (sim_.now() - h.since_h));
            if (h.count > 0)
                log_.record(EventKind::released_by_funds, h.contingent,
                            contingents_[h.contingent].origin, h.count);
            if (h.person >= 0)
                person_ready(h.person, true);
            else
                release_batch(h.contingent, h.batch);
        }
        if (front == q.size()) {
            q.clear();
            front = 0;
        }
    }
}

// ---- readiness ---------------------------------------------------------------------------------

void Personnel::batch_ready(ContingentId c, int batch) {
    const Contingent::Batch& b = contingents_[c].batches[static_cast<std::size_t>(batch)];
    std::int64_t pledged = 0;
    for (std::int32_t i = 0; i < b.count; ++i)
        pledged += roster_.person(b.first + i).state == PersonState::pledged;
    if (pledged > 0 && hold(c, batch, -1, pledged)) return;
    release_batch(c, batch);
}

void Personnel::release_batch(ContingentId c, int batch) {
    const Contingent::Batch& b = contingents_[c].batches[static_cast<std::size_t>(batch)];
    std::int32_t n = 0;
    for (std::int32_t i = 0; i < b.count; ++i) {
        const std::int32_t id = b.first + i;
        if (roster_.person(id).state != PersonState::pledged) continue;
        person_ready(id, true);
        ++n;
    }
    log_.record(EventKind::batch_ready, c, contingents_[c].origin, n);
}

void Personnel::person_ready(std::int32_t id, bool released) {
    Person& p = roster_.person(id);
    if (p.state != PersonState::pledged) return;  // stood down meanwhile
    if (!released && hold(contingent_of(p), -1, id, 1)) return;
    const AirportId from = origin(p);
    roster_.set_state(id, PersonState::ready);
    p.ready_h = sim_.now();
    place(p, from);
    queues_.join_ready(id, from, p.ready_h);
}

void Personnel::request_relief(std::int32_t billet) {
    Billet& b = roster_.billet(billet);
    if (b.relief >= 0) return;  // at most one pending relief per billet
    const ContingentId c(std::int32_t{b.contingent});
    if (drawn_down(c)) return;
    Contingent& cr = contingents_[c];
    const std::int32_t id = roster_.add(b.contingent, billet, BilletRole::relief);
    log_.record(EventKind::relief_requested, c, AirportId(), 1);
    const double delay_h = kernel::days(sample(*cr.readiness, *cr.readiness_stream));
    if (delay_h <= 0.0)
        person_ready(id, false);
    else
        agenda_.push(sim_.now() + delay_h, Action::person_ready, id);
}

// ---- arrival and rotation ----------------------------------------------------------------------

void Personnel::arrive_theatre(std::int32_t id) {
    Person& p = roster_.person(id);
    const ContingentId c = contingent_of(p);
    Contingent& cr = contingents_[c];
    roster_.set_state(id, PersonState::on_duty);
    place(p, AirportId());
    p.arrived_h = sim_.now();
    p.tour_end_h = p.arrived_h + kernel::days(sample(*cr.tour, *cr.tour_stream));
    ++p.tour_stamp;
    totals_.pax_in += 1;
    cr.totals.pax_in += 1;
    Billet& b = roster_.billet(p.billet);
    if (p.role == BilletRole::relief) {
        const std::int32_t old = b.incumbent;
        b.relief = -1;
        b.incumbent = id;
        roster_.set_role(id, BilletRole::incumbent);
        if (old >= 0) {
            // The outgoing officer hands over during the overlap, then leaves.
            roster_.set_role(old, BilletRole::none);
            const double overlap_h = kernel::days(config(c).rotation.overlap_days);
            if (overlap_h > 0.0)
                agenda_.push(sim_.now() + overlap_h, Action::overlap_end, old);
            else
                start_leaving(old);
        }
    }
    schedule_rotation(id);
}

void Personnel::arrive_theatre(const std::vector<std::int32_t>& cabin) {
    // A cabin at 100x personnel holds thousands of people landed hours after they boarded:
    // ask for each record, then its billet, then the billet's incumbent, some places ahead.
    constexpr std::size_t kPerson = 12, kBillet = 8, kIncumbent = 4;
    const std::size_t n = cabin.size();
    for (std::size_t i = 0; i < std::min(n, kPerson); ++i)
        roster_.prefetch(cabin[i]);
    for (std::size_t i = 0; i < n; ++i) {
        if (i + kPerson < n) roster_.prefetch(cabin[i + kPerson]);
        if (i + kBillet < n) roster_.prefetch_billet(cabin[i + kBillet]);
        if (i + kIncumbent < n) {
            const Person& p = roster_.person(cabin[i + kIncumbent]);
            const std::int32_t inc = roster_.billet(p.billet).incumbent;
            if (inc >= 0) roster_.prefetch(inc);
        }
        arrive_theatre(cabin[i]);
    }
}

void Personnel::schedule_rotation(std::int32_t id) {
    Person& p = roster_.person(id);
    const ContingentId c = contingent_of(p);
    const RotationPolicy& rp = config(c).rotation;
    const double t_end = p.tour_end_h;
    if (drawn_down(c)) {  // no relief: leave at tour end
        agenda_.push(t_end, Action::tour_end, id, p.tour_stamp);
        return;
    }
    // The tour end is scheduled when the relief is requested (relief_due, unit_rotation), so
    // that only one timed action per officer is pending for most of the tour.
    const double due = std::max(sim_.now(), t_end - kernel::days(rp.relief_lead_days));
    if (rp.mode == RotationMode::individual) {
        agenda_.push(due, Action::relief_due, id, p.tour_stamp);
        return;
    }
    // Unit rotation: the contingent is relieved together at the earliest tour end among the
    // incumbents that arrived since the last unit rotation.
    Contingent& cr = contingents_[c];
    if (!cr.unit_pending || t_end < cr.unit_t) {
        cr.unit_pending = true;
        cr.unit_t = t_end;
        ++cr.unit_cycle;
        agenda_.push(due, Action::unit_rotation, c.value, cr.unit_cycle);
    }
}

void Personnel::relief_due(std::int32_t id, std::int32_t stamp) {
    const Person& p = roster_.person(id);
    if (p.role != BilletRole::incumbent || p.tour_stamp != stamp) return;
    if (p.state != PersonState::on_duty && p.state != PersonState::injured) return;
    const double t_end = p.tour_end_h;
    request_relief(p.billet);  // adds a person: `p` may dangle from here on
    agenda_.push(t_end, Action::tour_end, id, stamp);
}

void Personnel::unit_rotation(ContingentId c, std::int32_t cycle) {
    Contingent& cr = contingents_[c];
    if (cycle != cr.unit_cycle || !cr.unit_pending) return;
    cr.unit_pending = false;
    const double t_end = cr.unit_t;
    // After the drawdown no relief comes: nobody's tour is cut short to meet one, everyone
    // leaves at their own tour end (as schedule_rotation does for those arriving then).
    const bool relieved = !drawn_down(c);
    const std::int32_t first = roster_.first_billet(c.value);
    for (std::int32_t b = first; b < first + roster_.billets_of(c.value); ++b) {
        const std::int32_t inc = roster_.billet(b).incumbent;
        if (inc < 0) continue;
        Person& p = roster_.person(inc);
        if (p.state != PersonState::on_duty && p.state != PersonState::injured) continue;
        if (!relieved) {
            agenda_.push(std::max(sim_.now(), p.tour_end_h), Action::tour_end, inc, p.tour_stamp);
            continue;
        }
        if (p.tour_end_h > t_end) {
            p.tour_end_h = t_end;
            ++p.tour_stamp;
        }
        agenda_.push(p.tour_end_h, Action::tour_end, inc, p.tour_stamp);
        request_relief(b);  // adds a person: `p` may dangle from here on
    }
}

void Personnel::tour_end(std::int32_t id, std::int32_t stamp) {
    Person& p = roster_.person(id);
    if (p.role != BilletRole::incumbent || p.tour_stamp != stamp) return;
    if (p.state != PersonState::on_duty && p.state != PersonState::injured) return;
    const ContingentId c = contingent_of(p);
    const double ext_h = kernel::days(config(c).rotation.max_extension_days);
    if (drawn_down(c)) {  // no relief will come: leave at tour end
        release_billet(id, false);
        start_leaving(id);
        return;
    }
    const double t_end = p.tour_end_h;
    // Defensive (normally requested relief_lead_days earlier); adds a person, so `p` may
    // dangle from here on.
    if (roster_.billet(p.billet).relief < 0) request_relief(p.billet);
    if (ext_h <= 0.0) {  // the relief is late and no extension is allowed: leave anyway
        release_billet(id, false);
        start_leaving(id);
        return;
    }
    agenda_.push(t_end + ext_h, Action::extension_end, id, stamp);
}

void Personnel::extension_end(std::int32_t id, std::int32_t stamp) {
    const Person& p = roster_.person(id);
    if (p.role != BilletRole::incumbent || p.tour_stamp != stamp) return;
    if (p.state != PersonState::on_duty && p.state != PersonState::injured) return;
    release_billet(id, false);
    start_leaving(id);
}

void Personnel::overlap_end(std::int32_t id) {
    const Person& p = roster_.person(id);
    if (p.role != BilletRole::none || p.leaving) return;
    if (p.state != PersonState::on_duty && p.state != PersonState::injured) return;
    start_leaving(id);
}

void Personnel::release_billet(std::int32_t id, bool replace) {
    Person& p = roster_.person(id);
    if (p.role != BilletRole::incumbent) return;
    Billet& b = roster_.billet(p.billet);
    b.incumbent = -1;
    roster_.set_role(id, BilletRole::none);
    if (replace) request_relief(p.billet);
}

void Personnel::start_leaving(std::int32_t id) {
    Person& p = roster_.person(id);
    if (p.leaving) return;
    p.leaving = true;
    p.wait_since_h = sim_.now();
    queues_.join_outbound(id, origin(p), gateway_);
}

void Personnel::end_time_in_theatre(const Person& p) {
    // Only time within the run counts: those in theatre at the start arrived before it.
    ContingentTotals& t = contingents_[contingent_of(p)].totals;
    const double now = sim_.now();
    const double due = std::max(0.0, p.tour_end_h);
    if (now > due) t.overstay_h += now - due;
    t.person_hours += now - std::max(0.0, p.arrived_h);
}

void Personnel::leave_theatre(std::int32_t id) {
    Person& p = roster_.person(id);
    end_time_in_theatre(p);
    place(p, AirportId());
    release_billet(id, true);  // normally released already (relieved, tour over, medevac)
    roster_.set_state(id, PersonState::in_transit_out);
    base_.bed_freed();
}

void Personnel::close_books(double horizon_h) {
    // Releases still waiting for funds at the horizon: their time up to it.
    for (std::size_t q = 0; q < held_.size(); ++q)
        for (std::size_t i = held_front_[q]; i < held_[q].size(); ++i)
            funds_.add_held_hours(
                PayerId(static_cast<std::int32_t>(q / 2)),
                static_cast<double>(held_[q][i].count) * (horizon_h - held_[q][i].since_h));
    // People still in theatre at the horizon: overstay and per diem up to the horizon.
    for (std::size_t i = 0; i < roster_.size(); ++i) {
        const Person& p = roster_.person(static_cast<std::int32_t>(i));
        if (p.state != PersonState::on_duty && p.state != PersonState::injured) continue;
        ContingentTotals& t = contingents_[contingent_of(p)].totals;
        const double due = std::max(0.0, p.tour_end_h);
        if (due < horizon_h) t.overstay_h += horizon_h - due;
        t.person_hours += horizon_h - std::max(0.0, p.arrived_h);
    }
}

std::string Personnel::check() const {
    for (ContingentId c : contingents_.ids()) {
        std::int64_t incumbents = 0, reliefs = 0;
        const std::int32_t n = roster_.billets_of(c.value);
        for (std::int32_t b = 0; b < n; ++b) {
            const Billet& bl = roster_.billet(roster_.first_billet(c.value) + b);
            incumbents += bl.incumbent >= 0;
            reliefs += bl.relief >= 0;
        }
        if (incumbents > n || reliefs > n)
            return "contingent " + std::to_string(c.value) +
                   " has more incumbents or reliefs than billets";
    }
    // Everyone held for funds is pledged, and the contingents' counts add up to the queues'.
    std::vector<std::int64_t> held(contingents_.size(), 0);
    for (std::size_t p = 0; p < held_.size(); ++p)
        for (std::size_t i = held_front_[p]; i < held_[p].size(); ++i) {
            const Held& h = held_[p][i];
            held[h.contingent.index()] += h.count;
            if (h.person >= 0 && h.count > 0 &&
                roster_.person(h.person).state != PersonState::pledged)
                return "person " + std::to_string(h.person) + " is held for funds but not pledged";
        }
    for (ContingentId c : contingents_.ids())
        if (held[c.index()] != contingents_[c].held)
            return "contingent " + std::to_string(c.value) + " counts " +
                   std::to_string(contingents_[c].held) + " held for funds, its queue " +
                   std::to_string(held[c.index()]);
    return {};
}

// ---- casualties and losses ---------------------------------------------------------------------

void Personnel::wound(std::int32_t id, bool medevac, double recovery_h) {
    Person& p = roster_.person(id);
    totals_.injured += 1;
    roster_.set_state(id, PersonState::injured);
    if (!medevac) {
        agenda_.push(sim_.now() + recovery_h, Action::recover, id);
        return;
    }
    // Out of the queue as the ordinary passenger the queue counted, before becoming a medevac.
    if (p.pool >= 0) queues_.leave_outbound(id);
    p.medevac = true;
    p.leaving = true;
    p.wait_since_h = sim_.now();
    const AirportId from = origin(p);
    release_billet(id, config(contingent_of(p)).replace_losses);  // `p` may dangle from here on
    queues_.join_outbound(id, from, gateway_);
}

void Personnel::recover(std::int32_t id) {
    const Person& p = roster_.person(id);
    if (p.state != PersonState::injured || p.medevac) return;
    roster_.set_state(id, PersonState::on_duty);
}

void Personnel::kill(std::int32_t id) {
    Person& p = roster_.person(id);
    if (p.pool >= 0) queues_.leave_outbound(id);
    end_time_in_theatre(p);
    roster_.set_state(id, PersonState::killed);
    totals_.killed += 1;
    release_billet(id, config(contingent_of(p)).replace_losses);
    base_.bed_freed();
}

void Personnel::attrite(std::int32_t id) {
    Person& p = roster_.person(id);
    if (p.pool >= 0) queues_.leave_outbound(id);
    end_time_in_theatre(p);
    roster_.set_state(id, PersonState::attrited);
    totals_.attrited += 1;
    log_.record(EventKind::attrited, contingent_of(p), AirportId(), 1);
    release_billet(id, config(contingent_of(p)).replace_losses);
    base_.bed_freed();
}

void Personnel::drawdown(ContingentId c) {
    // Reliefs that have not left home stand down; incumbents already past their tour end
    // (waiting for a relief within the extension) leave now.
    const std::int32_t first = roster_.first_billet(c.value);
    for (std::int32_t b = first; b < first + roster_.billets_of(c.value); ++b) {
        Billet& bl = roster_.billet(b);
        if (bl.relief >= 0) {
            Person& r = roster_.person(bl.relief);
            if (r.state == PersonState::pledged || r.state == PersonState::ready) {
                if (r.state == PersonState::ready) queues_.leave_ready(location_of(r));
                roster_.set_state(bl.relief, PersonState::stood_down);
                roster_.set_role(bl.relief, BilletRole::none);
                place(r, AirportId());
                bl.relief = -1;
            }
        }
        const std::int32_t inc = bl.incumbent;
        if (inc >= 0) {
            const Person& p = roster_.person(inc);
            if ((p.state == PersonState::on_duty || p.state == PersonState::injured) &&
                p.tour_end_h <= sim_.now()) {
                release_billet(inc, false);
                start_leaving(inc);
            }
        }
    }
    forget_held(c);
}

void Personnel::forget_held(ContingentId c) {
    // Reliefs of `c` held for funds that just stood down: nobody waits for them any more.
    if (held_.empty() || contingents_[c].held == 0) return;
    const PayerId payer = funds_.payer_of(c);
    const std::size_t q = 2 * payer.index();  // its reliefs' queue
    for (std::size_t i = held_front_[q]; i < held_[q].size(); ++i) {
        Held& h = held_[q][i];
        if (h.contingent != c || h.person < 0 || h.count == 0) continue;
        if (roster_.person(h.person).state != PersonState::stood_down) continue;
        funds_.add_held_hours(payer, static_cast<double>(h.count) * (sim_.now() - h.since_h));
        contingents_[c].held -= h.count;
        h.count = 0;
    }
}

void Personnel::attrition_step() {
    // One step a day for every contingent: within a step each contingent's losses are a
    // Poisson process at rate (attrition per person-day) x (people in theatre), the rate being
    // re-evaluated at every loss and at the next step.
    const double until = sim_.now() + kernel::days(1.0);
    for (ContingentId c : contingents_.ids()) {
        if (config(c).attrition_per_person_day <= 0.0) continue;
        contingents_[c].attrition_until_h = until;
        attrition_draw(c, until);
    }
    agenda_.push(until, Action::attrition_step, -1);
}

void Personnel::attrition_draw(ContingentId c, double until_h) {
    const auto n = static_cast<double>(roster_.theatre(c.value).size());
    if (n == 0) return;
    Contingent& cr = contingents_[c];
    const double rate_h = config(c).attrition_per_person_day * n / 24.0;
    const double t = sim_.now() - std::log1p(-cr.attrition_stream->uniform01()) / rate_h;
    if (t < until_h) agenda_.push(t, Action::attrition_hit, c.value);
}

void Personnel::attrition_hit(ContingentId c) {
    Contingent& cr = contingents_[c];
    const auto& th = roster_.theatre(c.value);
    if (!th.empty()) {
        const double u = cr.attrition_stream->uniform01();
        const auto i =
            std::min(th.size() - 1, static_cast<std::size_t>(u * static_cast<double>(th.size())));
        attrite(th[i]);
    }
    attrition_draw(c, cr.attrition_until_h);
}

}  // namespace mss::model
