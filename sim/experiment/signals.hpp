// SIGINT, SIGTERM and SIGHUP (a lost terminal or ssh session) turn into a stop request that
// long work polls, so that it can clean up (remove a temporary file, keep a journal
// consistent) and exit with 130, 143 or 129. (SIGXFSZ is ignored for the whole process in
// main(): a file grown past `ulimit -f` is a failed write, reported like a full disk.)
#pragma once

#include <atomic>

namespace mss::experiment {

/// While alive, SIGINT, SIGTERM and SIGHUP set stop_flag() instead of killing the process.
class SignalGuard {
public:
    SignalGuard();
    ~SignalGuard();
    SignalGuard(const SignalGuard&) = delete;
    SignalGuard& operator=(const SignalGuard&) = delete;

    /// The signal received (SIGINT, SIGTERM or SIGHUP), or 0.
    static int received() noexcept;
    /// Non-zero once a signal arrived; pass it to RunnerOptions::stop.
    static const std::atomic<int>& stop_flag() noexcept;
    /// The conventional exit code for the signal received (128 + signal), or 0.
    static int exit_code() noexcept;
};

}  // namespace mss::experiment
