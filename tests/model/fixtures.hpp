// Small hand-computable configurations and a SimPy-style event timeline for the model tests.
#pragma once

#include <string>
#include <vector>

#include "sim/model/config.hpp"
#include "sim/model/memory_observer.hpp"
#include "tests/kernel/timeline.hpp"

namespace mss::model::test {

using kernel::test::Mark;
using kernel::test::Timeline;
using D = DistributionSpec;

/// One contingent "K" of `ready` personnel ready at ORG at t = 0 (billets = ready), one
/// aircraft type with `aircraft` airframes of `seats` seats at ORG, route ORG -> PAP with a
/// constant 10 h block, handling 2 h at PAP and 3 h at ORG, turnaround 12 h, min_load 100,
/// no violence, 365-day tours (no rotation within a short horizon), per diem 0.
inline ModelConfig simple_config(int ready = 1000, int seats = 250, int aircraft = 1) {
    ModelConfig m;
    m.scenario.name = "simple";
    m.scenario.horizon_days = 10;
    m.main_gateway = "PAP";
    ContingentConfig c;
    c.name = "K";
    c.origin = "ORG";
    c.billets = ready;
    c.generation = {{0.0, ready}};
    c.tour_days = D::constant(365.0);
    c.rotation.relief_lead_days = 30.0;
    c.per_diem_usd = 0.0;
    m.contingents = {c};
    AirportConfig pap;
    pap.code = "PAP";
    pap.mog = 2;
    pap.handling_h = D::constant(2.0);
    AirportConfig org;
    org.code = "ORG";
    org.mog = 2;
    org.handling_h = D::constant(3.0);
    m.airports = {pap, org};
    AircraftConfig a;
    a.type = "jet";
    a.count = aircraft;
    a.seats = seats;
    a.home_base = "ORG";
    a.operator_class = OperatorClass::charter;
    a.cost_per_block_hour_usd = 100.0;
    m.aircraft = {a};
    RouteConfig r;
    r.origin = "ORG";
    r.gateway = "PAP";
    r.block_h = D::constant(10.0);
    m.routes = {r};
    m.airlift.min_load = 100;
    m.airlift.max_wait_days = 14.0;
    m.airlift.turnaround_h = 12.0;
    return m;
}

/// Adds airport `code` (MOG 1, handling 2 h) as an alternate of every route, with block
/// `block_h` from the origin and `divert_h` from the gateway area.
inline void add_alternate(ModelConfig& m, const std::string& code, double block_h,
                          double divert_h) {
    AirportConfig a;
    a.code = code;
    a.mog = 1;
    a.handling_h = D::constant(2.0);
    m.airports.push_back(a);
    for (RouteConfig& r : m.routes)
        r.alternates.push_back(AlternateConfig{code, D::constant(block_h), D::constant(divert_h)});
}

/// Adds a transfer link at `airport`.
inline void add_link(ModelConfig& m, const std::string& airport, int vehicles, int seats,
                     double trip_h, double cost) {
    TransferLinkConfig l;
    l.name = airport + "-shuttle";
    l.airport = airport;
    l.vehicles = vehicles;
    l.seats_per_trip = seats;
    l.trip_h = D::constant(trip_h);
    l.cost_per_trip_usd = cost;
    m.links.push_back(l);
}

/// A closure of `code` over [start_h, end_h), for every class or just `cls`.
inline void add_closure(ModelConfig& m, const std::string& code, double start_h, double end_h,
                        std::vector<OperatorClass> classes = {}) {
    for (AirportConfig& a : m.airports)
        if (a.code == code) {
            ClosureConfig c;
            c.start_h = start_h;
            c.end_h = end_h;
            c.all_classes = classes.empty();
            c.classes = classes;
            a.closures.push_back(c);
        }
}

/// The airlift and closure events of a run as a timeline: "kind AIRPORT count".
inline Timeline airlift_timeline(const ModelConfig& m, const MemoryObserver& obs) {
    Timeline t;
    for (const EventRecord& e : obs.events) {
        switch (e.kind) {
            case EventKind::sortie_launched:
            case EventKind::landed:
            case EventKind::diverted:
            case EventKind::cancelled:
            case EventKind::returned_home:
            case EventKind::medevac_flight:
            case EventKind::closure_start:
            case EventKind::closure_end:
            case EventKind::batch_ready: {
                std::string what = to_string(e.kind);
                if (e.airport >= 0)
                    what += " " + m.airports[static_cast<std::size_t>(e.airport)].code;
                what += " " + std::to_string(e.count);
                t.push_back({what, e.t_h});
                break;
            }
            default:
                break;
        }
    }
    return t;
}

/// Strength (all contingents) at the end of each day.
inline std::vector<double> strength_by_day(const MemoryObserver& obs) {
    std::vector<double> s;
    for (const DaySnapshot& d : obs.days) {
        double x = 0;
        for (float v : d.strength)
            x += v;
        s.push_back(x);
    }
    return s;
}

}  // namespace mss::model::test
