#include "sim/experiment/sweep_run.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <limits>
#include <thread>

#include "sim/experiment/files.hpp"
#include "sim/experiment/plain_run.hpp"
#include "sim/experiment/progress.hpp"
#include "sim/experiment/record_codec.hpp"
#include "sim/experiment/signals.hpp"
#include "sim/output/chunk_codec.hpp"
#include "sim/output/results_reader.hpp"

namespace mss::experiment {

namespace fs = std::filesystem;

namespace {

std::string shard_words(const JournalHeader& h) {
    const std::string runs = "runs " + range_text({h.first_run, h.first_run + h.run_count});
    if (h.shard_count == 1) return "the whole sweep (" + runs + ")";
    return "--shard " + std::to_string(h.shard_index) + "/" + std::to_string(h.shard_count) + " (" +
           runs + ")";
}

/// Per-point KPI statistics of records arriving in run order (a point's runs together),
/// over the runs with status ok.
class PointAccumulator {
public:
    PointAccumulator(const SweepPlan& plan, std::vector<PointSummary>& out)
        : plan_(plan), out_(out), cols_(model::kpi_columns().size()) {}
    void add(const output::RunRecord& r) {
        if (r.point != point_) {
            flush();
            point_ = r.point;
        }
        if (r.status != output::RunStatus::ok) return;
        std::size_t k = 0;
        for (const auto& c : model::kpi_columns())
            cols_[k++].push_back(r.kpis.*(c.member));
    }
    void flush() {
        if (point_ < 0) return;
        PointSummary s;
        s.point = point_;
        if (point_ < static_cast<std::int64_t>(plan_.sweep->points.size()))
            s.assignments = plan_.sweep->points[static_cast<std::size_t>(point_)].assignments();
        s.kpis = model_kpi_stats(cols_);
        out_.push_back(std::move(s));
        for (auto& c : cols_)
            c.clear();
        point_ = -1;
    }

private:
    const SweepPlan& plan_;
    std::vector<PointSummary>& out_;
    std::vector<std::vector<double>> cols_;
    std::int64_t point_ = -1;
};

/// True when `output` is a complete, undamaged results file of this plan (same sweep, same
/// runs, same layout; every dataset read and checked by output::verify_results). Otherwise
/// why_not says why, and damaged whether it is because the file is damaged.
bool output_holds_plan(const SweepPlan& plan, std::string& why_not, bool& damaged) {
    damaged = false;
    try {
        const output::ResultsInfo info = output::read_info(plan.output);
        if (info.provenance.sweep_hash != plan.provenance.sweep_hash) {
            why_not = info.provenance.sweep_hash.empty()
                          ? "it is not a sweep result"
                          : "it holds sweep " + info.provenance.sweep_hash + ", not " +
                                plan.provenance.sweep_hash;
            return false;
        }
        const output::FileLayout& got = info.layout;
        const output::FileLayout& want = plan.layout;
        std::string differs;
        if (got.days != want.days)
            differs = "days";
        else if (got.contingents != want.contingents)
            differs = "contingents";
        else if (got.airports != want.airports)
            differs = "airports";
        else if (got.regimes != want.regimes)
            differs = "violence regimes";
        else if (got.factor_names != want.factor_names)
            differs = "sweep factors";
        else if (got.points.size() != want.points.size())
            differs = "design points";
        if (!differs.empty()) {
            damaged = true;
            why_not = plan.output.string() + " is damaged: its " + differs +
                      " are not those of sweep " + plan.provenance.sweep_hash +
                      ", whose identity it carries";
            return false;
        }
        const output::RunsTable runs = output::read_runs(plan.output);
        if (static_cast<std::int64_t>(runs.run.size()) != plan.runs.size() || runs.run.empty() ||
            runs.run.front() != plan.runs.first || runs.run.back() != plan.runs.end - 1) {
            why_not = "it holds other runs of this sweep";
            return false;
        }
        // Every chunk of every dataset, the event log included: a damaged chunk is found now,
        // not by whoever reads the file later.
        output::verify_results(plan.output);
        return true;
    } catch (const output::DamagedFile& e) {
        damaged = true;
        why_not = e.what();
        return false;
    } catch (const output::OutputError& e) {
        why_not = e.what();
        return false;
    }
}

/// Per-point summaries read back from a finished results file.
std::vector<PointSummary> summaries_from_file(const SweepPlan& plan, std::int64_t& failed) {
    const output::RunsTable runs = output::read_runs(plan.output);
    std::vector<PointSummary> out;
    PointAccumulator acc(plan, out);
    failed = 0;
    for (std::size_t i = 0; i < runs.run.size(); ++i) {
        output::RunRecord r;
        r.point = runs.point[i];
        r.status = static_cast<output::RunStatus>(runs.status[i]);
        for (const auto& c : model::kpi_columns()) {
            const auto it = std::find(runs.kpi_names.begin(), runs.kpi_names.end(), c.name);
            r.kpis.*(c.member) =
                it == runs.kpi_names.end()
                    ? model::kNaN
                    : runs.kpis[static_cast<std::size_t>(it - runs.kpi_names.begin())][i];
        }
        if (runs.status[i] != 0) ++failed;
        acc.add(r);
    }
    acc.flush();
    return out;
}

}  // namespace

PointConfigs::PointConfigs(const scenario::SweepLoadResult& sweep, std::size_t keep)
    : sweep_(sweep), keep_(std::max<std::size_t>(keep, 1)) {}

std::shared_ptr<const RecordingConfig> PointConfigs::get(std::int64_t point) {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < cache_.size(); ++i) {
        if (cache_[i].first == point) {
            auto hit = cache_[i];
            cache_.erase(cache_.begin() + static_cast<std::ptrdiff_t>(i));
            cache_.push_back(hit);
            return hit.second;
        }
    }
    // Loaded exactly as load_sweep validated it: the base file with the point's overrides.
    const auto& dp = sweep_.points.at(static_cast<std::size_t>(point));
    const scenario::LoadResult loaded =
        scenario::load_scenario(sweep_.sweep.base_path, dp.assignments());
    auto cfg = std::make_shared<const RecordingConfig>(loaded.config);
    if (cache_.size() >= keep_) cache_.erase(cache_.begin());
    cache_.emplace_back(point, cfg);
    return cfg;
}

