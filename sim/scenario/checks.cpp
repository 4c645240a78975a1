// sim/scenario/checks.cpp — the checks of a whole scenario (checks.hpp): the model's own
// issues located in the file, the loader's few checks about files, and the warnings.
#include "sim/scenario/checks.hpp"

#include <algorithm>
#include <cstdio>

#include "sim/model/validate.hpp"
#include "sim/model/violence.hpp"
#include "sim/scenario/reader.hpp"

namespace mss::scenario::detail {

namespace {

// The loader's own errors: what the results file and the file's author need, not the model.
void check_file(const model::ModelConfig& c, Diagnostics& diags, const Locations& locs) {
    auto err = [&](const std::string& path, std::string msg) {
        if (!diags.has_error_at(path)) diags.error(locs.at(path, std::move(msg)));
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
}

// The model's issues (sim/model/validate.hpp), each at the file, line and column of its value.
void report_model_issues(const model::ModelConfig& c, Diagnostics& diags, const Locations& locs) {
    for (const model::ConfigIssue& issue : model::config_issues(c)) {
        // An entry without its identifying key was reported as such; the model can only name
        // it `...."".key`, which is no place in the file.
        if (issue.key.find(".\"\"") != std::string::npos) continue;
        std::vector<std::string> keys{locs.as_written(issue.key)};
        for (const std::string& k : issue.also)
            keys.push_back(locs.as_written(k));
        // A value that failed to read kept its default: what the model says about it follows
        // from the error already reported there.
        if (std::any_of(keys.begin(), keys.end(), [&](const std::string& k) {
                return diags.has_error_at(k) || locs.is_unread(k);
            })) {
            continue;
        }
        // Point at the first of the values involved that the file (or a --set) wrote.
        const auto written = std::find_if(keys.begin(), keys.end(),
                                          [&](const std::string& k) { return locs.has(k); });
        std::string message = issue.message;
        if (!issue.found.empty()) {
            const std::vector<std::string_view> choices(issue.choices.begin(), issue.choices.end());
            message += did_you_mean(issue.found, choices);
        }
        diags.error(locs.at(written == keys.end() ? keys.front() : *written, std::move(message)));
    }
}

// A contingent whose origin no route leaves can run, but never deploys: the author's slip.
void check_routes(const model::ModelConfig& c, Diagnostics& diags, const Locations& locs) {
    auto route_from = [&](const std::string& origin) {
        return std::any_of(c.routes.begin(), c.routes.end(),
                           [&](const auto& r) { return r.origin == origin; });
    };
    auto known_airport = [&](const std::string& code) {
        return std::any_of(c.airports.begin(), c.airports.end(),
                           [&](const auto& a) { return a.code == code; });
    };
    for (const auto& k : c.contingents) {
        const std::string p = join_path("contingent", k.name) + ".origin";
        if (!k.origin.empty() && known_airport(k.origin) && !route_from(k.origin) &&
            !diags.has_error_at(p)) {
            diags.error(
                locs.at(p, "no [[route]] starts at " + quote(k.origin) + ", so contingent " +
                               quote(k.name) +
                               " could never fly; add a route with origin = " + quote(k.origin)));
        }
    }
}

// Work per run, so that a scenario that would take hours per run is noticed before it runs
// (DESIGN §9: a signal stops it, but a batch job's time limit would be lost on it). Kernel
// events a run handles, roughly: attacks (the expected daily rate under the regimes' long-run
// shares, or the largest rate when those cannot be computed) x horizon, sorties (a few events
// a day per aircraft) and personnel (a dozen events per person, one tour per tour length).
// A release build handles about kEventsPerSecond on one core of a 2020s machine (measured:
// 2e7 attacks a second on tests/app/heavy_run.toml).
constexpr double kEventsPerSecond = 2e7;
// Warn from here: minutes per run on a fast core, hours on a slow one or over many runs.
constexpr double kEventsWarn = 1e10;

struct EventEstimate {
    double attacks = 0;
    double total = 0;
    std::string busiest;  ///< the regime with the most attacks a day
};

EventEstimate estimate_events(const model::ModelConfig& c) {
    EventEstimate e;
    const double days = std::max(0, c.scenario.horizon_days);
    if (c.violence.enabled && !c.violence.regimes.empty()) {
        double rate = 0;
        try {
            const std::vector<double> share = model::stationary_regime_shares(c.violence);
            for (std::size_t i = 0; i < share.size() && i < c.violence.regimes.size(); ++i)
                rate += share[i] * std::max(0.0, c.violence.regimes[i].attacks_per_day);
        } catch (const std::exception&) {  // the model's error; estimate from the largest rate
        }
        double most = -1;
        for (const auto& r : c.violence.regimes) {
            if (r.attacks_per_day > most) e.busiest = r.name;
            most = std::max(most, r.attacks_per_day);
        }
        if (!(rate > 0)) rate = std::max(0.0, most);
        e.attacks = rate * days;
    }
    double aircraft = 0, people = 0;
    for (const auto& a : c.aircraft)
        aircraft += std::max(0, a.count);
    for (const auto& k : c.contingents) {
        const double tour =
            kernel::validate(k.tour_days).empty() ? kernel::theoretical_mean(k.tour_days) : 0;
        people += std::max(0, k.billets) * (1 + (tour > 0 ? days / tour : 0));
    }
    e.total = e.attacks + 4 * aircraft * days + 12 * people;
    return e;
}

/// `x` with two significant digits, e.g. 3.7e+10.
std::string rough(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2g", x);
    return buf;
}

// Legal but suspicious (DESIGN §4): exit code 0.
void warn_about(const model::ModelConfig& c, Diagnostics& diags, const Locations& locs) {
    auto warn = [&](const std::string& path, std::string msg) {
        diags.warning(locs.at(path, std::move(msg)));
    };
    auto route_from = [&](const std::string& origin) {
        return std::any_of(c.routes.begin(), c.routes.end(),
                           [&](const auto& r) { return r.origin == origin; });
    };
    auto known_airport = [&](const std::string& code) {
        return std::any_of(c.airports.begin(), c.airports.end(),
                           [&](const auto& a) { return a.code == code; });
    };
    auto aircraft_at = [&](const std::string& base) {
        return std::any_of(c.aircraft.begin(), c.aircraft.end(),
                           [&](const auto& a) { return a.home_base == base && a.count > 0; });
    };

    // Batches after the horizon; closures outside the run.
    for (const auto& k : c.contingents) {
        const std::string p = join_path("contingent", k.name);
        for (std::size_t i = 0; i < k.generation.size(); ++i) {
            if (k.generation[i].day >= c.scenario.horizon_days) {
                warn(index_path(p + ".generation", i),
                     "this batch is ready on day " + format_double(k.generation[i].day) +
                         ", after the horizon (" + std::to_string(c.scenario.horizon_days) +
                         " days): it never deploys");
            }
        }
    }
    for (const auto& a : c.airports) {
        const std::string p = join_path("airport", a.code);
        for (std::size_t i = 0; i < a.closures.size(); ++i) {
            const auto& cl = a.closures[i];
            const std::string cp = index_path(p + ".closure", i);
            if (!(cl.end_h > cl.start_h)) continue;  // the model's error
            if (cl.end_h <= 0) {
                warn(cp, "this closure ends before the scenario starts: it has no effect");
            } else if (cl.start_h >= c.scenario.horizon_days * 24.0) {
                warn(cp, "this closure starts after the horizon: it has no effect");
            }
        }
    }
    // Aircraft that never fly; routes nobody flies.
    for (const auto& a : c.aircraft) {
        const std::string p = join_path("aircraft", a.type);
        if (known_airport(a.home_base) && !route_from(a.home_base) && a.count > 0) {
            warn(p + ".home_base",
                 "no [[route]] starts at " + quote(a.home_base) + ", so this aircraft never flies");
        }
    }
    for (const auto& r : c.routes) {
        if (known_airport(r.origin) && !aircraft_at(r.origin)) {
            warn(join_path("route", r.origin),
                 "no aircraft is based at " + quote(r.origin) +
                     " (no [[aircraft]] with home_base = " + quote(r.origin) +
                     " and count > 0): nobody flies this route");
        }
    }

    // Full operating capability out of reach; a horizon shorter than one tour.
    std::int64_t authorised = 0, reachable = 0, certain = 0;
    std::vector<std::string> short_of, uncertain;
    std::string first_short;
    for (const auto& k : c.contingents) {
        authorised += k.billets;
        // Those in theatre at the start are there whatever the pledge; the batches only if it
        // is realised.
        std::int64_t generated = 0, present = 0;
        for (const auto& b : k.generation) {
            if (b.day < c.scenario.horizon_days) generated += b.count;
        }
        for (const auto& g : k.in_theatre)
            present += g.count;
        const std::int64_t fill = std::min<std::int64_t>(generated + present, k.billets);
        const std::int64_t sure = std::min<std::int64_t>(present, k.billets);
        if (fill < k.billets) {
            short_of.push_back(k.name + " (" + std::to_string(fill) + " of " +
                               std::to_string(k.billets) + ")");
            if (first_short.empty()) first_short = join_path("contingent", k.name) + ".generation";
        }
        // The chance the contingent deploys: its pledge, or the product of its pipeline's
        // stages.
        double deploys = k.pledge.probability;
        if (!k.pipeline.empty()) {
            deploys = 1.0;
            for (const auto& st : k.pipeline)
                deploys *= st.probability;
        }
        reachable += deploys > 0 ? fill : sure;
        if (deploys >= 1) {
            certain += fill;
        } else {
            certain += sure;
            uncertain.push_back(k.name + " (probability " + format_double(deploys) + ")");
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
    if (const EventEstimate e = estimate_events(c); e.total >= kEventsWarn) {
        const double minutes = e.total / kEventsPerSecond / 60;
        const std::string time =
            minutes >= 120 ? rough(minutes / 60) + " hours" : rough(minutes) + " minutes";
        warn(e.attacks >= e.total / 2 ? join_path("violence.regime", e.busiest) + ".attacks_per_day"
                                      : "scenario.horizon_days",
             "a run will handle about " + rough(e.total) + " events (" + rough(e.attacks) +
                 " attacks over " + std::to_string(c.scenario.horizon_days) + " days): about " +
                 time +
                 " per run at 20 million events a second; check attacks_per_day and "
                 "horizon_days (a run stops within a second on SIGINT or SIGTERM, but its work "
                 "is lost)");
    }
    for (const auto& k : c.contingents) {
        const std::string p = join_path("contingent", k.name) + ".tour_days";
        if (diags.has_error_at(p) || !kernel::validate(k.tour_days).empty()) continue;
        const double tour = kernel::theoretical_mean(k.tour_days);
        // Those in theatre at the start arrived before it: their tours may end within the run.
        double first_end = tour;
        for (const auto& g : k.in_theatre)
            if (g.count > 0) first_end = std::min(first_end, g.arrived_day + tour);
        if (first_end > c.scenario.horizon_days) {
            warn(p, "the horizon (" + std::to_string(c.scenario.horizon_days) +
                        " days) is shorter than one tour (mean " + format_double(tour) +
                        " days): no rotation of " + quote(k.name) + " is simulated");
        }
    }
}

}  // namespace

void check_model(const model::ModelConfig& c, const Locations& locs, Diagnostics& diags) {
    check_file(c, diags, locs);
    report_model_issues(c, diags, locs);
    check_routes(c, diags, locs);
    warn_about(c, diags, locs);
}

}  // namespace mss::scenario::detail
