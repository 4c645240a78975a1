// tests/kernel/distribution_test.cpp — scenario-nameable distributions
// (sim/kernel/distribution.hpp): moments against theory, truncation, validation messages,
// support, descriptions and golden draws.
//
// Statistical checks use n = 200,000 draws from fixed seeds and a 5-standard-error bound:
//  - mean:     |sample mean - mu| < 5 sqrt(var / n), with the theoretical variance;
//  - variance: |sample var - var| < 5 sqrt((m4 - s^4 (n-3)/(n-1)) / n), the standard error of
//              the sample variance, with the sample's fourth central moment m4 and variance s^2;
//              the bracket is floored at its theoretical minimum 2 s^4 / (n-1) (kurtosis >= 1),
//              which a symmetric two-point distribution reaches.
// A correct sampler fails one such check with probability about 6e-7; the seeds are fixed, so
// the outcome never changes from run to run anyway.

#include "sim/kernel/distribution.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

using mss::kernel::CountDistribution;
using mss::kernel::CountSpec;
using mss::kernel::Distribution;
using mss::kernel::DistributionSpec;
using mss::kernel::RandomStream;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double quiet_nan = std::numeric_limits<double>::quiet_NaN();
constexpr int n_draws = 200'000;

struct SampleMoments {
    double mean = 0, var = 0, m4 = 0, min = inf, max = -inf;
};

SampleMoments moments(const std::vector<double>& xs) {
    SampleMoments m;
    for (double x : xs) {
        m.mean += x;
        m.min = std::min(m.min, x);
        m.max = std::max(m.max, x);
    }
    m.mean /= static_cast<double>(xs.size());
    for (double x : xs) {
        const double d = x - m.mean;
        m.var += d * d;
        m.m4 += d * d * d * d;
    }
    m.var /= static_cast<double>(xs.size() - 1);
    m.m4 /= static_cast<double>(xs.size());
    return m;
}

// The 5-standard-error checks described at the top of this file.
void check_moments(const std::vector<double>& xs, double mu, double var) {
    const SampleMoments m = moments(xs);
    const double n = static_cast<double>(xs.size());
    INFO("sample mean " << m.mean << ", theory " << mu);
    INFO("sample variance " << m.var << ", theory " << var);
    if (var == 0.0) {
        CHECK(m.mean == Approx(mu));
        CHECK(m.var == Approx(0.0).margin(1e-12));
        return;
    }
    CHECK(std::abs(m.mean - mu) < 5.0 * std::sqrt(var / n));
    const double s4 = m.var * m.var;
    const double spread = std::max(m.m4 - s4 * (n - 3) / (n - 1), 2 * s4 / (n - 1));
    CHECK(std::abs(m.var - var) < 5.0 * std::sqrt(spread / n));
}

std::vector<double> sample_many(const Distribution& d, RandomStream& s, int n = n_draws) {
    std::vector<double> xs;
    xs.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        xs.push_back(d.sample(s));
    return xs;
}

std::vector<double> sample_many(const CountDistribution& d, RandomStream& s, int n = n_draws) {
    std::vector<double> xs;
    xs.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        xs.push_back(static_cast<double>(d.sample(s)));
    return xs;
}

using Messages = std::vector<std::string>;

}  // namespace

