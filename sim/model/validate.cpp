// The model's checks of its config (validate.hpp): bounds, references, sums, intervals.
#include "sim/model/validate.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "sim/kernel/ctmc.hpp"
#include "sim/model/dates.hpp"
#include "sim/model/violence.hpp"

namespace mss::model {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// A number as messages show it: "3" for an integral value, else the shortest form that reads
// back ("1.05", "1e+20").
std::string number(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
    if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, res.ptr);
}

std::string list_text(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i)
        out += (i ? ", " : "") + names[i];
    return out;
}

/// Collects the issues of one config.
class Checker {
public:
    explicit Checker(const ModelConfig& cfg) : cfg_(cfg) {
        for (const AirportConfig& a : cfg.airports)
            codes_.push_back(a.code);
    }

    std::vector<ConfigIssue> run() {
        scenario();
        airports();
        contingents();
        aircraft();
        routes();
        links();
        airlift();
        violence();
        base();
        funding();
        kpis();
        return std::move(issues_);
    }

private:
    void issue(std::string key, std::string message, std::vector<std::string> also = {}) {
        issues_.push_back(ConfigIssue{std::move(key), std::move(message), std::move(also), {}, {}});
    }

    // `v` within [lo, hi]: "expected an integer between 1 and 1000, found 0" (as the scenario
    // loader words its own ranges).
    bool within(const std::string& key, double v, double lo, double hi, bool integer) {
        if (v >= lo && v <= hi) return true;
        std::string expected = integer ? "an integer" : "a number";
        if (lo > -kInf && hi < kInf)
            expected += " between " + number(lo) + " and " + number(hi);
        else if (lo > -kInf)
            expected += " >= " + number(lo);
        else
            expected += " <= " + number(hi);
        issue(key, "expected " + expected + ", found " + number(v));
        return false;
    }
    bool count(const std::string& key, std::int64_t v, double lo, double hi = kInf) {
        return within(key, static_cast<double>(v), lo, hi, true);
    }
    bool real(const std::string& key, double v, double lo, double hi = kInf) {
        return within(key, v, lo, hi, false);
    }
    bool fraction(const std::string& key, double v) { return real(key, v, 0.0, 1.0); }

    bool known(const std::string& code) const {
        return std::find(codes_.begin(), codes_.end(), code) != codes_.end();
    }
    // `code` names an [[airport]]; `role` says what it is for.
    void airport_ref(const std::string& code, const std::string& key, const std::string& role) {
        if (known(code)) return;
        std::string message =
            code.empty()
                ? "expected one of the [[airport]] codes: " + list_text(codes_) + ", found \"\""
                : "unknown airport " + quoted(code) + " (" + role +
                      "); expected one of the [[airport]] codes: " + list_text(codes_);
        issues_.push_back(ConfigIssue{key, std::move(message), {}, code, codes_});
    }

    void scenario() {
        count("scenario.horizon_days", cfg_.scenario.horizon_days, 1, 36500);
        // Results files give dates that numpy and pandas read as nanoseconds since 1970, which
        // reach from 1677-09-22 to 2262-04-11 (days -106751 and 106751): a run lies within.
        const std::int64_t first = cfg_.scenario.start_days_since_epoch;
        const std::int64_t end = first + cfg_.scenario.horizon_days;
        if (first < -106751 || end > 106751)
            issue("scenario.start",
                  "the run (" + civil_from_days(cfg_.scenario.start_days_since_epoch) + " + " +
                      std::to_string(cfg_.scenario.horizon_days) +
                      " days) must lie between 1677-09-22 and 2262-04-11, the dates numpy and "
                      "pandas can hold; expected an earlier start or a shorter horizon");
        // The contingent's index is 16 bits in the model's records.
        if (cfg_.contingents.size() > 32000)
            issue("contingent", "expected at most 32000 [[contingent]] entries, found " +
                                    std::to_string(cfg_.contingents.size()));
        airport_ref(cfg_.main_gateway, "main_gateway", "the main gateway");
    }

