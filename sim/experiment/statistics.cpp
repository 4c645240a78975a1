// sim/experiment/statistics.cpp — see the header. Sums, means and variances follow numpy
// (pairwise summation, two-pass variance), quantiles numpy's `linear` method, intervals scipy
// and statsmodels, so that the Python analysis package gets the same binary values.
#include "sim/experiment/statistics.hpp"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>

#include "sim/model/observer.hpp"

namespace mss::experiment {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

/// numpy's pairwise summation of float64 (numpy/core/src/umath/loops_utils.h.src), started
/// from 0 as np.sum starts: np.sum and np.mean give these bits.
double pairwise_sum(const double* a, std::size_t n) {
    if (n < 8) {
        double res = 0.0;
        for (std::size_t i = 0; i < n; ++i)
            res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (std::size_t j = 0; j < 8; ++j)
            r[j] = a[j];
        std::size_t i = 8;
        for (; i < n - (n % 8); i += 8)
            for (std::size_t j = 0; j < 8; ++j)
                r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i)
            res += a[i];
        return res;
    }
    std::size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

double sum_of(const std::vector<double>& v) {
    return pairwise_sum(v.data(), v.size());
}

/// numpy's `_lerp`: a + (b − a)·t, or b − (b − a)·(1 − t) when t >= 0.5.
double lerp(double a, double b, double t) {
    const double d = b - a;
    return t >= 0.5 ? b - d * (1.0 - t) : a + d * t;
}

double t975(std::int64_t df) {
    const boost::math::students_t dist(static_cast<double>(df));
    return boost::math::quantile(dist, 0.975);
}

/// mean ± t(0.975, n − 1) · se, se = sqrt(var / n), clipped to [lower, upper]; as scipy's
/// confidence_interval of ttest_1samp (estimate + t · standard_error).
Interval t_interval_of(double mean, double var, std::int64_t n, double lower, double upper) {
    if (n < 2) return {};
    const double se = std::sqrt(var / static_cast<double>(n));
    const double half = t975(n - 1) * se;
    return {std::clamp(mean - half, lower, upper), std::clamp(mean + half, lower, upper)};
}

std::vector<double> without_nan(const std::vector<double>& v) {
    std::vector<double> out;
    out.reserve(v.size());
    for (double x : v)
        if (!std::isnan(x)) out.push_back(x);
    return out;
}

/// True when every value equals the first (statistics of a constant are exact: no rounding
/// dust such as an sd of 1.7e-17 for three 0.1s, which would print).
bool constant(const std::vector<double>& v) {
    return std::all_of(v.begin(), v.end(), [&](double x) { return x == v.front(); });
}

/// The variance numpy's var(ddof=1) gives; exactly 0 for a constant.
double variance_of(const std::vector<double>& v) {
    if (v.size() < 2) return kNaN;
    if (constant(v)) return 0.0;
    const double m = mean_of(v);
    std::vector<double> sq(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
        const double d = v[i] - m;
        sq[i] = d * d;
    }
    return sum_of(sq) / static_cast<double>(v.size() - 1);
}

}  // namespace

KpiInfo kpi_info(const std::string& name) {
    for (const auto& c : model::kpi_columns())
        if (name == c.name) return {c.name, c.unit, c.lower, c.upper, c.first_day};
    KpiInfo k;
    k.name = name;
    return k;
}

double quantile_linear(const std::vector<double>& sorted, double p) {
    const std::size_t n = sorted.size();
    if (n == 0) return kNaN;
    const double h = static_cast<double>(n - 1) * p;  // numpy: (n - 1) * quantiles
    if (h >= static_cast<double>(n - 1)) return sorted.back();
    if (h < 0.0) return sorted.front();
    const double lo = std::floor(h);
    const auto j = static_cast<std::size_t>(lo);
    const double t = h - lo;
    const double a = sorted[j], b = sorted[j + 1];
    // Never (+inf): the quantile is never when the interpolation gives it any weight.
    if (std::isinf(a) || (std::isinf(b) && t > 0.0)) return kInf;
    if (std::isinf(b)) return a;
    return lerp(a, b, t);
}

