// Personnel rules (DESIGN §3 "Billets", "Contingent", "Tour clock", casualties, attrition,
// drawdown): generation, readiness, arrival in theatre, the rotation policy, leaving theatre,
// wounds, deaths and non-combat losses. Every rule here is a change of personnel records,
// run by the personnel clock or called from a process.
#include <algorithm>
#include <cmath>

#include "sim/model/mission.hpp"

namespace mss::model {

bool Mission::drawn_down(int c) const {
    return sim_.now() >= contingents_[static_cast<std::size_t>(c)].drawdown_h;
}

// ---- generation and readiness ------------------------------------------------------------------

void Mission::batch_ready(int c, int batch) {
    const ContingentRt::Batch& b =
        contingents_[static_cast<std::size_t>(c)].batches[static_cast<std::size_t>(batch)];
    std::int32_t n = 0;
    for (std::int32_t i = 0; i < b.count; ++i) {
        const std::int32_t id = b.first + i;
        if (roster_.person(id).state != PersonState::pledged) continue;
        person_ready(id);
        ++n;
    }
    record(EventKind::batch_ready, c, contingents_[static_cast<std::size_t>(c)].origin, n);
}

void Mission::person_ready(std::int32_t id) {
    Person& p = roster_.person(id);
    if (p.state != PersonState::pledged) return;  // stood down meanwhile
    const int origin = contingents_[static_cast<std::size_t>(p.contingent)].origin;
    roster_.set_state(id, PersonState::ready);
    p.ready_h = sim_.now();
    p.location = static_cast<std::int16_t>(origin);
    OriginRt& o = origins_[static_cast<std::size_t>(origin)];
    o.ready.push_back({p.ready_h, id});
    std::push_heap(o.ready.begin(), o.ready.end(), [](const ReadyEntry& x, const ReadyEntry& y) {
        return x.ready_h > y.ready_h || (x.ready_h == y.ready_h && x.id > y.id);
    });
    ++o.ready_count;
    poke_origin(origin);
}

void Mission::request_relief(std::int32_t billet) {
    Billet& b = roster_.billet(billet);
    if (b.relief >= 0) return;  // at most one pending relief per billet
    const int c = b.contingent;
    if (drawn_down(c)) return;
    ContingentRt& cr = contingents_[static_cast<std::size_t>(c)];
    const std::int32_t id = roster_.add(static_cast<std::int16_t>(c), billet, BilletRole::relief);
    record(EventKind::relief_requested, c, -1, 1);
    const double delay_h = 24.0 * sample(*cr.readiness, *cr.readiness_stream);
    if (delay_h <= 0.0)
        person_ready(id);
    else
        agenda_.push(sim_.now() + delay_h, Action::person_ready, id);
}

// ---- arrival and rotation ----------------------------------------------------------------------

void Mission::arrive_theatre(std::int32_t id) {
    Person& p = roster_.person(id);
    const int c = p.contingent;
    ContingentRt& cr = contingents_[static_cast<std::size_t>(c)];
    roster_.set_state(id, PersonState::on_duty);
    p.location = -1;
    p.arrived_h = sim_.now();
    p.tour_end_h = p.arrived_h + 24.0 * sample(*cr.tour, *cr.tour_stream);
    ++p.tour_stamp;
    pax_in_ += 1;
    cr.pax_in += 1;
    Billet& b = roster_.billet(p.billet);
    if (p.role == BilletRole::relief) {
        const std::int32_t old = b.incumbent;
        b.relief = -1;
        b.incumbent = id;
        p.role = BilletRole::incumbent;
        if (old >= 0) {
            // The outgoing officer hands over during the overlap, then leaves.
            Person& o = roster_.person(old);
            o.role = BilletRole::none;
            const double overlap_h =
                24.0 * cfg_.contingents[static_cast<std::size_t>(c)].rotation.overlap_days;
            if (overlap_h > 0.0)
                agenda_.push(sim_.now() + overlap_h, Action::overlap_end, old);
            else
                start_leaving(old);
        }
    }
    schedule_rotation(id);
}

void Mission::schedule_rotation(std::int32_t id) {
    Person& p = roster_.person(id);
    const int c = p.contingent;
    const RotationPolicy& rp = cfg_.contingents[static_cast<std::size_t>(c)].rotation;
    const double t_end = p.tour_end_h;
    if (drawn_down(c)) {  // no relief: leave at tour end
        agenda_.push(t_end, Action::tour_end, id, p.tour_stamp);
        return;
    }
    // The tour end is scheduled when the relief is requested (relief_due, unit_rotation), so
    // that only one timed action per officer is pending for most of the tour.
    const double due = std::max(sim_.now(), t_end - 24.0 * rp.relief_lead_days);
    if (rp.mode == RotationMode::individual) {
        agenda_.push(due, Action::relief_due, id, p.tour_stamp);
        return;
    }
    // Unit rotation: the contingent is relieved together at the earliest tour end among the
    // incumbents that arrived since the last unit rotation.
    ContingentRt& cr = contingents_[static_cast<std::size_t>(c)];
    if (!cr.unit_pending || t_end < cr.unit_t) {
        cr.unit_pending = true;
        cr.unit_t = t_end;
        ++cr.unit_cycle;
        agenda_.push(due, Action::unit_rotation, c, cr.unit_cycle);
    }
}

void Mission::relief_due(std::int32_t id, std::int32_t stamp) {
    const Person& p = roster_.person(id);
    if (p.role != BilletRole::incumbent || p.tour_stamp != stamp) return;
    if (p.state != PersonState::on_duty && p.state != PersonState::injured) return;
    const double t_end = p.tour_end_h;
    request_relief(p.billet);  // adds a person: `p` may dangle from here on
    agenda_.push(t_end, Action::tour_end, id, stamp);
}

void Mission::unit_rotation(int c, std::int32_t cycle) {
    ContingentRt& cr = contingents_[static_cast<std::size_t>(c)];
    if (cycle != cr.unit_cycle || !cr.unit_pending) return;
    cr.unit_pending = false;
    const double t_end = cr.unit_t;
    // After the drawdown no relief comes: nobody's tour is cut short to meet one, everyone
    // leaves at their own tour end (as schedule_rotation does for those arriving then).
    const bool relieved = !drawn_down(c);
    const std::int32_t first = roster_.first_billet(c);
    for (std::int32_t b = first; b < first + roster_.billets_of(c); ++b) {
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

void Mission::tour_end(std::int32_t id, std::int32_t stamp) {
    Person& p = roster_.person(id);
    if (p.role != BilletRole::incumbent || p.tour_stamp != stamp) return;
    if (p.state != PersonState::on_duty && p.state != PersonState::injured) return;
    const int c = p.contingent;
    const double ext_h =
        24.0 * cfg_.contingents[static_cast<std::size_t>(c)].rotation.max_extension_days;
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

void Mission::extension_end(std::int32_t id, std::int32_t stamp) {
    const Person& p = roster_.person(id);
    if (p.role != BilletRole::incumbent || p.tour_stamp != stamp) return;
    if (p.state != PersonState::on_duty && p.state != PersonState::injured) return;
    release_billet(id, false);
    start_leaving(id);
}

void Mission::overlap_end(std::int32_t id) {
    const Person& p = roster_.person(id);
    if (p.role != BilletRole::none || p.leaving) return;
    if (p.state != PersonState::on_duty && p.state != PersonState::injured) return;
    start_leaving(id);
}

// Roster::add may reallocate the person records: a Person& taken before request_relief (or
// release_billet with replace) must not be used after it.
void Mission::release_billet(std::int32_t id, bool replace) {
    Person& p = roster_.person(id);
    if (p.role != BilletRole::incumbent) return;
    Billet& b = roster_.billet(p.billet);
    b.incumbent = -1;
    p.role = BilletRole::none;
    if (replace) request_relief(p.billet);
}

void Mission::start_leaving(std::int32_t id) {
    Person& p = roster_.person(id);
    if (p.leaving) return;
    p.leaving = true;
    p.wait_since_h = sim_.now();
    pool_push(id, contingents_[static_cast<std::size_t>(p.contingent)].origin, gateway_);
}

void Mission::leave_theatre(std::int32_t id) {
    Person& p = roster_.person(id);
    ContingentRt& cr = contingents_[static_cast<std::size_t>(p.contingent)];
    const double now = sim_.now();
    if (now > p.tour_end_h) cr.overstay_h += now - p.tour_end_h;
    cr.person_hours += now - p.arrived_h;
    p.location = -1;
    release_billet(id, true);  // normally released already (relieved, tour over, medevac)
    roster_.set_state(id, PersonState::in_transit_out);
    if (beds_ >= 0) poke_all_aircraft();
}

// ---- casualties and losses ---------------------------------------------------------------------

void Mission::wound(std::int32_t id, bool medevac, double recovery_h) {
    Person& p = roster_.person(id);
    injured_ += 1;
    roster_.set_state(id, PersonState::injured);
    if (!medevac) {
        agenda_.push(sim_.now() + recovery_h, Action::recover, id);
        return;
    }
    p.medevac = true;
    if (p.pool >= 0) pool_remove(id);
    p.leaving = true;
    p.wait_since_h = sim_.now();
    const int origin = contingents_[static_cast<std::size_t>(p.contingent)].origin;
    release_billet(id, true);  // adds a relief: `p` may dangle from here on
    pool_push(id, origin, gateway_);
}

void Mission::recover(std::int32_t id) {
    const Person& p = roster_.person(id);
    if (p.state != PersonState::injured || p.medevac) return;
    roster_.set_state(id, PersonState::on_duty);
}

void Mission::kill(std::int32_t id) {
    Person& p = roster_.person(id);
    if (p.pool >= 0) pool_remove(id);
    ContingentRt& cr = contingents_[static_cast<std::size_t>(p.contingent)];
    const double now = sim_.now();
    if (now > p.tour_end_h) cr.overstay_h += now - p.tour_end_h;
    cr.person_hours += now - p.arrived_h;
    roster_.set_state(id, PersonState::killed);
    killed_ += 1;
    release_billet(id, true);
    if (beds_ >= 0) poke_all_aircraft();
}

void Mission::attrite(std::int32_t id) {
    Person& p = roster_.person(id);
    if (p.pool >= 0) pool_remove(id);
    ContingentRt& cr = contingents_[static_cast<std::size_t>(p.contingent)];
    const double now = sim_.now();
    if (now > p.tour_end_h) cr.overstay_h += now - p.tour_end_h;
    cr.person_hours += now - p.arrived_h;
    roster_.set_state(id, PersonState::attrited);
    attrited_ += 1;
    record(EventKind::attrited, p.contingent, -1, 1);
    release_billet(id, true);
    if (beds_ >= 0) poke_all_aircraft();
}

void Mission::drawdown(int c) {
    // Reliefs that have not left home stand down; incumbents already past their tour end
    // (waiting for a relief within the extension) leave now.
    const std::int32_t first = roster_.first_billet(c);
    for (std::int32_t b = first; b < first + roster_.billets_of(c); ++b) {
        Billet& bl = roster_.billet(b);
        if (bl.relief >= 0) {
            Person& r = roster_.person(bl.relief);
            if (r.state == PersonState::pledged || r.state == PersonState::ready) {
                if (r.state == PersonState::ready)
                    --origins_[static_cast<std::size_t>(r.location)].ready_count;
                roster_.set_state(bl.relief, PersonState::stood_down);
                r.role = BilletRole::none;
                r.location = -1;
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
}

void Mission::attrition_step() {
    // One step a day for every contingent: within a step each contingent's losses are a
    // Poisson process at rate (attrition per person-day) x (people in theatre), the rate being
    // re-evaluated at every loss and at the next step.
    const double until = sim_.now() + 24.0;
    for (std::size_t c = 0; c < contingents_.size(); ++c) {
        if (cfg_.contingents[c].attrition_per_person_day <= 0.0) continue;
        contingents_[c].attrition_until_h = until;
        attrition_draw(static_cast<int>(c), until);
    }
    agenda_.push(until, Action::attrition_step, -1);
}

void Mission::attrition_draw(int c, double until_h) {
    const auto n = static_cast<double>(roster_.theatre(c).size());
    if (n == 0) return;
    ContingentRt& cr = contingents_[static_cast<std::size_t>(c)];
    const double rate_h =
        cfg_.contingents[static_cast<std::size_t>(c)].attrition_per_person_day * n / 24.0;
    const double t = sim_.now() - std::log1p(-cr.attrition_stream->uniform01()) / rate_h;
    if (t < until_h) agenda_.push(t, Action::attrition_hit, c);
}

void Mission::attrition_hit(int c) {
    ContingentRt& cr = contingents_[static_cast<std::size_t>(c)];
    const auto& th = roster_.theatre(c);
    if (!th.empty()) {
        const double u = cr.attrition_stream->uniform01();
        const auto i =
            std::min(th.size() - 1, static_cast<std::size_t>(u * static_cast<double>(th.size())));
        attrite(th[i]);
    }
    attrition_draw(c, cr.attrition_until_h);
}

}  // namespace mss::model
