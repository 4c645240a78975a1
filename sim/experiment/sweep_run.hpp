// `mss sweep`'s engine (DESIGN §7): the runs of a sweep (design points x replications, or one
// shard of them) on threads, kept in a journal as they complete, and written to one results
// file when all are done.
//
// Run ids and streams (DESIGN §2): run id = p * R + r; every run uses the sweep's seed as the
// master seed and replication r, so the streams of run (p, r) depend on (seed, r, stream name)
// and not on p: all design points of replication r see the same random numbers for the same
// purpose (common random numbers). A one-point sweep therefore writes the same rows as
// `mss run` of its base with the sweep's seed.
//
// Life of a sweep: the journal OUT.journal (journal.hpp) is created, or reopened with
// --resume; runs not yet in it are simulated and appended in run order. The results file is
// written under a temporary name (TempFile::beside) by a thread that follows the journal as it
// grows (ResultsFollower: each record once journaled, handed over in memory; bounded memory);
// when the journal holds every run, the file is completed, made durable, renamed to OUT, and the
// journal is removed. A signal (SIGINT, SIGTERM, SIGHUP) stops the sweep with the journal kept,
// and SIGKILL loses nothing that the journal had received; either way --resume continues where
// it stopped and the final file is identical to that of an uninterrupted sweep.
//
// /points holds one float64 column per factor, named by the factor's key. A factor value that
// is a TOML number is stored as that number (booleans as 0 and 1); a value that is not a
// number (a distribution table, a string) is stored as its 0-based index in the factor's
// `values`, and the text is in /scenario `sweep_toml`.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/experiment/journal.hpp"
#include "sim/experiment/mission_runs.hpp"
#include "sim/experiment/progress.hpp"
#include "sim/experiment/runner.hpp"
#include "sim/experiment/shards.hpp"
#include "sim/experiment/summary.hpp"
#include "sim/output/results_writer.hpp"
#include "sim/scenario/sweep.hpp"

namespace mss::experiment {

/// Raised when a sweep cannot start as asked (exit 2): a journal exists without --resume, the
/// journal belongs to another sweep or shard, the output exists without --force, ...
class SweepInputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The design points of a sweep as recording configs, loaded on demand from the base scenario
/// and each point's overrides, a few kept at a time. Thread-safe.
class PointConfigs {
public:
    /// `sweep` must outlive this object.
    explicit PointConfigs(const scenario::SweepLoadResult& sweep, std::size_t keep = 16);
    /// The config of `point`; throws scenario::InvalidInput when its overrides do not give a
    /// valid scenario (load_sweep checks every point, so only if the files changed since).
    std::shared_ptr<const RecordingConfig> get(std::int64_t point);
    /// Simulates one run. A point that does not load or a model failure gives a record with
    /// status `failed` (NaN KPIs and series), and its message in `failure`. Throws
    /// model::RunStopped when `stop` (if given) becomes non-zero during the run.
    output::RunRecord simulate(const RunSpec& spec, std::string* failure,
                               const std::atomic<int>* stop = nullptr);

private:
    const scenario::SweepLoadResult& sweep_;
    std::size_t keep_;
    std::mutex mutex_;
    std::vector<std::pair<std::int64_t, std::shared_ptr<const RecordingConfig>>> cache_;
};

/// Everything fixed before a sweep (or one shard of it) starts.
struct SweepPlan {
    const scenario::SweepLoadResult* sweep = nullptr;
    ShardSpec shard;                ///< 0/1 for the whole sweep
    RunRange runs;                  ///< the run ids this invocation writes
    std::int64_t replications = 1;  ///< R
    std::int64_t total_runs = 0;    ///< points x R
    std::filesystem::path output;   ///< the results file
    std::filesystem::path journal;  ///< output + ".journal"
    output::FileLayout layout;      ///< rows = runs.size(); /points = every design point
    output::Provenance provenance;  ///< with sweep text and hash (and shard attributes)
    bool replace_output = false;    ///< --force: the final rename may replace an existing file

