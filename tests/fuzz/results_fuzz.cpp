// tests/fuzz/results_fuzz.cpp — libFuzzer target over the results readers (hardening issue,
// item 8): output::read_info, read_runs, read_records and verify_results (what `mss summary`,
// `mss merge` and `mss sweep --resume` call), `mss summary` itself and `mss merge`.
//
// Input: the bytes drive a generator, not the file's bytes. It writes a structurally valid
// mss-sim/2 file with output::ResultsWriter (a layout of 1-6 runs, 1-6 days, 1-3 contingents,
// 0-2 payers, ...), then applies up to 8 hostile edits through the HDF5 API: a variable replaced by
// one of another type, rank or shape (huge dimensions among them, chunked and unallocated, so a
// tiny file claims 2e9 rows), deleted, turned into a group or a dangling link; one element
// overwritten with arbitrary bytes (run ids, points, status, regime and event codes, NaN);
// attributes deleted or replaced by another type, several strings or a huge dataspace; the
// event table rebuilt with missing, mistyped or wide columns. The readers then run on it with
// a small read budget. Oracle: nothing but OutputError (DamagedFile included) and
// MergeError may escape, and no crash, sanitizer report or leak.
//
// Cost: an execution is mostly libhdf5 opening ~50 variables for each reader's shape checks.
// The base files are cached by layout, libhdf5's free lists keep their blocks, and readers
// whose outcome is already known are run only now and then (see LLVMFuzzerTestOneInput).
//
// Built like journal_fuzz.cpp: with clang and -fsanitize=fuzzer (the `fuzz` preset), and with
// the ordinary compiler plus replay_main.cpp over tests/fuzz/results_corpus/ in `make test`.
#include <hdf5.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "sim/app/summary_command.hpp"
#include "sim/experiment/merge.hpp"
#include "sim/output/results_reader.hpp"
#include "sim/output/results_writer.hpp"

