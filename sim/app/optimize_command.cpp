// sim/app/optimize_command.cpp — `mss optimize` (see the header): loads and checks the plan
// file, refuses what it cannot do (several MPI processes), runs the procedure
// (experiment::run_optimize) and prints the choice, the runner-up, the runs against Rinott's
// and one row per alternative.
#include "sim/app/optimize_command.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <ostream>
#include <sstream>

#include "sim/app/exit_codes.hpp"
#include "sim/experiment/files.hpp"
#include "sim/experiment/mpi_driver.hpp"
#include "sim/experiment/number_format.hpp"
#include "sim/experiment/optimize_run.hpp"
#include "sim/experiment/runner.hpp"
#include "sim/experiment/shards.hpp"
#include "sim/experiment/sweep_run.hpp"
#include "sim/scenario/optimize_file.hpp"

namespace mss::app {

namespace {

namespace fs = std::filesystem;
namespace ex = mss::experiment;
using ex::format_number;

std::string plural(std::int64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

/// "12.3M [12.1M, 12.5M]"-style: an estimate and its interval, in the one number format.
std::string estimate_text(const output::OptimizeRecord& r, std::size_t alt, std::size_t o) {
    const double e = r.estimate[alt][o];
    if (std::isnan(e)) return "-";
    std::string s = format_number(e);
    if (!std::isnan(r.ci_low[alt][o]))
        s += " [" + format_number(r.ci_low[alt][o]) + ", " + format_number(r.ci_high[alt][o]) + "]";
    return s;
}

/// The runner-up: the feasible alternative other than the choice with the best objective
/// estimate; without one, the alternative that stayed longest in contention.
std::optional<std::size_t> runner_up(const output::OptimizeRecord& r, bool maximise) {
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < r.labels.size(); ++i) {
        if (static_cast<std::int64_t>(i) == r.chosen || !r.feasible[i]) continue;
        const double e = r.estimate[i][0];
        if (!best || (maximise ? e > r.estimate[*best][0] : e < r.estimate[*best][0])) best = i;
    }
    if (best) return best;
    for (std::size_t i = 0; i < r.labels.size(); ++i) {
        if (static_cast<std::int64_t>(i) == r.chosen) continue;
        if (!best || r.replications[i] > r.replications[*best]) best = i;
    }
    return best;
}

void print_alternative(const output::OptimizeRecord& r, std::size_t i, std::ostream& out) {
    for (std::size_t o = 0; o < r.output_names.size(); ++o)
        out << "    " << r.output_names[o] << ": " << estimate_text(r, i, o) << "\n";
    out << "    " << plural(r.replications[i], "replication", "replications") << "; " << r.why[i]
        << "\n";
}

/// One row per alternative: its values, replications, each output's estimate [95% CI], fate.
void print_table(const scenario::OptimizeLoadResult& plan, const output::OptimizeRecord& r,
                 std::ostream& out) {
    std::vector<std::string> head{"alt"};
    for (const auto& f : plan.sweep.sweep.factors)
        head.push_back(f.key);
    head.push_back("reps");
    for (const auto& n : r.output_names)
        head.push_back(n);
    head.push_back("fate");
    // A variable with a long value (a distribution table) shows #j, its j-th value, in the
    // table, and its values below it.
    const auto& factors = plan.sweep.sweep.factors;
    std::vector<bool> by_index(factors.size(), false);
    for (std::size_t f = 0; f < factors.size(); ++f)
        for (const auto& v : factors[f].values)
            by_index[f] = by_index[f] || v.size() > 24;
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < r.labels.size(); ++i) {
        std::vector<std::string> row{std::to_string(i)};
        const auto& values = plan.sweep.points[i].values;
        for (std::size_t f = 0; f < values.size(); ++f) {
            const auto& all = factors[f].values;
            const auto j = std::find(all.begin(), all.end(), values[f].second) - all.begin();
            row.push_back(by_index[f] ? "#" + std::to_string(j) : values[f].second);
        }
        row.push_back(std::to_string(r.replications[i]));
        for (std::size_t o = 0; o < r.output_names.size(); ++o)
            row.push_back(estimate_text(r, i, o));
        std::string fate = r.fate[i];
        if (r.fate[i] == "worse")
            fate += " than " + std::to_string(r.eliminated_by[i]) + " (stage " +
                    std::to_string(r.fate_stage[i]) + ")";
        else if (r.fate[i] == "infeasible")
            fate += ": constraint " + std::to_string(r.infeasible_constraint[i]) + " (stage " +
                    std::to_string(r.fate_stage[i]) + ")";
        rows.push_back(std::move(row));
        rows.back().push_back(fate);
    }
    std::vector<std::size_t> width(head.size());
    for (std::size_t c = 0; c < head.size(); ++c) {
        width[c] = head[c].size();
        for (const auto& row : rows)
            width[c] = std::max(width[c], row[c].size());
    }
    auto line = [&](const std::vector<std::string>& cells) {
        std::string s;
        for (std::size_t c = 0; c < cells.size(); ++c) {
            const bool last = c + 1 == cells.size();
            std::string cell = cells[c];
            if (!last) cell.resize(width[c], ' ');
            s += (c ? "  " : "") + cell;
        }
        out << s << "\n";
    };
    line(head);
    for (const auto& row : rows)
        line(row);
    for (std::size_t f = 0; f < factors.size(); ++f) {
        if (!by_index[f]) continue;
        out << factors[f].key << ":";
        for (std::size_t j = 0; j < factors[f].values.size(); ++j)
            out << (j ? ";" : "") << " #" << j << " = " << factors[f].values[j];
        out << "\n";
    }
}

void print_answer(const scenario::OptimizeLoadResult& plan, const ex::OptimizeRunResult& res,
                  std::ostream& out) {
    const output::OptimizeRecord& r = res.record;
    const bool maximise = plan.optimize.objective.goal == scenario::Goal::maximise;
    out << "\n";
    if (r.chosen >= 0) {
        const auto c = static_cast<std::size_t>(r.chosen);
        out << "Chosen: alternative " << c << " (" << r.labels[c] << ")\n";
        print_alternative(r, c, out);
    } else if (r.status == "none_feasible") {
        out << "No alternative meets the constraints.\n";
    } else {
        out << "No choice: the budget ran out with these alternatives in contention:";
        for (std::size_t i = 0; i < r.fate.size(); ++i)
            if (r.fate[i] == "in_contention") out << " " << i;
        out << "\n";
    }
    out << (r.guarantee ? "Guarantee: " : "No guarantee: ") << r.summary << ".\n";
    if (r.chosen >= 0) {
        if (const auto u = runner_up(r, maximise)) {
            out << "Runner-up: alternative " << *u << " (" << r.labels[*u] << ")\n";
            print_alternative(r, *u, out);
        }
    }
    out << "Runs: " << r.runs << " in " << plural(r.stages, "stage", "stages");
    if (r.rinott_runs >= 0) {
        char ratio[32];
        std::snprintf(ratio, sizeof ratio, "%.1f",
                      static_cast<double>(r.rinott_runs) / static_cast<double>(r.runs));
        out << "; Rinott's two-stage procedure would take " << r.rinott_runs
            << " at the same delta and confidence on these first-stage variances (" << ratio
            << "x as many)";
    }
    out << "\n(intervals: 95%, Student t for means, Wilson for probabilities)\n\n";
    print_table(plan, r, out);
}

std::string describe(const scenario::OptimizeLoadResult& l) {
    const auto& o = l.optimize;
    std::string s =
        plural(static_cast<std::int64_t>(l.sweep.points.size()), "alternative", "alternatives") +
        "; " + (o.objective.goal == scenario::Goal::minimise ? "minimise" : "maximise") + " mean " +
        o.objective.kpi + " (delta " + format_number(o.objective.delta) + ")";
    for (const auto& c : o.constraints)
        s += "; " + c.text() + " (epsilon " + format_number(c.epsilon) + ")";
    s += "; confidence " + format_number(o.confidence) + ", first stage " +
         std::to_string(o.first_stage) + ", increment " + std::to_string(o.increment) +
         ", budget " + std::to_string(o.budget) + " runs, seed " + std::to_string(o.seed);
    return s;
}

/// The command on this process, alone (`mpi` null) or as one of the MPI ranks.
int run_optimize_here(const OptimizeOptions& o, ex::MpiSession* mpi, std::ostream& out,
                      std::ostream& err) {
    // Everything that can be wrong with the input, before any run, on every rank (only rank 0
    // speaks: `out` and `err` are silent elsewhere); the ranks then go on or stop together.
    const scenario::RecordingSource files(scenario::disk());
    scenario::OptimizeLoadResult plan;
    fs::path out_path = o.output;
    const int code = [&] {
        if (o.threads && *o.threads < 1) {
            err << "mss optimize: -j must be at least 1, got " << *o.threads << "\n"
                << kUsageHint << "\n";
            return kExitInvalidInput;
        }
        try {
            plan = scenario::load_optimize(o.plan, o.sets, &files);
        } catch (const scenario::InvalidInput& e) {
            for (const auto& d : e.errors())
                err << d.str() << "\n";
            return kExitInvalidInput;
        }
        for (const auto& w : plan.warnings)
            err << w.warning_str() << "\n";
        if (mpi != nullptr) {
            std::string id = plan.identity_hash;
            mpi->broadcast(id);
            if (id != plan.identity_hash) {
                std::cerr << "mss optimize (MPI rank " << mpi->rank() << "): loaded another plan "
                          << "(identity " << plan.identity_hash << ") than rank 0 (" << id
                          << "): the files differ between nodes\n";
                return kExitInvalidInput;
            }
        }
        if (mpi != nullptr && mpi->rank() != 0) return kExitOk;  // rank 0 checks the output
        if (out_path.empty()) {
            out_path = fs::path("runs") / (plan.optimize.name + ".h5");
            std::error_code ec;
            fs::create_directories(out_path.parent_path(), ec);
            if (ec) {
                err << "mss optimize: cannot create the output directory "
                    << out_path.parent_path().string() << ": " << ec.message() << "\n";
                return kExitFailure;
            }
        }
        if (const std::string problem = ex::output_location_problem(out_path); !problem.empty()) {
            err << "mss optimize: " << problem << "\n";
            return kExitInvalidInput;
        }
        if (const auto i = ex::same_file_index(out_path, files.paths())) {
            err << "mss optimize: -o " << out_path.string() << " is "
                << (*i == 0 ? std::string("the plan file")
                            : files.paths()[*i].string() +
                                  ", which the plan reads; give another file name")
                << "\n";
            return kExitInvalidInput;
        }
        return kExitOk;
    }();
    if (mpi != nullptr) {
        const int failures = mpi->count_failures(code == kExitOk);
        if (failures > 0) {
            if (code == kExitOk)
                err << "mss optimize: " << failures
                    << " other MPI rank(s) could not load the plan (see their messages)\n";
            return code == kExitOk ? kExitInvalidInput : code;
        }
    } else if (code != kExitOk) {
        return code;
    }
    output::Provenance prov;
    prov.command_line = o.command_line;
    prov.extra = o.versions;
    prov.scenario_toml = plan.sweep.base.resolved_text;
    prov.sweep_toml = plan.sweep.resolved_text;
    prov.sweep_hash = plan.identity_hash;
    prov.extra.emplace_back("optimize", plan.identity_hash);
    ex::OptimizeRunOptions ro;
    if (!o.shard.empty()) {
        std::string why;
        const auto shard = ex::parse_shard(o.shard, why);
        if (!shard) {
            err << "mss optimize: --shard: " << why << "\n" << kUsageHint << "\n";
            return kExitInvalidInput;
        }
        if (mpi != nullptr && mpi->size() > 1) {
            err << "mss optimize: --shard with " << mpi->size()
                << " MPI ranks: give each job its own --shard I/N, or run MPI ranks without "
                   "--shard\n";
            return kExitInvalidInput;
        }
        ro.shard = *shard;
    }
    ro.threads = o.threads.value_or(ex::available_cpus());
    ro.resume = o.resume;
    ro.force = o.force;
    ro.progress = o.progress;
    out << "optimize \"" << plan.optimize.name << "\" (" << o.plan << "): " << describe(plan)
        << "; " << plural(ro.threads, "thread", "threads");
    if (mpi != nullptr && mpi->size() > 1) out << " per rank x " << mpi->size() << " MPI ranks";
    out << std::endl;
    const auto t0 = std::chrono::steady_clock::now();
    ex::OptimizeRunResult r;
    try {
        r = ex::run_optimize(plan, out_path, prov, ro, mpi);
    } catch (const ex::SweepInputError& e) {
        err << "mss optimize: " << e.what() << "\n";
        return kExitInvalidInput;
    } catch (const std::exception& e) {
        err << "mss optimize: " << e.what() << "\n";
        return kExitFailure;
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const fs::path journal = ex::journal_path_for(out_path);
    if (!r.journal_damage.empty())
        err << "mss optimize: " << journal.string() << ": " << r.journal_damage << "\n";
    else if (r.discarded_bytes > 0)
        err << "mss optimize: cut off an incomplete last record (" << r.discarded_bytes
            << " bytes) of " << journal.string() << "; that run is simulated again\n";
    using Outcome = ex::OptimizeRunResult::Outcome;
    if (r.outcome == Outcome::follower) return r.exit_code;
    if (r.outcome == Outcome::failed) {
        err << "mss optimize: " << r.failure
            << "; the journal keeps the runs before it. Fix the plan or its base scenario and "
               "start again (delete "
            << journal.string() << ")\n";
        return kExitFailure;
    }
    if (r.outcome == Outcome::interrupted) {
        err << "mss optimize: interrupted; " << (r.resumed + r.simulated) << " runs are in "
            << journal.string() << ". Continue with:\n  mss optimize " << o.plan;
        for (const auto& s : o.sets)
            err << " --set " << s;
        err << " -o " << out_path.string() << " --resume\n";
        return r.signal_exit_code != 0 ? r.signal_exit_code : kExitInterrupted;
    }
    const std::string again = "mss optimize " + o.plan + [&] {
        std::string sets;
        for (const auto& x : o.sets)
            sets += " --set " + x;
        return sets;
    }() + " -o " + out_path.string();
    if (r.outcome == Outcome::shard_written) {
        out << "stage " << r.stage << " (runs " << ex::range_text(r.stage_runs) << "): shard "
            << ro.shard.str() << " wrote runs " << ex::range_text(r.shard_runs) << " to "
            << r.written.string() << " in " << std::llround(wall) << " s\n"
            << "when every shard of stage " << r.stage << " is done:\n  mss merge "
            << ex::stage_file(out_path, r.stage).string() << " "
            << (out_path.parent_path() /
                (out_path.stem().string() + ".stage-" + std::to_string(r.stage) + ".shard-*-of-" +
                 std::to_string(ro.shard.count) + ".h5"))
                   .string()
            << "\n  " << again << " --resume\n";
        return kExitOk;
    }
    if (r.outcome == Outcome::decided) {
        out << "the procedure has decided after stage " << (r.stage - 1)
            << "; nothing to shard. Write " << out_path.string() << " with:\n  " << again
            << " --resume\n";
        return kExitOk;
    }
    if (r.outcome == Outcome::stage_absorbed) {
        out << "took in stage " << r.stage << " (" << r.absorbed << " runs) from "
            << r.written.string() << " and decided; stage " << (r.stage + 1)
            << " comes next: run its shards (" << again
            << " --shard I/N), then merge them and resume again, or resume without its stage "
               "file to run it here\n";
        return kExitOk;
    }
    if (r.outcome == Outcome::already_complete) {
        out << out_path.string() << " already holds this optimisation (identity "
            << plan.identity_hash << "); nothing to do\n";
    } else {
        char secs[64];
        std::snprintf(secs, sizeof secs, "%.2f s (file %.2f s)", wall, r.final_write_s);
        out << "wrote " << out_path.string() << " in " << secs;
        if (r.resumed > 0) out << "; " << r.resumed << " runs resumed from the journal";
        out << "\n";
    }
    print_answer(plan, r, out);
    return kExitOk;
}

}  // namespace

int run_optimize(const OptimizeOptions& o, std::ostream& out, std::ostream& err) {
    // Under an MPI launcher with MPI built in, the ranks share each stage's runs; K processes
    // that cannot share them would each run the whole optimisation into one file.
    const ex::LaunchInfo launch = ex::detect_launch();
    const bool speaker = launch.rank <= 0;
    if (launch.world_size > 1 && (!launch.under_launcher || !ex::mpi_built())) {
        if (speaker)
            err << "mss optimize: started as one of " << launch.world_size << " processes ("
                << launch.evidence
                << ") that cannot share the work (this mss has no MPI, or the launcher gives "
                   "none): each would run the whole optimisation. Run one process (-j THREADS), "
                   "or mpirun with an mss built with MPI\n";
        return kExitInvalidInput;
    }
    std::unique_ptr<ex::MpiSession> mpi;
    if (launch.under_launcher) {
        try {
            mpi = std::make_unique<ex::MpiSession>();
        } catch (const std::exception& e) {
            err << "mss optimize: cannot initialise MPI: " << e.what() << "\n";
            return kExitFailure;
        }
    }
    if (mpi && mpi->size() == 1 && launch.world_size > 1) {
        // K processes that each see an MPI world of one: a launcher of another MPI library.
        if (speaker)
            err << "mss optimize: started as one of " << launch.world_size << " processes ("
                << launch.evidence
                << ") but MPI sees a world of 1: a launcher of another MPI library? Use Open "
                   "MPI's mpirun, or srun --mpi=pmix\n";
        return kExitInvalidInput;
    }
    const bool root = !mpi || mpi->rank() == 0;
    std::ostringstream quiet_out, quiet_err;  // the other ranks say nothing
    std::ostream& say = root ? out : quiet_out;
    std::ostream& complain = root ? err : quiet_err;
    const int code = run_optimize_here(o, mpi.get(), say, complain);
    if (mpi) mpi->finalize();
    return code;
}

}  // namespace mss::app