output::RunRecord PointConfigs::simulate(const RunSpec& spec, std::string* failure,
                                         const std::atomic<int>* stop) {
    std::shared_ptr<const RecordingConfig> cfg;
    try {
        cfg = get(spec.point);
    } catch (const scenario::InvalidInput& e) {
        if (failure != nullptr) {
            const auto& d = e.errors().front();
            *failure = "design point " + std::to_string(spec.point) +
                       " is not a valid scenario: " + d.str();
        }
        output::RunRecord r = failed_record(sweep_.base.config, sweep_.sweep.seed, spec);
        output::pack(r);
        return r;
    }
    output::RunRecord r = simulate_run(*cfg, sweep_.sweep.seed, spec, failure, stop);
    output::pack(r);
    return r;
}

RunSpec SweepPlan::spec(std::int64_t run) const {
    return {run, run / replications, run % replications};
}

JournalHeader SweepPlan::journal_header() const {
    JournalHeader h;
    h.identity = provenance.sweep_hash;
    h.total_runs = total_runs;
    h.shard_index = shard.index;
    h.shard_count = shard.count;
    h.first_run = runs.first;
    h.run_count = runs.size();
    return h;
}

double factor_point_value(const scenario::Factor& factor, const std::string& text) {
    if (text == "true") return 1.0;
    if (text == "false") return 0.0;
    std::string t;
    for (char c : text)
        if (c != '_') t += c;
    const bool sign = !t.empty() && (t[0] == '+' || t[0] == '-');
    const std::string body = sign ? t.substr(1) : t;
    // TOML's 0o and 0b integers; strtod reads decimal, hex, inf and nan itself.
    if (body.size() > 2 && body[0] == '0' && (body[1] == 'o' || body[1] == 'b')) {
        char* end = nullptr;
        const long long v = std::strtoll(body.c_str() + 2, &end, body[1] == 'o' ? 8 : 2);
        if (end != nullptr && *end == '\0')
            return (sign && t[0] == '-') ? -static_cast<double>(v) : static_cast<double>(v);
    } else if (!t.empty()) {
        char* end = nullptr;
        const double v = std::strtod(t.c_str(), &end);
        if (end != nullptr && *end == '\0') return v;
    }
    const auto it = std::find(factor.values.begin(), factor.values.end(), text);
    if (it != factor.values.end()) return static_cast<double>(it - factor.values.begin());
    return std::numeric_limits<double>::quiet_NaN();
}

