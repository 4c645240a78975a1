// HDF5 writing of the mss-sim/2 format (docs/results.md): netCDF-4 style, following the CF
// conventions, so that xarray (h5netcdf) opens it. The C++ API (H5Cpp.h) for files, datasets
// and types; the high-level C library (H5DS) for netCDF-4 dimension scales, which has no C++
// wrapper. Object timestamps are off so that identical runs give identical datasets.
#include "sim/output/results_writer.hpp"

#include <H5Cpp.h>
#include <H5DSpublic.h>
#include <H5Dpublic.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <new>

#include <fcntl.h>

#include "sim/model/dates.hpp"
#include "sim/output/build_info.hpp"
#include "sim/output/chunk_codec.hpp"
#include "sim/output/h5_util.hpp"

namespace mss::output {

namespace {

using namespace h5;

using H5::PredType;

std::atomic<bool> file_left_open{false};

std::string utc_now() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

/// The `name` of the `[scenario]` table of a resolved scenario text (written by
/// scenario::resolved_toml: one key per line), or "unnamed".
std::string scenario_name(const std::string& toml) {
    std::size_t at = toml.find("\n[scenario]\n");
    if (at == std::string::npos) return "unnamed";
    at = toml.find("\nname = \"", at);
    if (at == std::string::npos) return "unnamed";
    at += 8;  // the opening quote
    const std::size_t end = toml.find('\n', at);
    std::string v = toml.substr(at, end == std::string::npos ? std::string::npos : end - at);
    if (v.size() < 2 || v.back() != '"') return "unnamed";
    return v.substr(1, v.size() - 2);
}

/// "mss ARGS" of a command line "PROGRAM ARGS" (the CF `history` entry).
std::string history_command(const std::string& command_line) {
    const std::size_t blank = command_line.find(' ');
    return blank == std::string::npos ? std::string("mss") : "mss" + command_line.substr(blank);
}

template <class T>
H5::DataSet vector_dataset(H5::Group& where, const std::string& name, const H5::PredType& type,
                           const std::vector<T>& values) {
    const hsize_t n = values.size();
    H5::DataSet ds = where.createDataSet(name, type, H5::DataSpace(1, &n), dataset_props());
    if (n > 0) ds.write(values.data(), type);
    return ds;
}

/// A packed compound row layout built column by column.
struct RowLayout {
    struct Column {
        std::string name;
        H5::DataType type;
        std::size_t offset;
        std::size_t size;
    };
    std::vector<Column> columns;
    std::size_t size = 0;

    std::size_t add(const std::string& name, const H5::DataType& type) {
        const std::size_t s = type.getSize();
        columns.push_back({name, type, size, s});
        size += s;
        return columns.back().offset;
    }
    H5::CompType compound() const {
        H5::CompType t(size);
        for (const auto& c : columns)
            t.insertMember(c.name, c.offset, c.type);
        return t;
    }
};

template <class T>
void put(std::vector<unsigned char>& buf, std::size_t row_start, std::size_t offset, T v) {
    std::memcpy(buf.data() + row_start + offset, &v, sizeof v);
}

constexpr hsize_t kEventChunkRows = 8192;
constexpr hsize_t kRunChunkRows = 1024;

constexpr std::size_t kWritebackBytes = std::size_t{8} << 20;

/// The POSIX file descriptor under `file` if HDF5 uses its sec2 (POSIX) driver for it, else -1.
int posix_descriptor(const H5::H5File& file) {
    const hid_t fapl = H5Fget_access_plist(file.getId());
    if (fapl < 0) return -1;
    int fd = -1;
    void* handle = nullptr;
    if (H5Pget_driver(fapl) == H5FD_SEC2 && H5Fget_vfd_handle(file.getId(), fapl, &handle) >= 0 &&
        handle != nullptr)
        fd = *static_cast<int*>(handle);
    H5Pclose(fapl);
    return fd;
}

}  // namespace

std::string iso_date(std::int32_t days_since_epoch) {
    return model::civil_from_days(days_since_epoch);
}

std::string hdf5_version() {
    unsigned maj = 0, min = 0, rel = 0;
    H5get_libversion(&maj, &min, &rel);
    return std::to_string(maj) + "." + std::to_string(min) + "." + std::to_string(rel);
}

struct ResultsWriter::Impl {
    FileLayout layout;
    std::size_t block_rows;
    std::string path;  ///< for messages
    H5::H5File file;
    bool closed = false;     ///< close_file() was called
    bool left_open = false;  ///< ... and could not close everything (see close_file)
    /// Root variables over `run`, in the order flush() writes them: the run scale, point,
    /// replication, seed, status, wall_s, events_dropped.
    H5::DataSet run_scale, point, replication, seed, status, wall_s, events_dropped;
    std::vector<H5::DataSet> kpis;             ///< model::kpi_columns() order
    std::vector<H5::DataSet> contingent_kpis;  ///< model::contingent_kpi_columns() order
    std::vector<H5::DataSet> payer_kpis;       ///< model::payer_kpi_columns() order
    /// /series: its run scale and the point and replication coordinates.
    H5::DataSet series_run, series_point, series_replication;
    /// /series variables in PackedSeries order (the eight float series, then regime).
    std::array<H5::DataSet, PackedSeries::kCount> series;
    H5::DataSet events;
    RowLayout event_layout;
    std::vector<RunRecord> buffer;  ///< rows waiting for the per-run variables
    /// The /tables/events chunk being filled, as the byte planes it is stored in (HDF5's
    /// shuffle: plane j of a column that starts at byte offset o of a row holds byte j of every
    /// row's value, at (o + j) * kEventChunkRows).
    std::vector<std::uint8_t> planes;
    std::size_t event_rows = 0;         ///< rows in `planes`
    std::vector<std::uint8_t> encoded;  ///< scratch: an /events chunk, encoded
    std::int64_t appended = 0;
    std::int64_t written = 0;
    hsize_t events_written = 0;
    bool finished = false;
    /// The file's descriptor when HDF5 writes it through the POSIX (sec2) driver, else -1.
    int fd = -1;
    std::size_t unflushed = 0;  ///< chunk bytes written since the last writeback was started

