// sim/app/main.cpp — the `mss` command line (DESIGN §6). The only translation unit that
// includes CLI11 (it costs ~15 s to compile): each command's options are declared here and
// parsed into a plain options struct, and the work is done by a CLI11-free function in its own
// file (validate_command.cpp: run_validate).
//
// To add a command `foo`: write sim/app/foo_command.{hpp,cpp} with FooOptions and
// `int run_foo(const FooOptions&, std::ostream& out, std::ostream& err)`, add the .cpp to
// sim/app/CMakeLists.txt, and add an `add_foo` function below and its line in main().
//
// Every command-line error is reported in our words with exit code 2 (CLI11 would exit with
// its own codes and texts); --help and --version exit 0. Any command whose standard output
// cannot be written (a full disk) exits 1; a closed pipe end is not an error (checked_stdout).
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sim/app/exit_codes.hpp"
#include "sim/app/merge_command.hpp"
#include "sim/app/optimize_command.hpp"
#include "sim/app/run_command.hpp"
#include "sim/app/summary_command.hpp"
#include "sim/app/sweep_command.hpp"
#include "sim/app/validate_command.hpp"
#include "sim/experiment/allocator.hpp"
#include "sim/experiment/mpi_driver.hpp"
#include "sim/experiment/progress.hpp"
#include "sim/experiment/shards.hpp"
#include "sim/output/build_info.hpp"
#include "sim/output/chunk_codec.hpp"
#include "sim/output/results_writer.hpp"
#include "sim/scenario/scenario.hpp"

#ifndef MSS_VERSION
#define MSS_VERSION "0.0.0"
#endif

namespace {

using mss::app::kExitFailure;
using mss::app::kExitInvalidInput;
using mss::app::kExitOk;
using mss::app::kUsageHint;

/// A registered subcommand: its CLI11 app and what runs it once parsed.
struct Command {
    CLI::App* app;
    std::function<int()> run;
};

// Limits of the numeric options, checked as they are parsed (exit 2 naming the option and the
// range). -r and --seed have the limits of the file's `replications` and `seed`
// (sim/scenario/schema.hpp).
constexpr std::int64_t kMaxThreads = 1024;
constexpr std::int64_t kMaxReplications = 10'000'000;
constexpr std::int64_t kMaxSeed = std::numeric_limits<std::int64_t>::max();

// Our validators name the option as it is written (`flag`) in their whole message; rephrase()
// drops the name CLI11 puts before it.

/// A decimal integer in [lo, hi]; `range` says what is valid when it is not "between lo and
/// hi".
CLI::Validator integer_in(const std::string& flag, std::int64_t lo, std::int64_t hi,
                          const std::string& range = "") {
    const std::string valid =
        !range.empty() ? range
                       : "an integer between " + std::to_string(lo) + " and " + std::to_string(hi);
    return CLI::Validator(
        [flag, lo, hi, valid](std::string& text) -> std::string {
            if (text.empty()) return flag + ": expected " + valid + ", found an empty value";
            std::int64_t v = 0;
            const char* end = text.data() + text.size();
            const auto [p, ec] = std::from_chars(text.data(), end, v);
            if (ec == std::errc() && p == end && v >= lo && v <= hi) return {};
            return flag + ": expected " + valid + ", found " + text;
        },
        "", "");
}

/// A file name: not empty, and not an option (`-o -q` would otherwise write a file named
/// "-q"; a file so named is written ./-q).
CLI::Validator path_value(const std::string& flag) {
    return CLI::Validator(
        [flag](std::string& text) -> std::string {
            if (text.empty()) return flag + ": the file name is empty";
            if (text.size() > 1 && text.front() == '-')
                return flag + ": expected a file name, found the option " + text +
                       " (a file whose name starts with '-' is written ./" + text + ")";
            return {};
        },
        "", "");
}

// `--set K=V`, repeatable, exactly one value each (so `--set a=1 b=2` is an error about b=2
// rather than a silent second override; TOOLCHAIN §9).
void add_set_option(CLI::App* cmd, std::vector<std::string>& sets) {
    cmd->add_option("--set", sets,
                    "override one key of the file: --set key.path=value (repeat for more), "
                    "e.g. --set contingent.Kenya.billets=1200")
        ->type_name("K=V")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->expected(1)
        ->allow_extra_args(false);
}

/// `--progress M` and `-q/--quiet` (the same as --progress off) into `mode`.
void add_progress_options(CLI::App* cmd, mss::experiment::ProgressMode& mode) {
    cmd->add_option_function<std::string>(
           "--progress",
           [&mode](const std::string& text) {
               mode = mss::experiment::parse_progress_mode(text).value_or(mode);
           },
           "auto (default): a line redrawn on a terminal, else a plain line every 60 s; tty; "
           "log; off")
        ->type_name("M")
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                if (mss::experiment::parse_progress_mode(text)) return {};
                return "--progress: expected auto, tty, log or off, found " +
                       (text.empty() ? std::string("an empty value") : text);
            },
            "", ""));
    cmd->add_flag_callback(
        "-q,--quiet", [&mode] { mode = mss::experiment::ProgressMode::off; },
        "no progress (--progress off)");
}