SweepPlan make_plan(const scenario::SweepLoadResult& sweep, const ShardSpec& shard, fs::path output,
                    output::Provenance provenance) {
    SweepPlan p;
    p.sweep = &sweep;
    p.shard = shard;
    p.replications = sweep.sweep.replications;
    p.total_runs = sweep.runs();
    // More shards than runs would leave some shards empty (and their array tasks failing).
    if (shard.count > p.total_runs)
        throw SweepInputError("--shard " + shard.str() + ": the sweep has only " +
                              std::to_string(p.total_runs) + " runs; use at most " +
                              std::to_string(p.total_runs) + " shards");
    p.runs = shard_range(shard, p.total_runs);
    p.output = std::move(output);
    p.journal = journal_path_for(p.output);
    p.layout = layout_for(sweep.base.config, p.runs.size());
    p.layout.factor_names.clear();
    for (const auto& f : sweep.sweep.factors)
        p.layout.factor_names.push_back(f.key);
    p.layout.points.clear();
    for (const auto& dp : sweep.points) {
        std::vector<double> row;
        for (std::size_t f = 0; f < dp.values.size(); ++f)
            row.push_back(factor_point_value(sweep.sweep.factors.at(f), dp.values[f].second));
        p.layout.points.push_back(std::move(row));
    }
    p.provenance = std::move(provenance);
    p.provenance.scenario_toml = sweep.base.resolved_text;
    p.provenance.sweep_toml = sweep.resolved_text;
    p.provenance.sweep_hash = sweep.identity_hash;
    if (!shard.whole()) {
        p.provenance.extra.emplace_back("shard", shard.str());
        p.provenance.extra.emplace_back("shard_runs", range_text(p.runs));
        p.provenance.extra.emplace_back("sweep_runs", std::to_string(p.total_runs));
    }
    return p;
}

std::optional<Journal> open_journal(const SweepPlan& plan, const SweepRunOptions& o,
                                    SweepRunResult& result) {
    std::error_code ec;
    // A journal is a regular file: anything else in its place is refused before it is opened
    // (a FIFO would block the open, a directory fail it, a symbolic link could point at
    // another file, which a resume would write to).
    if (const fs::file_status st = fs::symlink_status(plan.journal, ec);
        fs::exists(st) && !fs::is_regular_file(st))
        throw SweepInputError(plan.journal.string() + " is " + file_type_words(st.type()) +
                              ", not a regular file: the sweep's journal goes there; remove it, "
                              "or give another -o");
    // A journal without a complete header (a full disk or a kill as it was created) holds no
    // run: it is removed and the sweep starts afresh, with or without --resume.
    remove_headerless_journal(plan.journal);
    // Temporaries of this output that a killed sweep of this host left (a resumed batch job
    // would otherwise leave one per kill).
    TempFile::remove_stale(plan.output);
    const bool have_journal = fs::exists(plan.journal, ec);
    const bool have_output = fs::exists(plan.output, ec);
    if (have_journal) {
        if (!o.resume) {
            std::string whose;
            try {
                const JournalHeader h = read_journal_header(plan.journal);
                whose = h.identity == plan.provenance.sweep_hash
                            ? " (left by this sweep, " + shard_words(h) + ")"
                            : " (left by another sweep, identity " + h.identity + ")";
            } catch (const std::exception&) {
            }
            throw SweepInputError(plan.journal.string() + " exists" + whose +
                                  ": the sweep was interrupted; pass --resume to continue it, "
                                  "or delete the journal to start over");
        }
        Journal j = [&] {
            try {
                return Journal::open(plan.journal);
            } catch (const JournalConflict& e) {
                throw SweepInputError(std::string("--resume: ") + e.what());
            }
        }();
        const JournalHeader want = plan.journal_header();
        const JournalHeader& got = j.header();
        if (got.identity != want.identity)
            throw SweepInputError(
                "--resume: " + plan.journal.string() + " belongs to another sweep (identity " +
                got.identity + "; this sweep is " + want.identity +
                "): the sweep file, its base scenario or a --set changed since it was written. "
                "Resume with the original files, or delete the journal to start over");
        if (!(got == want))
            throw SweepInputError("--resume: " + plan.journal.string() + " was written by " +
                                  shard_words(got) + ", not by " + shard_words(want) +
                                  "; give the same --shard as the interrupted sweep");
        return j;
    }
    if (have_output) {
        if (o.resume) {
            std::string why_not;
            bool damaged = false;
            if (output_holds_plan(plan, why_not, damaged)) {
                result.outcome = SweepRunResult::Outcome::already_complete;
                result.points = summaries_from_file(plan, result.failed);
                return std::nullopt;
            }
            if (damaged && !o.force)
                throw SweepInputError("--resume: there is no journal " + plan.journal.string() +
                                      ", and " + why_not +
                                      ": delete it, or pass --force to overwrite it, and run "
                                      "the sweep again");
            if (!o.force)
                throw SweepInputError("--resume: there is no journal " + plan.journal.string() +
                                      " and " + plan.output.string() +
                                      " is not this sweep's result (" + why_not +
                                      "); pass --force to overwrite it");
        } else if (!o.force) {
            throw SweepInputError(plan.output.string() + " exists; pass --force to overwrite it");
        }
    }
    try {
        return Journal::create(plan.journal, plan.journal_header());
    } catch (const JournalConflict& e) {
        throw SweepInputError(e.what());
    }
}

