// CPU time of the calling thread, for benchmarks that time parts of one thread's work.
#pragma once

#include <ctime>

namespace mss::bench {

/// CPU seconds used so far by the calling thread.
inline double thread_cpu_s() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

}  // namespace mss::bench
