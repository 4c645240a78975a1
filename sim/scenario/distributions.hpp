// sim/scenario/distributions.hpp — the distributions a scenario file can name (internal): each
// `dist = "..."` kind with the keys its inline table takes (DESIGN §2, docs/scenario.md). The
// Reader's conversions of durations and counts (reader.hpp) are defined in distributions.cpp
// with these tables; the kernel (sim/kernel/distribution.hpp) checks the parameters.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/kernel/distribution.hpp"

namespace mss::scenario::detail {

/// A duration distribution as written in files.
struct DistKind {
    const char* name;                     ///< the `dist` value
    kernel::DistributionSpec::Kind kind;  ///< what the kernel draws
    std::vector<std::string_view> keys;   ///< allowed keys besides `dist`
};
/// Every duration distribution, in the order messages list them.
const std::vector<DistKind>& dist_kinds();

/// A count distribution as written in files.
struct CountKindInfo {
    const char* name;                    ///< the `dist` value
    kernel::CountSpec::Kind kind;        ///< what the kernel draws
    std::vector<std::string_view> keys;  ///< allowed keys besides `dist`
};
/// Every count distribution, in the order messages list them.
const std::vector<CountKindInfo>& count_kinds();

/// "dist, key1, key2": the keys of a distribution table, for messages.
std::string keys_text(const std::vector<std::string_view>& keys);

}  // namespace mss::scenario::detail