namespace {
/// Payload buffers (50-200 kB each) kept for reuse between the follower and its feeder.
constexpr std::size_t kSpareBuffers = 64;
/// The follower's thread is woken for this many records handed over, or this many bytes, not
/// for each record: every wake-up costs a context switch on a core a simulation is using.
constexpr std::size_t kWakeRecords = 16;
constexpr std::size_t kWakeBytes = std::size_t{4} << 20;
}  // namespace

struct ResultsFollower::State {
    const SweepPlan& plan;
    fs::path journal_path;
    TempFile part_file;  // OUT.tmp-HOST-PID-RANDOM, created exclusively (never a link followed)
    fs::path part;
    std::int64_t from_journal;  // records 0 .. from_journal - 1 are read from the journal file
    std::mutex m;
    std::condition_variable cv;       // to the thread: records handed over, abandon
    std::condition_variable room_cv;  // from the thread: a handed-over record was taken
    std::deque<std::string> handed;   // payloads handed over and not yet taken, in run order
    std::size_t handed_bytes = 0;
    std::int64_t handed_total = 0;   // records ever handed over
    std::vector<std::string> spare;  // buffers of written payloads, for reuse
    bool abandon = false;
    bool draining = false;  // the thread was woken: it takes every record handed over
    bool done = false;      // every record appended and the writer finished
    std::exception_ptr error;
    std::vector<PointSummary> points;
    std::int64_t failed = 0;
    std::thread thread;

    State(const SweepPlan& p, fs::path j, std::int64_t journaled)
        : plan(p),
          journal_path(std::move(j)),
          part_file(TempFile::beside(p.output)),
          part(part_file.path()),
          from_journal(journaled) {}

    /// The payload of record n: from the journal file for the records it held at the start,
    /// then as handed over. False when abandoned.
    bool next_payload(std::int64_t n, JournalReader& reader, std::string& payload) {
        if (n < from_journal) {
            std::int64_t run = 0;
            if (!reader.next(run, payload))
                throw JournalError(journal_path.string() + ": record " + std::to_string(n) +
                                   " is missing or damaged");
            return true;
        }
        {
            std::unique_lock lock(m);
            if (handed.empty()) draining = false;
            cv.wait(lock, [&] { return abandon || (!handed.empty() && (draining || wake_due())); });
            if (abandon) return false;
            draining = true;
            if (payload.capacity() > 0 && spare.size() < kSpareBuffers)
                spare.push_back(std::move(payload));
            payload = std::move(handed.front());
            handed.pop_front();
            handed_bytes -= payload.size();
        }
        room_cv.notify_all();
        return true;
    }

