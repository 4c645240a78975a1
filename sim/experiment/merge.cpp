#include "sim/experiment/merge.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>

#include "sim/experiment/files.hpp"
#include "sim/experiment/shards.hpp"
#include "sim/output/optimize_group.hpp"
#include "sim/output/results_reader.hpp"
#include "sim/scenario/sweep.hpp"

namespace mss::experiment {

namespace fs = std::filesystem;

namespace {

// Rows read from a shard at a time; only shards being drained hold a block.
constexpr std::int64_t kBlockRows = 128;

struct Shard {
    fs::path path;
    output::ResultsInfo info;
    std::vector<std::int64_t> runs;  ///< the `run` column
    std::int64_t next_row = 0;       ///< next row to hand out
    std::vector<output::RunRecord> block;
    std::int64_t block_first = 0;  ///< row of block[0]
};

/// Contiguous ranges of the ids i in [0, n) with pred(i).
template <class Pred>
std::vector<RunRange> ranges_where(std::int64_t n, Pred pred) {
    std::vector<RunRange> out;
    for (std::int64_t i = 0; i < n; ++i) {
        if (!pred(i)) continue;
        if (!out.empty() && out.back().end == i)
            ++out.back().end;
        else
            out.push_back({i, i + 1});
    }
    return out;
}

/// The ranges (offsets from `base`) as run ids, the first five.
std::string list_ranges(const std::vector<RunRange>& rs, std::int64_t base = 0) {
    std::string s;
    const std::size_t shown = std::min<std::size_t>(rs.size(), 5);
    for (std::size_t i = 0; i < shown; ++i)
        s += (i ? ", " : "") + range_text({rs[i].first + base, rs[i].end + base});
    if (rs.size() > shown) s += " and " + std::to_string(rs.size() - shown) + " more ranges";
    return s;
}

/// A root attribute a shard says of itself (results_reader: shard, optimize_stage, ...), or "".
std::string extra_attr(const Shard& s, const std::string& name) {
    for (const auto& [k, v] : s.info.provenance.extra)
        if (k == name) return v;
    return {};
}

}  // namespace

std::int64_t replications_of_sweep_text(const std::string& sweep_toml) {
    try {
        return scenario::read_sweep_text(sweep_toml, "/scenario sweep_toml").replications;
    } catch (const scenario::InvalidInput&) {
        return 0;
    }
}

MergeResult merge_shards(const fs::path& output, const std::vector<fs::path>& paths,
                         const output::Provenance& provenance, bool force,
                         const std::atomic<int>* stop) {
    const auto check_stop = [stop] {
        if (stop != nullptr && stop->load(std::memory_order_relaxed) != 0)
            throw MergeInterrupted("interrupted; nothing was written");
    };
    if (paths.empty()) throw MergeError("no shard files given");
    // Where the output goes, before reading anything (as `mss run` and `mss sweep` do).
    if (const std::string problem = output_location_problem(output); !problem.empty())
        throw MergeError(problem);
    std::error_code ec;
    for (std::size_t i = 0; i < paths.size(); ++i) {
        if (fs::exists(output, ec) && fs::exists(paths[i], ec) &&
            fs::equivalent(output, paths[i], ec))
            throw MergeError("the output " + output.string() + " is also given as a shard");
        for (std::size_t j = 0; j < i; ++j)
            if (fs::exists(paths[i], ec) && fs::equivalent(paths[i], paths[j], ec))
                throw MergeError(paths[i].string() +
                                 " is given twice (a duplicated shard); give each shard once");
    }
    if (fs::exists(output, ec) && !force)
        throw MergeError(output.string() + " exists; pass --force to overwrite it");

    std::vector<Shard> shards(paths.size());
    for (std::size_t i = 0; i < paths.size(); ++i) {
        Shard& s = shards[i];
        s.path = paths[i];
        try {
            s.info = output::read_info(s.path);
        } catch (const output::OutputError& e) {
            throw MergeError(e.what());
        }
        if (s.info.provenance.sweep_hash.empty())
            throw MergeError(s.path.string() +
                             " is not a sweep result (no /scenario sweep_hash): it was written by "
                             "`mss run`, not by `mss sweep`");
    }
    // One sweep: the identity hash covers the sweep file, the resolved base and the design.
    const std::string hash = shards[0].info.provenance.sweep_hash;
    for (const Shard& s : shards) {
        if (s.info.provenance.sweep_hash != hash) {
            std::string groups;
            std::map<std::string, std::vector<std::string>> by_hash;
            for (const Shard& t : shards)
                by_hash[t.info.provenance.sweep_hash].push_back(t.path.string());
            for (const auto& [h, files] : by_hash) {
                groups += "\n  sweep " + h + ":";
                for (const auto& f : files)
                    groups += " " + f;
            }
            throw MergeError(
                "the shards come from different sweeps (their identity hashes "
                "differ); merge the shards of one sweep only:" +
                groups);
        }
    }
    const output::FileLayout& layout0 = shards[0].info.layout;
    const std::int64_t R = replications_of_sweep_text(shards[0].info.provenance.sweep_toml);
    const auto P = static_cast<std::int64_t>(layout0.points.size());
    if (P <= 0)
        throw MergeError(shards[0].path.string() +
                         ": damaged or inconsistent results file: /design_point is empty");
    if (R <= 0)
        throw MergeError(shards[0].path.string() +
                         ": cannot tell the sweep's size (no `replications` in its sweep_toml)");
    // The same sweep has the same layout in every shard: a shard that differs is damaged.
    for (const Shard& s : shards) {
        const output::FileLayout& l = s.info.layout;
        std::string differs;
        if (l.days != layout0.days)
            differs = "days";
        else if (l.contingents != layout0.contingents)
            differs = "contingents";
        else if (l.airports != layout0.airports)
            differs = "airports";
        else if (l.payers != layout0.payers)
            differs = "payers";
        else if (l.regimes != layout0.regimes)
            differs = "violence regimes";
        else if (l.factor_names != layout0.factor_names)
            differs = "sweep factors";
        else if (l.points.size() != layout0.points.size())
            differs = "design points";
        if (!differs.empty())
            throw MergeError(s.path.string() + " is damaged: its " + differs + " differ from " +
                             shards[0].path.string() + "'s, a shard of the same sweep " + hash);
    }
    // The shards of one stage of `mss optimize --shard` hold that stage's runs, first-last
    // (root attribute optimize_stage_runs), not every run of a sweep.
    const std::string stage = extra_attr(shards[0], "optimize_stage");
    const std::string stage_runs = extra_attr(shards[0], "optimize_stage_runs");
    for (const Shard& s : shards)
        if (extra_attr(s, "optimize_stage") != stage ||
            extra_attr(s, "optimize_stage_runs") != stage_runs)
            throw MergeError(
                s.path.string() + " is " +
                (extra_attr(s, "optimize_stage").empty()
                     ? std::string("not a shard of a stage of mss optimize")
                     : "a shard of stage " + extra_attr(s, "optimize_stage")) +
                ", " + shards[0].path.string() + " " +
                (stage.empty() ? std::string("is not") : "is a shard of stage " + stage) +
                ": merge the shards of one stage at a time");
    std::int64_t base = 0;
    std::uint64_t total_u = 0;
    if (!stage.empty()) {
        const auto dash = stage_runs.find('-');
        char* end = nullptr;
        const long long a = std::strtoll(stage_runs.c_str(), &end, 10);
        const long long b =
            dash == std::string::npos ? a : std::strtoll(stage_runs.c_str() + dash + 1, &end, 10);
        if (stage_runs.empty() || end == nullptr || *end != '\0' || a < 0 || b < a)
            throw MergeError(shards[0].path.string() + " is damaged: optimize_stage_runs is \"" +
                             stage_runs + "\", not first-last");
        base = a;
        total_u = static_cast<std::uint64_t>(b - a + 1);
    } else {
        // Two arrays of the sweep's size are allocated below: P and R come from the file, so a
        // damaged one could claim any size.
        total_u = output::mul_sat(static_cast<std::uint64_t>(P), static_cast<std::uint64_t>(R));
    }
    try {
        output::check_budget(shards[0].path,
                             stage.empty()
                                 ? "its sweep claims " + std::to_string(P) + " design points x " +
                                       std::to_string(R) + " replications"
                                 : "its stage claims runs " + stage_runs,
                             output::mul_sat(total_u, 2 * sizeof(std::int32_t)));
    } catch (const output::OutputError& e) {
        throw MergeError(e.what());
    }
    const auto total = static_cast<std::int64_t>(total_u);

    // Every run id exactly once.
    std::vector<std::int32_t> owner(static_cast<std::size_t>(total), -1);
    std::vector<std::int32_t> second(static_cast<std::size_t>(total), -1);
    for (std::size_t i = 0; i < shards.size(); ++i) {
        check_stop();
        Shard& s = shards[i];
        try {
            s.runs = output::read_runs(s.path).run;
        } catch (const output::OutputError& e) {
            throw MergeError(e.what());
        }
        for (std::size_t k = 0; k < s.runs.size(); ++k) {
            const std::int64_t id = s.runs[k] - base;
            if (id < 0 || id >= total)
                throw MergeError(s.path.string() + ": run id " + std::to_string(s.runs[k]) +
                                 " is outside the " + (stage.empty() ? "sweep" : "stage") +
                                 "'s runs " + std::to_string(base) + "-" +
                                 std::to_string(base + total - 1));
            if (k > 0 && s.runs[k] <= s.runs[k - 1])
                throw MergeError(s.path.string() + ": runs are not in increasing order");
            auto& o = owner[static_cast<std::size_t>(id)];
            if (o < 0)
                o = static_cast<std::int32_t>(i);
            else
                second[static_cast<std::size_t>(id)] = static_cast<std::int32_t>(i);
        }
    }
    std::string problems;
    // Duplicates, grouped by the pair of files that both hold them.
    std::map<std::pair<std::int32_t, std::int32_t>, std::vector<std::int64_t>> dup;
    for (std::int64_t id = 0; id < total; ++id)
        if (second[static_cast<std::size_t>(id)] >= 0)
            dup[{owner[static_cast<std::size_t>(id)], second[static_cast<std::size_t>(id)]}]
                .push_back(id);
    for (const auto& [files, both] : dup) {
        const std::vector<std::int64_t>& ids = both;  // clang < 16 cannot capture a binding
        const auto rs = ranges_where(
            total, [&](std::int64_t i) { return std::binary_search(ids.begin(), ids.end(), i); });
        problems += "\n  runs " + list_ranges(rs, base) + " are in both " +
                    shards[static_cast<std::size_t>(files.first)].path.string() + " and " +
                    shards[static_cast<std::size_t>(files.second)].path.string() +
                    " (a duplicated shard?)";
    }
    const auto missing =
        ranges_where(total, [&](std::int64_t i) { return owner[static_cast<std::size_t>(i)] < 0; });
    if (!missing.empty())
        problems += "\n  runs " + list_ranges(missing, base) + " of " + std::to_string(base) + "-" +
                    std::to_string(base + total - 1) +
                    " are in none of the files (a missing shard?)";
    if (!problems.empty())
        throw MergeError(
            (stage.empty() ? "the shards of sweep " + hash + " (" + std::to_string(P) +
                                 " points x " + std::to_string(R) + " replications = "
                           : "the shards of stage " + stage + " of optimisation " + hash + " (") +
            std::to_string(total) + " runs) do not hold every run exactly once:" + problems);
    second.clear();
    second.shrink_to_fit();

    output::FileLayout layout = layout0;
    layout.rows = total;
    output::Provenance prov = provenance;
    prov.scenario_toml = shards[0].info.provenance.scenario_toml;
    prov.sweep_toml = shards[0].info.provenance.sweep_toml;
    prov.sweep_hash = hash;
    if (!stage.empty()) {  // the merged stage says which it is, for mss optimize --resume
        prov.extra.emplace_back("optimize", extra_attr(shards[0], "optimize"));
        prov.extra.emplace_back("optimize_stage", stage);
        prov.extra.emplace_back("optimize_stage_runs", stage_runs);
    }
    // Created exclusively under a fresh name beside the output: never a link followed, never
    // another process's file.
    TempFile::remove_stale(output);  // an earlier merge's, killed on this host
    TempFile part_file = TempFile::beside(output);
    const fs::path part = part_file.path();
    MergeResult result;
    result.runs = total;
    result.points = P;
    result.replications = R;
    result.sweep_hash = hash;
    result.stage = stage;
    result.stage_runs = stage_runs;
    try {
        output::ResultsWriter writer(part, layout, prov);
        for (std::int64_t id = 0; id < total; ++id) {
            Shard& s = shards[static_cast<std::size_t>(owner[static_cast<std::size_t>(id)])];
            const std::int64_t row = s.next_row++;
            if (row >= s.block_first + static_cast<std::int64_t>(s.block.size()) ||
                row < s.block_first) {
                check_stop();
                const std::int64_t n = std::min<std::int64_t>(
                    kBlockRows, static_cast<std::int64_t>(s.runs.size()) - row);
                try {
                    s.block = output::read_records(s.path, row, n);
                } catch (const output::OutputError& e) {
                    throw MergeError(e.what());  // a damaged shard: bad input, like in summary
                }
                s.block_first = row;
            }
            output::RunRecord& rec = s.block[static_cast<std::size_t>(row - s.block_first)];
            if (rec.run != id + base)
                throw MergeError(s.path.string() + ": run index " + std::to_string(row) +
                                 " is not run " + std::to_string(id + base));
            if (rec.status != output::RunStatus::ok) ++result.failed;
            writer.append(std::move(rec));
            if (s.next_row == static_cast<std::int64_t>(s.runs.size())) {
                s.block.clear();
                s.block.shrink_to_fit();
            }
        }
        check_stop();
        writer.finish();
        if (!stage.empty())
            output::write_stage_column(
                part, std::vector<std::int64_t>(static_cast<std::size_t>(total),
                                                std::strtoll(stage.c_str(), nullptr, 10)));
        check_stop();
    } catch (...) {
        fs::remove(part, ec);
        throw;
    }
    try {
        durable_rename(part, output, false, force);
        part_file.release();
    } catch (...) {
        fs::remove(part, ec);
        throw;
    }
    return result;
}

}  // namespace mss::experiment
