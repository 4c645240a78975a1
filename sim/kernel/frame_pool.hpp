// Recycling of process coroutine frames. A model starts many short processes (the M/M/c
// customers of the benchmarks, a sortie per flight); reusing their frames from per-thread free
// lists saves a malloc/free pair per process. Sanitizer builds bypass the pool so that ASan
// still sees every frame's lifetime.
#pragma once

#include <cstddef>

namespace mss::kernel::detail {

/// Memory for a coroutine frame of `size` bytes.
void* allocate_frame(std::size_t size);
/// Returns a frame allocated by allocate_frame with the same `size`.
void free_frame(void* p, std::size_t size) noexcept;

}  // namespace mss::kernel::detail
