// sim/experiment/optimize_run.cpp — `mss optimize`'s engine (see the header): a stage driver
// that turns the procedure's survivors into run specs and the runs' KPIs into its outputs, fed
// from the journal (resume), from simulation, or from a results file (replay); then the
// results file and its /optimize group.
#include "sim/experiment/optimize_run.hpp"

#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>

#include "sim/experiment/files.hpp"
#include "sim/experiment/journal.hpp"
#include "sim/experiment/mpi_driver.hpp"
#include "sim/experiment/record_codec.hpp"
#include "sim/experiment/runner.hpp"
#include "sim/experiment/shards.hpp"
#include "sim/experiment/signals.hpp"
#include "sim/experiment/sweep_run.hpp"
#include "sim/model/observer.hpp"
#include "sim/optimize/rinott.hpp"
#include "sim/output/results_reader.hpp"

namespace mss::experiment {

namespace fs = std::filesystem;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const char* kProcedureName =
    "KN (Kim & Nelson 2001, ACM TOMACS 11(3)) for the objective with the feasibility check of "
    "Andradottir & Kim (2010, Naval Research Logistics 57(5)) for the constraints, alpha split "
    "by Bonferroni, common random numbers, decisions at stage ends (docs/optimize.md)";

/// The procedure fed one run at a time, in run order: which run comes next, and the outputs
/// of every run so far (for the estimates and Rinott's yardstick).
class StageDriver {
public:
    explicit StageDriver(const scenario::OptimizeLoadResult& plan)
        : plan_(plan),
          procedure_(scenario::procedure_settings(plan.optimize, plan.sweep.points.size()),
                     static_cast<std::size_t>(plan.optimize.max_alternatives)),
          values_(plan.sweep.points.size()) {
        begin_stage();
    }

    bool done() const { return procedure_.done(); }
    /// The run id the next record must carry.
    std::int64_t next_run() const { return next_run_; }
    /// The runs of the current stage not yet given.
    std::vector<RunSpec> remaining() const {
        return {stage_specs_.begin() + static_cast<std::ptrdiff_t>(taken_), stage_specs_.end()};
    }
    /// The spec of the next run (done() must be false).
    const RunSpec& expected() const { return stage_specs_.at(taken_); }
    std::int64_t stage() const { return procedure_.history().size() + 1; }
    /// Whether no run of the current stage has been given yet.
    bool at_stage_start() const { return taken_ == 0; }

    /// Gives the next run's KPIs (model::kpi_columns() order). Decides at a stage's end.
    /// std::invalid_argument when a value the procedure needs is not finite.
    void add(const std::vector<double>& kpis) {
        const RunSpec& spec = expected();
        std::vector<double> out = scenario::procedure_outputs(plan_.optimize, kpis);
        stage_outputs_[position_of(spec.point)].push_back(out);
        values_[static_cast<std::size_t>(spec.point)].push_back(std::move(out));
        run_stage_.push_back(stage());
        ++taken_;
        ++next_run_;
        if (taken_ == stage_specs_.size()) {
            procedure_.add_stage(stage_outputs_);
            if (!procedure_.done()) begin_stage();
        }
    }

    const optimize::Procedure& procedure() const { return procedure_; }
    /// [alternative][replication][output]
    const std::vector<std::vector<std::vector<double>>>& values() const { return values_; }
    const std::vector<std::int64_t>& run_stage() const { return run_stage_; }

private:
    void begin_stage() {
        stage_specs_.clear();
        taken_ = 0;
        const std::int64_t n = procedure_.next_stage_size();
        const auto& survivors = procedure_.survivors();
        stage_outputs_.assign(survivors.size(), {});
        std::int64_t run = next_run_;
        for (const std::size_t i : survivors) {
            const auto r0 = static_cast<std::int64_t>(values_[i].size());
            for (std::int64_t r = 0; r < n; ++r)
                stage_specs_.push_back({run++, static_cast<std::int64_t>(i), r0 + r});
        }
    }
    std::size_t position_of(std::int64_t point) const {
        const auto& s = procedure_.survivors();
        for (std::size_t p = 0; p < s.size(); ++p)
            if (static_cast<std::int64_t>(s[p]) == point) return p;
        throw std::logic_error("optimize: a run of an alternative not in contention");
    }

