// sim/output/results_writer.hpp: what the writer stores through direct chunk writes reads back
// through HDF5's stock filters (results_reader), value for value: packed or raw series,
// incompressible chunks, /events across chunk boundaries and a partial last chunk.
#include "sim/output/results_writer.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <random>

#include "sim/output/chunk_codec.hpp"
#include "sim/output/results_reader.hpp"

namespace fs = std::filesystem;
using namespace mss::output;

namespace {

constexpr std::size_t D = 5, C = 2, A = 3;

FileLayout small_layout(std::int64_t rows) {
    FileLayout l;
    l.start_days_since_epoch = 19900;
    l.days = static_cast<std::int32_t>(D);
    l.contingents = {"Kenya", "Jamaica"};
    l.airports = {"PAP", "CAP", "NBO"};
    l.regimes = {"calm", "tense"};
    l.regime_shares = {0.75, 0.25};
    l.points = {{}};
    l.rows = rows;
    return l;
}

RunRecord record(std::int64_t run, std::size_t events, bool noisy) {
    RunRecord r;
    r.run = run;
    r.replication = run;
    r.seed = 42;
    std::mt19937 g(static_cast<unsigned>(run) + 1);
    std::uniform_real_distribution<float> u(0.0f, 1000.0f);
    auto value = [&](std::size_t i) {
        return noisy ? u(g) : static_cast<float>(100 * run + static_cast<std::int64_t>(i % 4));
    };
    for (auto* s : {&r.strength, &r.on_duty, &r.waiting_at_origin, &r.in_transit})
        for (std::size_t i = 0; i < D * C; ++i)
            s->push_back(value(i));
    for (std::size_t i = 0; i < D * A; ++i)
        r.airport_open.push_back(value(i) / 1000.0f);
    for (std::size_t d = 0; d < D; ++d)
        r.regime.push_back(static_cast<std::int8_t>(d % 2));
    r.contingent_kpis.assign(C, mss::model::ContingentKpis{1.0, 0.5, 0.5, 0.0, 10.0});
    r.kpis.cost_usd = 1000.0 + static_cast<double>(run);
    for (std::size_t e = 0; e < events; ++e)
        r.events.push_back({0.5 * static_cast<double>(e), mss::model::EventKind::landed,
                            static_cast<std::int16_t>(e % C), static_cast<std::int16_t>(e % A),
                            static_cast<std::int32_t>(e)});
    return r;
}

struct TempFile {
    fs::path path =
        fs::temp_directory_path() / ("mss-writer-test-" + std::to_string(::getpid()) + ".h5");
    ~TempFile() {
        std::error_code ec;
        fs::remove(path, ec);
    }
};

void check_same(const RunRecord& a, const RunRecord& b) {
    CHECK(a.run == b.run);
    CHECK(a.strength == b.strength);
    CHECK(a.on_duty == b.on_duty);
    CHECK(a.waiting_at_origin == b.waiting_at_origin);
    CHECK(a.in_transit == b.in_transit);
    CHECK(a.airport_open == b.airport_open);
    CHECK(a.regime == b.regime);
    CHECK(a.kpis.cost_usd == b.kpis.cost_usd);
    REQUIRE(a.events.size() == b.events.size());
    for (std::size_t i = 0; i < a.events.size(); ++i) {
        CHECK(a.events[i].t_h == b.events[i].t_h);
        CHECK(a.events[i].kind == b.events[i].kind);
        CHECK(a.events[i].contingent == b.events[i].contingent);
        CHECK(a.events[i].airport == b.events[i].airport);
        CHECK(a.events[i].count == b.events[i].count);
    }
}

}  // namespace

TEST_CASE("direct chunk writes read back value for value through HDF5's filters", "[output]") {
    TempFile f;
    // Run 0 fills one /events chunk (8192 rows) and starts the next; run 2 ends a partial chunk.
    std::vector<RunRecord> runs{record(0, 9000, false), record(1, 0, true), record(2, 10, false),
                                record(3, 8192, true)};
    {
        ResultsWriter w(f.path, small_layout(4), Provenance{});
        for (std::size_t i = 0; i < runs.size(); ++i) {
            RunRecord r = runs[i];
            if (i % 2 == 0) pack(r);  // as a worker thread hands it over
            w.append(std::move(r));
        }
        w.finish();
    }
    const auto back = read_records(f.path, 0, 4);
    REQUIRE(back.size() == 4);
    for (std::size_t i = 0; i < runs.size(); ++i)
        check_same(runs[i], back[i]);
    // Any block of rows finds exactly its runs' events (binary search in /events).
    for (std::int64_t first = 0; first < 4; ++first)
        for (std::int64_t count = 1; first + count <= 4; ++count) {
            const auto block = read_records(f.path, first, count);
            REQUIRE(block.size() == static_cast<std::size_t>(count));
            for (std::int64_t i = 0; i < count; ++i)
                check_same(runs[static_cast<std::size_t>(first + i)],
                           block[static_cast<std::size_t>(i)]);
        }
}

TEST_CASE("events given as unaligned column slices are written as the columns are", "[output]") {
    TempFile f;
    const std::vector<RunRecord> runs{record(0, 9000, false), record(1, 3, true)};
    {
        ResultsWriter w(f.path, small_layout(2), Provenance{});
        for (const RunRecord& original : runs) {
            // The columns back to back from an odd address, as in an encoded record.
            const EventColumns& e = original.events;
            const std::size_t n = e.size();
            std::vector<std::uint8_t> bytes(1 + 17 * n);
            std::uint8_t* q = bytes.data() + 1;
            const EventSlices slices{n, q, q + 8 * n, q + 9 * n, q + 11 * n, q + 13 * n};
            if (n > 0) {
                std::memcpy(q, e.t_h.data(), 8 * n);
                std::memcpy(q + 8 * n, e.kind.data(), n);
                std::memcpy(q + 9 * n, e.contingent.data(), 2 * n);
                std::memcpy(q + 11 * n, e.airport.data(), 2 * n);
                std::memcpy(q + 13 * n, e.count.data(), 4 * n);
            }
            RunRecord r = original;
            r.events = {};
            w.append(std::move(r), &slices);
        }
        w.finish();
    }
    const auto back = read_records(f.path, 0, 2);
    REQUIRE(back.size() == 2);
    for (std::size_t i = 0; i < runs.size(); ++i)
        check_same(runs[i], back[i]);
}

TEST_CASE("the writer refuses events given both in the record and as slices", "[output]") {
    TempFile f;
    ResultsWriter w(f.path, small_layout(1), Provenance{});
    RunRecord r = record(0, 2, false);
    const EventSlices slices = EventSlices::of(r.events);
    CHECK_THROWS_WITH(w.append(r, &slices), Catch::Contains("events given twice"));
}

TEST_CASE("the writer refuses series of the wrong shape, packed or raw", "[output]") {
    TempFile f;
    ResultsWriter w(f.path, small_layout(2), Provenance{});
    RunRecord raw = record(0, 0, false);
    raw.strength.pop_back();
    CHECK_THROWS_AS(w.append(raw), OutputError);
    RunRecord packed = record(0, 0, false);
    packed.regime.push_back(0);
    pack(packed);
    CHECK_THROWS_AS(w.append(packed), OutputError);
    CHECK(w.rows_appended() == 0);
}