    /// Under m: whether the thread should take the records handed over now: enough of them,
    /// or the last one.
    bool wake_due() const {
        return handed.size() >= kWakeRecords || handed_bytes >= kWakeBytes ||
               from_journal + handed_total >= plan.runs.size();
    }

    void body() {
        try {
            PointAccumulator acc(plan, points);
            output::ResultsWriter writer(part, plan.layout, plan.provenance);
            JournalReader reader(journal_path);
            if (!(reader.header() == plan.journal_header()))
                throw JournalError(journal_path.string() + " changed while the sweep ran");
            std::string payload;
            for (std::int64_t n = 0; n < plan.runs.size(); ++n) {
                if (!next_payload(n, reader, payload)) return;
                // The events go from the payload straight into the writer's chunk.
                output::EventSlices events;
                output::RunRecord rec;
                try {
                    rec = decode_record(payload, &events);
                } catch (const CodecError& e) {
                    if (n >= from_journal) throw;  // handed over in memory: not the file's
                    const std::int64_t run = plan.runs.first + n;
                    throw SweepInputError(
                        journal_path.string() + ": record " + std::to_string(n) + " (run " +
                        std::to_string(run) + ") passes its checksum but cannot be decoded (" +
                        e.what() +
                        "): the journal is damaged or was written by another mss. Finish it with "
                        "the mss that wrote it, or delete it and run the sweep again without "
                        "--resume (its runs are simulated again)");
                }
                acc.add(rec);
                if (rec.status != output::RunStatus::ok) ++failed;
                writer.append(std::move(rec), &events);
            }
            acc.flush();
            writer.finish();
            // On disk before the rename (finish() renames): done here, it overlaps what the
            // main thread still does meanwhile (under MPI, MPI_Finalize).
            sync_file(part);
            std::lock_guard lock(m);
            done = true;
        } catch (...) {
            std::lock_guard lock(m);
            error = std::current_exception();
        }
        cv.notify_all();
        room_cv.notify_all();
    }
};

ResultsFollower::ResultsFollower(const SweepPlan& plan, const Journal& journal)
    : state_(std::make_unique<State>(plan, journal.path(), journal.records())) {
    state_->thread = std::thread([s = state_.get()] { s->body(); });
}

const fs::path& ResultsFollower::part_path() const {
    return state_->part;
}

ResultsFollower::~ResultsFollower() {
    abandon();
}

void ResultsFollower::abandon() {
    if (!state_ || !state_->thread.joinable()) return;
    {
        std::lock_guard lock(state_->m);
        state_->abandon = true;
    }
    state_->cv.notify_all();
    state_->thread.join();
    std::error_code ec;
    fs::remove(state_->part, ec);
}

std::string ResultsFollower::spare_buffer() {
    State& s = *state_;
    std::lock_guard lock(s.m);
    if (s.spare.empty()) return {};
    std::string b = std::move(s.spare.back());
    s.spare.pop_back();
    b.clear();
    return b;
}

void ResultsFollower::advance(std::string&& payload) {
    State& s = *state_;
    bool wake = false;
    {
        std::unique_lock lock(s.m);
        s.room_cv.wait(
            lock, [&] { return s.error || s.handed.empty() || s.handed_bytes < kHandoverBytes; });
        if (s.error) std::rethrow_exception(s.error);
        s.handed_bytes += payload.size();
        ++s.handed_total;
        s.handed.push_back(std::move(payload));
        wake = s.wake_due();
    }
    if (wake) s.cv.notify_all();
}

