// sim/output/results_writer.hpp: what the writer stores through direct chunk writes reads back
// through HDF5's stock filters (results_reader), value for value: packed or raw series,
// incompressible chunks, /tables/events across chunk boundaries and a partial last chunk; the
// per-run variables across their chunks; the format version check.
#include "sim/output/results_writer.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <random>

#include <H5Cpp.h>

#include "sim/output/chunk_codec.hpp"
#include "sim/output/results_reader.hpp"

namespace fs = std::filesystem;
using namespace mss::output;

namespace {

constexpr std::size_t D = 5, C = 2, A = 3, K = mss::model::kClosureClassCount;
const std::vector<std::string> kPayers{"trust fund", "US"};

/// The layout of record(): with the two payers of kPayers, or none.
FileLayout small_layout(std::int64_t rows, const std::vector<std::string>& payers = kPayers) {
    FileLayout l;
    l.start_days_since_epoch = 19900;
    l.days = static_cast<std::int32_t>(D);
    l.contingents = {"Kenya", "Jamaica"};
    l.airports = {"PAP", "CAP", "NBO"};
    l.payers = payers;
    l.regimes = {"calm", "tense"};
    l.regime_shares = {0.75, 0.25};
    l.points = {{}};
    l.rows = rows;
    return l;
}

RunRecord record(std::int64_t run, std::size_t events, bool noisy, std::size_t P = kPayers.size()) {
    RunRecord r;
    r.run = run;
    r.replication = run;
    r.seed = 42;
    std::mt19937 g(static_cast<unsigned>(run) + 1);
    std::uniform_real_distribution<float> u(0.0f, 1000.0f);
    auto value = [&](std::size_t i) {
        return noisy ? u(g) : static_cast<float>(100 * run + static_cast<std::int64_t>(i % 4));
    };
    for (auto* s : {&r.strength, &r.on_duty, &r.filled, &r.waiting_at_origin, &r.in_transit})
        for (std::size_t i = 0; i < D * C; ++i)
            s->push_back(value(i));
    for (std::size_t i = 0; i < D * A; ++i)
        r.airport_open.push_back(value(i) / 1000.0f);
    for (std::size_t i = 0; i < D * A * K; ++i)
        r.airport_closed.push_back(i % 7 == 0 ? value(i) / 1000.0f : 0.0f);
    for (std::size_t i = 0; i < D * P; ++i)
        r.payer_balance.push_back(1.0e6f * value(i) - 5.0e8f);
    for (std::size_t d = 0; d < D; ++d)
        r.regime.push_back(static_cast<std::int8_t>(d % 2));
    for (std::size_t p = 0; p < P; ++p) {
        mss::model::PayerKpis k;
        double x = 0.0;
        for (const auto& col : mss::model::payer_kpi_columns())
            k.*(col.member) =
                1.0e6 * static_cast<double>(run) + 1000.0 * static_cast<double>(p) + ++x;
        r.payer_kpis.push_back(k);
    }
    for (std::size_t c = 0; c < C; ++c)
        r.contingent_kpis.push_back(mss::model::ContingentKpis{
            1.0 + static_cast<double>(c), 0.5, 0.25, 0.0, 10.0 * static_cast<double>(run)});
    r.contingent_kpis[0].days_to_foc = mss::model::kNaN;
    double k = 0.0;
    for (const auto& col : mss::model::kpi_columns())
        r.kpis.*(col.member) = 1000.0 * static_cast<double>(run) + ++k;
    r.kpis.days_to_foc = mss::model::kNaN;
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

bool same_double(double a, double b) {
    return std::memcmp(&a, &b, sizeof a) == 0;
}

void check_same(const RunRecord& a, const RunRecord& b) {
    CHECK(a.run == b.run);
    CHECK(a.strength == b.strength);
    CHECK(a.point == b.point);
    CHECK(a.replication == b.replication);
    CHECK(a.seed == b.seed);
    CHECK(a.on_duty == b.on_duty);
    CHECK(a.filled == b.filled);
    CHECK(a.waiting_at_origin == b.waiting_at_origin);
    CHECK(a.in_transit == b.in_transit);
    CHECK(a.airport_open == b.airport_open);
    CHECK(a.airport_closed == b.airport_closed);
    CHECK(a.payer_balance == b.payer_balance);
    CHECK(a.regime == b.regime);
    for (const auto& col : mss::model::kpi_columns())
        CHECK(same_double(a.kpis.*(col.member), b.kpis.*(col.member)));
    REQUIRE(a.contingent_kpis.size() == b.contingent_kpis.size());
    for (std::size_t c = 0; c < a.contingent_kpis.size(); ++c)
        for (const auto& col : mss::model::contingent_kpi_columns())
            CHECK(same_double(a.contingent_kpis[c].*(col.member),
                              b.contingent_kpis[c].*(col.member)));
    REQUIRE(a.payer_kpis.size() == b.payer_kpis.size());
    for (std::size_t p = 0; p < a.payer_kpis.size(); ++p)
        for (const auto& col : mss::model::payer_kpi_columns())
            CHECK(same_double(a.payer_kpis[p].*(col.member), b.payer_kpis[p].*(col.member)));
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

TEST_CASE("the per-run variables and the layout read back across chunks of rows", "[output]") {
    TempFile f;
    FileLayout l = small_layout(1100);  // more rows than one chunk of a per-run variable
    l.factor_names = {"fleet.size", "contingent.Kenya.billets"};
    l.points.clear();
    for (int p = 0; p < 2; ++p)
        l.points.push_back({2.0 + p, 1000.0 - 100.0 * p});
    Provenance prov;
    prov.scenario_toml = "[scenario]\nname = \"small\"\n";
    prov.sweep_toml = "[sweep]\n";
    prov.sweep_hash = "0123456789abcdef";
    std::vector<RunRecord> runs;
    {
        ResultsWriter w(f.path, l, prov);
        for (std::int64_t i = 0; i < 1100; ++i) {
            RunRecord r = record(i, 1, false);
            r.point = i / 550;
            r.replication = i % 550;
            r.seed = 7 + static_cast<std::uint64_t>(i);
            r.status = i == 1030 ? RunStatus::failed : RunStatus::ok;
            runs.push_back(r);
            w.append(std::move(r));
        }
        w.finish();
    }
    const ResultsInfo info = read_info(f.path);
    CHECK(info.format == "mss-sim/2");
    CHECK(info.layout.rows == 1100);
    CHECK(info.layout.days == static_cast<std::int32_t>(D));
    CHECK(info.layout.start_days_since_epoch == 19900);
    CHECK(info.layout.contingents == l.contingents);
    CHECK(info.layout.airports == l.airports);
    CHECK(info.layout.payers == l.payers);
    CHECK(info.layout.regimes == l.regimes);
    CHECK(info.layout.regime_shares == l.regime_shares);
    CHECK(info.layout.factor_names == l.factor_names);
    CHECK(info.layout.points == l.points);
    CHECK(info.provenance.sweep_hash == prov.sweep_hash);
    CHECK(info.provenance.scenario_toml == prov.scenario_toml);
    const RunsTable t = read_runs(f.path);
    REQUIRE(t.run.size() == 1100);
    REQUIRE(t.kpi_names.size() == mss::model::kpi_columns().size());
    for (std::size_t i = 0; i < 1100; ++i) {
        CHECK(t.run[i] == runs[i].run);
        CHECK(t.point[i] == runs[i].point);
        CHECK(t.replication[i] == runs[i].replication);
        CHECK(t.seed[i] == runs[i].seed);
        CHECK(t.status[i] == static_cast<std::int8_t>(runs[i].status));
        std::size_t k = 0;
        for (const auto& col : mss::model::kpi_columns())
            CHECK(same_double(t.kpis[k++][i], runs[i].kpis.*(col.member)));
    }
    const auto back = read_records(f.path, 1020, 10);
    for (std::size_t i = 0; i < back.size(); ++i)
        check_same(runs[1020 + i], back[i]);
}

TEST_CASE("a file with no payers, or written before payers were recorded, has none", "[output]") {
    TempFile f;
    std::vector<RunRecord> runs{record(0, 3, false, 0), record(1, 0, true, 0)};
    {
        ResultsWriter w(f.path, small_layout(2, {}), Provenance{});
        for (const RunRecord& r : runs)
            w.append(r);
        w.finish();
    }
    const auto check_file = [&] {
        CHECK(read_info(f.path).layout.payers.empty());
        const auto back = read_records(f.path, 0, 2);
        REQUIRE(back.size() == 2);
        for (std::size_t i = 0; i < runs.size(); ++i)
            check_same(runs[i], back[i]);
        CHECK_NOTHROW(verify_results(f.path));
    };
    check_file();
    {
        // An mss-sim/2 file of an mss before payers: none of their variables.
        H5::H5File h(f.path.string(), H5F_ACC_RDWR);
        for (const auto& col : mss::model::payer_kpi_columns())
            h.unlink(std::string("payer_") + col.name);
        h.unlink("payer");
        h.unlink("series/payer_balance");
        h.unlink("series/payer");
    }
    check_file();
    // A writer refuses a record whose payers do not match the layout.
    TempFile g;
    ResultsWriter w(g.path, small_layout(1), Provenance{});
    CHECK_THROWS_AS(w.append(record(0, 0, false, 1)), OutputError);
}

TEST_CASE("a payer variable of the wrong shape is damage", "[output]") {
    TempFile f;
    {
        ResultsWriter w(f.path, small_layout(1), Provenance{});
        w.append(record(0, 0, false));
        w.finish();
    }
    {
        H5::H5File h(f.path.string(), H5F_ACC_RDWR);
        h.unlink("payer_cost_usd");
        const hsize_t dims[2] = {1, 3};
        h.createDataSet("payer_cost_usd", H5::PredType::NATIVE_DOUBLE, H5::DataSpace(2, dims));
    }
    CHECK_THROWS_WITH(read_info(f.path), f.path.string() +
                                             " is damaged: /payer_cost_usd is [1, 3], expected "
                                             "[run 1, payer 2]");
}

TEST_CASE("a file of another format version is refused, naming both versions", "[output]") {
    TempFile f;
    {
        H5::H5File h(f.path.string(), H5F_ACC_TRUNC);
        H5::StrType t(H5::PredType::C_S1, H5T_VARIABLE);
        H5::Attribute a = h.openGroup("/").createAttribute("format", t, H5::DataSpace(H5S_SCALAR));
        a.write(t, std::string("mss-sim/1"));
    }
    const std::string want = f.path.string() + " is format mss-sim/1; this mss reads mss-sim/2";
    CHECK_THROWS_WITH(read_info(f.path), want);
    CHECK_THROWS_WITH(read_runs(f.path), want);
    CHECK_THROWS_WITH(read_records(f.path, 0, 1), want);
}
