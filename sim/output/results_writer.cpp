// HDF5 writing of the mss-sim/1 format. The C++ API (H5Cpp.h) for files, datasets and types;
// the high-level C library (H5DS) for netCDF-4 style dimension scales, which has no C++
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

namespace mss::output {

namespace {

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

H5::StrType utf8_string() {
    H5::StrType t(PredType::C_S1, H5T_VARIABLE);
    t.setCset(H5T_CSET_UTF8);
    return t;
}

void check(herr_t status, const char* what) {
    if (status < 0) throw OutputError(std::string("HDF5: ") + what + " failed");
}

void string_attr(H5::H5Object& obj, const std::string& name, const std::string& value) {
    H5::StrType t = utf8_string();
    H5::Attribute a = obj.createAttribute(name, t, H5::DataSpace(H5S_SCALAR));
    a.write(t, value);
}

template <class T>
void scalar_attr(H5::H5Object& obj, const std::string& name, const H5::PredType& type, T value) {
    H5::Attribute a = obj.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
    a.write(type, &value);
}

void string_list_attr(H5::H5Object& obj, const std::string& name,
                      const std::vector<std::string>& values) {
    std::vector<const char*> ptrs;
    for (const auto& v : values)
        ptrs.push_back(v.c_str());
    const hsize_t n = ptrs.size();
    H5::StrType t = utf8_string();
    H5::Attribute a = obj.createAttribute(name, t, H5::DataSpace(1, &n));
    if (n > 0) a.write(t, ptrs.data());
}

H5::DSetCreatPropList dataset_props() {
    H5::DSetCreatPropList p;
    check(H5Pset_obj_track_times(p.getId(), 0), "H5Pset_obj_track_times");
    return p;
}

H5::Group make_group(H5::H5File& file, const char* name) {
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    check(H5Pset_obj_track_times(gcpl, 0), "H5Pset_obj_track_times");
    hid_t g = H5Gcreate2(file.getId(), name, H5P_DEFAULT, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    if (g < 0) throw OutputError(std::string("HDF5: cannot create group ") + name);
    H5::Group group(g);
    H5Gclose(g);  // H5::Group(hid_t) took its own reference
    return group;
}

H5::DataSet string_dataset(H5::Group& where, const std::string& name,
                           const std::vector<std::string>& values) {
    std::vector<const char*> ptrs;
    for (const auto& v : values)
        ptrs.push_back(v.c_str());
    const hsize_t n = ptrs.size();
    H5::StrType t = utf8_string();
    H5::DataSet ds = where.createDataSet(name, t, H5::DataSpace(1, &n), dataset_props());
    if (n > 0) ds.write(ptrs.data(), t);
    return ds;
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

constexpr const char* kSeriesF32[] = {"strength", "on_duty", "waiting_at_origin", "in_transit"};

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
    H5::DataSet runs, contingent_kpis, events, regime;
    std::array<H5::DataSet, 4> series_f32;
    H5::DataSet airport_open;
    RowLayout run_layout, ck_layout, event_layout;
    std::vector<RunRecord> buffer;  ///< rows waiting for /runs and /contingent_kpis
    /// The /events chunk being filled, as the byte planes it is stored in (HDF5's shuffle: plane
    /// j of a column that starts at byte offset o of a row holds byte j of every row's value,
    /// at (o + j) * kEventChunkRows).
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
    std::size_t D() const { return static_cast<std::size_t>(layout.days); }

    static H5::H5File create_file(const std::filesystem::path& path, const FileLayout& l) {
        if (l.rows <= 0 || l.days <= 0 || l.contingents.empty() || l.airports.empty())
            throw OutputError("results file layout: needs rows, days, contingents and airports");
        H5::Exception::dontPrint();
        try {
            return H5::H5File(path.string(), H5F_ACC_TRUNC);
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
                write_root_attributes(prov);
                write_scenario(prov);
                write_points();
                write_regimes();
                create_runs();
                create_contingent_kpis();
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
        for (H5::DataSet* d :
             {&runs, &contingent_kpis, &events, &regime, &series_f32[0], &series_f32[1],
              &series_f32[2], &series_f32[3], &airport_open, &run_scale_}) {
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

    void write_root_attributes(const Provenance& prov) {
        H5::Group root = file.openGroup("/");
        string_attr(root, "format", "mss-sim/1");
        string_attr(root, "mss_version", build_info::version);
        string_attr(root, "git_commit", build_info::git_commit());
        string_attr(root, "build_type", build_info::build_type);
        string_attr(root, "build_flags", build_info::cxx_flags);
        string_attr(root, "hdf5_version", hdf5_version());
        string_attr(root, "boost_version", build_info::boost_version);
        string_attr(root, "eigen_version", build_info::eigen_version);
        string_attr(root, "deflate_encoder", deflate_encoder_version());
        string_attr(root, "created_utc", utc_now());
        string_attr(root, "command_line", prov.command_line);
        for (const auto& [k, v] : prov.extra)
            string_attr(root, k, v);
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

    void write_points() {
        RowLayout rl;
        rl.add("point", PredType::NATIVE_INT64);
        for (const auto& f : layout.factor_names)
            rl.add(f, PredType::NATIVE_DOUBLE);
        const hsize_t n = layout.points.size();
        std::vector<unsigned char> buf(rl.size * n);
        for (std::size_t p = 0; p < n; ++p) {
            put<std::int64_t>(buf, p * rl.size, 0, static_cast<std::int64_t>(p));
            for (std::size_t f = 0; f < layout.factor_names.size(); ++f)
                put<double>(buf, p * rl.size, rl.columns[f + 1].offset, layout.points[p].at(f));
        }
        H5::DataSet ds =
            file.createDataSet("/points", rl.compound(), H5::DataSpace(1, &n), dataset_props());
        if (n > 0) ds.write(buf.data(), rl.compound());
    }

    void write_regimes() {
        RowLayout rl;
        rl.add("name", utf8_string());
        rl.add("stationary_share", PredType::NATIVE_DOUBLE);
        const hsize_t n = layout.regimes.size();
        std::vector<unsigned char> buf(rl.size * n);
        for (std::size_t i = 0; i < n; ++i) {
            put<const char*>(buf, i * rl.size, 0, layout.regimes[i].c_str());
            put<double>(buf, i * rl.size, rl.columns[1].offset, layout.regime_shares.at(i));
        }
        H5::DataSet ds =
            file.createDataSet("/regimes", rl.compound(), H5::DataSpace(1, &n), dataset_props());
        if (n > 0) ds.write(buf.data(), rl.compound());
    }

    /// Chunked, with the pipeline [shuffle, deflate level 1]. Deflate is readable everywhere,
    /// unlike szip. The series and /events chunks are encoded by chunk_codec (ISA-L) and written
    /// with H5Dwrite_chunk; the small tables go through HDF5's own pipeline (zlib).
    H5::DSetCreatPropList chunked(std::vector<hsize_t> chunk) {
        H5::DSetCreatPropList p = dataset_props();
        p.setChunk(static_cast<int>(chunk.size()), chunk.data());
        p.setShuffle();
        p.setDeflate(1);
        return p;
    }

    hsize_t row_chunk() const {
        return std::min<hsize_t>(block_rows, static_cast<hsize_t>(layout.rows));
    }

    void create_runs() {
        run_layout.add("run", PredType::NATIVE_INT64);
        run_layout.add("point", PredType::NATIVE_INT64);
        run_layout.add("replication", PredType::NATIVE_INT64);
        run_layout.add("seed", PredType::NATIVE_UINT64);
        run_layout.add("status", PredType::NATIVE_INT8);
        run_layout.add("wall_s", PredType::NATIVE_DOUBLE);
        for (const auto& k : model::kpi_columns())
            run_layout.add(k.name, PredType::NATIVE_DOUBLE);
        run_layout.add("events_dropped", PredType::NATIVE_INT64);
        const hsize_t n = static_cast<hsize_t>(layout.rows);
        runs = file.createDataSet("/runs", run_layout.compound(), H5::DataSpace(1, &n),
                                  chunked({row_chunk()}));
        string_list_attr(runs, "status_labels", {"ok", "failed"});
        std::vector<std::string> units;
        for (const auto& k : model::kpi_columns())
            units.push_back(std::string(k.name) + ":" + k.unit);
        string_list_attr(runs, "kpi_units", units);
    }

    void create_contingent_kpis() {
        ck_layout.add("days_to_foc", PredType::NATIVE_DOUBLE);
        ck_layout.add("mean_strength_frac", PredType::NATIVE_DOUBLE);
        ck_layout.add("overstay_person_days", PredType::NATIVE_DOUBLE);
        ck_layout.add("pax_in", PredType::NATIVE_DOUBLE);
        const hsize_t dims[2] = {static_cast<hsize_t>(layout.rows), C()};
        contingent_kpis = file.createDataSet("/contingent_kpis", ck_layout.compound(),
                                             H5::DataSpace(2, dims), chunked({row_chunk(), C()}));
        string_list_attr(contingent_kpis, "contingent_labels", layout.contingents);
    }

    void create_series() {
        H5::Group g = make_group(file, "/series");
        // Dimension scales (coordinate variables in netCDF terms).
        std::vector<std::int64_t> run_ids(static_cast<std::size_t>(layout.rows));
        H5::DataSet run_scale = vector_dataset(g, "run", PredType::NATIVE_INT64, run_ids);
        std::vector<std::int32_t> day_numbers(D());
        std::vector<std::string> dates(D());
        for (std::size_t d = 0; d < D(); ++d) {
            day_numbers[d] = static_cast<std::int32_t>(d);
            dates[d] = iso_date(layout.start_days_since_epoch + static_cast<std::int32_t>(d));
        }
        H5::DataSet day_scale = vector_dataset(g, "day", PredType::NATIVE_INT32, day_numbers);
        H5::DataSet contingent_scale = string_dataset(g, "contingent", layout.contingents);
        H5::DataSet airport_scale = string_dataset(g, "airport", layout.airports);
        H5::DataSet date = string_dataset(g, "date", dates);
        string_attr(day_scale, "long_name",
                    "day index since the scenario start (day 0 = " +
                        iso_date(layout.start_days_since_epoch) + ")");
        string_attr(date, "long_name", "ISO date of the day (UTC)");
        string_attr(run_scale, "long_name", "run id = point * replications + replication");
        for (auto* ds : {&run_scale, &day_scale, &contingent_scale, &airport_scale}) {
            const std::string name = ds->getObjName().substr(ds->getObjName().rfind('/') + 1);
            check(H5DSset_scale(ds->getId(), name.c_str()), "H5DSset_scale");
        }
        check(H5DSattach_scale(date.getId(), day_scale.getId(), 0), "H5DSattach_scale");
        run_scale_ = run_scale;

        const hsize_t rows = static_cast<hsize_t>(layout.rows);
        auto make = [&](const char* name, const H5::PredType& type, std::size_t cols,
                        H5::DataSet* col_scale, const char* col_label) {
            const int rank = col_scale != nullptr ? 3 : 2;
            // One chunk per run and series: encoded by the worker that simulated the run.
            std::vector<hsize_t> dims{rows, D()};
            std::vector<hsize_t> chunk{1, D()};
            if (rank == 3) {
                dims.push_back(cols);
                chunk.push_back(cols);
            }
            H5::DataSet ds =
                g.createDataSet(name, type, H5::DataSpace(rank, dims.data()), chunked(chunk));
            check(H5DSattach_scale(ds.getId(), run_scale.getId(), 0), "H5DSattach_scale");
            check(H5DSattach_scale(ds.getId(), day_scale.getId(), 1), "H5DSattach_scale");
            check(H5DSset_label(ds.getId(), 0, "run"), "H5DSset_label");
            check(H5DSset_label(ds.getId(), 1, "day"), "H5DSset_label");
            if (rank == 3) {
                check(H5DSattach_scale(ds.getId(), col_scale->getId(), 2), "H5DSattach_scale");
                check(H5DSset_label(ds.getId(), 2, col_label), "H5DSset_label");
            }
            string_attr(ds, "coordinates", "date");
            return ds;
        };
        const char* units_people = "personnel";
        for (std::size_t i = 0; i < 4; ++i) {
            series_f32[i] =
                make(kSeriesF32[i], PredType::NATIVE_FLOAT, C(), &contingent_scale, "contingent");
            string_attr(series_f32[i], "units", units_people);
        }
        airport_open = make("airport_open", PredType::NATIVE_FLOAT, A(), &airport_scale, "airport");
        string_attr(airport_open, "units", "fraction of the day open to all classes");
        regime = make("regime", PredType::NATIVE_INT8, 0, nullptr, nullptr);
        std::vector<std::int8_t> flags;
        std::string meanings;
        for (std::size_t i = 0; i < layout.regimes.size(); ++i) {
            flags.push_back(static_cast<std::int8_t>(i));
            meanings += (i ? " " : "") + layout.regimes[i];
        }
        const hsize_t nf = flags.size();
        if (nf > 0) {
            H5::Attribute fv =
                regime.createAttribute("flag_values", PredType::NATIVE_INT8, H5::DataSpace(1, &nf));
            fv.write(PredType::NATIVE_INT8, flags.data());
            string_attr(regime, "flag_meanings", meanings);
        }
        std::int8_t fill = -1;
        (void)fill;
        string_attr(regime, "long_name",
                    "violence regime at the end of the day (-1: violence off)");
    }

    H5::DataSet run_scale_;

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
        const hsize_t zero = 0, unlimited = H5S_UNLIMITED;
        events =
            file.createDataSet("/events", event_layout.compound(),
                               H5::DataSpace(1, &zero, &unlimited), chunked({kEventChunkRows}));
        std::vector<std::string> kinds;
        for (int k = 0; k < model::kEventKindCount; ++k)
            kinds.push_back(model::to_string(static_cast<model::EventKind>(k)));
        string_list_attr(events, "kind_labels", kinds);
        string_list_attr(events, "contingent_labels", layout.contingents);
        string_list_attr(events, "airport_labels", layout.airports);
    }

    /// Bytes of each series chunk of one run, in PackedSeries order.
    std::array<std::uint32_t, PackedSeries::kCount> chunk_bytes() const {
        const auto dc = static_cast<std::uint32_t>(D() * C() * sizeof(float));
        return {dc,
                dc,
                dc,
                dc,
                static_cast<std::uint32_t>(D() * A() * sizeof(float)),
                static_cast<std::uint32_t>(D())};
    }

    void check_shape(const RunRecord& r) const {
        const auto expected = chunk_bytes();
        bool ok = r.contingent_kpis.size() == C();
        if (!r.packed.empty()) {
            ok = ok && r.packed.raw_size == expected;
        } else {
            const std::vector<float>* f32[] = {&r.strength, &r.on_duty, &r.waiting_at_origin,
                                               &r.in_transit, &r.airport_open};
            for (std::size_t i = 0; i < 5; ++i)
                ok = ok && f32[i]->size() * sizeof(float) == expected[i];
            ok = ok && r.regime.size() == expected[5];
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

    /// Writes row `row`'s six series chunks as they are (direct chunk writes).
    void write_series(hsize_t row, const PackedSeries& p) {
        H5::DataSet* targets[] = {&series_f32[0], &series_f32[1], &series_f32[2],
                                  &series_f32[3], &airport_open,  &regime};
        const hsize_t offset[3] = {row, 0, 0};
        std::size_t at = 0;
        for (int i = 0; i < PackedSeries::kCount; ++i) {
            const std::size_t n = p.size[static_cast<std::size_t>(i)];
            if (at + n > p.bytes.size())
                throw OutputError("run in row " + std::to_string(row) + ": bad packed series");
            // Filter mask bit 1: the pipeline's second filter (deflate) was not applied.
            const std::uint32_t mask = (p.deflated >> i) & 1u ? 0u : 2u;
            check(H5Dwrite_chunk(targets[i]->getId(), H5P_DEFAULT, mask, offset, n,
                                 p.bytes.data() + at),
                  "H5Dwrite_chunk (series)");
            at += n;
        }
        written_bytes(at);
    }

    /// Appends the events of `r` to the pending /events chunk, writing every chunk that fills:
    /// each column slice is shuffled straight into its planes; the run id, the same on every
    /// row of the run, fills its planes byte by byte.
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

    /// Writes the pending /events rows as the next chunk (the last one padded with zero rows,
    /// which the dataset's extent hides).
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

    /// Writes the buffered rows of /runs, /contingent_kpis and the run scale (through io()).
    void flush() {
        if (buffer.empty()) return;
        const hsize_t n = buffer.size();
        const hsize_t r0 = static_cast<hsize_t>(written);
        // /runs
        {
            std::vector<unsigned char> buf(run_layout.size * n);
            for (std::size_t i = 0; i < n; ++i) {
                const RunRecord& r = buffer[i];
                const std::size_t s = i * run_layout.size;
                std::size_t c = 0;
                put<std::int64_t>(buf, s, run_layout.columns[c++].offset, r.run);
                put<std::int64_t>(buf, s, run_layout.columns[c++].offset, r.point);
                put<std::int64_t>(buf, s, run_layout.columns[c++].offset, r.replication);
                put<std::uint64_t>(buf, s, run_layout.columns[c++].offset, r.seed);
                put<std::int8_t>(buf, s, run_layout.columns[c++].offset,
                                 static_cast<std::int8_t>(r.status));
                put<double>(buf, s, run_layout.columns[c++].offset, r.wall_s);
                for (const auto& k : model::kpi_columns())
                    put<double>(buf, s, run_layout.columns[c++].offset, r.kpis.*(k.member));
                put<std::int64_t>(buf, s, run_layout.columns[c++].offset, r.events_dropped);
            }
            write_rows(runs, run_layout.compound(), buf.data(), {r0}, {n});
        }
        // /contingent_kpis
        {
            std::vector<unsigned char> buf(ck_layout.size * n * C());
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t c = 0; c < C(); ++c) {
                    const auto& k = buffer[i].contingent_kpis[c];
                    const std::size_t s = (i * C() + c) * ck_layout.size;
                    put<double>(buf, s, ck_layout.columns[0].offset, k.days_to_foc);
                    put<double>(buf, s, ck_layout.columns[1].offset, k.mean_strength_frac);
                    put<double>(buf, s, ck_layout.columns[2].offset, k.overstay_person_days);
                    put<double>(buf, s, ck_layout.columns[3].offset, k.pax_in);
                }
            write_rows(contingent_kpis, ck_layout.compound(), buf.data(), {r0, 0}, {n, C()});
        }
        // run ids scale
        std::vector<std::int64_t> ids;
        for (const RunRecord& r : buffer)
            ids.push_back(r.run);
        write_rows(run_scale_, PredType::NATIVE_INT64, ids.data(), {r0}, {n});
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
    for (auto* s : {&record.strength, &record.on_duty, &record.waiting_at_origin,
                    &record.in_transit, &record.airport_open})
        *s = {};
    record.regime = {};
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
