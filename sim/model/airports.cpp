// Airports: closures by class, parking, handling, and the open/closed time they report.
#include "sim/model/airports.hpp"

#include <algorithm>

#include "sim/model/agenda.hpp"

namespace mss::model {

namespace {
ClassMask closure_mask(const ClosureConfig& c) {
    if (c.all_classes) return kAllClasses;
    ClassMask m = 0;
    for (OperatorClass k : c.classes)
        m |= class_bit(k);
    return m;
}
}  // namespace

Airports::Airports(const ModelConfig& cfg, kernel::Simulation& sim, kernel::StreamFactory& streams,
                   EventLog& log)
    : sim_(sim), log_(log) {
    airports_.reserve(cfg.airports.size());
    for (const AirportConfig& a : cfg.airports) {
        Airport ap;
        ap.code = a.code;
        ap.mog = std::make_unique<kernel::Resource>(sim_, static_cast<std::size_t>(a.mog));
        ap.handling.emplace(a.handling_h);
        ap.handling_stream.emplace(streams.stream("airport/" + a.code + "/handling"));
        airports_.push_back(std::move(ap));
    }
    gateway_ = id(cfg.main_gateway);
}

AirportId Airports::id(const std::string& code) const {
    for (AirportId a : airports_.ids())
        if (airports_[a].code == code) return a;
    return AirportId();
}

void Airports::schedule_closures(const ModelConfig& cfg, Agenda& agenda) const {
    for (AirportId a : airports_.ids())
        for (const ClosureConfig& c : cfg.airports[a.index()].closures) {
            if (!(c.end_h > c.start_h)) continue;
            const ClassMask m = closure_mask(c);
            if (m == 0) continue;
            agenda.push(std::max(0.0, c.start_h), Action::closure_start, a.value, m);
            agenda.push(std::max(0.0, c.end_h), Action::closure_end, a.value, m);
        }
}

bool Airports::closed_to_any(AirportId a) const {
    const Airport& ap = airports_[a];
    for (int k = 0; k < kOperatorClassCount; ++k)
        if (ap.closed[k] > 0) return true;
    return false;
}

bool Airports::open_to_some(AirportId a, ClassMask classes) const {
    const Airport& ap = airports_[a];
    for (int k = 0; k < kOperatorClassCount; ++k)
        if ((classes & (1u << k)) && ap.closed[k] == 0) return true;
    return false;
}

void Airports::account(Airport& ap, double t) {
    const double dt = t - ap.last_change_h;
    if (dt > 0.0) {
        bool any = false, all = true;
        for (int k = 0; k < kOperatorClassCount; ++k) {
            any = any || ap.closed[k] > 0;
            all = all && ap.closed[k] > 0;
        }
        if (!any) ap.open_today_h += dt;
        if (all) ap.closed_all_total_h += dt;
        if (all) ap.closed_today_h[0] += dt;
        for (int k = 0; k < kOperatorClassCount; ++k)
            if (ap.closed[k] > 0) ap.closed_today_h[1 + k] += dt;
    }
    ap.last_change_h = std::max(ap.last_change_h, t);
}

void Airports::change_closure(AirportId a, ClassMask mask, int delta) {
    Airport& ap = airports_[a];
    account(ap, sim_.now());
    for (int k = 0; k < kOperatorClassCount; ++k)
        if (mask & (1u << k)) ap.closed[k] += delta;
    log_.record(delta > 0 ? EventKind::closure_start : EventKind::closure_end, ContingentId(), a,
                mask);
    std::vector<Sleeper*> ws;
    ws.swap(ap.waiters);
    for (Sleeper* s : ws)
        wake(*s);
    if (on_change_) on_change_();
}

double Airports::handling_h(AirportId a) {
    Airport& ap = airports_[a];
    return std::max(0.0, ap.handling->sample(*ap.handling_stream));
}

float Airports::take_day(AirportId a, double end_h, float* closed) {
    Airport& ap = airports_[a];
    account(ap, end_h);
    const auto share = static_cast<float>(kernel::in_days(ap.open_today_h));
    ap.open_today_h = 0.0;
    for (int k = 0; k < kClosureClassCount; ++k) {
        closed[k] = static_cast<float>(kernel::in_days(ap.closed_today_h[k]));
        ap.closed_today_h[k] = 0.0;
    }
    return share;
}

double Airports::closed_all_days(AirportId a, double t_h) {
    Airport& ap = airports_[a];
    account(ap, t_h);
    return kernel::in_days(ap.closed_all_total_h);
}

}  // namespace mss::model
