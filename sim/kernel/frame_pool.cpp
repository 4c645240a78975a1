#include "sim/kernel/frame_pool.hpp"

#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define MSS_FRAME_POOL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MSS_FRAME_POOL 0
#endif
#endif
#ifndef MSS_FRAME_POOL
#define MSS_FRAME_POOL 1
#endif

namespace mss::kernel::detail {

#if MSS_FRAME_POOL

namespace {

constexpr std::size_t kGranule = 64;  // size classes of 64 bytes
constexpr std::size_t kClasses = 64;  // frames up to 4 KiB are pooled

struct FreeBlock {
    FreeBlock* next;
};

/// One thread's free lists. Blocks come from ::operator new, so a frame freed on another
/// thread than the one that made it simply joins that thread's list.
struct Pool {
    FreeBlock* heads[kClasses] = {};
    ~Pool() {
        for (FreeBlock*& head : heads)
            while (head != nullptr) {
                FreeBlock* b = head;
                head = b->next;
                ::operator delete(b);
            }
        destroyed = true;
    }
    static thread_local bool destroyed;
};
thread_local bool Pool::destroyed = false;
thread_local Pool pool;

}  // namespace

void* allocate_frame(std::size_t size) {
    const std::size_t c = (size + kGranule - 1) / kGranule;
    if (c < kClasses && !Pool::destroyed) {
        if (FreeBlock* b = pool.heads[c]) {
            pool.heads[c] = b->next;
            return b;
        }
        return ::operator new(c* kGranule);
    }
    return ::operator new(size);
}

void free_frame(void* p, std::size_t size) noexcept {
    const std::size_t c = (size + kGranule - 1) / kGranule;
    if (c < kClasses && !Pool::destroyed) {
        auto* b = static_cast<FreeBlock*>(p);
        b->next = pool.heads[c];
        pool.heads[c] = b;
        return;
    }
    ::operator delete(p);
}

#else

void* allocate_frame(std::size_t size) {
    return ::operator new(size);
}
void free_frame(void* p, std::size_t) noexcept {
    ::operator delete(p);
}

#endif

}  // namespace mss::kernel::detail