    const scenario::OptimizeLoadResult& plan_;
    optimize::Procedure procedure_;
    std::vector<RunSpec> stage_specs_;
    std::size_t taken_ = 0;
    std::int64_t next_run_ = 0;
    optimize::Procedure::Outputs stage_outputs_;
    std::vector<std::vector<std::vector<double>>> values_;
    std::vector<std::int64_t> run_stage_;
};

std::string fate_name(optimize::Fate::Kind k) {
    switch (k) {
        case optimize::Fate::Kind::in_contention:
            return "in_contention";
        case optimize::Fate::Kind::chosen:
            return "chosen";
        case optimize::Fate::Kind::worse:
            return "worse";
        case optimize::Fate::Kind::infeasible:
            return "infeasible";
    }
    return "unknown";
}

std::string status_name(optimize::Status s) {
    switch (s) {
        case optimize::Status::running:
            return "running";
        case optimize::Status::chosen:
            return "chosen";
        case optimize::Status::none_feasible:
            return "none_feasible";
        case optimize::Status::budget_exhausted:
            return "budget_exhausted";
    }
    return "unknown";
}

std::string label_of(const scenario::DesignPoint& p) {
    std::string s;
    for (const auto& [k, v] : p.values)
        s += (s.empty() ? "" : ", ") + k + "=" + v;
    return s;
}

/// Plain words for a fate, with the alternatives and constraints named.
std::string why_words(const optimize::Fate& f, const scenario::OptimizeConfig& plan) {
    const std::string at = " at stage " + std::to_string(f.stage);
    switch (f.kind) {
        case optimize::Fate::Kind::in_contention:
            return "in contention when the procedure stopped";
        case optimize::Fate::Kind::chosen:
            return "chosen" + at;
        case optimize::Fate::Kind::worse:
            return "worse than alternative " + std::to_string(f.by) + " by more than the " +
                   "continuation region allows" + at;
        case optimize::Fate::Kind::infeasible:
            return "infeasible: " + plan.constraints.at(f.constraint).text() + " fails" + at;
    }
    return {};
}

/// Builds /optimize from a finished driver.
output::OptimizeRecord make_record(const scenario::OptimizeLoadResult& plan, const StageDriver& d,
                                   optimize::Decision& decision) {
    const auto& opt = plan.optimize;
    const optimize::Procedure& p = d.procedure();
    decision = p.decision();
    output::OptimizeRecord r;
    r.plan_toml = plan.resolved_text;
    r.identity = plan.identity_hash;
    r.procedure = kProcedureName;
    r.status = status_name(decision.status);
    r.guarantee = decision.guarantee;
    r.confidence = opt.confidence;
    r.delta = opt.objective.delta;
    r.chosen = decision.chosen ? static_cast<std::int64_t>(*decision.chosen) : -1;
    r.runs = decision.runs;
    r.stages = decision.stages;
    r.first_stage = opt.first_stage;
    r.increment = opt.increment;
    r.budget = opt.budget;
    const OptimizeOutputs outs = optimize_outputs(opt);
    r.output_names = outs.names;
    r.output_kind = outs.kinds;
    const std::size_t k = plan.sweep.points.size(), m = outs.names.size();
    std::vector<double> first_variances;
    for (std::size_t i = 0; i < k; ++i) {
        const auto& f = decision.fates[i];
        r.labels.push_back(label_of(plan.sweep.points[i]));
        r.fate.push_back(fate_name(f.kind));
        r.fate_stage.push_back(f.kind == optimize::Fate::Kind::in_contention ? -1 : f.stage);
        r.eliminated_by.push_back(
            f.kind == optimize::Fate::Kind::worse ? static_cast<std::int64_t>(f.by) : -1);
        r.infeasible_constraint.push_back(f.kind == optimize::Fate::Kind::infeasible
                                              ? static_cast<std::int64_t>(f.constraint)
                                              : -1);
        r.feasible.push_back(f.feasible ? 1 : 0);
        r.feasible_stage.push_back(f.feasible ? f.feasible_stage : -1);
        r.replications.push_back(f.replications);
        r.why.push_back(why_words(f, opt));
        const auto& vals = d.values()[i];
        std::vector<double> est(m, kNaN), lo(m, kNaN), hi(m, kNaN);
        for (std::size_t o = 0; o < m; ++o) {
            std::vector<double> column;
            for (const auto& row : vals)
                column.push_back(row[o]);
            if (column.empty()) continue;
            est[o] = mean_of(column);
            Interval ci;
            if (outs.kinds[o] == "probability") {
                std::int64_t yes = 0;
                for (double v : column)
                    yes += v > 0.5 ? 1 : 0;
                ci = wilson_interval(yes, static_cast<std::int64_t>(column.size()));
            } else {
                const std::size_t kpi =
                    o == 0 ? opt.objective.kpi_index : opt.constraints[o - 1].kpi_index;
                const auto& col = model::kpi_columns().at(kpi);
                ci = t_interval(column, col.lower, col.upper);
            }
            lo[o] = ci.low;
            hi[o] = ci.high;
        }
        r.estimate.push_back(est);
        r.ci_low.push_back(lo);
        r.ci_high.push_back(hi);
        // Rinott's first stage: the objective's sample variance over replications 0 .. n0-1.
        std::vector<double> first;
        for (std::int64_t j = 0; j < opt.first_stage && j < static_cast<std::int64_t>(vals.size());
             ++j)
            first.push_back(vals[static_cast<std::size_t>(j)][0]);
        const double sd = sd_of(first);
        first_variances.push_back(sd * sd);
    }
    if (k >= 2) {
        r.rinott_h = optimize::rinott_h(k, opt.first_stage, opt.confidence);
        r.rinott_runs = optimize::rinott_runs(r.rinott_h, opt.objective.delta, opt.first_stage,
                                              first_variances);
    }
    for (const auto& s : p.history()) {
        r.stage_replications.push_back(s.replications);
        r.stage_runs.push_back(s.runs);
        r.stage_mean.push_back(s.means);
    }
    r.run_stage = d.run_stage();
    std::string summary = decision.summary;
    if (decision.chosen)
        summary =
            "alternative " + std::to_string(*decision.chosen) + " (" + r.labels[*decision.chosen] +
            ")" +
            summary.substr(std::string("alternative " + std::to_string(*decision.chosen)).size());
    r.summary = summary;
    return r;
}

/// The KPIs of a record as a vector in model::kpi_columns() order.
std::vector<double> kpis_of(const output::RunRecord& rec) {
    std::vector<double> v;
    for (const auto& c : model::kpi_columns())
        v.push_back(rec.kpis.*(c.member));
    return v;
}

/// Checks a record is the run the driver expects next.
void check_expected(const StageDriver& d, std::int64_t run, std::int64_t point,
                    std::int64_t replication, const std::string& where) {
    const RunSpec& e = d.expected();
    if (run != e.run || point != e.point || replication != e.replication)
        throw SweepInputError(where + ": run " + std::to_string(run) + " is alternative " +
                              std::to_string(point) + ", replication " +
                              std::to_string(replication) + "; this plan's run " +
                              std::to_string(e.run) + " is alternative " + std::to_string(e.point) +
                              ", replication " + std::to_string(e.replication) +
                              ": it was written by another mss or another plan");
}

/// Everything fixed before the runs: the plan as a sweep plan (for the journal and the file).
JournalHeader journal_header_for(const scenario::OptimizeLoadResult& plan) {
    JournalHeader h;
    h.identity = plan.identity_hash;
    h.total_runs = plan.optimize.budget;
    h.first_run = 0;
    h.run_count = plan.optimize.budget;
    return h;
}

/// Writes the results file from the journal (the driver's runs), adds /optimize, renames.
void write_results(const scenario::OptimizeLoadResult& plan, const fs::path& output,
                   const output::Provenance& provenance, bool replace, Journal& journal,
                   const output::OptimizeRecord& record) {
    TempFile part = TempFile::beside(output);
    {
        output::ResultsWriter writer(part.path(), optimize_layout(plan, record.runs), provenance);
        JournalReader reader(journal.path());
        std::string payload;
        std::int64_t run = 0;
        for (std::int64_t n = 0; n < record.runs; ++n) {
            if (!reader.next(run, payload))
                throw JournalError(journal.path().string() + ": record " + std::to_string(n) +
                                   " is missing or damaged");
            output::EventSlices events;
            output::RunRecord rec = decode_record(payload, &events);
            writer.append(std::move(rec), &events);
        }
        writer.finish();
    }
    output::write_optimize_group(part.path(), record);
    sync_file(part.path());
    durable_rename(part.path(), output, true, replace);
    part.release();
}

}  // namespace

