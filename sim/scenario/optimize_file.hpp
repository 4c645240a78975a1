// sim/scenario/optimize_file.hpp — plan files of `mss optimize` (DESIGN §11, docs/optimize.md
// "The plan file"): a base scenario, decision variables, an objective, constraints and the
// procedure's settings, checked with file:line:column like every other input, and turned into
// what the command needs: the alternatives (as a grid sweep of the variables), the procedure's
// Settings (sim/optimize/procedure.hpp) and, per run, the procedure's outputs.
//
// The alternatives are the Cartesian product of the variables' values, the first variable varying
// slowest (a grid sweep's design points, sweep.hpp). A variable takes `values = [...]` (any TOML
// values) or an integer `range = [low, high]` with `step` (default 1): low, low + step, ... up to
// high. The base is checked once, then each value on its own and every alternative, by the sweep
// loader (detail::load_design): each must give a valid scenario of the base's shape.
//
// The procedure's outputs for one run are [the objective's KPI, then one per constraint]: for a
// probability constraint P(kpi <= x) >= p the 0/1 indicator of kpi <= x (NaN, "never reached",
// is 0), whose mean must be at least p (optimize::probability_constraint); for a mean constraint
// the KPI itself, with batch 1 and no variance floor. A KPI that can be NaN (may_be_nan) may be
// neither the objective nor under a mean constraint: its mean is undefined when some run never
// reaches it.
//
// Identity: identity_hash is FNV-1a 64 over
//   "mss-optimize/1\n" + to_toml(plan) without its name, description and base lines +
//   "\n# base\n" + the base scenario's resolved text as run (the plan's seed, first_stage
//   replications) + "\n# design\n" + one line per alternative "p: key=value; ...\n",
// as 16 lowercase hex digits: moving or renaming the files does not change it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/optimize/procedure.hpp"
#include "sim/scenario/sweep.hpp"

namespace mss::scenario {

/// Largest max_alternatives a plan file may set.
inline constexpr std::int64_t kMaxAlternativesCap = 10000;

/// Whether the objective's mean is to be made small or large.
enum class Goal { minimise, maximise };

/// What is ranked: the mean of one run KPI.
struct OptObjective {
    std::string kpi;             ///< a name of model::kpi_columns() that is never NaN
    std::size_t kpi_index = 0;   ///< its index in model::kpi_columns()
    Goal goal = Goal::minimise;  ///< make the mean small or large
    double delta = 0;            ///< indifference zone δ > 0, in the KPI's unit
    std::int64_t batch = 1;      ///< replications per batch mean of KN (>= 1, divides
                                 ///< first_stage and increment, first_stage / batch >= 2)
};

/// What must hold: a probability of a per-run event, or a mean.
struct OptConstraint {
    enum class Kind { probability, mean };
    Kind kind = Kind::probability;
    std::string kpi;            ///< a name of model::kpi_columns()
    std::size_t kpi_index = 0;  ///< index in model::kpi_columns()
    bool at_most = true;        ///< probability: the per-run event is kpi <= threshold (false:
                                ///< >=); mean: mean <= threshold (false: >=)
    double threshold = 0;       ///< at_most/at_least or mean_at_most/mean_at_least
    double probability = 0;     ///< probability: the least P of the event
    double epsilon = 0;         ///< tolerance ε > 0 (on the probability, or the mean)
    std::int64_t batch = 1;     ///< probability: >= 10; mean: 1
    /// Plain words: "P(days_to_foc <= 240) >= 0.9", "mean mean_filled_frac >= 0.8".
    std::string text() const;
};

/// A plan file's contents, checked.
struct OptimizeConfig {
    std::string name;                     ///< default output name; defaults to the file's stem
    std::string description;              ///< free text
    std::string base;                     ///< the base scenario as written (relative to the plan)
    std::filesystem::path base_path;      ///< the base scenario, resolved against the plan file
    std::uint64_t seed = 1;               ///< master seed of every run (common random numbers)
    double confidence = 0.95;             ///< 1 − α, in (0, 1)
    std::int64_t first_stage = 20;        ///< n0 >= 2 replications per alternative in stage 1
    std::int64_t increment = 10;          ///< Δn >= 1 per survivor in later stages
    std::int64_t budget = 0;              ///< largest number of runs, >= alternatives x first_stage
    std::int64_t max_alternatives = 100;  ///< more alternatives are refused
    std::vector<Factor> variables;  ///< values expanded (a range becomes its whole numbers as text)
    OptObjective objective;
    std::vector<OptConstraint> constraints;
    /// Number of alternatives: the product of the variables' value counts.
    std::int64_t alternatives() const;
};

/// A validated plan with its alternatives.
struct OptimizeLoadResult {
    OptimizeConfig optimize;
    /// The alternatives as a grid sweep: sweep.sweep has name/description/base/base_path/seed of
    /// the plan, design grid, factors = variables, replications = first_stage (only informative);
    /// sweep.points = the alternatives (first variable varying slowest); sweep.base as load_sweep
    /// gives it (seed overridden by the plan's seed). sweep.identity_hash is the sweep's.
    SweepLoadResult sweep;
    std::string resolved_text;  ///< to_toml(optimize): a complete plan file that reads back to
                                ///< the same config
    std::string identity_hash;  ///< 16 hex digits (see the header comment)
    std::vector<Diagnostic> warnings;  ///< the base's and the plan's own
};

/// Loads and validates a plan file, its base and every alternative. `sets` are `key.path=value`
/// overrides of the plan file's own keys (as load_sweep). Throws InvalidInput.
OptimizeLoadResult load_optimize(const std::filesystem::path& path,
                                 const std::vector<std::string>& sets = {},
                                 const FileSource* files = nullptr);

/// The plan read from text alone (no base read): for a results file's stored plan. Throws
/// InvalidInput.
OptimizeConfig read_optimize_text(const std::string& text, const std::string& name);

/// The plan as a complete plan file (ranges written as their expanded values).
std::string to_toml(const OptimizeConfig& plan);

/// The procedure's settings: outputs are [objective KPI, then one per constraint: the 0/1
/// indicator of the event (NaN = 0) for a probability constraint, the KPI for a mean one];
/// probability constraints via optimize::probability_constraint (bound at_least on the indicator
/// mean), mean ones with batch 1 and floor 0.
optimize::Settings procedure_settings(const OptimizeConfig& plan, std::size_t alternatives);

/// The outputs of one run for the procedure, from its KPI row (model::kpi_columns() order), as
/// above.
std::vector<double> procedure_outputs(const OptimizeConfig& plan, const std::vector<double>& kpis);

}  // namespace mss::scenario