namespace {

namespace fs = std::filesystem;
namespace out = mss::output;

/// The fuzz input as a stream of choices; zeros once it is used up.
class Bytes {
public:
    Bytes(const std::uint8_t* d, std::size_t n) : d_(d), n_(n) {}
    std::uint8_t u8() { return i_ < n_ ? d_[i_++] : 0; }
    std::uint64_t u64() {
        std::uint64_t v = 0;
        for (int k = 0; k < 8; ++k)
            v = (v << 8) | u8();
        return v;
    }
    /// 0 .. n-1
    std::size_t pick(std::size_t n) { return n == 0 ? 0 : u8() % n; }
    bool done() const { return i_ >= n_; }

private:
    const std::uint8_t* d_;
    std::size_t n_, i_ = 0;
};

/// Closes an HDF5 identifier of any kind.
struct Hid {
    hid_t id = -1;
    explicit Hid(hid_t i = -1) : id(i) {}
    Hid(const Hid&) = delete;
    Hid& operator=(const Hid&) = delete;
    ~Hid() {
        if (id >= 0) {
            switch (H5Iget_type(id)) {
                case H5I_FILE:
                    H5Fclose(id);
                    break;
                case H5I_GROUP:
                    H5Gclose(id);
                    break;
                case H5I_DATASET:
                    H5Dclose(id);
                    break;
                case H5I_DATASPACE:
                    H5Sclose(id);
                    break;
                case H5I_DATATYPE:
                    H5Tclose(id);
                    break;
                case H5I_ATTR:
                    H5Aclose(id);
                    break;
                case H5I_GENPROP_LST:
                    H5Pclose(id);
                    break;
                default:
                    break;
            }
        }
    }
    operator hid_t() const { return id; }
    bool ok() const { return id >= 0; }
};

const fs::path& work_dir() {
    static const fs::path dir = [] {
        const fs::path shm = "/dev/shm";
        std::error_code ec;
        const fs::path base = fs::is_directory(shm, ec) ? shm : fs::temp_directory_path();
        return base / ("mss-results-fuzz-" + std::to_string(::getpid()));
    }();
    return dir;
}

/// The work directory for one execution: made on entry, removed with everything in it on exit
/// (libFuzzer ends the process with _Exit, so nothing left at the end would be removed).
struct WorkDir {
    WorkDir() { fs::create_directories(work_dir()); }
    ~WorkDir() {
        std::error_code ec;
        fs::remove_all(work_dir(), ec);
    }
    WorkDir(const WorkDir&) = delete;
    WorkDir& operator=(const WorkDir&) = delete;
};

const char* const kDatasets[] = {"/run",
                                 "/point",
                                 "/replication",
                                 "/seed",
                                 "/status",
                                 "/wall_s",
                                 "/events_dropped",
                                 "/contingent",
                                 "/design_point",
                                 "/days_to_ioc",
                                 "/pax_in",
                                 "/cost_usd",
                                 "/f0",
                                 "/f1",
                                 "/contingent_pax_in",
                                 "/contingent_days_to_foc",
                                 "/payer",
                                 "/payer_cost_usd",
                                 "/payer_min_balance_usd",
                                 "/series/run",
                                 "/series/point",
                                 "/series/replication",
                                 "/series/time",
                                 "/series/time_bnds",
                                 "/series/contingent",
                                 "/series/airport",
                                 "/series/operator_class",
                                 "/series/strength",
                                 "/series/on_duty",
                                 "/series/filled",
                                 "/series/waiting_at_origin",
                                 "/series/in_transit",
                                 "/series/airport_open",
                                 "/series/airport_closed",
                                 "/series/payer",
                                 "/series/payer_balance",
                                 "/series/regime",
                                 "/regimes/regime",
                                 "/regimes/stationary_share",
                                 "/tables/events"};
const char* const kGroups[] = {"/series", "/regimes", "/tables", "/scenario"};
const std::pair<const char*, const char*> kAttrs[] = {{"/", "format"},
                                                      {"/", "command_line"},
                                                      {"/scenario", "toml"},
                                                      {"/scenario", "start_date"},
                                                      {"/scenario", "sweep_toml"},
                                                      {"/scenario", "sweep_hash"},
                                                      {"/design_point", "factors"},
                                                      {"/tables/events", "kind_labels"},
                                                      {"/series/time", "units"},
                                                      {"/run", "kpis"},
                                                      {"/payer", "kpis"}};

/// A datatype chosen by the input (the caller closes it).
hid_t pick_type(Bytes& in, hid_t original) {
    switch (in.pick(14)) {
        case 0:
            return original >= 0 ? H5Tcopy(original) : H5Tcopy(H5T_NATIVE_INT64);
        case 1:
            return H5Tcopy(H5T_NATIVE_INT8);
        case 2:
            return H5Tcopy(H5T_NATIVE_INT16);
        case 3:
            return H5Tcopy(H5T_NATIVE_INT64);
        case 4:
            return H5Tcopy(H5T_NATIVE_UINT64);
        case 5:
            return H5Tcopy(H5T_NATIVE_FLOAT);
        case 6:
            return H5Tcopy(H5T_NATIVE_DOUBLE);
        case 7: {
            hid_t t = H5Tcopy(H5T_C_S1);
            H5Tset_size(t, H5T_VARIABLE);
            return t;
        }
        case 8: {
            hid_t t = H5Tcopy(H5T_C_S1);
            H5Tset_size(t, 1 + in.pick(8));
            return t;
        }
        case 9: {
            hid_t t = H5Tcreate(H5T_COMPOUND, 16);
            H5Tinsert(t, "run", 0, H5T_NATIVE_INT64);
            H5Tinsert(t, "t_h", 8, H5T_NATIVE_DOUBLE);
            return t;
        }
        case 10: {
            hid_t t = H5Tenum_create(in.u8() & 1 ? H5T_NATIVE_INT64 : H5T_NATIVE_UINT8);
            long long v0 = 0, v1 = 1;
            if (H5Tget_size(t) == 1) {
                std::uint8_t a = 0, b = 1;
                H5Tenum_insert(t, "a", &a);
                H5Tenum_insert(t, "b", &b);
            } else {
                H5Tenum_insert(t, "a", &v0);
                H5Tenum_insert(t, "b", &v1);
            }
            return t;
        }
        case 11: {
            const hsize_t n = 1 + in.pick(3);
            return H5Tarray_create2(H5T_NATIVE_DOUBLE, 1, &n);
        }
        case 12:
            return H5Tcreate(H5T_OPAQUE, 1 + in.pick(8));
        default:
            return H5Tcopy(H5T_NATIVE_INT32);
    }
}

hsize_t pick_dim(Bytes& in, hsize_t runs, hsize_t days) {
    switch (in.pick(12)) {
        case 0:
            return 0;
        case 1:
            return 1;
        case 2:
            return 2;
        case 3:
            return 3;
        case 4:
            return runs;
        case 5:
            return runs + 1;
        case 6:
            return days;
        case 7:
            return days + 1;
        case 8:
            return 4;
        case 9:
            return 2000000000;
        case 10:
            return hsize_t{1} << 40;
        default:
            return 70000;
    }
}

bool has_vlen(hid_t t) {
    return H5Tdetect_class(t, H5T_VLEN) > 0 || H5Tis_variable_str(t) > 0 ||
           H5Tdetect_class(t, H5T_REFERENCE) > 0;
}

/// Whether the generator may write into a chunked dataset of these dimensions: only if its
/// element count fits in 64 bits. libhdf5 1.10.8 crashes (SEGV in H5F__accum_read under
/// H5B2__hdr_protect or H5B_find, H5D__chunk_lookup, H5Dwrite) writing even one element into a
/// fresh dataset whose count does not, e.g. [2^32, 2^32] or [2^40, 2e9, 2e9, 2e9]; found by this
/// fuzzer and reproduced on its own over 780 shapes of rank 1-4 (every crash had 2^64 elements
/// or more). The readers never write, so such datasets are left unwritten; they still reach the
/// readers.
bool writable(const hsize_t* dims, int rank) {
    std::uint64_t elements = 1;
    for (int i = 0; i < rank; ++i)
        elements = out::mul_sat(elements, dims[i]);
    return elements < std::numeric_limits<std::uint64_t>::max();
}

/// Deletes `path` (a link) if it exists.
void unlink(hid_t file, const char* path) {
    if (H5Lexists(file, path, H5P_DEFAULT) > 0) H5Ldelete(file, path, H5P_DEFAULT);
}

/// Writes fuzz bytes over the first elements of a dataset of fixed-size elements.
void fill_from_input(Bytes& in, hid_t ds, hid_t type, hsize_t elements) {
    if (has_vlen(type)) return;
    const std::size_t size = H5Tget_size(type);
    const hsize_t n = std::min<hsize_t>(elements, 64);
    if (n == 0 || size == 0 || size > 64) return;
    Hid fs(H5Dget_space(ds));
    const int rank = H5Sget_simple_extent_ndims(fs);
    if (rank < 0) return;
    if (rank > 0) {
        std::vector<hsize_t> start(static_cast<std::size_t>(rank), 0),
            count(static_cast<std::size_t>(rank), 1);
        count[static_cast<std::size_t>(rank) - 1] = n;
        hsize_t dims[H5S_MAX_RANK];
        H5Sget_simple_extent_dims(fs, dims, nullptr);
        if (dims[rank - 1] < n) return;
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
    }
    const hsize_t m = rank > 0 ? n : 1;
    std::vector<std::uint8_t> buf(size * m);
    for (auto& b : buf)
        b = in.u8();
    Hid ms(H5Screate_simple(1, &m, nullptr));
    H5Dwrite(ds, type, ms, fs, H5P_DEFAULT, buf.data());
}

/// Replaces dataset `path` by one of a type, rank and shape the input chooses.
void replace_dataset(Bytes& in, hid_t file, const char* path, hsize_t runs, hsize_t days) {
    hid_t original = -1;
    if (H5Lexists(file, path, H5P_DEFAULT) > 0 && H5Oexists_by_name(file, path, H5P_DEFAULT) > 0) {
        Hid ds(H5Dopen2(file, path, H5P_DEFAULT));
        if (ds.ok()) original = H5Dget_type(ds);
    }
    Hid orig(original);
    Hid type(pick_type(in, original));
    if (!type.ok()) return;
    const int rank = static_cast<int>(in.pick(5));  // 0: scalar
    hsize_t dims[4] = {}, maxdims[4] = {}, chunk[4] = {};
    hsize_t elements = 1;
    for (int i = 0; i < rank; ++i) {
        dims[i] = pick_dim(in, runs, days);
        maxdims[i] = H5S_UNLIMITED;
        chunk[i] = std::max<hsize_t>(1, std::min<hsize_t>(dims[i], 4));
        elements = out::mul_sat(elements, dims[i]);
    }
    unlink(file, path);
    Hid space(rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, dims, maxdims));
    Hid dcpl(H5Pcreate(H5P_DATASET_CREATE));
    if (rank > 0) {
        H5Pset_chunk(dcpl, rank, chunk);
        if (in.u8() & 1) H5Pset_deflate(dcpl, 1);
    }
    Hid lcpl(H5Pcreate(H5P_LINK_CREATE));
    H5Pset_create_intermediate_group(lcpl, 1);
    Hid ds(H5Dcreate2(file, path, type, space, lcpl, dcpl, H5P_DEFAULT));
    if (ds.ok() && writable(dims, rank) && in.u8() & 1) fill_from_input(in, ds, type, elements);
}