OptimizeOutputs optimize_outputs(const scenario::OptimizeConfig& plan) {
    OptimizeOutputs o;
    o.names.push_back(plan.objective.kpi);
    o.kinds.emplace_back("objective");
    for (const auto& c : plan.constraints) {
        o.names.push_back(c.text());
        o.kinds.emplace_back(c.kind == scenario::OptConstraint::Kind::probability ? "probability"
                                                                                  : "mean");
    }
    return o;
}

output::FileLayout optimize_layout(const scenario::OptimizeLoadResult& plan, std::int64_t rows) {
    output::FileLayout layout = layout_for(plan.sweep.base.config, rows);
    layout.factor_names.clear();
    for (const auto& f : plan.sweep.sweep.factors)
        layout.factor_names.push_back(f.key);
    layout.points.clear();
    for (const auto& dp : plan.sweep.points) {
        std::vector<double> row;
        for (std::size_t f = 0; f < dp.values.size(); ++f)
            row.push_back(factor_point_value(plan.sweep.sweep.factors.at(f), dp.values[f].second));
        layout.points.push_back(std::move(row));
    }
    return layout;
}

OptimizeRunResult replay_optimize(const scenario::OptimizeLoadResult& plan, const fs::path& file) {
    const output::RunsTable runs = output::read_runs(file);
    StageDriver d(plan);
    const std::size_t K = model::kpi_columns().size();
    std::vector<std::size_t> column(K);
    for (std::size_t c = 0; c < K; ++c) {
        const std::string& name = model::kpi_columns()[c].name;
        std::size_t j = 0;
        while (j < runs.kpi_names.size() && runs.kpi_names[j] != name)
            ++j;
        if (j == runs.kpi_names.size())
            throw SweepInputError(file.string() + " has no KPI " + name);
        column[c] = j;
    }
    for (std::size_t row = 0; row < runs.run.size() && !d.done(); ++row) {
        check_expected(d, runs.run[row], runs.point[row], runs.replication[row], file.string());
        std::vector<double> kpis(K);
        for (std::size_t c = 0; c < K; ++c)
            kpis[c] = runs.kpis[column[c]][row];
        d.add(kpis);
    }
    if (!d.done() || static_cast<std::int64_t>(runs.run.size()) != d.next_run())
        throw SweepInputError(file.string() + " holds " + std::to_string(runs.run.size()) +
                              " runs, not the runs of this plan's optimisation");
    OptimizeRunResult result;
    result.outcome = OptimizeRunResult::Outcome::already_complete;
    result.resumed = static_cast<std::int64_t>(runs.run.size());
    result.record = make_record(plan, d, result.decision);
    return result;
}