    std::size_t C() const { return layout.contingents.size(); }
    std::size_t A() const { return layout.airports.size(); }
    std::size_t P() const { return layout.payers.size(); }
    std::size_t D() const { return static_cast<std::size_t>(layout.days); }
    static constexpr std::size_t K() { return model::kClosureClassCount; }

    static H5::H5File create_file(const std::filesystem::path& path, const FileLayout& l) {
        if (l.rows <= 0 || l.days <= 0 || l.contingents.empty() || l.airports.empty())
            throw OutputError("results file layout: needs rows, days, contingents and airports");
        H5::Exception::dontPrint();
        try {
            // The 1.10 file format: fixed-array and extensible-array chunk indexes and version 2
            // object headers take a fraction of the metadata of 1.8's B-trees, for the ~50
            // variables of format 2 (every HDF5 1.10+ reader, h5py and netCDF-C, reads it).
            H5::FileAccPropList fapl;
            fapl.setLibverBounds(H5F_LIBVER_V110, H5F_LIBVER_V110);
            return H5::H5File(path.string(), H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, fapl);
        } catch (const H5::Exception& e) {
            throw OutputError("cannot create results file " + path.string() + ": " +
                              e.getDetailMsg());
        }
    }

    /// Creates the file; init() writes its fixed parts.
    Impl(const std::filesystem::path& p, FileLayout l, std::size_t br)
        : layout(std::move(l)),
          block_rows(std::max<std::size_t>(1, br)),
          path(p.string()),
          file(create_file(p, layout)) {}
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    void init(const Provenance& prov) {
        io(
            [&] {
                check_names();
                write_root_attributes(prov);
                write_scenario(prov);
                create_run_variables();
                write_points();
                write_regimes();
                create_series();
                create_events();
                fd = posix_descriptor(file);
            },
            "create");
    }

    /// Runs `write`, a step of writing, and reports its failure as "cannot VERB results file
    /// PATH (the system's reason, e.g. No space left on device): HDF5's".
    template <class F>
    void io(F&& write, const char* verb = "write") {
        errno = 0;
        try {
            write();
        } catch (const H5::Exception& e) {
            throw io_error("HDF5: " + e.getDetailMsg(), verb);
        } catch (const OutputError& e) {
            throw io_error(e.what(), verb);
        }
    }
    OutputError io_error(const std::string& detail, const char* verb = "write") const {
        const int cause = errno;
        std::string msg = std::string("cannot ") + verb + " results file " + path;
        if (cause != 0) msg += std::string(" (") + std::strerror(cause) + ")";
        return OutputError(msg + ": " + detail);
    }

    /// Every dataset this writer keeps open.
    std::vector<H5::DataSet*> open_datasets() {
        std::vector<H5::DataSet*> out{
            &run_scale, &point,          &replication, &seed,         &status,
            &wall_s,    &events_dropped, &series_run,  &series_point, &series_replication,
            &events};
        for (auto& d : kpis)
            out.push_back(&d);
        for (auto& d : contingent_kpis)
            out.push_back(&d);
        for (auto& d : payer_kpis)
            out.push_back(&d);
        for (auto& d : series)
            out.push_back(&d);
        return out;
    }

    /// Closes the datasets, then the file; throws OutputError if that fails. HDF5 1.10 cannot
    /// close a file whose metadata it could not write (a full disk, a file size limit): H5Fclose
    /// fails and leaves the file registered half torn down, and any later attempt to close it
    /// (ours, ~H5File's, or the library's own at exit) crashes inside HDF5. So a failed close is
    /// never retried: `left_open` tells the owner to leak this Impl (its members' destructors
    /// would close again), and results_file_left_open() tells main() to leave without the
    /// library's exit handlers.
    void close_file() {
        if (closed) return;
        closed = true;  // never twice
        for (H5::DataSet* d : open_datasets()) {
            try {
                d->close();
            } catch (const H5::Exception&) {
                left_open = true;
            }
        }
        errno = 0;
        try {
            file.close();
        } catch (const H5::Exception&) {
            left_open = true;
        }
        if (left_open) {
            file_left_open.store(true);
            throw io_error("HDF5: cannot close it");
        }
    }
    void close_file(std::nothrow_t) noexcept {
        try {
            close_file();
        } catch (const OutputError&) {
        }
    }

