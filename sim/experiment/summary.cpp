#include "sim/experiment/summary.hpp"

#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <cstdio>
#include <limits>

#include "sim/kernel/statistics.hpp"

namespace mss::experiment {

KpiSummary summarise(std::string name, std::string unit, const std::vector<double>& values) {
    KpiSummary s;
    s.name = std::move(name);
    s.unit = std::move(unit);
    s.runs = static_cast<std::int64_t>(values.size());
    kernel::Tally t;
    for (double v : values)
        if (!std::isnan(v)) t.add(v);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    s.n = static_cast<std::int64_t>(t.count());
    s.mean = t.count() > 0 ? t.mean() : nan;
    s.sd = t.count() > 1 ? t.sd() : nan;
    s.min = t.count() > 0 ? t.min() : nan;
    s.max = t.count() > 0 ? t.max() : nan;
    if (t.count() > 1) {
        const boost::math::students_t dist(static_cast<double>(t.count() - 1));
        const double half =
            boost::math::quantile(dist, 0.975) * t.sd() / std::sqrt(static_cast<double>(t.count()));
        s.ci_low = s.mean - half;
        s.ci_high = s.mean + half;
    } else {
        s.ci_low = s.ci_high = nan;
    }
    return s;
}

namespace {

std::string num(double v) {
    if (std::isnan(v)) return "-";
    char buf[64];
    const double a = std::fabs(v);
    if (a != 0.0 && (a >= 1e6 || a < 1e-3))
        std::snprintf(buf, sizeof buf, "%.4g", v);
    else if (a != 0.0 && a < 1.0)
        // At least 3 significant digits below 1 (0.00274, not 0.00): "%#.3g" keeps trailing
        // zeros (0.500) and can round up to "1.00".
        std::snprintf(buf, sizeof buf, "%#.3g", v);
    else
        std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

std::string csv_num(double v) {
    if (std::isnan(v)) return "";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

}  // namespace

std::string format_table(const std::vector<KpiSummary>& rows) {
    std::string out;
    char line[512];
    std::snprintf(line, sizeof line, "%-22s %-12s %12s %11s %25s %12s %12s %9s\n", "KPI", "unit",
                  "mean", "sd", "95% CI of the mean", "min", "max", "n/runs");
    out += line;
    for (const auto& r : rows) {
        const std::string ci =
            std::isnan(r.ci_low) ? "-" : "[" + num(r.ci_low) + ", " + num(r.ci_high) + "]";
        const std::string nr = std::to_string(r.n) + "/" + std::to_string(r.runs);
        std::snprintf(line, sizeof line, "%-22s %-12s %12s %11s %25s %12s %12s %9s\n",
                      r.name.c_str(), r.unit.c_str(), num(r.mean).c_str(), num(r.sd).c_str(),
                      ci.c_str(), num(r.min).c_str(), num(r.max).c_str(), nr.c_str());
        out += line;
    }
    return out;
}

std::string format_mean_ci(double mean, double half, int decimals) {
    // %.*f of the largest double is 309 digits: each number gets its own buffer.
    const auto fixed = [decimals](double v) {
        char buf[512];
        std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
        return std::string(buf);
    };
    if (std::isnan(mean)) return "-";
    if (std::isnan(half)) return fixed(mean);
    if (half > 0.0 && half < 0.5 * std::pow(10.0, -decimals)) {
        char buf[64];
        std::snprintf(buf, sizeof buf, " ±%.1g", half);
        return fixed(mean) + buf;
    }
    return fixed(mean) + " ±" + fixed(half);
}

std::string format_csv(const std::vector<KpiSummary>& rows) {
    std::string out = "kpi,unit,mean,sd,ci95_low,ci95_high,min,max,n,runs\n";
    for (const auto& r : rows)
        out += r.name + "," + r.unit + "," + csv_num(r.mean) + "," + csv_num(r.sd) + "," +
               csv_num(r.ci_low) + "," + csv_num(r.ci_high) + "," + csv_num(r.min) + "," +
               csv_num(r.max) + "," + std::to_string(r.n) + "," + std::to_string(r.runs) + "\n";
    return out;
}

}  // namespace mss::experiment
