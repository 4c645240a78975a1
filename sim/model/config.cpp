// Names of the configuration enums as written in scenario files; KPI thresholds.
#include "sim/model/config.hpp"

#include <algorithm>
#include <cmath>

namespace mss::model {

const char* to_string(OperatorClass c) noexcept {
    switch (c) {
        case OperatorClass::charter:
            return "charter";
        case OperatorClass::military:
            return "military";
        case OperatorClass::commercial:
            return "commercial";
    }
    return "unknown";
}

double personnel_threshold(double frac, double billets) {
    const double x = frac * billets;
    const double whole = std::nearbyint(x);
    return std::abs(x - whole) <= 1e-9 * std::max(1.0, std::abs(x)) ? whole : x;
}

}  // namespace mss::model
