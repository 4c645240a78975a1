// sim/kernel/distribution.cpp — validation, moments, descriptions and sampling of the
// distributions scenario files can name (see distribution.hpp for the contract).

#include "sim/kernel/distribution.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <concepts>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <system_error>
#include <type_traits>
#include <utility>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/policies/policy.hpp>

namespace mss::kernel {

namespace {

using Kind = DistributionSpec::Kind;
using CountKind = CountSpec::Kind;

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double quiet_nan = std::numeric_limits<double>::quiet_NaN();

// Plain double arithmetic (x87 long double differs between platforms) and no exceptions
// from Phi^-1 at 0 or 1 (our callers never pass them, but a throw inside sample() must not
// be possible).
using NormalPolicy = boost::math::policies::policy<
    boost::math::policies::promote_double<false>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>>;
using StdNormal = boost::math::normal_distribution<double, NormalPolicy>;

double phi_pdf(double z) {
    if (std::isinf(z)) return 0.0;
    return boost::math::pdf(StdNormal{}, z);
}
double phi_cdf(double z) {
    if (std::isinf(z)) return z < 0 ? 0.0 : 1.0;
    return boost::math::cdf(StdNormal{}, z);
}
double phi_sf(double z) {  // Q(z) = 1 - Phi(z), accurate in the upper tail
    if (std::isinf(z)) return z < 0 ? 1.0 : 0.0;
    return boost::math::cdf(boost::math::complement(StdNormal{}, z));
}

// Shortest text that reads back as the same double: "5", "0.08", "-1", "1e+20", "nan", "inf".
std::string fmt(double x) {
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, x);
    return std::string(buf, res.ptr);
}
std::string fmt(std::int64_t x) {
    return std::to_string(x);
}

template <class T>
std::string fmt_list(const std::vector<T>& xs) {
    std::string out = "[";
    for (std::size_t i = 0; i < xs.size(); ++i) {
        if (i > 0) out += ", ";
        out += fmt(xs[i]);
    }
    return out + "]";
}

std::string kind_name(Kind kind) {
    switch (kind) {
        case Kind::constant:
            return "constant";
        case Kind::uniform:
            return "uniform";
        case Kind::triangular:
            return "triangular";
        case Kind::exponential:
            return "exponential";
        case Kind::normal:
            return "normal";
        case Kind::lognormal:
            return "lognormal";
        case Kind::gamma:
            return "gamma";
        case Kind::weibull:
            return "weibull";
        case Kind::empirical:
            return "empirical";
    }
    return "unknown";
}

std::string kind_name(CountKind kind) {
    switch (kind) {
        case CountKind::constant:
            return "constant";
        case CountKind::poisson:
            return "poisson";
        case CountKind::binomial:
            return "binomial";
        case CountKind::empirical:
            return "empirical";
    }
    return "unknown";
}

// Each check appends at most one message and returns whether the parameter passed, so later
// checks that compare parameters run only on numbers that make sense.
bool check_finite(std::vector<std::string>& errors, const std::string& kind, const char* field,
                  double v) {
    if (std::isfinite(v)) return true;
    errors.push_back(kind + ": " + field + " must be finite, got " + fmt(v));
    return false;
}

bool check_positive(std::vector<std::string>& errors, const std::string& kind, const char* field,
                    double v) {
    if (!check_finite(errors, kind, field, v)) return false;
    if (v > 0) return true;
    errors.push_back(kind + ": " + field + " must be > 0, got " + fmt(v));
    return false;
}

// Messages shared by the continuous and the count empirical distributions.
void check_weights(std::vector<std::string>& errors, std::size_t n_values,
                   const std::vector<double>& weights) {
    if (weights.empty()) return;  // equal weights
    if (weights.size() != n_values) {
        errors.push_back("empirical: " + std::to_string(n_values) + " values but " +
                         std::to_string(weights.size()) +
                         " weights; give one weight per value (or no weights for equal ones)");
        return;
    }
    bool usable = true;
    double sum = 0.0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const std::string field = "weights[" + std::to_string(i) + "]";
        if (!check_finite(errors, "empirical", field.c_str(), weights[i])) {
            usable = false;
        } else if (weights[i] < 0) {
            errors.push_back("empirical: " + field + " must be >= 0, got " + fmt(weights[i]));
            usable = false;
        } else {
            sum += weights[i];
        }
    }
    if (!usable) return;
    if (sum == 0.0) {
        errors.push_back("empirical: weights are all zero; at least one must be > 0");
    } else if (!std::isfinite(sum)) {
        errors.push_back("empirical: weights sum to " + fmt(sum) + "; scale them down");
    }
}

