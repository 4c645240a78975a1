// Reads mss-sim/2 files with the HDF5 C++ API. Every failure becomes an OutputError naming the
// file (DamagedFile, "FILE is damaged: WHAT", for a damaged one), so a wrong or damaged file is
// a clear message, never a crash. The shapes are checked against each other, and the memory a
// read would take against read_budget(), before anything is allocated.
#include "sim/output/results_reader.hpp"

#include <H5Cpp.h>
#include <unistd.h>

#include "sim/model/dates.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <limits>
#include <map>
#include <utility>

namespace mss::output {

namespace {

using H5::PredType;
namespace fs = std::filesystem;

/// Labels are indexed by int16 codes in /tables/events: no more than this many of each.
constexpr hsize_t kMaxLabels = 32767;
/// Sweep factors (a sweep has a few; the attribute is read into memory whole).
constexpr hsize_t kMaxFactors = 4096;
/// Rows per block when reading a whole variable block by block.
constexpr hsize_t kBlockRows = 65536;
/// Bytes per block of series when verifying.
constexpr std::uint64_t kBlockBytes = std::uint64_t{16} << 20;

std::atomic<std::uint64_t> g_budget{0};

std::uint64_t add_sat(std::uint64_t a, std::uint64_t b) noexcept {
    std::uint64_t r = 0;
    return __builtin_add_overflow(a, b, &r) ? std::numeric_limits<std::uint64_t>::max() : r;
}

std::string gib(std::uint64_t bytes) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
    return buf;
}

[[noreturn]] void damaged(const fs::path& path, const std::string& what) {
    throw DamagedFile(path.string() + " is damaged: " + what);
}

/// "[2, 90, 4]"
std::string dims_text(const std::vector<hsize_t>& d) {
    std::string s = "[";
    for (std::size_t i = 0; i < d.size(); ++i)
        s += (i ? ", " : "") + std::to_string(d[i]);
    return s + "]";
}

const char* class_name(H5T_class_t c) {
    switch (c) {
        case H5T_INTEGER:
            return "integer";
        case H5T_FLOAT:
            return "floating-point";
        case H5T_STRING:
            return "string";
        case H5T_COMPOUND:
            return "compound";
        case H5T_ENUM:
            return "enum";
        case H5T_ARRAY:
            return "array";
        case H5T_VLEN:
            return "variable-length";
        case H5T_OPAQUE:
            return "opaque";
        case H5T_BITFIELD:
            return "bitfield";
        case H5T_REFERENCE:
            return "reference";
        case H5T_TIME:
            return "time";
        default:
            return "unknown";
    }
}

/// One dimension a variable must have: its length and name.
struct Dim {
    hsize_t n;
    const char* name;
};

/// Checks a file's variables against the shapes, for messages naming the file and the
/// variable. `at` is the variable being read (for the HDF5 failures guarded() reports).
struct Checker {
    const fs::path& path;
    std::string& at;

    static std::string full(const std::string& group, const std::string& name) {
        return group + "/" + name;
    }

    std::vector<hsize_t> dims_of(const H5::DataSet& ds, const std::string& name) const {
        H5::DataSpace s = ds.getSpace();
        if (s.getSimpleExtentType() != H5S_SIMPLE)
            damaged(path, name + " is a scalar or empty dataspace, not an array");
        const int rank = s.getSimpleExtentNdims();
        if (rank < 1 || rank > H5S_MAX_RANK) damaged(path, name + " has no dimensions");
        std::vector<hsize_t> d(static_cast<std::size_t>(rank));
        s.getSimpleExtentDims(d.data());
        return d;
    }

    /// Opens the dataset `name` of `g` (called `group` in messages, "" for the root) and checks
    /// its type class and rank; returns its dimensions through `got`.
    H5::DataSet open(const H5::Group& g, const std::string& group, const std::string& name,
                     std::initializer_list<H5T_class_t> classes, std::size_t rank,
                     std::vector<hsize_t>& got) const {
        const std::string f = full(group, name);
        at = f;
        if (!g.nameExists(name)) damaged(path, f + " is missing");
        if (g.childObjType(name) != H5O_TYPE_DATASET)
            damaged(path, f + " is not a variable (an HDF5 dataset)");
        H5::DataSet ds = g.openDataSet(name);
        const H5T_class_t c = ds.getTypeClass();
        if (std::find(classes.begin(), classes.end(), c) == classes.end())
            damaged(path, f + " is of type " + class_name(c) + ", expected " +
                              class_name(*classes.begin()));
        got = dims_of(ds, f);
        if (got.size() != rank)
            damaged(path, f + " has " + std::to_string(got.size()) + " dimensions " +
                              dims_text(got) + ", expected " + std::to_string(rank));
        return ds;
    }

    /// A dimension scale or label variable: 1-D, its length returned (at most `max`).
    H5::DataSet scale(const H5::Group& g, const std::string& group, const std::string& name,
                      H5T_class_t cls, hsize_t max, hsize_t& n) const {
        std::vector<hsize_t> d;
        H5::DataSet ds = open(g, group, name, {cls}, 1, d);
        n = d[0];
        if (n > max)
            damaged(path, full(group, name) + " claims " + std::to_string(n) +
                              " entries (at most " + std::to_string(max) + ")");
        return ds;
    }

