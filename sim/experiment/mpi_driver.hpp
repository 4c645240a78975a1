// Sweeps over MPI ranks (DESIGN §7): `mpirun -n K mss sweep SWEEP.toml -o OUT.h5`.
//
// Protocol (MPI_COMM_WORLD, MPI_THREAD_FUNNELED: only each process's main thread calls MPI):
//  1. Every rank loads the sweep itself; rank 0 broadcasts the identity hash and run range and
//     every rank checks it loaded the same sweep (an Allreduce of a mismatch flag).
//  2. Rank 0 opens or resumes the journal and broadcasts the outcome and the first run to do.
//     Ranks tell rank 0 their thread counts (a Gather).
//  3. Dynamic load balancing: a rank > 0 sends REQUEST (its thread count), rank 0 answers WORK
//     (first run, count; count 0 means no more), the rank simulates the batch on its threads
//     and sends the records (RECORD, the record_codec bytes) a few at a time as they
//     complete; it asks again as soon as the runs of the batch left untaken would last less
//     than 8 ms (timed on its own runs; at least one run per thread), so that the next batch
//     is there before its threads need it. Rank 0 polls every 2 ms, every 0.5 ms for 2 ms
//     after a request.
//     Batches are guided: about remaining / (2 x all threads) runs per thread, between 1 and 8
//     per thread, so they shrink towards the end. Rank 0 simulates too: its worker threads
//     take batches from the same dispenser, while its main thread serves requests, receives
//     records and appends them to the journal in run order.
//  4. Bounded reorder buffer: a batch is handed out only if it ends within `window` runs of
//     the next run to be journaled, so at most `window` records wait on rank 0; a request
//     that does not fit waits until the journal catches up (the earliest outstanding batch
//     is always being worked on, so this cannot deadlock).
//  5. When every run is journaled and every rank has been told "no more", the ranks
//     finalise MPI and rank 0 writes the results file from the journal (sweep_run.hpp).
// Signals: a SIGINT or SIGTERM on rank 0 (mpirun and srun forward them to every rank) stops
// the dispenser and sends STOP to the ranks, which abandon their batch; rank 0 journals what
// has arrived in order and exits 130/143 with the journal kept. A rank stopped by its own
// signal says BYE and rank 0 stops likewise. --resume and --shard work as without MPI: the
// journal belongs to rank 0, and the run range is the shard's.
#pragma once

#include <string>
#include <vector>

#include "sim/experiment/sweep_run.hpp"

namespace mss::experiment {

/// How this process was started, from the launcher's environment variables.
struct LaunchInfo {
    bool under_launcher = false;  ///< started by mpirun/mpiexec, or by srun with PMI
    int world_size = 0;           ///< processes in the job (0: unknown)
    int rank = -1;                ///< this process's rank (-1: unknown)
    std::string evidence;         ///< the variable that told, e.g. "OMPI_COMM_WORLD_SIZE=2"
};

/// Reads OMPI_COMM_WORLD_SIZE/RANK (Open MPI's mpirun), PMIX_RANK (PMIx, e.g. srun
/// --mpi=pmix), PMI_RANK/PMI_SIZE (MPICH's hydra, srun --mpi=pmi2) and, for a size, Slurm's
/// SLURM_STEP_NUM_TASKS. A plain `srun -n K` without PMI is reported as not under a launcher
/// but with world_size K and evidence naming it, so the caller can refuse K copies too.
LaunchInfo detect_launch();

/// True when this build has MPI (MSS_WITH_MPI and Open MPI found at build time).
bool mpi_built() noexcept;

/// "Open MPI v4.1.4 (MPI 3.1)": the MPI library this program runs with (callable before MPI
/// is initialised), or "none (built without MPI)".
std::string mpi_library_version();

/// MPI for the lifetime of the object: MPI_Init_thread (FUNNELED) .. MPI_Finalize. Only
/// constructed when detect_launch() says an MPI launcher started the process.
class MpiSession {
public:
    /// Initialises MPI; throws std::runtime_error in a build without MPI.
    MpiSession();
    ~MpiSession();
    MpiSession(const MpiSession&) = delete;
    MpiSession& operator=(const MpiSession&) = delete;

    int rank() const noexcept { return rank_; }
    int size() const noexcept { return size_; }
    /// Collective: how many ranks passed ok = false.
    int count_failures(bool ok);
    /// Collective: rank 0's `bytes` on every rank (any size: sent in pieces of at most 1 GiB).
    void broadcast(std::string& bytes);
    /// Collective: every rank's `bytes`, in rank order, on rank 0 (empty on the others); any
    /// size, sent in pieces of at most 1 GiB. For `mss optimize`'s stages.
    std::vector<std::string> gather(const std::string& bytes);
    /// Finalises MPI now (idempotent); no MPI call may follow.
    void finalize();
    /// Ends every rank of the job at once (after an error that leaves ranks waiting).
    [[noreturn]] void abort(int code);

private:
    int rank_ = 0;
    int size_ = 1;
    [[maybe_unused]] bool finalized_ = false;  // used only when built with MPI
};

/// Runs `plan` over every rank of `mpi` (see the header comment). Rank 0 returns what
/// run_sweep() would (and throws SweepInputError for journal conflicts, after telling the
/// other ranks); other ranks return outcome `follower` with their exit code.
SweepRunResult run_sweep_mpi(MpiSession& mpi, const SweepPlan& plan,
                             const SweepRunOptions& options);

}  // namespace mss::experiment
