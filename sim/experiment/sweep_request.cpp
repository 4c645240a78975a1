#include "sim/experiment/sweep_request.hpp"

#include <chrono>
#include <exception>
#include <filesystem>
#include <ostream>

#include "sim/experiment/files.hpp"
#include "sim/experiment/mpi_driver.hpp"
#include "sim/experiment/runner.hpp"

namespace mss::experiment {

namespace {

namespace fs = std::filesystem;

// The exit codes of DESIGN §6 that a refused request ends with.
constexpr int kInvalidInput = 2;
constexpr int kFailure = 1;

}  // namespace

SweepReport run_sweep_request(const SweepRequest& o, std::ostream& err) {
    SweepReport report;
    auto stop = [&](int exit_code) {
        report.exit_code = exit_code;
        return std::move(report);
    };

    // How were we started? A launcher with K > 1 processes and no way to share the work would
    // run the whole sweep K times into one file: refuse that before anything else.
    const LaunchInfo launch = detect_launch();
    const bool speaker_rank = launch.rank <= 0;
    if (launch.world_size > 1 && o.shard.empty() && (!launch.under_launcher || !mpi_built())) {
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
        return stop(kInvalidInput);
    }
    std::unique_ptr<MpiSession> mpi;
    if (launch.under_launcher && mpi_built()) {
        try {
            mpi = std::make_unique<MpiSession>();
        } catch (const std::exception& e) {
            err << "mss sweep: cannot initialise MPI: " << e.what() << "\n";
            return stop(kFailure);
        }
    }
    if (mpi && mpi->size() == 1 && launch.world_size > 1 && o.shard.empty()) {
        // K processes that each see an MPI world of one: a launcher of another MPI library.
        if (speaker_rank)
            err << "mss sweep: started as one of " << launch.world_size << " processes ("
                << launch.evidence
                << ") but MPI sees a world of 1: a launcher of another MPI library? Use Open "
                   "MPI's mpirun, or srun --mpi=pmix\n";
        return stop(kInvalidInput);
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
    std::optional<ShardSpec> shard = ShardSpec{};
    report.sweep = std::make_unique<scenario::SweepLoadResult>();
    scenario::SweepLoadResult& loaded = *report.sweep;
    std::string load_errors;
    std::optional<SweepPlan> plan;
    const scenario::RecordingSource files(scenario::disk());  // what -o must spare
    if (o.threads && *o.threads < 1) {
        complain("-j must be at least 1, got " + std::to_string(*o.threads));
        ok = false;
    }
    if (ok && !o.shard.empty()) {
        std::string why;
        shard = parse_shard(o.shard, why);
        if (!shard) {  // main.cpp checks it as it parses; this is for other callers
            complain("--shard: " + why);
            report.usage_error = root;
            ok = false;
        }
    }
    if (ok) {
        try {
            loaded = scenario::load_sweep(o.sweep, o.sets, &files);
        } catch (const scenario::InvalidInput& e) {
            for (const auto& d : e.errors())
                load_errors += d.str() + "\n";
            if (root) err << load_errors;
            ok = false;
        }
    }
    if (ok && shard->count > loaded.runs()) {
        // An option value out of range (exit 2 with the usage line, as when parsed); make_plan
        // refuses it too. Checked before the default output directory is made: a refused
        // command leaves nothing behind.
        complain("--shard " + shard->str() + ": the sweep has only " +
                 std::to_string(loaded.runs()) + " runs; use at most " +
                 std::to_string(loaded.runs()) + " shards");
        report.usage_error = root;
        ok = false;
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
            if (ec) {
                complain("cannot create the output directory " + out_path.parent_path().string() +
                         ": " + ec.message());
                ok = false;
            }
        }
        if (const std::string problem = output_location_problem(out_path);
            ok && !problem.empty() && root) {
            complain(problem);
            ok = false;
        }
        // Never a file the sweep was read from, even with --force (same file, any spelling).
        if (const auto i = same_file_index(out_path, files.paths()); ok && i && root) {
            const std::string read = files.paths()[*i].string();
            complain("-o " + out_path.string() + " is " +
                     (*i == 0 ? std::string("the sweep file")
                              : read + ", which the sweep reads (its base scenario or a file the "
                                       "base extends); give another file name"));
            ok = false;
        }
    }
    if (ok) {
        output::Provenance prov;
        prov.command_line = o.command_line;
        prov.extra = o.versions;
        try {
            plan = make_plan(loaded, *shard, out_path, prov);
            // An output there now has passed open_journal's checks (--force, or --resume of
            // a sweep whose final rename was cut short); one that appears later is refused.
            std::error_code ec;
            plan->replace_output = o.force || fs::exists(out_path, ec);
        } catch (const SweepInputError& e) {
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
            return stop(kInvalidInput);
        }
    } else if (!ok) {
        return stop(kInvalidInput);
    }

    SweepRunOptions ro;
    ro.threads = o.threads.value_or(available_cpus());
    ro.resume = o.resume;
    ro.force = o.force;
    ro.progress = o.progress;
    SweepRunResult r;
    if (root && o.on_start) o.on_start(*report.sweep, *plan, ro.threads, mpi ? mpi->size() : 1);
    const auto t0 = std::chrono::steady_clock::now();
    try {
        r = distributed ? run_sweep_mpi(*mpi, *plan, ro) : run_sweep(*plan, ro);
    } catch (const SweepInputError& e) {
        complain(e.what());
        return stop(kInvalidInput);
    } catch (const std::exception& e) {
        // Output, journal and codec failures: I/O (exit 1).
        complain(e.what());
        return stop(kFailure);
    }
    if (mpi) mpi->finalize();
    if (r.outcome == SweepRunResult::Outcome::follower) return stop(r.exit_code);
    report.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    report.ran = true;
    report.plan = std::move(*plan);
    report.result = std::move(r);
    report.threads = ro.threads;
    report.distributed = distributed;
    return report;
}

}  // namespace mss::experiment