    /// A variable that must have exactly `dims`.
    H5::DataSet var(const H5::Group& g, const std::string& group, const std::string& name,
                    std::initializer_list<H5T_class_t> classes, std::vector<Dim> dims) const {
        std::vector<hsize_t> d;
        H5::DataSet ds = open(g, group, name, classes, dims.size(), d);
        bool same = true;
        for (std::size_t i = 0; i < dims.size(); ++i)
            same = same && d[i] == dims[i].n;
        if (!same) {
            std::string want = "[";
            for (std::size_t i = 0; i < dims.size(); ++i)
                want +=
                    (i ? ", " : "") + std::string(dims[i].name) + " " + std::to_string(dims[i].n);
            damaged(path, full(group, name) + " is " + dims_text(d) + ", expected " + want + "]");
        }
        return ds;
    }
};

std::string read_string_attr(const fs::path& path, const H5::H5Object& obj,
                             const std::string& where, const std::string& name) {
    H5::Attribute a = obj.openAttribute(name);
    if (a.getTypeClass() != H5T_STRING)
        damaged(path, where + " attribute `" + name + "` is not text");
    // The C++ API reads a variable-length string attribute into one pointer: more elements
    // than one would write past it.
    if (a.getSpace().getSimpleExtentNpoints() != 1)
        damaged(path, where + " attribute `" + name + "` is not one string");
    std::string s;
    a.read(a.getStrType(), s);
    return s;
}

bool has_attr(const H5::H5Object& obj, const std::string& name) {
    return obj.attrExists(name);
}

std::vector<std::string> read_strings(const H5::DataSet& ds) {
    const hssize_t n = ds.getSpace().getSimpleExtentNpoints();
    std::vector<char*> ptrs(static_cast<std::size_t>(n), nullptr);
    H5::StrType t(PredType::C_S1, H5T_VARIABLE);
    t.setCset(H5T_CSET_UTF8);
    if (n > 0) ds.read(ptrs.data(), t);
    std::vector<std::string> out;
    for (char* p : ptrs)
        out.emplace_back(p != nullptr ? p : "");
    if (n > 0) {
        H5::DataSpace space = ds.getSpace();
        H5Dvlen_reclaim(t.getId(), space.getId(), H5P_DEFAULT, ptrs.data());
    }
    return out;
}

template <class T>
std::vector<T> read_block(const H5::DataSet& ds, const H5::PredType& p, std::vector<hsize_t> start,
                          std::vector<hsize_t> count) {
    std::size_t n = 1;
    for (auto c : count)
        n *= c;
    std::vector<T> out(n);
    if (n == 0) return out;
    H5::DataSpace fs = ds.getSpace();
    fs.selectHyperslab(H5S_SELECT_SET, count.data(), start.data());
    H5::DataSpace ms(static_cast<int>(count.size()), count.data());
    ds.read(out.data(), p, ms, fs);
    return out;
}

H5::H5File open_results(const fs::path& path) {
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (!fs::exists(st)) throw OutputError(path.string() + ": no such file");
    if (fs::is_directory(st))
        throw OutputError(path.string() + ": is a directory, not a results file");
    // Opening a FIFO would wait for a writer; a device is no results file either.
    if (!fs::is_regular_file(st))
        throw OutputError(path.string() +
                          ": is not a regular file (a FIFO, device or socket), not a results file");
    H5::Exception::dontPrint();
    const std::string want = kFormat;
    if (H5Fis_hdf5(path.string().c_str()) <= 0)
        throw OutputError(path.string() + ": not an HDF5 file (expected an " + want +
                          " results file)");
    H5::H5File f(path.string(), H5F_ACC_RDONLY);
    H5::Group root = f.openGroup("/");
    if (!has_attr(root, "format"))
        throw OutputError(path.string() + ": not an " + want +
                          " results file (no root attribute `format`)");
    if (const std::string format = read_string_attr(path, root, "/", "format"); format != want)
        throw OutputError(path.string() + " is format " + format + "; this mss reads " + want);
    return f;
}

/// Runs f(at), turning an HDF5 failure into a DamagedFile naming the file and `at`: the
/// dataset or group f was reading when it failed.
template <class F>
auto guarded(const fs::path& path, F&& f) {
    std::string at;
    try {
        return f(at);
    } catch (const H5::Exception& e) {
        std::string detail = e.getDetailMsg();
        std::replace(detail.begin(), detail.end(), '\n', ' ');
        throw DamagedFile(path.string() + " is damaged: " +
                          (at.empty() ? std::string("cannot read it") : "cannot read " + at) +
                          " (" + detail + ")");
    }
}

/// The shapes of a file, checked against each other (see check_shapes).
struct Shapes {
    hsize_t runs = 0, points = 0, days = 0, contingents = 0, airports = 0, classes = 0, regimes = 0,
            events = 0;
    hsize_t payers = 0;       ///< 0 also for a file written before payers were recorded
    bool has_payers = false;  ///< the file has the payer variables (a root or /series `payer`)
    std::vector<std::string> factors;
    H5::DataType kind_type;  ///< the memory type of the events' `kind` member
    bool kind_is_enum = false;
};

const char* const kSeriesF32[] = {"strength",          "on_duty",      "filled",
                                  "waiting_at_origin", "in_transit",   "airport_open",
                                  "airport_closed",    "payer_balance"};

/// The series a file holds: payer_balance only when it has the payer variables.
std::size_t series_f32_count(const Shapes& s);

/// Opens and checks every variable of the format: types, ranks and lengths against the
/// dimension scales (/run, /design_point, /series/time, contingent, airport, operator_class,
/// /regimes/regime) and the events table's columns. Reads no data but the labels and the
/// `factors` attribute (both capped).
Shapes check_shapes(const fs::path& path, const H5::H5File& f, std::string& at) {
    const Checker ck{path, at};
    Shapes s;
    H5::Group root = f.openGroup("/");
    constexpr hsize_t any = std::numeric_limits<hsize_t>::max();
    ck.scale(root, "", "run", H5T_INTEGER, any, s.runs);
    H5::DataSet dp = ck.scale(root, "", "design_point", H5T_INTEGER, any, s.points);
    if (s.points == 0) damaged(path, "/design_point is empty");
    at = "/design_point attribute factors";
    if (has_attr(dp, "factors")) {
        H5::Attribute a = dp.openAttribute("factors");
        if (a.getTypeClass() != H5T_STRING || !a.getStrType().isVariableStr())
            damaged(path, "/design_point attribute `factors` is not a list of strings");
        const hssize_t nf = a.getSpace().getSimpleExtentNpoints();
        if (nf < 0 || static_cast<hsize_t>(nf) > kMaxFactors)
            damaged(path, "/design_point attribute `factors` claims " + std::to_string(nf) +
                              " factors (at most " + std::to_string(kMaxFactors) + ")");
        std::vector<char*> ptrs(static_cast<std::size_t>(nf), nullptr);
        H5::StrType t(PredType::C_S1, H5T_VARIABLE);
        if (nf > 0) a.read(t, ptrs.data());
        for (char* p : ptrs)
            s.factors.emplace_back(p != nullptr ? p : "");
        if (nf > 0) H5Dvlen_reclaim(t.getId(), a.getSpace().getId(), H5P_DEFAULT, ptrs.data());
        for (const std::string& k : s.factors)
            if (k.empty() || k == "." || k == ".." || k.find('/') != std::string::npos)
                damaged(path, "/design_point attribute `factors` names a factor \"" + k +
                                  "\", which is no variable name");
    }
    at = "/series";
    if (!root.nameExists("series") || root.childObjType("series") != H5O_TYPE_GROUP)
        damaged(path, "/series is missing or not a group");
    H5::Group series = f.openGroup("/series");
    ck.scale(series, "/series", "time", H5T_INTEGER, std::numeric_limits<std::int32_t>::max(),
             s.days);
    ck.scale(series, "/series", "contingent", H5T_STRING, kMaxLabels, s.contingents);
    ck.scale(series, "/series", "airport", H5T_STRING, kMaxLabels, s.airports);
    ck.scale(series, "/series", "operator_class", H5T_STRING, kMaxLabels, s.classes);
    // The payers (the fund's ledgers) came after the first files of format 2: a file without
    // them has none; a file with either scale must have every payer variable.
    at = "/series/payer";
    s.has_payers = series.nameExists("payer") || root.nameExists("payer");
    if (s.has_payers) ck.scale(series, "/series", "payer", H5T_STRING, kMaxLabels, s.payers);
    if (s.classes != static_cast<hsize_t>(model::kClosureClassCount))
        damaged(path, "/series/operator_class has " + std::to_string(s.classes) +
                          " classes, expected " + std::to_string(model::kClosureClassCount));
    at = "/regimes";
    if (!root.nameExists("regimes") || root.childObjType("regimes") != H5O_TYPE_GROUP)
        damaged(path, "/regimes is missing or not a group");
    H5::Group reg = f.openGroup("/regimes");
    ck.scale(reg, "/regimes", "regime", H5T_STRING, kMaxLabels, s.regimes);
    ck.var(reg, "/regimes", "stationary_share", {H5T_FLOAT}, {{s.regimes, "regime"}});

    const Dim run{s.runs, "run"}, time{s.days, "time"}, cont{s.contingents, "contingent"},
        airp{s.airports, "airport"}, cls{s.classes, "operator_class"}, pay{s.payers, "payer"};
    ck.var(root, "", "contingent", {H5T_STRING}, {cont});
    for (const char* name : {"point", "replication", "seed", "status", "events_dropped"})
        ck.var(root, "", name, {H5T_INTEGER}, {run});
    ck.var(root, "", "wall_s", {H5T_FLOAT, H5T_INTEGER}, {run});
    for (const auto& k : model::kpi_columns())
        ck.var(root, "", k.name, {H5T_FLOAT, H5T_INTEGER}, {run});
    for (const auto& k : model::contingent_kpi_columns())
        ck.var(root, "", std::string("contingent_") + k.name, {H5T_FLOAT, H5T_INTEGER},
               {run, cont});
    if (s.has_payers) {
        ck.var(root, "", "payer", {H5T_STRING}, {pay});
        for (const auto& k : model::payer_kpi_columns())
            ck.var(root, "", std::string("payer_") + k.name, {H5T_FLOAT, H5T_INTEGER}, {run, pay});
    }
    for (const std::string& k : s.factors)
        ck.var(root, "", k, {H5T_FLOAT, H5T_INTEGER}, {{s.points, "design_point"}});

    for (const char* name : {"run", "point", "replication"})
        ck.var(series, "/series", name, {H5T_INTEGER}, {run});
    ck.var(series, "/series", "time_bnds", {H5T_INTEGER, H5T_FLOAT}, {time, {2, "nv"}});
    for (std::size_t k = 0; k < series_f32_count(s); ++k) {
        const char* name = kSeriesF32[k];
        std::vector<Dim> dims{run, time, cont};
        if (std::strcmp(name, "airport_open") == 0) dims = {run, time, airp};
        if (std::strcmp(name, "airport_closed") == 0) dims = {run, time, airp, cls};
        if (std::strcmp(name, "payer_balance") == 0) dims = {run, time, pay};
        ck.var(series, "/series", name, {H5T_FLOAT}, dims);
    }
    ck.var(series, "/series", "regime", {H5T_INTEGER}, {run, time});

    at = "/tables";
    if (!root.nameExists("tables") || root.childObjType("tables") != H5O_TYPE_GROUP)
        damaged(path, "/tables is missing or not a group");
    H5::Group tables = f.openGroup("/tables");
    std::vector<hsize_t> d;
    H5::DataSet ev = ck.open(tables, "/tables", "events", {H5T_COMPOUND}, 1, d);
    s.events = d[0];
    H5::CompType ct = ev.getCompType();
    struct Member {
        const char* name;
        H5T_class_t cls, alt;  // the class it must have (or alt)
    };
    const Member members[] = {
        {"run", H5T_INTEGER, H5T_INTEGER},     {"t_h", H5T_FLOAT, H5T_FLOAT},
        {"kind", H5T_ENUM, H5T_INTEGER},       {"contingent", H5T_INTEGER, H5T_INTEGER},
        {"airport", H5T_INTEGER, H5T_INTEGER}, {"count", H5T_INTEGER, H5T_INTEGER}};
    for (const auto& [name, cls, alt] : members) {
        const int i = H5Tget_member_index(ct.getId(), name);
        if (i < 0) damaged(path, std::string("/tables/events has no column `") + name + "`");
        const H5T_class_t c = ct.getMemberClass(static_cast<unsigned>(i));
        if (c != cls && c != alt)
            damaged(path, std::string("/tables/events column `") + name + "` is of type " +
                              class_name(c) + ", expected " + class_name(cls));
        if (std::strcmp(name, "kind") == 0) {
            s.kind_is_enum = c == H5T_ENUM;
            if (s.kind_is_enum) {
                H5::EnumType et = ct.getMemberEnumType(static_cast<unsigned>(i));
                // Read into one byte: an enum over a wider integer would write past it.
                if (et.getSize() != 1)
                    damaged(path, "/tables/events column `kind` is an enum of " +
                                      std::to_string(et.getSize()) + " bytes, expected 1");
                s.kind_type = et;
            } else {
                s.kind_type = PredType::NATIVE_UINT8;
            }
        }
    }
    return s;
}

std::size_t series_f32_count(const Shapes& s) {
    return std::size(kSeriesF32) - (s.has_payers ? 0 : 1);
}

/// Columns per day of each float series, in kSeriesF32 order.
std::array<hsize_t, std::size(kSeriesF32)> series_columns(const Shapes& s) {
    const hsize_t C = s.contingents, A = s.airports;
    return {C, C, C, C, C, A, mul_sat(A, s.classes), s.payers};
}

/// The block of float series `k` for rows [first, first + n): [n, days, columns...].
std::pair<std::vector<hsize_t>, std::vector<hsize_t>> series_block(const Shapes& s, std::size_t k,
                                                                   hsize_t first, hsize_t n) {
    if (std::strcmp(kSeriesF32[k], "airport_closed") == 0)
        return {{first, 0, 0, 0}, {n, s.days, s.airports, s.classes}};
    return {{first, 0, 0}, {n, s.days, series_columns(s)[k]}};
}

struct EvRow {
    std::int64_t run;
    double t_h;
    std::uint8_t kind;
    std::int16_t contingent, airport;
    std::int32_t count;
};

H5::CompType event_mem_type(const Shapes& s) {
    H5::CompType et(sizeof(EvRow));
    et.insertMember("run", HOFFSET(EvRow, run), PredType::NATIVE_INT64);
    et.insertMember("t_h", HOFFSET(EvRow, t_h), PredType::NATIVE_DOUBLE);
    et.insertMember("kind", HOFFSET(EvRow, kind), s.kind_type);
    et.insertMember("contingent", HOFFSET(EvRow, contingent), PredType::NATIVE_INT16);
    et.insertMember("airport", HOFFSET(EvRow, airport), PredType::NATIVE_INT16);
    et.insertMember("count", HOFFSET(EvRow, count), PredType::NATIVE_INT32);
    return et;
}

/// Calls f(event, row) for rows [first, end) of the event table `ev`, read kBlockRows at a time
/// (memory stays bounded whatever the table claims).
template <class F>
void for_each_event(const H5::DataSet& ev, const H5::CompType& et, hsize_t first, hsize_t end,
                    F&& f) {
    std::vector<EvRow> rows;
    for (hsize_t b = first; b < end; b += kBlockRows) {
        const hsize_t c = std::min(kBlockRows, end - b);
        rows.resize(c);
        H5::DataSpace fs = ev.getSpace();
        fs.selectHyperslab(H5S_SELECT_SET, &c, &b);
        H5::DataSpace ms(1, &c);
        ev.read(rows.data(), et, ms, fs);
        for (hsize_t i = 0; i < c; ++i)
            f(rows[i], b + i);
    }
}

/// DamagedFile unless the event is one the format allows for a file of these shapes.
void check_event(const fs::path& path, const Shapes& s, const EvRow& e, hsize_t row) {
    const auto bad = [&](const std::string& what) {
        damaged(path, "/tables/events row " + std::to_string(row) + " (run " +
                          std::to_string(e.run) + ") " + what);
    };
    if (e.kind >= model::kEventKindCount) bad("has kind " + std::to_string(e.kind));
    if (e.contingent < -1 || e.contingent >= static_cast<std::int64_t>(s.contingents))
        bad("has contingent " + std::to_string(e.contingent) + " of " +
            std::to_string(s.contingents));
    if (e.airport < -1 || e.airport >= static_cast<std::int64_t>(s.airports))
        bad("has airport " + std::to_string(e.airport) + " of " + std::to_string(s.airports));
    if (!std::isfinite(e.t_h) || e.t_h < 0) bad("has time " + std::to_string(e.t_h) + " h");
}

/// Bytes of one run's record in memory: its series (float32, twice while they are copied),
/// KPIs and contingent KPIs.
std::uint64_t record_bytes(const Shapes& s) {
    const std::uint64_t cols = add_sat(
        add_sat(add_sat(mul_sat(5, s.contingents), s.airports), mul_sat(s.airports, s.classes)),
        s.payers);
    std::uint64_t b = mul_sat(mul_sat(s.days, cols), 2 * sizeof(float));
    b = add_sat(b, s.days);
    b = add_sat(b, mul_sat(add_sat(add_sat(mul_sat(s.contingents, 6), mul_sat(s.payers, 6)), 32),
                           sizeof(double)));
    return add_sat(b, sizeof(RunRecord));
}

std::string runs_claim(const Shapes& s) {
    return "/run claims " + std::to_string(s.runs) + " runs of " + std::to_string(s.days) +
           " days, " + std::to_string(s.contingents) + " contingents and " +
           std::to_string(s.airports) + " airports";
}

/// DamagedFile unless every chunk of `ds` was written (a file mss wrote has them all: the
/// series and the events through H5Dwrite_chunk, the rest through the pipeline), or, for a
/// contiguous dataset, its storage was allocated. A dataset whose chunks were never written
/// reads as fill values: a tiny file could claim 2e9 runs of zeros.
void check_allocated(const fs::path& path, const H5::DataSet& ds, const std::string& name) {
    H5::DataSpace space = ds.getSpace();
    const int rank = space.getSimpleExtentNdims();
    if (rank <= 0 || space.getSimpleExtentNpoints() == 0) return;
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank)), chunk(dims.size());
    space.getSimpleExtentDims(dims.data());
    H5::DSetCreatPropList dcpl = ds.getCreatePlist();
    if (dcpl.getLayout() != H5D_CHUNKED) {
        H5D_space_status_t st{};
        if (H5Dget_space_status(ds.getId(), &st) >= 0 && st == H5D_SPACE_STATUS_NOT_ALLOCATED)
            damaged(path, name + " was never written (no storage allocated)");
        return;
    }
    if (dcpl.getChunk(rank, chunk.data()) != rank) return;
    std::uint64_t want = 1;
    for (std::size_t i = 0; i < dims.size(); ++i)
        want = mul_sat(want, chunk[i] == 0 ? 0 : (dims[i] + chunk[i] - 1) / chunk[i]);
    hsize_t got = 0;
    if (H5Dget_num_chunks(ds.getId(), space.getId(), &got) < 0)
        throw H5::DataSetIException("H5Dget_num_chunks", "cannot count the chunks");
    if (got != want)
        damaged(path, name + " has " + std::to_string(got) + " of its " + std::to_string(want) +
                          " chunks written (the rest read as fill values)");
}

}  // namespace

