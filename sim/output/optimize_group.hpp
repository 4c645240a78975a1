// sim/output/optimize_group.hpp — the `/optimize` group of a results file written by
// `mss optimize` (DESIGN §11, docs/results.md "/optimize"): what the ranking-and-selection
// procedure decided, stage by stage, beside the runs it asked for.
//
// Layout (netCDF-4 dimensions are HDF5 dimension scales, as in the rest of the file):
//   /stage [run] int64: the stage (from 1) each run belongs to; with /point (the alternative)
//     and /replication the rows are in (stage, alternative, replication) order.
//   /optimize, attributes: plan_toml (the resolved plan file), identity (its hash),
//     procedure (name and citations), status ("chosen", "none_feasible", "budget_exhausted"),
//     guarantee (int8 0/1: whether "correct with probability >= confidence" holds), summary
//     (one sentence), confidence, delta, chosen (the alternative, -1 for none), runs, stages,
//     first_stage, increment, budget, rinott_h and rinott_runs (Rinott's two-stage procedure at
//     the same delta and confidence on these first-stage variances; -1 when k = 1).
//   /optimize dimensions: alternative [k] (0..k-1), output [m] (the procedure's outputs: the
//     objective KPI, then one per constraint, named in plain words), stage [S] (1..S).
//   /optimize variables: label [alternative] ("key=value, ..."), fate [alternative]
//     ("chosen", "worse", "infeasible", "in_contention"), fate_stage, eliminated_by and
//     infeasible_constraint [alternative] int64 (-1: none), feasible [alternative] int8,
//     feasible_stage [alternative] int64 (-1: never declared), replications [alternative],
//     why [alternative] (plain words), estimate, ci_low, ci_high [alternative, output] (over all
//     of an alternative's replications; 95%: Student t for means, Wilson for probabilities),
//     output_kind [output] ("objective", "probability", "mean"), stage_replications and
//     stage_runs [stage] (cumulative), stage_mean [stage, alternative, output] (cumulative
//     means after each stage; NaN for an alternative not sampled in it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace mss::output {

/// Everything /optimize holds (see the header comment).
struct OptimizeRecord {
    std::string plan_toml;
    std::string identity;
    std::string procedure;
    std::string status;
    bool guarantee = false;
    std::string summary;
    double confidence = 0.0;
    double delta = 0.0;
    std::int64_t chosen = -1;
    std::int64_t runs = 0;
    std::int64_t stages = 0;
    std::int64_t first_stage = 0;
    std::int64_t increment = 0;
    std::int64_t budget = 0;
    double rinott_h = 0.0;
    std::int64_t rinott_runs = -1;
    std::vector<std::string> labels;        ///< [alternative]
    std::vector<std::string> output_names;  ///< [output]
    std::vector<std::string> output_kind;   ///< [output]
    std::vector<std::string> fate;          ///< [alternative]
    std::vector<std::int64_t> fate_stage, eliminated_by, infeasible_constraint, feasible_stage,
        replications;                                            ///< [alternative]
    std::vector<std::int8_t> feasible;                           ///< [alternative]
    std::vector<std::string> why;                                ///< [alternative]
    std::vector<std::vector<double>> estimate, ci_low, ci_high;  ///< [alternative][output]
    std::vector<std::int64_t> stage_replications, stage_runs;    ///< [stage]
    std::vector<std::vector<std::vector<double>>> stage_mean;    ///< [stage][alternative][output]
    std::vector<std::int64_t> run_stage;                         ///< [run]
};

/// Adds /stage and /optimize to the complete results file `path` (written and finished by a
/// ResultsWriter with run_stage.size() rows). Throws OutputError naming the file.
void write_optimize_group(const std::filesystem::path& path, const OptimizeRecord& record);

/// Adds /stage alone (the file of one stage, or of a shard of it, whose runs all belong to
/// `run_stage`'s stages). Throws OutputError naming the file.
void write_stage_column(const std::filesystem::path& path,
                        const std::vector<std::int64_t>& run_stage);

}  // namespace mss::output
