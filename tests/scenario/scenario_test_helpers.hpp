// tests/scenario/scenario_test_helpers.hpp — in-memory scenario files for the loader tests:
// a minimal valid scenario with known line numbers, edits to it, and the errors a load gives.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/sweep.hpp"

namespace mss::scenario::test {

/// A minimal valid scenario. Line numbers matter: tests assert exact locations.
///  1 [scenario]            9 billets = 100             17 code = "NBO"
///  2 name = "t"           10 generation = [...]        19 [[aircraft]]
///  3 start = 2024-06-01   11 tour_days = 300           20 type = "B787"
///  4 horizon_days = 400   13 [[airport]]               21 home_base = "NBO"
///  6 [[contingent]]       14 code = "PAP"              23 [[route]]
///  7 name = "Kenya"       16 [[airport]]               24 origin = "NBO"
///  8 origin = "NBO"                                    25 block_h = 17.0
inline const std::string kMinimal = R"([scenario]
name = "t"
start = 2024-06-01
horizon_days = 400

[[contingent]]
name = "Kenya"
origin = "NBO"
billets = 100
generation = [{ day = 1, count = 100 }]
tour_days = 300

[[airport]]
code = "PAP"

[[airport]]
code = "NBO"

[[aircraft]]
type = "B787"
home_base = "NBO"

[[route]]
origin = "NBO"
block_h = 17.0
)";

/// `text` with the first occurrence of `from` replaced by `to` (which must exist).
inline std::string edit(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    if (at == std::string::npos) throw std::logic_error("edit: not found: " + from);
    return text.replace(at, from.size(), to);
}

/// A scenario loaded from in-memory files.
inline LoadResult load_text(const std::string& text, const std::vector<std::string>& sets = {},
                            MemorySource files = {}) {
    files.add("t.toml", text);
    return load_scenario("t.toml", sets, &files);
}

/// The error lines of loading `path` from `files` (empty if it loads).
inline std::vector<std::string> errors_of(const std::string& path, const MemorySource& files,
                                          const std::vector<std::string>& sets = {}) {
    try {
        load_scenario(path, sets, &files);
    } catch (const InvalidInput& e) {
        std::vector<std::string> out;
        for (const auto& d : e.errors())
            out.push_back(d.str());
        return out;
    }
    return {};
}

/// The error lines of loading `text` as t.toml.
inline std::vector<std::string> errors(const std::string& text,
                                       const std::vector<std::string>& sets = {}) {
    MemorySource files;
    files.add("t.toml", text);
    return errors_of("t.toml", files, sets);
}

/// The warning lines of loading `text` as t.toml (which must be valid).
inline std::vector<std::string> warnings(const std::string& text) {
    std::vector<std::string> out;
    for (const auto& w : load_text(text).warnings)
        out.push_back(w.warning_str());
    return out;
}

/// The error lines of loading a sweep.
inline std::vector<std::string> sweep_errors(const std::string& path, const MemorySource& files,
                                             const std::vector<std::string>& sets = {}) {
    try {
        load_sweep(path, sets, &files);
    } catch (const InvalidInput& e) {
        std::vector<std::string> out;
        for (const auto& d : e.errors())
            out.push_back(d.str());
        return out;
    }
    return {};
}

}  // namespace mss::scenario::test
