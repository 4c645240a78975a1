// What a sweep does with each finished run besides simulating it (docs/performance.md,
// Performance): the record of a baseline replication is encoded by the simulating thread,
// appended to the journal by the coordinating thread (the one that serves the MPI ranks) and
// written to the results file by the results-file thread, which takes the events straight
// from the journaled bytes. The replications are simulated once, before timing; each part is
// timed in thread CPU time and reported per run. These are the costs that share the cores
// with the simulation under `mpirun -n 2 -j 1`.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "sim/experiment/journal.hpp"
#include "sim/experiment/mission_runs.hpp"
#include "sim/experiment/record_codec.hpp"
#include "sim/model/baseline.hpp"
#include "sim/output/chunk_codec.hpp"
#include "sim/output/results_writer.hpp"
#include "tests/bench/thread_cpu.hpp"

namespace {

using namespace mss;
using bench::thread_cpu_s;

void BM_SweepRecordPath(benchmark::State& state) {
    const model::ModelConfig base = model::baseline_config();
    const experiment::RecordingConfig cfg(base);
    const std::int64_t runs = state.range(0);
    std::vector<output::RunRecord> records;  // as a simulating thread has them, packed
    for (std::int64_t i = 0; i < runs; ++i) {
        records.push_back(experiment::simulate_run(cfg, 1, {i, 0, i}));
        output::pack(records.back());
    }
    const std::string stem =
        (std::filesystem::temp_directory_path() / ("mss-bench-sweep-" + std::to_string(::getpid())))
            .string();
    const std::filesystem::path journal_path = stem + ".journal", results_path = stem + ".h5";
    experiment::JournalHeader header;
    header.identity = "0123456789abcdef";
    header.total_runs = header.run_count = runs;
    output::Provenance prov;
    prov.command_line = "mss-bench";
    double encode_s = 0.0, journal_s = 0.0, write_s = 0.0;
    std::string encoded;
    std::size_t record_bytes = 0;
    for (auto _ : state) {
        std::filesystem::remove(journal_path);
        experiment::Journal journal = experiment::Journal::create(journal_path, header);
        output::ResultsWriter writer(results_path, experiment::layout_for(base, runs), prov);
        for (std::int64_t i = 0; i < runs; ++i) {
            // The simulating thread's share: encoding what it sends or hands over.
            const double t0 = thread_cpu_s();
            encoded.clear();
            experiment::encode_record(records[static_cast<std::size_t>(i)], encoded);
            const double t1 = thread_cpu_s();
            // The coordinating thread's share: the journal (checksum and write).
            journal.append(i, encoded);
            const double t2 = thread_cpu_s();
            // The results-file thread's share: decode, events as slices, write.
            output::EventSlices events;
            output::RunRecord rec = experiment::decode_record(encoded, &events);
            writer.append(std::move(rec), &events);
            const double t3 = thread_cpu_s();
            encode_s += t1 - t0;
            journal_s += t2 - t1;
            write_s += t3 - t2;
        }
        const double t0 = thread_cpu_s();
        writer.finish();
        write_s += thread_cpu_s() - t0;
        record_bytes = encoded.size();
        state.PauseTiming();
        journal.remove();
        state.ResumeTiming();
    }
    std::filesystem::remove(results_path);
    const double n = static_cast<double>(state.iterations()) * static_cast<double>(runs);
    state.SetItemsProcessed(state.iterations() * runs);
    state.counters["record_bytes"] = static_cast<double>(record_bytes);
    state.counters["encode_us_per_run"] = 1e6 * encode_s / n;
    state.counters["journal_us_per_run"] = 1e6 * journal_s / n;
    state.counters["results_file_us_per_run"] = 1e6 * write_s / n;
}
BENCHMARK(BM_SweepRecordPath)->Arg(256)->Unit(benchmark::kMillisecond);

}  // namespace
