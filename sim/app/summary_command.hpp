// sim/app/summary_command.hpp — `mss summary OUT.h5 [--csv] [--kpi LIST] [--point P] [--vs R]`:
// the statistics of a results file (docs/statistics.md): a plain run's per-KPI table; a
// sweep's table with one row per design point, or design point P's per-KPI table; paired
// contrasts against design point R. Free of CLI11.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace mss::app {

struct SummaryOptions {
    std::string file;
    bool csv = false;                   ///< machine-readable CSV instead of the table
    std::string kpis;                   ///< --kpi: comma-separated KPI names, empty: default
    std::optional<std::int64_t> point;  ///< --point: one design point only
    std::optional<std::int64_t> vs;     ///< --vs: contrasts against this design point
};

/// Runs the command; returns the exit code (2 for a missing or non-results file, a KPI the
/// file does not have, a design point it does not have, --vs on a plain run).
int run_summary(const SummaryOptions& options, std::ostream& out, std::ostream& err);

}  // namespace mss::app
