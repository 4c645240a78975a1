// Readiness KPIs from the daily series.
#include "sim/model/kpis.hpp"

#include <algorithm>
#include <cmath>

namespace mss::model {

namespace {
// The first day whose value reaches `threshold`, or NaN.
double first_day(const std::vector<double>& series, double threshold) {
    for (std::size_t d = 0; d < series.size(); ++d)
        if (series[d] >= threshold) return static_cast<double>(d);
    return kNaN;
}
double mean_share(const std::vector<double>& series, double of) {
    double sum = 0;
    for (double s : series)
        sum += s;
    return sum / static_cast<double>(series.size()) / of;
}
}  // namespace

void readiness_kpis(const KpiConfig& cfg, const std::vector<std::int32_t>& billets,
                    const DailySeries& series, RunKpis& k,
                    std::vector<ContingentKpis>& per_contingent) {
    double a_total = 0;
    for (std::int32_t b : billets)
        a_total += std::max(0, b);
    const std::size_t days = series.strength.size();
    if (a_total > 0 && days > 0) {
        k.days_to_ioc = first_day(series.strength, personnel_threshold(cfg.ioc_frac, a_total));
        k.days_to_foc = first_day(series.strength, personnel_threshold(cfg.foc_frac, a_total));
        k.mean_strength_frac = mean_share(series.strength, a_total);
        if (!std::isnan(k.days_to_foc)) {
            double gap = 0;
            const double floor = personnel_threshold(cfg.floor_frac, a_total);
            for (auto d = static_cast<std::size_t>(k.days_to_foc); d < days; ++d)
                gap += std::max(0.0, floor - series.on_duty[d]);
            k.gap_person_days = gap;
        }
    }
    per_contingent.resize(billets.size());
    for (std::size_t c = 0; c < billets.size(); ++c) {
        const double b = std::max(0, billets[c]);
        if (b > 0 && days > 0) {
            const std::vector<double>& s = series.contingent_strength[c];
            per_contingent[c].days_to_foc = first_day(s, personnel_threshold(cfg.foc_frac, b));
            per_contingent[c].mean_strength_frac = mean_share(s, b);
        }
    }
}

}  // namespace mss::model