    void airports() {
        std::vector<std::string> seen;
        for (const AirportConfig& a : cfg_.airports) {
            const std::string p = key_path("airport", a.code);
            if (std::find(seen.begin(), seen.end(), a.code) != seen.end())
                issue(p + ".code",
                      "duplicate airport " + quoted(a.code) + "; each code may appear once");
            seen.push_back(a.code);
            count(p + ".mog", a.mog, 1, 1000);
            for (std::size_t i = 0; i < a.closures.size(); ++i) {
                const ClosureConfig& c = a.closures[i];
                if (c.end_h > c.start_h) continue;
                const std::string cp = index_path(p + ".closure", i);
                issue(cp + ".end_h",
                      "the closure ends at " + when(c.end_h) + ", not after it starts at " +
                          when(c.start_h) + "; expected an end after the start",
                      {cp + ".start_h"});
            }
        }
    }

    // "hour 3912 (2024-11-11)": an hour since the start with its date.
    std::string when(double h) const {
        std::string out = "hour " + number(h);
        if (std::isfinite(h) && std::fabs(h) < 1e7) {
            const auto day = static_cast<std::int64_t>(std::floor(h / 24.0));
            out += " (" + civil_from_days(cfg_.scenario.start_days_since_epoch + day) + ")";
        }
        return out;
    }

    // "day -385 (2025-01-18)": a day since the start with its date.
    std::string on_day(double d) const {
        std::string out = "day " + number(d);
        if (std::isfinite(d) && std::fabs(d) < 1e6)
            out += " (" +
                   civil_from_days(cfg_.scenario.start_days_since_epoch +
                                   static_cast<std::int64_t>(std::floor(d))) +
                   ")";
        return out;
    }

    void contingents() {
        for (const ContingentConfig& k : cfg_.contingents) {
            const std::string p = key_path("contingent", k.name);
            airport_ref(k.origin, p + ".origin", "the contingent's origin");
            const bool billets_ok = count(p + ".billets", k.billets, 1, 1'000'000);
            std::int64_t sum = 0;
            bool counts_ok = true;
            for (std::size_t i = 0; i < k.generation.size(); ++i) {
                counts_ok =
                    count(index_path(p + ".generation", i) + ".count", k.generation[i].count, 1) &&
                    counts_ok;
                sum += k.generation[i].count;
            }
            // Those in theatre at the start take the first billets, the batches the next.
            std::int64_t present = 0;
            bool present_ok = true;
            for (std::size_t i = 0; i < k.in_theatre.size(); ++i) {
                const InTheatreGroup& g = k.in_theatre[i];
                const std::string ip = index_path(p + ".in_theatre", i);
                present_ok = count(ip + ".count", g.count, 0) && present_ok;
                present += g.count;
                if (g.arrived_day > 0)
                    issue(ip + ".arrived_day",
                          "these personnel arrived on " + on_day(g.arrived_day) +
                              ", after the scenario start (" +
                              civil_from_days(cfg_.scenario.start_days_since_epoch) +
                              "); expected an arrival on or before the start");
                else
                    real(ip + ".arrived_day", g.arrived_day, -36500, 0);
                if (g.relief_ready_day) real(ip + ".relief_ready_day", *g.relief_ready_day, 0);
            }
            if (billets_ok && present_ok && present > k.billets)
                issue(p + ".in_theatre",
                      "the personnel in theatre at the start add up to " + std::to_string(present) +
                          ", more than the contingent's " + std::to_string(k.billets) +
                          " billets; expected a total <= billets",
                      {p + ".billets"});
            else if (billets_ok && counts_ok && present_ok && present == 0 && sum > k.billets)
                issue(p + ".generation",
                      "the batches add up to " + std::to_string(sum) +
                          " personnel, more than the contingent's " + std::to_string(k.billets) +
                          " billets; expected a total <= billets",
                      {p + ".billets"});
            else if (billets_ok && counts_ok && present_ok && present + sum > k.billets)
                issue(p + ".generation",
                      "the batches (" + std::to_string(sum) +
                          ") and the personnel in theatre at the start (" +
                          std::to_string(present) + ") add up to " + std::to_string(sum + present) +
                          ", more than the contingent's " + std::to_string(k.billets) +
                          " billets; expected a total <= billets",
                      {p + ".in_theatre", p + ".billets"});
            fraction(p + ".pledge.probability", k.pledge.probability);
            if (!k.pipeline.empty() && (k.pledge.probability != 1.0 ||
                                        !(k.pledge.delay_days == DistributionSpec::constant(0.0))))
                issue(p + ".pipeline",
                      "a contingent has either a pledge or pipeline stages, found both; expected "
                      "the pledge as the pipeline's first stage",
                      {p + ".pledge"});
            for (std::size_t i = 0; i < k.pipeline.size(); ++i)
                fraction(index_path(p + ".pipeline", i) + ".probability",
                         k.pipeline[i].probability);
            payer_ref(k.payer, p + ".payer");
            fraction(p + ".attrition_per_person_day", k.attrition_per_person_day);
            // A tour shorter than a day on average is no tour (and one of length zero makes the
            // relief cycle spin at one instant without end).
            if (kernel::validate(k.tour_days).empty()) {
                const double tour = kernel::theoretical_mean(k.tour_days);
                if (!(tour >= 1.0))
                    issue(p + ".tour_days", "the mean tour is " + number(tour) +
                                                " days; expected at least 1 day (tours are "
                                                "months long)");
            }
        }
    }

