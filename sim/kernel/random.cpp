// sim/kernel/random.cpp — the stream seed hash and RandomStream (see random.hpp for the
// algorithm, which is part of the reproducibility contract).

#include "sim/kernel/random.hpp"

namespace mss::kernel {

namespace {

constexpr std::uint64_t fnv_offset = 0xcbf29ce484222325ULL;
constexpr std::uint64_t fnv_prime = 0x100000001b3ULL;
constexpr std::uint64_t golden_gamma = 0x9e3779b97f4a7c15ULL;

constexpr std::uint64_t fnv1a64(std::string_view bytes) {
    std::uint64_t h = fnv_offset;
    for (char c : bytes) {
        // Through unsigned char: the value of a byte must not depend on char's signedness.
        h = (h ^ static_cast<unsigned char>(c)) * fnv_prime;
    }
    return h;
}

constexpr std::uint64_t mix64(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

constexpr std::uint64_t absorb(std::uint64_t h, std::uint64_t v) {
    // Adding the odd constant keeps zero inputs from collapsing (mix64(0) == 0).
    return mix64(h ^ (v + golden_gamma));
}

}  // namespace

std::uint64_t stream_seed(std::uint64_t master_seed, std::uint64_t replication,
                          std::string_view name) {
    return absorb(absorb(absorb(0, master_seed), replication), fnv1a64(name));
}

RandomStream::RandomStream(std::uint64_t master_seed, std::uint64_t replication,
                           std::string_view name)
    : name_(name), seed_(stream_seed(master_seed, replication, name)), engine_(seed_) {}

}  // namespace mss::kernel
