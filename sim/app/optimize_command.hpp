// sim/app/optimize_command.hpp — `mss optimize PLAN.toml [-o OUT] [-j N] [--shard I/N]
// [--resume] [--force] [--quiet] [--set K=V]...`: the cheapest (or best) alternative of a plan file
// that meets its constraints, chosen by a ranking-and-selection procedure with a stated guarantee
// (DESIGN §11, docs/optimize.md); every run and the /optimize group in one results file, the
// choice, the runner-up and the alternatives on screen. Free of CLI11: main.cpp fills
// OptimizeOptions.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/experiment/progress.hpp"

namespace mss::app {

struct OptimizeOptions {
    std::string plan;               ///< plan file
    std::vector<std::string> sets;  ///< `key.path=value` overrides of the plan file
    std::string output;             ///< default: runs/<plan name>.h5
    std::optional<int> threads;     ///< default: the CPUs this process may use
    std::string shard;              ///< "I/N": slice I of the next stage only; empty: all
    bool resume = false;            ///< continue from OUT.journal
    bool force = false;             ///< overwrite an existing results file (never a journal)
    experiment::ProgressMode progress = experiment::ProgressMode::automatic;
    std::string command_line;                                   ///< recorded in the file
    std::vector<std::pair<std::string, std::string>> versions;  ///< library versions to record
};

/// Runs the command; returns the exit code (0; 1 I/O failure or a failed run; 2 invalid input,
/// including an existing journal without --resume; 129/130/143 after a signal, with the
/// journal kept for --resume).
int run_optimize(const OptimizeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace mss::app
