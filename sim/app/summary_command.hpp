// sim/app/summary_command.hpp — `mss summary OUT.h5 [--csv]`: the KPI table of a results file
// (mean, sd, 95% CI of the mean, min, max, and how many runs had a value), per design point
// for sweeps. Free of CLI11.
#pragma once

#include <iosfwd>
#include <string>

namespace mss::app {

struct SummaryOptions {
    std::string file;
    bool csv = false;  ///< machine-readable CSV instead of the table
};

/// Runs the command; returns the exit code (2 for a missing or non-results file).
int run_summary(const SummaryOptions& options, std::ostream& out, std::ostream& err);

}  // namespace mss::app
