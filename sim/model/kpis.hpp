// The KPIs of a run (DESIGN §3 "Snapshots and KPIs") as a pure function of its daily series and
// what the components counted: testable on synthetic series, with no simulation behind them.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/model/config.hpp"
#include "sim/model/observer.hpp"

namespace mss::model {

/// The end-of-day counts a run's readiness KPIs are computed from, one entry per day.
struct DailySeries {
    std::vector<double> strength;                          ///< in theatre, all contingents
    std::vector<double> filled;                            ///< filled billets, all contingents
    std::vector<std::vector<double>> contingent_strength;  ///< [contingent][day] in theatre
    std::vector<std::vector<double>> contingent_filled;    ///< [contingent][day] filled billets
};

/// Fills the readiness KPIs of `k` and of each `per_contingent[c]` from `series`, for
/// `billets[c]` posts per contingent, as DESIGN §3 defines them: IOC and FOC, the mean filled
/// share and the shortfall on filled billets; the gap, the days below the floor and the
/// deepest dip on the days from FOC on; the mean headcount share. The counted KPIs in `k` are
/// left as they are. A KPI whose rule has nothing to measure (no billets, no days, FOC never
/// reached) stays NaN.
void readiness_kpis(const KpiConfig& cfg, const std::vector<std::int32_t>& billets,
                    const DailySeries& series, RunKpis& k,
                    std::vector<ContingentKpis>& per_contingent);

}  // namespace mss::model
