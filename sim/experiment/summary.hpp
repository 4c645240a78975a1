// The tables of statistics a person reads (DESIGN §3, docs/statistics.md): the per-KPI table
// of `mss run` and `mss summary`, the one-row-per-design-point table of `mss sweep` and
// `mss summary` of a sweep, paired contrasts (`mss summary --vs`), and their CSV forms. Every
// number goes through format_number (number_format.hpp); the statistics are statistics.hpp's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/experiment/number_format.hpp"
#include "sim/experiment/statistics.hpp"
#include "sim/output/results_reader.hpp"

namespace mss::experiment {

/// A design point's runs with status ok: their replication numbers, ascending, and KPI values.
struct PointRuns {
    std::int64_t point = 0;
    std::vector<std::int64_t> replications;
    std::vector<std::vector<double>> values;  ///< [kpi][i], the table's KPIs in its order
};

/// The ok runs of `table` by design point, for points 0 to `points` − 1 (a point without ok
/// runs has none); failed runs are left out.
std::vector<PointRuns> ok_runs_by_point(const output::RunsTable& table, std::size_t points);

/// The statistics of the KPIs `kpis` (indices into `kpi_names`) over a point's ok runs.
std::vector<KpiStats> point_stats(const PointRuns& runs, const std::vector<std::string>& kpi_names,
                                  const std::vector<std::size_t>& kpis);
/// The paired contrasts of `p` against the reference `r`, run (P, r) against run (R, r) for
/// every replication r both ran ok.
std::vector<Contrast> point_contrasts(const PointRuns& p, const PointRuns& r,
                                      const std::vector<std::string>& kpi_names,
                                      const std::vector<std::size_t>& kpis);
/// Replications both points ran ok.
std::int64_t ok_pairs(const PointRuns& p, const PointRuns& r);

/// The KPIs of the one-row-per-point table unless `--kpi` chooses.
const std::vector<std::string>& default_point_kpis();

/// A factor value for a table: a number (`text` that is one, or `value` when `text` is empty)
/// through format_number, any other text (a distribution table) as it is.
std::string factor_cell(const std::string& text, double value);

/// The per-KPI table: n/runs, mean, 95% CI, sd, P10/P50/P90, min, max; a first-day KPI leads
/// with its share reaching and has a line of dates (day 0 = `start_day`, days since
/// 1970-01-01); a footer explains the marks used.
std::string format_kpi_table(const std::vector<KpiStats>& rows, std::int64_t start_day);

/// What binds: one line per constraint with the share of runs it binds and its Wilson 95%
/// interval, and the runs where nothing does.
std::string format_binding(const BindingShares& b);
/// binding_shares over a point's ok runs, whose values follow `kpi_names`; empty counts when
/// the file lacks one of binding_kpis().
BindingShares point_binding(const PointRuns& runs, const std::vector<std::string>& kpi_names);

/// A design point's row: its factor values and KPI statistics.
struct PointRow {
    std::int64_t point = 0;
    std::vector<std::string> factors;  ///< one cell per factor (factor_cell)
    std::int64_t runs = 0;             ///< ok runs
    std::vector<KpiStats> kpis;
};
/// One row per design point: factors, runs, then per KPI mean [95% CI] (first-day KPIs: share
/// reaching [Wilson 95% CI]).
std::string format_point_table(const std::vector<std::string>& factor_names,
                               const std::vector<PointRow>& rows);

/// A design point's contrasts against the reference.
struct ContrastRow {
    std::int64_t point = 0;
    std::vector<std::string> factors;
    std::int64_t pairs = 0;  ///< replications both points ran ok
    std::vector<Contrast> kpis;
};
/// One row per design point: factors, pairs, then per KPI the mean difference [95% CI]
/// (first-day KPIs: the difference in share reaching, and the day's if both reached).
std::string format_contrast_table(const std::vector<std::string>& factor_names,
                                  const std::vector<ContrastRow>& rows);
/// One point's contrasts, one KPI a row.
std::string format_contrast_kpi_table(const ContrastRow& row);

/// CSV of statistics, one line per point and KPI (docs/statistics.md "CSV columns").
std::string format_stats_csv(const std::vector<PointRow>& rows);
/// CSV of contrasts against `reference`, one line per point and KPI.
std::string format_contrast_csv(std::int64_t reference, const std::vector<ContrastRow>& rows);

}  // namespace mss::experiment
