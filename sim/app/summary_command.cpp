// sim/app/summary_command.cpp — `mss summary` (see the header).
#include "sim/app/summary_command.hpp"

#include <map>
#include <ostream>

#include "sim/app/exit_codes.hpp"
#include "sim/experiment/plain_run.hpp"
#include "sim/output/results_reader.hpp"
#include "sim/scenario/sweep.hpp"

namespace mss::app {

namespace {

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
        err << "mss summary: " << options.file << " holds no runs (/runs is empty)\n";
        return kExitInvalidInput;
    }
    // One table per design point (a plain run has one point).
    std::map<std::int64_t, std::vector<std::size_t>> rows_of_point;
    for (std::size_t i = 0; i < runs.run.size(); ++i)
        rows_of_point[runs.point[i]].push_back(i);
    const bool sweep = info.layout.points.size() > 1 || !info.layout.factor_names.empty();
    const auto labels = sweep && !options.csv ? point_labels(info) : decltype(point_labels(info)){};
    bool first = true;
    for (const auto& [point, rows] : rows_of_point) {
        std::vector<std::vector<double>> cols(runs.kpi_names.size());
        for (std::size_t k = 0; k < cols.size(); ++k)
            for (std::size_t i : rows)
                cols[k].push_back(runs.kpis[k][i]);
        const auto table = experiment::summarise_runs(runs.kpi_names, cols);
        if (options.csv) {
            std::string csv = experiment::format_csv(table);
            if (sweep) {
                // A leading `point` column; the header once.
                std::string with_point;
                std::size_t start = 0;
                bool header = true;
                while (start < csv.size()) {
                    const std::size_t end = csv.find('\n', start);
                    const std::string line = csv.substr(start, end - start);
                    if (header) {
                        if (first) with_point += "point," + line + "\n";
                    } else {
                        with_point += std::to_string(point) + "," + line + "\n";
                    }
                    header = false;
                    start = end + 1;
                }
                csv = with_point;
            }
            out << csv;
        } else {
            if (sweep) {
                out << (first ? "" : "\n") << "design point " << point;
                const auto p = static_cast<std::size_t>(point);
                if (p < labels.size()) {
                    for (std::size_t f = 0; f < labels[p].size(); ++f)
                        out << (f == 0 ? ": " : ", ") << labels[p][f];
                } else {
                    const auto& values = info.layout.points.at(p);
                    for (std::size_t f = 0; f < info.layout.factor_names.size(); ++f)
                        out << (f == 0 ? ": " : ", ") << info.layout.factor_names[f] << "="
                            << values[f];
                }
                out << "\n";
            }
            out << experiment::format_table(table);
        }
        first = false;
    }
    return kExitOk;
}

}  // namespace mss::app
