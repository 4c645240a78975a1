#include "sim/experiment/mission_runs.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <limits>

#include "sim/model/mission.hpp"

namespace mss::experiment {

RecordingConfig::RecordingConfig(const model::ModelConfig& cfg)
    : model(cfg), events(cfg.output.events), max_events(cfg.output.max_events_per_run) {}

output::RunRecord simulate_run(const RecordingConfig& cfg, std::uint64_t seed, const RunSpec& spec,
                               std::string* failure, const std::atomic<int>* stop) {
    output::RunRecord r;
    r.run = spec.run;
    r.point = spec.point;
    r.replication = spec.replication;
    r.seed = seed;
    // Room for what the run will record, so that the columns are not regrown day by day and
    // event by event: the series' sizes are known, the events are guessed from the previous
    // run on this thread.
    thread_local std::size_t events_last_run = 0;
    const auto D = static_cast<std::size_t>(cfg.model.scenario.horizon_days);
    const std::size_t C = cfg.model.contingents.size(), A = cfg.model.airports.size();
    for (auto* s : {&r.strength, &r.on_duty, &r.filled, &r.waiting_at_origin, &r.in_transit})
        s->reserve(D * C);
    r.airport_open.reserve(D * A);
    r.airport_closed.reserve(D * A * model::kClosureClassCount);
    r.payer_balance.reserve(D * cfg.model.funding.payers.size());
    r.regime.reserve(D);
    r.events.reserve(
        std::min<std::size_t>(events_last_run + events_last_run / 8,
                              static_cast<std::size_t>(std::max<std::int64_t>(0, cfg.max_events))));
    const auto t0 = std::chrono::steady_clock::now();
    try {
        output::RunCollector collector(r, cfg.events, cfg.max_events);
        model::run_replication(cfg.model, seed, static_cast<std::uint64_t>(spec.replication),
                               collector, stop);
    } catch (const model::RunStopped&) {
        throw;  // not a failed run: an abandoned one
    } catch (const std::exception& e) {
        if (failure != nullptr) *failure = e.what();
        output::RunRecord failed = failed_record(cfg.model, seed, spec);
        r = std::move(failed);
    }
    r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    events_last_run = r.events.size();
    return r;
}

output::RunRecord failed_record(const model::ModelConfig& cfg, std::uint64_t seed,
                                const RunSpec& spec) {
    output::RunRecord r;
    r.run = spec.run;
    r.point = spec.point;
    r.replication = spec.replication;
    r.seed = seed;
    r.status = output::RunStatus::failed;
    const auto D = static_cast<std::size_t>(cfg.scenario.horizon_days);
    const std::size_t C = cfg.contingents.size(), A = cfg.airports.size();
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (auto* s : {&r.strength, &r.on_duty, &r.filled, &r.waiting_at_origin, &r.in_transit})
        s->assign(D * C, nan);
    r.airport_open.assign(D * A, nan);
    r.airport_closed.assign(D * A * model::kClosureClassCount, nan);
    r.payer_balance.assign(D * cfg.funding.payers.size(), nan);
    r.regime.assign(D, -1);
    // Every KPI of a failed run is missing, per contingent too (not the zeros a run starts
    // counting from: summaries would count them as measured values).
    model::ContingentKpis missing;
    for (const auto& k : model::contingent_kpi_columns())
        missing.*(k.member) = model::kNaN;
    r.contingent_kpis.assign(C, missing);
    model::PayerKpis no_ledger;
    for (const auto& k : model::payer_kpi_columns())
        no_ledger.*(k.member) = model::kNaN;
    r.payer_kpis.assign(cfg.funding.payers.size(), no_ledger);
    for (const auto& k : model::kpi_columns())
        r.kpis.*(k.member) = model::kNaN;
    return r;
}

model::RunKpis trace_run(const model::ModelConfig& cfg, std::uint64_t seed, const RunSpec& spec,
                         model::Observer& obs, const std::atomic<int>* stop) {
    // Every event, whatever the scenario's output options: they are the recorder's, and a trace
    // observer wants them all.
    return model::run_replication(cfg, seed, static_cast<std::uint64_t>(spec.replication), obs,
                                  stop);
}

void regime_table(const model::ModelConfig& cfg, std::vector<std::string>& names,
                  std::vector<double>& shares) {
    names.clear();
    shares.clear();
    if (!cfg.violence.enabled || cfg.violence.regimes.empty()) return;
    shares = model::stationary_regime_shares(cfg.violence);
    for (const auto& r : cfg.violence.regimes)
        names.push_back(r.name);
}

output::FileLayout layout_for(const model::ModelConfig& cfg, std::int64_t rows) {
    output::FileLayout l;
    l.start_days_since_epoch = cfg.scenario.start_days_since_epoch;
    l.days = cfg.scenario.horizon_days;
    for (const auto& c : cfg.contingents)
        l.contingents.push_back(c.name);
    for (const auto& a : cfg.airports)
        l.airports.push_back(a.code);
    for (const auto& p : cfg.funding.payers)
        l.payers.push_back(p.name);
    regime_table(cfg, l.regimes, l.regime_shares);
    l.points = {{}};
    l.rows = rows;
    return l;
}

output::TraceLabels trace_labels_for(const model::ModelConfig& cfg) {
    output::TraceLabels l;
    l.start_days_since_epoch = cfg.scenario.start_days_since_epoch;
    for (const auto& c : cfg.contingents)
        l.contingents.push_back(c.name);
    for (const auto& a : cfg.airports)
        l.airports.push_back(a.code);
    return l;
}

}  // namespace mss::experiment
