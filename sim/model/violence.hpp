// Gang violence (DESIGN §3 "Gang violence"): the regimes' continuous-time Markov chain. Its
// generator and stationary shares are computed here once, for the model, the loader's checks,
// the sweep's shape check and the results file's /regimes.
#pragma once

#include <vector>

#include <Eigen/Dense>

#include "sim/model/config.hpp"

namespace mss::model {

/// `generator_per_day` as a matrix (per day), rows and columns in regime order; a 0 x 0 matrix
/// when it is not square with one row per regime.
Eigen::MatrixXd generator_matrix(const ViolenceConfig& v);

/// The expected long-run share of time in each violence regime: the stationary distribution
/// of `generator_per_day`, in regime order; empty when violence is off or the generator is not
/// square. Throws std::invalid_argument when it is not a generator (kernel::validate_generator).
std::vector<double> stationary_regime_shares(const ViolenceConfig& v);

}  // namespace mss::model