// Weights as given, or all ones when none were given.
std::vector<double> effective_weights(std::size_t n_values, const std::vector<double>& weights) {
    return weights.empty() ? std::vector<double>(n_values, 1.0) : weights;
}

// Standardised truncation bounds of a normal spec (infinite when a bound is absent).
std::pair<double, double> standard_bounds(const DistributionSpec& s) {
    const double a = s.lower ? (*s.lower - s.mean) / s.sd : -inf;
    const double b = s.upper ? (*s.upper - s.mean) / s.sd : inf;
    return {a, b};
}

// Phi(b) - Phi(a), computed in whichever tail holds the interval so it keeps its precision.
double interval_mass(double a, double b) {
    if (a > 0) return phi_sf(a) - phi_sf(b);
    if (b < 0) return phi_cdf(b) - phi_cdf(a);
    return 1.0 - phi_cdf(a) - phi_sf(b);
}

// One draw of the underlying Boost distribution. Those whose operator() is const are used in
// place; the others (normal, lognormal, gamma, triangle: non-const but stateless in Boost 1.74)
// are copied first, so a shared Distribution is never written to.
template <class D>
auto draw(const D& d, RandomStream::Engine& engine) {
    if constexpr (std::invocable<const D&, RandomStream::Engine&>) {
        return d(engine);
    } else {
        D local = d;
        return local(engine);
    }
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) out += sep;
        out += parts[i];
    }
    return out;
}

template <class T>
std::string describe_empirical(const std::vector<T>& values, const std::vector<double>& weights) {
    // Long tables would swamp a log line; say how many values and their range instead.
    constexpr std::size_t max_listed = 8;
    if (values.size() > max_listed) {
        const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
        return "empirical(" + std::to_string(values.size()) + " values in [" + fmt(*lo) + ", " +
               fmt(*hi) + "])";
    }
    std::string out = "empirical(values=" + fmt_list(values);
    if (!weights.empty()) out += ", weights=" + fmt_list(weights);
    return out + ")";
}

template <class T>
std::pair<double, double> empirical_moments(const std::vector<T>& values,
                                            const std::vector<double>& weights) {
    const std::vector<double> w = effective_weights(values.size(), weights);
    const double total = std::accumulate(w.begin(), w.end(), 0.0);
    double mean = 0.0;
    for (std::size_t i = 0; i < values.size(); ++i)
        mean += w[i] * static_cast<double>(values[i]);
    mean /= total;
    double var = 0.0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double d = static_cast<double>(values[i]) - mean;
        var += w[i] * d * d;
    }
    return {mean, var / total};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// DistributionSpec

DistributionSpec DistributionSpec::constant(double value) {
    DistributionSpec s;
    s.kind = Kind::constant;
    s.value = value;
    return s;
}

DistributionSpec DistributionSpec::uniform(double min, double max) {
    DistributionSpec s;
    s.kind = Kind::uniform;
    s.min = min;
    s.max = max;
    return s;
}

DistributionSpec DistributionSpec::triangular(double min, double mode, double max) {
    DistributionSpec s;
    s.kind = Kind::triangular;
    s.min = min;
    s.mode = mode;
    s.max = max;
    return s;
}

DistributionSpec DistributionSpec::exponential(double mean) {
    DistributionSpec s;
    s.kind = Kind::exponential;
    s.mean = mean;
    return s;
}