Command add_validate(CLI::App& app) {
    auto options = std::make_shared<mss::app::ValidateOptions>();
    CLI::App* cmd = app.add_subcommand(
        "validate", "check a scenario, sweep or plan file; print a short summary and any warnings");
    cmd->add_option("file", options->file, "scenario, sweep or plan file (.toml)")
        ->required()
        ->type_name("FILE")
        ->check(path_value("FILE"));
    add_set_option(cmd, options->sets);
    cmd->add_flag("--print", options->print,
                  "print only the fully resolved file (TOML) on standard output");
    return {cmd, [options] { return mss::app::run_validate(*options, std::cout, std::cerr); }};
}

/// The versions of the libraries only `mss` links, for the results files' root attributes.
std::vector<std::pair<std::string, std::string>> library_versions() {
    return {{"cli11_version", CLI11_VERSION}, {"toml_version", mss::scenario::toml_version()}};
}

Command add_run(CLI::App& app, const std::string& command_line) {
    auto o = std::make_shared<mss::app::RunOptions>();
    o->command_line = command_line;
    o->versions = library_versions();
    CLI::App* cmd = app.add_subcommand(
        "run",
        "run replications of a scenario on threads, write one HDF5 results file, print the KPI "
        "table\n  e.g.  mss run scenarios/baseline.toml -r 1000 -j 2 -o runs/baseline.h5");
    cmd->add_option("scenario", o->scenario, "scenario file (.toml)")
        ->required()
        ->type_name("SCENARIO")
        ->check(path_value("SCENARIO"));
    cmd->add_option("-r,--replications", o->replications,
                    "replications, 1 to 10000000 (default: the scenario's `replications`); e.g. "
                    "-r 1000")
        ->type_name("REPS")
        ->check(integer_in("-r/--replications", 1, kMaxReplications));
    cmd->add_option("--seed", o->seed, "master seed, 0 to 2^63-1 (default: the scenario's `seed`)")
        ->type_name("S")
        ->check(integer_in("--seed", 0, kMaxSeed));
    add_set_option(cmd, o->sets);
    cmd->add_option("-o,--output", o->output,
                    "results file (default: runs/<scenario name>.h5); written under a temporary "
                    "name and renamed when complete")
        ->type_name("OUT.h5")
        ->check(path_value("-o/--output"));
    cmd->add_option("-j,--threads", o->threads,
                    "worker threads, 1 to 1024 (default: the CPUs this process may use); results "
                    "do not depend on it")
        ->type_name("THREADS")
        ->check(integer_in("-j/--threads", 1, kMaxThreads));
    cmd->add_flag("--force", o->force, "overwrite an existing results file or trace");
    add_progress_options(cmd, o->progress);
    cmd->add_option("--only", o->only,
                    "rerun only this run id (with --trace), e.g. --only 17 --trace run17.csv; "
                    "with -o, also write that one run's results file")
        ->type_name("RUN")
        ->check(integer_in("--only", 0, std::numeric_limits<std::int64_t>::max(),
                           "a run id between 0 and the number of runs - 1"));
    cmd->add_option("--trace", o->trace,
                    "with --only: write every event of the run as CSV (whatever the scenario's "
                    "[output] event settings)")
        ->type_name("FILE")
        ->check(path_value("--trace"));
    return {cmd, [o] { return mss::app::run_run(*o, std::cout, std::cerr); }};
}

