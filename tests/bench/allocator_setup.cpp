// mss-bench measures with the allocator settings `mss` uses (sim/experiment/allocator.hpp).
#include "sim/experiment/allocator.hpp"

namespace {
const bool kAllocatorSet = (mss::experiment::keep_freed_memory(), true);
}  // namespace