    /// Sweep factors become root variables named by their keys: none may clash with another
    /// root name, be empty or contain '/' (an HDF5 path separator).
    void check_names() const {
        std::vector<std::string> taken{"run",          "point",    "replication",    "seed",
                                       "status",       "wall_s",   "events_dropped", "contingent",
                                       "design_point", "scenario", "series",         "regimes",
                                       "tables",       "payer"};
        for (const auto& k : model::kpi_columns())
            taken.emplace_back(k.name);
        for (const auto& k : model::contingent_kpi_columns())
            taken.push_back(std::string("contingent_") + k.name);
        for (const auto& k : model::payer_kpi_columns())
            taken.push_back(std::string("payer_") + k.name);
        for (const auto& f : layout.factor_names) {
            if (f.empty() || f.find('/') != std::string::npos || f == "." ||
                std::find(taken.begin(), taken.end(), f) != taken.end())
                throw OutputError("sweep factor \"" + f +
                                  "\" cannot name a variable of the results file (empty, has a "
                                  "'/' or is taken)");
            taken.push_back(f);
        }
        if (layout.points.empty()) throw OutputError("results file layout: no design point");
    }

    void write_root_attributes(const Provenance& prov) {
        H5::Group root = file.openGroup("/");
        const std::string now = utc_now();
        string_attr(root, "format", kFormat);
        string_attr(root, "Conventions", "CF-1.8");
        string_attr(root, "title", title(prov));
        string_attr(root, "institution", "mss-sim");
        string_attr(root, "source",
                    std::string("mss ") + build_info::version + " (git " +
                        build_info::git_commit() + "), discrete-event simulation");
        string_attr(root, "history", now + " " + history_command(prov.command_line));
        string_attr(root, "references",
                    std::string("docs/results.md of mss-sim: the ") + kFormat + " format");
        string_attr(root, "mss_version", build_info::version);
        string_attr(root, "git_commit", build_info::git_commit());
        string_attr(root, "build_type", build_info::build_type);
        string_attr(root, "build_flags", build_info::cxx_flags);
        string_attr(root, "hdf5_version", hdf5_version());
        string_attr(root, "boost_version", build_info::boost_version);
        string_attr(root, "eigen_version", build_info::eigen_version);
        string_attr(root, "deflate_encoder", deflate_encoder_version());
        string_attr(root, "created_utc", now);
        string_attr(root, "command_line", prov.command_line);
        for (const auto& [k, v] : prov.extra)
            string_attr(root, k, v);
    }

    /// The same for every file of one scenario, whatever its runs (identity, DESIGN §2: a
    /// one-point sweep is a plain run).
    static std::string title(const Provenance& prov) {
        return "mss-sim results: scenario \"" + scenario_name(prov.scenario_toml) + "\"";
    }

    void write_scenario(const Provenance& prov) {
        H5::Group g = make_group(file, "/scenario");
        string_attr(g, "toml", prov.scenario_toml);
        if (!prov.sweep_toml.empty()) {
            string_attr(g, "sweep_toml", prov.sweep_toml);
            string_attr(g, "sweep_hash", prov.sweep_hash);
        }
        string_attr(g, "start_date", iso_date(layout.start_days_since_epoch));
    }

    /// Chunked, with the pipeline [shuffle, deflate level 1]. Deflate is readable everywhere,
    /// unlike szip. The series and /tables/events chunks are encoded by chunk_codec (ISA-L) and
    /// written with H5Dwrite_chunk; the per-run variables go through HDF5's own pipeline (zlib).
    H5::DSetCreatPropList chunked(std::vector<hsize_t> chunk) {
        H5::DSetCreatPropList p = dataset_props();
        p.setChunk(static_cast<int>(chunk.size()), chunk.data());
        p.setShuffle();
        p.setDeflate(1);
        return p;
    }

    /// Rows per chunk of a per-run variable: a few kB of doubles, written block by block
    /// through HDF5's chunk cache.
    hsize_t row_chunk() const {
        return std::min<hsize_t>(kRunChunkRows, static_cast<hsize_t>(layout.rows));
    }

    /// A per-run variable of `where` over (run), or (run, `second_dim`) when that is given: the
    /// contingent or payer dimension. A dimension of length 0 (no payers) has chunks of 1 along
    /// it (HDF5 refuses a chunk of 0; a chunk may exceed a dimension of length 0).
    H5::DataSet run_variable(H5::Group& where, const std::string& name, const H5::PredType& type,
                             H5::DataSet& run_dim, const H5::DataSet* second_dim,
                             const std::string& long_name, const char* units,
                             const char* coordinates) {
        const hsize_t rows = static_cast<hsize_t>(layout.rows);
        std::vector<hsize_t> dims{rows}, chunk{row_chunk()};
        if (second_dim != nullptr) {
            const auto n = static_cast<hsize_t>(second_dim->getSpace().getSimpleExtentNpoints());
            dims.push_back(n);
            chunk.push_back(std::max<hsize_t>(1, n));
        }
        H5::DataSet ds = where.createDataSet(
            name, type, H5::DataSpace(static_cast<int>(dims.size()), dims.data()), chunked(chunk));
        attach(ds, run_dim, 0);
        if (second_dim != nullptr) attach(ds, *second_dim, 1);
        string_attr(ds, "long_name", long_name);
        if (units != nullptr) string_attr(ds, "units", units);
        if (coordinates != nullptr) string_attr(ds, "coordinates", coordinates);
        return ds;
    }