/// Overwrites one element of dataset `path` with fuzz bytes (in the dataset's own type).
void poke(Bytes& in, hid_t file, const char* path) {
    if (H5Lexists(file, path, H5P_DEFAULT) <= 0 || H5Oexists_by_name(file, path, H5P_DEFAULT) <= 0)
        return;
    Hid ds(H5Dopen2(file, path, H5P_DEFAULT));
    if (!ds.ok()) return;
    Hid type(H5Dget_type(ds));
    if (has_vlen(type)) return;
    const std::size_t size = H5Tget_size(type);
    if (size == 0 || size > 256) return;
    Hid fs(H5Dget_space(ds));
    const int rank = H5Sget_simple_extent_ndims(fs);
    if (rank < 0 || rank > 4) return;
    hsize_t dims[4] = {}, start[4] = {}, count[4] = {1, 1, 1, 1};
    H5Sget_simple_extent_dims(fs, dims, nullptr);
    if (!writable(dims, rank)) return;
    for (int i = 0; i < rank; ++i) {
        if (dims[i] == 0) return;
        start[i] = in.u8() % dims[i];
    }
    if (rank > 0) H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, nullptr, count, nullptr);
    std::vector<std::uint8_t> buf(size);
    const int mode = static_cast<int>(in.pick(4));
    for (std::size_t i = 0; i < size; ++i)
        buf[i] = mode == 0 ? 0xff : mode == 1 ? 0x80 : in.u8();
    if (mode == 3 && (size == 8 || size == 4) && H5Tget_class(type) == H5T_FLOAT) {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        const float nanf = std::numeric_limits<float>::quiet_NaN();
        if (size == 8)
            std::memcpy(buf.data(), &nan, 8);
        else
            std::memcpy(buf.data(), &nanf, 4);
    }
    const hsize_t one = 1;
    Hid ms(H5Screate_simple(1, &one, nullptr));
    H5Dwrite(ds, type, ms, fs, H5P_DEFAULT, buf.data());
}

