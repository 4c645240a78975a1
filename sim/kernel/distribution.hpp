// sim/kernel/distribution.hpp — the distributions a scenario file can name (DESIGN §2).
//
// Two layers:
//  - DistributionSpec / CountSpec: plain values that say which distribution and with which
//    parameters. The scenario loader builds them from TOML, checks them with validate() and
//    has_nonnegative_support() (a duration must never be negative), and the model's config
//    structs hold them. They know nothing about random numbers.
//  - Distribution / CountDistribution: a validated spec ready to sample from a RandomStream.
//    Sampling is const and touches no shared state, so one Distribution can be read by many
//    threads at once; each thread passes its own stream.
//
// Sampling uses Boost.Random distributions only (the same numbers on every compiler and
// standard library). The truncated normal is drawn by inversion, never by rejection, so it
// never loops and uses exactly one engine output per draw. With a = (lower - mean) / sd,
// b = (upper - mean) / sd, Z = Phi(b) - Phi(a) and an open uniform u in (0, 1)
// (u = ((x >> 12) + 0.5) * 2^-52 for one engine output x, exact in double):
//     p = Phi(a) + u Z;  if p < 1/2:  z = Phi^-1(p)
//                        else:        z = -Phi^-1(Q(b) + (1 - u) Z),  Q = 1 - Phi
// and the draw is mean + sd z clamped to [lower, upper] (against last-ulp rounding). Each
// branch inverts the tail where its probability is small, so far-tail truncations keep their
// precision and no draw is ever infinite. Phi, Q and Phi^-1 are boost::math's, in double
// precision (no long double promotion, which differs between platforms).
//
// Degenerate cases draw nothing: constant, uniform with min == max, triangular with
// min == max and a Poisson count of mean 0 return their single value without consuming the
// stream. Other draws consume as many engine outputs as Boost's algorithm needs (rejection
// samplers such as gamma's use a varying number); that is deterministic, and streams are
// per component, so it never shifts another component's numbers.
//
// Messages name the kind first ("uniform: min (5) must be <= max (3)") and index arrays from
// 0 ("empirical: weights[2] must be >= 0, got -1"), so the scenario loader can prefix the file,
// line and key path.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/random/binomial_distribution.hpp>
#include <boost/random/discrete_distribution.hpp>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/gamma_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <boost/random/triangle_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <boost/random/weibull_distribution.hpp>

#include "sim/kernel/random.hpp"

namespace mss::kernel {

/// Which continuous distribution, with which parameters. A plain value: only the fields of
/// its kind are meaningful; build one with the static factories.
struct DistributionSpec {
    /// The distribution family.
    enum class Kind {
        constant,
        uniform,
        triangular,
        exponential,
        normal,
        lognormal,
        gamma,
        weibull,
        empirical
    };
    /// How a lognormal was given: by median and sigma of the log, or by mean and sd.
    enum class LognormalForm { median_sigma, mean_sd };

    /// The family; decides which fields below are read.
    Kind kind = Kind::constant;
    /// constant: the value.
    double value = 0.0;
    /// uniform, triangular: the lower end.
    double min = 0.0;
    /// triangular: the most likely value.
    double mode = 0.0;
    /// uniform, triangular: the upper end.
    double max = 0.0;
    /// exponential, normal, lognormal (mean_sd form): the mean.
    double mean = 0.0;
    /// normal, lognormal (mean_sd form): the standard deviation.
    double sd = 0.0;
    /// normal: truncation lower bound, if any.
    std::optional<double> lower;
    /// normal: truncation upper bound, if any.
    std::optional<double> upper;
    /// lognormal: which pair of parameters was given.
    LognormalForm lognormal_form = LognormalForm::median_sigma;
    /// lognormal (median_sigma form): the median, exp(mu).
    double median = 0.0;
    /// lognormal (median_sigma form): the standard deviation of the log.
    double sigma = 0.0;
    /// gamma, weibull: the shape parameter.
    double shape = 0.0;
    /// gamma, weibull: the scale parameter.
    double scale = 0.0;
    /// empirical: the possible values.
    std::vector<double> values;
    /// empirical: their relative weights (empty means all equal).
    std::vector<double> weights;

    /// Always `value`.
    static DistributionSpec constant(double value);
    /// Uniform on [min, max).
    static DistributionSpec uniform(double min, double max);
    /// Triangular on [min, max] peaking at mode.
    static DistributionSpec triangular(double min, double mode, double max);
    /// Exponential with the given mean (rate 1/mean).
    static DistributionSpec exponential(double mean);
    /// Normal, optionally truncated to [lower, upper] (either bound may be absent).
    static DistributionSpec normal(double mean, double sd, std::optional<double> lower = {},
                                   std::optional<double> upper = {});
    /// Lognormal with median exp(mu) and log-standard-deviation sigma.
    static DistributionSpec lognormal_median(double median, double sigma);
    /// Lognormal with the given mean and standard deviation of the variable itself.
    static DistributionSpec lognormal_mean(double mean, double sd);
    /// Gamma with shape k and scale theta (mean k theta).
    static DistributionSpec gamma(double shape, double scale);
    /// Weibull with shape k and scale lambda.
    static DistributionSpec weibull(double shape, double scale);
    /// One of `values`, chosen with probability proportional to `weights` (equal if empty).
    static DistributionSpec empirical(std::vector<double> values, std::vector<double> weights = {});

    /// lognormal: mu, the mean of the log (log(median), or log(mean) - sigma^2/2).
    double lognormal_mu() const;
    /// lognormal: sigma, the sd of the log (given, or sqrt(log(1 + sd^2/mean^2))).
    double lognormal_sigma() const;

