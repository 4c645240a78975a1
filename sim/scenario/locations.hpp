// sim/scenario/locations.hpp — where each key path of a scenario or sweep file was found
// (internal). The Reader records every key it reads; the checks that run on the finished config
// (checks.hpp) and the sweep loader turn a key path back into file:line:column through it.
#pragma once

#include <map>
#include <set>
#include <string>

#include <toml++/toml.h>

#include "sim/scenario/diagnostic.hpp"

namespace mss::scenario::detail {

/// Where each key path was found, so later checks can point at it.
class Locations {
public:
    /// `fallback` names the file used for paths with no recorded location.
    explicit Locations(std::string fallback) : fallback_(std::move(fallback)) {}
    /// Records the source of `path`, whose enclosing table or entry is `parent`.
    void record(const std::string& path, const std::string& parent,
                const toml::source_region& where);
    /// True when `path` itself was found in a file.
    bool has(const std::string& path) const;
    /// A diagnostic located at `path`, or at its nearest recorded ancestor.
    Diagnostic at(const std::string& path, std::string message) const;

    /// The config holds `path` (e.g. `closure[0].end_h`, hours) but the file wrote `written`
    /// (`closure[0].end`, a date): messages about `path` name and point at `written`.
    void alias(const std::string& path, const std::string& written);
    /// `path`, or what the file wrote in its place (alias()).
    std::string as_written(const std::string& path) const;
    /// Records that the value at `path` was in the file but could not be converted, without an
    /// error of its own (a date when the scenario start is unknown): it kept its default.
    void unread(const std::string& path);
    /// True when unread(path) was recorded.
    bool is_unread(const std::string& path) const;

private:
    struct Entry {
        toml::source_region where;
        std::string parent;
    };
    std::map<std::string, Entry> entries_;
    std::map<std::string, std::string> aliases_;
    std::set<std::string> unread_;
    std::string fallback_;
};

}  // namespace mss::scenario::detail
