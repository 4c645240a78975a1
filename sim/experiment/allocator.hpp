// Memory allocator settings for long batches of replications.
#pragma once

namespace mss::experiment {

/// Keeps memory freed at the end of a run in the process for the next run, instead of glibc
/// returning it to the kernel and the next run faulting it in again page by page: a baseline
/// replication otherwise takes ~50 page faults, which on a virtual machine cost ~8% of its CPU
/// time (measured with `perf stat` on mss-bench). Freed memory kept: at most 64 MiB per arena
/// on top of the live data; blocks above 16 MiB are still mapped and unmapped directly. Call
/// once at start-up; later calls are harmless.
void keep_freed_memory();

}  // namespace mss::experiment
