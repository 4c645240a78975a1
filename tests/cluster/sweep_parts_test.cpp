// The parts of sweeps that need no simulation: the shard rule, the record codec, the journal
// (framing, torn tails, locking) and the thread runner. Unit tests, also run under ASan/UBSan.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <stdexcept>
#include <thread>

#include "sim/experiment/files.hpp"
#include "sim/experiment/journal.hpp"
#include "sim/experiment/mission_runs.hpp"
#include "sim/experiment/record_codec.hpp"
#include "sim/experiment/runner.hpp"
#include "sim/experiment/shards.hpp"
#include "sim/experiment/sweep_run.hpp"
#include "sim/model/baseline.hpp"
#include "sim/output/results_writer.hpp"

namespace ex = mss::experiment;
namespace fs = std::filesystem;

namespace {

mss::output::RunRecord sample_record(std::int64_t run) {
    mss::output::RunRecord r;
    r.run = run;
    r.point = run / 3;
    r.replication = run % 3;
    r.seed = 0xfedcba9876543210ULL;
    r.wall_s = 0.25;
    r.kpis.days_to_foc = mss::model::kNaN;
    r.kpis.cost_usd = 1.5e7 + static_cast<double>(run);
    r.kpis.events_handled = 12345;
    r.contingent_kpis = {{1.0, 0.5, 0.75, mss::model::kNaN, 200.0}, {2.0, 0.25, 0.5, 0.0, 10.0}};
    const float nan = std::numeric_limits<float>::quiet_NaN();
    r.strength = {1.0f, 2.0f, nan, 4.0f};
    r.on_duty = {1.0f, 1.0f, 1.0f, 1.0f};
    r.filled = {1.0f, 0.0f, 1.0f, nan};
    r.waiting_at_origin = {0.0f, 0.0f, 0.0f, 0.0f};
    r.in_transit = {0.5f, 0.0f, 0.0f, 0.0f};
    r.airport_open = {1.0f, 0.75f};
    r.airport_closed = {0.0f, 0.0f, 0.0f, 0.0f, 0.25f, 0.0f, 0.125f, 0.0f};
    r.payer_balance = {1.13e8f, -2.5e6f};
    r.payer_kpis = {{4.2e7, 1.1e8, 1200.0, 30.0, -2.5e6, mss::model::kNaN}};
    r.regime = {0, 2};
    r.events = {{3.5, mss::model::EventKind::landed, 0, 1, 200},
                {30.0, mss::model::EventKind::attack, -1, -1, 1}};
    r.events_dropped = 7;
    return r;
}

bool same_bits(const mss::output::RunRecord& a, const mss::output::RunRecord& b) {
    return ex::encode_record(a) == ex::encode_record(b);
}

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/mss-journal-test.XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

ex::JournalHeader header(std::int64_t first, std::int64_t count) {
    ex::JournalHeader h;
    h.identity = "0123456789abcdef";
    h.total_runs = 100;
    h.shard_index = 1;
    h.shard_count = 4;
    h.first_run = first;
    h.run_count = count;
    return h;
}

}  // namespace

TEST_CASE("shards partition the run ids into contiguous slices of near-equal size", "[sweep]") {
    for (std::int64_t total : {1, 2, 7, 16, 100, 1001}) {
        for (std::int64_t n = 1; n <= std::min<std::int64_t>(total, 13); ++n) {
            std::int64_t next = 0, smallest = total, largest = 0;
            for (std::int64_t i = 0; i < n; ++i) {
                const ex::RunRange r = ex::shard_range({i, n}, total);
                CHECK(r.first == next);
                next = r.end;
                smallest = std::min(smallest, r.size());
                largest = std::max(largest, r.size());
            }
            CHECK(next == total);
            CHECK(largest - smallest <= 1);
        }
    }
    CHECK(ex::shard_range({1, 3}, 16) == ex::RunRange{5, 10});
    CHECK(ex::range_text({5, 10}) == "5-9");
    CHECK(ex::range_text({5, 6}) == "5");
}

TEST_CASE("shard specs are parsed strictly", "[sweep]") {
    std::string why;
    REQUIRE(ex::parse_shard("2/5", why));
    CHECK(ex::parse_shard("2/5", why)->str() == "2/5");
    for (const char* bad : {"5/5", "-1/5", "1/0", "1", "a/b", "1/2/3", "1 /2", "", "/", "1/"}) {
        INFO(bad);
        CHECK_FALSE(ex::parse_shard(bad, why));
        CHECK_FALSE(why.empty());
    }
}

