// sim/app/merge_command.cpp — `mss merge` (see the header): experiment::merge_shards does the
// checks and the writing; this reports.
#include "sim/app/merge_command.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <ostream>

#include "sim/app/exit_codes.hpp"
#include "sim/experiment/merge.hpp"
#include "sim/experiment/signals.hpp"

namespace mss::app {

int run_merge(const MergeOptions& o, std::ostream& out, std::ostream& err) {
    if (o.shards.empty()) {
        err << "mss merge: give the output and at least one shard file: mss merge OUT.h5 "
               "SHARD.h5...\n";
        return kExitInvalidInput;
    }
    output::Provenance prov;
    prov.command_line = o.command_line;
    prov.extra = o.versions;
    std::vector<std::filesystem::path> shards(o.shards.begin(), o.shards.end());
    const auto t0 = std::chrono::steady_clock::now();
    // SIGINT or SIGTERM: stop, remove the temporary and exit 130 or 143.
    experiment::SignalGuard signals;
    try {
        const experiment::MergeResult r = experiment::merge_shards(
            o.output, shards, prov, o.force, &experiment::SignalGuard::stop_flag());
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        char secs[32];
        std::snprintf(secs, sizeof secs, "%.1f", wall);
        out << "merged " << shards.size() << (shards.size() == 1 ? " file" : " files");
        if (r.stage.empty())
            out << " of sweep " << r.sweep_hash << " (" << r.points << " points x "
                << r.replications << " replications = " << r.runs << " runs)";
        else
            out << " of stage " << r.stage << " of optimisation " << r.sweep_hash << " (runs "
                << r.stage_runs << ")";
        out << " into " << o.output << " in " << secs << " s\n";
        if (r.failed > 0) err << "mss merge: note: " << r.failed << " run(s) have status failed\n";
        if (!o.remove_shards) {
            out << "the shard files are kept; delete them with --remove-shards next time, or by "
                   "hand\n";
            return kExitOk;
        }
        // The merged file is complete and renamed into place: the shards are copies now.
        int code = kExitOk;
        for (const auto& s : shards) {
            std::error_code ec;
            if (!std::filesystem::remove(s, ec) && ec) {
                err << "mss merge: cannot remove shard " << s.string() << ": " << ec.message()
                    << "\n";
                code = kExitFailure;
            }
        }
        if (code == kExitOk)
            out << "removed " << shards.size()
                << (shards.size() == 1 ? " shard file\n" : " shard files\n");
        return code;
    } catch (const experiment::MergeInterrupted& e) {
        err << "mss merge: " << e.what() << "\n";
        return experiment::SignalGuard::exit_code();
    } catch (const experiment::MergeError& e) {
        err << "mss merge: " << e.what() << "\n";
        return kExitInvalidInput;
    } catch (const std::exception& e) {
        err << "mss merge: " << e.what() << "\n";
        return kExitFailure;
    }
}

}  // namespace mss::app
