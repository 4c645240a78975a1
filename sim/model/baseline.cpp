// The baseline configuration. Sources: ../shared/domain/FACTS.md (block times, seats, tours,
// per diem, closure history); charter costs per block hour are assumptions (FACTS: "not
// found"). The violence rates are calibrated to FACTS (scenarios/baseline.toml's header gives
// the measured numbers): patrol hits about once every two months, ~2 killed and ~12 wounded in
// the first 15 months; PAP closures by attack about once every 9 months, of 30-77 days.
#include "sim/model/baseline.hpp"

namespace mss::model {

namespace {

using D = DistributionSpec;
using C = CountSpec;

ContingentConfig contingent(std::string name, std::string origin, std::int32_t billets,
                            std::vector<GenerationBatch> batches, D readiness, D tour,
                            RotationPolicy rotation, double attrition) {
    ContingentConfig c;
    c.name = std::move(name);
    c.origin = std::move(origin);
    c.billets = billets;
    c.generation = std::move(batches);
    c.readiness_delay_days = std::move(readiness);
    c.pledge.probability = 1.0;
    c.pledge.delay_days = D::constant(0.0);
    c.tour_days = std::move(tour);
    c.rotation = rotation;
    c.attrition_per_person_day = attrition;
    c.per_diem_usd = 70.0;
    return c;
}

AirportConfig airport(std::string code, std::string name, std::int32_t mog, D handling) {
    AirportConfig a;
    a.code = std::move(code);
    a.name = std::move(name);
    a.mog = mog;
    a.handling_h = std::move(handling);
    return a;
}

AircraftConfig aircraft(std::string type, std::int32_t seats, std::string base, OperatorClass cls,
                        double cost) {
    AircraftConfig a;
    a.type = std::move(type);
    a.count = 1;
    a.seats = seats;
    a.home_base = std::move(base);
    a.operator_class = cls;
    a.cost_per_block_hour_usd = cost;
    return a;
}

RouteConfig route(std::string origin, double median_h) {
    RouteConfig r;
    r.origin = std::move(origin);
    r.gateway = "PAP";
    r.block_h = D::lognormal_median(median_h, 0.05);
    r.alternates = {
        AlternateConfig{"CAP", D::lognormal_median(median_h + 0.5, 0.05), D::constant(0.6)},
        AlternateConfig{"SDQ", D::lognormal_median(median_h + 0.8, 0.05), D::constant(1.0)},
    };
    r.on_closure = ClosureRule::divert;
    r.max_hold_h = 2.0;
    return r;
}

TransferLinkConfig link(std::string name, std::string airport, std::int32_t vehicles,
                        std::int32_t seats, D trip, double cost) {
    TransferLinkConfig l;
    l.name = std::move(name);
    l.airport = std::move(airport);
    l.kind = TransferLinkConfig::Kind::helicopter;
    l.vehicles = vehicles;
    l.seats_per_trip = seats;
    l.trip_h = std::move(trip);
    l.cost_per_trip_usd = cost;
    return l;
}

RegimeConfig regime(std::string name, double rate, double p_close, D closure, double p_cut, D cut,
                    double p_hit, C wounded, C killed) {
    RegimeConfig r;
    r.name = std::move(name);
    r.attacks_per_day = rate;
    r.p_close_airport = p_close;
    r.closure_days = std::move(closure);
    r.p_cut_link = p_cut;
    r.cut_days = std::move(cut);
    r.p_patrol_hit = p_hit;
    r.wounded = std::move(wounded);
    r.killed = std::move(killed);
    return r;
}

}  // namespace

ModelConfig baseline_config() {
    ModelConfig m;
    m.scenario.name = "baseline";
    m.scenario.description =
        "The mission as planned: Kenya 1,000 plus Benin, Chad, Bangladesh, The Bahamas and "
        "Barbados to 2,500 billets, two years from 2024-06-01.";
    m.scenario.start_days_since_epoch = 19875;  // 2024-06-01
    m.scenario.horizon_days = 730;
    m.scenario.seed = 20240601;
    m.scenario.replications = 100;
    m.main_gateway = "PAP";

    const D year_tour = D::normal(365.0, 15.0, 300.0, 430.0);
    const RotationPolicy long_rot{45.0, 3.0, 60.0, RotationMode::individual};
    const RotationPolicy short_rot{30.0, 3.0, 30.0, RotationMode::individual};
    m.contingents = {
        contingent("Kenya", "NBO", 1000, {{24, 200}, {45, 200}, {75, 200}, {105, 200}, {135, 200}},
                   D::constant(0.0), year_tour, long_rot, 1e-4),
        contingent("Benin", "COO", 800, {{120, 200}, {150, 200}, {180, 200}, {210, 200}},
                   D::uniform(0.0, 14.0), year_tour, long_rot, 5e-5),
        contingent("Chad", "NDJ", 250, {{150, 125}, {180, 125}}, D::uniform(0.0, 14.0), year_tour,
                   long_rot, 5e-5),
        contingent("Bangladesh", "DAC", 250, {{150, 125}, {180, 125}}, D::uniform(0.0, 14.0),
                   year_tour, long_rot, 5e-5),
        contingent("The Bahamas", "NAS", 150, {{140, 75}, {170, 75}}, D::uniform(0.0, 7.0),
                   D::constant(182.0), short_rot, 5e-5),
        contingent("Barbados", "BGI", 50, {{140, 50}}, D::uniform(0.0, 7.0), D::constant(182.0),
                   short_rot, 5e-5),
    };

    m.airports = {
        airport("PAP", "Toussaint Louverture", 2, D::lognormal_median(2.0, 0.2)),
        airport("CAP", "Cap-Haitien", 1, D::lognormal_median(2.5, 0.2)),
        airport("SDQ", "Santo Domingo Las Americas", 3, D::lognormal_median(2.0, 0.2)),
    };
    for (const char* code : {"NBO", "COO", "NDJ", "DAC", "NAS", "BGI"})
        m.airports.push_back(airport(code, code, 2, D::constant(3.0)));
    m.airports[3].name = "Nairobi Jomo Kenyatta";
    m.airports[4].name = "Cotonou Cadjehoun";
    m.airports[5].name = "N'Djamena";
    m.airports[6].name = "Dhaka Hazrat Shahjalal";
    m.airports[7].name = "Nassau Lynden Pindling";
    m.airports[8].name = "Bridgetown Grantley Adams";

    m.aircraft = {
        aircraft("B787-charter", 230, "NBO", OperatorClass::charter, 15000),
        aircraft("A330-charter-COO", 250, "COO", OperatorClass::charter, 12000),
        aircraft("A330-charter-NDJ", 250, "NDJ", OperatorClass::charter, 12000),
        aircraft("B777-charter-DAC", 300, "DAC", OperatorClass::charter, 16000),
        aircraft("C130-NAS", 80, "NAS", OperatorClass::military, 8000),
        aircraft("C130-BGI", 80, "BGI", OperatorClass::military, 8000),
    };
    m.routes = {route("NBO", 17.0), route("COO", 11.0), route("NDJ", 12.5),
                route("DAC", 22.0), route("NAS", 1.8),  route("BGI", 3.0)};
    m.routes[4].min_load = 50;  // the C-130s (80 seats) take a batch of 75 or 50 at once
    m.routes[5].min_load = 50;
    m.links = {
        link("CAP-heli", "CAP", 2, 12, D::lognormal_median(1.0, 0.1), 20000),
        link("SDQ-heli", "SDQ", 1, 12, D::lognormal_median(1.5, 0.1), 30000),
    };

    m.airlift.min_load = 100;
    m.airlift.max_wait_days = 14.0;
    m.airlift.max_medevac_wait_h = 48.0;
    m.airlift.turnaround_h = 12.0;
    m.base.beds.reset();

    ViolenceConfig& v = m.violence;
    v.enabled = true;
    const D closure = D::lognormal_median(42.0, 0.4);
    const D cut = D::lognormal_median(2.0, 0.5);
    v.regimes = {
        regime("calm", 0.3, 0.0012, closure, 0.02, cut, 0.008, C::poisson(1.0),
               C::binomial(1, 0.1)),
        regime("tense", 1.0, 0.0025, closure, 0.04, cut, 0.016, C::poisson(1.2),
               C::binomial(2, 0.1)),
        regime("violent", 3.0, 0.005, D::lognormal_median(50.0, 0.4), 0.08,
               D::lognormal_median(4.0, 0.5), 0.024, C::poisson(1.5), C::binomial(2, 0.15)),
    };
    v.generator_per_day = {{-0.02, 0.015, 0.005}, {0.03, -0.05, 0.02}, {0.01, 0.04, -0.05}};
    v.initial_regime = "tense";
    v.p_medevac = 0.3;
    v.recovery_days = D::lognormal_median(14.0, 0.5);

    m.kpis.ioc_frac = 0.5;
    m.kpis.foc_frac = 0.95;
    m.kpis.floor_frac = 0.9;
    m.output.events = true;
    m.output.max_events_per_run = 100000;
    return m;
}

}  // namespace mss::model
