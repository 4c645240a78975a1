// `mss merge`: joins the shard files of one sweep (`mss sweep --shard I/N`) into the results
// file the whole sweep would have written, after checking that they come from one sweep (the
// identity hash in /scenario `sweep_hash`) and hold every run id 0..T-1 exactly once. The
// shards of one stage of `mss optimize --shard I/N` (root attributes optimize_stage and
// optimize_stage_runs "first-last") join the same way into the stage's file, which holds every
// run first..last exactly once, keeps those attributes and has the /stage column.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/output/results_writer.hpp"

namespace mss::experiment {

/// Raised when the shards cannot be merged as given (exit 2): not results files, different
/// sweeps, runs missing or given twice. The message names the files and the run ranges.
class MergeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Raised when the stop flag given to merge_shards is set (SIGINT, SIGTERM): the temporary
/// the temporary has been removed and nothing was written.
class MergeInterrupted : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct MergeResult {
    std::int64_t runs = 0;    ///< rows written
    std::int64_t points = 0;  ///< design points of the sweep
    std::int64_t replications = 0;
    std::string sweep_hash;
    std::int64_t failed = 0;  ///< runs with status failed
    std::string stage;        ///< the stage of mss optimize merged ("" for a sweep)
    std::string stage_runs;   ///< its runs, "first-last"
};

/// Checks `shards` and writes `output` in run order, a block of rows at a time (bounded
/// memory), under a temporary name (TempFile::beside) renamed when complete. `provenance` brings
/// the command line and versions; the scenario and sweep texts come from the shards. An existing
/// `output` is replaced only with `force`. When `stop` becomes non-zero (a signal; see
/// SignalGuard), throws MergeInterrupted after removing the temporary.
MergeResult merge_shards(const std::filesystem::path& output,
                         const std::vector<std::filesystem::path>& shards,
                         const output::Provenance& provenance, bool force,
                         const std::atomic<int>* stop = nullptr);

/// Replications per design point from a resolved sweep text (scenario::read_sweep_text), or 0
/// when the text is not a valid sweep.
std::int64_t replications_of_sweep_text(const std::string& sweep_toml);

}  // namespace mss::experiment
