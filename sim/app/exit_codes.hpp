// sim/app/exit_codes.hpp — the exit codes of `mss` (DESIGN §6), shared by every command.
#pragma once

namespace mss::app {

inline constexpr int kExitOk = 0;             ///< success
inline constexpr int kExitFailure = 1;        ///< other failures (I/O)
inline constexpr int kExitInvalidInput = 2;   ///< bad scenario, sweep, flag or value
inline constexpr int kExitHangup = 129;       ///< after SIGHUP (handled like SIGTERM)
inline constexpr int kExitInterrupted = 130;  ///< after SIGINT
inline constexpr int kExitTerminated = 143;   ///< after SIGTERM

/// The line that follows every command-line error (exit kExitInvalidInput).
inline constexpr const char* kUsageHint = "Run 'mss --help' or 'mss COMMAND --help' for usage.";

}  // namespace mss::app