    /// The root's per-run variables: the run dimension, its coordinates point, replication,
    /// seed and status, wall_s, events_dropped, one variable per KPI and one per contingent KPI.
    void create_run_variables() {
        H5::Group root = file.openGroup("/");
        const hsize_t rows = static_cast<hsize_t>(layout.rows);
        run_scale = root.createDataSet("run", PredType::NATIVE_INT64, H5::DataSpace(1, &rows),
                                       chunked({row_chunk()}));
        make_scale(run_scale, "run");
        string_attr(run_scale, "long_name", "run id = point * replications + replication");
        H5::DataSet contingent_scale = string_dataset(root, "contingent", layout.contingents);
        make_scale(contingent_scale, "contingent");
        string_attr(contingent_scale, "long_name", "contingent (troop-contributing country)");
        H5::DataSet payer_scale = string_dataset(root, "payer", layout.payers);
        make_scale(payer_scale, "payer");
        string_attr(payer_scale, "long_name",
                    "payer (the fund or a bilateral donor; none when "
                    "the scenario does not model money)");

        point = run_variable(root, "point", PredType::NATIVE_INT64, run_scale, nullptr,
                             "design point of the run", nullptr, nullptr);
        replication =
            run_variable(root, "replication", PredType::NATIVE_INT64, run_scale, nullptr,
                         "replication of the run within its design point", nullptr, nullptr);
        seed = run_variable(root, "seed", PredType::NATIVE_UINT64, run_scale, nullptr,
                            "master seed of the run's random streams", nullptr, nullptr);
        status = run_variable(root, "status", PredType::NATIVE_INT8, run_scale, nullptr,
                              "outcome of the run", nullptr, nullptr);
        int8_list_attr(status, "flag_values", {0, 1});
        string_attr(status, "flag_meanings", "ok failed");
        const char* coords = "point replication seed status";
        wall_s = run_variable(root, "wall_s", PredType::NATIVE_DOUBLE, run_scale, nullptr,
                              "wall-clock time the run took (not part of the results' identity)",
                              "s", coords);
        events_dropped = run_variable(
            root, "events_dropped", PredType::NATIVE_INT64, run_scale, nullptr,
            "events beyond the scenario's max_events_per_run, not recorded", "1", coords);
        // The KPI variables in order (h5py and HDF5 list a group's members by name).
        std::vector<std::string> names;
        for (const auto& k : model::kpi_columns())
            names.emplace_back(k.name);
        string_list_attr(run_scale, "kpis", names);
        names.clear();
        for (const auto& k : model::contingent_kpi_columns())
            names.push_back(std::string("contingent_") + k.name);
        string_list_attr(contingent_scale, "kpis", names);
        names.clear();
        for (const auto& k : model::payer_kpi_columns())
            names.push_back(std::string("payer_") + k.name);
        string_list_attr(payer_scale, "kpis", names);
        for (const auto& k : model::kpi_columns()) {
            kpis.push_back(run_variable(root, k.name, PredType::NATIVE_DOUBLE, run_scale, nullptr,
                                        k.long_name, k.unit, coords));
            kpi_attributes(kpis.back(), k);
        }
        for (const auto& k : model::contingent_kpi_columns()) {
            contingent_kpis.push_back(run_variable(root, std::string("contingent_") + k.name,
                                                   PredType::NATIVE_DOUBLE, run_scale,
                                                   &contingent_scale, k.long_name, k.unit, coords));
            kpi_attributes(contingent_kpis.back(), k);
        }
        for (const auto& k : model::payer_kpi_columns()) {
            payer_kpis.push_back(run_variable(root, std::string("payer_") + k.name,
                                              PredType::NATIVE_DOUBLE, run_scale, &payer_scale,
                                              k.long_name, k.unit, coords));
            kpi_attributes(payer_kpis.back(), k);
        }
    }

    template <class Column>
    static void kpi_attributes(H5::DataSet& ds, const Column& k) {
        if (k.first_day)
            string_attr(ds, "comment",
                        "day index since the scenario start; NaN: not reached within the horizon");
        else
            string_attr(ds, "comment", "NaN: no value (a failed run, or no value by definition)");
    }

