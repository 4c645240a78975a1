// Glue between the mission model and the results file: one run's record, and the file layout
// a scenario implies.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/experiment/runner.hpp"
#include "sim/model/config.hpp"
#include "sim/output/results_writer.hpp"
#include "sim/output/trace_writer.hpp"

namespace mss::experiment {

/// A scenario prepared for recording: the model reports every event when the scenario records
/// events, and the collector keeps the scenario's first `max_events` of each run and counts the
/// rest as dropped.
struct RecordingConfig {
    explicit RecordingConfig(const model::ModelConfig& cfg);
    model::ModelConfig model;
    bool events;              ///< the scenario records events
    std::int64_t max_events;  ///< the first this many of each run
};

/// Simulates run `spec` under master seed `seed` (streams depend on the replication, never on
/// the point: common random numbers). A model failure gives status `failed`, NaN KPIs and NaN
/// series, never a crash; its message goes to `failure` when given. Throws model::RunStopped
/// when `stop` (if given) becomes non-zero during the run: nothing of it is kept.
output::RunRecord simulate_run(const RecordingConfig& cfg, std::uint64_t seed, const RunSpec& spec,
                               std::string* failure = nullptr,
                               const std::atomic<int>* stop = nullptr);

/// The record of a run that failed (status `failed`, NaN KPIs, NaN series, regime -1).
output::RunRecord failed_record(const model::ModelConfig& cfg, std::uint64_t seed,
                                const RunSpec& spec);

/// Runs `spec` reporting to `obs`, every event included; returns the KPIs. Throws what the
/// model throws (model::RunStopped once `stop`, if given, is non-zero).
model::RunKpis trace_run(const model::ModelConfig& cfg, std::uint64_t seed, const RunSpec& spec,
                         model::Observer& obs, const std::atomic<int>* stop = nullptr);

/// Regime names and their stationary shares (empty when violence is off).
void regime_table(const model::ModelConfig& cfg, std::vector<std::string>& names,
                  std::vector<double>& shares);

/// The file layout of `rows` runs of `cfg` (a plain run: one point, no factors).
output::FileLayout layout_for(const model::ModelConfig& cfg, std::int64_t rows);

/// The names a trace of `cfg` writes: its start date, contingents and airports.
output::TraceLabels trace_labels_for(const model::ModelConfig& cfg);

}  // namespace mss::experiment
