// Civil dates (proleptic Gregorian, UTC) and day counts since 1970-01-01: the one conversion
// used by the scenario loader (TOML dates), the recorder (ISO dates of days) and the app.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mss::model {

/// Days since 1970-01-01 of a civil date.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);
/// The civil date of a day count since 1970-01-01, as YYYY-MM-DD.
std::string civil_from_days(std::int64_t days);
/// Days since 1970-01-01 of a YYYY-MM-DD text, or nothing if it is not one.
std::optional<std::int64_t> days_from_iso(std::string_view text);

}  // namespace mss::model
