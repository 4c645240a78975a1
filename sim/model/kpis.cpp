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
    const std::size_t days = series.filled.size();
    if (a_total > 0 && days > 0) {
        const std::vector<double>& filled = series.filled;
        k.days_to_ioc = first_day(filled, personnel_threshold(cfg.ioc_frac, a_total));
        k.days_to_foc = first_day(filled, personnel_threshold(cfg.foc_frac, a_total));
        k.mean_filled_frac = mean_share(filled, a_total);
        k.mean_strength_frac = mean_share(series.strength, a_total);
        double shortfall = 0;
        for (double f : filled)
            shortfall += std::max(0.0, a_total - f);
        k.shortfall_billet_days = shortfall;
        if (!std::isnan(k.days_to_foc)) {
            double gap = 0, below = 0, lowest = a_total;
            const double floor = personnel_threshold(cfg.floor_frac, a_total);
            for (auto d = static_cast<std::size_t>(k.days_to_foc); d < days; ++d) {
                gap += std::max(0.0, floor - filled[d]);
                below += filled[d] < floor ? 1 : 0;
                lowest = std::min(lowest, filled[d]);
            }
            k.gap_person_days = gap;
            k.days_below_floor = below;
            k.min_filled_frac = lowest / a_total;
        }
    }
    per_contingent.resize(billets.size());
    for (std::size_t c = 0; c < billets.size(); ++c) {
        const double b = std::max(0, billets[c]);
        if (b > 0 && days > 0) {
            const std::vector<double>& f = series.contingent_filled[c];
            per_contingent[c].days_to_foc = first_day(f, personnel_threshold(cfg.foc_frac, b));
            per_contingent[c].mean_filled_frac = mean_share(f, b);
            per_contingent[c].mean_strength_frac = mean_share(series.contingent_strength[c], b);
        }
    }
}

}  // namespace mss::model