/// Replaces attribute `name` of `obj` by one of a type and dataspace the input chooses.
void replace_attr(Bytes& in, hid_t file, const char* obj, const char* name) {
    if (H5Lexists(file, obj, H5P_DEFAULT) <= 0 && std::strcmp(obj, "/") != 0) return;
    if (std::strcmp(obj, "/") != 0 && H5Oexists_by_name(file, obj, H5P_DEFAULT) <= 0) return;
    Hid o(H5Oopen(file, obj, H5P_DEFAULT));
    if (!o.ok()) return;
    if (H5Aexists(o, name) > 0) H5Adelete(o, name);
    const std::size_t what = in.pick(6);
    if (what == 0) return;  // deleted
    Hid space;
    hsize_t n = 1;
    switch (in.pick(5)) {
        case 0:
            space.id = H5Screate(H5S_SCALAR);
            break;
        case 1:
            space.id = H5Screate(H5S_NULL);
            n = 0;
            break;
        case 2:
            n = in.pick(4);
            space.id = H5Screate_simple(1, &n, nullptr);
            break;
        case 3:
            n = 3;
            space.id = H5Screate_simple(1, &n, nullptr);
            break;
        default:
            space.id = H5Screate(H5S_SCALAR);
            break;
    }
    if (!space.ok()) return;
    static const char* const texts[] = {
        "mss-sim/2", "mss-sim/1", "2025-01-01", "2025-13-45",
        "",          "x/y",       "..",         "[sweep]\nreplications = 2\n",
        "f0",        "\xff\xfe"};
    if (what <= 3) {  // variable-length strings
        Hid t(H5Tcopy(H5T_C_S1));
        H5Tset_size(t, H5T_VARIABLE);
        if (in.u8() & 1) H5Tset_cset(t, H5T_CSET_UTF8);
        std::vector<const char*> v(std::max<hsize_t>(n, 1));
        for (auto& p : v)
            p = texts[in.pick(std::size(texts))];
        Hid a(H5Acreate2(o, name, t, space, H5P_DEFAULT, H5P_DEFAULT));
        if (a.ok() && n > 0) H5Awrite(a, t, v.data());
    } else if (what == 4) {  // a fixed-length string
        Hid t(H5Tcopy(H5T_C_S1));
        const char* text = texts[in.pick(std::size(texts))];
        H5Tset_size(t, std::max<std::size_t>(1, std::strlen(text)));
        std::string buf;
        for (hsize_t i = 0; i < std::max<hsize_t>(n, 1); ++i)
            buf +=
                std::string(text) +
                std::string(std::max<std::size_t>(1, std::strlen(text)) - std::strlen(text), '\0');
        Hid a(H5Acreate2(o, name, t, space, H5P_DEFAULT, H5P_DEFAULT));
        if (a.ok() && n > 0) H5Awrite(a, t, buf.data());
    } else {  // a number
        std::vector<std::int64_t> v(std::max<hsize_t>(n, 1));
        for (auto& x : v)
            x = static_cast<std::int64_t>(in.u64());
        Hid a(H5Acreate2(o, name, H5T_NATIVE_INT64, space, H5P_DEFAULT, H5P_DEFAULT));
        if (a.ok() && n > 0) H5Awrite(a, H5T_NATIVE_INT64, v.data());
    }
}

