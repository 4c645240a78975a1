#include "sim/experiment/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace mss::experiment {

Progress::Progress(std::string label, bool quiet)
    : label_(std::move(label)),
      active_(!quiet && isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void Progress::update(std::int64_t done, std::int64_t total) {
    update(done, total, nullptr);
}

void Progress::update(std::int64_t done, std::int64_t total,
                      const std::function<std::string()>& note) {
    if (!active_) return;
    const auto now = std::chrono::steady_clock::now();
    if (done < total && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
    const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0.0;
    const std::string extra = note ? "  " + note() : std::string();
    std::fprintf(stderr, "\r%s %lld/%lld%s  %.1f/s  ETA %.0f s   ", label_.c_str(),
                 static_cast<long long>(done), static_cast<long long>(total), extra.c_str(), rate,
                 eta);
    std::fflush(stderr);
    drawn_ = true;
}

void Progress::finish() {
    if (drawn_) std::fprintf(stderr, "\n");
    drawn_ = false;
}

}  // namespace mss::experiment
