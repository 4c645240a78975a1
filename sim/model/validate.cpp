// The model's own minimum of consistency checks (validate.hpp).
#include "sim/model/validate.hpp"

#include <map>

#include "sim/kernel/ctmc.hpp"
#include "sim/model/violence.hpp"

namespace mss::model {

std::vector<std::string> validate_model_config(const ModelConfig& cfg) {
    std::vector<std::string> errs;
    std::map<std::string, int> codes;
    for (std::size_t i = 0; i < cfg.airports.size(); ++i) {
        const AirportConfig& a = cfg.airports[i];
        if (!codes.emplace(a.code, static_cast<int>(i)).second)
            errs.push_back("airport " + a.code + " is defined twice");
        if (a.mog < 1) errs.push_back("airport " + a.code + ": mog must be >= 1");
        for (const ClosureConfig& c : a.closures)
            if (c.end_h < c.start_h)
                errs.push_back("airport " + a.code + ": a closure ends before it starts");
    }
    auto known = [&](const std::string& code) { return codes.count(code) != 0; };
    if (cfg.scenario.horizon_days <= 0) errs.push_back("horizon_days must be > 0");
    if (!known(cfg.main_gateway))
        errs.push_back("main_gateway " + cfg.main_gateway + " is not an airport");
    for (const ContingentConfig& c : cfg.contingents) {
        if (!known(c.origin))
            errs.push_back("contingent " + c.name + ": unknown origin " + c.origin);
        if (c.billets < 0) errs.push_back("contingent " + c.name + ": billets must be >= 0");
        std::int64_t sum = 0;
        for (const GenerationBatch& b : c.generation) {
            if (b.count < 0) errs.push_back("contingent " + c.name + ": a batch count is negative");
            sum += b.count;
        }
        if (sum > c.billets)
            errs.push_back("contingent " + c.name + ": generation batches exceed the billets");
        if (c.pledge.probability < 0.0 || c.pledge.probability > 1.0)
            errs.push_back("contingent " + c.name + ": pledge probability outside [0, 1]");
        if (c.attrition_per_person_day < 0.0)
            errs.push_back("contingent " + c.name + ": attrition rate must be >= 0");
        if (kernel::validate(c.tour_days).empty() &&
            !(kernel::theoretical_mean(c.tour_days) >= 1.0))
            errs.push_back("contingent " + c.name + ": the mean tour must be at least 1 day");
    }
    if (cfg.contingents.size() > 32000) errs.push_back("too many contingents");
    for (const RouteConfig& r : cfg.routes) {
        if (!known(r.origin)) errs.push_back("route from unknown origin " + r.origin);
        if (r.gateway != cfg.main_gateway)
            errs.push_back("route from " + r.origin + ": gateway " + r.gateway +
                           " is not the main gateway " + cfg.main_gateway);
        for (const AlternateConfig& a : r.alternates) {
            if (!known(a.code))
                errs.push_back("route from " + r.origin + ": unknown alternate " + a.code);
            if (a.code == r.gateway)
                errs.push_back("route from " + r.origin + ": alternate equals the gateway");
        }
        if (r.max_hold_h < 0.0) errs.push_back("route from " + r.origin + ": max_hold_h < 0");
        if (r.min_load && *r.min_load < 0)
            errs.push_back("route from " + r.origin + ": min_load must be >= 0");
        if (r.max_wait_days && !(*r.max_wait_days >= 0.0))
            errs.push_back("route from " + r.origin + ": max_wait_days must be >= 0");
    }
    for (const AircraftConfig& a : cfg.aircraft) {
        if (a.seats <= 0) errs.push_back("aircraft " + a.type + ": seats must be > 0");
        if (a.count < 0) errs.push_back("aircraft " + a.type + ": count must be >= 0");
        if (!known(a.home_base))
            errs.push_back("aircraft " + a.type + ": unknown home base " + a.home_base);
    }
    for (const TransferLinkConfig& l : cfg.links) {
        if (!known(l.airport)) errs.push_back("link " + l.name + ": unknown airport " + l.airport);
        if (l.airport == cfg.main_gateway)
            errs.push_back("link " + l.name + ": serves the main gateway");
        if (l.seats_per_trip <= 0)
            errs.push_back("link " + l.name + ": seats_per_trip must be > 0");
        if (l.vehicles < 0) errs.push_back("link " + l.name + ": vehicles must be >= 0");
    }
    if (cfg.airlift.min_load < 0) errs.push_back("airlift min_load must be >= 0");
    if (cfg.base.beds && *cfg.base.beds < 0) errs.push_back("base beds must be >= 0");
    const ViolenceConfig& v = cfg.violence;
    if (v.enabled) {
        const std::size_t n = v.regimes.size();
        if (n == 0) errs.push_back("violence: no regimes");
        if (v.generator_per_day.size() != n)
            errs.push_back("violence: generator_per_day must have one row per regime");
        for (const auto& row : v.generator_per_day)
            if (row.size() != n) errs.push_back("violence: generator_per_day must be square");
        if (errs.empty() && n > 0)
            for (const std::string& e : kernel::validate_generator(generator_matrix(v)))
                errs.push_back("violence: " + e);
        bool found = v.initial_regime.empty();
        for (const RegimeConfig& r : v.regimes) {
            found = found || r.name == v.initial_regime;
            if (r.attacks_per_day < 0.0)
                errs.push_back("regime " + r.name + ": attacks_per_day < 0");
            const double p = r.p_close_airport + r.p_cut_link + r.p_patrol_hit;
            if (r.p_close_airport < 0 || r.p_cut_link < 0 || r.p_patrol_hit < 0 || p > 1.0 + 1e-12)
                errs.push_back("regime " + r.name +
                               ": effect probabilities must be >= 0 and sum to at most 1");
        }
        if (!found) errs.push_back("violence: unknown initial regime " + v.initial_regime);
        if (v.p_medevac < 0.0 || v.p_medevac > 1.0)
            errs.push_back("violence: p_medevac outside [0, 1]");
    }
    return errs;
}

}  // namespace mss::model
