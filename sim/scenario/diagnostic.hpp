// sim/scenario/diagnostic.hpp — what the scenario loader says about a file: errors and
// warnings that name file, line, column and key path (DESIGN §4 "Every error names...").
//
// A Diagnostic prints as `file:line:column: key.path: message` (errors) or
// `file:line:column: warning: key.path: message` (warnings). Where no line is known (an
// override given with --set, a file that could not be read) the line and column are 0 and are
// left out of the text. The loader collects every error it finds in one pass, up to
// Diagnostics::kMaxErrors, and then throws InvalidInput with all of them.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace mss::scenario {

/// One problem (or suspicious thing) found in a scenario or sweep file.
struct Diagnostic {
    std::string file;      ///< the file as the user named it, or `--set K=V` for an override
    int line = 0;          ///< 1-based; 0 when unknown
    int column = 0;        ///< 1-based; 0 when unknown
    std::string key_path;  ///< e.g. `contingent.Kenya.billets`; empty for the whole file
    std::string message;   ///< what was expected and what was found

    /// `file:line:column: key.path: message`.
    std::string str() const;
    /// `file:line:column: warning: key.path: message`.
    std::string warning_str() const;
    bool operator==(const Diagnostic&) const = default;
};

/// Thrown by the loaders when a file (or its overrides) is not valid. `what()` is every error
/// on its own line. Maps to exit code 2 in `mss`.
class InvalidInput : public std::runtime_error {
public:
    InvalidInput(std::vector<Diagnostic> errors, std::vector<Diagnostic> warnings);
    /// Every error found, in the order found (at most Diagnostics::kMaxErrors + 1: the last
    /// one then says that the loader stopped).
    const std::vector<Diagnostic>& errors() const { return errors_; }
    /// Warnings found before the loader gave up.
    const std::vector<Diagnostic>& warnings() const { return warnings_; }

private:
    std::vector<Diagnostic> errors_;
    std::vector<Diagnostic> warnings_;
};

/// Collects errors and warnings during one load. Not thread-safe (one load, one collector).
class Diagnostics {
public:
    /// Errors reported before the loader stops looking.
    static constexpr std::size_t kMaxErrors = 20;

    /// Records an error; after kMaxErrors of them, records a final "stopped" error and throws
    /// InvalidInput.
    void error(Diagnostic d);
    /// Records a warning (no limit beyond kMaxErrors * 5, to bound the output).
    void warning(Diagnostic d);
    /// True once any error was recorded.
    bool has_errors() const { return !errors_.empty(); }
    /// True when an error was recorded at exactly this key path (used to avoid a second,
    /// consequential error about the same value).
    bool has_error_at(const std::string& key_path) const;
    const std::vector<Diagnostic>& errors() const { return errors_; }
    const std::vector<Diagnostic>& warnings() const { return warnings_; }
    /// Throws InvalidInput if any error was recorded.
    void throw_if_errors() const;

private:
    std::vector<Diagnostic> errors_;
    std::vector<Diagnostic> warnings_;
};

}  // namespace mss::scenario
