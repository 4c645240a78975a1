#include "sim/experiment/plain_run.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "sim/experiment/files.hpp"
#include "sim/experiment/mission_runs.hpp"
#include "sim/experiment/progress.hpp"
#include "sim/experiment/runner.hpp"
#include "sim/experiment/signals.hpp"
#include "sim/model/mission.hpp"
#include "sim/output/chunk_codec.hpp"
#include "sim/output/trace_writer.hpp"

namespace mss::experiment {

std::vector<KpiStats> model_kpi_stats(const std::vector<std::vector<double>>& columns) {
    std::vector<KpiStats> out;
    std::size_t k = 0;
    for (const auto& c : model::kpi_columns())
        out.push_back(kpi_stats(kpi_info(c.name), columns.at(k++)));
    return out;
}

PlainRunResult run_to_file(const model::ModelConfig& cfg, const PlainRunOptions& options,
                           const std::filesystem::path& final_path,
                           const output::Provenance& provenance) {
    PlainRunResult result;
    std::vector<RunSpec> runs;
    if (options.only) {
        runs.push_back({*options.only, 0, *options.only});
    } else {
        for (std::int64_t r = 0; r < options.replications; ++r)
            runs.push_back({r, 0, r});
    }
    const auto R = static_cast<std::int64_t>(runs.size());

    SignalGuard signals;
    TempFile temp = TempFile::beside(final_path);
    std::vector<std::vector<double>> kpi_values(model::kpi_columns().size());
    const RecordingConfig recording(cfg);
    {
        output::ResultsWriter writer(temp.path(), layout_for(cfg, R), provenance);
        Progress progress("runs", options.progress);
        RunnerOptions ro;
        ro.threads = options.threads;
        ro.stop = &SignalGuard::stop_flag();
        ro.progress = [&](std::int64_t done, std::int64_t total) { progress.update(done, total); };
        std::mutex failure_mutex;
        auto simulate = [&](const RunSpec& spec) {
            std::string failure;
            output::RunRecord rec =
                simulate_run(recording, options.seed, spec, &failure, &SignalGuard::stop_flag());
            output::pack(rec);  // on this worker thread: the writer only copies bytes
            if (!failure.empty()) {
                std::lock_guard lock(failure_mutex);
                if (result.first_failure.empty())
                    result.first_failure = "run " + std::to_string(spec.run) + ": " + failure;
            }
            return rec;
        };
        auto sink = [&](output::RunRecord&& rec) {
            // Statistics over the ok runs (docs/statistics.md).
            if (rec.status == output::RunStatus::ok) {
                std::size_t k = 0;
                for (const auto& col : model::kpi_columns())
                    kpi_values[k++].push_back(rec.kpis.*(col.member));
            } else {
                ++result.failed;
            }
            writer.append(std::move(rec));
        };
        result.runs = run_all(runs, simulate, sink, ro);
        progress.finish();
        if (result.runs < R) {
            result.interrupted = true;
            result.signal_exit_code = SignalGuard::exit_code();
            return result;  // the writer closes, the temporary is removed
        }
        writer.finish();
    }
    durable_rename(temp.path(), final_path, false, options.replace);
    temp.release();
    result.kpis = model_kpi_stats(kpi_values);
    std::vector<const std::vector<double>*> binding;
    for (const std::string& name : binding_kpis())
        for (std::size_t k = 0; k < model::kpi_columns().size(); ++k)
            if (model::kpi_columns()[k].name == name) binding.push_back(&kpi_values[k]);
    result.binding = binding_shares(binding);
    return result;
}

TraceResult trace_to_file(const model::ModelConfig& cfg, std::uint64_t seed, std::int64_t run,
                          const std::filesystem::path& final_path, bool replace) {
    TraceResult result;
    SignalGuard signals;
    TempFile temp = TempFile::beside(final_path);
    std::ofstream trace(temp.path());
    if (!trace) throw output::OutputError("cannot write " + temp.path().string());
    const output::TraceLabels labels = trace_labels_for(cfg);
    output::TraceWriter writer(trace, labels, &SignalGuard::stop_flag());
    try {
        trace_run(cfg, seed, RunSpec{run, 0, run}, writer, &SignalGuard::stop_flag());
    } catch (const output::TraceWriter::Interrupted&) {
        result.interrupted = true;
        result.signal_exit_code = SignalGuard::exit_code();
        return result;  // the temporary is removed
    } catch (const model::RunStopped&) {
        result.interrupted = true;
        result.signal_exit_code = SignalGuard::exit_code();
        return result;  // the temporary is removed
    }
    errno = 0;
    trace.close();
    if (!trace) {
        const int cause = writer.error() != 0 ? writer.error() : errno;
        std::string what = "writing " + temp.path().string() + " failed";
        if (cause != 0) what += " (" + std::string(std::strerror(cause)) + ")";
        throw output::OutputError(what);
    }
    durable_rename(temp.path(), final_path, false, replace);
    temp.release();
    return result;
}

}  // namespace mss::experiment
