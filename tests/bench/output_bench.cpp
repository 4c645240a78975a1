// The recorder's overhead (issue: <= 15%): the baseline replication collected in memory
// against the same replication collected and written to an HDF5 results file, one thread.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <unistd.h>

#include "sim/experiment/mission_runs.hpp"
#include "sim/model/baseline.hpp"
#include "sim/output/results_writer.hpp"

namespace {

using namespace mss;

constexpr std::int64_t kRunsPerIteration = 64;

void BM_BaselineInMemory(benchmark::State& state) {
    const experiment::RecordingConfig cfg(model::baseline_config());
    std::int64_t run = 0;
    for (auto _ : state) {
        for (std::int64_t i = 0; i < kRunsPerIteration; ++i, ++run) {
            output::RunRecord r = experiment::simulate_run(cfg, 1, {run, 0, run});
            benchmark::DoNotOptimize(r.strength.data());
        }
    }
    state.SetItemsProcessed(state.iterations() * kRunsPerIteration);
}
BENCHMARK(BM_BaselineInMemory)->Unit(benchmark::kMillisecond);

void BM_BaselineToHdf5(benchmark::State& state) {
    const model::ModelConfig base = model::baseline_config();
    const experiment::RecordingConfig cfg(base);
    const auto path = std::filesystem::temp_directory_path() /
                      ("mss-bench-" + std::to_string(::getpid()) + ".h5");
    std::int64_t run = 0;
    std::uintmax_t bytes = 0;
    for (auto _ : state) {
        output::Provenance prov;
        prov.command_line = "mss-bench";
        output::ResultsWriter writer(path, experiment::layout_for(base, kRunsPerIteration), prov);
        for (std::int64_t i = 0; i < kRunsPerIteration; ++i, ++run)
            writer.append(experiment::simulate_run(cfg, 1, {i, 0, run}));
        writer.finish();
        bytes = std::filesystem::file_size(path);
    }
    std::filesystem::remove(path);
    state.SetItemsProcessed(state.iterations() * kRunsPerIteration);
    state.counters["file_bytes_per_run"] = static_cast<double>(bytes) / kRunsPerIteration;
}
BENCHMARK(BM_BaselineToHdf5)->Unit(benchmark::kMillisecond);

}  // namespace