Interval wilson_interval(std::int64_t k, std::int64_t n) {
    if (n <= 0) return {};
    // statsmodels' proportion_confint(method="wilson"), operation for operation.
    const double nobs = static_cast<double>(n);
    const double q = static_cast<double>(k) / nobs;
    const double crit2 = kZ975 * kZ975;
    const double denom = 1.0 + crit2 / nobs;
    const double center = (q + crit2 / (2.0 * nobs)) / denom;
    double dist = kZ975 * std::sqrt(q * (1.0 - q) / nobs + crit2 / (4.0 * nobs * nobs));
    dist /= denom;
    // The exact interval starts at 0 when k = 0 and ends at 1 when k = n; rounding can leave
    // 2.8e-17 or 0.9999999999999999 there.
    return {k == 0 ? 0.0 : std::clamp(center - dist, 0.0, 1.0),
            k == n ? 1.0 : std::clamp(center + dist, 0.0, 1.0)};
}

double mean_of(const std::vector<double>& values) {
    if (values.empty()) return kNaN;
    if (constant(values)) return values.front();
    return sum_of(values) / static_cast<double>(values.size());
}

double sd_of(const std::vector<double>& values) {
    return std::sqrt(variance_of(values));
}

Interval t_interval(const std::vector<double>& values, double lower, double upper) {
    return t_interval_of(mean_of(values), variance_of(values),
                         static_cast<std::int64_t>(values.size()), lower, upper);
}

KpiStats kpi_stats(const KpiInfo& kpi, const std::vector<double>& values) {
    KpiStats s;
    s.kpi = kpi;
    s.runs = static_cast<std::int64_t>(values.size());
    const std::vector<double> v = without_nan(values);
    s.n = static_cast<std::int64_t>(v.size());
    s.mean = mean_of(v);
    s.sd = sd_of(v);
    s.ci = t_interval(v, kpi.lower, kpi.upper);
    std::vector<double> sorted = v;
    if (kpi.first_day) {
        s.reached = s.runs > 0 ? static_cast<double>(s.n) / static_cast<double>(s.runs) : kNaN;
        s.reached_ci = wilson_interval(s.n, s.runs);
        sorted.resize(values.size(), kInf);  // never: beyond the horizon, after every day
    }
    std::sort(sorted.begin(), sorted.end());
    if (!sorted.empty()) {
        s.p10 = quantile_linear(sorted, 0.1);
        s.p50 = quantile_linear(sorted, 0.5);
        s.p90 = quantile_linear(sorted, 0.9);
        s.min = sorted.front();
        s.max = sorted.back();
    }
    return s;
}

Contrast paired_contrast(const KpiInfo& kpi, const std::vector<double>& p,
                         const std::vector<double>& r) {
    Contrast c;
    c.kpi = kpi;
    const std::size_t m = std::min(p.size(), r.size());
    std::vector<double> d, reached;
    for (std::size_t i = 0; i < m; ++i) {
        if (!std::isnan(p[i]) && !std::isnan(r[i])) d.push_back(p[i] - r[i]);
        reached.push_back((std::isnan(p[i]) ? 0.0 : 1.0) - (std::isnan(r[i]) ? 0.0 : 1.0));
    }
    c.pairs = static_cast<std::int64_t>(d.size());
    c.diff = mean_of(d);
    c.diff_ci = t_interval(d, kpi.lower - kpi.upper, kpi.upper - kpi.lower);
    if (kpi.first_day) {
        c.reached_pairs = static_cast<std::int64_t>(reached.size());
        c.reached_diff = mean_of(reached);
        c.reached_diff_ci = t_interval(reached, -1.0, 1.0);
    }
    return c;
}

const std::vector<std::string>& binding_kpis() {
    static const std::vector<std::string> names = {"funds_held_person_days",
                                                   "beds_held_person_days", "lift_held_person_days",
                                                   "pipeline_billet_days"};
    return names;
}

const std::vector<std::string>& binding_names() {
    static const std::vector<std::string> names = {"funds", "beds", "lift", "pipeline"};
    return names;
}

BindingShares binding_shares(const std::vector<const std::vector<double>*>& columns) {
    BindingShares b;
    const std::size_t k = binding_kpis().size();
    b.counts.assign(k + 1, 0);
    if (columns.size() != k) return b;
    const std::size_t runs = columns.front()->size();
    b.runs = static_cast<std::int64_t>(runs);
    for (std::size_t r = 0; r < runs; ++r) {
        std::size_t best = k;  // none
        double largest = 0.0;
        for (std::size_t i = 0; i < k; ++i) {
            const double v = (*columns[i])[r];
            if (std::isnan(v)) {
                best = k;
                break;
            }
            if (v > largest) {
                largest = v;
                best = i;
            }
        }
        ++b.counts[best];
    }
    return b;
}

}  // namespace mss::experiment