TEST_CASE("the record codec round-trips every bit, NaN payloads included", "[sweep]") {
    const auto r = sample_record(17);
    const std::string bytes = ex::encode_record(r);
    const auto back = ex::decode_record(bytes);
    CHECK(back.run == 17);
    CHECK(back.seed == r.seed);
    CHECK(std::isnan(back.kpis.days_to_foc));
    CHECK(back.kpis.events_handled == 12345);
    CHECK(back.events.size() == 2);
    CHECK(back.events[1].kind == mss::model::EventKind::attack);
    CHECK(same_bits(r, back));
    CHECK(ex::encoded_run_id(bytes) == 17);
}

TEST_CASE("decoding events as slices of the bytes gives what the copy gives", "[sweep]") {
    const std::string bytes = ex::encode_record(sample_record(5));
    const auto copy = ex::decode_record(bytes);
    mss::output::EventSlices s;
    const auto viewed = ex::decode_record(bytes, &s);
    CHECK(viewed.events.empty());
    CHECK(viewed.run == 5);
    const auto& e = copy.events;
    REQUIRE(s.n == e.size());
    CHECK(std::memcmp(s.t_h, e.t_h.data(), 8 * s.n) == 0);
    CHECK(std::memcmp(s.kind, e.kind.data(), s.n) == 0);
    CHECK(std::memcmp(s.contingent, e.contingent.data(), 2 * s.n) == 0);
    CHECK(std::memcmp(s.airport, e.airport.data(), 2 * s.n) == 0);
    CHECK(std::memcmp(s.count, e.count.data(), 4 * s.n) == 0);
    // The slices point into the bytes; a bad event kind is refused either way.
    CHECK(static_cast<const char*>(s.t_h) >= bytes.data());
    CHECK(static_cast<const char*>(s.count) + 4 * s.n == bytes.data() + bytes.size());
    std::string bad = bytes;
    bad[static_cast<std::size_t>(static_cast<const char*>(s.kind) - bytes.data())] = '\x7f';
    CHECK_THROWS_WITH(ex::decode_record(bad), Catch::Contains("bad event kind"));
    CHECK_THROWS_WITH(ex::decode_record(bad, &s), Catch::Contains("bad event kind"));
}

TEST_CASE("the record codec rejects truncated and padded bytes", "[sweep]") {
    const std::string bytes = ex::encode_record(sample_record(3));
    for (std::size_t cut : {std::size_t{0}, std::size_t{1}, std::size_t{20}, bytes.size() - 1})
        CHECK_THROWS_AS(ex::decode_record(std::string_view(bytes).substr(0, cut)), ex::CodecError);
    CHECK_THROWS_AS(ex::decode_record(bytes + "x"), ex::CodecError);
    std::string bad_version = bytes;
    bad_version[0] = 9;
    CHECK_THROWS_AS(ex::decode_record(bad_version), ex::CodecError);
}

TEST_CASE("a journal keeps records in run order and reopens with their count", "[sweep]") {
    TempDir dir;
    const fs::path p = dir.path / "out.h5.journal";
    {
        ex::Journal j = ex::Journal::create(p, header(25, 5));
        CHECK(j.next_run() == 25);
        j.append(25, ex::encode_record(sample_record(25)));
        j.append(26, ex::encode_record(sample_record(26)));
        CHECK_THROWS_AS(j.append(28, ex::encode_record(sample_record(28))), ex::JournalError);
        CHECK(j.records() == 2);
    }
    CHECK_THROWS_AS(ex::Journal::create(p, header(25, 5)), ex::JournalConflict);
    CHECK(ex::read_journal_header(p) == header(25, 5));
    ex::Journal j = ex::Journal::open(p);
    CHECK(j.header() == header(25, 5));
    CHECK(j.records() == 2);
    CHECK(j.discarded_bytes() == 0);
    for (std::int64_t run = 27; run < 30; ++run)
        j.append(run, ex::encode_record(sample_record(run)));
    CHECK(j.complete());
    ex::JournalReader reader(p);
    std::int64_t run = 0, n = 0;
    std::string payload;
    while (reader.next(run, payload)) {
        CHECK(run == 25 + n);
        CHECK(same_bits(ex::decode_record(payload), sample_record(run)));
        ++n;
    }
    CHECK(n == 5);
}

