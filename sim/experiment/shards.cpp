#include "sim/experiment/shards.hpp"

#include <charconv>

namespace mss::experiment {

std::string ShardSpec::str() const {
    return std::to_string(index) + "/" + std::to_string(count);
}

std::optional<ShardSpec> parse_shard(const std::string& text, std::string& error) {
    const auto slash = text.find('/');
    auto number = [](std::string_view s, std::int64_t& v) {
        const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        return !s.empty() && ec == std::errc() && p == s.data() + s.size();
    };
    ShardSpec s;
    if (slash == std::string::npos || !number(std::string_view(text).substr(0, slash), s.index) ||
        !number(std::string_view(text).substr(slash + 1), s.count)) {
        error =
            "expected I/N with whole numbers (shard I of N, counted from 0), found '" + text + "'";
        return std::nullopt;
    }
    if (s.count < 1 || s.count > kMaxShards || s.index < 0 || s.index >= s.count) {
        error = "expected 0 <= I < N <= " + std::to_string(kMaxShards) + " in I/N, found '" + text +
                "'";
        return std::nullopt;
    }
    return s;
}

RunRange shard_range(const ShardSpec& shard, std::int64_t total_runs) {
    // floor(i T / N) = i q + floor(i r / N) with T = q N + r: exact without overflow, since
    // i r < N^2 and N <= kMaxShards.
    const std::int64_t q = total_runs / shard.count, r = total_runs % shard.count;
    const auto at = [&](std::int64_t i) { return i * q + i * r / shard.count; };
    return {at(shard.index), at(shard.index + 1)};
}

std::string range_text(const RunRange& r) {
    if (r.size() == 1) return std::to_string(r.first);
    return std::to_string(r.first) + "-" + std::to_string(r.end - 1);
}

}  // namespace mss::experiment