namespace {

/// Opens the journal as the options ask (the checks and messages of `mss sweep`); nullopt when,
/// with --resume and no journal, the output already holds this plan's optimisation (then
/// `result` is its replay).
std::optional<Journal> open_optimize_journal(const scenario::OptimizeLoadResult& plan,
                                             const fs::path& output, const OptimizeRunOptions& o,
                                             OptimizeRunResult& result) {
    const fs::path journal_file = journal_path_for(output);
    std::error_code ec;
    if (const fs::file_status st = fs::symlink_status(journal_file, ec);
        fs::exists(st) && !fs::is_regular_file(st))
        throw SweepInputError(journal_file.string() + " is " + file_type_words(st.type()) +
                              ", not a regular file: the optimisation's journal goes there; "
                              "remove it, or give another -o");
    remove_headerless_journal(journal_file);
    TempFile::remove_stale(output);
    const JournalHeader want = journal_header_for(plan);
    if (fs::exists(journal_file, ec)) {
        if (!o.resume)
            throw SweepInputError(journal_file.string() +
                                  " exists: the optimisation was interrupted; pass --resume to "
                                  "continue it, or delete the journal to start over");
        std::optional<Journal> journal;
        try {
            journal.emplace(Journal::open(journal_file));
        } catch (const JournalConflict& e) {
            throw SweepInputError(std::string("--resume: ") + e.what());
        }
        if (!(journal->header() == want))
            throw SweepInputError("--resume: " + journal_file.string() +
                                  " belongs to another plan (identity " +
                                  journal->header().identity + "; this plan is " + want.identity +
                                  "): the plan file or its base scenario changed since it was "
                                  "written. Resume with the original files, or delete the "
                                  "journal to start over");
        result.resumed = journal->records();
        result.discarded_bytes = journal->discarded_bytes();
        result.journal_damage = journal->damage();
        return journal;
    }
    if (fs::exists(output, ec)) {
        if (o.resume) {
            try {
                result = replay_optimize(plan, output);
                return std::nullopt;
            } catch (const std::exception& e) {
                if (!o.force)
                    throw SweepInputError("--resume: there is no journal " + journal_file.string() +
                                          " and " + output.string() +
                                          " is not this plan's result (" + e.what() +
                                          "); pass --force to overwrite it");
            }
        } else if (!o.force) {
            throw SweepInputError(output.string() + " exists; pass --force to overwrite it");
        }
    }
    try {
        return Journal::create(journal_file, want);
    } catch (const JournalConflict& e) {
        throw SweepInputError(e.what());
    }
}

/// The journal's records replayed through the driver; their KPI rows appended to `kpi_rows`
/// when given (for the other MPI ranks).
void replay_journal(const Journal& journal, StageDriver& d, std::vector<double>* kpi_rows) {
    if (journal.records() == 0) return;
    JournalReader reader(journal.path());
    std::string payload;
    std::int64_t run = 0;
    for (std::int64_t n = 0; n < journal.records(); ++n) {
        if (!reader.next(run, payload))
            throw JournalError(journal.path().string() + ": record " + std::to_string(n) +
                               " is missing or damaged");
        if (d.done())
            throw SweepInputError(journal.path().string() +
                                  " holds more runs than this plan's procedure asks for");
        const output::RunRecord rec = decode_record(payload);
        check_expected(d, rec.run, rec.point, rec.replication, journal.path().string());
        if (rec.status != output::RunStatus::ok)
            throw SweepInputError(journal.path().string() + ": run " + std::to_string(rec.run) +
                                  " failed when it was simulated");
        const std::vector<double> kpis = kpis_of(rec);
        if (kpi_rows) kpi_rows->insert(kpi_rows->end(), kpis.begin(), kpis.end());
        d.add(kpis);
    }
}

/// Simulates `specs` on threads; each record goes to `sink` in order. Returns the records
/// delivered; `failure` names the first run that failed (its record is not delivered, and
/// nothing after it).
std::int64_t simulate_specs(PointConfigs& configs, const std::vector<RunSpec>& specs,
                            const OptimizeRunOptions& o, Progress& progress, std::int64_t stage,
                            const std::function<void(output::RunRecord&&)>& sink,
                            std::string& failure) {
    std::mutex failure_mutex;
    std::string first_failure;
    auto simulate = [&](const RunSpec& spec) {
        std::string why;
        output::RunRecord rec = configs.simulate(spec, &why, &SignalGuard::stop_flag());
        if (!why.empty()) {
            std::lock_guard lock(failure_mutex);
            if (first_failure.empty())
                first_failure = "run " + std::to_string(spec.run) + " (alternative " +
                                std::to_string(spec.point) + ", replication " +
                                std::to_string(spec.replication) + "): " + why;
        }
        return rec;
    };
    struct RunFailed {};
    std::int64_t delivered = 0;
    auto deliver = [&](output::RunRecord&& rec) {
        // Not kept: the same run would fail again, so the plan must change first.
        if (rec.status != output::RunStatus::ok) throw RunFailed{};
        sink(std::move(rec));
        ++delivered;
    };
    RunnerOptions ro;
    ro.threads = o.threads;
    ro.stop = &SignalGuard::stop_flag();
    ro.progress = [&](std::int64_t done, std::int64_t total) {
        progress.update(done, total, [&] { return "stage " + std::to_string(stage); });
    };
    try {
        run_all(specs, simulate, deliver, ro);
    } catch (const RunFailed&) {
        std::lock_guard lock(failure_mutex);
        failure = first_failure.empty() ? std::string("a run failed") : first_failure;
    }
    return delivered;
}

/// Writes the results once the driver is done; fills the record and timing.
void finish(const scenario::OptimizeLoadResult& plan, const fs::path& output,
            const output::Provenance& provenance, const OptimizeRunOptions& o, Journal& journal,
            const StageDriver& d, OptimizeRunResult& result) {
    result.record = make_record(plan, d, result.decision);
    const auto t0 = std::chrono::steady_clock::now();
    write_results(plan, output, provenance, o.force, journal, result.record);
    result.final_write_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    journal.remove();
}

/// Appends the runs of the merged stage file `file` (the current stage's, every run, in run
/// order) to the journal and gives them to the driver.
void absorb_stage_file(const fs::path& file, Journal& journal, StageDriver& d,
                       OptimizeRunResult& result) {
    const std::vector<RunSpec> want = d.remaining();
    const output::RunsTable runs = output::read_runs(file);
    std::vector<std::int64_t> ids;
    for (const auto& w : want)
        ids.push_back(w.run);
    if (runs.run != ids)
        throw SweepInputError(
            file.string() + " holds runs " +
            (runs.run.empty()
                 ? std::string("none")
                 : std::to_string(runs.run.front()) + "-" + std::to_string(runs.run.back())) +
            " (" + std::to_string(runs.run.size()) + "), not the " + std::to_string(ids.size()) +
            " runs " + std::to_string(ids.front()) + "-" + std::to_string(ids.back()) +
            " of stage " + std::to_string(d.stage()) +
            ": merge every shard of the stage (mss merge) and resume again");
    constexpr std::int64_t kBlock = 64;
    const auto n = static_cast<std::int64_t>(ids.size());
    for (std::int64_t first = 0; first < n; first += kBlock) {
        for (const output::RunRecord& rec :
             output::read_records(file, first, std::min(kBlock, n - first))) {
            check_expected(d, rec.run, rec.point, rec.replication, file.string());
            if (rec.status != output::RunStatus::ok)
                throw SweepInputError(file.string() + ": run " + std::to_string(rec.run) +
                                      " failed when it was simulated");
            journal.append(rec.run, encode_record(rec));
            d.add(kpis_of(rec));
            ++result.absorbed;
        }
    }
    journal.sync();
}

/// `--shard I/N`: slice I of the current stage, decided from the journal's runs (read, not
/// written), into its own results file.
OptimizeRunResult run_shard(const scenario::OptimizeLoadResult& plan, const fs::path& output,
                            const output::Provenance& provenance, const OptimizeRunOptions& o) {
    OptimizeRunResult result;
    std::error_code ec;
    if (fs::exists(output, ec))
        throw SweepInputError(output.string() +
                              " exists: this optimisation is finished; nothing to shard");
    StageDriver d(plan);
    const fs::path journal_file = journal_path_for(output);
    if (fs::exists(journal_file, ec)) {
        JournalReader reader(journal_file);
        if (!(reader.header() == journal_header_for(plan)))
            throw SweepInputError(journal_file.string() + " belongs to another plan (identity " +
                                  reader.header().identity + "; this plan is " +
                                  plan.identity_hash + ")");
        std::int64_t run = 0;
        std::string payload;
        while (reader.next(run, payload)) {
            if (d.done())
                throw SweepInputError(journal_file.string() +
                                      " holds more runs than this plan's procedure asks for");
            const output::RunRecord rec = decode_record(payload);
            check_expected(d, rec.run, rec.point, rec.replication, journal_file.string());
            d.add(kpis_of(rec));
            ++result.resumed;
        }
    }
    result.stage = d.stage();
    if (d.done()) {
        result.outcome = OptimizeRunResult::Outcome::decided;
        return result;
    }
    if (!d.at_stage_start())
        throw SweepInputError(journal_file.string() + " holds part of stage " +
                              std::to_string(d.stage()) +
                              "; finish it without --shard (mss optimize ... --resume)");
    const std::vector<RunSpec> todo = d.remaining();
    const auto total = static_cast<std::int64_t>(todo.size());
    if (o.shard.count > total)
        throw SweepInputError("--shard " + o.shard.str() + ": stage " + std::to_string(d.stage()) +
                              " has only " + std::to_string(total) + " runs; use at most " +
                              std::to_string(total) + " shards");
    const RunRange slice = shard_range(o.shard, total);
    const std::vector<RunSpec> mine(todo.begin() + slice.first, todo.begin() + slice.end);
    result.stage_runs = {todo.front().run, todo.back().run + 1};
    result.shard_runs = {mine.front().run, mine.back().run + 1};
    result.written = shard_file(output, d.stage(), o.shard);
    if (fs::exists(result.written, ec) && !o.force)
        throw SweepInputError(result.written.string() + " exists; pass --force to overwrite it");
    output::Provenance prov = provenance;
    prov.extra.emplace_back("optimize_stage", std::to_string(d.stage()));
    prov.extra.emplace_back("optimize_stage_runs", range_text(result.stage_runs));
    prov.extra.emplace_back("shard", o.shard.str());
    prov.extra.emplace_back("shard_runs", range_text(result.shard_runs));
    TempFile::remove_stale(result.written);
    TempFile part = TempFile::beside(result.written);
    PointConfigs configs(plan.sweep);
    Progress progress("optimize runs", o.progress);
    std::int64_t delivered = 0;
    {
        output::ResultsWriter writer(part.path(), optimize_layout(plan, slice.size()), prov);
        auto sink = [&](output::RunRecord&& rec) { writer.append(std::move(rec)); };
        delivered = simulate_specs(configs, mine, o, progress, d.stage(), sink, result.failure);
        progress.finish();
        if (!result.failure.empty()) {
            result.outcome = OptimizeRunResult::Outcome::failed;
            return result;
        }
        if (delivered < slice.size() || SignalGuard::received() != 0) {
            result.outcome = OptimizeRunResult::Outcome::interrupted;
            result.signal_exit_code = SignalGuard::exit_code();
            return result;
        }
        writer.finish();
    }
    output::write_stage_column(part.path(), std::vector<std::int64_t>(mine.size(), d.stage()));
    sync_file(part.path());
    durable_rename(part.path(), result.written, true, o.force);
    part.release();
    result.simulated = delivered;
    result.outcome = OptimizeRunResult::Outcome::shard_written;
    return result;
}

OptimizeRunResult run_local(const scenario::OptimizeLoadResult& plan, const fs::path& output,
                            const output::Provenance& provenance, const OptimizeRunOptions& o) {
    OptimizeRunResult result;
    std::optional<Journal> journal = open_optimize_journal(plan, output, o, result);
    if (!journal) return result;
    const EmptyJournalRemover remover(*journal);
    StageDriver d(plan);
    replay_journal(*journal, d, nullptr);
    // A stage simulated by shards and merged (mss merge) is taken in, and decided; the next
    // stage is then the shards' again (or a --resume without its stage file runs it here).
    if (const fs::path merged = stage_file(output, d.stage());
        !d.done() && d.at_stage_start() && fs::exists(merged)) {
        result.stage = d.stage();
        absorb_stage_file(merged, *journal, d, result);
        result.written = merged;
        if (!d.done()) {
            result.outcome = OptimizeRunResult::Outcome::stage_absorbed;
            return result;
        }
    }
    PointConfigs configs(plan.sweep);
    Progress progress("optimize runs", o.progress);
    while (!d.done()) {
        const std::vector<RunSpec> todo = d.remaining();
        auto sink = [&](output::RunRecord&& rec) {
            journal->append(rec.run, encode_record(rec));
            ++result.simulated;
            d.add(kpis_of(rec));
        };
        const std::int64_t delivered =
            simulate_specs(configs, todo, o, progress, d.stage(), sink, result.failure);
        journal->sync();
        if (!result.failure.empty()) {
            progress.finish();
            result.outcome = OptimizeRunResult::Outcome::failed;
            return result;
        }
        if (delivered < static_cast<std::int64_t>(todo.size()) || SignalGuard::received() != 0) {
            progress.finish();
            result.outcome = OptimizeRunResult::Outcome::interrupted;
            result.signal_exit_code = SignalGuard::exit_code();
            return result;
        }
    }
    progress.finish();
    finish(plan, output, provenance, o, *journal, d, result);
    return result;
}

// --- MPI: one message format per step (every rank decodes what rank 0 decided) ---

void put_u64(std::string& s, std::uint64_t v) {
    s.append(reinterpret_cast<const char*>(&v), sizeof v);
}
std::uint64_t get_u64(const std::string& s, std::size_t& at) {
    std::uint64_t v = 0;
    if (at + sizeof v > s.size()) throw std::runtime_error("mss optimize: a short MPI message");
    std::memcpy(&v, s.data() + at, sizeof v);
    at += sizeof v;
    return v;
}

/// Rank 0's word to every rank: how to go on, the KPI rows every driver takes, a message.
struct Verdict {
    enum Code : std::uint64_t {
        go_on = 0,
        interrupted = 1,
        failed = 2,
        input_error = 3,
        io_error = 4,
        complete = 5
    };
    std::uint64_t code = go_on;
    std::uint64_t exit_code = 0;
    std::vector<double> kpi_rows;
    std::string message;

