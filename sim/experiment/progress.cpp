#include "sim/experiment/progress.hpp"

#include <unistd.h>

namespace mss::experiment {

std::optional<ProgressMode> parse_progress_mode(std::string_view text) {
    if (text == "auto") return ProgressMode::automatic;
    if (text == "tty") return ProgressMode::tty;
    if (text == "log") return ProgressMode::log;
    if (text == "off") return ProgressMode::off;
    return std::nullopt;
}

Progress::Progress(std::string label, ProgressMode mode, std::FILE* stream,
                   std::chrono::steady_clock::duration log_every)
    : label_(std::move(label)),
      mode_(mode),
      stream_(stream),
      log_every_(log_every),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {
    if (mode_ == ProgressMode::automatic)
        mode_ = isatty(fileno(stream_)) == 1 ? ProgressMode::tty : ProgressMode::log;
}

void Progress::update(std::int64_t done, std::int64_t total) {
    update(done, total, nullptr);
}

void Progress::update(std::int64_t done, std::int64_t total,
                      const std::function<std::string()>& note) {
    if (mode_ == ProgressMode::off) return;
    const auto now = std::chrono::steady_clock::now();
    if (mode_ == ProgressMode::log) {
        // The end is said by the command's own closing lines; a log line only while it runs.
        if (done >= total || now - last_ < log_every_) return;
    } else if (done < total && now - last_ < std::chrono::milliseconds(200)) {
        return;
    }
    last_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
    const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0.0;
    const std::string extra = note ? "  " + note() : std::string();
    if (mode_ == ProgressMode::log) {
        std::fprintf(stream_, "%s %lld/%lld%s  %.1f/s  elapsed %.0f s  ETA %.0f s\n",
                     label_.c_str(), static_cast<long long>(done), static_cast<long long>(total),
                     extra.c_str(), rate, elapsed, eta);
    } else {
        std::fprintf(stream_, "\r%s %lld/%lld%s  %.1f/s  ETA %.0f s   ", label_.c_str(),
                     static_cast<long long>(done), static_cast<long long>(total), extra.c_str(),
                     rate, eta);
        drawn_ = true;
    }
    std::fflush(stream_);
}

void Progress::finish() {
    if (drawn_) std::fprintf(stream_, "\n");
    drawn_ = false;
}

}  // namespace mss::experiment