TEST_CASE("a torn last record is cut off when the journal is reopened", "[sweep]") {
    TempDir dir;
    const fs::path p = dir.path / "out.h5.journal";
    std::uintmax_t whole = 0;
    {
        ex::Journal j = ex::Journal::create(p, header(0, 10));
        for (std::int64_t run = 0; run < 3; ++run)
            j.append(run, ex::encode_record(sample_record(run)));
        whole = fs::file_size(p);
        j.append(3, ex::encode_record(sample_record(3)));
    }
    const std::uintmax_t with_fourth = fs::file_size(p);
    SECTION("cut inside the payload") {
        fs::resize_file(p, with_fourth - 5);
    }
    SECTION("cut inside the frame header") {
        fs::resize_file(p, whole + 7);
    }
    SECTION("a damaged byte in the payload") {
        std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(with_fourth - 10));
        f.put('\x5a');
    }
    ex::Journal j = ex::Journal::open(p);
    CHECK(j.records() == 3);
    CHECK(j.discarded_bytes() > 0);
    CHECK(fs::file_size(p) == whole);
    j.append(3, ex::encode_record(sample_record(3)));  // and it goes on from there
    CHECK(j.records() == 4);
}

TEST_CASE("a journal in use is locked against a second user", "[sweep]") {
    TempDir dir;
    const fs::path p = dir.path / "out.h5.journal";
    ex::Journal j = ex::Journal::create(p, header(0, 10));
    CHECK_THROWS_AS(ex::Journal::open(p), ex::JournalConflict);
}

TEST_CASE("a file that is not a journal is refused", "[sweep]") {
    TempDir dir;
    const fs::path p = dir.path / "junk.journal";
    std::ofstream(p) << "not a journal at all, just some text that is long enough to fill a header";
    CHECK_THROWS_AS(ex::Journal::open(p), ex::JournalConflict);
    CHECK_THROWS_AS(ex::read_journal_header(p), ex::JournalConflict);
}

TEST_CASE("a journal of another format version is refused, naming the version", "[sweep]") {
    TempDir dir;
    const fs::path p = dir.path / "old.journal";
    { ex::Journal::create(p, header(0, 5)); }
    // Version 1 journals hold record codec v1 payloads, which this build cannot read.
    std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(12);
    const std::uint32_t one = 1;
    f.write(reinterpret_cast<const char*>(&one), sizeof one);
    f.close();
    try {
        ex::Journal::open(p);
        FAIL("an old journal was opened");
    } catch (const ex::JournalConflict& e) {
        CHECK_THAT(e.what(), Catch::Contains("another version"));
    }
}

TEST_CASE("factor values become /points numbers, or their index when not numbers", "[sweep]") {
    mss::scenario::Factor f;
    f.key = "contingent.Kenya.tour_days";
    f.values = {"{ dist = \"normal\", mean = 182.0 }", "365", "1_000", "0x10", "true", "-inf"};
    CHECK(ex::factor_point_value(f, f.values[0]) == 0.0);
    CHECK(ex::factor_point_value(f, "365") == 365.0);
    CHECK(ex::factor_point_value(f, "1_000") == 1000.0);
    CHECK(ex::factor_point_value(f, "0x10") == 16.0);
    CHECK(ex::factor_point_value(f, "0o17") == 15.0);
    CHECK(ex::factor_point_value(f, "0b101") == 5.0);
    CHECK(ex::factor_point_value(f, "true") == 1.0);
    CHECK(ex::factor_point_value(f, "2.5e-3") == 0.0025);
    CHECK(std::isinf(ex::factor_point_value(f, "-inf")));
    CHECK(std::isnan(ex::factor_point_value(f, "\"text\"")));
}

TEST_CASE("a durable rename syncs and renames, and names the file it cannot sync", "[sweep]") {
    TempDir dir;
    const fs::path from = dir.path / "out.h5.part", to = dir.path / "out.h5";
    std::ofstream(from) << "contents";
    SECTION("synced here") {
        ex::durable_rename(from, to);
    }
    SECTION("synced by the caller") {
        ex::sync_file(from);
        ex::durable_rename(from, to, /*from_synced=*/true);
    }
    CHECK_FALSE(fs::exists(from));
    std::ifstream in(to);
    std::string text;
    in >> text;
    CHECK(text == "contents");
    const fs::path missing = dir.path / "gone.h5.part";
    CHECK_THROWS_WITH(ex::sync_file(missing),
                      Catch::Contains(missing.string()) && Catch::Contains("sync"));
    CHECK_THROWS_WITH(ex::durable_rename(missing, to), Catch::Contains(missing.string()));
}

