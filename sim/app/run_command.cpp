// sim/app/run_command.cpp — `mss run` (see the header): checks the command line and the output
// path before any work, runs through experiment::run_to_file (atomic output, threads, signals)
// or experiment::trace_to_file (--only RUN --trace FILE) and prints the KPI table.
#include "sim/app/run_command.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <ostream>

#include "sim/app/exit_codes.hpp"
#include "sim/experiment/files.hpp"
#include "sim/experiment/mpi_driver.hpp"
#include "sim/experiment/plain_run.hpp"
#include "sim/experiment/runner.hpp"
#include "sim/experiment/summary.hpp"
#include "sim/output/results_writer.hpp"
#include "sim/scenario/scenario.hpp"

namespace mss::app {

namespace {

namespace fs = std::filesystem;

/// Empty if `path` can be written as a new output, else what is wrong.
std::string output_problem(const fs::path& path, bool force) {
    if (std::string problem = experiment::output_location_problem(path); !problem.empty())
        return problem;
    std::error_code ec;
    if (fs::exists(path, ec) && !force)
        return path.string() + " exists; pass --force to overwrite it";
    return {};
}

/// Whether `a` and `b` name the same file (either may not exist yet).
bool same_file(const fs::path& a, const fs::path& b) {
    std::error_code ea, eb;
    const fs::path ca = fs::weakly_canonical(a, ea), cb = fs::weakly_canonical(b, eb);
    return !ea && !eb && ca == cb;
}

/// Empty unless `path` (given as `flag`) is one of the files the scenario was loaded from
/// (`inputs`: the scenario first, then its `extends` parents); then the refusal, which holds
/// even with --force.
std::string input_problem(const std::string& flag, const fs::path& path,
                          const std::vector<fs::path>& inputs) {
    const auto i = experiment::same_file_index(path, inputs);
    if (!i) return {};
    if (*i == 0) return flag + " " + path.string() + " is the scenario file";
    return flag + " " + path.string() + " is " + inputs[*i].string() +
           ", which the scenario extends; give another file name";
}

}  // namespace

int run_run(const RunOptions& o, std::ostream& out, std::ostream& err) {
    // K processes started by a launcher (mpirun, srun -n K) would each run every replication
    // into the same file: refuse, and point to the command that shares runs between processes.
    if (const auto launch = experiment::detect_launch(); launch.world_size > 1) {
        if (launch.rank <= 0)
            err << "mss run: started as one of " << launch.world_size << " processes ("
                << launch.evidence
                << "): mss run does not share its runs between processes, each would run them "
                   "all. Run one process (-j N uses the cores of one machine), or use mss sweep, "
                   "which shares runs under MPI or as --shard I/N tasks\n";
        return kExitInvalidInput;
    }
    if (o.replications && *o.replications < 1) {
        err << "mss run: -r must be at least 1, got " << *o.replications << "\n";
        return kExitInvalidInput;
    }
    if (o.threads && *o.threads < 1) {
        err << "mss run: -j must be at least 1, got " << *o.threads << "\n";
        return kExitInvalidInput;
    }
    if (o.only && *o.only < 0) {
        err << "mss run: --only needs a run id >= 0, got " << *o.only << "\n";
        return kExitInvalidInput;
    }
    if (o.only.has_value() != !o.trace.empty()) {
        err << "mss run: --only RUN and --trace FILE go together\n" << kUsageHint << "\n";
        return kExitInvalidInput;
    }

    // --seed and -r are overrides like --set scenario.seed=S, applied after every --set, so
    // that the resolved text stored in the results file is the scenario that was run. A
    // message about one of them (a file whose `scenario` is not a table) names the option.
    std::vector<std::string> sets = o.sets;
    std::vector<std::pair<std::string, std::string>> option_sets;  // (--set text, option)
    if (o.seed)
        option_sets.emplace_back("scenario.seed=" + std::to_string(*o.seed),
                                 "--seed " + std::to_string(*o.seed));
    if (o.replications)
        option_sets.emplace_back("scenario.replications=" + std::to_string(*o.replications),
                                 "-r " + std::to_string(*o.replications));
    for (const auto& [set, option] : option_sets)
        sets.push_back(set);
    auto named = [&](scenario::Diagnostic d) {
        for (const auto& [set, option] : option_sets)
            if (d.file == "--set " + set) d.file = option;
        return d;
    };
    scenario::LoadResult loaded;
    const scenario::RecordingSource files(scenario::disk());  // what -o and --trace must spare
    try {
        loaded = scenario::load_scenario(o.scenario, sets, &files);
    } catch (const scenario::InvalidInput& e) {
        for (const auto& d : e.errors())
            err << named(d).str() << "\n";
        return kExitInvalidInput;
    }
    for (const auto& w : loaded.warnings)
        err << named(w).warning_str() << "\n";
    const model::ModelConfig& cfg = loaded.config;
    const std::uint64_t seed = cfg.scenario.seed;
    const std::int64_t reps = cfg.scenario.replications;
    const int threads = o.threads.value_or(experiment::available_cpus());

    fs::path out_path = o.output;
    if (out_path.empty()) {
        if (o.only) {
            out_path.clear();  // a trace run writes a results file only when asked
        } else {
            out_path = fs::path("runs") / (cfg.scenario.name + ".h5");
            std::error_code ec;
            fs::create_directories(out_path.parent_path(), ec);
            if (ec) {
                err << "mss run: cannot create the output directory "
                    << out_path.parent_path().string() << ": " << ec.message() << "\n";
                return kExitInvalidInput;
            }
        }
    }
    if (o.only && *o.only >= reps) {
        err << "mss run: --only " << *o.only << ": the run ids are 0 to " << reps - 1 << " ("
            << reps << (reps == 1 ? " replication" : " replications") << ")\n"
            << kUsageHint << "\n";
        return kExitInvalidInput;
    }
    if (!out_path.empty()) {
        if (const std::string problem = output_problem(out_path, o.force); !problem.empty()) {
            err << "mss run: " << problem << "\n";
            return kExitInvalidInput;
        }
        if (const std::string problem = input_problem("-o", out_path, files.paths());
            !problem.empty()) {  // even with --force
            err << "mss run: " << problem << "\n";
            return kExitInvalidInput;
        }
    }
    const fs::path trace_path = o.trace;
    if (o.only) {
        if (const std::string problem = output_problem(trace_path, o.force); !problem.empty()) {
            err << "mss run: --trace: " << problem << "\n";
            return kExitInvalidInput;
        }
        // Not a file the scenario was read from (even with --force), nor the results file.
        if (const std::string problem = input_problem("--trace", trace_path, files.paths());
            !problem.empty()) {
            err << "mss run: " << problem << "\n";
            return kExitInvalidInput;
        }
        if (!out_path.empty() && same_file(trace_path, out_path)) {
            err << "mss run: --trace " << trace_path.string() << " is the results file (-o)\n";
            return kExitInvalidInput;
        }
    }

    output::Provenance prov;
    prov.command_line = o.command_line;
    prov.scenario_toml = loaded.resolved_text;
    prov.extra = o.versions;

    try {
        if (o.only) {
            const experiment::TraceResult t =
                experiment::trace_to_file(cfg, seed, *o.only, trace_path, o.force);
            if (t.interrupted) {
                err << "mss run: interrupted; no trace was written\n";
                return t.signal_exit_code != 0 ? t.signal_exit_code : kExitInterrupted;
            }
            out << "traced run " << *o.only << " of " << o.scenario << " (seed " << seed << ") to "
                << trace_path.string() << "\n";
            if (out_path.empty()) return kExitOk;
        }

        experiment::PlainRunOptions po;
        po.replications = reps;
        po.seed = seed;
        po.threads = threads;
        po.progress = o.progress;
        po.only = o.only;
        po.replace = o.force;
        // The header first, before the runs: a batch log says what is running from the start.
        const std::int64_t runs = o.only ? 1 : reps;
        const std::int64_t used = std::min<std::int64_t>(threads, runs);  // threads started
        out << "scenario \"" << cfg.scenario.name << "\" (" << o.scenario << "): " << runs
            << (runs == 1 ? " run" : " runs") << ", seed " << seed << ", " << used
            << (used == 1 ? " thread" : " threads") << ", " << cfg.scenario.horizon_days << " days"
            << std::endl;
        const auto t0 = std::chrono::steady_clock::now();
        const experiment::PlainRunResult r = experiment::run_to_file(cfg, po, out_path, prov);
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (r.interrupted) {
            err << "mss run: interrupted after " << r.runs << " runs; nothing was written\n";
            return r.signal_exit_code != 0 ? r.signal_exit_code : kExitInterrupted;
        }
        char secs[32];
        std::snprintf(secs, sizeof secs, "%.1f", wall);
        out << "wrote " << out_path.string() << " in " << secs << " s\n\n";
        out << experiment::format_kpi_table(r.kpis, cfg.scenario.start_days_since_epoch);
        out << experiment::format_binding(r.binding);
        if (r.failed > 0) {
            err << "mss run: " << r.failed
                << " run(s) failed (status 1); first: " << r.first_failure << "\n";
            return kExitFailure;
        }
        return kExitOk;
    } catch (const output::OutputError& e) {
        err << "mss run: " << e.what() << "\n";
        return kExitFailure;
    } catch (const std::exception& e) {
        err << "mss run: " << e.what() << "\n";
        return kExitFailure;
    }
}

}  // namespace mss::app
