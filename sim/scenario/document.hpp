// sim/scenario/document.hpp — a scenario file as a TOML document (internal): reading and
// parsing with the size and type guards, resolving `extends` chains with the merge rules of
// DESIGN §4, and applying `--set` overrides. The merged table keeps every node's source (file,
// line, column), so an error in an inherited value names the inherited file.
//
// Merge rules (child over parent):
//  - a [table] merges key by key; an inline table { ... } is a value and replaces;
//  - [[entries]] of a collection with an identifying key (contingent.name, airport.code, ...)
//    merge by that key: a matching entry merges key by key, a new one is appended (file order
//    = results order), and an entry with `remove = true` deletes the inherited one;
//  - any array written as `key = [...]` (including `key = []`) replaces the inherited array;
//  - every other value replaces.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "sim/scenario/diagnostic.hpp"
#include "sim/scenario/source.hpp"

namespace mss::scenario::detail {

/// Longest `extends` chain followed.
inline constexpr int kMaxExtendsDepth = 16;

/// How a path is shown in messages: as given, lexically normalised.
std::string display_path(const std::filesystem::path& path);

/// Reads and parses one file; errors go to `diags` (a parse error carries the parser's line and
/// column). `site`, when given, is where the file was named (an extends or base key), used to
/// place errors about an unreadable file.
std::optional<toml::table> parse_file(const std::filesystem::path& path, const FileSource& files,
                                      Diagnostics& diags, const Diagnostic* site = nullptr);

/// Reads `path` and every file it extends, merged. nullopt when a file could not be read or
/// parsed (the errors are in `diags`).
std::optional<toml::table> load_document(const std::filesystem::path& path, const FileSource& files,
                                         Diagnostics& diags);

/// Applies one `key.path=value` override to `root`. The value is TOML (`3`, `2.5`, `"x"`,
/// `2024-06-01`, `[1, 2]`, `{ dist = "constant", value = 3 }`); a bare word that is not TOML is
/// taken as a string. Array entries are addressed by their identifying key
/// (`contingent.Kenya.billets`) or by index (`contingent.Kenya.generation[0].count` or
/// `...generation.0.count`). Missing tables on the way are created; the value is checked later
/// against the schema like any other. Returns false (with an error) when it cannot be applied.
bool apply_set(toml::table& root, std::string_view assignment, Diagnostics& diags);

/// Splits `a.b."c d"[2].e` into segments ("a", "b", "c d", "[2]", "e"); nullopt if malformed.
std::optional<std::vector<std::string>> split_key_path(std::string_view path);

}  // namespace mss::scenario::detail
