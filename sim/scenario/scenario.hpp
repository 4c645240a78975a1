// sim/scenario/scenario.hpp — scenario files in, validated model config out (DESIGN §4).
//
// The one entry point for a scenario is load_scenario(): it reads the file and the files it
// `extends`, applies `--set` overrides, checks every key against the schema of
// sim/model/config.hpp, runs the model's own checks (sim/model/validate.hpp: bounds, airport
// references, generator rows, closure intervals, ...) and the loader's, and returns the config, its
// fully resolved TOML text and the warnings. When anything is wrong it throws InvalidInput carrying
// every error found in that one pass (up to Diagnostics::kMaxErrors), each naming file, line,
// column and key path. It never crashes or hangs on bad bytes: files are capped at kMaxFileBytes,
// only regular files are read, and extends chains are bounded and checked for cycles.
//
// The resolved text is canonical: every key explicit, in schema order, dates of closures and
// batches turned into hours and days since the start. Loading it gives the same config, and
// printing that config gives the same text again.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sim/model/config.hpp"
#include "sim/scenario/diagnostic.hpp"
#include "sim/scenario/source.hpp"

namespace mss::scenario {

/// A validated scenario.
struct LoadResult {
    model::ModelConfig config;         ///< what the model runs
    std::string resolved_text;         ///< to_toml(config): the file with everything resolved
    std::vector<Diagnostic> warnings;  ///< legal but suspicious things (exit code stays 0)
    std::string source;                ///< the file as named, for messages
};

/// Loads, merges, overrides and validates a scenario file. `sets` are `key.path=value`
/// overrides applied in order after `extends` (see docs/scenario.md). `files` defaults to the
/// disk. Throws InvalidInput listing every error.
LoadResult load_scenario(const std::filesystem::path& path,
                         const std::vector<std::string>& sets = {},
                         const FileSource* files = nullptr);

/// The config as a complete scenario file (see the header comment).
std::string to_toml(const model::ModelConfig& config);

/// The version of the TOML library the loader was built with, e.g. "3.3.0" (provenance).
std::string toml_version();

/// What kind of file `path` is.
enum class FileKind { scenario, sweep, optimize };

/// A sweep file has a [sweep] table, a plan file of `mss optimize` an [optimize] table; anything
/// else is taken as a scenario. Throws InvalidInput
/// when the file cannot be read or is not TOML.
FileKind file_kind(const std::filesystem::path& path, const FileSource* files = nullptr);

/// The disk, with the loader's guards (shared, stateless).
const FileSource& disk();

}  // namespace mss::scenario
