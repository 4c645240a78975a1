// sim/scenario/checks.hpp — the checks of a scenario that need the whole config (internal):
// the last step of load_scenario() after the Reader (scenario.cpp).
#pragma once

#include "sim/model/config.hpp"
#include "sim/scenario/diagnostic.hpp"
#include "sim/scenario/locations.hpp"

namespace mss::scenario::detail {

/// Cross-checks of a read config (references, uniqueness, matrix shape, sums) and warnings.
void check_model(const model::ModelConfig& config, const Locations& locs, Diagnostics& diags);

}  // namespace mss::scenario::detail