DistributionSpec DistributionSpec::normal(double mean, double sd, std::optional<double> lower,
                                          std::optional<double> upper) {
    DistributionSpec s;
    s.kind = Kind::normal;
    s.mean = mean;
    s.sd = sd;
    s.lower = lower;
    s.upper = upper;
    return s;
}

DistributionSpec DistributionSpec::lognormal_median(double median, double sigma) {
    DistributionSpec s;
    s.kind = Kind::lognormal;
    s.lognormal_form = LognormalForm::median_sigma;
    s.median = median;
    s.sigma = sigma;
    return s;
}

DistributionSpec DistributionSpec::lognormal_mean(double mean, double sd) {
    DistributionSpec s;
    s.kind = Kind::lognormal;
    s.lognormal_form = LognormalForm::mean_sd;
    s.mean = mean;
    s.sd = sd;
    return s;
}

DistributionSpec DistributionSpec::gamma(double shape, double scale) {
    DistributionSpec s;
    s.kind = Kind::gamma;
    s.shape = shape;
    s.scale = scale;
    return s;
}

DistributionSpec DistributionSpec::weibull(double shape, double scale) {
    DistributionSpec s;
    s.kind = Kind::weibull;
    s.shape = shape;
    s.scale = scale;
    return s;
}

DistributionSpec DistributionSpec::empirical(std::vector<double> values,
                                             std::vector<double> weights) {
    DistributionSpec s;
    s.kind = Kind::empirical;
    s.values = std::move(values);
    s.weights = std::move(weights);
    return s;
}

double DistributionSpec::lognormal_sigma() const {
    if (lognormal_form == LognormalForm::median_sigma) return sigma;
    // Var = (e^{s^2} - 1) mean^2  =>  s^2 = log(1 + sd^2 / mean^2); log1p keeps small cv exact.
    const double cv = sd / mean;
    return std::sqrt(std::log1p(cv * cv));
}

double DistributionSpec::lognormal_mu() const {
    if (lognormal_form == LognormalForm::median_sigma) return std::log(median);
    const double s = lognormal_sigma();
    return std::log(mean) - 0.5 * s * s;
}

// ---------------------------------------------------------------------------------------------
// Free functions on DistributionSpec