TEST_CASE("every continuous kind matches its theoretical mean and variance", "[distribution]") {
    const std::vector<DistributionSpec> specs = {
        DistributionSpec::constant(5.0),
        DistributionSpec::uniform(2.0, 7.0),
        DistributionSpec::uniform(3.0, 3.0),
        DistributionSpec::triangular(1.0, 2.0, 6.0),
        DistributionSpec::triangular(0.0, 0.0, 1.0),
        DistributionSpec::exponential(2.5),
        DistributionSpec::normal(10.0, 3.0),
        DistributionSpec::normal(1.0, 2.0, 0.0),                // one-sided, straddles the mean
        DistributionSpec::normal(0.0, 1.0, -1.0, 2.0),          // two-sided
        DistributionSpec::normal(0.0, 1.0, 2.0),                // upper tail only
        DistributionSpec::normal(5.0, 1.0, std::nullopt, 3.0),  // lower tail only
        DistributionSpec::normal(0.0, 1.0, 3.0, 3.5),           // narrow, far in the upper tail
        DistributionSpec::lognormal_median(20.0, 0.08),
        DistributionSpec::lognormal_median(1.0, 0.7),
        DistributionSpec::lognormal_mean(20.0, 5.0),
        DistributionSpec::gamma(2.5, 3.0),
        DistributionSpec::gamma(0.5, 2.0),  // shape < 1 takes Boost's other algorithm
        DistributionSpec::gamma(1.0, 4.0),  // shape 1 is an exponential
        DistributionSpec::weibull(1.5, 100.0),
        DistributionSpec::weibull(0.8, 2.0),
        DistributionSpec::empirical({1.0, 2.0, 3.0}, {0.2, 0.5, 0.3}),
        DistributionSpec::empirical({4.0, 8.0}),
        DistributionSpec::empirical({1.0, 100.0, 5.0}, {1.0, 0.0, 1.0}),
    };
    std::uint64_t rep = 0;
    for (const DistributionSpec& spec : specs) {
        INFO(describe(spec));
        const Distribution d(spec);
        RandomStream s(2024, rep++, "moments");
        check_moments(sample_many(d, s), theoretical_mean(spec), theoretical_variance(spec));
    }
}

TEST_CASE("every count kind matches its theoretical mean and variance", "[distribution]") {
    const std::vector<CountSpec> specs = {
        CountSpec::constant(3),
        CountSpec::poisson(3.5),   // Boost inverts for small means
        CountSpec::poisson(40.0),  // and uses PTRD for large ones
        CountSpec::poisson(0.0),       CountSpec::binomial(10, 0.3),
        CountSpec::binomial(200, 0.6),  // BTRD, and p > 1/2 is mirrored
        CountSpec::binomial(5, 0.0),   CountSpec::binomial(5, 1.0),
        CountSpec::binomial(0, 0.5),   CountSpec::empirical({0, 2, 5}, {1.0, 1.0, 2.0}),
        CountSpec::empirical({-3, 7}),
    };
    std::uint64_t rep = 0;
    for (const CountSpec& spec : specs) {
        INFO(describe(spec));
        const CountDistribution d(spec);
        RandomStream s(2024, rep++, "count-moments");
        check_moments(sample_many(d, s), theoretical_mean(spec), theoretical_variance(spec));
    }
}

TEST_CASE("the theoretical moments equal hand-computed values", "[distribution]") {
    CHECK(theoretical_mean(DistributionSpec::uniform(2, 8)) == 5.0);
    CHECK(theoretical_variance(DistributionSpec::uniform(2, 8)) == 3.0);
    CHECK(theoretical_mean(DistributionSpec::triangular(0, 3, 6)) == 3.0);
    CHECK(theoretical_variance(DistributionSpec::triangular(0, 3, 6)) == Approx(1.5));
    CHECK(theoretical_variance(DistributionSpec::exponential(3)) == 9.0);
    CHECK(theoretical_mean(DistributionSpec::gamma(2, 3)) == 6.0);
    CHECK(theoretical_variance(DistributionSpec::gamma(2, 3)) == 18.0);
    // Weibull with shape 1 is exponential with mean = scale.
    CHECK(theoretical_mean(DistributionSpec::weibull(1, 4)) == Approx(4.0));
    CHECK(theoretical_variance(DistributionSpec::weibull(1, 4)) == Approx(16.0));
    // Half-normal: mean sd sqrt(2/pi), variance sd^2 (1 - 2/pi).
    const double pi = 3.14159265358979323846;
    CHECK(theoretical_mean(DistributionSpec::normal(0, 2, 0.0)) == Approx(2 * std::sqrt(2 / pi)));
    CHECK(theoretical_variance(DistributionSpec::normal(0, 2, 0.0)) == Approx(4 * (1 - 2 / pi)));
    // Symmetric truncation keeps the mean.
    CHECK(theoretical_mean(DistributionSpec::normal(3, 1, 2.0, 4.0)) == Approx(3.0));
    CHECK(theoretical_mean(DistributionSpec::empirical({1, 2, 3}, {1, 1, 2})) == 2.25);
    CHECK(theoretical_variance(DistributionSpec::empirical({1, 2, 3}, {1, 1, 2})) == 0.6875);
    CHECK(theoretical_mean(CountSpec::binomial(10, 0.3)) == Approx(3.0));
    CHECK(theoretical_variance(CountSpec::binomial(10, 0.3)) == Approx(2.1));
}

