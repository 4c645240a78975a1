// sim/optimize/rinott.cpp — see the header.
#include "sim/optimize/rinott.hpp"

#include <boost/math/quadrature/gauss.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/tools/roots.hpp>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

namespace mss::optimize {

namespace {

/// Nodes t and weights w·g(t) of the χ_ν density g on [0, sqrt(ν) + 10], beyond which its mass
/// is below 1e-20.
std::vector<std::pair<double, double>> chi_nodes(double nu) {
    using Rule = boost::math::quadrature::gauss<double, 20>;
    constexpr int kPanels = 16;
    const double top = std::sqrt(nu) + 10.0;
    const double log_norm = (nu / 2.0 - 1.0) * std::log(2.0) + std::lgamma(nu / 2.0);
    auto density = [&](double t) {
        return std::exp((nu - 1.0) * std::log(t) - t * t / 2.0 - log_norm);
    };
    std::vector<std::pair<double, double>> nodes;
    for (int p = 0; p < kPanels; ++p) {
        const double a = top * p / kPanels, b = top * (p + 1) / kPanels;
        const double mid = (a + b) / 2.0, half = (b - a) / 2.0;
        for (std::size_t i = 0; i < Rule::abscissa().size(); ++i) {
            const double x = Rule::abscissa()[i], w = Rule::weights()[i];
            for (double t : {mid - half * x, mid + half * x})
                nodes.emplace_back(t, half * w * density(t));
        }
    }
    return nodes;
}

double normal_cdf(double z) {
    return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

}  // namespace

double rinott_h(std::size_t k, std::int64_t n0, double confidence) {
    if (k < 2) throw std::invalid_argument("rinott_h: at least 2 alternatives");
    if (n0 < 2) throw std::invalid_argument("rinott_h: a first stage of at least 2");
    if (!(confidence > 1.0 / static_cast<double>(k) && confidence < 1.0))
        throw std::invalid_argument("rinott_h: confidence must be in (1/k, 1)");
    const double nu = static_cast<double>(n0 - 1);
    const auto nodes = chi_nodes(nu);
    // P(h) = ∫ [∫ Φ(h t s / sqrt(ν (t² + s²))) g(t) dt]^(k−1) g(s) ds, x = t², y = s².
    auto pcs = [&](double h) {
        double outer = 0.0;
        for (const auto& [s, ws] : nodes) {
            double inner = 0.0;
            for (const auto& [t, wt] : nodes)
                inner += wt * normal_cdf(h * t * s / std::sqrt(nu * (t * t + s * s)));
            outer += ws * std::pow(inner, static_cast<double>(k - 1));
        }
        return outer - confidence;
    };
    double lo = 0.0, hi = 1.0;
    while (pcs(hi) < 0.0)
        hi *= 2.0;
    std::uintmax_t iterations = 200;
    const auto root = boost::math::tools::toms748_solve(
        pcs, lo, hi, boost::math::tools::eps_tolerance<double>(40), iterations);
    return (root.first + root.second) / 2.0;
}

std::int64_t rinott_runs(double h, double delta, std::int64_t n0,
                         const std::vector<double>& first_stage_variances) {
    std::int64_t total = 0;
    for (double s2 : first_stage_variances)
        total += std::max(n0, static_cast<std::int64_t>(std::ceil(h * h * s2 / (delta * delta))));
    return total;
}

double rinott_expected_runs(double h, double delta, std::int64_t n0,
                            const std::vector<double>& variances) {
    const double nu = static_cast<double>(n0 - 1);
    double total = 0.0;
    for (double s2 : variances) {
        // N > m ⇔ h² σ² X / (ν δ²) > m with X ~ χ²_ν ⇔ X > m ν δ² / (h² σ²).
        const double scale = nu * delta * delta / (h * h * s2);
        double expected = static_cast<double>(n0);
        for (std::int64_t m = n0;; ++m) {
            const double term = boost::math::gamma_q(nu / 2.0, m * scale / 2.0);
            expected += term;
            if (term < 1e-13) break;
            if (m - n0 > 1'000'000'000)
                throw std::invalid_argument("rinott_expected_runs: more than 1e9 runs");
        }
        total += expected;
    }
    return total;
}

}  // namespace mss::optimize
