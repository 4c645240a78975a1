// A one-line progress display (runs done/total, rate, ETA) for terminals. Silent when stderr is
// not a terminal or when quiet.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace mss::experiment {

class Progress {
public:
    /// `label` prefixes the line ("runs", "sweep"); quiet or a non-terminal stderr: silent.
    Progress(std::string label, bool quiet);
    /// Reports `done` of `total`; redraws at most 5 times a second (and at the end).
    void update(std::int64_t done, std::int64_t total);
    /// The same with a note after the counts (a sweep's "point 3/12"); `note` is called only
    /// when the line is redrawn.
    void update(std::int64_t done, std::int64_t total, const std::function<std::string()>& note);
    /// Ends the line if anything was drawn.
    void finish();
    /// True when it draws.
    bool active() const noexcept { return active_; }

private:
    std::string label_;
    bool active_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace mss::experiment
