// `mss sweep`'s one entry point below the command line (DESIGN §7): a sweep request as the
// command line gave it goes in; run_sweep_request() decides how this process takes part
// (alone, or as one of K ranks started by an MPI launcher, or not at all when K processes could
// not share the work), checks everything that can be wrong with the input before any run, on
// every rank, makes the ranks agree to go on or to stop together, and runs the sweep
// (run_sweep or run_sweep_mpi). What it finds wrong it says on the error stream in `mss
// sweep`'s words (docs/commands.md, docs/sweeps.md), from rank 0 only unless a rank has
// something of its own to say; the closing report is the caller's, from the SweepReport.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/experiment/sweep_run.hpp"
#include "sim/scenario/sweep.hpp"

namespace mss::experiment {

/// What `mss sweep` was asked to do, as its command line gave it (not yet checked).
struct SweepRequest {
    std::string sweep;              ///< sweep file
    std::vector<std::string> sets;  ///< `key.path=value` overrides of the sweep file
    std::string output;             ///< default: runs/<sweep name>.h5 (.shard-I-of-N.h5)
    std::optional<int> threads;     ///< per process; default: the CPUs this process may use
    std::string shard;              ///< "I/N", empty: the whole sweep
    bool resume = false;            ///< continue from OUT.journal
    bool force = false;             ///< overwrite an existing results file (never a journal)
    ProgressMode progress = ProgressMode::automatic;            ///< how progress is shown
    std::string command_line;                                   ///< recorded in the file
    std::vector<std::pair<std::string, std::string>> versions;  ///< library versions to record
    /// Called on the reporting process (rank 0) once every check has passed, before the first
    /// run, with the threads per process and the MPI ranks: the caller's header line.
    std::function<void(const scenario::SweepLoadResult&, const SweepPlan&, int threads, int ranks)>
        on_start;
};

/// What a sweep request came to. When `ran`, the sweep ran on this process (completed,
/// interrupted with the journal kept, or found already complete) and the caller reports it
/// from `sweep`, `plan` and `result`; otherwise the caller exits with `exit_code`, the reason
/// having been said already.
struct SweepReport {
    bool ran = false;  ///< this process ran the sweep and reports it
    /// When not `ran`: 2 invalid input (command line, sweep file, output, journal), 1 another
    /// failure (MPI, I/O), or the exit code of an MPI rank other than 0, which reports nothing.
    int exit_code = 0;
    /// When not `ran` with exit code 2: the refused input was a command-line value, which the
    /// caller follows with its usage line.
    bool usage_error = false;
    std::unique_ptr<scenario::SweepLoadResult> sweep;  ///< the sweep as loaded
    SweepPlan plan;                                    ///< what ran; points into *sweep
    SweepRunResult result;                             ///< how it went
    int threads = 1;                                   ///< simulation threads per process
    bool distributed = false;                          ///< over more than one MPI rank
    double wall_s = 0;  ///< seconds from the start of the runs to the end (MPI ended)
};

/// Takes part in the sweep `request` asks for, as the header comment says; messages to `err`.
SweepReport run_sweep_request(const SweepRequest& request, std::ostream& err);

}  // namespace mss::experiment
