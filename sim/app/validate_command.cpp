// sim/app/validate_command.cpp — `mss validate`: load, check, summarise (see the header).
#include "sim/app/validate_command.hpp"

#include <filesystem>
#include <ostream>
#include <sstream>

#include "sim/app/exit_codes.hpp"
#include "sim/model/dates.hpp"
#include "sim/scenario/optimize_file.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/sweep.hpp"

namespace mss::app {

namespace {

std::string date_text(std::int64_t days) {
    return model::civil_from_days(days);
}

void print_summary(const scenario::LoadResult& r, std::ostream& out) {
    const auto& c = r.config;
    out << r.source << ": valid scenario \"" << c.scenario.name << "\"\n";
    out << "  period:      " << date_text(c.scenario.start_days_since_epoch) << " + "
        << c.scenario.horizon_days << " days (to "
        << date_text(c.scenario.start_days_since_epoch + c.scenario.horizon_days) << "), seed "
        << c.scenario.seed << ", " << c.scenario.replications << " replications\n";
    long long billets = 0;
    std::string list;
    for (const auto& k : c.contingents) {
        billets += k.billets;
        list += (list.empty() ? "" : ", ") + k.name + " " + std::to_string(k.billets) + " (" +
                k.origin + ")";
    }
    out << "  contingents: " << c.contingents.size() << ", " << billets << " billets: " << list
        << "\n";
    long long airframes = 0, seats = 0;
    list.clear();
    for (const auto& a : c.aircraft) {
        airframes += a.count;
        seats += static_cast<long long>(a.count) * a.seats;
        list += (list.empty() ? "" : ", ") + a.type + " " + std::to_string(a.count) + " x " +
                std::to_string(a.seats) + " (" + a.home_base + ")";
    }
    out << "  fleet:       " << airframes << " aircraft, " << seats << " seats"
        << (list.empty() ? std::string() : ": " + list) << "\n";
    std::string alternates;
    for (const auto& route : c.routes) {
        for (const auto& a : route.alternates) {
            if (alternates.find(a.code) == std::string::npos) {
                alternates += (alternates.empty() ? "" : ", ") + a.code;
            }
        }
    }
    std::string links;
    for (const auto& l : c.links)
        links += (links.empty() ? "" : ", ") + l.name;
    out << "  gateway:     " << c.main_gateway << "; " << c.routes.size() << " routes"
        << "; alternates " << (alternates.empty() ? "none" : alternates) << "; links "
        << (links.empty() ? "none" : links) << "\n";
    std::size_t closures = 0;
    for (const auto& a : c.airports)
        closures += a.closures.size();
    out << "  closures:    " << closures << " scheduled\n";
    if (c.violence.enabled) {
        std::string regimes;
        for (const auto& g : c.violence.regimes)
            regimes += (regimes.empty() ? "" : ", ") + g.name;
        out << "  violence:    on, regimes " << regimes << "; starting "
            << (c.violence.initial_regime.empty() ? "from the stationary distribution"
                                                  : c.violence.initial_regime)
            << "\n";
    } else {
        out << "  violence:    off\n";
    }
    out << "  warnings:    " << r.warnings.size() << "\n";
}

void print_sweep_summary(const scenario::SweepLoadResult& r, const std::string& file,
                         std::ostream& out) {
    const auto& s = r.sweep;
    long long billets = 0;
    for (const auto& k : r.base.config.contingents)
        billets += k.billets;
    out << file << ": valid sweep \"" << s.name << "\" (identity " << r.identity_hash << ")\n";
    out << "  base:        " << r.base.source << " (\"" << r.base.config.scenario.name << "\", "
        << r.base.config.scenario.horizon_days << " days, " << billets << " billets)\n";
    out << "  design:      " << (s.design == scenario::Design::grid ? "grid" : "Latin hypercube")
        << ", " << r.points.size() << " points x " << s.replications
        << " replications = " << r.runs() << " runs, seed " << s.seed << "\n";
    for (const auto& f : s.factors) {
        out << "  factor:      " << f.key << " = ";
        if (s.design == scenario::Design::grid) {
            for (std::size_t i = 0; i < f.values.size(); ++i)
                out << (i ? ", " : "") << f.values[i];
        } else if (f.range) {
            out << "[" << (*f.range)[0] << ", " << (*f.range)[1] << "]"
                << (f.integer ? " (integers)" : "");
        }
        out << "\n";
    }
    out << "  warnings:    " << r.warnings.size() << "\n";
}

void print_plan_summary(const scenario::OptimizeLoadResult& r, const std::string& file,
                        std::ostream& out) {
    const auto& o = r.optimize;
    const auto& base = r.sweep.base;
    out << file << ": valid plan \"" << o.name << "\" (identity " << r.identity_hash << ")\n";
    out << "  base:        " << base.source << " (\"" << base.config.scenario.name << "\", "
        << base.config.scenario.horizon_days << " days)\n";
    out << "  choices:     " << r.sweep.points.size() << " alternatives (at most "
        << o.max_alternatives << "), seed " << o.seed << "\n";
    for (const auto& f : o.variables) {
        out << "  variable:    " << f.key << " = ";
        for (std::size_t i = 0; i < f.values.size(); ++i)
            out << (i ? ", " : "") << f.values[i];
        out << "\n";
    }
    out << "  objective:   "
        << (o.objective.goal == scenario::Goal::minimise ? "minimise" : "maximise") << " mean "
        << o.objective.kpi << ", delta " << o.objective.delta << "\n";
    for (const auto& c : o.constraints)
        out << "  constraint:  " << c.text() << ", epsilon " << c.epsilon << "\n";
    out << "  procedure:   confidence " << o.confidence << ", first stage " << o.first_stage
        << ", increment " << o.increment << ", budget " << o.budget << " runs\n";
    out << "  warnings:    " << r.warnings.size() << "\n";
}

}  // namespace

int run_validate(const ValidateOptions& options, std::ostream& out, std::ostream& err) {
    try {
        const scenario::FileKind kind = scenario::file_kind(options.file);
        if (kind == scenario::FileKind::optimize) {
            const auto r = scenario::load_optimize(options.file, options.sets);
            for (const auto& w : r.warnings)
                err << w.warning_str() << "\n";
            if (options.print) {
                // The base named by its absolute path, as for sweeps.
                scenario::OptimizeConfig printed = r.optimize;
                printed.base = std::filesystem::absolute(r.optimize.base_path)
                                   .lexically_normal()
                                   .generic_string();
                out << scenario::to_toml(printed);
            } else {
                print_plan_summary(
                    r, std::filesystem::path(options.file).lexically_normal().generic_string(),
                    out);
            }
        } else if (kind == scenario::FileKind::sweep) {
            const auto r = scenario::load_sweep(options.file, options.sets);
            for (const auto& w : r.warnings)
                err << w.warning_str() << "\n";
            if (options.print) {
                // `base` is relative to the sweep file; the printed file goes elsewhere, so it
                // names the base scenario by its absolute path, which resolves from anywhere.
                scenario::SweepConfig printed = r.sweep;
                printed.base = std::filesystem::absolute(r.sweep.base_path)
                                   .lexically_normal()
                                   .generic_string();
                out << scenario::to_toml(printed);
            } else {
                print_sweep_summary(
                    r, std::filesystem::path(options.file).lexically_normal().generic_string(),
                    out);
            }
        } else {
            const auto r = scenario::load_scenario(options.file, options.sets);
            for (const auto& w : r.warnings)
                err << w.warning_str() << "\n";
            if (options.print) {
                out << r.resolved_text;
            } else {
                print_summary(r, out);
            }
        }
        // A failed write to standard output is main's to judge (a full disk, or a reader that
        // has read enough).
        out.flush();
        return kExitOk;
    } catch (const scenario::InvalidInput& e) {
        for (const auto& w : e.warnings())
            err << w.warning_str() << "\n";
        for (const auto& d : e.errors())
            err << d.str() << "\n";
        // Past kMaxErrors the loader stops, and its last line says so: not an error itself.
        const std::size_t n = e.errors().size();
        const std::size_t max = scenario::Diagnostics::kMaxErrors;
        err << "mss validate: " << options.file << " is not valid ("
            << (n > max ? "more than " + std::to_string(max) + " errors; the first " +
                              std::to_string(max) + " are shown"
                        : std::to_string(n) + (n == 1 ? " error" : " errors"))
            << ")\n";
        return kExitInvalidInput;
    } catch (const std::exception& e) {
        err << "mss validate: " << e.what() << "\n";
        return kExitFailure;
    }
}

}  // namespace mss::app
