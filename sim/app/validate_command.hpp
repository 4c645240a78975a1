// sim/app/validate_command.hpp — `mss validate FILE [--set K=V]... [--print]`: checks a
// scenario or sweep file and prints a short resolved summary (or, with --print, only the fully
// resolved file). Free of CLI11: main.cpp parses the command line into ValidateOptions.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace mss::app {

/// What `mss validate` was asked to do.
struct ValidateOptions {
    std::string file;               ///< scenario or sweep file
    std::vector<std::string> sets;  ///< `key.path=value` overrides, in order
    bool print = false;             ///< print the resolved file instead of the summary
};

/// Runs the command: the summary or the resolved file on `out`, warnings and errors on `err`.
/// Returns the exit code (0 valid, 2 invalid input, 1 other failure).
int run_validate(const ValidateOptions& options, std::ostream& out, std::ostream& err);

}  // namespace mss::app