std::uint64_t mul_sat(std::uint64_t a, std::uint64_t b) noexcept {
    std::uint64_t r = 0;
    return __builtin_mul_overflow(a, b, &r) ? std::numeric_limits<std::uint64_t>::max() : r;
}

std::uint64_t read_budget() {
    if (const std::uint64_t b = g_budget.load(std::memory_order_relaxed); b != 0) return b;
    static const std::uint64_t def = [] {
        const long pages = ::sysconf(_SC_PHYS_PAGES), size = ::sysconf(_SC_PAGESIZE);
        const std::uint64_t gib1 = std::uint64_t{1} << 30;
        if (pages <= 0 || size <= 0) return 8 * gib1;
        return std::max(
            gib1, mul_sat(static_cast<std::uint64_t>(pages), static_cast<std::uint64_t>(size)) / 2);
    }();
    return def;
}

void set_read_budget(std::uint64_t bytes) {
    g_budget.store(bytes, std::memory_order_relaxed);
}

void check_budget(const fs::path& path, const std::string& what, std::uint64_t bytes) {
    const std::uint64_t budget = read_budget();
    if (bytes <= budget) return;
    damaged(path, what + ": reading it would take " +
                      (bytes == std::numeric_limits<std::uint64_t>::max()
                           ? std::string("more than 16 EiB")
                           : gib(bytes)) +
                      ", more than the " + gib(budget) + " a read may take here");
}

