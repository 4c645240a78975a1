// sim/optimize/rinott.hpp — Rinott's two-stage procedure as the yardstick of `mss optimize`:
// the runs it would need at the same δ, 1 − α, k and n0, against the runs the sequential
// procedure (procedure.hpp) used. Nothing here selects anything.
//
// Rinott, Y. (1978), "On two-stage selection procedures and related probability-inequalities",
// Communications in Statistics — Theory and Methods 7(8):799-811. After a first stage of n0
// replications with sample variances S_i², alternative i gets N_i = max{n0, ⌈h² S_i² / δ²⌉}
// replications in all, where h solves (Bechhofer, Santner & Goldsman 1995, "Design and Analysis
// of Experiments for Statistical Selection, Screening, and Multiple Comparisons", Wiley, §2.6)
//
//   ∫₀^∞ [ ∫₀^∞ Φ( h / sqrt(ν (1/x + 1/y)) ) f_ν(x) dx ]^(k−1) f_ν(y) dy = 1 − α,
//
// with ν = n0 − 1 and f_ν the χ²_ν density. Rinott assumes independent sampling; with common
// random numbers it is only the comparison the issue asks for, not a valid alternative.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mss::optimize {

/// Rinott's constant h for k >= 2 alternatives, n0 >= 2 first-stage replications and
/// confidence 1 − α in (1/k, 1). Computed, not tabulated: both integrals in the χ variable
/// t = sqrt(x) (smooth integrands) by composite 20-point Gauss–Legendre on [0, sqrt(ν) + 10],
/// and the root by TOMS 748; absolute error about 1e-9. Throws std::invalid_argument on bad
/// arguments.
double rinott_h(std::size_t k, std::int64_t n0, double confidence);

/// Σ_i max{n0, ⌈h² S_i² / δ²⌉}: Rinott's total runs for these first-stage sample variances.
std::int64_t rinott_runs(double h, double delta, std::int64_t n0,
                         const std::vector<double>& first_stage_variances);

/// The expectation of the same total when alternative i's outputs have variance σ_i²
/// (`variances`): S_i² = σ_i² χ²_ν / ν, so E[N_i] = n0 + Σ_{m >= n0} P(h² S_i² / δ² > m).
double rinott_expected_runs(double h, double delta, std::int64_t n0,
                            const std::vector<double>& variances);

}  // namespace mss::optimize
