// sim/experiment/optimize_run.hpp — `mss optimize`'s engine (DESIGN §11, docs/optimize.md):
// the runs a plan file's ranking-and-selection procedure asks for, stage by stage, on threads,
// kept in a journal, then one results file with every run and the /optimize group.
//
// Runs and streams: stage 1 gives every alternative replications 0 .. n0 - 1, each later
// stage gives every alternative still in contention the next Δn. Run ids count the runs in
// (stage, alternative, replication) order from 0; run (s, i, r) simulates alternative i (the
// results file's /point) with the plan's seed and replication r, so every alternative sees
// the same random numbers in replication r (common random numbers, which the procedure uses).
// The procedure decides only when a stage is complete, from that stage's outputs in that
// order, so the threads change nothing: same plan, same file.
//
// Life of an optimisation: the journal OUT.journal (journal.hpp; its header: the plan's
// identity, the budget as the run count) takes each run as it completes, in run order. With
// --resume the journal is read back, the procedure is replayed on its complete stages (the
// decisions are a function of the outputs), a stage cut short is completed, and it goes on.
// When the procedure stops (a choice, none feasible, or the budget), the results file is
// written under a temporary name from the journal, /optimize is added, the file is made
// durable and renamed to OUT, and the journal is removed. A signal stops it with the journal
// kept; a run that fails (a model error) stops it too, since the same run would fail again.
//
// Over MPI ranks (`mpirun -n K mss optimize`): every rank loads the plan and runs the same
// procedure; each stage's runs are split among the ranks by the shard rule (shards.hpp), each
// rank simulates its slice on its threads, rank 0 gathers the records at the stage's end and
// journals them in run order (up to the first run missing after a signal), then tells every
// rank the stage's KPIs, so that every rank takes the same decisions. A SIGKILL under MPI
// therefore loses the stage under way (the journal holds every stage before it); a SIGINT or
// SIGTERM, forwarded by the launcher, keeps what was simulated in order.
//
// Sharded, one stage per job (a cluster without MPI): `--shard I/N` reads the journal (never
// writes it), replays it and simulates slice I of the stage that comes next (the shard rule,
// shards.hpp, over that stage's runs) into OUT.stage-S.shard-I-of-N.h5, a results file with
// the root attributes optimize_stage, optimize_stage_runs, shard and shard_runs; `mss merge
// OUT.stage-S.h5 SHARDS...` joins the slices; `--resume` takes the merged stage file into the
// journal (creating it for stage 1), decides, and stops: the next stage is the shards' again,
// until the procedure has decided and --resume writes OUT. A shard killed loses only its slice,
// which its job simulates again.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/experiment/progress.hpp"
#include "sim/experiment/shards.hpp"
#include "sim/experiment/statistics.hpp"
#include "sim/optimize/procedure.hpp"
#include "sim/output/optimize_group.hpp"
#include "sim/output/results_writer.hpp"
#include "sim/scenario/optimize_file.hpp"

namespace mss::experiment {

struct OptimizeRunOptions {
    int threads = 1;      ///< simulation threads (>= 1)
    bool resume = false;  ///< continue OUT.journal
    bool force = false;   ///< replace an existing output (never a journal)
    ProgressMode progress = ProgressMode::automatic;
    ShardSpec shard;  ///< --shard I/N: slice I of the current stage only (0/1: all of it)
};

/// The procedure's outputs (objective, then one per constraint) by name, kind and unit.
struct OptimizeOutputs {
    std::vector<std::string> names;  ///< "cost_usd", "P(days_to_foc <= 240)", "mean x"
    std::vector<std::string> kinds;  ///< "objective", "probability", "mean"
};
OptimizeOutputs optimize_outputs(const scenario::OptimizeConfig& plan);

/// How it went.
struct OptimizeRunResult {
    /// `follower`: an MPI rank other than 0, which reports nothing (see exit_code).
    /// shard_written: --shard wrote its slice of the stage (`written`); decided: --shard found
    /// the procedure done (write the file with --resume); stage_absorbed: --resume took in
    /// the merged stage file `written` and decided, and the next stage waits for its shards.
    enum class Outcome {
        completed,
        interrupted,
        already_complete,
        failed,
        follower,
        shard_written,
        decided,
        stage_absorbed
    };
    Outcome outcome = Outcome::completed;
    int exit_code = 0;                 ///< follower: the exit code for this rank
    int signal_exit_code = 0;          ///< 130/143/129 when interrupted by a signal
    std::int64_t resumed = 0;          ///< runs already in the journal (or the file) at the start
    std::int64_t simulated = 0;        ///< runs simulated by this invocation
    std::int64_t discarded_bytes = 0;  ///< torn journal tail cut off
    std::string journal_damage;        ///< Journal::damage()
    std::string failure;               ///< failed: the run that failed and why
    double final_write_s = 0;          ///< seconds writing the results file
    std::int64_t stage = 0;            ///< --shard: the stage; stage_absorbed: the stage taken in
    RunRange stage_runs;               ///< --shard: the stage's runs
    RunRange shard_runs;               ///< --shard: this shard's runs
    std::int64_t absorbed = 0;         ///< runs taken in from a merged stage file
    std::filesystem::path written;     ///< the shard file written, or the stage file absorbed
    /// The decision and its record (complete for completed and already_complete).
    output::OptimizeRecord record;
    optimize::Decision decision;
};

/// `OUT.stage-S.h5` beside `output` (runs/x.h5: runs/x.stage-3.h5): the merged file of stage S,
/// which --resume takes in.
std::filesystem::path stage_file(const std::filesystem::path& output, std::int64_t stage);
/// `OUT.stage-S.shard-I-of-N.h5` beside `output`: what --shard I/N writes for stage S.
std::filesystem::path shard_file(const std::filesystem::path& output, std::int64_t stage,
                                 const ShardSpec& shard);

/// The results file's layout (alternatives as /points) and provenance for `plan` writing
/// `rows` runs; `provenance` brings the command line and versions.
output::FileLayout optimize_layout(const scenario::OptimizeLoadResult& plan, std::int64_t rows);

class MpiSession;

/// Runs the optimisation `plan` into `output` (see the header comment), over the ranks of
/// `mpi` when given (more than one). Throws SweepInputError (exit 2) for journal and output
/// conflicts, as `mss sweep` does (on rank 0; the other ranks return outcome follower).
OptimizeRunResult run_optimize(const scenario::OptimizeLoadResult& plan,
                               const std::filesystem::path& output,
                               const output::Provenance& provenance,
                               const OptimizeRunOptions& options, MpiSession* mpi = nullptr);

/// Replays the procedure on the runs of a results file written by `mss optimize` for `plan`
/// (its /point, /replication, /status and KPIs, in run order) and gives the decision and the
/// record /optimize holds. Throws SweepInputError when the file's runs are not this plan's.
OptimizeRunResult replay_optimize(const scenario::OptimizeLoadResult& plan,
                                  const std::filesystem::path& file);

}  // namespace mss::experiment
