// Kernel benchmarks (DESIGN §9): events per second on PHOLD and M/M/c, written with the public
// process API the way a model would be, to be read side by side with the hand-written speed
// limit ../shared/bench/des_limit.cpp (same models, same machine, same minute; compare ratios).
// Also the calendar's hold pattern at several heap arities, the evidence for `Calendar`.
//
// Random numbers: a RandomStream whose engine is reseeded to 12345 (des_limit's default seed;
// both are the 64-bit Mersenne Twister seeded with one integer), drawn exactly as des_limit
// draws them: U = top 53 bits * 2^-53 and the inline exponential -mean * log(1 - U). So the
// work per event matches des_limit's, draw for draw: BM_MMc's mean_wq counter equals
// `des_limit mmc --customers 200000`'s mean_wq, and PHOLD visits the same events in the same
// order as `des_limit phold-coro-token`.
#include <cmath>
#include <cstdint>
#include <vector>

#include <benchmark/benchmark.h>

#include "sim/kernel/calendar.hpp"
#include "sim/kernel/process.hpp"
#include "sim/kernel/random.hpp"
#include "sim/kernel/resource.hpp"
#include "sim/kernel/simulation.hpp"

using namespace mss::kernel;

namespace {

/// des_limit's default seed.
constexpr std::uint64_t kDesLimitSeed = 12345;

/// A stream that draws what des_limit's Rng draws.
class BenchRng {
public:
    explicit BenchRng(const char* name) : stream_(0, 0, name) {
        stream_.engine().seed(kDesLimitSeed);
    }
    /// U[0, 1) from the top 53 bits of one engine output.
    double u01() { return stream_.uniform01(); }
    /// Exp with mean `mean`, inline as in des_limit (the Boost ziggurat would be other work).
    double expo(double mean) { return -mean * std::log(1.0 - u01()); }

private:
    RandomStream stream_;
};

// ---- PHOLD ------------------------------------------------------------------------------------

constexpr std::uint32_t kLps = 1024;
constexpr std::uint32_t kPopulation = 4;  // initial events per LP: 4,096 always pending
constexpr double kRemote = 0.9;
constexpr double kLookahead = 0.1;
constexpr double kMeanDelay = 1.0;
/// Events handled per benchmark iteration (setup is outside the timed loop).
constexpr double kPholdEventsPerIteration = 2'000'000;

/// PHOLD's per-event work, as in des_limit's PholdModel: count, pick destination, pick delay.
struct Phold {
    BenchRng rng{"bench/phold"};
    std::vector<std::uint64_t> counts = std::vector<std::uint64_t>(kLps, 0);

    double initial_delay() { return kLookahead + rng.expo(kMeanDelay); }
    /// Handles an event at `lp`; returns where the next one goes and sets its delay.
    std::uint32_t on_event(std::uint32_t lp, double& delay) {
        ++counts[lp];
        std::uint32_t dst = lp;
        if (rng.u01() < kRemote) {
            dst = static_cast<std::uint32_t>(rng.u01() * (kLps - 1));
            if (dst >= lp) ++dst;
        }
        delay = kLookahead + rng.expo(kMeanDelay);
        return dst;
    }
};

/// One in-flight PHOLD event as a process (SimPy style): handle it at `lp`, sleep, move on.
Process<> phold_token(Simulation& sim, Phold& model, std::uint32_t lp, double first_delay) {
    co_await sim.timeout(first_delay);
    for (;;) {
        double delay;
        const std::uint32_t dst = model.on_event(lp, delay);
        co_await sim.timeout(delay);
        lp = dst;
    }
}

void BM_Phold(benchmark::State& state) {
    Phold model;  // outlives the simulation, which destroys the token frames
    Simulation sim;
    for (std::uint32_t lp = 0; lp < kLps; ++lp)
        for (std::uint32_t k = 0; k < kPopulation; ++k)
            phold_token(sim, model, lp, model.initial_delay());
    // Start every token (each schedules its first timeout, all >= kLookahead) before timing.
    sim.run_until(kLookahead);

    // Each token handles one event per (lookahead + mean delay) hours on average.
    const double horizon =
        kPholdEventsPerIteration * (kLookahead + kMeanDelay) / (kLps * kPopulation);
    const std::uint64_t before = sim.entries_handled();
    for (auto _ : state)
        sim.run_until(sim.now() + horizon);
    const std::uint64_t events = sim.entries_handled() - before;
    state.SetItemsProcessed(static_cast<std::int64_t>(events));
    state.counters["pending"] = static_cast<double>(sim.pending());
}
// Wall-clock rates, as des_limit measures them (steady_clock around the loop).
BENCHMARK(BM_Phold)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- M/M/c ------------------------------------------------------------------------------------

constexpr std::size_t kServers = 3;
constexpr double kLambda = 2.4;
constexpr double kMu = 1.0;
constexpr std::uint64_t kCustomers = 200'000;

/// What the customers report: the total wait in queue.
struct MmcStats {
    double total_wait = 0.0;
};

Process<> mmc_customer(Simulation& sim, Resource& servers, double service_h, MmcStats& stats) {
    const double arrived = sim.now();
    auto server = co_await servers.request();
    stats.total_wait += sim.now() - arrived;
    co_await sim.timeout(service_h);
}

/// Poisson arrivals; each customer's service time is drawn at its arrival, as in des_limit.
Process<> mmc_source(Simulation& sim, Resource& servers, BenchRng& rng, MmcStats& stats) {
    for (std::uint64_t i = 0; i < kCustomers; ++i) {
        co_await sim.timeout(rng.expo(1.0 / kLambda));
        mmc_customer(sim, servers, rng.expo(1.0 / kMu), stats);
    }
}

void BM_MMc(benchmark::State& state) {
    double mean_wq = 0.0;
    for (auto _ : state) {
        BenchRng rng("bench/mmc");
        MmcStats stats;
        Simulation sim;
        Resource servers(sim, kServers);
        mmc_source(sim, servers, rng, stats);
        sim.run();
        mean_wq = stats.total_wait / static_cast<double>(kCustomers);
    }
    // Two events per customer (arrival, departure), as des_limit counts them.
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 2 * kCustomers));
    state.counters["mean_wq"] = mean_wq;
}
BENCHMARK(BM_MMc)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- calendar ---------------------------------------------------------------------------------

/// PHOLD's hold pattern on the bare calendar: the earliest of 4,096 entries is replaced by one
/// 0.1 + Exp(1) hours later, in one sift (what Simulation does when a resumed process waits).
template <unsigned Arity>
void BM_CalendarHeap(benchmark::State& state) {
    BenchRng rng("bench/calendar");
    HeapCalendar<Arity> calendar;
    const std::uint64_t n = kLps * kPopulation;
    calendar.reserve(n);
    std::uint64_t key = 0;
    for (std::uint64_t i = 0; i < n; ++i)
        calendar.push({kLookahead + rng.expo(kMeanDelay), ++key, static_cast<std::uintptr_t>(i)});
    for (auto _ : state) {
        const CalendarEntry& top = calendar.top();
        calendar.replace_top({top.time + kLookahead + rng.expo(kMeanDelay), ++key, top.target});
    }
    benchmark::DoNotOptimize(calendar.top());
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK_TEMPLATE(BM_CalendarHeap, 2);
BENCHMARK_TEMPLATE(BM_CalendarHeap, 4);
BENCHMARK_TEMPLATE(BM_CalendarHeap, 8);

}  // namespace