    void aircraft() {
        for (const AircraftConfig& a : cfg_.aircraft) {
            const std::string p = key_path("aircraft", a.type);
            count(p + ".count", a.count, 0, 10000);
            count(p + ".seats", a.seats, 1, 1'000'000);  // as billets: never more than a force
            airport_ref(a.home_base, p + ".home_base", "the aircraft's home base");
            payer_ref(a.payer, p + ".payer");
        }
    }

    void routes() {
        const bool main_known = known(cfg_.main_gateway);
        for (const RouteConfig& r : cfg_.routes) {
            const std::string p = key_path("route", r.origin);
            airport_ref(r.origin, p + ".origin", "the route's origin");
            // An empty gateway is the empty main gateway's (one issue, at main_gateway).
            if (!(r.gateway.empty() && cfg_.main_gateway.empty()))
                airport_ref(r.gateway, p + ".gateway", "the route's gateway");
            if (!r.origin.empty() && r.origin == r.gateway) {
                issue(p + ".gateway", "the gateway is the route's own origin " + quoted(r.origin) +
                                          "; expected an airport in Haiti");
            } else if (known(r.gateway) && main_known && r.gateway != cfg_.main_gateway) {
                issue(p + ".gateway", "every route flies into the main gateway " +
                                          quoted(cfg_.main_gateway) + ", found " +
                                          quoted(r.gateway) + "; expected " +
                                          quoted(cfg_.main_gateway) +
                                          " (or no gateway key; other gateways are not modelled)");
            }
            for (const AlternateConfig& alt : r.alternates) {
                const std::string ap = key_path(p + ".alternate", alt.code);
                airport_ref(alt.code, ap + ".code", "an alternate");
                if (!alt.code.empty() && alt.code == r.gateway)
                    issue(ap + ".code", "an alternate cannot be the route's own gateway " +
                                            quoted(r.gateway) + "; expected a different airport");
            }
            real(p + ".max_hold_h", r.max_hold_h, 0);
            if (r.min_load) count(p + ".min_load", *r.min_load, 1);
            if (r.max_wait_days) real(p + ".max_wait_days", *r.max_wait_days, 0);
        }
    }

    void links() {
        for (const TransferLinkConfig& l : cfg_.links) {
            const std::string p = key_path("link", l.name);
            airport_ref(l.airport, p + ".airport", "the link's airport");
            if (!l.airport.empty() && l.airport == cfg_.main_gateway)
                issue(p + ".airport",
                      "a transfer link runs from an alternate to theatre, found "
                      "the main gateway " +
                          quoted(l.airport) + "; expected another airport");
            count(p + ".vehicles", l.vehicles, 1, 10000);
            count(p + ".seats_per_trip", l.seats_per_trip, 1, 1'000'000);
        }
    }

    void airlift() {
        const AirliftPolicy& a = cfg_.airlift;
        count("airlift.min_load", a.min_load, 1);
        real("airlift.max_wait_days", a.max_wait_days, 0);
        real("airlift.max_medevac_wait_h", a.max_medevac_wait_h, 0);
        real("airlift.turnaround_h", a.turnaround_h, 0);
        if (cfg_.base.beds) count("base.beds", *cfg_.base.beds, 1);
    }