ResultsInfo read_info(const fs::path& path) {
    return guarded(path, [&](std::string& at) {
        H5::H5File f = open_results(path);
        const Shapes s = check_shapes(path, f, at);
        check_budget(path,
                     "/design_point claims " + std::to_string(s.points) + " design points of " +
                         std::to_string(s.factors.size()) + " factors",
                     mul_sat(s.points, mul_sat(s.factors.size() + 3, sizeof(double))));
        ResultsInfo info;
        at = "the root attributes";
        H5::Group root = f.openGroup("/");
        info.format = read_string_attr(path, root, "/", "format");
        info.provenance.command_line = read_string_attr(path, root, "/", "command_line");
        // What a shard of `mss sweep` or `mss optimize` says of itself (docs/results.md).
        for (const char* name : {"shard", "shard_runs", "sweep_runs", "optimize", "optimize_stage",
                                 "optimize_stage_runs"})
            if (has_attr(root, name))
                info.provenance.extra.emplace_back(name, read_string_attr(path, root, "/", name));
        at = "/scenario";
        H5::Group sc = f.openGroup("/scenario");
        info.provenance.scenario_toml = read_string_attr(path, sc, "/scenario", "toml");
        if (has_attr(sc, "sweep_toml")) {
            info.provenance.sweep_toml = read_string_attr(path, sc, "/scenario", "sweep_toml");
            info.provenance.sweep_hash = read_string_attr(path, sc, "/scenario", "sweep_hash");
        }
        FileLayout& l = info.layout;
        const std::string start = read_string_attr(path, sc, "/scenario", "start_date");
        const auto d0 = model::days_from_iso(start);
        if (!d0) damaged(path, "/scenario start_date is not a date");
        l.start_days_since_epoch = static_cast<std::int32_t>(*d0);
        H5::Group series = f.openGroup("/series");
        at = "/series/contingent";
        l.contingents = read_strings(series.openDataSet("contingent"));
        at = "/series/airport";
        l.airports = read_strings(series.openDataSet("airport"));
        at = "/series/payer";
        if (s.has_payers) l.payers = read_strings(series.openDataSet("payer"));
        l.days = static_cast<std::int32_t>(s.days);
        l.rows = static_cast<std::int64_t>(s.runs);
        H5::Group reg = f.openGroup("/regimes");
        at = "/regimes/regime";
        l.regimes = read_strings(reg.openDataSet("regime"));
        at = "/regimes/stationary_share";
        l.regime_shares = read_block<double>(reg.openDataSet("stationary_share"),
                                             PredType::NATIVE_DOUBLE, {0}, {s.regimes});
        l.factor_names = s.factors;
        l.points.assign(s.points, std::vector<double>(l.factor_names.size()));
        for (std::size_t k = 0; k < l.factor_names.size(); ++k) {
            at = "/" + l.factor_names[k];
            const auto col = read_block<double>(root.openDataSet(l.factor_names[k]),
                                                PredType::NATIVE_DOUBLE, {0}, {s.points});
            for (hsize_t p = 0; p < s.points; ++p)
                l.points[p][k] = col[p];
        }
        return info;
    });
}

