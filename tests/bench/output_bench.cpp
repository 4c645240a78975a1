// The recorder's overhead (issue: <= 15%): the baseline replication collected in memory
// against the same replication collected, packed (chunk_codec) and written to an HDF5 results
// file, all on one thread. The argument is the runs per file: /64 includes creating a file
// every 64 runs (~10 ms each), /512 is closer to the steady state of a long `mss run`.
#include <benchmark/benchmark.h>

#include <unistd.h>
#include <filesystem>
#include <memory>
#include <string>

#include "sim/experiment/mission_runs.hpp"
#include "sim/model/baseline.hpp"
#include "sim/output/chunk_codec.hpp"
#include "sim/output/results_writer.hpp"
#include "tests/bench/thread_cpu.hpp"

namespace {

using namespace mss;
using bench::thread_cpu_s;

std::filesystem::path scratch_file(const std::string& name) {
    return std::filesystem::temp_directory_path() /
           ("mss-bench-" + name + "-" + std::to_string(::getpid()) + ".h5");
}

/// A results file for `runs` runs of `base`, as `mss run` opens it.
std::unique_ptr<output::ResultsWriter> open_writer(const std::filesystem::path& path,
                                                   const model::ModelConfig& base,
                                                   std::int64_t runs) {
    output::Provenance prov;
    prov.command_line = "mss-bench";
    return std::make_unique<output::ResultsWriter>(path, experiment::layout_for(base, runs), prov);
}

void BM_BaselineInMemory(benchmark::State& state) {
    const experiment::RecordingConfig cfg(model::baseline_config());
    const std::int64_t runs = state.range(0);
    for (auto _ : state) {
        // The same replications as BM_BaselineToHdf5 (the work differs between replications).
        for (std::int64_t i = 0; i < runs; ++i) {
            output::RunRecord r = experiment::simulate_run(cfg, 1, {i, 0, i});
            benchmark::DoNotOptimize(r.strength.data());
        }
    }
    state.SetItemsProcessed(state.iterations() * runs);
}
BENCHMARK(BM_BaselineInMemory)->Arg(64)->Arg(512)->Unit(benchmark::kMillisecond);

void BM_BaselineToHdf5(benchmark::State& state) {
    const model::ModelConfig base = model::baseline_config();
    const experiment::RecordingConfig cfg(base);
    const std::int64_t runs = state.range(0);
    const auto path = scratch_file("hdf5");
    std::uintmax_t bytes = 0;
    for (auto _ : state) {
        const auto writer = open_writer(path, base, runs);
        for (std::int64_t i = 0; i < runs; ++i) {
            output::RunRecord r = experiment::simulate_run(cfg, 1, {i, 0, i});
            output::pack(r);  // a worker thread's share of the recorder
            writer->append(std::move(r));
        }
        writer->finish();
        bytes = std::filesystem::file_size(path);
    }
    std::filesystem::remove(path);
    state.SetItemsProcessed(state.iterations() * runs);
    state.counters["file_bytes_per_run"] = static_cast<double>(bytes) / static_cast<double>(runs);
}
BENCHMARK(BM_BaselineToHdf5)->Arg(64)->Arg(512)->Unit(benchmark::kMillisecond);

// The overhead as one figure, robust to this machine's drift (the two benchmarks above run
// seconds apart): every replication is simulated twice back to back, once kept in memory and
// once packed and written, in alternating order, and the thread CPU time of each is summed.
// `overhead_pct` = 100 * (recorded - in memory) / in memory, file creation included.
void BM_RecorderOverhead(benchmark::State& state) {
    const model::ModelConfig base = model::baseline_config();
    const experiment::RecordingConfig cfg(base);
    const std::int64_t runs = state.range(0);
    const auto path = scratch_file("overhead");
    double in_memory = 0.0, recorded = 0.0;
    for (auto _ : state) {
        const double c0 = thread_cpu_s();
        const auto writer = open_writer(path, base, runs);
        recorded += thread_cpu_s() - c0;
        for (std::int64_t i = 0; i < runs; ++i) {
            auto memory = [&] {
                const double t0 = thread_cpu_s();
                output::RunRecord r = experiment::simulate_run(cfg, 1, {i, 0, i});
                benchmark::DoNotOptimize(r.strength.data());
                in_memory += thread_cpu_s() - t0;
            };
            auto to_file = [&] {
                const double t0 = thread_cpu_s();
                output::RunRecord r = experiment::simulate_run(cfg, 1, {i, 0, i});
                output::pack(r);
                writer->append(std::move(r));
                recorded += thread_cpu_s() - t0;
            };
            if (i % 2 == 0) {
                memory();
                to_file();
            } else {
                to_file();
                memory();
            }
        }
        const double t0 = thread_cpu_s();
        writer->finish();
        recorded += thread_cpu_s() - t0;
    }
    std::filesystem::remove(path);
    state.SetItemsProcessed(state.iterations() * runs);
    state.counters["in_memory_ms_per_run"] =
        1e3 * in_memory / static_cast<double>(state.iterations() * runs);
    state.counters["recorded_ms_per_run"] =
        1e3 * recorded / static_cast<double>(state.iterations() * runs);
    state.counters["overhead_pct"] = 100.0 * (recorded - in_memory) / in_memory;
}
BENCHMARK(BM_RecorderOverhead)->Arg(512)->Unit(benchmark::kMillisecond);

}  // namespace
