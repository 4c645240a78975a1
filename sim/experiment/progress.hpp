// Progress of long work (DESIGN §6): on a terminal, one line redrawn in place (runs done/total,
// rate, ETA); in a batch log (stderr not a terminal, or `--progress log`), a plain line every
// 60 s that a scheduler's .out file keeps. Used by `mss run` and `mss sweep` (threads and MPI).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace mss::experiment {

/// How progress is shown: `--progress auto|tty|log|off`.
enum class ProgressMode {
    automatic,  ///< tty when stderr is a terminal, else log
    tty,        ///< one line redrawn in place (\r) at most 5 times a second
    log,        ///< a plain line every 60 s (batch logs)
    off,        ///< nothing (`--quiet`)
};

/// "auto", "tty", "log" or "off"; nullopt for anything else.
std::optional<ProgressMode> parse_progress_mode(std::string_view text);

class Progress {
public:
    /// `label` prefixes the line ("runs", "sweep runs"). `automatic` is resolved against
    /// `stream` (a terminal: tty, else log). `log_every` is the interval of the log lines.
    Progress(std::string label, ProgressMode mode, std::FILE* stream = stderr,
             std::chrono::steady_clock::duration log_every = std::chrono::seconds(60));
    /// Reports `done` of `total`; redraws at most 5 times a second (and at the end), or writes
    /// a log line when `log_every` has passed since the last one.
    void update(std::int64_t done, std::int64_t total);
    /// The same with a note after the counts (a sweep's "point 3/12"); `note` is called only
    /// when a line is written.
    void update(std::int64_t done, std::int64_t total, const std::function<std::string()>& note);
    /// Ends the terminal line if anything was drawn.
    void finish();
    /// The mode in effect (never `automatic`).
    ProgressMode mode() const noexcept { return mode_; }

private:
    std::string label_;
    ProgressMode mode_;
    std::FILE* stream_;
    std::chrono::steady_clock::duration log_every_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace mss::experiment
