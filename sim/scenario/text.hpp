// sim/scenario/text.hpp — small text helpers shared by the loader's parts (internal): TOML
// number and string formatting that reads back exactly, key paths, dates, "did you mean".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "sim/model/dates.hpp"
#include "sim/model/validate.hpp"
#include "sim/scenario/diagnostic.hpp"

namespace mss::scenario::detail {

/// A double as TOML text that parses back to the same double: "2.0", "0.0001", "1e+20",
/// "inf", "-inf", "nan".
std::string format_double(double x);
// Key paths and quoted names: the model's one rule (sim/model/validate.hpp), so that the key
// paths of the model's own issues are the loader's.
/// A TOML basic string literal with quotes and escapes.
inline std::string quote(std::string_view s) {
    return model::quoted(s);
}
using model::index_path;
using model::is_bare_key;
/// `parent.segment`, quoting the segment when it is not a bare key.
inline std::string join_path(std::string_view parent, std::string_view segment) {
    return model::key_path(parent, segment);
}

// Dates: the model's one conversion (sim/model/dates.hpp).
using model::civil_from_days;
using model::days_from_civil;

/// The candidate nearest to `word` by edit distance if it is close enough to be a typo.
std::string nearest(std::string_view word, std::span<const std::string_view> candidates);
/// `; did you mean 'x'?` or empty.
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

/// Why `name` cannot name a results file (`runs/<name>.h5`, the default output), or "" when it
/// can: empty, longer than 100 bytes, "." or "..", a leading ".", or a path separator or
/// control character in it.
std::string file_name_problem(std::string_view name);

/// What a node is, with its value when short: `a string "abc"`, `an integer 5`, `a table`.
std::string describe_node(const toml::node& node);
/// A node as TOML value text (inline form for tables), e.g. `{ dist = "constant", value = 2.0 }`.
std::string value_text(const toml::node& node);

/// Where `text` has a non-ASCII character outside strings and comments (1-based line and
/// column in code points), or {0, 0}. TOML allows such characters only in strings and
/// comments; toml++ 3.3 can reach undefined behaviour on some of them elsewhere (its
/// is_non_ascii_horizontal_whitespace hits __builtin_unreachable for code points such as
/// U+00A7 or U+0401: upstream issues #190 and #295), so the loader rejects them before
/// parsing. Also reported: a non-ASCII character right after a backslash, or first after a
/// line-ending backslash, in a multi-line basic string (the same bug, issue #190). Arrays and
/// inline tables nested deeper than kMaxTrackedNesting, or a key of more dotted parts (toml++
/// recurses on each: 25,000 overflow the stack), stop the scan there: `too_deep`.
struct UnsafeSpot {
    int line = 0;  ///< 0: none
    int column = 0;
    bool too_deep = false;
};
inline constexpr std::size_t kMaxTrackedNesting = 256;
UnsafeSpot find_unsafe_non_ascii(std::string_view text);

/// The location of a source region, as a diagnostic with the given key path and message.
/// Regions whose path starts with "--set " get line and column 0.
Diagnostic at(const toml::source_region& where, std::string key_path, std::string message);

}  // namespace mss::scenario::detail
