// sim/optimize/rinott: Rinott's constant h and the runs of his two-stage procedure. The values of
// h are checked against an independent computation with scipy 1.10's QUADPACK (/usr/bin/python3):
//   d = stats.chi2(n0 - 1); lo, hi = d.ppf(1e-12), d.isf(1e-12)
//   inner(y) = quad(lambda x: norm.cdf(h / sqrt((n0 - 1) * (1/x + 1/y))) * d.pdf(x), lo, hi)
//   pcs(h) = quad(lambda y: inner(y) ** (k - 1) * d.pdf(y), lo, hi); brentq(pcs - (1 - α))
// (epsabs = epsrel = 1e-11, xtol = 1e-9), which agrees with Rinott's integral as stated in
// Bechhofer, Santner & Goldsman (1995).
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "sim/optimize/rinott.hpp"

namespace mo = mss::optimize;

TEST_CASE("Rinott's h agrees with an independent quadrature", "[optimize]") {
    CHECK(mo::rinott_h(2, 20, 0.95) == Approx(2.4524732525376844).margin(1e-8));
    CHECK(mo::rinott_h(5, 20, 0.95) == Approx(3.3854187316972655).margin(1e-8));
    CHECK(mo::rinott_h(10, 20, 0.95) == Approx(3.875276635863012).margin(1e-8));
    CHECK(mo::rinott_h(4, 10, 0.90) == Approx(2.912616617363374).margin(1e-8));
    CHECK(mo::rinott_h(3, 10, 0.95) == Approx(3.1657272141342627).margin(1e-8));
}

TEST_CASE("Rinott's h tends to the known-variance constant and moves the right way", "[optimize]") {
    // k = 2 with known variances: Φ(h / √2) = 1 − α, h = √2 · 1.6448536269514722 = 2.3262...;
    // with n0 = 1000 the estimated variances cost a little more, not much.
    const double known = std::sqrt(2.0) * 1.6448536269514722;
    const double h = mo::rinott_h(2, 1000, 0.95);
    CHECK(h > known);
    CHECK(h < known + 0.005);
    CHECK(mo::rinott_h(5, 10, 0.95) > mo::rinott_h(5, 20, 0.95));   // fewer first-stage runs
    CHECK(mo::rinott_h(10, 20, 0.95) > mo::rinott_h(5, 20, 0.95));  // more alternatives
    CHECK(mo::rinott_h(5, 20, 0.99) > mo::rinott_h(5, 20, 0.95));   // more confidence
    CHECK_THROWS(mo::rinott_h(1, 20, 0.95));
    CHECK_THROWS(mo::rinott_h(2, 1, 0.95));
    CHECK_THROWS(mo::rinott_h(4, 20, 0.2));
}

TEST_CASE("Rinott's runs for given first-stage variances, by hand", "[optimize]") {
    // h = 2, δ = 0.5: h² S² / δ² = 16 S²; n0 = 10 is the floor.
    CHECK(mo::rinott_runs(2.0, 0.5, 10, {0.5, 1.0, 2.0}) == 10 + 16 + 32);
    CHECK(mo::rinott_runs(2.0, 0.5, 10, {1.01}) == 17);  // ⌈16.16⌉
}

TEST_CASE("Rinott's expected runs at the true variances", "[optimize]") {
    // Tiny variance: never more than n0. Large: E⌈c X⌉ with c X of mean h² σ² / δ² = 160 is
    // 160 + about ½ (the ceiling), the floor n0 = 20 having probability P(χ²₁₉ < 2.375) ~ 1e-7.
    CHECK(mo::rinott_expected_runs(2.0, 0.5, 20, {1e-6, 1e-6}) == Approx(40.0));
    CHECK(mo::rinott_expected_runs(2.0, 0.5, 20, {10.0}) == Approx(160.5).margin(0.01));
}
