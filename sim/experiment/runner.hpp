// Runs many replications on threads and hands their records, in run order, to one sink on the
// calling thread (the thread that owns the results file). Memory is bounded: workers never get
// more than `window` runs ahead of the sink.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "sim/output/run_record.hpp"

namespace mss::experiment {

/// Identifies one run: run id = point * replications + replication (DESIGN §2).
struct RunSpec {
    std::int64_t run = 0;
    std::int64_t point = 0;
    std::int64_t replication = 0;
};

/// Simulates one run. Called concurrently from worker threads: must not share mutable state.
using RunFunction = std::function<output::RunRecord(const RunSpec&)>;
/// Receives records in the order of the run list, on the calling thread.
using RunSink = std::function<void(output::RunRecord&&)>;

struct RunnerOptions {
    int threads = 1;         ///< worker threads (>= 1; at most one per run is started)
    std::size_t window = 0;  ///< max runs simulated ahead of the sink; 0: 4 per thread + 16
    const std::atomic<int>* stop = nullptr;  ///< non-zero: finish nothing new, return early
    std::function<void(std::int64_t done, std::int64_t total)> progress;  ///< after each sink call
};

/// Runs every spec of `runs` and passes each record to `sink` in list order. Returns the number
/// of records delivered (less than runs.size() only when stopped; a run function that throws
/// model::RunStopped, abandoning its run on the stop flag, stops the others too, and is no
/// error). Rethrows the first exception
/// of a run function or of the sink after stopping the workers; ThreadStartError when the
/// threads cannot all be created (after stopping those that were).
std::int64_t run_all(const std::vector<RunSpec>& runs, const RunFunction& run, const RunSink& sink,
                     const RunnerOptions& options);

/// Raised when the system refuses a thread (std::system_error from std::thread): too many for
/// its limits. An I/O-like failure (exit 1); the message says how many were asked for.
class ThreadStartError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Starts `count` threads running `body` into `pool`. When one cannot be created, calls `stop`
/// (which must make the started threads return), joins them and throws ThreadStartError, so
/// that no joinable thread is left to std::terminate the process.
void start_threads(std::vector<std::thread>& pool, std::int64_t count,
                   const std::function<void()>& body, const std::function<void()>& stop);

/// The number of CPUs this process may use (sched_getaffinity), at least 1.
int available_cpus();

}  // namespace mss::experiment
