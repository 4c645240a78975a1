// What stops a ModelConfig from running: the model's own checks, and the one statement of every
// bound and cross-reference rule of its config. The Mission runs them before it builds anything;
// the scenario loader (sim/scenario/checks.cpp) runs them too and adds file:line:column to each
// issue through its key path, so a rule is written here once and never again in the loader.
//
// Key paths are the scenario file's (docs/scenario.md), which `--set` and sweep factors use as
// well: `contingent.<name>.billets`, `airport.<code>.mog`, `route.<origin>.min_load`,
// `aircraft.<type>.seats`, `link.<name>.vehicles`, `violence.regime.<name>.p_cut_link`,
// `violence.generator_per_day`, `airport.<code>.closure[<i>].end_h`; a name that is not a bare
// key (A-Z a-z 0-9 _ -) is quoted, e.g. `contingent."The Bahamas".billets` (key_path()).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sim/model/config.hpp"

namespace mss::model {

/// One problem that stops a config from running, at the value it is about.
struct ConfigIssue {
    std::string key;      ///< key path of the offending value, e.g. `route.MBA.min_load`
    std::string message;  ///< what was expected and what was found, one sentence
    /// Other values the problem is about (a sum's other terms, an interval's start), in the
    /// order a reader would look for them; `key` comes first.
    std::vector<std::string> also;
    /// For a name that should have been one of `choices` (an airport code, a regime): the name
    /// as given, so that a reader of files can suggest the nearest choice.
    std::string found;
    std::vector<std::string> choices;  ///< the valid names, when `found` is set

    /// `key: message`.
    std::string str() const { return key + ": " + message; }
};

/// Every problem that stops `cfg` from running, in config order; empty if it can run.
std::vector<ConfigIssue> config_issues(const ModelConfig& cfg);

/// config_issues() as `key: message` lines (the Mission's std::invalid_argument, tests).
std::vector<std::string> validate_model_config(const ModelConfig& cfg);

/// `text` in double quotes with backslash escapes (\" \\ \n \t \r \uXXXX): how key paths quote
/// a name that is not a bare key, and how messages show names.
std::string quoted(std::string_view text);
/// True when `segment` can stand unquoted in a key path (A-Z a-z 0-9 _ -, not empty).
bool is_bare_key(std::string_view segment);
/// `parent.segment`, quoting the segment when it is not a bare key (`segment` alone when
/// `parent` is empty).
std::string key_path(std::string_view parent, std::string_view segment);
/// `parent[index]`: an entry of an array that has no identifying key.
std::string index_path(std::string_view parent, std::size_t index);

}  // namespace mss::model
