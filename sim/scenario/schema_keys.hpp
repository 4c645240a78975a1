// sim/scenario/schema_keys.hpp — the inventory of scenario-file keys (internal; see schema.cpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mss::scenario::detail {

/// One key of a scenario file. `pattern` is its path with `*` for array entries, e.g.
/// `contingent.*.tour_days` or `route.*.alternate.*.block_h`.
struct KeyInfo {
    std::string pattern;
    std::string type;  ///< "string", "integer", "number", "date", "table", "array of tables", ...
    bool required = false;
    std::string id;  ///< arrays of tables: the key that identifies an entry, or empty
};

/// Every key, in schema (file) order.
const std::vector<KeyInfo>& schema_keys();
/// The identifying key of the array of tables at `pattern` (`contingent` -> `name`), or empty
/// when its entries have no id (they are then addressed by index).
std::string_view collection_id(std::string_view pattern);

}  // namespace mss::scenario::detail
