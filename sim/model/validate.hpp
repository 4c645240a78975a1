// What stops a ModelConfig from running: the model's own checks, run by the Mission before it
// builds anything and by the scenario loader, which adds file:line:column.
#pragma once

#include <string>
#include <vector>

#include "sim/model/config.hpp"

namespace mss::model {

/// Every problem that stops `cfg` from running, one sentence each; empty if it can run.
/// (The scenario loader checks more; this is the model's own minimum.)
std::vector<std::string> validate_model_config(const ModelConfig& cfg);

}  // namespace mss::model