RunsTable read_runs(const fs::path& path) {
    return guarded(path, [&](std::string& at) {
        H5::H5File f = open_results(path);
        const Shapes s = check_shapes(path, f, at);
        const std::size_t ncols = 5 + model::kpi_columns().size();
        check_budget(path, "/run claims " + std::to_string(s.runs) + " runs",
                     mul_sat(s.runs, ncols * sizeof(double)));
        H5::Group root = f.openGroup("/");
        const hsize_t n = s.runs;
        const auto col = [&]<class T>(const char* name, const H5::PredType& p, T) {
            at = std::string("/") + name;
            return read_block<T>(root.openDataSet(name), p, {0}, {n});
        };
        RunsTable t;
        t.run = col("run", PredType::NATIVE_INT64, std::int64_t{});
        t.point = col("point", PredType::NATIVE_INT64, std::int64_t{});
        t.replication = col("replication", PredType::NATIVE_INT64, std::int64_t{});
        t.seed = col("seed", PredType::NATIVE_UINT64, std::uint64_t{});
        t.status = col("status", PredType::NATIVE_INT8, std::int8_t{});
        for (const auto& k : model::kpi_columns()) {
            t.kpi_names.emplace_back(k.name);
            t.kpis.push_back(col(k.name, PredType::NATIVE_DOUBLE, double{}));
        }
        // Every run's design point is a design_point of the file (`mss summary` prints its
        // factor values).
        const hsize_t np = s.points;
        for (std::size_t i = 0; i < t.point.size(); ++i) {
            const std::int64_t p = t.point[i];
            if (p >= 0 && static_cast<hsize_t>(p) < np) continue;
            damaged(path, "row " + std::to_string(i) + " (run " + std::to_string(t.run[i]) +
                              ") has point " + std::to_string(p) +
                              ", but /design_point has points 0-" + std::to_string(np - 1));
        }
        return t;
    });
}