std::vector<std::string> validate(const DistributionSpec& s) {
    std::vector<std::string> errors;
    const std::string k = kind_name(s.kind);
    switch (s.kind) {
        case Kind::constant:
            check_finite(errors, k, "value", s.value);
            break;
        case Kind::uniform: {
            const bool min_ok = check_finite(errors, k, "min", s.min);
            const bool max_ok = check_finite(errors, k, "max", s.max);
            if (min_ok && max_ok && s.min > s.max) {
                errors.push_back(k + ": min (" + fmt(s.min) + ") must be <= max (" + fmt(s.max) +
                                 ")");
            }
            break;
        }
        case Kind::triangular: {
            const bool min_ok = check_finite(errors, k, "min", s.min);
            const bool mode_ok = check_finite(errors, k, "mode", s.mode);
            const bool max_ok = check_finite(errors, k, "max", s.max);
            if (!(min_ok && mode_ok && max_ok)) break;
            if (s.min > s.max) {
                errors.push_back(k + ": min (" + fmt(s.min) + ") must be <= max (" + fmt(s.max) +
                                 ")");
            } else if (s.mode < s.min || s.mode > s.max) {
                errors.push_back(k + ": mode (" + fmt(s.mode) + ") must be between min (" +
                                 fmt(s.min) + ") and max (" + fmt(s.max) + ")");
            }
            break;
        }
        case Kind::exponential:
            check_positive(errors, k, "mean", s.mean);
            break;
        case Kind::normal: {
            const bool mean_ok = check_finite(errors, k, "mean", s.mean);
            const bool sd_ok = check_positive(errors, k, "sd", s.sd);
            bool ok = mean_ok && sd_ok;
            // An infinite bound on its own side is the same as no bound; on the other side it
            // leaves nothing to draw from.
            if (s.lower && (std::isnan(*s.lower) || *s.lower == inf)) {
                errors.push_back(k + ": lower must be finite or -inf, got " + fmt(*s.lower));
                ok = false;
            }
            if (s.upper && (std::isnan(*s.upper) || *s.upper == -inf)) {
                errors.push_back(k + ": upper must be finite or inf, got " + fmt(*s.upper));
                ok = false;
            }
            if (!ok) break;
            if (s.lower && s.upper && *s.lower >= *s.upper) {
                errors.push_back(k + ": lower (" + fmt(*s.lower) + ") must be < upper (" +
                                 fmt(*s.upper) + ")");
                break;
            }
            if (s.lower || s.upper) {
                const auto [a, b] = standard_bounds(s);
                const double mass = interval_mass(a, b);
                if (!(mass >= min_truncation_mass)) {
                    errors.push_back(k + ": the truncation interval [" +
                                     fmt(s.lower.value_or(-inf)) + ", " +
                                     fmt(s.upper.value_or(inf)) + "] has probability " + fmt(mass) +
                                     " under mean " + fmt(s.mean) + " and sd " + fmt(s.sd) +
                                     "; it must be at least " + fmt(min_truncation_mass));
                }
            }
            break;
        }
        case Kind::lognormal:
            if (s.lognormal_form == DistributionSpec::LognormalForm::median_sigma) {
                check_positive(errors, k, "median", s.median);
                check_positive(errors, k, "sigma", s.sigma);
            } else {
                check_positive(errors, k, "mean", s.mean);
                check_positive(errors, k, "sd", s.sd);
            }
            break;
        case Kind::gamma:
        case Kind::weibull:
            check_positive(errors, k, "shape", s.shape);
            check_positive(errors, k, "scale", s.scale);
            break;
        case Kind::empirical:
            if (s.values.empty()) errors.push_back(k + ": values must not be empty");
            for (std::size_t i = 0; i < s.values.size(); ++i) {
                const std::string field = "values[" + std::to_string(i) + "]";
                check_finite(errors, k, field.c_str(), s.values[i]);
            }
            check_weights(errors, s.values.size(), s.weights);
            break;
    }
    return errors;
}

bool has_nonnegative_support(const DistributionSpec& s) {
    switch (s.kind) {
        case Kind::constant:
            return s.value >= 0;
        case Kind::uniform:
        case Kind::triangular:
            return s.min >= 0;
        case Kind::exponential:
        case Kind::lognormal:
        case Kind::gamma:
        case Kind::weibull:
            return true;
        case Kind::normal:
            return s.lower && *s.lower >= 0;
        case Kind::empirical:
            // Every listed value counts, even one of weight zero: a negative duration in a
            // scenario is a mistake whatever its weight.
            return !s.values.empty() &&
                   std::all_of(s.values.begin(), s.values.end(), [](double v) { return v >= 0; });
    }
    return false;
}

double theoretical_mean(const DistributionSpec& s) {
    switch (s.kind) {
        case Kind::constant:
            return s.value;
        case Kind::uniform:
            return 0.5 * (s.min + s.max);
        case Kind::triangular:
            return (s.min + s.mode + s.max) / 3.0;
        case Kind::exponential:
            return s.mean;
        case Kind::normal: {
            if (!s.lower && !s.upper) return s.mean;
            const auto [a, b] = standard_bounds(s);
            return s.mean + s.sd * (phi_pdf(a) - phi_pdf(b)) / interval_mass(a, b);
        }
        case Kind::lognormal: {
            const double mu = s.lognormal_mu();
            const double sg = s.lognormal_sigma();
            return std::exp(mu + 0.5 * sg * sg);
        }
        case Kind::gamma:
            return s.shape * s.scale;
        case Kind::weibull:
            return s.scale * std::tgamma(1.0 + 1.0 / s.shape);
        case Kind::empirical:
            return empirical_moments(s.values, s.weights).first;
    }
    return quiet_nan;
}

