// sim/scenario/sweep.hpp — sweep files: a base scenario, a seed, replications per design point,
// and factors varied over a grid or a Latin hypercube (DESIGN §4 "Sweep files").
//
// Design points are lists of `--set`-style overrides applied to the base scenario.
//  - grid: the Cartesian product of the factors' `values`, the FIRST factor varying slowest
//    (nested loops in file order); point p's value of factor j is
//    values_j[(p / prod_{k>j} n_k) mod n_j].
//  - lhs: `samples` points. Draws come from the kernel stream
//    RandomStream(seed, 0, "sweep/lhs"); for each factor in file order a permutation pi of
//    0..n-1 is drawn by Fisher-Yates (for i = n-1 down to 1: j = uniform_int(0, i) with
//    boost::random::uniform_int_distribution, swap), then n uniforms u_i = uniform01() in
//    point order; q_i = (pi(i) + u_i) / n. A real factor takes low + (high - low) q_i; an
//    integer factor takes low + floor((high - low + 1) q_i), capped at high, so each integer
//    of [low, high] is equally likely.
//
// Identity: identity_hash is FNV-1a 64 (the kernel's fnv1a64 constants) over
//   "mss-sweep/1\n" + to_toml(sweep) without its name, description and base lines +
//   "\n# base\n" + the base scenario's resolved text (its own seed and replications) +
//   "\n# design\n" + one line per point
//   "p: key=value; ...\n",
// written as 16 lowercase hex digits. Moving or renaming the files does not change it;
// changing any resolved value, the seed, the design or the expansion algorithm does.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace mss::scenario {

/// Largest number of design points a sweep may have.
inline constexpr std::int64_t kMaxDesignPoints = 100000;
/// Largest number of runs (design points x replications) a sweep may have.
inline constexpr std::int64_t kMaxRuns = 10'000'000;
/// Integer Latin hypercube factors draw whole numbers in doubles: exact up to 2^53.
inline constexpr double kMaxExactInteger = 9007199254740992.0;

/// One varied key.
struct Factor {
    std::string key;                  ///< a --set key path, e.g. contingent.Kenya.tour_days
    std::vector<std::string> values;  ///< grid: TOML texts of the values, in order
    std::optional<std::array<double, 2>> range;  ///< lhs: [low, high]
    bool integer = false;                        ///< lhs: draw integers
};

/// How design points are chosen.
enum class Design { grid, lhs };

/// A sweep file's contents.
struct SweepConfig {
    std::string name;                 ///< default output name; defaults to the file's stem
    std::string description;          ///< free text
    std::string base;                 ///< the base scenario as written (relative to the sweep file)
    std::filesystem::path base_path;  ///< the base scenario, resolved against the sweep file
    std::uint64_t seed = 1;           ///< master seed of every run, and of the LHS draws
    std::int32_t replications = 1;    ///< per design point
    Design design = Design::grid;
    std::int32_t samples = 0;  ///< lhs: number of design points
    std::vector<Factor> factors;
};

/// One design point: overrides for the base scenario.
struct DesignPoint {
    std::int64_t index = 0;  ///< p, from 0
    /// (key, TOML value text) per factor, in factor order.
    std::vector<std::pair<std::string, std::string>> values;
    /// The values as `key=value` strings for load_scenario().
    std::vector<std::string> assignments() const;
};

/// A validated sweep.
struct SweepLoadResult {
    SweepConfig sweep;
    /// The base scenario without factors, with the sweep's seed and replications (the
    /// identity hash covers it with its own).
    LoadResult base;
    std::vector<DesignPoint> points;   ///< expand_design(sweep)
    std::string resolved_text;         ///< to_toml(sweep)
    std::string identity_hash;         ///< 16 hex digits (see the header comment)
    std::vector<Diagnostic> warnings;  ///< the base's and the sweep's own
    /// Total runs: points x replications.
    std::int64_t runs() const {
        return static_cast<std::int64_t>(points.size()) * sweep.replications;
    }
};

/// Loads and validates a sweep file and its base scenario, and checks every design point: each
/// must give a valid scenario with the base's horizon, contingents,
/// airports and violence regimes. `sets` override the sweep file's own keys
/// (`sweep.replications=2`, `factor[0].values=[1, 2]`). Throws InvalidInput.
SweepLoadResult load_sweep(const std::filesystem::path& path,
                           const std::vector<std::string>& sets = {},
                           const FileSource* files = nullptr);

/// The sweep file `text` (named `name` in messages) checked on its own, without reading its
/// base scenario: for a results file's resolved `sweep_toml`, whose design points
/// expand_design() gives again with the values as the sweep wrote them. Throws InvalidInput.
SweepConfig read_sweep_text(const std::string& text, const std::string& name);

/// The design points, in order (see the header comment).
std::vector<DesignPoint> expand_design(const SweepConfig& sweep);

/// The sweep as a complete sweep file.
std::string to_toml(const SweepConfig& sweep);

/// The identity hash of a sweep with its resolved base text and design.
std::string identity_hash(const SweepConfig& sweep, const std::string& base_resolved_text,
                          const std::vector<DesignPoint>& points);

namespace detail {

class Locations;

/// Where load_design() points its messages: sweep files by default; plan files of `mss optimize`
/// name their varied keys `variable` and their points alternatives.
struct DesignSites {
    std::string table = "factor";        ///< the array of tables of the varied keys
    std::string base = "sweep.base";     ///< the key naming the base scenario
    std::string point = "design point";  ///< what a point is called in messages
    /// Per factor: its values were expanded from a `range`, so a bad value points at
    /// `<table>[i].range` rather than at `<table>[i].values[j]`.
    std::vector<bool> from_range;
};

/// The part of load_sweep() after the file is read: reads `cfg`'s base scenario, checks each
/// factor value on its own and then every design point (same shape, valid scenario), and fills
/// the result (points, resolved text, identity, the base as run, warnings). Errors are located
/// through `locs` at `sites`; collected in `diags`, thrown as InvalidInput.
SweepLoadResult load_design(SweepConfig cfg, const FileSource& src, Diagnostics& diags,
                            const Locations& locs, const DesignSites& sites);

/// Why a factor (`variable`: a plan file's variable) may not set the key path `segs`, or "" when
/// it may: the scenario's start, horizon, seed and replications.
std::string forbidden_factor(const std::vector<std::string>& segs, bool variable);

/// The design lines of the identity (see the header comment): "p: key=value; ...\n" per point.
std::string design_lines(const std::vector<DesignPoint>& points);

/// FNV-1a 64 of `bytes` as 16 lowercase hex digits.
std::string fnv1a64_hex(std::string_view bytes);

}  // namespace detail

}  // namespace mss::scenario
