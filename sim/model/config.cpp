// Names of the configuration enums as written in scenario files.
#include "sim/model/config.hpp"

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

}  // namespace mss::model
