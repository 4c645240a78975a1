#include "sim/experiment/signals.hpp"

#include <csignal>

namespace mss::experiment {

namespace {

// A signal handler can only touch lock-free atomics; this one flag is the process's only
// global state, and it exists because signals are process-wide.
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

struct sigaction g_old_int, g_old_term, g_old_hup;

extern "C" void on_signal(int sig) {
    g_signal.store(sig);
}

}  // namespace

SignalGuard::SignalGuard() {
    g_signal.store(0);
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, &g_old_int);
    sigaction(SIGTERM, &sa, &g_old_term);
    sigaction(SIGHUP, &sa, &g_old_hup);
}

SignalGuard::~SignalGuard() {
    sigaction(SIGINT, &g_old_int, nullptr);
    sigaction(SIGTERM, &g_old_term, nullptr);
    sigaction(SIGHUP, &g_old_hup, nullptr);
}

int SignalGuard::received() noexcept {
    return g_signal.load();
}

const std::atomic<int>& SignalGuard::stop_flag() noexcept {
    return g_signal;
}

int SignalGuard::exit_code() noexcept {
    const int s = g_signal.load();
    return s == 0 ? 0 : 128 + s;
}

}  // namespace mss::experiment
