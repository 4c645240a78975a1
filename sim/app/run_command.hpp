// sim/app/run_command.hpp — `mss run SCENARIO [-r REPS] [--seed S] [--set K=V]... [-o OUT]
// [-j THREADS] [--force] [--progress M] [--only RUN --trace FILE]`: replications of one scenario
// on threads, streamed to one HDF5 results file, and the KPI table on standard output.
// Free of CLI11: main.cpp parses the command line into RunOptions.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "sim/experiment/progress.hpp"

namespace mss::app {

struct RunOptions {
    std::string scenario;                      ///< scenario file
    std::optional<std::int64_t> replications;  ///< default: the scenario's `replications`
    std::optional<std::uint64_t> seed;         ///< default: the scenario's `seed`
    std::vector<std::string> sets;             ///< `key.path=value` overrides
    std::string output;                        ///< default: runs/<scenario name>.h5
    std::optional<int> threads;                ///< default: the CPUs this process may use
    bool force = false;                        ///< overwrite an existing output
    experiment::ProgressMode progress = experiment::ProgressMode::automatic;  ///< --progress
    std::optional<std::int64_t> only;                           ///< rerun only this run id
    std::string trace;                                          ///< with `only`: CSV of every event
    std::string command_line;                                   ///< recorded in the file
    std::vector<std::pair<std::string, std::string>> versions;  ///< library versions to record
};

/// Runs the command; returns the exit code (0, 1 I/O failure, 2 invalid input, 130/143 after
/// SIGINT/SIGTERM).
int run_run(const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace mss::app