/// A new /tables/events: some of its columns, of types the input chooses, rows likewise.
void replace_events(Bytes& in, hid_t file, hsize_t runs, hsize_t days) {
    struct Col {
        const char* name;
        hid_t type;
    };
    std::vector<Col> cols;
    const char* names[] = {"run", "t_h", "kind", "contingent", "airport", "count"};
    std::size_t offset = 0;
    std::vector<hid_t> types;
    for (const char* n : names) {
        if (in.pick(8) == 0) continue;  // column left out
        hid_t t = -1;
        if (std::strcmp(n, "kind") == 0 && in.u8() & 1) {
            const bool wide = in.u8() & 1;
            t = H5Tenum_create(wide ? H5T_NATIVE_INT64 : H5T_NATIVE_UINT8);
            for (int k = 0; k < 3; ++k) {
                const std::string label = "k" + std::to_string(k);
                if (wide) {
                    const std::int64_t v = k;
                    H5Tenum_insert(t, label.c_str(), &v);
                } else {
                    const std::uint8_t v = static_cast<std::uint8_t>(k);
                    H5Tenum_insert(t, label.c_str(), &v);
                }
            }
        } else {
            t = pick_type(in, -1);
            if (has_vlen(t)) {
                H5Tclose(t);
                t = H5Tcopy(H5T_NATIVE_INT16);
            }
        }
        types.push_back(t);
        cols.push_back({n, t});
        offset += H5Tget_size(t);
    }
    unlink(file, "/tables/events");
    if (cols.empty() || offset == 0) {
        for (hid_t t : types)
            H5Tclose(t);
        return;
    }
    Hid ct(H5Tcreate(H5T_COMPOUND, offset));
    std::size_t at = 0;
    for (const Col& c : cols) {
        H5Tinsert(ct, c.name, at, c.type);
        at += H5Tget_size(c.type);
    }
    for (hid_t t : types)
        H5Tclose(t);
    const hsize_t rows = pick_dim(in, runs, days), maxr = H5S_UNLIMITED;
    const hsize_t chunk = std::max<hsize_t>(1, std::min<hsize_t>(rows, 64));
    Hid space(H5Screate_simple(1, &rows, &maxr));
    Hid dcpl(H5Pcreate(H5P_DATASET_CREATE));
    H5Pset_chunk(dcpl, 1, &chunk);
    Hid lcpl(H5Pcreate(H5P_LINK_CREATE));
    H5Pset_create_intermediate_group(lcpl, 1);
    Hid ds(H5Dcreate2(file, "/tables/events", ct, space, lcpl, dcpl, H5P_DEFAULT));
    if (ds.ok() && in.u8() & 1) fill_from_input(in, ds, ct, rows);
}

