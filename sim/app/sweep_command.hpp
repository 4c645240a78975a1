// sim/app/sweep_command.hpp — `mss sweep SWEEP.toml [-o OUT] [-j N] [--shard I/N] [--resume]
// [--force] [--quiet] [--set K=V]...`: every design point x replication of a sweep file (or one
// shard of them) on threads, or over MPI ranks when started by mpirun/srun, kept in a journal
// beside the output and written to one HDF5 results file; then a KPI summary per design point.
// Free of CLI11: main.cpp parses the command line into SweepOptions.
#pragma once

#include <iosfwd>

#include "sim/experiment/sweep_request.hpp"

namespace mss::app {

/// The command line's flags, unchecked: experiment::run_sweep_request checks them.
using SweepOptions = experiment::SweepRequest;

/// Runs the command; returns the exit code (0; 1 I/O failure or failed runs; 2 invalid input,
/// including an existing journal without --resume; 130/143 after SIGINT/SIGTERM, with the
/// journal kept for --resume).
int run_sweep(const SweepOptions& options, std::ostream& out, std::ostream& err);

}  // namespace mss::app