TEST_CASE("a lognormal given by mean and sd has that mean and sd", "[distribution]") {
    const DistributionSpec by_mean = DistributionSpec::lognormal_mean(20.0, 5.0);
    CHECK(theoretical_mean(by_mean) == Approx(20.0));
    CHECK(theoretical_variance(by_mean) == Approx(25.0));
    CHECK(by_mean.lognormal_sigma() == Approx(std::sqrt(std::log(1.0 + 25.0 / 400.0))));

    const DistributionSpec by_median = DistributionSpec::lognormal_median(20.0, 0.08);
    CHECK(by_median.lognormal_mu() == Approx(std::log(20.0)));
    CHECK(by_median.lognormal_sigma() == 0.08);
    CHECK(theoretical_mean(by_median) == Approx(20.0 * std::exp(0.5 * 0.08 * 0.08)));
}

TEST_CASE("a truncated normal never leaves its bounds", "[distribution]") {
    struct Case {
        DistributionSpec spec;
        double lo, hi;
    };
    const std::vector<Case> cases = {
        {DistributionSpec::normal(1.0, 2.0, 0.0), 0.0, inf},
        {DistributionSpec::normal(0.0, 1.0, -1.0, 2.0), -1.0, 2.0},
        {DistributionSpec::normal(0.0, 1.0, 6.0), 6.0, inf},  // Phi(6) rounds to 1 - 1e-9
        {DistributionSpec::normal(0.0, 1.0, std::nullopt, -6.0), -inf, -6.0},
        {DistributionSpec::normal(0.0, 1.0, 30.0, 30.001), 30.0, 30.001},
        {DistributionSpec::normal(100.0, 0.5, 99.999, 100.001), 99.999, 100.001},
    };
    for (const Case& c : cases) {
        INFO(describe(c.spec));
        const Distribution d(c.spec);
        RandomStream s(5, 0, "truncated");
        const SampleMoments m = moments(sample_many(d, s, 50'000));
        CHECK(m.min >= c.lo);
        CHECK(m.max <= c.hi);
        CHECK(std::isfinite(m.min));
        CHECK(std::isfinite(m.max));
    }
}

TEST_CASE("an empirical distribution never draws a value of weight zero", "[distribution]") {
    const Distribution d(DistributionSpec::empirical({1.0, 100.0, 5.0}, {1.0, 0.0, 1.0}));
    RandomStream s(5, 0, "empirical");
    for (int i = 0; i < 10'000; ++i)
        REQUIRE(d.sample(s) != 100.0);
    const CountDistribution c(CountSpec::empirical({1, 100, 5}, {1.0, 0.0, 1.0}));
    for (int i = 0; i < 10'000; ++i)
        REQUIRE(c.sample(s) != 100);
}

TEST_CASE("validate accepts every well-formed spec", "[distribution]") {
    CHECK(validate(DistributionSpec::constant(-2.0)).empty());
    CHECK(validate(DistributionSpec::uniform(3.0, 3.0)).empty());
    CHECK(validate(DistributionSpec::triangular(0.0, 0.0, 0.0)).empty());
    CHECK(validate(DistributionSpec::normal(0.0, 1.0, -inf, inf)).empty());
    CHECK(validate(DistributionSpec::normal(0.0, 1.0, 8.0)).empty());
    CHECK(validate(DistributionSpec::empirical({1.0, 2.0}, {0.0, 1.0})).empty());
    CHECK(validate(CountSpec::constant(-4)).empty());
    CHECK(validate(CountSpec::poisson(0.0)).empty());
    CHECK(validate(CountSpec::binomial(0, 1.0)).empty());
}

TEST_CASE("validate explains every problem of a continuous spec", "[distribution]") {
    using S = DistributionSpec;
    CHECK(validate(S::constant(quiet_nan)) == Messages{"constant: value must be finite, got nan"});
    CHECK(validate(S::constant(inf)) == Messages{"constant: value must be finite, got inf"});

    CHECK(validate(S::uniform(5, 3)) == Messages{"uniform: min (5) must be <= max (3)"});
    CHECK(validate(S::uniform(-inf, 3)) == Messages{"uniform: min must be finite, got -inf"});
    CHECK(validate(S::uniform(quiet_nan, inf)) ==
          Messages{"uniform: min must be finite, got nan", "uniform: max must be finite, got inf"});

    CHECK(validate(S::triangular(5, 4, 3)) == Messages{"triangular: min (5) must be <= max (3)"});
    CHECK(validate(S::triangular(0, 7, 5)) ==
          Messages{"triangular: mode (7) must be between min (0) and max (5)"});
    CHECK(validate(S::triangular(0, -0.5, 5)) ==
          Messages{"triangular: mode (-0.5) must be between min (0) and max (5)"});
    CHECK(validate(S::triangular(0, quiet_nan, 5)) ==
          Messages{"triangular: mode must be finite, got nan"});

    CHECK(validate(S::exponential(-1)) == Messages{"exponential: mean must be > 0, got -1"});
    CHECK(validate(S::exponential(0)) == Messages{"exponential: mean must be > 0, got 0"});
    CHECK(validate(S::exponential(inf)) == Messages{"exponential: mean must be finite, got inf"});

    CHECK(validate(S::normal(0, 0)) == Messages{"normal: sd must be > 0, got 0"});
    CHECK(validate(S::normal(quiet_nan, -1)) ==
          Messages{"normal: mean must be finite, got nan", "normal: sd must be > 0, got -1"});
    CHECK(validate(S::normal(0, 1, 5.0, 3.0)) == Messages{"normal: lower (5) must be < upper (3)"});
    CHECK(validate(S::normal(0, 1, 2.0, 2.0)) == Messages{"normal: lower (2) must be < upper (2)"});
    CHECK(validate(S::normal(0, 1, quiet_nan)) ==
          Messages{"normal: lower must be finite or -inf, got nan"});
    CHECK(validate(S::normal(0, 1, inf)) ==
          Messages{"normal: lower must be finite or -inf, got inf"});
    CHECK(validate(S::normal(0, 1, std::nullopt, -inf)) ==
          Messages{"normal: upper must be finite or inf, got -inf"});
    CHECK(validate(S::normal(0, 1, 40.0, 50.0)) ==
          Messages{"normal: the truncation interval [40, 50] has probability 0 under mean 0 and "
                   "sd 1; it must be at least 1e-300"});

    CHECK(validate(S::lognormal_median(0, 0.1)) ==
          Messages{"lognormal: median must be > 0, got 0"});
    CHECK(validate(S::lognormal_median(20, -0.1)) ==
          Messages{"lognormal: sigma must be > 0, got -0.1"});
    CHECK(validate(S::lognormal_mean(-5, 1)) == Messages{"lognormal: mean must be > 0, got -5"});
    CHECK(validate(S::lognormal_mean(5, 0)) == Messages{"lognormal: sd must be > 0, got 0"});

    CHECK(validate(S::gamma(0, 1)) == Messages{"gamma: shape must be > 0, got 0"});
    CHECK(validate(S::gamma(2, -3)) == Messages{"gamma: scale must be > 0, got -3"});
    CHECK(validate(S::weibull(quiet_nan, 1)) == Messages{"weibull: shape must be finite, got nan"});
    CHECK(validate(S::weibull(1, 0)) == Messages{"weibull: scale must be > 0, got 0"});

    CHECK(validate(S::empirical({})) == Messages{"empirical: values must not be empty"});
    CHECK(validate(S::empirical({1, 2, 3}, {1, 2})) ==
          Messages{"empirical: 3 values but 2 weights; give one weight per value (or no weights "
                   "for equal ones)"});
    CHECK(validate(S::empirical({1, 2, 3}, {1, -1, 2})) ==
          Messages{"empirical: weights[1] must be >= 0, got -1"});
    CHECK(validate(S::empirical({1, 2}, {0, 0})) ==
          Messages{"empirical: weights are all zero; at least one must be > 0"});
    CHECK(validate(S::empirical({1, quiet_nan}, {1, inf})) ==
          Messages{"empirical: values[1] must be finite, got nan",
                   "empirical: weights[1] must be finite, got inf"});
    CHECK(validate(S::empirical({1, 2}, {1e308, 1e308})) ==
          Messages{"empirical: weights sum to inf; scale them down"});
}

TEST_CASE("validate explains every problem of a count spec", "[distribution]") {
    CHECK(validate(CountSpec::poisson(-1)) == Messages{"poisson: mean must be >= 0, got -1"});
    CHECK(validate(CountSpec::poisson(quiet_nan)) ==
          Messages{"poisson: mean must be finite, got nan"});
    CHECK(validate(CountSpec::poisson(1e16)) ==
          Messages{"poisson: mean must be <= 1e+15, got 1e+16"});
    CHECK(validate(CountSpec::binomial(-3, 0.5)) ==
          Messages{"binomial: trials must be >= 0, got -3"});
    CHECK(validate(CountSpec::binomial(10, 1.5)) ==
          Messages{"binomial: p must be between 0 and 1, got 1.5"});
    CHECK(validate(CountSpec::binomial(-1, quiet_nan)) ==
          Messages{"binomial: trials must be >= 0, got -1",
                   "binomial: p must be between 0 and 1, got nan"});
    CHECK(validate(CountSpec::empirical({})) == Messages{"empirical: values must not be empty"});
    CHECK(validate(CountSpec::empirical({1, 2}, {1})) ==
          Messages{"empirical: 2 values but 1 weights; give one weight per value (or no weights "
                   "for equal ones)"});
    CHECK(validate(CountSpec::empirical({1, 2}, {-2, 1})) ==
          Messages{"empirical: weights[0] must be >= 0, got -2"});
}

TEST_CASE("building from an invalid spec throws with every message", "[distribution]") {
    CHECK_THROWS_AS(Distribution(DistributionSpec::exponential(-1)), std::invalid_argument);
    CHECK_THROWS_WITH(Distribution(DistributionSpec::normal(quiet_nan, -1)),
                      "normal: mean must be finite, got nan; normal: sd must be > 0, got -1");
    CHECK_THROWS_WITH(CountDistribution(CountSpec::binomial(-3, 0.5)),
                      "binomial: trials must be >= 0, got -3");
}

TEST_CASE("non-negative support is decided per kind", "[distribution]") {
    using S = DistributionSpec;
    CHECK(has_nonnegative_support(S::constant(0.0)));
    CHECK_FALSE(has_nonnegative_support(S::constant(-1.0)));
    CHECK(has_nonnegative_support(S::uniform(0.0, 2.0)));
    CHECK_FALSE(has_nonnegative_support(S::uniform(-1.0, 2.0)));
    CHECK(has_nonnegative_support(S::triangular(0.0, 1.0, 2.0)));
    CHECK_FALSE(has_nonnegative_support(S::triangular(-0.1, 1.0, 2.0)));
    CHECK(has_nonnegative_support(S::exponential(3.0)));
    CHECK_FALSE(has_nonnegative_support(S::normal(10.0, 1.0)));  // untruncated: any real
    CHECK_FALSE(has_nonnegative_support(S::normal(10.0, 1.0, std::nullopt, 20.0)));
    CHECK_FALSE(has_nonnegative_support(S::normal(10.0, 1.0, -0.5)));
    CHECK(has_nonnegative_support(S::normal(10.0, 1.0, 0.0)));
    CHECK(has_nonnegative_support(S::normal(10.0, 1.0, 2.0, 20.0)));
    CHECK(has_nonnegative_support(S::lognormal_median(20.0, 0.08)));
    CHECK(has_nonnegative_support(S::lognormal_mean(20.0, 5.0)));
    CHECK(has_nonnegative_support(S::gamma(2.0, 1.0)));
    CHECK(has_nonnegative_support(S::weibull(2.0, 1.0)));
    CHECK(has_nonnegative_support(S::empirical({0.0, 3.0})));
    CHECK_FALSE(has_nonnegative_support(S::empirical({-1.0, 3.0}, {0.0, 1.0})));

    CHECK(has_nonnegative_support(CountSpec::constant(0)));
    CHECK_FALSE(has_nonnegative_support(CountSpec::constant(-2)));
    CHECK(has_nonnegative_support(CountSpec::poisson(2.0)));
    CHECK(has_nonnegative_support(CountSpec::binomial(4, 0.5)));
    CHECK(has_nonnegative_support(CountSpec::empirical({0, 1})));
    CHECK_FALSE(has_nonnegative_support(CountSpec::empirical({-1, 1})));
}

TEST_CASE("describe gives short human text", "[distribution]") {
    using S = DistributionSpec;
    CHECK(describe(S::constant(5.0)) == "constant(5)");
    CHECK(describe(S::uniform(1.0, 3.5)) == "uniform(min=1, max=3.5)");
    CHECK(describe(S::triangular(1, 2, 4)) == "triangular(min=1, mode=2, max=4)");
    CHECK(describe(S::exponential(2.0)) == "exponential(mean=2)");
    CHECK(describe(S::normal(0, 1)) == "normal(mean=0, sd=1)");
    CHECK(describe(S::normal(3, 0.5, 0.0, 6.0)) == "normal(mean=3, sd=0.5, lower=0, upper=6)");
    CHECK(describe(S::normal(3, 0.5, std::nullopt, 6.0)) == "normal(mean=3, sd=0.5, upper=6)");
    CHECK(describe(S::lognormal_median(20, 0.08)) == "lognormal(median=20, sigma=0.08)");
    CHECK(describe(S::lognormal_mean(20, 5)) == "lognormal(mean=20, sd=5)");
    CHECK(describe(S::gamma(2, 1.5)) == "gamma(shape=2, scale=1.5)");
    CHECK(describe(S::weibull(1.5, 100)) == "weibull(shape=1.5, scale=100)");
    CHECK(describe(S::empirical({1, 2}, {0.25, 0.75})) ==
          "empirical(values=[1, 2], weights=[0.25, 0.75])");
    CHECK(describe(S::empirical({1, 2})) == "empirical(values=[1, 2])");
    CHECK(describe(S::empirical({3, 1, 4, 1, 5, 9, 2, 6, 5})) == "empirical(9 values in [1, 9])");

    CHECK(describe(CountSpec::constant(3)) == "constant(3)");
    CHECK(describe(CountSpec::poisson(3.5)) == "poisson(mean=3.5)");
    CHECK(describe(CountSpec::binomial(10, 0.3)) == "binomial(trials=10, p=0.3)");
    CHECK(describe(CountSpec::empirical({0, 2}, {1, 3})) ==
          "empirical(values=[0, 2], weights=[1, 3])");
}

TEST_CASE("the first draws for a fixed seed equal the golden values", "[distribution]") {
    // Reproducibility guard: stream seed, engine and Boost algorithms together. Compared to
    // 1e-13 relative because libm may differ in the last ulp between CPU feature levels.
    const auto first3 = [](const DistributionSpec& spec) {
        RandomStream s(42, 0, "golden");
        const Distribution d(spec);
        return std::vector<double>{d.sample(s), d.sample(s), d.sample(s)};
    };
    const auto close = [](double expected) { return Approx(expected).epsilon(1e-13); };

    const auto logn = first3(DistributionSpec::lognormal_median(20, 0.08));
    CHECK(logn[0] == close(20.466594102955472));
    CHECK(logn[1] == close(21.970979274548981));
    CHECK(logn[2] == close(17.680687326786067));

    const auto trunc = first3(DistributionSpec::normal(1, 2, 0.0));
    CHECK(trunc[0] == close(0.47658210635577025));
    CHECK(trunc[1] == close(4.6498079080890102));
    CHECK(trunc[2] == close(5.3587093517339301));

    const auto gam = first3(DistributionSpec::gamma(2.5, 3));
    CHECK(gam[0] == close(7.0430484831920595));
    CHECK(gam[1] == close(4.0999710724296463));
    CHECK(gam[2] == close(6.9062830365594179));

    CHECK(first3(DistributionSpec::empirical({1, 2, 3}, {0.2, 0.5, 0.3})) ==
          std::vector<double>{2, 3, 3});

    RandomStream s(42, 0, "golden");
    const CountDistribution poisson(CountSpec::poisson(3.5));
    std::vector<std::int64_t> counts;
    for (int i = 0; i < 5; ++i)
        counts.push_back(poisson.sample(s));
    CHECK(counts == std::vector<std::int64_t>{1, 7, 8, 1, 5});
}

TEST_CASE("degenerate and constant distributions draw nothing from the stream", "[distribution]") {
    RandomStream used(1, 0, "s");
    RandomStream fresh(1, 0, "s");
    CHECK(Distribution(DistributionSpec::constant(4.0)).sample(used) == 4.0);
    CHECK(Distribution(DistributionSpec::uniform(3.0, 3.0)).sample(used) == 3.0);
    CHECK(Distribution(DistributionSpec::triangular(2.0, 2.0, 2.0)).sample(used) == 2.0);
    CHECK(CountDistribution(CountSpec::constant(7)).sample(used) == 7);
    CHECK(CountDistribution(CountSpec::poisson(0.0)).sample(used) == 0);
    CHECK(used.next_u64() == fresh.next_u64());
}

TEST_CASE("one distribution sampled from two threads gives each thread its own sequence",
          "[distribution]") {
    const Distribution shared(DistributionSpec::gamma(0.7, 2.0));
    const auto run = [&shared](std::uint64_t rep, std::vector<double>& out) {
        RandomStream s(11, rep, "threads");
        for (int i = 0; i < 20'000; ++i)
            out.push_back(shared.sample(s));
    };
    std::vector<double> a, b, a_alone, b_alone;
    std::thread ta(run, 0, std::ref(a));
    std::thread tb(run, 1, std::ref(b));
    ta.join();
    tb.join();
    run(0, a_alone);
    run(1, b_alone);
    CHECK(a == a_alone);
    CHECK(b == b_alone);
}

TEST_CASE("a distribution keeps the spec it was built from", "[distribution]") {
    const DistributionSpec spec = DistributionSpec::normal(3.0, 1.0, 0.0);
    CHECK(Distribution(spec).spec() == spec);
    CHECK_FALSE(spec == DistributionSpec::normal(3.0, 1.0));
    const CountSpec count = CountSpec::binomial(4, 0.25);
    CHECK(CountDistribution(count).spec() == count);
}
