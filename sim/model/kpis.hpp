// The KPIs of a run (DESIGN §3 "Snapshots and KPIs") as a pure function of its daily series and
// what the components counted: testable on synthetic series, with no simulation behind them.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/model/config.hpp"
#include "sim/model/observer.hpp"

namespace mss::model {

/// The end-of-day headcounts a run's readiness KPIs are computed from, one entry per day.
struct DailySeries {
    std::vector<double> strength;                          ///< in theatre, all contingents
    std::vector<double> on_duty;                           ///< on duty, all contingents
    std::vector<std::vector<double>> contingent_strength;  ///< [contingent][day] in theatre
};

/// Fills the readiness KPIs of `k` (days to IOC and FOC, mean strength, the gap) and of each
/// `per_contingent[c]` (days to FOC, mean strength) from `series`, for `billets[c]` posts per
/// contingent. The counted KPIs in `k` are left as they are. A KPI whose rule has nothing to
/// measure (no billets, no days, FOC never reached) stays NaN.
void readiness_kpis(const KpiConfig& cfg, const std::vector<std::int32_t>& billets,
                    const DailySeries& series, RunKpis& k,
                    std::vector<ContingentKpis>& per_contingent);

}  // namespace mss::model