Command add_summary(CLI::App& app) {
    auto o = std::make_shared<mss::app::SummaryOptions>();
    CLI::App* cmd = app.add_subcommand(
        "summary",
        "statistics of a results file (docs/statistics.md): per KPI n/runs, mean, 95% CI, sd, "
        "P10/P50/P90, min, max; a sweep: one row per design point; --vs: paired contrasts\n"
        "  e.g.  mss summary runs/fleet-vs-tour.h5 --vs 0 --kpi days_to_foc,cost_usd");
    cmd->add_option("file", o->file, "results file (.h5)")
        ->required()
        ->type_name("OUT.h5")
        ->check(path_value("FILE"));
    cmd->add_flag("--csv", o->csv,
                  "comma-separated values for machines: one line per design point and KPI, 17 "
                  "significant digits");
    cmd->add_option("--kpi", o->kpis,
                    "the KPIs to show, comma-separated (default: a sweep's table "
                    "days_to_foc,mean_filled_frac,min_filled_frac,gap_person_days,cost_usd; "
                    "otherwise all)")
        ->type_name("K,...");
    cmd->add_option("--point", o->point, "the full per-KPI table of design point P only")
        ->type_name("P")
        ->check(integer_in("--point", 0, std::numeric_limits<std::int64_t>::max(),
                           "a design point number (0, 1, ...)"));
    cmd->add_option("--vs", o->vs,
                    "paired contrasts of every other design point (or --point P) against "
                    "design point R (replication by replication: common random numbers)")
        ->type_name("R")
        ->check(integer_in("--vs", 0, std::numeric_limits<std::int64_t>::max(),
                           "a design point number (0, 1, ...)"));
    return {cmd, [o] { return mss::app::run_summary(*o, std::cout, std::cerr); }};
}

/// -o, -j and --shard of the journaled commands (`mss sweep`, `mss optimize`): the default
/// output is runs/<`what` name>.h5.
void add_journaled_output_options(CLI::App* cmd, std::string& output, std::optional<int>& threads,
                                  std::string& shard, const std::string& what,
                                  const std::string& shard_help) {
    cmd->add_option("-o,--output", output,
                    "results file (default: runs/<" + what +
                        " name>.h5); progress is kept in OUT.h5.journal until it is complete")
        ->type_name("OUT.h5")
        ->check(path_value("-o/--output"));
    cmd->add_option("-j,--threads", threads,
                    "threads per process, 1 to 1024 (default: the CPUs this process may use); "
                    "results do not depend on it")
        ->type_name("THREADS")
        ->check(integer_in("-j/--threads", 1, kMaxThreads));
    cmd->add_option("--shard", shard, shard_help)
        ->type_name("I/N")
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                if (text.empty()) return "--shard: expected I/N, found an empty value";
                std::string why;
                if (!mss::experiment::parse_shard(text, why)) return "--shard: " + why;
                return {};
            },
            "", ""));
}

Command add_sweep(CLI::App& app, const std::string& command_line) {
    auto o = std::make_shared<mss::app::SweepOptions>();
    o->command_line = command_line;
    o->versions = library_versions();
    CLI::App* cmd = app.add_subcommand(
        "sweep",
        "run every design point x replication of a sweep file on threads (or MPI ranks under "
        "mpirun), keep a journal, write one HDF5 results file, print a summary per point\n"
        "  e.g.  mss sweep scenarios/sweeps/fleet-vs-tour.toml -j 2\n"
        "        mpirun -n 4 mss sweep SWEEP.toml -o out.h5\n"
        "        mss sweep SWEEP.toml --shard $SLURM_ARRAY_TASK_ID/8 -o "
        "shard$SLURM_ARRAY_TASK_ID.h5");
    cmd->add_option("sweep", o->sweep, "sweep file (.toml)")
        ->required()
        ->type_name("SWEEP")
        ->check(path_value("SWEEP"));
    add_set_option(cmd, o->sets);
    add_journaled_output_options(cmd, o->output, o->threads, o->shard, "sweep",
                                 "run only shard I of N: run ids [floor(I*T/N), "
                                 "floor((I+1)*T/N)) of the T runs; join the shard files with "
                                 "mss merge");
    cmd->add_flag(
        "--resume", o->resume,
        "continue an interrupted sweep from OUT.h5.journal (same file, --set and --shard)");
    cmd->add_flag("--force", o->force, "overwrite an existing results file (never a journal)");
    add_progress_options(cmd, o->progress);
    return {cmd, [o] { return mss::app::run_sweep(*o, std::cout, std::cerr); }};
}

