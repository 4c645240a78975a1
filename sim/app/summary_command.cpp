// sim/app/summary_command.cpp — `mss summary` (see the header).
#include "sim/app/summary_command.hpp"

#include <algorithm>
#include <ostream>
#include <string_view>

#include "sim/app/exit_codes.hpp"
#include "sim/experiment/summary.hpp"
#include "sim/output/results_reader.hpp"
#include "sim/scenario/sweep.hpp"
#include "sim/scenario/text.hpp"

namespace mss::app {

namespace {

namespace ex = mss::experiment;

/// Each design point's factor values as `mss sweep` printed them (`key=value`, a distribution
/// as its table), from the sweep text the file keeps: /points holds only a number per factor,
/// the level's index for values that are not numbers. Empty when that text cannot be read
/// again or gives another number of points; /points is shown then.
std::vector<std::vector<std::string>> point_labels(const output::ResultsInfo& info) {
    if (info.provenance.sweep_toml.empty()) return {};
    try {
        const auto points = scenario::expand_design(
            scenario::read_sweep_text(info.provenance.sweep_toml, "/scenario sweep_toml"));
        if (points.size() != info.layout.points.size()) return {};
        std::vector<std::vector<std::string>> labels;
        for (const auto& p : points)
            labels.push_back(p.assignments());
        return labels;
    } catch (const scenario::InvalidInput&) {
        return {};
    }
}

/// The factor cells of point `p`: the sweep text's value of each factor when there is one,
/// else the /points number.
std::vector<std::string> factor_cells(const output::ResultsInfo& info,
                                      const std::vector<std::vector<std::string>>& labels,
                                      std::size_t p) {
    std::vector<std::string> cells;
    const auto& names = info.layout.factor_names;
    for (std::size_t f = 0; f < names.size(); ++f) {
        std::string text;
        if (p < labels.size()) {
            for (const auto& a : labels[p])
                if (a.compare(0, a.find('='), names[f]) == 0 && a.find('=') == names[f].size())
                    text = a.substr(a.find('=') + 1);
        }
        const auto& values = info.layout.points.at(p);
        cells.push_back(ex::factor_cell(text, f < values.size() ? values[f] : 0.0));
    }
    return cells;
}

/// "design point 2: fleet=6, tour_days=180".
std::string point_heading(const output::ResultsInfo& info,
                          const std::vector<std::vector<std::string>>& labels, std::int64_t p) {
    std::string s = "design point " + std::to_string(p);
    const auto cells = factor_cells(info, labels, static_cast<std::size_t>(p));
    for (std::size_t f = 0; f < cells.size(); ++f)
        s += (f == 0 ? ": " : ", ") + info.layout.factor_names[f] + "=" + cells[f];
    return s;
}

/// The indices in `names` of the comma-separated `list`; a message naming the unknown one
/// otherwise.
std::vector<std::size_t> kpi_indices(const std::string& list, const std::vector<std::string>& names,
                                     const std::string& file, std::string& problem) {
    std::vector<std::size_t> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = list.find(',', start);
        std::string name = list.substr(start, comma == std::string::npos ? comma : comma - start);
        name.erase(0, name.find_first_not_of(' '));
        name.erase(name.find_last_not_of(' ') + 1);
        const auto it = std::find(names.begin(), names.end(), name);
        if (name.empty()) {
            problem = "--kpi " + list + ": an empty KPI name";
            return {};
        }
        if (it == names.end()) {
            std::vector<std::string_view> candidates(names.begin(), names.end());
            problem = "--kpi " + name + ": " + file + " has no KPI named '" + name + "'" +
                      scenario::detail::did_you_mean(name, candidates);
            if (problem.find("did you mean") == std::string::npos) {
                problem += "; it has";
                for (std::size_t k = 0; k < names.size(); ++k)
                    problem += (k == 0 ? " " : ", ") + names[k];
            }
            return {};
        }
        out.push_back(static_cast<std::size_t>(it - names.begin()));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

}  // namespace

int run_summary(const SummaryOptions& options, std::ostream& out, std::ostream& err) {
    output::RunsTable runs;
    output::ResultsInfo info;
    try {
        info = output::read_info(options.file);
        runs = output::read_runs(options.file);
    } catch (const output::OutputError& e) {
        // Missing, not a results file, damaged or inconsistent (read_runs checks that every
        // run's point is a row of /points): bad input.
        err << "mss summary: " << e.what() << "\n";
        return kExitInvalidInput;
    } catch (const std::exception& e) {
        err << "mss summary: " << options.file << ": " << e.what() << "\n";
        return kExitFailure;
    }
    if (runs.run.empty()) {
        err << "mss summary: " << options.file << " holds no runs (its run dimension is empty)\n";
        return kExitInvalidInput;
    }
    const std::size_t points = std::max<std::size_t>(info.layout.points.size(), 1);
    if (info.layout.points.empty()) info.layout.points.resize(1);
    const bool sweep = points > 1 || !info.layout.factor_names.empty();
    const auto last = std::to_string(points - 1);
    const auto point_range = points == 1 ? "one design point, 0" : "design points 0 to " + last;
    for (const auto& [flag, value] : {std::pair{"--point", options.point}, {"--vs", options.vs}}) {
        if (value && static_cast<std::size_t>(*value) >= points) {
            err << "mss summary: " << flag << " " << *value << ": " << options.file << " has "
                << point_range << "\n";
            return kExitInvalidInput;
        }
    }
    if (options.vs && !sweep) {
        err << "mss summary: --vs " << *options.vs << ": " << options.file
            << " is a plain run (one design point); paired contrasts compare the design points "
               "of a sweep\n";
        return kExitInvalidInput;
    }
    if (options.vs && options.point && *options.vs == *options.point) {
        err << "mss summary: --point " << *options.point << " and --vs " << *options.vs
            << " name the same design point\n";
        return kExitInvalidInput;
    }

    // The KPIs: --kpi; else a sweep's table of points (or of contrasts) the default list,
    // every other output every KPI.
    std::vector<std::size_t> kpis;
    if (!options.kpis.empty()) {
        std::string problem;
        kpis = kpi_indices(options.kpis, runs.kpi_names, options.file, problem);
        if (!problem.empty()) {
            err << "mss summary: " << problem << "\n";
            return kExitInvalidInput;
        }
    } else if (sweep && !options.csv && !options.point) {
        for (const auto& name : ex::default_point_kpis()) {
            const auto it = std::find(runs.kpi_names.begin(), runs.kpi_names.end(), name);
            if (it != runs.kpi_names.end())
                kpis.push_back(static_cast<std::size_t>(it - runs.kpi_names.begin()));
        }
    } else {
        for (std::size_t k = 0; k < runs.kpi_names.size(); ++k)
            kpis.push_back(k);
    }

    const auto by_point = ex::ok_runs_by_point(runs, points);
    const auto labels = sweep ? point_labels(info) : std::vector<std::vector<std::string>>{};
    // The points shown: --point, else all (but the reference of contrasts).
    std::vector<std::size_t> shown;
    for (std::size_t p = 0; p < points; ++p) {
        if (options.point && p != static_cast<std::size_t>(*options.point)) continue;
        if (options.vs && p == static_cast<std::size_t>(*options.vs)) continue;
        shown.push_back(p);
    }

    if (options.vs) {
        const auto& ref = by_point[static_cast<std::size_t>(*options.vs)];
        std::vector<ex::ContrastRow> rows;
        for (std::size_t p : shown) {
            ex::ContrastRow row;
            row.point = static_cast<std::int64_t>(p);
            row.factors = factor_cells(info, labels, p);
            row.pairs = ex::ok_pairs(by_point[p], ref);
            row.kpis = ex::point_contrasts(by_point[p], ref, runs.kpi_names, kpis);
            rows.push_back(std::move(row));
        }
        if (options.csv) {
            out << ex::format_contrast_csv(*options.vs, rows);
        } else {
            out << "paired contrasts against " << point_heading(info, labels, *options.vs) << "\n";
            if (options.point) {
                out << point_heading(info, labels, *options.point) << "\n"
                    << ex::format_contrast_kpi_table(rows.front());
            } else {
                out << ex::format_contrast_table(info.layout.factor_names, rows);
            }
        }
        return kExitOk;
    }

    std::vector<ex::PointRow> rows;
    for (std::size_t p : shown) {
        ex::PointRow row;
        row.point = static_cast<std::int64_t>(p);
        row.factors = factor_cells(info, labels, p);
        row.runs = static_cast<std::int64_t>(by_point[p].replications.size());
        row.kpis = ex::point_stats(by_point[p], runs.kpi_names, kpis);
        rows.push_back(std::move(row));
    }
    if (options.csv) {
        out << ex::format_stats_csv(rows);
    } else if (!sweep || options.point) {
        if (sweep) out << point_heading(info, labels, rows.front().point) << "\n";
        out << ex::format_kpi_table(rows.front().kpis, info.layout.start_days_since_epoch);
        out << ex::format_binding(ex::point_binding(
            by_point[static_cast<std::size_t>(rows.front().point)], runs.kpi_names));
    } else {
        out << ex::format_point_table(info.layout.factor_names, rows);
    }
    return kExitOk;
}

}  // namespace mss::app
