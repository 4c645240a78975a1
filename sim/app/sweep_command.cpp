// sim/app/sweep_command.cpp — `mss sweep` (see the header): hands the request to
// experiment::run_sweep_request (launcher, MPI ranks, every check before any run, the run)
// and prints the closing report: how it went, how to resume, the KPIs per design point.
#include "sim/app/sweep_command.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <ostream>

#include "sim/app/exit_codes.hpp"
#include "sim/experiment/shards.hpp"
#include "sim/experiment/summary.hpp"
#include "sim/experiment/sweep_request.hpp"
#include "sim/scenario/sweep.hpp"

namespace mss::app {

namespace {

namespace fs = std::filesystem;
namespace ex = mss::experiment;

/// The closing report: one row per design point with the default KPIs (docs/statistics.md;
/// `mss summary OUT --point P` has a point's full table).
void print_points(const std::vector<ex::PointSummary>& points, std::ostream& out) {
    if (points.empty()) return;
    std::vector<std::string> factor_names;
    for (const auto& a : points.front().assignments)
        factor_names.push_back(a.substr(0, a.find('=')));
    std::vector<ex::PointRow> rows;
    for (const auto& p : points) {
        ex::PointRow row;
        row.point = p.point;
        for (const auto& a : p.assignments)
            row.factors.push_back(ex::factor_cell(a.substr(a.find('=') + 1), 0.0));
        for (const auto& name : ex::default_point_kpis())
            for (const auto& k : p.kpis)
                if (k.kpi.name == name) row.kpis.push_back(k);
        row.runs = p.kpis.empty() ? 0 : p.kpis.front().runs;
        rows.push_back(std::move(row));
    }
    out << "\n" << ex::format_point_table(factor_names, rows);
    out << "(a point's full table: mss summary OUT.h5 --point P; paired contrasts: --vs P)\n";
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

int run_sweep(const SweepOptions& options, std::ostream& out, std::ostream& err) {
    // The header line first, before the runs: a batch log says what is running from the start.
    SweepOptions o = options;
    o.on_start = [&](const scenario::SweepLoadResult& s, const ex::SweepPlan& plan, int threads,
                     int ranks) {
        out << "sweep \"" << s.sweep.name << "\" (" << o.sweep << "): " << describe(s) << ", seed "
            << s.sweep.seed;
        if (!plan.shard.whole())
            out << "; shard " << plan.shard.str() << ": runs " << ex::range_text(plan.runs);
        out << "; " << threads << (threads == 1 ? " thread" : " threads");
        if (ranks > 1) out << " per rank x " << ranks << " MPI ranks";
        out << std::endl;
    };
    const ex::SweepReport report = ex::run_sweep_request(o, err);
    if (report.usage_error) err << kUsageHint << "\n";
    if (!report.ran) return report.exit_code;
    const scenario::SweepLoadResult& loaded = *report.sweep;
    const ex::SweepPlan& plan = report.plan;
    const ex::SweepRunResult& r = report.result;
    const fs::path& out_path = plan.output;
    const bool distributed = report.distributed;
    const double wall = report.wall_s;

    std::string resume_cmd = "mss sweep " + shell_word(o.sweep);
    for (const auto& s : o.sets)
        resume_cmd += " --set " + shell_word(s);
    resume_cmd += " -o " + shell_word(out_path.string());
    if (!o.shard.empty()) resume_cmd += " --shard " + o.shard;
    resume_cmd += " --resume";
    if (!r.journal_damage.empty())
        err << "mss sweep: " << plan.journal.string() << ": " << r.journal_damage << "\n";
    else if (r.discarded_bytes > 0)
        err << "mss sweep: cut off an incomplete last record (" << r.discarded_bytes
            << " bytes) of " << plan.journal.string() << "; that run is simulated again\n";
    if (r.outcome == ex::SweepRunResult::Outcome::interrupted) {
        const std::int64_t journaled = r.resumed + r.simulated;
        err << "mss sweep: interrupted; " << journaled << " of " << plan.runs.size()
            << " runs are in " << plan.journal.string() << ". Continue with:\n  " << resume_cmd
            << "\n";
        return r.signal_exit_code != 0 ? r.signal_exit_code : kExitInterrupted;
    }
    if (r.outcome == ex::SweepRunResult::Outcome::already_complete) {
        out << out_path.string() << " already holds these runs (identity " << loaded.identity_hash
            << "); nothing to do\n";
    } else {
        // The threads started: in one process, no more than the runs simulated.
        const std::int64_t used =
            distributed
                ? report.threads
                : std::min<std::int64_t>(report.threads, std::max<std::int64_t>(1, r.simulated));
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
        err << "mss sweep: " << r.failed << " run(s) failed (status 1)"
            << (r.first_failure.empty() ? std::string() : "; first: " + r.first_failure) << "\n";
        return kExitFailure;
    }
    return kExitOk;
}

}  // namespace mss::app