double theoretical_variance(const DistributionSpec& s) {
    switch (s.kind) {
        case Kind::constant:
            return 0.0;
        case Kind::uniform:
            return (s.max - s.min) * (s.max - s.min) / 12.0;
        case Kind::triangular: {
            const double a = s.min, c = s.mode, b = s.max;
            return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
        }
        case Kind::exponential:
            return s.mean * s.mean;
        case Kind::normal: {
            if (!s.lower && !s.upper) return s.sd * s.sd;
            const auto [a, b] = standard_bounds(s);
            const double z = interval_mass(a, b);
            // a phi(a) -> 0 as a -> -inf; written out because inf * 0 is NaN.
            const double a_phi = std::isinf(a) ? 0.0 : a * phi_pdf(a);
            const double b_phi = std::isinf(b) ? 0.0 : b * phi_pdf(b);
            const double shift = (phi_pdf(a) - phi_pdf(b)) / z;
            return s.sd * s.sd * (1.0 + (a_phi - b_phi) / z - shift * shift);
        }
        case Kind::lognormal: {
            const double mu = s.lognormal_mu();
            const double sg = s.lognormal_sigma();
            return std::expm1(sg * sg) * std::exp(2.0 * mu + sg * sg);
        }
        case Kind::gamma:
            return s.shape * s.scale * s.scale;
        case Kind::weibull: {
            const double g1 = std::tgamma(1.0 + 1.0 / s.shape);
            const double g2 = std::tgamma(1.0 + 2.0 / s.shape);
            return s.scale * s.scale * (g2 - g1 * g1);
        }
        case Kind::empirical:
            return empirical_moments(s.values, s.weights).second;
    }
    return quiet_nan;
}

std::string describe(const DistributionSpec& s) {
    switch (s.kind) {
        case Kind::constant:
            return "constant(" + fmt(s.value) + ")";
        case Kind::uniform:
            return "uniform(min=" + fmt(s.min) + ", max=" + fmt(s.max) + ")";
        case Kind::triangular:
            return "triangular(min=" + fmt(s.min) + ", mode=" + fmt(s.mode) +
                   ", max=" + fmt(s.max) + ")";
        case Kind::exponential:
            return "exponential(mean=" + fmt(s.mean) + ")";
        case Kind::normal: {
            std::string out = "normal(mean=" + fmt(s.mean) + ", sd=" + fmt(s.sd);
            if (s.lower) out += ", lower=" + fmt(*s.lower);
            if (s.upper) out += ", upper=" + fmt(*s.upper);
            return out + ")";
        }
        case Kind::lognormal:
            if (s.lognormal_form == DistributionSpec::LognormalForm::median_sigma) {
                return "lognormal(median=" + fmt(s.median) + ", sigma=" + fmt(s.sigma) + ")";
            }
            return "lognormal(mean=" + fmt(s.mean) + ", sd=" + fmt(s.sd) + ")";
        case Kind::gamma:
            return "gamma(shape=" + fmt(s.shape) + ", scale=" + fmt(s.scale) + ")";
        case Kind::weibull:
            return "weibull(shape=" + fmt(s.shape) + ", scale=" + fmt(s.scale) + ")";
        case Kind::empirical:
            return describe_empirical(s.values, s.weights);
    }
    return "unknown";
}

// ---------------------------------------------------------------------------------------------
// Distribution

Distribution::Distribution(DistributionSpec spec)
    : spec_(std::move(spec)), sampler_(Constant{0.0}) {
    const std::vector<std::string> errors = validate(spec_);
    if (!errors.empty()) throw std::invalid_argument(join(errors, "; "));
    sampler_ = make_sampler(spec_);
}