    /// The `design_point` dimension (point ids) and one variable per sweep factor over it.
    void write_points() {
        H5::Group root = file.openGroup("/");
        std::vector<std::int64_t> ids(layout.points.size());
        for (std::size_t p = 0; p < ids.size(); ++p)
            ids[p] = static_cast<std::int64_t>(p);
        H5::DataSet dp = vector_dataset(root, "design_point", PredType::NATIVE_INT64, ids);
        make_scale(dp, "design_point");
        string_attr(dp, "long_name", "design point id (the `point` of a run)");
        string_list_attr(dp, "factors", layout.factor_names);
        for (std::size_t f = 0; f < layout.factor_names.size(); ++f) {
            std::vector<double> values(ids.size());
            for (std::size_t p = 0; p < ids.size(); ++p)
                values[p] = layout.points[p].at(f);
            H5::DataSet ds =
                vector_dataset(root, layout.factor_names[f], PredType::NATIVE_DOUBLE, values);
            attach(ds, dp, 0);
            string_attr(ds, "long_name",
                        "sweep factor " + layout.factor_names[f] +
                            " (its value, or its level's index when the level is not a number)");
            string_attr(ds, "units", "1");
        }
    }

    /// /regimes: the `regime` dimension (names) and the stationary shares.
    void write_regimes() {
        H5::Group g = make_group(file, "/regimes");
        H5::DataSet names = string_dataset(g, "regime", layout.regimes);
        make_scale(names, "regime");
        string_attr(names, "long_name", "violence regime");
        H5::DataSet shares =
            vector_dataset(g, "stationary_share", PredType::NATIVE_DOUBLE, layout.regime_shares);
        attach(shares, names, 0);
        string_attr(shares, "long_name", "expected share of time in the violence regime");
        string_attr(shares, "units", "1");
    }

    void create_series() {
        H5::Group g = make_group(file, "/series");
        // Dimension scales (coordinate variables in netCDF terms).
        const hsize_t rows = static_cast<hsize_t>(layout.rows);
        series_run = g.createDataSet("run", PredType::NATIVE_INT64, H5::DataSpace(1, &rows),
                                     chunked({row_chunk()}));
        make_scale(series_run, "run");
        string_attr(series_run, "long_name", "run id = point * replications + replication");
        series_point = run_variable(g, "point", PredType::NATIVE_INT64, series_run, nullptr,
                                    "design point of the run", nullptr, nullptr);
        series_replication =
            run_variable(g, "replication", PredType::NATIVE_INT64, series_run, nullptr,
                         "replication of the run within its design point", nullptr, nullptr);

        std::vector<std::int32_t> days(D());
        std::vector<std::int32_t> bounds(2 * D());
        for (std::size_t d = 0; d < D(); ++d) {
            days[d] = static_cast<std::int32_t>(d);
            bounds[2 * d] = static_cast<std::int32_t>(d);
            bounds[2 * d + 1] = static_cast<std::int32_t>(d + 1);
        }
        const std::string since = "days since " + iso_date(layout.start_days_since_epoch);
        H5::DataSet time = vector_dataset(g, "time", PredType::NATIVE_INT32, days);
        make_scale(time, "time");
        string_attr(time, "standard_name", "time");
        string_attr(time, "long_name", "end-of-day snapshot, labelled by 00:00 UTC of its day");
        string_attr(time, "units", since);
        string_attr(time, "calendar", "standard");
        string_attr(time, "axis", "T");
        string_attr(time, "bounds", "time_bnds");
        // nv: a netCDF dimension without a variable (the bounds' two ends).
        const std::vector<std::int32_t> two{0, 0};
        H5::DataSet nv = vector_dataset(g, "nv", PredType::NATIVE_INT32, two);
        make_scale(nv, "This is a netCDF dimension but not a netCDF variable.         2");
        const hsize_t bdims[2] = {D(), 2};
        H5::DataSet bnds = g.createDataSet("time_bnds", PredType::NATIVE_INT32,
                                           H5::DataSpace(2, bdims), dataset_props());
        bnds.write(bounds.data(), PredType::NATIVE_INT32);
        attach(bnds, time, 0);
        attach(bnds, nv, 1);

        H5::DataSet contingent_scale = string_dataset(g, "contingent", layout.contingents);
        make_scale(contingent_scale, "contingent");
        string_attr(contingent_scale, "long_name", "contingent (troop-contributing country)");
        H5::DataSet airport_scale = string_dataset(g, "airport", layout.airports);
        make_scale(airport_scale, "airport");
        string_attr(airport_scale, "long_name", "airport (ICAO or IATA code as in the scenario)");
        H5::DataSet class_scale = string_dataset(g, "operator_class", model::closure_class_names());
        make_scale(class_scale, "operator_class");
        string_attr(class_scale, "long_name",
                    "closure class: `all` (closed to every operator class at once), then each "
                    "operator class");

        auto make = [&](const char* name, const H5::PredType& type,
                        std::vector<const H5::DataSet*> more, const std::string& long_name,
                        const char* units) {
            // One chunk per run and series: encoded by the worker that simulated the run.
            std::vector<hsize_t> dims{rows, D()};
            std::vector<hsize_t> chunk{1, D()};
            for (const H5::DataSet* m : more) {
                const hsize_t n = static_cast<hsize_t>(m->getSpace().getSimpleExtentNpoints());
                dims.push_back(n);
                chunk.push_back(std::max<hsize_t>(1, n));  // no payers: see run_variable
            }
            H5::DataSet ds = g.createDataSet(
                name, type, H5::DataSpace(static_cast<int>(dims.size()), dims.data()),
                chunked(chunk));
            attach(ds, series_run, 0);
            attach(ds, time, 1);
            for (std::size_t i = 0; i < more.size(); ++i)
                attach(ds, *more[i], static_cast<unsigned>(i + 2));
            string_attr(ds, "long_name", long_name);
            string_attr(ds, "units", units);
            string_attr(ds, "coordinates", "point replication");
            return ds;
        };
        const std::vector<const H5::DataSet*> by_contingent{&contingent_scale};
        series[0] = make("strength", PredType::NATIVE_FLOAT, by_contingent,
                         "personnel in theatre (on duty or injured) at the end of the day", "1");
        series[1] = make("on_duty", PredType::NATIVE_FLOAT, by_contingent,
                         "personnel in theatre and not injured at the end of the day", "1");
        series[2] = make("filled", PredType::NATIVE_FLOAT, by_contingent,
                         "billets whose incumbent is on duty at the end of the day", "1");
        series[3] =
            make("waiting_at_origin", PredType::NATIVE_FLOAT, by_contingent,
                 "personnel ready at origin and not yet launched at the end of the day", "1");
        series[4] = make("in_transit", PredType::NATIVE_FLOAT, by_contingent,
                         "personnel airborne, at an alternate or on a transfer link at the end "
                         "of the day",
                         "1");
        series[5] = make("airport_open", PredType::NATIVE_FLOAT, {&airport_scale},
                         "fraction of the day the airport was open to every operator class", "1");
        series[6] = make("airport_closed", PredType::NATIVE_FLOAT, {&airport_scale, &class_scale},
                         "fraction of the day the airport was closed to the operator class", "1");
        H5::DataSet payer_scale = string_dataset(g, "payer", layout.payers);
        make_scale(payer_scale, "payer");
        string_attr(payer_scale, "long_name", "payer (the fund or a bilateral donor)");
        series[7] = make("payer_balance", PredType::NATIVE_FLOAT, {&payer_scale},
                         "the payer's balance at the end of the day", "USD");
        H5::DataSet& regime = series[8];
        regime = make("regime", PredType::NATIVE_INT8, {},
                      "violence regime at the end of the day (-1: violence off)", "1");
        // CF flags: -1 means violence is off (the scenario has no regimes), then the regimes by
        // index. flag_meanings are words: blanks in a regime name become underscores.
        std::vector<std::int8_t> flags{-1};
        std::string meanings = "violence_off";
        for (std::size_t i = 0; i < layout.regimes.size(); ++i) {
            flags.push_back(static_cast<std::int8_t>(i));
            std::string word = layout.regimes[i];
            std::replace_if(
                word.begin(), word.end(), [](unsigned char ch) { return std::isspace(ch) != 0; },
                '_');
            meanings += " " + word;
        }
        int8_list_attr(regime, "flag_values", flags);
        string_attr(regime, "flag_meanings", meanings);
    }