std::vector<RunRecord> read_records(const fs::path& path, std::int64_t first, std::int64_t count) {
    return guarded(path, [&](std::string& at) {
        H5::H5File f = open_results(path);
        const Shapes s = check_shapes(path, f, at);
        H5::Group root = f.openGroup("/");
        if (first < 0 || count < 0 || static_cast<hsize_t>(first) > s.runs ||
            static_cast<hsize_t>(count) > s.runs - static_cast<hsize_t>(first))
            throw OutputError(path.string() + ": rows out of range");
        const hsize_t r0 = static_cast<hsize_t>(first), n = static_cast<hsize_t>(count);
        check_budget(path, runs_claim(s), mul_sat(n, record_bytes(s)));
        const hsize_t D = s.days, C = s.contingents;
        std::vector<RunRecord> out(n);
        const auto col = [&]<class T>(const char* name, const H5::PredType& p, T) {
            at = std::string("/") + name;
            return read_block<T>(root.openDataSet(name), p, {r0}, {n});
        };
        const auto run = col("run", PredType::NATIVE_INT64, std::int64_t{});
        const auto point = col("point", PredType::NATIVE_INT64, std::int64_t{});
        const auto rep = col("replication", PredType::NATIVE_INT64, std::int64_t{});
        const auto seed = col("seed", PredType::NATIVE_UINT64, std::uint64_t{});
        const auto status = col("status", PredType::NATIVE_INT8, std::int8_t{});
        const auto wall = col("wall_s", PredType::NATIVE_DOUBLE, double{});
        const auto dropped = col("events_dropped", PredType::NATIVE_INT64, std::int64_t{});
        std::vector<std::vector<double>> kpi_cols;
        for (const auto& k : model::kpi_columns())
            kpi_cols.push_back(col(k.name, PredType::NATIVE_DOUBLE, double{}));
        std::vector<std::vector<double>> ck_cols;
        for (const auto& k : model::contingent_kpi_columns()) {
            const std::string name = std::string("contingent_") + k.name;
            at = "/" + name;
            ck_cols.push_back(read_block<double>(root.openDataSet(name), PredType::NATIVE_DOUBLE,
                                                 {r0, 0}, {n, C}));
        }
        const hsize_t P = s.payers;
        std::vector<std::vector<double>> pk_cols;
        for (const auto& k : model::payer_kpi_columns()) {
            const std::string name = std::string("payer_") + k.name;
            at = "/" + name;
            pk_cols.push_back(s.has_payers
                                  ? read_block<double>(root.openDataSet(name),
                                                       PredType::NATIVE_DOUBLE, {r0, 0}, {n, P})
                                  : std::vector<double>{});
        }
        H5::Group series = f.openGroup("/series");
        const auto cols = series_columns(s);
        std::vector<std::vector<float>> blocks(std::size(kSeriesF32));
        for (std::size_t k = 0; k < series_f32_count(s); ++k) {
            at = std::string("/series/") + kSeriesF32[k];
            const auto [start, cnt] = series_block(s, k, r0, n);
            blocks[k] = read_block<float>(series.openDataSet(kSeriesF32[k]), PredType::NATIVE_FLOAT,
                                          start, cnt);
        }
        at = "/series/regime";
        const auto regime = read_block<std::int8_t>(series.openDataSet("regime"),
                                                    PredType::NATIVE_INT8, {r0, 0}, {n, D});
        for (hsize_t i = 0; i < n; ++i) {
            RunRecord& r = out[i];
            r.run = run[i];
            r.point = point[i];
            r.replication = rep[i];
            r.seed = seed[i];
            if (status[i] != 0 && status[i] != 1)
                damaged(path, "/status of row " + std::to_string(r0 + i) + " is " +
                                  std::to_string(status[i]) + " (0 ok or 1 failed)");
            r.status = static_cast<RunStatus>(status[i]);
            r.wall_s = wall[i];
            r.events_dropped = dropped[i];
            std::size_t k = 0;
            for (const auto& c : model::kpi_columns())
                r.kpis.*(c.member) = kpi_cols[k++][i];
            r.contingent_kpis.resize(C);
            k = 0;
            for (const auto& c : model::contingent_kpi_columns()) {
                for (hsize_t j = 0; j < C; ++j)
                    r.contingent_kpis[j].*(c.member) = ck_cols[k][i * C + j];
                ++k;
            }
            r.payer_kpis.resize(P);
            k = 0;
            for (const auto& c : model::payer_kpi_columns()) {
                for (hsize_t j = 0; j < P; ++j)
                    r.payer_kpis[j].*(c.member) = pk_cols[k][i * P + j];
                ++k;
            }
            const auto dst = r.float_series();
            for (std::size_t j = 0; j < dst.size(); ++j) {
                const auto w = static_cast<std::ptrdiff_t>(D * cols[j]);
                dst[j]->assign(blocks[j].begin() + static_cast<std::ptrdiff_t>(i) * w,
                               blocks[j].begin() + static_cast<std::ptrdiff_t>(i + 1) * w);
            }
            r.regime.assign(regime.begin() + static_cast<std::ptrdiff_t>(i * D),
                            regime.begin() + static_cast<std::ptrdiff_t>((i + 1) * D));
        }
        // events of these runs (the table is in run order)
        at = "/tables/events";
        H5::DataSet ev = f.openDataSet("/tables/events");
        const hsize_t ne = s.events;
        if (ne > 0 && n > 0) {
            const H5::CompType et = event_mem_type(s);
            std::map<std::int64_t, std::size_t> index;
            for (hsize_t i = 0; i < n; ++i)
                index[out[i].run] = i;
            // The table is in run order: find these runs' rows by binary search on `run`
            // instead of reading the whole table (merging big shards block by block).
            H5::CompType run_only(sizeof(std::int64_t));
            run_only.insertMember("run", 0, PredType::NATIVE_INT64);
            auto run_at = [&](hsize_t row) {
                std::int64_t v = 0;
                const hsize_t one = 1;
                H5::DataSpace fs = ev.getSpace();
                fs.selectHyperslab(H5S_SELECT_SET, &one, &row);
                H5::DataSpace ms(1, &one);
                ev.read(&v, run_only, ms, fs);
                return v;
            };
            auto lower_bound = [&](std::int64_t run) {
                hsize_t lo = 0, hi = ne;
                while (lo < hi) {
                    const hsize_t mid = lo + (hi - lo) / 2;
                    if (run_at(mid) < run)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                return lo;
            };
            // The table's first and last rows are runs of this file (it is in run order).
            {
                at = "/run";
                const hsize_t N = s.runs;
                const auto lo = read_block<std::int64_t>(root.openDataSet("run"),
                                                         PredType::NATIVE_INT64, {0}, {1});
                const auto hi = read_block<std::int64_t>(root.openDataSet("run"),
                                                         PredType::NATIVE_INT64, {N - 1}, {1});
                at = "/tables/events";
                for (const hsize_t row : {hsize_t{0}, ne - 1}) {
                    const std::int64_t r = run_at(row);
                    if (r < lo[0] || r > hi[0])
                        damaged(path,
                                "/tables/events row " + std::to_string(row) + " is of run " +
                                    std::to_string(r) + ", which the file does not hold (runs " +
                                    std::to_string(lo[0]) + "-" + std::to_string(hi[0]) + ")");
                }
            }
            const std::int64_t last_run = index.rbegin()->first;
            const hsize_t first_row = lower_bound(index.begin()->first);
            const hsize_t end = last_run == std::numeric_limits<std::int64_t>::max()
                                    ? ne
                                    : lower_bound(last_run + 1);
            if (end > first_row)
                check_budget(path,
                             "/tables/events claims " + std::to_string(end - first_row) +
                                 " events for runs " + std::to_string(index.begin()->first) + "-" +
                                 std::to_string(last_run),
                             mul_sat(end - first_row, sizeof(EvRow)));
            for_each_event(ev, et, first_row, end, [&](const EvRow& e, hsize_t row) {
                auto it = index.find(e.run);
                if (it == index.end()) return;
                check_event(path, s, e, row);
                out[it->second].events.push_back({e.t_h, static_cast<model::EventKind>(e.kind),
                                                  e.contingent, e.airport, e.count});
            });
        }
        return out;
    });
}

void verify_results(const fs::path& path) {
    guarded(path, [&](std::string& at) {
        H5::H5File f = open_results(path);
        const Shapes s = check_shapes(path, f, at);
        H5::Group root = f.openGroup("/");
        H5::Group series = f.openGroup("/series");
        // Labels and attributes, as read_info reads them.
        (void)read_info(path);
        const hsize_t N = s.runs, D = s.days, C = s.contingents;
        check_budget(path, "/run claims " + std::to_string(N) + " runs",
                     mul_sat(N, (8 + model::kpi_columns().size()) * sizeof(double)));
        // Every chunk written, before any is read (fill values would pass for data).
        std::vector<std::string> names{"run",    "point",  "replication",    "seed",
                                       "status", "wall_s", "events_dropped", "design_point"};
        for (const auto& k : model::kpi_columns())
            names.emplace_back(k.name);
        for (const auto& k : model::contingent_kpi_columns())
            names.push_back(std::string("contingent_") + k.name);
        if (s.has_payers)
            for (const auto& k : model::payer_kpi_columns())
                names.push_back(std::string("payer_") + k.name);
        for (const std::string& name : names) {
            at = "/" + name;
            check_allocated(path, root.openDataSet(name), at);
        }
        std::vector<std::string> in_series{"run",  "point",     "replication",
                                           "time", "time_bnds", "regime"};
        for (std::size_t k = 0; k < series_f32_count(s); ++k)
            in_series.emplace_back(kSeriesF32[k]);
        for (const std::string& name : in_series) {
            at = "/series/" + name;
            check_allocated(path, series.openDataSet(name), at);
        }
        at = "/tables/events";
        check_allocated(path, f.openDataSet("/tables/events"), at);
        // Per-run variables, block by block, checked against each other.
        std::int64_t prev_run = std::numeric_limits<std::int64_t>::min();
        std::vector<std::int64_t> runs_seen;  // first and last run id
        for (hsize_t b = 0; b < N; b += kBlockRows) {
            const hsize_t c = std::min(kBlockRows, N - b);
            const auto ints = [&](const H5::Group& g, const std::string& name) {
                at = (g.getObjName() == "/" ? "" : g.getObjName()) + "/" + name;
                return read_block<std::int64_t>(g.openDataSet(name), PredType::NATIVE_INT64, {b},
                                                {c});
            };
            const auto run = ints(root, "run");
            const auto point = ints(root, "point");
            const auto rep = ints(root, "replication");
            const auto srun = ints(series, "run");
            const auto spoint = ints(series, "point");
            const auto srep = ints(series, "replication");
            (void)ints(root, "events_dropped");
            at = "/seed";
            (void)read_block<std::uint64_t>(root.openDataSet("seed"), PredType::NATIVE_UINT64, {b},
                                            {c});
            at = "/status";
            const auto status = read_block<std::int8_t>(root.openDataSet("status"),
                                                        PredType::NATIVE_INT8, {b}, {c});
            for (hsize_t i = 0; i < c; ++i) {
                const std::string row =
                    "row " + std::to_string(b + i) + " (run " + std::to_string(run[i]) + ")";
                if (run[i] < 0 || run[i] <= prev_run)
                    damaged(path, "/run is not increasing at " + row);
                prev_run = run[i];
                if (point[i] < 0 || static_cast<hsize_t>(point[i]) >= s.points)
                    damaged(path, row + " has point " + std::to_string(point[i]) +
                                      ", but /design_point has points 0-" +
                                      std::to_string(s.points - 1));
                if (rep[i] < 0) damaged(path, row + " has replication " + std::to_string(rep[i]));
                if (srun[i] != run[i] || spoint[i] != point[i] || srep[i] != rep[i])
                    damaged(path,
                            "/series run, point or replication differ from the root's at " + row);
                if (status[i] != 0 && status[i] != 1)
                    damaged(path, row + " has status " + std::to_string(status[i]) +
                                      " (0 ok or 1 failed)");
            }
            if (b == 0 && c > 0) runs_seen.push_back(run.front());
            if (b + c == N && c > 0) runs_seen.push_back(run.back());
            at = "/wall_s";
            (void)read_block<double>(root.openDataSet("wall_s"), PredType::NATIVE_DOUBLE, {b}, {c});
            for (const auto& k : model::kpi_columns()) {
                at = std::string("/") + k.name;
                (void)read_block<double>(root.openDataSet(k.name), PredType::NATIVE_DOUBLE, {b},
                                         {c});
            }
            for (const auto& k : model::contingent_kpi_columns()) {
                const std::string name = std::string("contingent_") + k.name;
                at = "/" + name;
                (void)read_block<double>(root.openDataSet(name), PredType::NATIVE_DOUBLE, {b, 0},
                                         {c, C});
            }
            for (const auto& k : model::payer_kpi_columns()) {
                if (!s.has_payers) break;
                const std::string name = std::string("payer_") + k.name;
                at = "/" + name;
                (void)read_block<double>(root.openDataSet(name), PredType::NATIVE_DOUBLE, {b, 0},
                                         {c, s.payers});
            }
        }
        // The time axis.
        at = "/series/time";
        check_budget(path, "/series/time claims " + std::to_string(D) + " days",
                     mul_sat(D, 3 * sizeof(std::int64_t)));
        const auto time =
            read_block<std::int64_t>(series.openDataSet("time"), PredType::NATIVE_INT64, {0}, {D});
        for (hsize_t d = 0; d < D; ++d)
            if (time[d] != static_cast<std::int64_t>(d))
                damaged(path,
                        "/series/time[" + std::to_string(d) + "] is " + std::to_string(time[d]));
        at = "/series/time_bnds";
        (void)read_block<double>(series.openDataSet("time_bnds"), PredType::NATIVE_DOUBLE, {0, 0},
                                 {D, 2});
        // Every chunk of every series (one chunk per run), a bounded block of runs at a time.
        const std::uint64_t per_run = std::max<std::uint64_t>(record_bytes(s), 1);
        check_budget(path, runs_claim(s), per_run);
        const hsize_t step = std::max<hsize_t>(1, kBlockBytes / per_run);
        for (hsize_t b = 0; b < N; b += step) {
            const hsize_t c = std::min(step, N - b);
            for (std::size_t k = 0; k < series_f32_count(s); ++k) {
                at = std::string("/series/") + kSeriesF32[k];
                const auto [start, cnt] = series_block(s, k, b, c);
                (void)read_block<float>(series.openDataSet(kSeriesF32[k]), PredType::NATIVE_FLOAT,
                                        start, cnt);
            }
            at = "/series/regime";
            const auto regime = read_block<std::int8_t>(series.openDataSet("regime"),
                                                        PredType::NATIVE_INT8, {b, 0}, {c, D});
            for (std::size_t i = 0; i < regime.size(); ++i) {
                const int g = regime[i];
                // -1: violence off, or a failed run.
                if (g < -1 || (g >= 0 && static_cast<hsize_t>(g) >= s.regimes))
                    damaged(path, "/series/regime of row " + std::to_string(b + i / D) + " is " +
                                      std::to_string(g) +
                                      " (regimes: " + std::to_string(s.regimes) + ")");
            }
        }
        // The event log, block by block: in run order, of the file's runs, codes in range.
        at = "/tables/events";
        H5::DataSet ev = f.openDataSet("/tables/events");
        const H5::CompType et = event_mem_type(s);
        std::int64_t last = std::numeric_limits<std::int64_t>::min();
        for_each_event(ev, et, 0, s.events, [&](const EvRow& e, hsize_t row) {
            if (runs_seen.empty() || e.run < runs_seen.front() || e.run > runs_seen.back())
                damaged(path, "/tables/events row " + std::to_string(row) + " is of run " +
                                  std::to_string(e.run) + ", which the file does not hold");
            if (e.run < last)
                damaged(path, "/tables/events is not in run order at row " + std::to_string(row));
            last = e.run;
            check_event(path, s, e, row);
        });
        return 0;
    });
}

}  // namespace mss::output
