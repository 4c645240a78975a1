#include "sim/experiment/allocator.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace mss::experiment {

void keep_freed_memory() {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 16 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
#endif
}

}  // namespace mss::experiment
