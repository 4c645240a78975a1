// sim/scenario/checks.cpp — cross-checks and warnings of a whole scenario (checks.hpp).
#include "sim/scenario/checks.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "sim/kernel/ctmc.hpp"
#include "sim/model/validate.hpp"
#include "sim/model/violence.hpp"
#include "sim/scenario/reader.hpp"

namespace mss::scenario::detail {

namespace {

std::string route_path(const model::RouteConfig& r) {
    return join_path("route", r.origin);
}

std::string list_text(const std::vector<std::string_view>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i)
        out += (i ? ", " : "") + std::string(names[i]);
    return out;
}

}  // namespace

void check_model(const model::ModelConfig& c, const Locations& locs, Diagnostics& diags) {
    auto err = [&](const std::string& path, std::string msg) {
        if (!diags.has_error_at(path)) diags.error(locs.at(path, std::move(msg)));
    };
    auto warn = [&](const std::string& path, std::string msg) {
        diags.warning(locs.at(path, std::move(msg)));
    };

    // "hour 3912 (2024-11-11)": an hour since the start with its date.
    auto when = [&](double h) {
        std::string out = "hour " + number_text(h);
        if (std::isfinite(h) && std::fabs(h) < 1e7) {
            const auto day = static_cast<std::int64_t>(std::floor(h / 24.0));
            out += " (" + civil_from_days(c.scenario.start_days_since_epoch + day) + ")";
        }
        return out;
    };
    std::vector<std::string_view> codes;
    for (const auto& a : c.airports)
        codes.push_back(a.code);
    auto known_airport = [&](const std::string& code) {
        return std::find(codes.begin(), codes.end(), code) != codes.end();
    };
    auto check_airport = [&](const std::string& code, const std::string& path, const char* role) {
        if (code.empty() || known_airport(code)) return;
        err(path, std::string("unknown airport ") + quote(code) + " (" + role +
                      "); expected one of the [[airport]] codes: " + list_text(codes) +
                      did_you_mean(code, codes));
    };
    auto route_from = [&](const std::string& origin) {
        return std::find_if(c.routes.begin(), c.routes.end(),
                            [&](const auto& r) { return r.origin == origin; }) != c.routes.end();
    };
    auto aircraft_at = [&](const std::string& base) {
        return std::find_if(c.aircraft.begin(), c.aircraft.end(), [&](const auto& a) {
                   return a.home_base == base && a.count > 0;
               }) != c.aircraft.end();
    };

    // The scenario's name is the default results file's name (runs/<name>.h5).
    if (const std::string why = file_name_problem(c.scenario.name); !why.empty()) {
        err("scenario.name", "expected a name usable as a file name (runs/<name>.h5), found " +
                                 quote(c.scenario.name) + ": " + why);
    }
    // The labels of contingents, airports and regimes are attributes of the results file
    // (HDF5 keeps an attribute under 64 KiB): far beyond any mission, but bounded.
    const auto too_many = [&](const char* what, std::size_t n, std::size_t max) {
        if (n > max) {
            err(what, "expected at most " + std::to_string(max) + " [[" + std::string(what) +
                          "]] entries, found " + std::to_string(n));
        }
    };
    too_many("contingent", c.contingents.size(), 1000);
    too_many("airport", c.airports.size(), 1000);
    too_many("aircraft", c.aircraft.size(), 1000);
    too_many("route", c.routes.size(), 1000);
    too_many("link", c.links.size(), 1000);
    too_many("violence.regime", c.violence.regimes.size(), 100);

    check_airport(c.main_gateway, "main_gateway",
                  locs.has("main_gateway") ? "the main gateway"
                                           : "the main gateway, which defaults to \"PAP\"");
    if (c.main_gateway.empty()) {
        err("main_gateway",
            "expected one of the [[airport]] codes: " + list_text(codes) + ", found \"\"");
    }

    // Contingents.
    for (const auto& k : c.contingents) {
        const std::string p = join_path("contingent", k.name);
        check_airport(k.origin, p + ".origin", "the contingent's origin");
        if (!k.origin.empty() && known_airport(k.origin) && !route_from(k.origin)) {
            err(p + ".origin",
                "no [[route]] starts at " + quote(k.origin) + ", so contingent " + quote(k.name) +
                    " could never fly; add a route with origin = " + quote(k.origin));
        }
        std::int64_t sum = 0;
        for (std::size_t i = 0; i < k.generation.size(); ++i) {
            sum += k.generation[i].count;
            if (k.generation[i].day >= c.scenario.horizon_days) {
                warn(index_path(p + ".generation", i),
                     "this batch is ready on day " + format_double(k.generation[i].day) +
                         ", after the horizon (" + std::to_string(c.scenario.horizon_days) +
                         " days): it never deploys");
            }
        }
        // A tour shorter than a day on average is no tour (and one of length zero makes the
        // relief cycle spin at one instant without end).
        const std::string tp = p + ".tour_days";
        if (!diags.has_error_at(tp) && kernel::validate(k.tour_days).empty()) {
            const double tour = kernel::theoretical_mean(k.tour_days);
            if (!(tour >= 1.0)) {
                err(tp, "the mean tour is " + format_double(tour) +
                            " days; expected at least 1 day (tours are months long)");
            }
        }
        if (sum > k.billets && k.billets > 0) {
            err(p + ".generation", "the batches add up to " + std::to_string(sum) +
                                       " personnel, more than the contingent's " +
                                       std::to_string(k.billets) +
                                       " billets; expected a total <= billets");
        }
    }

    // Airports and their closures.
    for (const auto& a : c.airports) {
        const std::string p = join_path("airport", a.code);
        for (std::size_t i = 0; i < a.closures.size(); ++i) {
            const auto& cl = a.closures[i];
            const std::string cp = index_path(p + ".closure", i);
            if (diags.has_error_at("scenario.start") || diags.has_error_at(cp + ".start") ||
                diags.has_error_at(cp + ".end")) {
                continue;  // the dates could not be converted: already reported
            }
            if (!(cl.end_h > cl.start_h)) {
                const std::string end_path = locs.has(cp + ".end") ? cp + ".end" : cp + ".end_h";
                err(end_path, "the closure ends at " + when(cl.end_h) +
                                  ", not after it starts at " + when(cl.start_h) +
                                  "; expected an end after the start");
            } else if (cl.end_h <= 0) {
                warn(cp, "this closure ends before the scenario starts: it has no effect");
            } else if (cl.start_h >= c.scenario.horizon_days * 24.0) {
                warn(cp, "this closure starts after the horizon: it has no effect");
            }
        }
    }

    // Aircraft.
    for (const auto& a : c.aircraft) {
        const std::string p = join_path("aircraft", a.type);
        check_airport(a.home_base, p + ".home_base", "the aircraft's home base");
        if (known_airport(a.home_base) && !route_from(a.home_base) && a.count > 0) {
            warn(p + ".home_base",
                 "no [[route]] starts at " + quote(a.home_base) + ", so this aircraft never flies");
        }
    }

    // Routes.
    std::set<std::string> gateways;
    for (const auto& r : c.routes) {
        const std::string p = route_path(r);
        check_airport(r.origin, p + ".origin", "the route's origin");
        check_airport(r.gateway, p + ".gateway", "the route's gateway");
        if (!r.origin.empty() && r.origin == r.gateway) {
            err(p + ".gateway", "the gateway is the route's own origin " + quote(r.origin) +
                                    "; expected an airport in Haiti");
        } else if (known_airport(r.gateway) && known_airport(c.main_gateway) &&
                   r.gateway != c.main_gateway) {
            err(p + ".gateway", "every route flies into the main gateway " + quote(c.main_gateway) +
                                    ", found " + quote(r.gateway) + "; expected " +
                                    quote(c.main_gateway) +
                                    " (or no gateway key; other gateways are not modelled)");
        }
        for (const auto& alt : r.alternates) {
            const std::string ap = join_path(p + ".alternate", alt.code);
            check_airport(alt.code, ap + ".code", "an alternate");
            if (!alt.code.empty() && alt.code == r.gateway) {
                err(ap + ".code", "an alternate cannot be the route's own gateway " +
                                      quote(r.gateway) + "; expected a different airport");
            }
        }
        if (known_airport(r.origin) && !aircraft_at(r.origin)) {
            warn(p, "no aircraft is based at " + quote(r.origin) +
                        " (no [[aircraft]] with home_base = " + quote(r.origin) +
                        " and count > 0): nobody flies this route");
        }
    }

    // Transfer links.
    for (const auto& l : c.links) {
        check_airport(l.airport, join_path("link", l.name) + ".airport", "the link's airport");
    }

    // Violence.
    const auto& v = c.violence;
    const std::size_t n = v.regimes.size();
    if (v.enabled && n == 0) {
        err("violence.regime",
            "violence is enabled but has no [[violence.regime]]; expected at least one regime "
            "(or enabled = false)");
    }
    if (n > 0 || !v.generator_per_day.empty()) {
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
            err(gp, "expected a " + std::to_string(n) + " x " + std::to_string(n) +
                        " matrix (one row and one column per [[violence.regime]], in file "
                        "order), found " +
                        found);
        } else if (n > 0) {
            for (const auto& problem : kernel::validate_generator(model::generator_matrix(v)))
                err(gp, problem);
        }
    }
    for (const auto& r : v.regimes) {
        // Each attack has at most one effect, drawn with these probabilities.
        const double sum = r.p_close_airport + r.p_cut_link + r.p_patrol_hit;
        if (!(sum <= 1.0 + 1e-12)) {
            const std::string rp = join_path("violence.regime", r.name);
            std::string at = rp;
            for (const char* key : {".p_close_airport", ".p_cut_link", ".p_patrol_hit"})
                if (at == rp && locs.has(rp + key)) at = rp + key;
            err(at, "p_close_airport + p_cut_link + p_patrol_hit of regime " + quote(r.name) +
                        " add up to " + format_double(sum) +
                        "; expected at most 1 (an attack has at most one of these effects)");
        }
    }
    if (!v.initial_regime.empty()) {
        std::vector<std::string_view> names;
        for (const auto& r : v.regimes)
            names.push_back(r.name);
        if (std::find(names.begin(), names.end(), v.initial_regime) == names.end()) {
            err("violence.initial_regime", "expected the name of a [[violence.regime]] (" +
                                               list_text(names) + ") or \"\", found " +
                                               quote(v.initial_regime) +
                                               did_you_mean(v.initial_regime, names));
        }
    }

    // Warnings: full operating capability out of reach; a horizon shorter than one tour.
    std::int64_t authorised = 0, reachable = 0, certain = 0;
    std::vector<std::string> short_of, uncertain;
    std::string first_short;
    for (const auto& k : c.contingents) {
        authorised += k.billets;
        std::int64_t generated = 0;
        for (const auto& b : k.generation) {
            if (b.day < c.scenario.horizon_days) generated += b.count;
        }
        const std::int64_t fill = std::min<std::int64_t>(generated, k.billets);
        if (fill < k.billets) {
            short_of.push_back(k.name + " (" + std::to_string(fill) + " of " +
                               std::to_string(k.billets) + ")");
            if (first_short.empty()) first_short = join_path("contingent", k.name) + ".generation";
        }
        if (k.pledge.probability > 0) reachable += fill;
        if (k.pledge.probability >= 1) {
            certain += fill;
        } else {
            uncertain.push_back(k.name + " (probability " + format_double(k.pledge.probability) +
                                ")");
        }
    }
    // The first ten of `names`, then how many more (a warning stays one readable line).
    auto first_ten = [](const std::vector<std::string>& names) {
        std::string out;
        for (std::size_t i = 0; i < names.size() && i < 10; ++i)
            out += (i ? ", " : "") + names[i];
        if (names.size() > 10) out += " and " + std::to_string(names.size() - 10) + " more";
        return out;
    };
    const double foc = model::personnel_threshold(c.kpis.foc_frac, static_cast<double>(authorised));
    if (authorised > 0 && static_cast<double>(reachable) < foc) {
        const std::string who = first_ten(short_of);
        warn(first_short.empty() ? "kpis.foc_frac" : first_short,
             "full operating capability is unreachable: the generation batches fill at most " +
                 std::to_string(reachable) + " of the " + std::to_string(authorised) +
                 " billets, fewer than foc_frac x billets = " + format_double(foc) +
                 (who.empty() ? std::string() : "; short: " + who));
    } else if (authorised > 0 && static_cast<double>(certain) < foc) {
        const std::string who = first_ten(uncertain);
        warn("kpis.foc_frac",
             "full operating capability is reached only if pledges below probability 1 are "
             "realised (" +
                 who + "); without them at most " + std::to_string(certain) + " of " +
                 std::to_string(authorised) + " billets can be filled");
    }
    for (const auto& k : c.contingents) {
        const std::string p = join_path("contingent", k.name) + ".tour_days";
        if (diags.has_error_at(p) || !kernel::validate(k.tour_days).empty()) continue;
        const double tour = kernel::theoretical_mean(k.tour_days);
        if (tour > c.scenario.horizon_days) {
            warn(p, "the horizon (" + std::to_string(c.scenario.horizon_days) +
                        " days) is shorter than one tour (mean " + format_double(tour) +
                        " days): no rotation of " + quote(k.name) + " is simulated");
        }
    }
    // The model's own consistency check, which every run makes: a scenario that passes the
    // checks above must pass it too, so that no input valid here fails every run. Should the
    // two ever disagree, the model's message is reported against the file.
    if (!diags.has_errors()) {
        for (const std::string& e : model::validate_model_config(c))
            diags.error(locs.at("", "the model rejects this scenario: " + e));
    }
}

}  // namespace mss::scenario::detail
