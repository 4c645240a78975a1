// `mss run`'s engine: R replications of one scenario on threads, streamed to one HDF5 file that
// appears under its final name only when complete; and the CSV trace of one of those runs
// (`--only RUN --trace FILE`), which appears the same way.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/experiment/progress.hpp"
#include "sim/experiment/summary.hpp"
#include "sim/model/config.hpp"
#include "sim/output/results_writer.hpp"

namespace mss::experiment {

struct PlainRunOptions {
    std::int64_t replications = 1;
    std::uint64_t seed = 1;
    int threads = 1;
    ProgressMode progress = ProgressMode::automatic;  ///< how progress is shown
    std::optional<std::int64_t> only;                 ///< write only this run id (one row)
    bool replace = false;  ///< --force: replace the output, even one made while this ran
};

struct PlainRunResult {
    bool interrupted = false;    ///< a signal stopped it; no file was left
    int signal_exit_code = 0;    ///< 130 or 143 when interrupted
    std::int64_t runs = 0;       ///< runs written
    std::int64_t failed = 0;     ///< runs whose model failed (status failed)
    std::string first_failure;   ///< message of the first failure
    std::vector<KpiStats> kpis;  ///< over the ok runs, in kpi_columns() order
    BindingShares binding;       ///< what binds, over the ok runs
};

/// Runs and writes `final_path` atomically: the file is written as a temporary beside it
/// (TempFile::beside: `final_path` + ".tmp-HOST-PID-RANDOM") and renamed when complete; on an error
/// or a signal the temporary is removed and nothing appears under the final name.
PlainRunResult run_to_file(const model::ModelConfig& cfg, const PlainRunOptions& options,
                           const std::filesystem::path& final_path,
                           const output::Provenance& provenance);

struct TraceResult {
    bool interrupted = false;  ///< a signal stopped it; no file was left
    int signal_exit_code = 0;  ///< 130 or 143 when interrupted
};

/// Simulates run id `run` (replication `run`) of `cfg` under master seed `seed`, every event
/// recorded whatever the scenario's output options, and writes its CSV trace
/// (output::TraceWriter) to `final_path` atomically, as run_to_file writes its file. SIGINT,
/// SIGTERM or SIGHUP stops the run at once. Throws output::OutputError when the
/// trace cannot be written ("cannot write TEMP", "writing TEMP failed (reason)") or renamed,
/// and what the model throws.
TraceResult trace_to_file(const model::ModelConfig& cfg, std::uint64_t seed, std::int64_t run,
                          const std::filesystem::path& final_path, bool replace = false);

/// The statistics of every model::kpi_columns() KPI over `columns` (one per KPI in that order:
/// the values of the ok runs).
std::vector<KpiStats> model_kpi_stats(const std::vector<std::vector<double>>& columns);

}  // namespace mss::experiment