    /// Field-by-field equality (NaN parameters compare unequal).
    bool operator==(const DistributionSpec&) const = default;
};

/// Smallest probability a normal's truncation interval may hold: below it the inversion
/// would work with subnormal probabilities.
inline constexpr double min_truncation_mass = 1e-300;

/// Every problem with `spec`, one sentence each, in words a user can act on; empty if valid.
std::vector<std::string> validate(const DistributionSpec& spec);
/// True when no draw can be negative (required of durations). Meaningful for valid specs.
bool has_nonnegative_support(const DistributionSpec& spec);
/// The mean of the distribution (of the truncated one for a truncated normal).
double theoretical_mean(const DistributionSpec& spec);
/// The variance of the distribution (of the truncated one for a truncated normal; for a
/// truncation interval narrower than about 1e-4 sd the closed form loses precision to
/// cancellation, relative error about 1e-16 / width^2 in sd units; sampling is unaffected).
double theoretical_variance(const DistributionSpec& spec);
/// Short human text, e.g. `lognormal(median=20, sigma=0.08)`.
std::string describe(const DistributionSpec& spec);

/// A validated DistributionSpec ready to sample. Always valid; immutable after construction;
/// sample() is const and may be called from many threads at once, each with its own stream.
class Distribution {
public:
    /// Checks `spec`; throws std::invalid_argument with validate()'s messages joined by "; ".
    explicit Distribution(DistributionSpec spec);

    /// One draw, advancing `stream`.
    double sample(RandomStream& stream) const;
    /// The spec this was built from.
    const DistributionSpec& spec() const { return spec_; }

private:
    struct Constant {
        double value;
    };
    struct TruncatedNormal {
        double mean, sd;      // of the untruncated normal
        double lower, upper;  // bounds in the variable's units (may be infinite)
        double phi_a;         // Phi(a): probability below the lower bound
        double q_b;           // Q(b) = 1 - Phi(b): probability above the upper bound
        double mass;          // Z = Phi(b) - Phi(a), computed in the accurate tail
    };
    struct Empirical {
        std::vector<double> values;
        boost::random::discrete_distribution<std::size_t, double> index;
    };
    using Sampler = std::variant<Constant, boost::random::uniform_real_distribution<double>,
                                 boost::random::triangle_distribution<double>,
                                 boost::random::exponential_distribution<double>,
                                 boost::random::normal_distribution<double>, TruncatedNormal,
                                 boost::random::lognormal_distribution<double>,
                                 boost::random::gamma_distribution<double>,
                                 boost::random::weibull_distribution<double>, Empirical>;

    static Sampler make_sampler(const DistributionSpec& spec);
    static double sample_truncated(const TruncatedNormal& t, RandomStream& stream);

    DistributionSpec spec_;
    Sampler sampler_;
};

/// Which integer (count) distribution, with which parameters. A plain value like
/// DistributionSpec: only the fields of its kind are meaningful.
struct CountSpec {
    /// The distribution family.
    enum class Kind { constant, poisson, binomial, empirical };

    /// The family; decides which fields below are read.
    Kind kind = Kind::constant;
    /// constant: the value.
    std::int64_t value = 0;
    /// poisson: the mean (and variance).
    double mean = 0.0;
    /// binomial: the number of trials.
    std::int64_t trials = 0;
    /// binomial: the success probability of one trial.
    double p = 0.0;
    /// empirical: the possible values.
    std::vector<std::int64_t> values;
    /// empirical: their relative weights (empty means all equal).
    std::vector<double> weights;

    /// Always `value`.
    static CountSpec constant(std::int64_t value);
    /// Poisson with the given mean.
    static CountSpec poisson(double mean);
    /// Number of successes in `trials` independent trials of probability `p`.
    static CountSpec binomial(std::int64_t trials, double p);
    /// One of `values`, chosen with probability proportional to `weights` (equal if empty).
    static CountSpec empirical(std::vector<std::int64_t> values, std::vector<double> weights = {});

    /// Field-by-field equality.
    bool operator==(const CountSpec&) const = default;
};

/// Largest Poisson mean accepted: beyond it counts lose integer precision in a double.
inline constexpr double max_poisson_mean = 1e15;

/// Every problem with `spec`, one sentence each; empty if valid.
std::vector<std::string> validate(const CountSpec& spec);
/// True when no draw can be negative. Meaningful for valid specs.
bool has_nonnegative_support(const CountSpec& spec);
/// The mean of the count distribution.
double theoretical_mean(const CountSpec& spec);
/// The variance of the count distribution.
double theoretical_variance(const CountSpec& spec);
/// Short human text, e.g. `poisson(mean=3.5)`.
std::string describe(const CountSpec& spec);

/// A validated CountSpec ready to sample; immutable and shareable read-only across threads.
class CountDistribution {
public:
    /// Checks `spec`; throws std::invalid_argument with validate()'s messages joined by "; ".
    explicit CountDistribution(CountSpec spec);

    /// One draw, advancing `stream` (a constant draws nothing).
    std::int64_t sample(RandomStream& stream) const;
    /// The spec this was built from.
    const CountSpec& spec() const { return spec_; }

private:
    struct Constant {
        std::int64_t value;
    };
    struct Empirical {
        std::vector<std::int64_t> values;
        boost::random::discrete_distribution<std::size_t, double> index;
    };
    using Sampler =
        std::variant<Constant, boost::random::poisson_distribution<std::int64_t, double>,
                     boost::random::binomial_distribution<std::int64_t, double>, Empirical>;

    static Sampler make_sampler(const CountSpec& spec);

    CountSpec spec_;
    Sampler sampler_;
};

}  // namespace mss::kernel
