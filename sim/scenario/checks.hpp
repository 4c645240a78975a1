// sim/scenario/checks.hpp — the checks of a scenario that need the whole config (internal):
// the last step of load_scenario() after the Reader (scenario.cpp). The rules the model needs
// to run (bounds, airport references, sums, closure intervals, the generator) are the model's
// own (sim/model/validate.hpp); here they get file:line:column from Locations, a "did you mean"
// for a mistyped name, and are dropped when they follow from a value that failed to read. The
// loader adds only what is about files: a name usable as a results file name, entry counts
// bounded for the results file, an origin no route leaves, and the warnings.
#pragma once

#include "sim/model/config.hpp"
#include "sim/scenario/diagnostic.hpp"
#include "sim/scenario/locations.hpp"

namespace mss::scenario::detail {

/// The model's issues and the loader's cross-checks of a read config as errors, and warnings.
void check_model(const model::ModelConfig& config, const Locations& locs, Diagnostics& diags);

}  // namespace mss::scenario::detail
