// Mission benchmarks (issue 3): one two-year replication of the baseline configuration with
// billets scaled by 1, 10 and 100, in replications per second (items_per_second), with the
// kernel calendar entries handled per replication as a counter. The scale multiplies every
// contingent's billets and batch sizes, and the seats of every aircraft and transfer vehicle
// and the minimum load, so lift keeps pace with personnel while the number of processes (and
// so of sorties) stays the same: the cost that grows is the personnel work.
#include <benchmark/benchmark.h>

#include "sim/model/baseline.hpp"
#include "sim/model/memory_observer.hpp"
#include "sim/model/mission.hpp"

namespace {

mss::model::ModelConfig scaled_baseline(int scale) {
    mss::model::ModelConfig m = mss::model::baseline_config();
    for (auto& c : m.contingents) {
        c.billets *= scale;
        for (auto& b : c.generation)
            b.count *= scale;
    }
    for (auto& a : m.aircraft)
        a.seats *= scale;
    for (auto& l : m.links)
        l.seats_per_trip *= scale;
    m.airlift.min_load *= scale;
    return m;
}

void BM_MissionReplication(benchmark::State& state) {
    const mss::model::ModelConfig m = scaled_baseline(static_cast<int>(state.range(0)));
    std::uint64_t replication = 0;
    double events = 0, personnel = 0;
    for (auto _ : state) {
        mss::model::MemoryObserver obs(false);
        mss::model::Mission mission(m, m.scenario.seed, replication++, obs);
        const mss::model::RunKpis k = mission.finish();
        events += static_cast<double>(k.events_handled);
        personnel += static_cast<double>(mission.roster().size());
        benchmark::DoNotOptimize(k);
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["events_per_rep"] =
        benchmark::Counter(events / static_cast<double>(state.iterations()));
    state.counters["personnel_per_rep"] =
        benchmark::Counter(personnel / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_MissionReplication)
    ->Arg(1)
    ->Arg(10)
    ->Arg(100)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
