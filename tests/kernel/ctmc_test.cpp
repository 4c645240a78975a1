// tests/kernel/ctmc_test.cpp — generator validation, stationary distribution and transition
// matrix (sim/kernel/ctmc.hpp) against hand-solved chains.

#include "sim/kernel/ctmc.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

using mss::kernel::stationary_distribution;
using mss::kernel::transition_matrix;
using mss::kernel::validate_generator;

namespace {

using Messages = std::vector<std::string>;

// Birth-death chain on {0, 1, 2}: up at rates 1 and 2, down at rates 3 and 4. Detailed balance
// gives pi1 = pi0 * 1/3, pi2 = pi1 * 2/4, so pi is proportional to (1, 1/3, 1/6) = (6, 2, 1) / 9.
Eigen::MatrixXd birth_death() {
    Eigen::MatrixXd Q(3, 3);
    Q << -1, 1, 0,  //
        3, -5, 2,   //
        0, 4, -4;
    return Q;
}

}  // namespace

TEST_CASE("a birth-death chain's stationary distribution equals the hand-solved one", "[ctmc]") {
    const Eigen::MatrixXd Q = birth_death();
    const Eigen::VectorXd pi = stationary_distribution(Q);
    REQUIRE(pi.size() == 3);
    CHECK(pi(0) == Approx(6.0 / 9.0));
    CHECK(pi(1) == Approx(2.0 / 9.0));
    CHECK(pi(2) == Approx(1.0 / 9.0));
    CHECK(pi.sum() == Approx(1.0));
    CHECK((pi.transpose() * Q).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("the stationary distribution does not depend on the time unit", "[ctmc]") {
    // Rates per hour or per 10,000 hours: the same occupancy.
    const Eigen::VectorXd pi = stationary_distribution(birth_death());
    CHECK((stationary_distribution(birth_death() * 1e-4) - pi).cwiseAbs().maxCoeff() < 1e-12);
    CHECK((stationary_distribution(birth_death() * 1e4) - pi).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("a chain with a transient state puts no weight on it", "[ctmc]") {
    // State 0 leaves for good; states 1 and 2 swap at rates 1 and 3: pi = (0, 3/4, 1/4).
    Eigen::MatrixXd Q(3, 3);
    Q << -2, 1, 1,  //
        0, -1, 1,   //
        0, 3, -3;
    const Eigen::VectorXd pi = stationary_distribution(Q);
    CHECK(pi(0) == Approx(0.0).margin(1e-15));
    CHECK(pi(1) == Approx(0.75));
    CHECK(pi(2) == Approx(0.25));
}

TEST_CASE("a single-state chain stays in its state", "[ctmc]") {
    const Eigen::MatrixXd Q = Eigen::MatrixXd::Zero(1, 1);
    CHECK(stationary_distribution(Q)(0) == 1.0);
}

TEST_CASE("a chain with two closed classes has no unique stationary distribution", "[ctmc]") {
    Eigen::MatrixXd Q(4, 4);
    Q << -1, 1, 0, 0,  //
        1, -1, 0, 0,   //
        0, 0, -2, 2,   //
        0, 0, 2, -2;
    CHECK(validate_generator(Q).empty());
    CHECK_THROWS_WITH(stationary_distribution(Q),
                      "generator has no unique stationary distribution: its states form more than "
                      "one closed class");
    CHECK_THROWS_AS(stationary_distribution(Eigen::MatrixXd::Zero(2, 2)), std::invalid_argument);
}

TEST_CASE("validate_generator names every bad row and entry", "[ctmc]") {
    CHECK(validate_generator(birth_death()).empty());
    CHECK(validate_generator(Eigen::MatrixXd(0, 0)) ==
          Messages{"generator is empty; it needs at least one state"});
    CHECK(validate_generator(Eigen::MatrixXd::Zero(2, 3)) ==
          Messages{"generator must be square, got 2 rows and 3 columns"});

    Eigen::MatrixXd Q = birth_death();
    Q(2, 1) = 4.5;  // row 2 now sums to 0.5
    CHECK(validate_generator(Q) == Messages{"row 2 sums to 0.5, expected 0"});

    Q = birth_death();
    Q(0, 1) = -0.5;
    Q(0, 0) = 0.5;  // the row still sums to 0, but a rate is negative
    CHECK(validate_generator(Q) ==
          Messages{"entry (0, 1) is -0.5; off-diagonal rates must be >= 0"});

    Q = birth_death();
    Q(1, 2) = std::numeric_limits<double>::quiet_NaN();
    Q(2, 0) = std::numeric_limits<double>::infinity();
    CHECK(validate_generator(Q) ==
          Messages{"entry (1, 2) must be finite, got nan", "entry (2, 0) must be finite, got inf"});

    CHECK_THROWS_WITH(
        stationary_distribution(Eigen::MatrixXd::Ones(2, 2)),
        "invalid generator: row 0 sums to 2, expected 0; row 1 sums to 2, expected 0");
}

TEST_CASE("row sums are judged relative to the row's own rates", "[ctmc]") {
    Eigen::MatrixXd Q(2, 2);
    Q << -1e6, 1e6 + 0x1p-10,  //
        1e-7, -1e-7;
    // Off by 2^-10 (exact in double) out of 2e6, 4.9e-10 relative: fine at the default 1e-9.
    CHECK(validate_generator(Q).empty());
    CHECK(validate_generator(Q, 1e-12) == Messages{"row 0 sums to 0.0009765625, expected 0"});
    // A slow row off by its own size is wrong however small the numbers.
    Q(1, 0) = 2e-7;
    CHECK(validate_generator(Q) == Messages{"row 1 sums to 1e-07, expected 0"});
}

TEST_CASE("transition matrices are stochastic and converge to the stationary rows", "[ctmc]") {
    const Eigen::MatrixXd Q = birth_death();
    const Eigen::VectorXd pi = stationary_distribution(Q);

    const Eigen::MatrixXd P0 = transition_matrix(Q, 0.0);
    CHECK((P0 - Eigen::MatrixXd::Identity(3, 3)).cwiseAbs().maxCoeff() < 1e-15);

    for (double t : {0.01, 0.5, 2.0}) {
        const Eigen::MatrixXd P = transition_matrix(Q, t);
        CHECK((P.rowwise().sum() - Eigen::VectorXd::Ones(3)).cwiseAbs().maxCoeff() < 1e-12);
        CHECK(P.minCoeff() >= 0.0);
    }
    // Chapman-Kolmogorov: P(s + t) = P(s) P(t).
    CHECK((transition_matrix(Q, 0.8) - transition_matrix(Q, 0.3) * transition_matrix(Q, 0.5))
              .cwiseAbs()
              .maxCoeff() < 1e-12);

    // Eigenvalues 0 and -5 +- sqrt(7): the slowest mode decays like exp(-2.35 t), so at t = 20
    // every row is pi to about 1e-20.
    const Eigen::MatrixXd P = transition_matrix(Q, 20.0);
    for (Eigen::Index i = 0; i < 3; ++i) {
        CHECK((P.row(i).transpose() - pi).cwiseAbs().maxCoeff() < 1e-12);
    }

    CHECK_THROWS_WITH(transition_matrix(Q, -1.0),
                      "transition_matrix: t must be finite and >= 0, got -1");
    CHECK_THROWS_AS(transition_matrix(Eigen::MatrixXd::Ones(2, 2), 1.0), std::invalid_argument);
}