    void create_events() {
        H5::EnumType kind(PredType::NATIVE_UINT8);
        for (int k = 0; k < model::kEventKindCount; ++k) {
            std::uint8_t v = static_cast<std::uint8_t>(k);
            kind.insert(model::to_string(static_cast<model::EventKind>(k)), &v);
        }
        event_layout.add("run", PredType::NATIVE_INT64);
        event_layout.add("t_h", PredType::NATIVE_DOUBLE);
        event_layout.add("kind", kind);
        event_layout.add("contingent", PredType::NATIVE_INT16);
        event_layout.add("airport", PredType::NATIVE_INT16);
        event_layout.add("count", PredType::NATIVE_INT32);
        H5::Group tables = make_group(file, "/tables");
        const hsize_t zero = 0, unlimited = H5S_UNLIMITED;
        events =
            tables.createDataSet("events", event_layout.compound(),
                                 H5::DataSpace(1, &zero, &unlimited), chunked({kEventChunkRows}));
        std::vector<std::string> kinds;
        for (int k = 0; k < model::kEventKindCount; ++k)
            kinds.push_back(model::to_string(static_cast<model::EventKind>(k)));
        string_list_attr(events, "kind_labels", kinds);
        string_list_attr(events, "contingent_labels", layout.contingents);
        string_list_attr(events, "airport_labels", layout.airports);
        string_attr(events, "long_name",
                    "recorded events: run, t_h (hours since the scenario start), kind, "
                    "contingent and airport (indices into the label attributes, -1: none), "
                    "count");
    }

    /// Bytes of each series chunk of one run, in PackedSeries order.
    std::array<std::uint32_t, PackedSeries::kCount> chunk_bytes() const {
        const auto dc = static_cast<std::uint32_t>(D() * C() * sizeof(float));
        return {dc,
                dc,
                dc,
                dc,
                dc,
                static_cast<std::uint32_t>(D() * A() * sizeof(float)),
                static_cast<std::uint32_t>(D() * A() * K() * sizeof(float)),
                static_cast<std::uint32_t>(D() * P() * sizeof(float)),
                static_cast<std::uint32_t>(D())};
    }