Distribution::Sampler Distribution::make_sampler(const DistributionSpec& s) {
    namespace br = boost::random;
    switch (s.kind) {
        case Kind::constant:
            return Constant{s.value};
        case Kind::uniform:
            // Boost requires min < max (it would loop forever on min == max).
            if (s.min == s.max) return Constant{s.min};
            return br::uniform_real_distribution<double>(s.min, s.max);
        case Kind::triangular:
            if (s.min == s.max) return Constant{s.min};
            return br::triangle_distribution<double>(s.min, s.mode, s.max);
        case Kind::exponential:
            return br::exponential_distribution<double>(1.0 / s.mean);
        case Kind::normal: {
            if (!s.lower && !s.upper) return br::normal_distribution<double>(s.mean, s.sd);
            const auto [a, b] = standard_bounds(s);
            return TruncatedNormal{.mean = s.mean,
                                   .sd = s.sd,
                                   .lower = s.lower.value_or(-inf),
                                   .upper = s.upper.value_or(inf),
                                   .phi_a = phi_cdf(a),
                                   .q_b = phi_sf(b),
                                   .mass = interval_mass(a, b)};
        }
        case Kind::lognormal:
            return br::lognormal_distribution<double>(s.lognormal_mu(), s.lognormal_sigma());
        case Kind::gamma:
            return br::gamma_distribution<double>(s.shape, s.scale);
        case Kind::weibull:
            return br::weibull_distribution<double>(s.shape, s.scale);
        case Kind::empirical: {
            const std::vector<double> w = effective_weights(s.values.size(), s.weights);
            return Empirical{s.values,
                             br::discrete_distribution<std::size_t, double>(w.begin(), w.end())};
        }
    }
    throw std::logic_error("Distribution: unhandled kind");
}

double Distribution::sample_truncated(const TruncatedNormal& t, RandomStream& stream) {
    // Open uniform from 52 bits: (k + 1/2) 2^-52 and 1 - u are both exact doubles in (0, 1).
    const double u = (static_cast<double>(stream.next_u64() >> 12) + 0.5) * 0x1.0p-52;
    const double p = t.phi_a + u * t.mass;
    double z;
    if (p < 0.5) {
        z = boost::math::quantile(StdNormal{}, p);
    } else {
        z = boost::math::quantile(boost::math::complement(StdNormal{}, t.q_b + (1.0 - u) * t.mass));
    }
    return std::clamp(t.mean + t.sd * z, t.lower, t.upper);
}

double Distribution::sample(RandomStream& stream) const {
    return std::visit(
        [&stream](const auto& d) -> double {
            using D = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<D, Constant>) {
                return d.value;
            } else if constexpr (std::is_same_v<D, TruncatedNormal>) {
                return sample_truncated(d, stream);
            } else if constexpr (std::is_same_v<D, Empirical>) {
                return d.values[d.index(stream.engine())];
            } else {
                return draw(d, stream.engine());
            }
        },
        sampler_);
}

// ---------------------------------------------------------------------------------------------
// CountSpec

CountSpec CountSpec::constant(std::int64_t value) {
    CountSpec s;
    s.kind = CountKind::constant;
    s.value = value;
    return s;
}

CountSpec CountSpec::poisson(double mean) {
    CountSpec s;
    s.kind = CountKind::poisson;
    s.mean = mean;
    return s;
}

CountSpec CountSpec::binomial(std::int64_t trials, double p) {
    CountSpec s;
    s.kind = CountKind::binomial;
    s.trials = trials;
    s.p = p;
    return s;
}

CountSpec CountSpec::empirical(std::vector<std::int64_t> values, std::vector<double> weights) {
    CountSpec s;
    s.kind = CountKind::empirical;
    s.values = std::move(values);
    s.weights = std::move(weights);
    return s;
}

