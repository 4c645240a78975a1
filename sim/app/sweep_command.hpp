// sim/app/sweep_command.hpp — `mss sweep SWEEP.toml [-o OUT] [-j N] [--shard I/N] [--resume]
// [--force] [--quiet] [--set K=V]...`: every design point x replication of a sweep file (or one
// shard of them) on threads, or over MPI ranks when started by mpirun/srun, kept in a journal
// beside the output and written to one HDF5 results file; then a KPI summary per design point.
// Free of CLI11: main.cpp parses the command line into SweepOptions.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mss::app {

struct SweepOptions {
    std::string sweep;              ///< sweep file
    std::vector<std::string> sets;  ///< `key.path=value` overrides of the sweep file
    std::string output;             ///< default: runs/<sweep name>.h5 (.shard-I-of-N.h5)
    std::optional<int> threads;     ///< per process; default: the CPUs this process may use
    std::string shard;              ///< "I/N", empty: the whole sweep
    bool resume = false;            ///< continue from OUT.journal
    bool force = false;             ///< overwrite an existing results file (never a journal)
    bool quiet = false;             ///< no progress line
    std::string command_line;       ///< recorded in the file
    std::vector<std::pair<std::string, std::string>> versions;  ///< library versions to record
};

/// Runs the command; returns the exit code (0; 1 I/O failure or failed runs; 2 invalid input,
/// including an existing journal without --resume; 130/143 after SIGINT/SIGTERM, with the
/// journal kept for --resume).
int run_sweep(const SweepOptions& options, std::ostream& out, std::ostream& err);

}  // namespace mss::app