    void check_shape(const RunRecord& r) const {
        const auto expected = chunk_bytes();
        bool ok = r.contingent_kpis.size() == C() && r.payer_kpis.size() == P();
        if (!r.packed.empty()) {
            ok = ok && r.packed.raw_size == expected;
        } else {
            const auto f32 = r.float_series();
            for (std::size_t i = 0; i < f32.size(); ++i)
                ok = ok && f32[i]->size() * sizeof(float) == expected[i];
            ok = ok && r.regime.size() == expected[PackedSeries::kCount - 1];
        }
        if (!ok)
            throw OutputError("run " + std::to_string(r.run) +
                              ": series shape does not match the file layout");
    }

    /// Starts the kernel writing what has been written so far, every kWritebackBytes, without
    /// waiting for it: the fsync before the rename then finds little left to write, instead of
    /// the whole file (left alone, Linux writes dirty pages back only ~30 s later, or when
    /// they exceed a share of memory). Only a hint: an error here shows up at that fsync.
    void written_bytes(std::size_t n) {
        unflushed += n;
        if (unflushed < kWritebackBytes) return;
        unflushed = 0;
#ifdef __linux__
        if (fd >= 0) ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
    }

    /// Writes row `row`'s series chunks as they are (direct chunk writes).
    void write_series(hsize_t row, const PackedSeries& p) {
        const hsize_t offset[4] = {row, 0, 0, 0};
        std::size_t at = 0;
        for (int i = 0; i < PackedSeries::kCount; ++i) {
            const std::size_t n = p.size[static_cast<std::size_t>(i)];
            if (at + n > p.bytes.size())
                throw OutputError("run in row " + std::to_string(row) + ": bad packed series");
            if (p.raw_size[static_cast<std::size_t>(i)] == 0) continue;  // a series of no columns
            // Filter mask bit 1: the pipeline's second filter (deflate) was not applied.
            const std::uint32_t mask = (p.deflated >> i) & 1u ? 0u : 2u;
            check(H5Dwrite_chunk(series[static_cast<std::size_t>(i)].getId(), H5P_DEFAULT, mask,
                                 offset, n, p.bytes.data() + at),
                  "H5Dwrite_chunk (series)");
            at += n;
        }
        written_bytes(at);
    }
    /// Appends the events of `r` to the pending /tables/events chunk, writing every chunk that
    /// fills: each column slice is shuffled straight into its planes; the run id, the same on
    /// every row of the run, fills its planes byte by byte.
    void add_events(std::int64_t run_id, const EventSlices& e) {
        if (e.n == 0) return;
        constexpr auto R = static_cast<std::size_t>(kEventChunkRows);
        if (planes.empty()) planes.resize(event_layout.size * R);
        const auto& col = event_layout.columns;
        const auto run = static_cast<std::uint64_t>(run_id);
        const auto slice = [](const void* column, std::size_t first, std::size_t element) {
            return static_cast<const std::uint8_t*>(column) + first * element;
        };
        for (std::size_t i = 0; i < e.n;) {
            const std::size_t m = std::min(e.n - i, R - event_rows);
            std::uint8_t* at = planes.data() + event_rows;
            for (std::size_t j = 0; j < 8; ++j)
                std::memset(at + (col[0].offset + j) * R, static_cast<int>((run >> (8 * j)) & 0xFF),
                            m);
            shuffle_bytes(slice(e.t_h, i, 8), m, 8, at + col[1].offset * R, R);
            shuffle_bytes(slice(e.kind, i, 1), m, 1, at + col[2].offset * R, R);
            shuffle_bytes(slice(e.contingent, i, 2), m, 2, at + col[3].offset * R, R);
            shuffle_bytes(slice(e.airport, i, 2), m, 2, at + col[4].offset * R, R);
            shuffle_bytes(slice(e.count, i, 4), m, 4, at + col[5].offset * R, R);
            event_rows += m;
            i += m;
            if (event_rows == R) write_event_chunk();
        }
    }

    /// Writes the pending /tables/events rows as the next chunk (the last one padded with zero
    /// rows, which the dataset's extent hides).
    void write_event_chunk() {
        if (event_rows == 0) return;
        constexpr auto R = static_cast<std::size_t>(kEventChunkRows);
        for (std::size_t p = 0; p < event_layout.size; ++p)
            std::memset(planes.data() + p * R + event_rows, 0, R - event_rows);
        const hsize_t start = events_written;
        const hsize_t extent = start + event_rows;
        check(H5Dset_extent(events.getId(), &extent), "H5Dset_extent (events)");
        encoded.clear();
        const bool deflated = deflate_planes(planes.data(), event_layout.size, R, encoded);
        check(H5Dwrite_chunk(events.getId(), H5P_DEFAULT, deflated ? 0u : 2u, &start,
                             encoded.size(), encoded.data()),
              "H5Dwrite_chunk (events)");
        written_bytes(encoded.size());
        events_written = extent;
        event_rows = 0;
    }

