// sim/kernel/ctmc.cpp — generator validation, stationary distribution and transition matrix
// of a continuous-time Markov chain (see ctmc.hpp).

#include "sim/kernel/ctmc.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

#include <unsupported/Eigen/MatrixFunctions>

namespace mss::kernel {

namespace {

std::string num(double x) {
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, x);
    return std::string(buf, res.ptr);
}

std::string joined_problems(const std::vector<std::string>& errors) {
    std::string out = "invalid generator: ";
    for (std::size_t i = 0; i < errors.size(); ++i) {
        if (i > 0) out += "; ";
        out += errors[i];
    }
    return out;
}

void require_generator(const Eigen::MatrixXd& Q) {
    const std::vector<std::string> errors = validate_generator(Q);
    if (!errors.empty()) throw std::invalid_argument(joined_problems(errors));
}

}  // namespace

std::vector<std::string> validate_generator(const Eigen::MatrixXd& Q, double tol) {
    std::vector<std::string> errors;
    if (Q.rows() == 0 || Q.cols() == 0) {
        errors.push_back("generator is empty; it needs at least one state");
        return errors;
    }
    if (Q.rows() != Q.cols()) {
        errors.push_back("generator must be square, got " + std::to_string(Q.rows()) +
                         " rows and " + std::to_string(Q.cols()) + " columns");
        return errors;
    }
    for (Eigen::Index i = 0; i < Q.rows(); ++i) {
        bool row_ok = true;
        for (Eigen::Index j = 0; j < Q.cols(); ++j) {
            const double q = Q(i, j);
            const std::string where =
                "entry (" + std::to_string(i) + ", " + std::to_string(j) + ")";
            if (!std::isfinite(q)) {
                errors.push_back(where + " must be finite, got " + num(q));
                row_ok = false;
            } else if (i != j && q < 0) {
                errors.push_back(where + " is " + num(q) + "; off-diagonal rates must be >= 0");
            }
        }
        if (!row_ok) continue;  // the sum of a row with NaN or inf says nothing more
        const double sum = Q.row(i).sum();
        // Relative to the row's own scale: rates of 1e-4 per hour and 1e3 per hour alike.
        const double scale = Q.row(i).cwiseAbs().sum();
        if (std::abs(sum) > tol * scale) {
            errors.push_back("row " + std::to_string(i) + " sums to " + num(sum) + ", expected 0");
        }
    }
    return errors;
}

Eigen::VectorXd stationary_distribution(const Eigen::MatrixXd& Q) {
    require_generator(Q);
    const Eigen::Index n = Q.rows();
    // pi Q = 0 is Q^T pi^T = 0, whose n equations are dependent (they sum to 0); replace the last
    // by sum(pi) = 1. The system is nonsingular exactly when the chain has one closed class.
    // Scaling Q by its largest entry changes nothing but keeps the ones row and the rates
    // comparable for the rank decision.
    const double qmax = Q.cwiseAbs().maxCoeff();
    Eigen::MatrixXd A = Q.transpose();
    if (qmax > 0) A /= qmax;
    A.row(n - 1).setOnes();
    Eigen::VectorXd b = Eigen::VectorXd::Zero(n);
    b(n - 1) = 1.0;
    const Eigen::FullPivLU<Eigen::MatrixXd> lu(A);
    if (lu.rank() < n) {
        throw std::invalid_argument(
            "generator has no unique stationary distribution: its states form more than one "
            "closed class");
    }
    Eigen::VectorXd pi = lu.solve(b);
    // Rounding can leave tiny negative entries for transient states; they are zeros.
    pi = pi.cwiseMax(0.0);
    return pi / pi.sum();
}

Eigen::MatrixXd transition_matrix(const Eigen::MatrixXd& Q, double t) {
    require_generator(Q);
    if (!(std::isfinite(t) && t >= 0)) {
        throw std::invalid_argument("transition_matrix: t must be finite and >= 0, got " + num(t));
    }
    const Eigen::MatrixXd Qt = Q * t;
    return Qt.exp();
}

}  // namespace mss::kernel