    std::string encode() const {
        std::string s;
        put_u64(s, code);
        put_u64(s, exit_code);
        put_u64(s, kpi_rows.size());
        s.append(reinterpret_cast<const char*>(kpi_rows.data()), kpi_rows.size() * sizeof(double));
        s += message;
        return s;
    }
    static Verdict decode(const std::string& s) {
        Verdict v;
        std::size_t at = 0;
        v.code = get_u64(s, at);
        v.exit_code = get_u64(s, at);
        const std::uint64_t n = get_u64(s, at);
        if (at + n * sizeof(double) > s.size())
            throw std::runtime_error("mss optimize: a short MPI message");
        v.kpi_rows.resize(n);
        std::memcpy(v.kpi_rows.data(), s.data() + at, n * sizeof(double));
        v.message = s.substr(at + n * sizeof(double));
        return v;
    }
};

/// The verdict's KPI rows, run by run, into the driver (every rank, rank 0 too).
void take_rows(const Verdict& v, StageDriver& d) {
    const std::size_t K = model::kpi_columns().size();
    for (std::size_t at = 0; at + K <= v.kpi_rows.size(); at += K)
        d.add({v.kpi_rows.begin() + static_cast<std::ptrdiff_t>(at),
               v.kpi_rows.begin() + static_cast<std::ptrdiff_t>(at + K)});
}

OptimizeRunResult follower(std::uint64_t exit_code) {
    OptimizeRunResult r;
    r.outcome = OptimizeRunResult::Outcome::follower;
    r.exit_code = static_cast<int>(exit_code);
    return r;
}

OptimizeRunResult run_distributed(MpiSession& mpi, const scenario::OptimizeLoadResult& plan,
                                  const fs::path& output, const output::Provenance& provenance,
                                  const OptimizeRunOptions& o) {
    const bool root = mpi.rank() == 0;
    OptimizeRunResult result;
    std::optional<Journal> journal;
    std::optional<EmptyJournalRemover> remover;
    StageDriver d(plan);
    // 1. Rank 0 opens (or resumes) the journal and replays it; every rank takes its rows.
    Verdict start;
    if (root) {
        try {
            journal = open_optimize_journal(plan, output, o, result);
            if (!journal) {
                start.code = Verdict::complete;
            } else {
                remover.emplace(*journal);
                replay_journal(*journal, d, &start.kpi_rows);
            }
        } catch (const SweepInputError& e) {
            start = Verdict{Verdict::input_error, 2, {}, e.what()};
        } catch (const std::exception& e) {
            start = Verdict{Verdict::io_error, 1, {}, e.what()};
        }
    }
    std::string bytes = root ? start.encode() : std::string();
    mpi.broadcast(bytes);
    start = Verdict::decode(bytes);
    if (root) {
        if (start.code == Verdict::input_error) throw SweepInputError(start.message);
        if (start.code == Verdict::io_error) throw std::runtime_error(start.message);
        if (start.code == Verdict::complete) return result;
    } else {
        if (start.code != Verdict::go_on)
            return follower(start.code == Verdict::complete ? 0 : start.exit_code);
        take_rows(start, d);
    }
    // 2. Stage by stage: each rank simulates its slice (the shard rule over the stage's runs)
    // on its threads; rank 0 journals the slices in rank order, up to the first run missing,
    // and tells every rank the KPI rows to take and whether to go on.
    PointConfigs configs(plan.sweep);
    Progress progress("optimize runs", root ? o.progress : ProgressMode::off);
    while (!d.done()) {
        const std::vector<RunSpec> todo = d.remaining();
        const RunRange slice =
            shard_range({mpi.rank(), mpi.size()}, static_cast<std::int64_t>(todo.size()));
        const std::vector<RunSpec> mine(todo.begin() + slice.first, todo.begin() + slice.end);
        std::string bundle, failure;
        put_u64(bundle, 0);  // records, filled in below
        std::uint64_t count = 0;
        auto sink = [&](output::RunRecord&& rec) {
            const std::string payload = encode_record(rec);
            put_u64(bundle, payload.size());
            bundle += payload;
            ++count;
        };
        simulate_specs(configs, mine, o, progress, d.stage(), sink, failure);
        std::memcpy(bundle.data(), &count, sizeof count);
        put_u64(bundle, failure.size());
        bundle += failure;
        put_u64(bundle, static_cast<std::uint64_t>(SignalGuard::exit_code()));
        const std::vector<std::string> all = mpi.gather(bundle);
        Verdict v;
        if (root) {
            try {
                bool gap = false;
                for (int r = 0; r < mpi.size(); ++r) {
                    const std::string& b = all[static_cast<std::size_t>(r)];
                    const RunRange theirs =
                        shard_range({r, mpi.size()}, static_cast<std::int64_t>(todo.size()));
                    std::size_t at = 0;
                    const std::uint64_t n = get_u64(b, at);
                    for (std::uint64_t j = 0; j < n; ++j) {
                        const std::uint64_t len = get_u64(b, at);
                        const std::string_view payload(b.data() + at, len);
                        at += len;
                        if (gap) continue;
                        const output::RunRecord rec = decode_record(payload);
                        journal->append(rec.run, payload);
                        ++result.simulated;
                        const std::vector<double> kpis = kpis_of(rec);
                        v.kpi_rows.insert(v.kpi_rows.end(), kpis.begin(), kpis.end());
                    }
                    const std::uint64_t flen = get_u64(b, at);
                    const std::string why = b.substr(at, flen);
                    at += flen;
                    const std::uint64_t signal_code = get_u64(b, at);
                    if (!gap && !why.empty()) {
                        v.code = Verdict::failed;
                        v.exit_code = 1;
                        v.message = why;
                    } else if (!gap && static_cast<std::int64_t>(n) < theirs.size()) {
                        v.code = Verdict::interrupted;
                        v.exit_code = signal_code != 0 ? signal_code : 130;
                    }
                    gap = gap || static_cast<std::int64_t>(n) < theirs.size() || !why.empty();
                }
                if (v.code == Verdict::go_on && SignalGuard::received() != 0) {
                    v.code = Verdict::interrupted;
                    v.exit_code = static_cast<std::uint64_t>(SignalGuard::exit_code());
                }
                journal->sync();
            } catch (const std::exception& e) {
                v = Verdict{Verdict::io_error, 1, {}, e.what()};
            }
        }
        bytes = root ? v.encode() : std::string();
        mpi.broadcast(bytes);
        v = Verdict::decode(bytes);
        if (!root && v.code != Verdict::go_on && v.code != Verdict::interrupted &&
            v.code != Verdict::failed)
            return follower(v.exit_code);
        take_rows(v, d);
        if (v.code == Verdict::go_on) continue;
        if (!root) return follower(v.exit_code);
        progress.finish();
        if (v.code == Verdict::io_error) throw std::runtime_error(v.message);
        result.outcome = v.code == Verdict::failed ? OptimizeRunResult::Outcome::failed
                                                   : OptimizeRunResult::Outcome::interrupted;
        result.failure = v.message;
        result.signal_exit_code = static_cast<int>(v.exit_code);
        return result;
    }
    progress.finish();
    if (!root) return follower(0);
    finish(plan, output, provenance, o, *journal, d, result);
    return result;
}

}  // namespace

fs::path stage_file(const fs::path& output, std::int64_t stage) {
    return output.parent_path() /
           (output.stem().string() + ".stage-" + std::to_string(stage) + ".h5");
}

fs::path shard_file(const fs::path& output, std::int64_t stage, const ShardSpec& shard) {
    return output.parent_path() /
           (output.stem().string() + ".stage-" + std::to_string(stage) + ".shard-" +
            std::to_string(shard.index) + "-of-" + std::to_string(shard.count) + ".h5");
}

OptimizeRunResult run_optimize(const scenario::OptimizeLoadResult& plan, const fs::path& output,
                               const output::Provenance& provenance, const OptimizeRunOptions& o,
                               MpiSession* mpi) {
    SignalGuard signals;
    if (!o.shard.whole()) return run_shard(plan, output, provenance, o);
    if (mpi != nullptr && mpi->size() > 1)
        return run_distributed(*mpi, plan, output, provenance, o);
    return run_local(plan, output, provenance, o);
}

}  // namespace mss::experiment
