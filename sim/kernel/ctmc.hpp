// sim/kernel/ctmc.hpp — continuous-time Markov chain helpers (Eigen), for the kernel's own
// theory tests (DESIGN §2: "CTMC occupancy against the stationary distribution") and for the
// scenario loader's check of violence-level generator matrices (DESIGN §4).
//
// A generator Q is an n x n matrix of transition rates: Q(i, j) >= 0 for i != j is the rate
// from state i to state j, and each row sums to 0 (Q(i, i) = -sum of the row's other entries).
// Rows and states are numbered from 0, as in Eigen.

#pragma once

#include <string>
#include <vector>

#include <Eigen/Dense>

namespace mss::kernel {

/// Every problem with `Q` as a generator, one sentence each naming the row or entry (from 0);
/// empty if valid. A row passes when |row sum| <= tol * (sum of |entries| in the row).
std::vector<std::string> validate_generator(const Eigen::MatrixXd& Q, double tol = 1e-9);

/// The stationary distribution pi (pi Q = 0, sum pi = 1) of generator `Q`, as a column vector.
/// Throws std::invalid_argument if `Q` is not a valid generator, or if it has no unique
/// stationary distribution (more than one closed class of states).
Eigen::VectorXd stationary_distribution(const Eigen::MatrixXd& Q);

/// P(t) = exp(Q t): entry (i, j) is the probability of being in state j at time t after
/// starting in state i. Throws std::invalid_argument if `Q` is not a valid generator or `t` is
/// negative or not finite.
Eigen::MatrixXd transition_matrix(const Eigen::MatrixXd& Q, double t);

}  // namespace mss::kernel