/// The most memory the cache of base files may take (a file is ~100 kB; libFuzzer's default RSS
/// limit is 2 GB).
constexpr std::size_t kCacheBytes = std::size_t{512} << 20;

/// The base file: a valid one of a layout the input chooses.
bool write_base(Bytes& in, const fs::path& path, hsize_t& runs, hsize_t& days) {
    out::FileLayout l;
    l.start_days_since_epoch = 20089;
    l.days = 1 + static_cast<std::int32_t>(in.pick(6));
    const std::size_t C = 1 + in.pick(3), A = 1 + in.pick(2), G = in.pick(3);
    for (std::size_t c = 0; c < C; ++c)
        l.contingents.push_back("c" + std::to_string(c));
    for (std::size_t a = 0; a < A; ++a)
        l.airports.push_back("A" + std::to_string(a));
    for (std::size_t g = 0; g < G; ++g) {
        l.regimes.push_back("r" + std::to_string(g));
        l.regime_shares.push_back(1.0 / static_cast<double>(G));
    }
    const std::size_t P = 1 + in.pick(2), R = 1 + in.pick(3), F = in.pick(3);
    for (std::size_t f = 0; f < F; ++f)
        l.factor_names.push_back("f" + std::to_string(f));
    for (std::size_t p = 0; p < P; ++p) {
        std::vector<double> v;
        for (std::size_t f = 0; f < F; ++f)
            v.push_back(static_cast<double>(p + f));
        l.points.push_back(v);
    }
    l.rows = static_cast<std::int64_t>(P * R);
    out::Provenance prov;
    prov.command_line = "mss fuzz";
    prov.scenario_toml = "[scenario]\nname = \"fuzz\"\n";
    // A sweep's text with the file's replications (so that `mss merge` gets past its checks of
    // the sweep's size and reaches the records), with others, or none.
    const std::size_t sweep = in.pick(8);
    if (sweep < 5) {
        const std::string reps[] = {std::to_string(R), std::to_string(R + 1), "0",
                                    "4611686018427387904", "\"x\""};
        prov.sweep_toml =
            "[sweep]\nname = \"fz\"\nbase = \"b.toml\"\nseed = 1\nreplications = " + reps[sweep] +
            "\n[[factor]]\nkey = \"aircraft.B787-charter.count\"\nvalues = [1, 2]\n";
        prov.sweep_hash = "00000000000000ff";
    }
    // Events per run, by a pattern rather than run by run (fewer base files to write): none,
    // some in every run, or runs without events first, last or in between (read_records finds
    // a run's events by binary search on the table).
    const std::size_t pattern = in.pick(8);
    std::vector<std::size_t> event_counts;
    for (std::size_t r = 0; r < P * R; ++r) {
        const bool first = r == 0, last = r + 1 == P * R;
        const std::size_t counts[] = {
            0, 1, 3, first ? 2u : 0u, last ? 2u : 0u, r % 2 * 2, first ? 0u : 1u, r % 4};
        event_counts.push_back(counts[pattern]);
    }
    // Payers last, so that the choices above read the bytes they read before payers existed.
    const std::size_t N = in.pick(3);
    for (std::size_t n = 0; n < N; ++n)
        l.payers.push_back("p" + std::to_string(n));
    // Base files are cached by the choices that made them (the writer takes ~10 ms, most of an
    // execution): the edits and the readers run on a fresh copy each time. Keyed by the values
    // chosen, not the bytes that chose them, so that the many byte strings giving one layout
    // share an entry.
    static std::map<std::string, std::string> cache;
    static std::size_t cached_bytes = 0;
    std::string key;
    for (const std::size_t v :
         {static_cast<std::size_t>(l.days), C, A, G, P, R, F, sweep, pattern, N})
        key += static_cast<char>(v);
    runs = static_cast<hsize_t>(l.rows);
    days = static_cast<hsize_t>(l.days);
    if (const auto it = cache.find(key); it != cache.end()) {
        std::ofstream o(path, std::ios::binary | std::ios::trunc);
        o.write(it->second.data(), static_cast<std::streamsize>(it->second.size()));
        return static_cast<bool>(o);
    }
    try {
        out::ResultsWriter w(path, l, prov);
        const std::size_t D = static_cast<std::size_t>(l.days);
        for (std::int64_t r = 0; r < l.rows; ++r) {
            out::RunRecord rec;
            rec.run = r;
            rec.point = r / static_cast<std::int64_t>(R);
            rec.replication = r % static_cast<std::int64_t>(R);
            rec.seed = 7;
            rec.contingent_kpis.resize(C);
            for (auto* s : rec.float_series())
                s->assign(D * C, 1.0f);
            rec.airport_open.assign(D * A, 1.0f);
            rec.airport_closed.assign(D * A * mss::model::kClosureClassCount, 0.0f);
            rec.payer_balance.assign(D * N, 1.0e6f);
            rec.payer_kpis.resize(N);
            rec.regime.assign(D, G == 0 ? -1 : 0);
            const std::size_t events = event_counts[static_cast<std::size_t>(r)];
            for (std::size_t e = 0; e < events; ++e)
                rec.events.push_back({static_cast<double>(e), mss::model::EventKind::landed,
                                      static_cast<std::int16_t>(e % C),
                                      static_cast<std::int16_t>(e % A), 3});
            w.append(std::move(rec));
        }
        w.finish();
    } catch (const out::OutputError&) {
        return false;
    }
    if (cached_bytes < kCacheBytes) {
        std::ifstream i(path, std::ios::binary);
        std::string image(std::istreambuf_iterator<char>(i), {});
        cached_bytes += image.size();
        cache.emplace(key, std::move(image));
    }
    return true;
}

