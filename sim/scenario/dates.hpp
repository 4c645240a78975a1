// sim/scenario/dates.hpp — dates in scenario files (internal). A file gives the scenario start
// as a TOML date and may give batch days, drawdowns and closures as dates or date-times; the
// model counts days and hours since 00:00 UTC of the start (DESIGN §2). The Reader's date
// conversions (reader.hpp: date, day_or_date, hours_or_date) are defined in dates.cpp; the
// calendar arithmetic is the model's one conversion (sim/model/dates.hpp).
#pragma once

#include <cstdint>

namespace mss::scenario::detail {

/// A date or date-time as whole days since the scenario start plus seconds into that day,
/// kept apart so that times of day stay exact in hours (14:00 is 14 h, not 24 x 0.5833...).
struct SinceStart {
    std::int64_t days = 0;
    double seconds = 0;
    double in_days() const { return static_cast<double>(days) + seconds / 86400.0; }
    double in_hours() const { return static_cast<double>(days) * 24.0 + seconds / 3600.0; }
};

}  // namespace mss::scenario::detail