Command add_optimize(CLI::App& app, const std::string& command_line) {
    auto o = std::make_shared<mss::app::OptimizeOptions>();
    o->command_line = command_line;
    o->versions = library_versions();
    CLI::App* cmd = app.add_subcommand(
        "optimize",
        "choose the best alternative of a plan file that meets its constraints, by a "
        "ranking-and-selection procedure with a stated guarantee (docs/optimize.md); every run "
        "and the decision in one HDF5 results file\n"
        "  e.g.  mss optimize scenarios/optimize/kenya-fleet-tour.toml -j 2");
    cmd->add_option("plan", o->plan, "plan file (.toml)")
        ->required()
        ->type_name("PLAN")
        ->check(path_value("PLAN"));
    add_set_option(cmd, o->sets);
    add_journaled_output_options(cmd, o->output, o->threads, o->shard, "plan",
                                 "simulate only slice I of N of the next stage into "
                                 "OUT.stage-S.shard-I-of-N.h5 (one stage per job; mss merge "
                                 "joins a stage, --resume takes it in and decides)");
    cmd->add_flag("--resume", o->resume,
                  "continue an interrupted optimisation from OUT.h5.journal, taking in a merged "
                  "stage file OUT.stage-S.h5 when there is one");
    cmd->add_flag("--force", o->force, "overwrite an existing results file (never a journal)");
    add_progress_options(cmd, o->progress);
    return {cmd, [o] { return mss::app::run_optimize(*o, std::cout, std::cerr); }};
}

Command add_merge(CLI::App& app, const std::string& command_line) {
    auto o = std::make_shared<mss::app::MergeOptions>();
    o->command_line = command_line;
    o->versions = library_versions();
    CLI::App* cmd = app.add_subcommand(
        "merge",
        "join the shard files of one sweep (mss sweep --shard) into one results file, after "
        "checking they hold every run exactly once\n"
        "  e.g.  mss merge runs/sweep.h5 runs/sweep.shard-*.h5");
    cmd->add_option("output", o->output, "merged results file")
        ->required()
        ->type_name("OUT.h5")
        ->check(path_value("OUT.h5"));
    cmd->add_option("shards", o->shards, "shard files, in any order")
        ->required()
        ->type_name("SHARD.h5...")
        ->check(path_value("SHARD.h5"));
    cmd->add_flag("--force", o->force, "overwrite an existing results file");
    cmd->add_flag("--remove-shards", o->remove_shards,
                  "delete the shard files once the merged file is complete");
    return {cmd, [o] { return mss::app::run_merge(*o, std::cout, std::cerr); }};
}

/// `mss --version`: the version, the commit and build it came from, and the libraries it runs
/// with (what a cluster's support asks first).
std::string version_text() {
    namespace bi = mss::output::build_info;
    return std::string("mss ") + MSS_VERSION + "\ncommit:     " + bi::git_commit() +
           "\nbuild type: " + bi::build_type + "\nHDF5:       " + mss::output::hdf5_version() +
           "\nMPI:        " + mss::experiment::mpi_library_version() +
           "\ndeflate:    " + mss::output::deflate_encoder_version();
}

/// "mss COMMAND" for the subcommand on the command line, else "mss".
std::string command_words(const std::vector<Command>& commands) {
    for (const auto& c : commands)
        if (c.app->parsed()) return "mss " + c.app->get_name();
    return "mss";
}

/// Whether standard output is a pipe whose reading end is closed (poll says POLLERR for the
/// writing end of such a pipe): errno of the failed write is long gone by the time we look.
bool stdout_reader_gone() {
    struct stat st {};
    if (::fstat(STDOUT_FILENO, &st) != 0 || !S_ISFIFO(st.st_mode)) return false;
    pollfd p{STDOUT_FILENO, 0, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & POLLERR) != 0;
}

/// `code`, or exit 1 when standard output could not take what was printed (a full disk).
/// A closed pipe end (`mss summary F | head -1`: SIGPIPE is ignored, so the write fails
/// instead of killing the process) is the reader having read enough: `code`, quietly.
int checked_stdout(int code, const std::string& where) {
    std::cout.flush();
    if (!std::cout && stdout_reader_gone()) return code;
    if (!std::cout && code == kExitOk) {
        std::cerr << where << ": cannot write to standard output\n";
        return kExitFailure;
    }
    return code;
}

std::string command_names(const std::vector<Command>& commands) {
    std::string out;
    for (const auto& c : commands)
        out += (out.empty() ? "" : ", ") + c.app->get_name();
    return out;
}