void edit(Bytes& in, const fs::path& path, hsize_t runs, hsize_t days) {
    Hid fapl(H5Pcreate(H5P_FILE_ACCESS));
    H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
    Hid file(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl));
    if (!file.ok()) return;
    const std::size_t edits = 1 + in.pick(8);
    for (std::size_t e = 0; e < edits && !in.done(); ++e) {
        const char* ds = kDatasets[in.pick(std::size(kDatasets))];
        switch (in.pick(9)) {
            case 0:
                unlink(file, ds);
                break;
            case 1:
            case 2:
                replace_dataset(in, file, ds, runs, days);
                break;
            case 3:
            case 4:
                poke(in, file, ds);
                break;
            case 5: {
                const char* g = kGroups[in.pick(std::size(kGroups))];
                unlink(file, g);
                if (in.u8() & 1) Hid(H5Gcreate2(file, g, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
                break;
            }
            case 6: {
                const auto& [obj, name] = kAttrs[in.pick(std::size(kAttrs))];
                replace_attr(in, file, obj, name);
                break;
            }
            case 7:
                replace_events(in, file, runs, days);
                break;
            default:  // a dangling or misdirected link, or a group where a variable was
                unlink(file, ds);
                if (in.u8() & 1)
                    H5Lcreate_soft(in.u8() & 1 ? "/nowhere" : "/series", file, ds, H5P_DEFAULT,
                                   H5P_DEFAULT);
                else
                    Hid(H5Gcreate2(file, ds, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
                break;
        }
    }
}

template <class F>
void expect_our_errors(F&& f) {
    try {
        f();
    } catch (const out::OutputError&) {
    } catch (const mss::experiment::MergeError&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool init = [] {
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        // A small budget: a file claiming more is refused before anything is allocated.
        out::set_read_budget(std::uint64_t{16} << 20);
        // libhdf5 takes a 1 MiB type-conversion buffer (zeroed) for every H5Dread and H5Dwrite
        // of strings or compounds, and by default its free lists keep at most 1 MiB per list,
        // so each came fresh from the system: zeroing and page faults were ~40% of the time.
        // Free lists without limits reuse the blocks (the process's memory stays bounded by
        // the largest set of blocks in use at once).
        H5set_free_list_limits(-1, -1, -1, -1, -1, -1);
        return true;
    }();
    (void)init;
    const WorkDir work;
    Bytes in(data, size);
    const fs::path file = work_dir() / "results.h5";
    hsize_t runs = 0, days = 0;
    if (!write_base(in, file, runs, days)) return 0;
    edit(in, file, runs, days);

    // read_info first. verify_results, `mss summary` and `mss merge` begin with what it does
    // (the same open and shape checks, then read_info itself; summary and merge also read_runs),
    // so on a file read_info refuses they refuse it at the same point: they run on such a file
    // only now and then (a choice that an input cut short, read as zeros, does not make), for
    // their own handling of the refusal. read_runs and read_records may get further than
    // read_info on such a file (it reads labels and attributes that they do not); on a file it
    // accepts, summary's read_runs is the one.
    std::int64_t rows = -1;
    bool info_read = false;
    expect_our_errors([&] {
        rows = out::read_info(file).layout.rows;
        info_read = true;
    });
    const std::uint8_t choice = in.u8();
    const auto first = static_cast<std::int64_t>(in.u64() % 8) - 2;
    const auto count = static_cast<std::int64_t>(in.pick(4));
    if (!info_read) {
        expect_our_errors([&] { (void)out::read_runs(file); });
        expect_our_errors([&] { (void)out::read_records(file, first, count); });
        if ((choice & 0x0f) != 0x0f) return 0;
    } else if (choice & 0x80) {
        expect_our_errors([&] { (void)out::read_records(file, first, count); });
    } else {
        expect_our_errors([&] {
            if (rows > 0) (void)out::read_records(file, 0, std::min<std::int64_t>(rows, 8));
        });
    }
    expect_our_errors([&] { out::verify_results(file); });
    {
        mss::app::SummaryOptions o;
        o.file = file.string();
        o.csv = choice & 0x10;
        std::ostringstream sout, serr;
        const int code = mss::app::run_summary(o, sout, serr);
        if (code != 0 && code != 2) {
            std::fprintf(stderr, "mss summary exited %d: %s\n", code, serr.str().c_str());
            std::abort();
        }
    }
    // The merge writes a whole file (~10 ms): when the input asks for it.
    if ((choice & 0x60) != 0x60) return 0;
    const fs::path merged = work_dir() / "merged.h5";
    expect_our_errors([&] {
        out::Provenance prov;
        prov.command_line = "mss merge";
        (void)mss::experiment::merge_shards(merged, {file}, prov, true, nullptr);
    });
    return 0;
}