    void violence() {
        const ViolenceConfig& v = cfg_.violence;
        const std::size_t n = v.regimes.size();
        if (v.enabled && n == 0)
            issue("violence.regime",
                  "violence is enabled but has no [[violence.regime]]; expected at least one "
                  "regime (or enabled = false)");
        if (n > 0 || !v.generator_per_day.empty()) generator();
        for (const RegimeConfig& r : v.regimes) {
            const std::string rp = key_path("violence.regime", r.name);
            real(rp + ".attacks_per_day", r.attacks_per_day, 0, 1e6);
            // Each attack has at most one effect, drawn with these probabilities.
            bool each = fraction(rp + ".p_close_airport", r.p_close_airport);
            each = fraction(rp + ".p_cut_link", r.p_cut_link) && each;
            each = fraction(rp + ".p_patrol_hit", r.p_patrol_hit) && each;
            const double sum = r.p_close_airport + r.p_cut_link + r.p_patrol_hit;
            if (each && !(sum <= 1.0 + 1e-12))
                issue(rp + ".p_close_airport",
                      "p_close_airport + p_cut_link + p_patrol_hit of regime " + quoted(r.name) +
                          " add up to " + number(sum) +
                          "; expected at most 1 (an attack has at most one of these effects)",
                      {rp + ".p_cut_link", rp + ".p_patrol_hit"});
        }
        if (!v.initial_regime.empty()) {
            std::vector<std::string> names;
            for (const RegimeConfig& r : v.regimes)
                names.push_back(r.name);
            if (std::find(names.begin(), names.end(), v.initial_regime) == names.end())
                issues_.push_back(ConfigIssue{"violence.initial_regime",
                                              "expected the name of a [[violence.regime]] (" +
                                                  list_text(names) + ") or \"\", found " +
                                                  quoted(v.initial_regime),
                                              {},
                                              v.initial_regime,
                                              names});
        }
        fraction("violence.p_medevac", v.p_medevac);
    }

    // `name` names a [[funding.payer]] (empty: the first, or no payer when money is not
    // modelled).
    void payer_ref(const std::string& name, const std::string& key) {
        std::vector<std::string> names;
        for (const PayerConfig& p : cfg_.funding.payers)
            names.push_back(p.name);
        if (name.empty() || std::find(names.begin(), names.end(), name) != names.end()) return;
        std::string message =
            names.empty()
                ? "unknown payer " + quoted(name) +
                      "; expected no payer, or a [[funding.payer]] of that name"
                : "unknown payer " + quoted(name) +
                      "; expected one of the [[funding.payer]] names: " + list_text(names);
        issues_.push_back(ConfigIssue{key, std::move(message), {}, name, names});
    }

    void base() {
        const BaseConfig& b = cfg_.base;
        if (!b.construction.empty() && !b.beds)
            issue("base.construction",
                  "construction adds beds to a base of limited beds; expected base.beds (the "
                  "beds before any construction)");
        for (std::size_t i = 0; i < b.construction.size(); ++i) {
            const std::string p = key_path("base.construction", b.construction[i].name);
            count(p + ".beds", b.construction[i].beds, 1, 1'000'000);
        }
        payer_ref(b.payer, "base.payer");
    }