// The CLI11 error in our words.
std::string rephrase(const CLI::ParseError& e, const std::vector<Command>& commands,
                     CLI::App& app) {
    const std::string name = e.get_name();
    const std::string what = e.what();
    const CLI::App* sub = nullptr;
    for (const auto& c : commands) {
        if (c.app->parsed()) sub = c.app;
    }
    const std::string where = sub ? "mss " + sub->get_name() : std::string("mss");
    std::vector<std::string> extras = sub ? sub->remaining() : app.remaining();
    std::string first = extras.empty() ? std::string() : extras.front();
    if (name == "RequiredError") {
        if (!sub && !first.empty() && first.front() != '-') {
            return "mss: unknown command '" + first +
                   "'; expected one of: " + command_names(commands);
        }
        if (!sub && !first.empty()) return "mss: unknown option '" + first + "'";
        if (!sub && what.find("subcommand") != std::string::npos) {
            return "mss: missing command; expected one of: " + command_names(commands);
        }
        const auto cut = what.find(" is required");
        const std::string arg = cut == std::string::npos ? what : what.substr(0, cut);
        return where + ": missing required argument " + (arg == "file" ? std::string("FILE") : arg);
    }
    if (name == "ExtrasError" || what.find("not expected") != std::string::npos) {
        if (first.empty()) {
            // CLI11 names the extras in its message: "...not expected: x y".
            const auto colon = what.rfind(": ");
            if (colon != std::string::npos) first = what.substr(colon + 2);
            if (const auto sp = first.find(' '); sp != std::string::npos) first.resize(sp);
        }
        if (!sub && !first.empty() && first.front() != '-') {
            return "mss: unknown command '" + first +
                   "'; expected one of: " + command_names(commands);
        }
        if (!first.empty() && first.front() == '-') {
            return where + ": unknown option '" + first + "'";
        }
        std::string msg = where + ": unexpected argument '" + first + "'";
        if (first.find('=') != std::string::npos) {
            msg += "; give one override per --set: --set a=1 --set b=2";
        }
        return msg;
    }
    if (name == "ArgumentMismatch") {
        if (what.find("--set") != std::string::npos) {
            return where + ": --set needs a value: --set key.path=value";
        }
        return where + ": an option is missing its value (" + what + ")";
    }
    if (name == "ValidationError") {
        // Our validators name the option in their message: drop CLI11's "name: " before it.
        const auto colon = what.find(": ");
        return where + ": " + (colon == std::string::npos ? what : what.substr(colon + 2));
    }
    if (name == "ConversionError") {
        return where + ": invalid value (" + what + ")";
    }
    if (name == "HorribleError" || name == "OptionNotFound") {
        return where + ": invalid command line (" + what + ")";
    }
    return where + ": invalid command line: " + what;
}

}  // namespace

int main(int argc, char** argv) {
    // A closed pipe end on standard output (`mss summary F | head -1`) must be a failed write
    // that ends the command quietly with its own exit code (checked_stdout), not a death by
    // SIGPIPE (141) that fails a `pipefail` script. mss starts no other program that could
    // inherit this, and Open MPI works with SIGPIPE ignored.
    std::signal(SIGPIPE, SIG_IGN);
    // A file grown past the size limit (`ulimit -f`, RLIMIT_FSIZE) is a failed write (EFBIG),
    // reported and cleaned up like a full disk, not a death by SIGXFSZ that leaves temporaries.
    std::signal(SIGXFSZ, SIG_IGN);
    mss::experiment::keep_freed_memory();
    CLI::App app{
        "mss-sim: discrete-event simulation of the logistics of the Multinational "
        "Security Support mission in Haiti",
        "mss"};
    app.set_version_flag("--version", version_text,
                         "print the version, commit, build and libraries");
    app.require_subcommand(1, 1);
    app.failure_message(CLI::FailureMessage::simple);

    std::vector<Command> commands;
    std::string command_line;
    for (int i = 0; i < argc; ++i)
        command_line += (i ? " " : "") + std::string(argv[i]);
    commands.push_back(add_validate(app));
    commands.push_back(add_run(app, command_line));
    commands.push_back(add_summary(app));
    commands.push_back(add_sweep(app, command_line));
    commands.push_back(add_merge(app, command_line));
    commands.push_back(add_optimize(app, command_line));

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return checked_stdout(app.exit(e), command_words(commands));
    } catch (const CLI::CallForAllHelp& e) {
        return checked_stdout(app.exit(e), command_words(commands));
    } catch (const CLI::CallForVersion& e) {
        return checked_stdout(app.exit(e), "mss");
    } catch (const CLI::ParseError& e) {
        std::cerr << rephrase(e, commands, app) << "\n" << kUsageHint << "\n";
        return kExitInvalidInput;
    }
    for (const auto& c : commands) {
        if (!c.app->parsed()) continue;
        // A table that could not be printed (a full disk, a closed stdout) is a failure.
        const int code = checked_stdout(c.run(), "mss " + c.app->get_name());
        if (mss::output::results_file_left_open()) {
            // HDF5 could not close a results file (sim/output/results_writer.hpp) and would
            // crash in its exit handlers: leave without them, the output flushed.
            std::cout.flush();
            std::cerr.flush();
            std::_Exit(code);
        }
        return code;
    }
    std::cerr << "mss: missing command; expected one of: " << command_names(commands) << "\n";
    return kExitInvalidInput;
}