std::vector<std::string> validate(const CountSpec& s) {
    std::vector<std::string> errors;
    const std::string k = kind_name(s.kind);
    switch (s.kind) {
        case CountKind::constant:
            break;  // every integer is a valid constant
        case CountKind::poisson:
            if (!check_finite(errors, k, "mean", s.mean)) break;
            if (s.mean < 0) {
                errors.push_back(k + ": mean must be >= 0, got " + fmt(s.mean));
            } else if (s.mean > max_poisson_mean) {
                errors.push_back(k + ": mean must be <= " + fmt(max_poisson_mean) + ", got " +
                                 fmt(s.mean));
            }
            break;
        case CountKind::binomial:
            if (s.trials < 0) {
                errors.push_back(k + ": trials must be >= 0, got " + fmt(s.trials));
            }
            if (!(s.p >= 0.0 && s.p <= 1.0)) {
                errors.push_back(k + ": p must be between 0 and 1, got " + fmt(s.p));
            }
            break;
        case CountKind::empirical:
            if (s.values.empty()) errors.push_back(k + ": values must not be empty");
            check_weights(errors, s.values.size(), s.weights);
            break;
    }
    return errors;
}

bool has_nonnegative_support(const CountSpec& s) {
    switch (s.kind) {
        case CountKind::constant:
            return s.value >= 0;
        case CountKind::poisson:
        case CountKind::binomial:
            return true;
        case CountKind::empirical:
            return !s.values.empty() && std::all_of(s.values.begin(), s.values.end(),
                                                    [](std::int64_t v) { return v >= 0; });
    }
    return false;
}

double theoretical_mean(const CountSpec& s) {
    switch (s.kind) {
        case CountKind::constant:
            return static_cast<double>(s.value);
        case CountKind::poisson:
            return s.mean;
        case CountKind::binomial:
            return static_cast<double>(s.trials) * s.p;
        case CountKind::empirical:
            return empirical_moments(s.values, s.weights).first;
    }
    return quiet_nan;
}

double theoretical_variance(const CountSpec& s) {
    switch (s.kind) {
        case CountKind::constant:
            return 0.0;
        case CountKind::poisson:
            return s.mean;
        case CountKind::binomial:
            return static_cast<double>(s.trials) * s.p * (1.0 - s.p);
        case CountKind::empirical:
            return empirical_moments(s.values, s.weights).second;
    }
    return quiet_nan;
}

std::string describe(const CountSpec& s) {
    switch (s.kind) {
        case CountKind::constant:
            return "constant(" + fmt(s.value) + ")";
        case CountKind::poisson:
            return "poisson(mean=" + fmt(s.mean) + ")";
        case CountKind::binomial:
            return "binomial(trials=" + fmt(s.trials) + ", p=" + fmt(s.p) + ")";
        case CountKind::empirical:
            return describe_empirical(s.values, s.weights);
    }
    return "unknown";
}

// ---------------------------------------------------------------------------------------------
// CountDistribution

CountDistribution::CountDistribution(CountSpec spec)
    : spec_(std::move(spec)), sampler_(Constant{0}) {
    const std::vector<std::string> errors = validate(spec_);
    if (!errors.empty()) throw std::invalid_argument(join(errors, "; "));
    sampler_ = make_sampler(spec_);
}

CountDistribution::Sampler CountDistribution::make_sampler(const CountSpec& s) {
    namespace br = boost::random;
    switch (s.kind) {
        case CountKind::constant:
            return Constant{s.value};
        case CountKind::poisson:
            // Boost requires mean > 0; a mean of 0 (say, no violence) always gives 0.
            if (s.mean == 0.0) return Constant{0};
            return br::poisson_distribution<std::int64_t, double>(s.mean);
        case CountKind::binomial:
            return br::binomial_distribution<std::int64_t, double>(s.trials, s.p);
        case CountKind::empirical: {
            const std::vector<double> w = effective_weights(s.values.size(), s.weights);
            return Empirical{s.values,
                             br::discrete_distribution<std::size_t, double>(w.begin(), w.end())};
        }
    }
    throw std::logic_error("CountDistribution: unhandled kind");
}

std::int64_t CountDistribution::sample(RandomStream& stream) const {
    return std::visit(
        [&stream](const auto& d) -> std::int64_t {
            using D = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<D, Constant>) {
                return d.value;
            } else if constexpr (std::is_same_v<D, Empirical>) {
                return d.values[d.index(stream.engine())];
            } else {
                return draw(d, stream.engine());
            }
        },
        sampler_);
}

}  // namespace mss::kernel
