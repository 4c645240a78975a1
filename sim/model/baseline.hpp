// The baseline configuration ("the mission as planned"), built in code. scenarios/baseline.toml
// holds exactly the same values; a test checks that they agree.
#pragma once

#include "sim/model/config.hpp"

namespace mss::model {

/// Kenya 1,000 plus five partners to 2,500 billets, two years from 2024-06-01, PAP gateway
/// with Cap-Haitien and Santo Domingo as alternates, three violence regimes.
ModelConfig baseline_config();

}  // namespace mss::model