bool ResultsFollower::finish(Journal& journal, SweepRunResult& result,
                             const std::atomic<int>* stop) {
    const auto t0 = std::chrono::steady_clock::now();
    journal.sync();
    State& s = *state_;
    {
        std::unique_lock lock(s.m);
        if (s.from_journal + s.handed_total != journal.records())
            throw std::logic_error("ResultsFollower: a journaled record was not handed over");
        while (!s.done && !s.error) {
            if (stop != nullptr && stop->load() != 0) {
                lock.unlock();
                return false;  // the destructor removes the temporary; the journal stays
            }
            s.cv.wait_for(lock, std::chrono::milliseconds(50));
        }
    }
    s.thread.join();
    if (s.error) {
        std::error_code ec;
        fs::remove(s.part, ec);
        std::rethrow_exception(s.error);
    }
    // Durable before the rename, and the rename durable before the journal goes.
    try {
        durable_rename(s.part, s.plan.output, /*from_synced=*/true, s.plan.replace_output);
        s.part_file.release();
    } catch (...) {
        std::error_code ec;
        fs::remove(s.part, ec);  // the journal stays: --resume writes the file again
        throw;
    }
    journal.remove();
    result.points = std::move(s.points);
    result.failed = s.failed;
    result.final_write_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return true;
}

EmptyJournalRemover::~EmptyJournalRemover() {
    if (std::uncaught_exceptions() <= uncaught_ || journal_.records() != 0) return;
    try {
        journal_.remove();
    } catch (const std::exception&) {  // the error on its way matters more
    }
}

bool finish_from_journal(const SweepPlan& plan, Journal& journal, SweepRunResult& result,
                         const std::atomic<int>* stop) {
    ResultsFollower follower(plan, journal);
    return follower.finish(journal, result, stop);
}

std::string point_note(const SweepPlan& plan, std::int64_t next_run) {
    const std::int64_t points = static_cast<std::int64_t>(plan.sweep->points.size());
    const std::int64_t p = std::min(next_run / plan.replications + 1, points);
    return "point " + std::to_string(p) + "/" + std::to_string(points);
}

SweepRunResult run_sweep(const SweepPlan& plan, const SweepRunOptions& o) {
    SignalGuard signals;
    SweepRunResult result;
    std::optional<Journal> journal = open_journal(plan, o, result);
    if (!journal) return result;
    const EmptyJournalRemover remover(*journal);
    result.resumed = journal->records();
    result.discarded_bytes = journal->discarded_bytes();
    result.journal_damage = journal->damage();
    ResultsFollower follower(plan, *journal);
    if (!journal->complete()) {
        PointConfigs configs(*plan.sweep);
        std::vector<RunSpec> todo;
        for (std::int64_t r = journal->next_run(); r < plan.runs.end; ++r)
            todo.push_back(plan.spec(r));
        Progress progress("sweep runs", o.progress);
        std::mutex failure_mutex;
        auto simulate = [&](const RunSpec& spec) {
            std::string failure;
            output::RunRecord rec = configs.simulate(spec, &failure, &SignalGuard::stop_flag());
            if (!failure.empty()) {
                std::lock_guard lock(failure_mutex);
                if (result.first_failure.empty())
                    result.first_failure = "run " + std::to_string(spec.run) + ": " + failure;
            }
            return rec;
        };
        auto sink = [&](output::RunRecord&& rec) {
            std::string bytes = follower.spare_buffer();
            encode_record(rec, bytes);
            journal->append(rec.run, bytes);
            follower.advance(std::move(bytes));
            ++result.simulated;
        };
        RunnerOptions ro;
        ro.threads = o.threads;
        ro.stop = &SignalGuard::stop_flag();
        ro.progress = [&](std::int64_t done, std::int64_t total) {
            progress.update(done, total, [&] { return point_note(plan, journal->next_run()); });
        };
        run_all(todo, simulate, sink, ro);
        progress.finish();
        journal->sync();
        if (!journal->complete()) {
            result.outcome = SweepRunResult::Outcome::interrupted;
            result.signal_exit_code = SignalGuard::exit_code();
            return result;
        }
    }
    // A signal before or during the final write: every run is journaled, and --resume writes
    // the results file without simulating anything.
    if (SignalGuard::received() != 0 ||
        !follower.finish(*journal, result, &SignalGuard::stop_flag())) {
        result.outcome = SweepRunResult::Outcome::interrupted;
        result.signal_exit_code = SignalGuard::exit_code();
    }
    return result;
}

}  // namespace mss::experiment
