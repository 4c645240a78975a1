// The MPI sweep driver (see mpi_driver.hpp). Compiled in every build; the MPI parts only when
// MSS_HAVE_MPI is defined (sim/experiment/CMakeLists.txt), so a build without MPI can still
// detect a launcher and refuse to run K copies of a sweep.
#include "sim/experiment/mpi_driver.hpp"

#include <cstdlib>
#include <stdexcept>

#ifdef MSS_HAVE_MPI
#include <mpi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "sim/experiment/progress.hpp"
#include "sim/experiment/record_codec.hpp"
#include "sim/experiment/signals.hpp"
#include "sim/model/mission.hpp"
#endif

namespace mss::experiment {

namespace {

const char* env(const char* name) {
    const char* v = std::getenv(name);
    return (v != nullptr && *v != '\0') ? v : nullptr;
}

int env_int(const char* name, int fallback) {
    const char* v = env(name);
    if (v == nullptr) return fallback;
    char* end = nullptr;
    const long x = std::strtol(v, &end, 10);
    return (end != nullptr && *end == '\0') ? static_cast<int>(x) : fallback;
}

}  // namespace

LaunchInfo detect_launch() {
    LaunchInfo li;
    if (const char* s = env("OMPI_COMM_WORLD_SIZE")) {
        li.under_launcher = true;
        li.world_size = env_int("OMPI_COMM_WORLD_SIZE", 0);
        li.rank = env_int("OMPI_COMM_WORLD_RANK", -1);
        li.evidence = std::string("OMPI_COMM_WORLD_SIZE=") + s;
    } else if (const char* r = env("PMIX_RANK")) {
        li.under_launcher = true;
        li.rank = env_int("PMIX_RANK", -1);
        li.world_size = env_int("SLURM_STEP_NUM_TASKS", env_int("SLURM_NTASKS", 0));
        li.evidence = std::string("PMIX_RANK=") + r;
    } else if (const char* p = env("PMI_RANK")) {
        li.under_launcher = true;
        li.rank = env_int("PMI_RANK", -1);
        li.world_size = env_int("PMI_SIZE", env_int("SLURM_STEP_NUM_TASKS", 0));
        li.evidence = std::string("PMI_RANK=") + p;
    } else if (env("PMI_FD") != nullptr || env("PMI_SIZE") != nullptr) {
        li.under_launcher = true;
        li.world_size = env_int("PMI_SIZE", 0);
        li.evidence = "PMI_FD/PMI_SIZE";
    } else if (const char* n = env("SLURM_STEP_NUM_TASKS")) {
        // `srun -n K` without --mpi: K independent copies, no MPI to join them.
        li.world_size = env_int("SLURM_STEP_NUM_TASKS", 0);
        li.rank = env_int("SLURM_PROCID", -1);
        li.evidence = std::string("SLURM_STEP_NUM_TASKS=") + n;
    }
    return li;
}

#ifndef MSS_HAVE_MPI

bool mpi_built() noexcept {
    return false;
}

std::string mpi_library_version() {
    return "none (built without MPI)";
}

MpiSession::MpiSession() {
    throw std::runtime_error("this mss was built without MPI (MSS_WITH_MPI=OFF or no Open MPI)");
}
MpiSession::~MpiSession() = default;
int MpiSession::count_failures(bool ok) {
    return ok ? 0 : 1;
}
void MpiSession::broadcast(std::string&) {}
std::vector<std::string> MpiSession::gather(const std::string& bytes) {
    return {bytes};
}
void MpiSession::finalize() {}
void MpiSession::abort(int code) {
    std::_Exit(code);
}

SweepRunResult run_sweep_mpi(MpiSession&, const SweepPlan&, const SweepRunOptions&) {
    throw std::runtime_error("this mss was built without MPI");
}

#else

bool mpi_built() noexcept {
    return true;
}

std::string mpi_library_version() {
    // MPI_Get_library_version and MPI_Get_version may be called before MPI_Init.
    char text[MPI_MAX_LIBRARY_VERSION_STRING] = {};
    int length = 0;
    MPI_Get_library_version(text, &length);
    std::string library(text, static_cast<std::size_t>(std::max(length, 0)));
    library = library.substr(0, library.find_first_of(",\n"));  // "Open MPI v4.1.4"
    int version = 0, subversion = 0;
    MPI_Get_version(&version, &subversion);
    return library + " (MPI " + std::to_string(version) + "." + std::to_string(subversion) + ")";
}

namespace {

/// The ranks of a job that runs on one node talk through shared memory whatever the network,
/// which Open MPI's ob1 PML (with its vader transport) does well; left to choose, Open MPI
/// first opens the fabric libraries of its cm PML (PSM and PSM2 in Debian's build), which costs
/// ~0.2 s per job on a machine without such hardware (docs/sweeps.md). So a one-node job uses
/// ob1 unless the user chose a PML (`mpirun --mca pml X` or OMPI_MCA_pml, which mpirun passes
/// on as the same variable). Multi-node jobs are left to Open MPI.
void prefer_shared_memory_pml() {
    const int size = env_int("OMPI_COMM_WORLD_SIZE", 0);
    if (size > 0 && env_int("OMPI_COMM_WORLD_LOCAL_SIZE", 0) == size &&
        env("OMPI_MCA_pml") == nullptr)
        ::setenv("OMPI_MCA_pml", "ob1", 0);
}

}  // namespace

MpiSession::MpiSession() {
    prefer_shared_memory_pml();
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    if (provided < MPI_THREAD_FUNNELED) {
        MPI_Finalize();
        throw std::runtime_error("the MPI library does not support MPI_THREAD_FUNNELED");
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() {
    finalize();
}

int MpiSession::count_failures(bool ok) {
    int mine = ok ? 0 : 1, all = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    return all;
}

namespace {
/// Pieces of at most this many bytes (an MPI count is an int).
constexpr std::size_t kPieceBytes = std::size_t{1} << 30;
/// The tags of gather()'s messages: the size, then the pieces.
constexpr int kGatherSizeTag = 901, kGatherPieceTag = 902;
}  // namespace

void MpiSession::broadcast(std::string& bytes) {
    std::uint64_t n = bytes.size();
    MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    if (rank_ != 0) bytes.assign(n, '\0');
    for (std::size_t at = 0; at < n; at += kPieceBytes) {
        const int piece = static_cast<int>(std::min<std::size_t>(kPieceBytes, n - at));
        MPI_Bcast(bytes.data() + at, piece, MPI_BYTE, 0, MPI_COMM_WORLD);
    }
}

std::vector<std::string> MpiSession::gather(const std::string& bytes) {
    std::vector<std::string> all;
    if (rank_ != 0) {
        std::uint64_t n = bytes.size();
        MPI_Send(&n, 1, MPI_UINT64_T, 0, kGatherSizeTag, MPI_COMM_WORLD);
        for (std::size_t at = 0; at < n; at += kPieceBytes) {
            const int piece = static_cast<int>(std::min<std::size_t>(kPieceBytes, n - at));
            MPI_Send(bytes.data() + at, piece, MPI_BYTE, 0, kGatherPieceTag, MPI_COMM_WORLD);
        }
        return all;
    }
    all.push_back(bytes);
    for (int r = 1; r < size_; ++r) {
        std::uint64_t n = 0;
        MPI_Recv(&n, 1, MPI_UINT64_T, r, kGatherSizeTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        std::string got(n, '\0');
        for (std::size_t at = 0; at < n; at += kPieceBytes) {
            const int piece = static_cast<int>(std::min<std::size_t>(kPieceBytes, n - at));
            MPI_Recv(got.data() + at, piece, MPI_BYTE, r, kGatherPieceTag, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
        }
        all.push_back(std::move(got));
    }
    return all;
}

void MpiSession::finalize() {
    if (finalized_) return;
    finalized_ = true;
    MPI_Finalize();
}

void MpiSession::abort(int code) {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);
}

namespace {

// kDone: a rank's last message, once nothing of its own is in flight (its records all
// received). Rank 0 leaves only when every other rank has sent it: after a stop, the records a
// rank ships while leaving still need rank 0 to receive them.
enum Tag : int {
    kRequest = 1,
    kWork = 2,
    kRecord = 3,
    kFailure = 4,
    kBye = 5,
    kStop = 6,
    kDone = 7
};

constexpr std::int64_t kMaxBatchPerThread = 8;
// Rank 0's main thread polls MPI at this interval (Open MPI's blocking calls spin a core). The
// records of its own threads wait for the next poll rather than waking it one by one. Within
// kBusySpell of a request it polls at kBusyPollInterval: when runs are short, requests come
// about once per millisecond and each waits for the next poll.
constexpr auto kPollInterval = std::chrono::microseconds(2000);
constexpr auto kBusyPollInterval = std::chrono::microseconds(500);
constexpr auto kBusySpell = std::chrono::microseconds(2000);
// A rank > 0 asks for its next batch once the runs it has left untaken would last less than
// this (measured from its runs so far; at least one run per thread).
constexpr auto kRequestLead = std::chrono::microseconds(8000);
// How long rank 0 waits for the other ranks to check in after a stop before it aborts the job
// (their batch is abandoned at the next record; a single run longer than this is the only
// reason to wait that long).
constexpr auto kStopGrace = std::chrono::seconds(30);

/// Polls an MPI request to completion without spinning a core (Open MPI's blocking calls
/// busy-wait, and the cores are shared with the simulation threads).
void lazy_wait(MPI_Request& req) {
    int done = 0;
    for (;;) {
        MPI_Test(&req, &done, MPI_STATUS_IGNORE);
        if (done) return;
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
}

void send_i64(const std::int64_t* v, int n, int dest, int tag) {
    MPI_Send(v, n, MPI_INT64_T, dest, tag, MPI_COMM_WORLD);
}

/// CPU seconds used so far by the calling thread.
double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

/// Record buffers kept for reuse on a rank > 0 between encoding and a completed send (rank 0
/// reuses those of its results follower): a record is 50-200 kB.
class BufferPool {
public:
    std::string take() {
        std::lock_guard lock(m_);
        if (free_.empty()) return {};
        std::string s = std::move(free_.back());
        free_.pop_back();
        s.clear();
        return s;
    }
    void give(std::string&& s) {
        std::lock_guard lock(m_);
        if (free_.size() < 256) free_.push_back(std::move(s));
    }

private:
    std::mutex m_;
    std::vector<std::string> free_;
};

/// The batch-size rule (see the header): guided, 1..kMaxBatchPerThread runs per thread.
std::int64_t batch_size(std::int64_t remaining, std::int64_t threads, std::int64_t all_threads) {
    const std::int64_t per_thread = std::clamp<std::int64_t>(
        (remaining + 2 * all_threads - 1) / (2 * all_threads), 1, kMaxBatchPerThread);
    return std::min(remaining, per_thread * threads);
}

/// Rank 0: the dispenser, the reorder buffer and the local simulation threads.
class Coordinator {
public:
    Coordinator(MpiSession& mpi, const SweepPlan& plan, const SweepRunOptions& o, Journal& j,
                ResultsFollower& follower, SweepRunResult& result, std::int64_t all_threads)
        : mpi_(mpi),
          follower_(follower),
          plan_(plan),
          o_(o),
          journal_(j),
          result_(result),
          all_threads_(all_threads),
          configs_(*plan.sweep),
          next_dispatch_(j.next_run()),
          end_(plan.runs.end),
          window_(std::max<std::int64_t>(64, 4 * kMaxBatchPerThread * all_threads)),
          first_todo_(j.next_run()),
          written_(j.next_run()),
          active_(mpi.size() - 1) {}

    void run() {
        const double cpu0 = thread_cpu_seconds();
        std::vector<std::thread> pool;
        start_threads(
            pool, o_.threads, [this] { local_worker(); },
            [this] {
                {
                    std::lock_guard lock(m_);
                    stop_ = true;
                }
                dispatch_cv_.notify_all();
            });
        Progress progress("sweep runs", o_.progress);
        std::optional<std::chrono::steady_clock::time_point> stop_time;
        try {
            for (;;) {
                bool progressed = poll_messages();
                progressed |= journal_ready();
                serve_requests();
                const std::int64_t written = journal_.next_run() - first_todo_;
                progress.update(written, end_ - first_todo_,
                                [&] { return point_note(plan_, journal_.next_run()); });
                if (!stopping() && (SignalGuard::received() != 0 || bye_)) begin_stop();
                if (active_ == 0 && done_ranks_ == mpi_.size() - 1 &&
                    (journal_.complete() || stopping()))
                    break;
                if (stopping()) {
                    if (!stop_time) stop_time = std::chrono::steady_clock::now();
                    if (std::chrono::steady_clock::now() - *stop_time > kStopGrace) {
                        std::fprintf(stderr,
                                     "mss sweep: %d rank(s) did not stop within %lld s; aborting "
                                     "the job (the journal keeps every run received)\n",
                                     mpi_.size() - 1 - done_ranks_,
                                     static_cast<long long>(kStopGrace.count()));
                        journal_.sync();
                        mpi_.abort(SignalGuard::exit_code() != 0 ? SignalGuard::exit_code() : 1);
                    }
                }
                if (!progressed)
                    std::this_thread::sleep_for(std::chrono::steady_clock::now() - last_request_ <
                                                        kBusySpell
                                                    ? kBusyPollInterval
                                                    : kPollInterval);
            }
        } catch (...) {
            {
                std::lock_guard lock(m_);
                stop_ = true;
            }
            dispatch_cv_.notify_all();
            for (auto& t : pool)
                t.join();
            throw;
        }
        {
            std::lock_guard lock(m_);
            stop_ = true;  // local threads: nothing more to take
        }
        dispatch_cv_.notify_all();
        for (auto& t : pool)
            t.join();
        // Records of abandoned local batches may have completed meanwhile.
        journal_ready();
        result_.main_thread_cpu_s = thread_cpu_seconds() - cpu0;
        progress.finish();
        journal_.sync();
        std::lock_guard lock(m_);
        if (!first_failure_.empty() && result_.first_failure.empty())
            result_.first_failure = first_failure_;
    }

    bool stopping() const { return stopping_; }

private:
    // --- local simulation threads ---
    void local_worker() {
        std::string failure;
        for (;;) {
            std::int64_t first = 0, count = 0;
            {
                std::unique_lock lock(m_);
                dispatch_cv_.wait(lock, [&] {
                    return stop_ || stopping_ || next_dispatch_ >= end_ ||
                           next_dispatch_ < written_ + window_;
                });
                if (stop_ || stopping_ || next_dispatch_ >= end_) return;
                count = take(1, first);
            }
            for (std::int64_t run = first; run < first + count; ++run) {
                if (stopping_flag_.load() != 0) return;
                failure.clear();
                output::RunRecord rec;
                try {
                    rec = configs_.simulate(plan_.spec(run), &failure, &stopping_flag_);
                } catch (const model::RunStopped&) {
                    return;  // stopping: the batch is abandoned
                }
                std::string bytes = follower_.spare_buffer();
                encode_record(rec, bytes);
                std::lock_guard lock(m_);
                ready_.emplace(run, std::move(bytes));
                if (!failure.empty() && first_failure_.empty())
                    first_failure_ = "run " + std::to_string(run) + ": " + failure;
            }
        }
    }

    /// Hands out the next batch for a requester with `threads` threads (under m_); 0 when the
    /// window is full or nothing is left.
    std::int64_t take(std::int64_t threads, std::int64_t& first) {
        const std::int64_t room = written_ + window_ - next_dispatch_;
        const std::int64_t n =
            std::min(room, batch_size(end_ - next_dispatch_, threads, all_threads_));
        if (n <= 0) return 0;
        first = next_dispatch_;
        next_dispatch_ += n;
        ++result_.batches;
        return n;
    }

    // --- main thread ---
    bool poll_messages() {
        bool any = false;
        for (;;) {
            int flag = 0;
            MPI_Status st;
            MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
            if (!flag) return any;
            any = true;
            int bytes = 0;
            MPI_Get_count(&st, MPI_BYTE, &bytes);
            std::string buf = follower_.spare_buffer();
            buf.resize(static_cast<std::size_t>(bytes));
            MPI_Recv(buf.data(), bytes, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            switch (st.MPI_TAG) {
                case kRequest: {
                    std::int64_t threads = 1;
                    if (buf.size() == sizeof threads)
                        std::memcpy(&threads, buf.data(), sizeof threads);
                    pending_.push_back({st.MPI_SOURCE, std::max<std::int64_t>(1, threads)});
                    last_request_ = std::chrono::steady_clock::now();
                    break;
                }
                case kRecord: {
                    const std::int64_t run = encoded_run_id(buf);
                    std::lock_guard lock(m_);
                    ready_.emplace(run, std::move(buf));
                    break;
                }
                case kFailure: {
                    std::lock_guard lock(m_);
                    if (first_failure_.empty()) first_failure_ = buf;
                    break;
                }
                case kDone:
                    ++done_ranks_;
                    break;
                case kBye:
                    // The rank stopped on its own signal and waits for our STOP.
                    bye_ = true;
                    --active_;
                    released_.insert(st.MPI_SOURCE);
                    send_stop(st.MPI_SOURCE);
                    break;
                default:
                    break;
            }
        }
    }

    /// Appends the records that continue the journal; true if any.
    bool journal_ready() {
        std::vector<std::string> batch;
        {
            std::lock_guard lock(m_);
            std::int64_t next = journal_.next_run();
            for (auto it = ready_.begin(); it != ready_.end() && it->first == next;) {
                batch.push_back(std::move(it->second));
                it = ready_.erase(it);
                ++next;
            }
        }
        if (batch.empty()) return false;
        for (auto& bytes : batch) {
            journal_.append(journal_.next_run(), bytes);
            ++result_.simulated;
            follower_.advance(std::move(bytes));
        }
        {
            std::lock_guard lock(m_);
            written_ = journal_.next_run();
        }
        dispatch_cv_.notify_all();
        return true;
    }

    void serve_requests() {
        while (!pending_.empty()) {
            const auto [rank, threads] = pending_.front();
            std::int64_t work[2] = {0, 0};
            {
                std::lock_guard lock(m_);
                if (!stopping_ && next_dispatch_ < end_) {
                    work[1] = take(threads, work[0]);
                    if (work[1] == 0) return;  // window full: wait for the journal
                }
            }
            send_i64(work, 2, rank, kWork);
            if (work[1] == 0) {
                --active_;
                released_.insert(rank);
            }
            pending_.pop_front();
        }
    }

    void begin_stop() {
        {
            std::lock_guard lock(m_);
            stopping_ = true;
        }
        stopping_flag_.store(1);
        dispatch_cv_.notify_all();
        // Every rank still working hears it; ranks already told "no more" have left.
        for (int r = 1; r < mpi_.size(); ++r)
            if (released_.count(r) == 0) send_stop(r);
    }

    void send_stop(int rank) {
        if (!stop_sent_.insert(rank).second) return;
        const std::int64_t none = 0;
        MPI_Send(&none, 1, MPI_INT64_T, rank, kStop, MPI_COMM_WORLD);
    }

    MpiSession& mpi_;
    ResultsFollower& follower_;
    const SweepPlan& plan_;
    const SweepRunOptions& o_;
    Journal& journal_;
    SweepRunResult& result_;
    std::int64_t all_threads_;
    PointConfigs configs_;

    std::mutex m_;  // guards the dispenser, ready_, written_, stop_, stopping_, first_failure_
    std::condition_variable dispatch_cv_;
    std::int64_t next_dispatch_, end_, window_, first_todo_;
    std::int64_t written_;  // journal_.next_run(), under m_ for the local threads
    std::map<std::int64_t, std::string> ready_;
    bool stop_ = false, stopping_ = false, bye_ = false;
    std::atomic<int> stopping_flag_{0};
    std::string first_failure_;

    std::deque<std::pair<int, std::int64_t> > pending_;   // (rank, threads) waiting for work
    std::chrono::steady_clock::time_point last_request_;  // when the latest request arrived
    std::set<int> released_;                              // ranks told "no more" (or gone)
    std::set<int> stop_sent_;                             // ranks sent STOP
    int active_;                                          // ranks > 0 not yet told "no more"
    int done_ranks_ = 0;                                  // ranks > 0 that sent kDone
};

/// A rank > 0: its worker threads (alive for the whole sweep, like rank 0's) simulate the
/// runs of the batches rank 0 hands out, while the main thread sends their records a few at a
/// time (in any order: rank 0 reorders) and asks for the next batch as soon as the runs left
/// untaken would last less than kRequestLead (a worker that takes a run down to that mark
/// wakes it), so that the round trip overlaps the runs still to simulate.
int follow(const SweepPlan& plan, const SweepRunOptions& o) {
    PointConfigs configs(*plan.sweep);
    const std::int64_t threads = o.threads;
    BufferPool pool;

    std::mutex m;
    std::condition_variable work_cv, done_cv;
    std::deque<std::int64_t> todo;                           // runs not yet taken
    std::deque<std::pair<std::int64_t, std::string> > done;  // encoded, not yet sent
    std::int64_t in_flight = 0;                              // taken, not yet in `done`
    // A request awaits its reply. Written by the main thread only, under m (the workers read
    // it there); the main thread reads it without the lock.
    bool asking = false;
    bool no_more = false, halt = false;
    std::atomic<int> halting{0};  // set with halt: stops the runs in progress
    std::string first_failure;
    // The runs' mean duration so far, for the low-water mark.
    std::chrono::steady_clock::duration simulated{};
    std::int64_t timed_runs = 0;
    // Under m: ask for the next batch while this many runs are still untaken (rather than
    // when the last is taken): the answer then has kRequestLead or more to arrive, whatever
    // the polling intervals of the two main threads. At least one run per thread.
    auto low_water = [&]() -> std::size_t {
        std::int64_t runs = threads;
        if (timed_runs > 0 && simulated.count() > 0) {
            const double per_run =
                std::chrono::duration<double>(simulated).count() / static_cast<double>(timed_runs);
            const double lead = std::chrono::duration<double>(kRequestLead).count();
            runs = std::clamp<std::int64_t>(
                static_cast<std::int64_t>(std::ceil(static_cast<double>(threads) * lead / per_run)),
                threads, kMaxBatchPerThread * threads);
        }
        return static_cast<std::size_t>(runs);
    };
    // Under m: whether the main thread should run now, to ask for work or to send records: it
    // is woken for a few records at a time, not for each (a wake-up costs a context switch on
    // a core the simulation is using).
    auto main_due = [&] {
        if (!asking && !no_more && todo.size() <= low_water()) return true;
        if (done.empty()) return false;
        return halt || (no_more && todo.empty()) ||
               done.size() >= static_cast<std::size_t>(4 * threads);
    };

    auto worker = [&] {
        std::string failure;
        for (;;) {
            std::int64_t run = 0;
            bool wake_main = false;
            {
                std::unique_lock lock(m);
                work_cv.wait(lock, [&] { return halt || no_more || !todo.empty(); });
                if (halt || todo.empty()) return;
                run = todo.front();
                todo.pop_front();
                ++in_flight;
                // Down to the low-water mark: the main thread asks for the next batch now, so
                // that the reply arrives while this run and the ones left are simulated.
                wake_main = main_due();
            }
            if (wake_main) done_cv.notify_one();
            failure.clear();
            const auto t0 = std::chrono::steady_clock::now();
            output::RunRecord rec;
            try {
                rec = configs.simulate(plan.spec(run), &failure, &halting);
            } catch (const model::RunStopped&) {
                std::lock_guard lock(m);
                --in_flight;
                return;  // halted: the batch is abandoned
            }
            std::string bytes = pool.take();
            encode_record(rec, bytes);
            const auto t1 = std::chrono::steady_clock::now();
            {
                std::lock_guard lock(m);
                done.emplace_back(run, std::move(bytes));
                --in_flight;
                simulated += t1 - t0;
                ++timed_runs;
                if (!failure.empty() && first_failure.empty())
                    first_failure = "run " + std::to_string(run) + ": " + failure;
                wake_main = main_due();
            }
            if (wake_main) done_cv.notify_one();
        }
    };
    std::vector<std::thread> pool_threads;
    start_threads(pool_threads, threads, worker, [&] {
        {
            std::lock_guard lock(m);
            halt = true;
        }
        halting.store(1);
        work_cv.notify_all();
    });

    std::deque<std::pair<std::string, MPI_Request> > sends;
    auto reap = [&](bool all) {
        while (!sends.empty()) {
            int complete = 0;
            if (all) {
                lazy_wait(sends.front().second);
                complete = 1;
            } else {
                MPI_Test(&sends.front().second, &complete, MPI_STATUS_IGNORE);
            }
            if (!complete) return;
            pool.give(std::move(sends.front().first));
            sends.pop_front();
        }
    };
    bool told_stop = false;
    auto check_stop = [&] {
        int flag = 0;
        MPI_Iprobe(0, kStop, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
        if (flag) {
            std::int64_t none = 0;
            MPI_Recv(&none, 1, MPI_INT64_T, 0, kStop, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            told_stop = true;
        }
        return told_stop;
    };
    std::int64_t work[2] = {0, 0};
    MPI_Request reply = MPI_REQUEST_NULL;
    auto ask = [&] {
        send_i64(&threads, 1, 0, kRequest);
        MPI_Irecv(work, 2, MPI_INT64_T, 0, kWork, MPI_COMM_WORLD, &reply);
        std::lock_guard lock(m);
        asking = true;
    };
    auto take_reply = [&] {
        std::lock_guard lock(m);
        asking = false;
        if (work[1] == 0) {
            no_more = true;
        } else {
            for (std::int64_t r = work[0]; r < work[0] + work[1]; ++r)
                todo.push_back(r);
        }
    };
    auto ship = [&] {
        std::deque<std::pair<std::int64_t, std::string> > ready;
        {
            std::lock_guard lock(m);
            ready.swap(done);
        }
        for (auto& [run, bytes] : ready) {
            sends.emplace_back(std::move(bytes), MPI_REQUEST_NULL);
            auto& [buf, req] = sends.back();
            MPI_Isend(buf.data(), static_cast<int>(buf.size()), MPI_BYTE, 0, kRecord,
                      MPI_COMM_WORLD, &req);
        }
        reap(false);
    };

    ask();
    bool failure_sent = false;
    for (;;) {
        if (asking) {
            int arrived = 0;
            MPI_Test(&reply, &arrived, MPI_STATUS_IGNORE);
            if (arrived) {
                take_reply();
                work_cv.notify_all();
            }
        }
        ship();
        if (check_stop() || SignalGuard::received() != 0) break;
        bool finished = false, want_more = false;
        {
            std::lock_guard lock(m);
            finished = no_more && todo.empty() && in_flight == 0 && done.empty();
            want_more = !asking && !no_more && todo.size() <= low_water();
        }
        if (finished) break;
        if (want_more) ask();
        // The workers wake us (main_due); an awaited reply needs polling, and a STOP or
        // signal is noticed within 10 ms.
        std::unique_lock lock(m);
        done_cv.wait_for(
            lock, asking ? std::chrono::microseconds(1000) : std::chrono::microseconds(10000),
            [&] { return main_due(); });
    }
    {
        std::lock_guard lock(m);
        halt = true;
    }
    halting.store(1);
    work_cv.notify_all();
    for (auto& t : pool_threads)
        t.join();
    ship();  // what completed meanwhile: rank 0 journals it if it continues the order
    reap(true);
    {
        std::lock_guard lock(m);
        if (!first_failure.empty() && !failure_sent) {
            MPI_Send(first_failure.data(), static_cast<int>(first_failure.size()), MPI_BYTE, 0,
                     kFailure, MPI_COMM_WORLD);
            failure_sent = true;
        }
    }
    // Leave with no message in flight: every request answered, every STOP received.
    if (asking) {
        lazy_wait(reply);
        take_reply();
    }
    if (!no_more) {
        if (told_stop) {
            ask();  // rank 0 is stopping: it answers "no more"
            lazy_wait(reply);
            take_reply();
        } else {
            // Stopped by our own signal: say so; rank 0 stops too and answers with STOP.
            const std::int64_t none = 0;
            MPI_Send(&none, 1, MPI_INT64_T, 0, kBye, MPI_COMM_WORLD);
            MPI_Request req;
            std::int64_t ignored = 0;
            MPI_Irecv(&ignored, 1, MPI_INT64_T, 0, kStop, MPI_COMM_WORLD, &req);
            lazy_wait(req);
            told_stop = true;
        }
    }
    check_stop();  // a STOP sent just before "no more"
    const std::int64_t last = 0;
    send_i64(&last, 1, 0, kDone);  // nothing of ours is in flight any more
    return SignalGuard::received() != 0 ? SignalGuard::exit_code() : 0;
}

}  // namespace

SweepRunResult run_sweep_mpi(MpiSession& mpi, const SweepPlan& plan, const SweepRunOptions& o) {
    SignalGuard signals;
    SweepRunResult result;
    result.ranks = mpi.size();
    const bool root = mpi.rank() == 0;

    // 1. The same sweep everywhere.
    struct Identity {
        char hash[16];
        std::int64_t first, end, replications, total;
    } id{};
    std::memcpy(id.hash, plan.provenance.sweep_hash.data(),
                std::min<std::size_t>(16, plan.provenance.sweep_hash.size()));
    id.first = plan.runs.first;
    id.end = plan.runs.end;
    id.replications = plan.replications;
    id.total = plan.total_runs;
    Identity root_id = id;
    MPI_Bcast(&root_id, sizeof root_id, MPI_BYTE, 0, MPI_COMM_WORLD);
    const bool same = std::memcmp(&root_id, &id, sizeof id) == 0;
    if (const int differ = mpi.count_failures(same); differ > 0) {
        if (root)
            throw SweepInputError(std::to_string(differ) +
                                  " MPI rank(s) loaded a different sweep or shard than rank 0 "
                                  "(different files on their nodes, or different arguments)");
        result.outcome = SweepRunResult::Outcome::follower;
        result.exit_code = 2;
        return result;
    }

    // 2. Rank 0 opens the journal and says how it went: {status, resumed?}.
    std::optional<Journal> journal;
    std::int64_t go[2] = {0, 0};  // status: 0 run, 1 nothing to do, 2 input error, 3 failure
    std::exception_ptr error;
    if (root) {
        try {
            journal = open_journal(plan, o, result);
            go[0] = journal ? 0 : 1;
        } catch (const SweepInputError&) {
            error = std::current_exception();
            go[0] = 2;
        } catch (...) {
            error = std::current_exception();
            go[0] = 3;
        }
    }
    MPI_Bcast(go, 2, MPI_INT64_T, 0, MPI_COMM_WORLD);
    if (go[0] != 0) {
        if (root) {
            if (error) std::rethrow_exception(error);
            return result;  // already complete
        }
        result.outcome = SweepRunResult::Outcome::follower;
        result.exit_code = go[0] == 2 ? 2 : go[0] == 3 ? 1 : 0;
        return result;
    }
    std::int64_t threads = o.threads, all_threads = 0;
    MPI_Reduce(&threads, &all_threads, 1, MPI_INT64_T, MPI_SUM, 0, MPI_COMM_WORLD);

    // 3.-4. Distribute.
    if (!root) {
        int code = 0;
        try {
            code = follow(plan, o);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "mss sweep (rank %d): %s\n", mpi.rank(), e.what());
            mpi.abort(1);
        }
        mpi.finalize();
        result.outcome = SweepRunResult::Outcome::follower;
        result.exit_code = code;
        return result;
    }
    result.resumed = journal->records();
    result.discarded_bytes = journal->discarded_bytes();
    result.journal_damage = journal->damage();
    bool stopped = false;
    ResultsFollower follower(plan, *journal);
    try {
        Coordinator c(mpi, plan, o, *journal, follower, result, all_threads);
        c.run();
        stopped = c.stopping();
    } catch (const std::exception& e) {
        // The other ranks wait for rank 0: take the whole job down; the journal keeps every
        // run it received.
        std::fprintf(stderr, "mss sweep: %s\n", e.what());
        // MPI_Abort runs no destructor: remove the temporary here, and the journal when it
        // holds no run (EmptyJournalRemover's rule).
        std::error_code ec;
        std::filesystem::remove(follower.part_path(), ec);
        try {
            if (journal->records() == 0)
                journal->remove();
            else
                journal->sync();
        } catch (...) {
        }
        mpi.abort(1);
    }
    // A stopped sweep's temporary goes now: MPI_Finalize may not return once a rank was
    // killed, or the launcher may kill this rank after it exits.
    if (stopped || SignalGuard::received() != 0) follower.abandon();
    // 5. Every rank has been released: MPI is no longer needed for the final write.
    mpi.finalize();
    if (stopped || !journal->complete() || SignalGuard::received() != 0 ||
        !follower.finish(*journal, result, &SignalGuard::stop_flag())) {
        result.outcome = SweepRunResult::Outcome::interrupted;
        result.signal_exit_code = SignalGuard::exit_code();
        if (result.signal_exit_code == 0) result.signal_exit_code = 143;  // a rank's signal
    }
    return result;
}

#endif

}  // namespace mss::experiment