namespace {

std::vector<ex::RunSpec> specs(std::int64_t n) {
    std::vector<ex::RunSpec> v;
    for (std::int64_t i = 0; i < n; ++i)
        v.push_back({100 + i, i / 4, i % 4});
    return v;
}

/// A run function whose runs take 0-300 us, in an order-scrambling pattern.
mss::output::RunRecord jittery_run(const ex::RunSpec& s) {
    std::this_thread::sleep_for(std::chrono::microseconds((s.run * 7919) % 300));
    mss::output::RunRecord r;
    r.run = s.run;
    return r;
}

}  // namespace

TEST_CASE("run_all hands every record to the sink once, in run order", "[sweep][runner]") {
    const int threads = GENERATE(1, 2, 4);
    const std::size_t window =
        GENERATE(std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{64});
    CAPTURE(threads, window);
    const auto runs = specs(97);
    std::vector<std::int64_t> got;
    std::vector<std::int64_t> progress;
    ex::RunnerOptions o;
    o.threads = threads;
    o.window = window;
    o.progress = [&](std::int64_t done, std::int64_t total) {
        CHECK(total == 97);
        progress.push_back(done);
    };
    const std::int64_t n = ex::run_all(
        runs, jittery_run, [&](mss::output::RunRecord&& r) { got.push_back(r.run); }, o);
    CHECK(n == 97);
    REQUIRE(got.size() == 97);
    for (std::size_t i = 0; i < got.size(); ++i) {
        CHECK(got[i] == runs[i].run);
        CHECK(progress[i] == static_cast<std::int64_t>(i) + 1);
    }
}

TEST_CASE("run_all stops early on request and delivers an in-order prefix", "[sweep][runner]") {
    const int threads = GENERATE(1, 3);
    CAPTURE(threads);
    const auto runs = specs(400);
    std::atomic<int> stop{0};
    std::vector<std::int64_t> got;
    ex::RunnerOptions o;
    o.threads = threads;
    o.stop = &stop;
    const std::int64_t n = ex::run_all(
        runs, jittery_run,
        [&](mss::output::RunRecord&& r) {
            got.push_back(r.run);
            if (got.size() == 25) stop.store(1);
        },
        o);
    CHECK(n == static_cast<std::int64_t>(got.size()));
    CHECK(n >= 25);
    CHECK(n < 400);
    for (std::size_t i = 0; i < got.size(); ++i)
        CHECK(got[i] == runs[i].run);
}

TEST_CASE("run_all rethrows a run's or the sink's exception after stopping", "[sweep][runner]") {
    const auto runs = specs(60);
    ex::RunnerOptions o;
    o.threads = 2;
    SECTION("a run throws") {
        auto run = [](const ex::RunSpec& s) {
            if (s.run == 100 + 33) throw std::runtime_error("run 33 failed");
            return jittery_run(s);
        };
        std::int64_t sunk = 0;
        CHECK_THROWS_WITH(ex::run_all(
                              runs, run, [&](mss::output::RunRecord&&) { ++sunk; }, o),
                          "run 33 failed");
        CHECK(sunk <= 33);
    }
    SECTION("the sink throws") {
        std::int64_t sunk = 0;
        auto sink = [&](mss::output::RunRecord&&) {
            if (++sunk == 10) throw std::runtime_error("disk full");
        };
        CHECK_THROWS_WITH(ex::run_all(runs, jittery_run, sink, o), "disk full");
        CHECK(sunk == 10);
    }
}

TEST_CASE("a failed run's KPIs are all missing, per contingent too", "[sweep]") {
    mss::model::ModelConfig cfg = mss::model::baseline_config();
    cfg.funding.payers = {mss::model::PayerConfig{"fund", 1.0e6}};
    const auto r = ex::failed_record(cfg, 7, ex::RunSpec{5, 1, 2});
    CHECK(r.status == mss::output::RunStatus::failed);
    CHECK(r.run == 5);
    for (const auto& k : mss::model::kpi_columns())
        CHECK(std::isnan(r.kpis.*(k.member)));
    REQUIRE(r.contingent_kpis.size() == cfg.contingents.size());
    for (const auto& c : r.contingent_kpis) {
        for (const auto& k : mss::model::contingent_kpi_columns())
            CHECK(std::isnan(c.*(k.member)));
    }
    REQUIRE(r.payer_kpis.size() == 1);
    for (const auto& k : mss::model::payer_kpi_columns())
        CHECK(std::isnan(r.payer_kpis[0].*(k.member)));
    REQUIRE(r.payer_balance.size() == static_cast<std::size_t>(cfg.scenario.horizon_days));
    CHECK(std::isnan(r.payer_balance[0]));
}
