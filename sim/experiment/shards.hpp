// Shards: a deterministic, contiguous slice of a sweep's run ids for batch arrays
// (`mss sweep --shard I/N`, Slurm `--array=0-(N-1)`), and the run ranges merge checks.
//
// The rule (docs/sweeps.md): with T runs in the sweep, shard I of N (0 <= I < N <= T) holds
// the run ids [floor(I * T / N), floor((I + 1) * T / N)). The N shards partition 0..T-1 in
// order, their sizes differ by at most one, and the rule depends only on (I, N, T), so every
// task of an array computes its own slice without talking to the others.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace mss::experiment {

/// Half-open range [first, end) of run ids.
struct RunRange {
    std::int64_t first = 0;
    std::int64_t end = 0;
    std::int64_t size() const noexcept { return end - first; }
    bool operator==(const RunRange&) const = default;
};

/// Largest shard count accepted.
inline constexpr std::int64_t kMaxShards = 1'000'000;

/// Shard `index` of `count` (count 1: the whole sweep).
struct ShardSpec {
    std::int64_t index = 0;
    std::int64_t count = 1;
    bool whole() const noexcept { return count == 1; }
    /// "I/N".
    std::string str() const;
    bool operator==(const ShardSpec&) const = default;
};

/// Parses "I/N" (0 <= I < N); on failure returns nullopt and says why in `error`.
std::optional<ShardSpec> parse_shard(const std::string& text, std::string& error);

/// The run ids of `shard` in a sweep of `total_runs` runs (see the header comment).
RunRange shard_range(const ShardSpec& shard, std::int64_t total_runs);

/// "a-b" (inclusive ids) or "a" for a one-run range, for messages.
std::string range_text(const RunRange& r);

}  // namespace mss::experiment