    /// Run `run` as (run, point, replication).
    RunSpec spec(std::int64_t run) const;
    /// The journal header this plan writes and expects.
    JournalHeader journal_header() const;
};

/// Builds the plan of `shard` of `sweep` writing `output`. `provenance` brings the command
/// line and the versions; the scenario and sweep texts are filled in. A shard (N > 1) file
/// also gets the root attributes `shard` ("I/N"), `shard_runs` ("first-last") and
/// `sweep_runs` (T). SweepInputError when there are more shards than runs.
SweepPlan make_plan(const scenario::SweepLoadResult& sweep, const ShardSpec& shard,
                    std::filesystem::path output, output::Provenance provenance);

/// The /points value of a factor's value text (see the header comment).
double factor_point_value(const scenario::Factor& factor, const std::string& text);

struct SweepRunOptions {
    int threads = 1;      ///< simulation threads in this process (>= 1)
    bool resume = false;  ///< continue the journal
    bool force = false;   ///< replace an existing output (never a journal)
    ProgressMode progress = ProgressMode::automatic;  ///< how progress is shown
};

/// One design point's KPI statistics over the runs written.
struct PointSummary {
    std::int64_t point = 0;
    std::vector<std::string> assignments;  ///< `key=value` of each factor
    std::vector<KpiStats> kpis;            ///< over the ok runs, in model::kpi_columns() order
};

struct SweepRunResult {
    /// `follower`: an MPI rank other than 0, which reports nothing (see exit_code).
    enum class Outcome { completed, interrupted, already_complete, follower };
    Outcome outcome = Outcome::completed;
    int signal_exit_code = 0;          ///< 130 or 143 when interrupted by a signal
    int exit_code = 0;                 ///< follower: the exit code for this rank
    std::int64_t resumed = 0;          ///< runs already in the journal at the start
    std::int64_t simulated = 0;        ///< runs simulated and journaled by this invocation
    std::int64_t discarded_bytes = 0;  ///< torn journal tail cut off at the start
    std::string journal_damage;        ///< Journal::damage(): a damaged record cut off
    std::int64_t failed = 0;           ///< runs with status failed in the file written
    std::string first_failure;         ///< message of the first failure seen by this process
    std::vector<PointSummary> points;  ///< per design point (those the file holds)
    int ranks = 1;                     ///< MPI ranks (1 without MPI)
    std::int64_t batches = 0;          ///< MPI: batches of runs handed out
    double main_thread_cpu_s = 0;      ///< MPI: CPU seconds of rank 0's coordinating thread
    double final_write_s = 0;          ///< seconds spent writing the results file
};

/// Opens the plan's journal as the options ask: creates it, or reopens it with --resume after
/// checking it belongs to this sweep and shard. Returns nullopt (outcome already_complete)
/// when, with --resume, there is no journal and the output already holds this sweep's runs.
/// SweepInputError for every conflict (journal without --resume, another sweep's journal,
/// output without --force, journal in use).
std::optional<Journal> open_journal(const SweepPlan& plan, const SweepRunOptions& options,
                                    SweepRunResult& result);

/// Writes the results file from the journal while the journal grows: a thread takes each
/// record once the journal holds it and appends it to a temporary beside OUT
/// (TempFile::beside: created exclusively under a fresh name, so that the HDF5 writing and
/// compression overlap the simulation instead of following it. The records the journal held
/// when the follower started (a resumed sweep's) are read from the journal file; every later
/// one is handed over in memory by whoever appended it (advance()), so nothing is read back.
/// When every run is in, finish() completes the file, makes it durable, renames it to OUT and
/// removes the journal. Memory: at most kHandoverBytes of records waiting, plus the writer's
/// block of rows. Destroyed unfinished, it removes the temporary (the journal stays).
class ResultsFollower {
public:
    /// Starts the thread on `journal`'s file (the journal must outlive this object).
    ResultsFollower(const SweepPlan& plan, const Journal& journal);
    ~ResultsFollower();
    ResultsFollower(const ResultsFollower&) = delete;
    ResultsFollower& operator=(const ResultsFollower&) = delete;

    /// The journal now holds one more record, whose payload (the bytes just appended) is
    /// handed over: the thread writes it from memory instead of reading the journal back (it
    /// reads only the records the journal held when it started, those of a resumed sweep).
    /// Blocks while more than kHandoverBytes handed over wait to be written (the results file
    /// is the bottleneck then). Rethrows an error of the thread (a full disk, say) so that the
    /// sweep stops early.
    void advance(std::string&& payload);
    /// An empty buffer, with the capacity of a payload already written when there is one: for
    /// encoding the next record into.
    std::string spare_buffer();
    /// The bound on payloads handed over and not yet written.
    static constexpr std::size_t kHandoverBytes = std::size_t{32} << 20;
    /// Waits until every record is written, then completes, syncs and renames the file and
    /// removes the journal; fills result.points, result.failed and result.final_write_s (the
    /// seconds from this call to the rename). Returns false, with the temporary removed and the
    /// journal kept, when `stop` becomes non-zero first. Rethrows the thread's error.
    bool finish(Journal& journal, SweepRunResult& result, const std::atomic<int>* stop);
    /// Stops writing and removes the temporary (the journal stays), as the destructor does;
    /// finish() may not be called after it.
    void abandon();
    /// The temporary the file is written to until finish() renames it.
    const std::filesystem::path& part_path() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

/// Writes the results file from the complete `journal` (a ResultsFollower given all of it),
/// renames it and removes the journal; false when `stop` becomes non-zero first.
bool finish_from_journal(const SweepPlan& plan, Journal& journal, SweepRunResult& result,
                         const std::atomic<int>* stop = nullptr);

/// Removes `journal` when an exception ends its scope (thread start failure, I/O error, input
/// error) before any run was journaled: there is nothing to resume, and a journal left behind
/// would make the next start ask for --resume. A journal that holds runs stays for --resume.
class EmptyJournalRemover {
public:
    explicit EmptyJournalRemover(Journal& journal)
        : journal_(journal), uncaught_(std::uncaught_exceptions()) {}
    ~EmptyJournalRemover();
    EmptyJournalRemover(const EmptyJournalRemover&) = delete;
    EmptyJournalRemover& operator=(const EmptyJournalRemover&) = delete;

private:
    Journal& journal_;
    int uncaught_;
};

/// The progress note "point p/P" for the run about to be written.
std::string point_note(const SweepPlan& plan, std::int64_t next_run);

/// Runs the plan in this process on `options.threads` threads (see the header comment).
SweepRunResult run_sweep(const SweepPlan& plan, const SweepRunOptions& options);

}  // namespace mss::experiment
