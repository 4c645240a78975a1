// sim/kernel/random.hpp — named random streams for the kernel (DESIGN §2 "Random numbers",
// "Determinism, exactly").
//
// Every stochastic component of a run draws from its own RandomStream, named by a stable id
// such as "violence/attacks" or "aircraft/KQ-1/block". The stream's seed depends only on
// (master seed, replication, name), never on creation order, so adding a component does not
// shift anyone else's numbers, and every design point of replication r sees the same numbers
// for the same purpose (common random numbers).
//
// The seed derivation is fixed and documented here; tests/kernel/random_test.cpp pins golden
// values so it can never change silently. All arithmetic is on std::uint64_t modulo 2^64:
//
//   fnv1a64(bytes):  h = 0xcbf29ce484222325
//                    for each byte b of the name (as unsigned char, in order):
//                        h = (h ^ b) * 0x100000001b3
//   mix64(z):        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9      (SplitMix64 finaliser,
//                    z = (z ^ (z >> 27)) * 0x94d049bb133111eb       Steele, Lea & Flood 2014)
//                    return z ^ (z >> 31)
//   absorb(h, v):    return mix64(h ^ (v + 0x9e3779b97f4a7c15))
//
//   stream_seed(master_seed, replication, name) =
//       absorb(absorb(absorb(0, master_seed), replication), fnv1a64(name))
//
// The stream's engine is boost::random::mt19937_64 seeded with that value through its
// single-integer seed (the reference init_genrand64 of Matsumoto & Nishimura), so a stream's
// draws are the same on every compiler, standard library and platform. Only Boost.Random
// engines and distributions are used: std:: distributions differ between standard libraries.

#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include <boost/random/mersenne_twister.hpp>

namespace mss::kernel {

/// The seed of the stream `name` of replication `replication` under `master_seed`
/// (the algorithm is written out in this file's header comment).
std::uint64_t stream_seed(std::uint64_t master_seed, std::uint64_t replication,
                          std::string_view name);

/// One named, independently seeded source of random numbers.
///
/// A stream owns its engine; it is move-only, because a copy would silently replay the same
/// numbers. It satisfies UniformRandomBitGenerator, so Boost.Random distributions accept it
/// directly (`boost::random::gamma_distribution<>{2.0, 1.0}(stream)`). A stream is not
/// thread-safe: one run (one thread) owns its streams.
class RandomStream {
public:
    /// The engine type: the same 64-bit Mersenne Twister everywhere.
    using Engine = boost::random::mt19937_64;
    /// The type of one raw draw (UniformRandomBitGenerator).
    using result_type = std::uint64_t;

    /// The stream `name` of `replication` under `master_seed`.
    RandomStream(std::uint64_t master_seed, std::uint64_t replication, std::string_view name);

    RandomStream(const RandomStream&) = delete;
    RandomStream& operator=(const RandomStream&) = delete;
    RandomStream(RandomStream&&) noexcept = default;
    RandomStream& operator=(RandomStream&&) noexcept = default;
    ~RandomStream() = default;

    /// A uniform draw in [0, 1): the top 53 bits of one engine output times 2^-53.
    double uniform01() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
    /// The next raw 64-bit engine output.
    std::uint64_t next_u64() { return engine_(); }
    /// The next raw 64-bit engine output (UniformRandomBitGenerator).
    result_type operator()() { return engine_(); }
    /// The smallest raw output (UniformRandomBitGenerator).
    static constexpr result_type min() { return 0; }
    /// The largest raw output (UniformRandomBitGenerator).
    static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

    /// The engine itself, for Boost distributions that want the engine type.
    Engine& engine() { return engine_; }
    /// The stream's stable name.
    const std::string& name() const { return name_; }
    /// The seed the engine was started from (stream_seed of the constructor's arguments).
    std::uint64_t seed() const { return seed_; }

private:
    std::string name_;
    std::uint64_t seed_;
    Engine engine_;
};

/// Makes the streams of one replication: stream(name) of a factory equals
/// RandomStream(seed(), replication(), name). Cheap to copy; safe to share across threads.
class StreamFactory {
public:
    /// A factory for replication `replication` under `master_seed`.
    StreamFactory(std::uint64_t master_seed, std::uint64_t replication)
        : seed_(master_seed), replication_(replication) {}

    /// A fresh stream named `name`, at the start of its sequence.
    RandomStream stream(std::string_view name) const {
        return RandomStream(seed_, replication_, name);
    }
    /// The master seed.
    std::uint64_t seed() const { return seed_; }
    /// The replication number.
    std::uint64_t replication() const { return replication_; }

private:
    std::uint64_t seed_;
    std::uint64_t replication_;
};

}  // namespace mss::kernel