    void funding() {
        const FundingConfig& f = cfg_.funding;
        std::vector<std::string> seen;
        for (const PayerConfig& p : f.payers) {
            const std::string k = key_path("funding.payer", p.name);
            if (std::find(seen.begin(), seen.end(), p.name) != seen.end())
                issue(k + ".name", "duplicate payer " + quoted(p.name) + "; each may appear once");
            seen.push_back(p.name);
            // Balances are kept to the cent in doubles: exact below 2^53 cents.
            real(k + ".initial_usd", p.initial_usd, 0, 1e13);
        }
        // Contributions and freezes name a payer always: without payers there is no money.
        for (std::size_t i = 0; i < f.contributions.size(); ++i) {
            const ContributionConfig& c = f.contributions[i];
            const std::string k = index_path("funding.contribution", i);
            payer_ref(c.payer, k + ".payer");
            real(k + ".amount_usd", c.amount_usd, 0, 1e13);
            fraction(k + ".probability", c.probability);
        }
        for (std::size_t i = 0; i < f.freezes.size(); ++i) {
            const FreezeConfig& z = f.freezes[i];
            const std::string k = index_path("funding.freeze", i);
            payer_ref(z.payer, k + ".payer");
            real(k + ".amount_usd", z.amount_usd, 0, 1e13);
            if (!(z.end_day > z.start_day))
                issue(k + ".end_day",
                      "the freeze ends on day " + number(z.end_day) +
                          ", not after it starts on day " + number(z.start_day) +
                          "; expected an end after the start",
                      {k + ".start_day"});
        }
        real("funding.reserve_months", f.reserve_months, 0, 1200);
        if (f.payers.empty() && (!f.contributions.empty() || !f.freezes.empty()))
            issue("funding.payer",
                  "contributions and freezes go to a payer; expected at least one "
                  "[[funding.payer]]");
    }

    void kpis() {
        const KpiConfig& k = cfg_.kpis;
        const double horizon = cfg_.scenario.horizon_days;
        if (horizon >= 1 && !(k.binding_from_day < horizon))
            issue("kpis.binding_from_day",
                  "the window starts on day " + number(k.binding_from_day) +
                      ", not within the horizon of " + number(horizon) +
                      " days; expected an earlier day",
                  {"scenario.horizon_days"});
        if (k.binding_to_day && !(*k.binding_to_day > k.binding_from_day))
            issue("kpis.binding_to_day",
                  "the window ends on day " + number(*k.binding_to_day) +
                      ", not after it starts on day " + number(k.binding_from_day) +
                      "; expected an end after the start",
                  {"kpis.binding_from_day"});
    }

    // One row and one column per regime, and a generator (kernel::validate_generator).
    void generator() {
        const ViolenceConfig& v = cfg_.violence;
        const std::size_t n = v.regimes.size();
        const std::string gp = "violence.generator_per_day";
        bool shape_ok = v.generator_per_day.size() == n;
        for (const auto& row : v.generator_per_day)
            shape_ok = shape_ok && row.size() == n;
        if (!shape_ok) {
            std::string found = std::to_string(v.generator_per_day.size()) + " rows";
            for (std::size_t i = 0; i < v.generator_per_day.size(); ++i) {
                if (v.generator_per_day[i].size() != n) {
                    found += ", row " + std::to_string(i) + " has " +
                             std::to_string(v.generator_per_day[i].size()) + " entries";
                    break;
                }
            }
            issue(gp,
                  "expected a " + std::to_string(n) + " x " + std::to_string(n) +
                      " matrix (one row and one column per [[violence.regime]], in file "
                      "order), found " +
                      found,
                  {"violence.regime"});
        } else if (n > 0) {
            for (std::string& problem : kernel::validate_generator(generator_matrix(v)))
                issue(gp, std::move(problem));
        }
    }

    const ModelConfig& cfg_;
    std::vector<std::string> codes_;
    std::vector<ConfigIssue> issues_;
};

}  // namespace

std::vector<ConfigIssue> config_issues(const ModelConfig& cfg) {
    return Checker(cfg).run();
}

std::vector<std::string> validate_model_config(const ModelConfig& cfg) {
    std::vector<std::string> out;
    for (const ConfigIssue& i : config_issues(cfg))
        out.push_back(i.str());
    return out;
}

std::string quoted(std::string_view text) {
    std::string out = "\"";
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += ch;
                }
        }
    }
    out += '"';
    return out;
}

bool is_bare_key(std::string_view segment) {
    if (segment.empty()) return false;
    return std::all_of(segment.begin(), segment.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

std::string key_path(std::string_view parent, std::string_view segment) {
    std::string out(parent);
    if (!out.empty()) out += '.';
    out += is_bare_key(segment) ? std::string(segment) : quoted(segment);
    return out;
}

std::string index_path(std::string_view parent, std::size_t index) {
    return std::string(parent) + "[" + std::to_string(index) + "]";
}

}  // namespace mss::model
