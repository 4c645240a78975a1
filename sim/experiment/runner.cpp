// Worker threads take run indices from a shared counter; finished records wait in a slot ring
// until the calling thread consumes them in order. The ring size is the memory bound. The
// calling thread is woken for a few records at a time, not for each: a wake-up costs both cores
// a context switch, and the simulating threads lose their caches to it.
#include "sim/experiment/runner.hpp"

#include <sched.h>

#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

#include "sim/model/mission.hpp"

namespace mss::experiment {

int available_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        const int n = CPU_COUNT(&set);
        if (n > 0) return n;
    }
    const unsigned hw = std::thread::hardware_concurrency();
    return hw > 0 ? static_cast<int>(hw) : 1;
}

void start_threads(std::vector<std::thread>& pool, std::int64_t count,
                   const std::function<void()>& body, const std::function<void()>& stop) {
    try {
        pool.reserve(static_cast<std::size_t>(count));
        for (std::int64_t t = 0; t < count; ++t)
            pool.emplace_back(body);
    } catch (const std::system_error& e) {
        const std::size_t started = pool.size();
        stop();
        for (auto& t : pool)
            t.join();
        pool.clear();
        throw ThreadStartError("cannot start " + std::to_string(count) + " threads (the system " +
                               "refused one after " + std::to_string(started) + "): " + e.what() +
                               "; use fewer threads (-j)");
    }
}

std::int64_t run_all(const std::vector<RunSpec>& runs, const RunFunction& run, const RunSink& sink,
                     const RunnerOptions& options) {
    const std::int64_t total = static_cast<std::int64_t>(runs.size());
    if (total == 0) return 0;
    // No more threads than runs: the others would only start and return.
    const int threads =
        static_cast<int>(std::min<std::int64_t>(std::max(1, options.threads), total));
    const std::size_t window =
        options.window > 0 ? options.window : static_cast<std::size_t>(4 * threads + 16);

    std::mutex m;
    std::condition_variable produced, consumed;
    std::vector<std::optional<output::RunRecord>> ring(window);
    std::int64_t next_to_take = 0;  // next run index a worker will simulate
    std::int64_t next_to_sink = 0;  // next run index the sink needs
    bool abort = false;
    std::exception_ptr error;
    // The sink is woken once `batch` records are ready in order, or as soon as the next one is
    // when the workers can take nothing more (the window is full or no run is left).
    const std::int64_t batch = std::max<std::int64_t>(1, static_cast<std::int64_t>(window) / 4);

    auto stopped = [&] { return abort || (options.stop != nullptr && options.stop->load() != 0); };
    auto ready = [&](std::int64_t i) {
        return i < total && ring[static_cast<std::size_t>(i) % window].has_value();
    };
    // Under m: whether the sink should run now.
    auto sink_due = [&] {
        if (!ready(next_to_sink)) return false;
        if (next_to_take >= total ||
            next_to_take >= next_to_sink + static_cast<std::int64_t>(window))
            return true;
        for (std::int64_t i = 1; i < batch; ++i)
            if (!ready(next_to_sink + i)) return false;
        return true;
    };

    auto worker = [&] {
        for (;;) {
            std::int64_t i;
            {
                std::unique_lock lock(m);
                consumed.wait(lock, [&] {
                    return stopped() || next_to_take >= total ||
                           next_to_take < next_to_sink + static_cast<std::int64_t>(window);
                });
                if (stopped() || next_to_take >= total) return;
                i = next_to_take++;
            }
            bool wake = true, failed = false;
            try {
                output::RunRecord r = run(runs[static_cast<std::size_t>(i)]);
                std::lock_guard lock(m);
                ring[static_cast<std::size_t>(i) % window] = std::move(r);
                wake = sink_due();
            } catch (const model::RunStopped&) {
                std::lock_guard lock(m);
                abort = failed = true;  // the stop flag is set: the sink stops anyway
            } catch (...) {
                std::lock_guard lock(m);
                if (!error) error = std::current_exception();
                abort = failed = true;
            }
            if (wake) produced.notify_all();
            if (failed) consumed.notify_all();  // the other workers stop too
        }
    };

    std::vector<std::thread> pool;
    start_threads(pool, threads, worker, [&] {
        {
            std::lock_guard lock(m);
            abort = true;
        }
        consumed.notify_all();
    });

    std::int64_t delivered = 0;
    bool draining = false;  // woken: sink every record ready in order before waiting again
    try {
        while (delivered < total) {
            output::RunRecord r;
            {
                std::unique_lock lock(m);
                auto& slot = ring[static_cast<std::size_t>(next_to_sink) % window];
                if (!slot.has_value()) draining = false;
                // Wake periodically so a stop request (a signal) is noticed promptly; once
                // stopped, what is ready in order is still sunk.
                while (!(slot.has_value() && (draining || sink_due())) && !stopped())
                    produced.wait_for(lock, std::chrono::milliseconds(100));
                if (!slot.has_value()) break;
                draining = true;
                r = std::move(*slot);
                slot.reset();
                ++next_to_sink;
            }
            consumed.notify_all();
            sink(std::move(r));
            ++delivered;
            if (options.progress) options.progress(delivered, total);
        }
    } catch (...) {
        std::lock_guard lock(m);
        if (!error) error = std::current_exception();
        abort = true;
    }
    {
        std::lock_guard lock(m);
        if (delivered < total) abort = true;
    }
    consumed.notify_all();
    for (auto& t : pool)
        t.join();
    if (error) std::rethrow_exception(error);
    return delivered;
}

}  // namespace mss::experiment
