// sim/app/sweep_command.cpp — `mss sweep` (see the header): decides how the process was
// started (alone, or as one of K MPI ranks), checks the command line, the sweep file and the
// output before any work, runs experiment::run_sweep or run_sweep_mpi, and reports.
#include "sim/app/sweep_command.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <ostream>

#include "sim/app/exit_codes.hpp"
#include "sim/experiment/files.hpp"
#include "sim/experiment/mpi_driver.hpp"
#include "sim/experiment/runner.hpp"
#include "sim/experiment/sweep_run.hpp"
#include "sim/output/results_writer.hpp"
#include "sim/scenario/sweep.hpp"

namespace mss::app {

namespace {

namespace fs = std::filesystem;
namespace ex = mss::experiment;

// Up to this many design points the closing report has a full KPI table per point; beyond it
// one line per point with the headline KPIs (`mss summary OUT` has the full tables).
constexpr std::size_t kFullTablesUpTo = 8;

std::string abbreviate(std::string s, std::size_t n) {
    if (s.size() > n) s = s.substr(0, n - 3) + "...";
    return s;
}

/// The closing per-point report.
void print_points(const std::vector<ex::PointSummary>& points, std::ostream& out) {
    if (points.size() <= kFullTablesUpTo) {
        for (const auto& p : points) {
            out << "\ndesign point " << p.point;
            for (std::size_t i = 0; i < p.assignments.size(); ++i)
                out << (i == 0 ? ": " : ", ") << p.assignments[i];
            out << "\n" << ex::format_table(p.kpis);
        }
        return;
    }
    // Headline KPIs: mean and half-width of the 95% CI.
    const char* headline[] = {"days_to_foc", "mean_strength_frac", "gap_person_days", "cost_usd"};
    char line[512];
    std::string keys;
    for (const auto& a : points.front().assignments)
        keys += (keys.empty() ? "values of " : ", ") + a.substr(0, a.find('='));
    std::snprintf(line, sizeof line, "\n%6s %6s  %-22s %-22s %-24s %-26s  %s\n", "point", "runs",
                  "days_to_foc", "mean_strength_frac", "gap_person_days", "cost_usd", keys.c_str());
    out << line;
    for (const auto& p : points) {
        std::string cells[4];
        std::int64_t runs = 0;
        for (std::size_t h = 0; h < 4; ++h) {
            for (const auto& k : p.kpis) {
                if (k.name != headline[h]) continue;
                runs = k.runs;
                const double half = (k.ci_high - k.ci_low) / 2;
                const int digits = h == 1 ? 3 : h == 3 ? 0 : 1;
                cells[h] = ex::format_mean_ci(k.mean, half, digits);
                if (k.n < k.runs) cells[h] += " (" + std::to_string(k.n) + ")";
            }
        }
        std::string factors;
        for (std::size_t i = 0; i < p.assignments.size(); ++i) {
            const auto eq = p.assignments[i].find('=');
            factors += (i ? ", " : "") + abbreviate(p.assignments[i].substr(eq + 1), 24);
        }
        std::snprintf(line, sizeof line, "%6lld %6lld  %-22s %-22s %-24s %-26s  %s\n",
                      static_cast<long long>(p.point), static_cast<long long>(runs),
                      cells[0].c_str(), cells[1].c_str(), cells[2].c_str(), cells[3].c_str(),
                      abbreviate(factors, 80).c_str());
        out << line;
    }
    out << "(mean ±95% CI half-width; (n): runs with a value when fewer than all; full tables: "
           "mss summary OUT.h5)\n";
}

/// `s` quoted for a POSIX shell when it needs it.
std::string shell_word(const std::string& s) {
    if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_-+=/.,:@%") == std::string::npos)
        return s;
    std::string q = "'";
    for (char c : s)
        q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::string describe(const scenario::SweepLoadResult& s) {
    const auto P = s.points.size();
    return std::to_string(P) + (P == 1 ? " point" : " points") + " x " +
           std::to_string(s.sweep.replications) + " replications = " + std::to_string(s.runs()) +
           " runs";
}

}  // namespace

int run_sweep(const SweepOptions& o, std::ostream& out, std::ostream& err) {
    // How were we started? A launcher with K > 1 processes and no way to share the work would
    // run the whole sweep K times into one file: refuse that before anything else.
    const ex::LaunchInfo launch = ex::detect_launch();
    const bool speaker_rank = launch.rank <= 0;
    if (launch.world_size > 1 && o.shard.empty() && (!launch.under_launcher || !ex::mpi_built())) {
        if (speaker_rank) {
            if (launch.under_launcher)
                err << "mss sweep: started by an MPI launcher as one of " << launch.world_size
                    << " processes (" << launch.evidence
                    << "), but this mss was built without MPI: each process would run the whole "
                       "sweep. Rebuild with -DMSS_WITH_MPI=ON, or run one process (or one "
                       "--shard I/N per process)\n";
            else
                err << "mss sweep: started as one of " << launch.world_size
                    << " Slurm tasks without MPI (" << launch.evidence
                    << "): each task would run the whole sweep. Use srun --mpi=pmix (MPI), or "
                       "give each task its own --shard I/N, or run one task\n";
        }
        return kExitInvalidInput;
    }
    std::unique_ptr<ex::MpiSession> mpi;
    if (launch.under_launcher && ex::mpi_built()) {
        try {
            mpi = std::make_unique<ex::MpiSession>();
        } catch (const std::exception& e) {
            err << "mss sweep: cannot initialise MPI: " << e.what() << "\n";
            return kExitFailure;
        }
    }
    if (mpi && mpi->size() == 1 && launch.world_size > 1 && o.shard.empty()) {
        // K processes that each see an MPI world of one: a launcher of another MPI library.
        if (speaker_rank)
            err << "mss sweep: started as one of " << launch.world_size << " processes ("
                << launch.evidence
                << ") but MPI sees a world of 1: a launcher of another MPI library? Use Open "
                   "MPI's mpirun, or srun --mpi=pmix\n";
        return kExitInvalidInput;
    }
    const bool root = !mpi || mpi->rank() == 0;
    const bool distributed = mpi && mpi->size() > 1;
    std::ostream& say = err;  // messages of rank 0 only
    auto complain = [&](const std::string& msg) {
        if (root) say << "mss sweep: " << msg << "\n";
    };

    // Everything that can be wrong with the input, found before any run, on every rank; the
    // ranks then agree to go on or to stop (exit 2) together.
    bool ok = true;
    std::optional<ex::ShardSpec> shard = ex::ShardSpec{};
    scenario::SweepLoadResult loaded;
    std::string load_errors;
    std::optional<ex::SweepPlan> plan;
    if (o.threads && *o.threads < 1) {
        complain("-j must be at least 1, got " + std::to_string(*o.threads));
        ok = false;
    }
    if (ok && !o.shard.empty()) {
        std::string why;
        shard = ex::parse_shard(o.shard, why);
        if (!shard) {  // main.cpp checks it as it parses; this is for other callers
            complain("--shard: " + why);
            if (root) say << kUsageHint << "\n";
            ok = false;
        }
    }
    if (ok) {
        try {
            loaded = scenario::load_sweep(o.sweep, o.sets);
        } catch (const scenario::InvalidInput& e) {
            for (const auto& d : e.errors())
                load_errors += d.str() + "\n";
            if (root) err << load_errors;
            ok = false;
        }
    }
    fs::path out_path = o.output;
    if (ok) {
        if (root)
            for (const auto& w : loaded.warnings)
                err << w.warning_str() << "\n";
        if (out_path.empty()) {
            std::string name = loaded.sweep.name;
            if (!shard->whole())
                name += ".shard-" + std::to_string(shard->index) + "-of-" +
                        std::to_string(shard->count);
            out_path = fs::path("runs") / (name + ".h5");
            std::error_code ec;
            if (root) fs::create_directories(out_path.parent_path(), ec);
        }
        if (const std::string problem = experiment::output_location_problem(out_path);
            !problem.empty() && root) {
            complain(problem);
            ok = false;
        }
    }
    if (ok && shard->count > loaded.runs()) {
        // An option value out of range (exit 2 with the usage line, as when parsed); make_plan
        // refuses it too.
        complain("--shard " + shard->str() + ": the sweep has only " +
                 std::to_string(loaded.runs()) + " runs; use at most " +
                 std::to_string(loaded.runs()) + " shards");
        if (root) say << kUsageHint << "\n";
        ok = false;
    }
    if (ok) {
        output::Provenance prov;
        prov.command_line = o.command_line;
        prov.extra = o.versions;
        try {
            plan = ex::make_plan(loaded, *shard, out_path, prov);
        } catch (const ex::SweepInputError& e) {
            complain(e.what());
            ok = false;
        }
    }
    if (mpi) {
        const int failures = mpi->count_failures(ok);
        // A rank that alone could not load the sweep (another file on its node) says why;
        // when every rank failed, rank 0 has said it once.
        if (!ok && !root && failures < mpi->size() && !load_errors.empty())
            err << "mss sweep (MPI rank " << mpi->rank() << "):\n" << load_errors;
        if (failures > 0) {
            if (ok && root)
                complain(std::to_string(failures) +
                         " other MPI rank(s) could not load the sweep (see their messages)");
            return kExitInvalidInput;
        }
    } else if (!ok) {
        return kExitInvalidInput;
    }

    ex::SweepRunOptions ro;
    ro.threads = o.threads.value_or(ex::available_cpus());
    ro.resume = o.resume;
    ro.force = o.force;
    ro.quiet = o.quiet;
    ex::SweepRunResult r;
    const auto t0 = std::chrono::steady_clock::now();
    try {
        r = distributed ? ex::run_sweep_mpi(*mpi, *plan, ro) : ex::run_sweep(*plan, ro);
    } catch (const ex::SweepInputError& e) {
        complain(e.what());
        return kExitInvalidInput;
    } catch (const std::exception& e) {
        // Output, journal and codec failures: I/O (exit 1).
        complain(e.what());
        return kExitFailure;
    }
    if (mpi) mpi->finalize();
    if (r.outcome == ex::SweepRunResult::Outcome::follower) return r.exit_code;
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    std::string resume_cmd = "mss sweep " + shell_word(o.sweep);
    for (const auto& s : o.sets)
        resume_cmd += " --set " + shell_word(s);
    resume_cmd += " -o " + shell_word(out_path.string());
    if (!o.shard.empty()) resume_cmd += " --shard " + o.shard;
    resume_cmd += " --resume";
    if (r.discarded_bytes > 0)
        err << "mss sweep: cut off an incomplete last record (" << r.discarded_bytes
            << " bytes) of " << plan->journal.string() << "; that run is simulated again\n";
    if (r.outcome == ex::SweepRunResult::Outcome::interrupted) {
        const std::int64_t journaled = r.resumed + r.simulated;
        err << "mss sweep: interrupted; " << journaled << " of " << plan->runs.size()
            << " runs are in " << plan->journal.string() << ". Continue with:\n  " << resume_cmd
            << "\n";
        return r.signal_exit_code != 0 ? r.signal_exit_code : kExitInterrupted;
    }
    out << "sweep \"" << loaded.sweep.name << "\" (" << o.sweep << "): " << describe(loaded)
        << ", seed " << loaded.sweep.seed;
    if (!shard->whole())
        out << "; shard " << shard->str() << ": runs " << ex::range_text(plan->runs);
    out << "\n";
    if (r.outcome == ex::SweepRunResult::Outcome::already_complete) {
        out << out_path.string() << " already holds these runs (identity " << loaded.identity_hash
            << "); nothing to do\n";
    } else {
        // The threads started: in one process, no more than the runs simulated.
        const std::int64_t used =
            distributed
                ? ro.threads
                : std::min<std::int64_t>(ro.threads, std::max<std::int64_t>(1, r.simulated));
        out << used << (used == 1 ? " thread" : " threads");
        if (distributed) {
            out << " per rank x " << r.ranks << " MPI ranks (" << r.batches << " batches";
            if (r.simulated > 0)
                out << "; rank 0 dispatch and journal "
                    << std::llround(1e6 * r.main_thread_cpu_s / static_cast<double>(r.simulated))
                    << " us CPU per run";
            out << ")";
        }
        out << ", " << loaded.base.config.scenario.horizon_days << " days";
        if (r.resumed > 0) out << "; " << r.resumed << " runs resumed from the journal";
        out << "\n";
        char secs[64];
        std::snprintf(secs, sizeof secs, "%.2f s (file done %.2f s after the last run)", wall,
                      r.final_write_s);
        out << "wrote " << out_path.string() << " in " << secs << "\n";
    }
    print_points(r.points, out);
    if (r.failed > 0) {
        err << "mss sweep: " << r.failed << " run(s) failed (status 1 in /runs)"
            << (r.first_failure.empty() ? std::string() : "; first: " + r.first_failure) << "\n";
        return kExitFailure;
    }
    return kExitOk;
}

}  // namespace mss::app