    /// Writes the buffered rows of the per-run variables (through io()).
    void flush() {
        if (buffer.empty()) return;
        const std::size_t n = buffer.size();
        const hsize_t r0 = static_cast<hsize_t>(written);
        std::vector<std::int64_t> i64(n);
        auto ints = [&](std::int64_t RunRecord::*m, std::initializer_list<H5::DataSet*> to) {
            for (std::size_t i = 0; i < n; ++i)
                i64[i] = buffer[i].*m;
            for (H5::DataSet* ds : to)
                write_rows(*ds, PredType::NATIVE_INT64, i64.data(), {r0}, {n});
        };
        ints(&RunRecord::run, {&run_scale, &series_run});
        ints(&RunRecord::point, {&point, &series_point});
        ints(&RunRecord::replication, {&replication, &series_replication});
        ints(&RunRecord::events_dropped, {&events_dropped});
        std::vector<std::uint64_t> u64(n);
        for (std::size_t i = 0; i < n; ++i)
            u64[i] = buffer[i].seed;
        write_rows(seed, PredType::NATIVE_UINT64, u64.data(), {r0}, {n});
        std::vector<std::int8_t> i8(n);
        for (std::size_t i = 0; i < n; ++i)
            i8[i] = static_cast<std::int8_t>(buffer[i].status);
        write_rows(status, PredType::NATIVE_INT8, i8.data(), {r0}, {n});
        std::vector<double> f64(n);
        for (std::size_t i = 0; i < n; ++i)
            f64[i] = buffer[i].wall_s;
        write_rows(wall_s, PredType::NATIVE_DOUBLE, f64.data(), {r0}, {n});
        std::size_t k = 0;
        for (const auto& col : model::kpi_columns()) {
            for (std::size_t i = 0; i < n; ++i)
                f64[i] = buffer[i].kpis.*(col.member);
            write_rows(kpis[k++], PredType::NATIVE_DOUBLE, f64.data(), {r0}, {n});
        }
        f64.resize(n * C());
        k = 0;
        for (const auto& col : model::contingent_kpi_columns()) {
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t c = 0; c < C(); ++c)
                    f64[i * C() + c] = buffer[i].contingent_kpis[c].*(col.member);
            write_rows(contingent_kpis[k++], PredType::NATIVE_DOUBLE, f64.data(), {r0, 0},
                       {n, C()});
        }
        f64.resize(n * P());
        k = 0;
        for (const auto& col : model::payer_kpi_columns()) {
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t p = 0; p < P(); ++p)
                    f64[i * P() + p] = buffer[i].payer_kpis[p].*(col.member);
            if (P() > 0)
                write_rows(payer_kpis[k], PredType::NATIVE_DOUBLE, f64.data(), {r0, 0}, {n, P()});
            ++k;
        }
        written += static_cast<std::int64_t>(n);
        buffer.clear();
    }

    static void write_rows(H5::DataSet& ds, const H5::DataType& type, const void* data,
                           std::vector<hsize_t> start, std::vector<hsize_t> count) {
        H5::DataSpace file_space = ds.getSpace();
        file_space.selectHyperslab(H5S_SELECT_SET, count.data(), start.data());
        H5::DataSpace mem_space(static_cast<int>(count.size()), count.data());
        ds.write(data, type, mem_space, file_space);
    }
};

ResultsWriter::ResultsWriter(const std::filesystem::path& path, FileLayout layout,
                             const Provenance& prov, std::size_t block_rows)
    : impl_(std::make_unique<Impl>(path, std::move(layout), block_rows)) {
    try {
        impl_->init(prov);
    } catch (...) {
        release_impl();
        throw;
    }
}

ResultsWriter::~ResultsWriter() {
    release_impl();
}

void ResultsWriter::release_impl() noexcept {
    if (!impl_) return;
    impl_->close_file(std::nothrow);
    if (impl_->left_open) static_cast<void>(impl_.release());  // on purpose: see close_file
    impl_.reset();
}

void ResultsWriter::append(RunRecord record, const EventSlices* events) {
    Impl& w = *impl_;
    if (w.finished) throw OutputError("append after finish");
    if (events != nullptr && !record.events.empty())
        throw OutputError("run " + std::to_string(record.run) + ": events given twice");
    if (w.appended >= w.layout.rows) throw OutputError("more rows appended than the file holds");
    w.check_shape(record);
    if (record.packed.empty()) record.packed = pack_series(record);
    w.io([&] {
        w.write_series(static_cast<hsize_t>(w.appended), record.packed);
        w.add_events(record.run, events != nullptr ? *events : EventSlices::of(record.events));
    });
    // Only the per-run tables wait for a block of rows: drop the bulk now.
    record.packed = PackedSeries{};
    record.drop_raw_series();
    record.events = {};
    w.buffer.push_back(std::move(record));
    ++w.appended;
    if (w.buffer.size() >= w.block_rows) w.io([&] { w.flush(); });
}

void ResultsWriter::finish() {
    Impl& w = *impl_;
    if (w.finished) return;
    w.io([&] { w.flush(); });
    if (w.written != w.layout.rows)
        throw OutputError("results file incomplete: " + std::to_string(w.written) + " of " +
                          std::to_string(w.layout.rows) + " rows written");
    w.io([&] { w.write_event_chunk(); });
    w.close_file();
    w.finished = true;
}

bool results_file_left_open() noexcept {
    return file_left_open.load();
}

std::int64_t ResultsWriter::rows_appended() const noexcept {
    return impl_->appended;
}

}  // namespace mss::output
