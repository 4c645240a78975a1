// Reads mss-sim/2 files with the HDF5 C++ API. Every failure becomes an OutputError naming the
// file, so a wrong or damaged file is a clear message, never a crash.
#include "sim/output/results_reader.hpp"

#include <H5Cpp.h>

#include "sim/model/dates.hpp"

#include <cstring>
#include <iterator>
#include <map>

namespace mss::output {

namespace {

using H5::PredType;

std::string read_string_attr(const H5::H5Object& obj, const std::string& name) {
    H5::Attribute a = obj.openAttribute(name);
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

hsize_t rows_of(const H5::DataSet& ds) {
    hsize_t dims[3] = {0, 0, 0};
    ds.getSpace().getSimpleExtentDims(dims);
    return dims[0];
}

template <class T>
std::vector<T> read_block(const H5::DataSet& ds, const H5::PredType& p, std::vector<hsize_t> start,
                          std::vector<hsize_t> count) {
    std::size_t n = 1;
    for (auto c : count)
        n *= c;
    std::vector<T> out(n);
    H5::DataSpace fs = ds.getSpace();
    fs.selectHyperslab(H5S_SELECT_SET, count.data(), start.data());
    H5::DataSpace ms(static_cast<int>(count.size()), count.data());
    if (n > 0) ds.read(out.data(), p, ms, fs);
    return out;
}

H5::H5File open_results(const std::filesystem::path& path) {
    namespace fs = std::filesystem;
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
    if (const std::string format = read_string_attr(root, "format"); format != want)
        throw OutputError(path.string() + " is format " + format + "; this mss reads " + want);
    return f;
}

/// Runs f(at), turning an HDF5 failure into an OutputError naming the file and `at`: the
/// dataset or group f was reading when it failed.
template <class F>
auto guarded(const std::filesystem::path& path, F&& f) {
    std::string at;
    try {
        return f(at);
    } catch (const H5::Exception& e) {
        throw OutputError(path.string() + ": damaged or incomplete results file" +
                          (at.empty() ? std::string() : ": cannot read " + at) + " (" +
                          e.getDetailMsg() + ")");
    }
}

/// Rows [first, first + count) of the 1-D variable `name` of `where` (its `at` for messages).
template <class T>
std::vector<T> read_rows(const H5::Group& where, const std::string& name, const H5::PredType& p,
                         hsize_t first, hsize_t count, std::string& at) {
    at = where.getObjName() == "/" ? "/" + name : where.getObjName() + "/" + name;
    return read_block<T>(where.openDataSet(name), p, {first}, {count});
}

}  // namespace

ResultsInfo read_info(const std::filesystem::path& path) {
    return guarded(path, [&](std::string& at) {
        H5::H5File f = open_results(path);
        ResultsInfo info;
        at = "the root attributes";
        H5::Group root = f.openGroup("/");
        info.format = read_string_attr(root, "format");
        info.provenance.command_line = read_string_attr(root, "command_line");
        at = "/scenario";
        H5::Group sc = f.openGroup("/scenario");
        info.provenance.scenario_toml = read_string_attr(sc, "toml");
        if (has_attr(sc, "sweep_toml")) {
            info.provenance.sweep_toml = read_string_attr(sc, "sweep_toml");
            info.provenance.sweep_hash = read_string_attr(sc, "sweep_hash");
        }
        FileLayout& l = info.layout;
        const std::string start = read_string_attr(sc, "start_date");
        const auto d0 = model::days_from_iso(start);
        if (!d0) throw OutputError(path.string() + ": /scenario start_date is not a date");
        l.start_days_since_epoch = static_cast<std::int32_t>(*d0);
        at = "/series";
        H5::Group series = f.openGroup("/series");
        at = "/series/contingent";
        l.contingents = read_strings(series.openDataSet("contingent"));
        at = "/series/airport";
        l.airports = read_strings(series.openDataSet("airport"));
        at = "/series/time";
        l.days = static_cast<std::int32_t>(rows_of(series.openDataSet("time")));
        at = "/run";
        l.rows = static_cast<std::int64_t>(rows_of(root.openDataSet("run")));
        at = "/regimes";
        H5::Group reg = f.openGroup("/regimes");
        at = "/regimes/regime";
        l.regimes = read_strings(reg.openDataSet("regime"));
        at = "/regimes/stationary_share";
        l.regime_shares = read_block<double>(reg.openDataSet("stationary_share"),
                                             PredType::NATIVE_DOUBLE, {0}, {l.regimes.size()});
        at = "/design_point";
        H5::DataSet dp = root.openDataSet("design_point");
        const hsize_t np = rows_of(dp);
        if (has_attr(dp, "factors")) {
            H5::Attribute a = dp.openAttribute("factors");
            const hssize_t nf = a.getSpace().getSimpleExtentNpoints();
            std::vector<char*> ptrs(static_cast<std::size_t>(nf), nullptr);
            H5::StrType t(PredType::C_S1, H5T_VARIABLE);
            if (nf > 0) a.read(t, ptrs.data());
            for (char* p : ptrs)
                l.factor_names.emplace_back(p != nullptr ? p : "");
            if (nf > 0) H5Dvlen_reclaim(t.getId(), a.getSpace().getId(), H5P_DEFAULT, ptrs.data());
        }
        l.points.assign(np, std::vector<double>(l.factor_names.size()));
        for (std::size_t k = 0; k < l.factor_names.size(); ++k) {
            const auto col =
                read_rows<double>(root, l.factor_names[k], PredType::NATIVE_DOUBLE, 0, np, at);
            for (hsize_t p = 0; p < np; ++p)
                l.points[p][k] = col[p];
        }
        return info;
    });
}

RunsTable read_runs(const std::filesystem::path& path) {
    return guarded(path, [&](std::string& at) {
        H5::H5File f = open_results(path);
        H5::Group root = f.openGroup("/");
        at = "/run";
        const hsize_t n = rows_of(root.openDataSet("run"));
        RunsTable t;
        t.run = read_rows<std::int64_t>(root, "run", PredType::NATIVE_INT64, 0, n, at);
        t.point = read_rows<std::int64_t>(root, "point", PredType::NATIVE_INT64, 0, n, at);
        t.replication =
            read_rows<std::int64_t>(root, "replication", PredType::NATIVE_INT64, 0, n, at);
        t.seed = read_rows<std::uint64_t>(root, "seed", PredType::NATIVE_UINT64, 0, n, at);
        t.status = read_rows<std::int8_t>(root, "status", PredType::NATIVE_INT8, 0, n, at);
        for (const auto& k : model::kpi_columns()) {
            t.kpi_names.emplace_back(k.name);
            t.kpis.push_back(read_rows<double>(root, k.name, PredType::NATIVE_DOUBLE, 0, n, at));
        }
        // Every run's design point is a design_point of the file (`mss summary` prints its
        // factor values).
        at = "/design_point";
        const hsize_t np = rows_of(root.openDataSet("design_point"));
        for (std::size_t i = 0; i < t.point.size(); ++i) {
            const std::int64_t p = t.point[i];
            if (p >= 0 && static_cast<hsize_t>(p) < np) continue;
            throw OutputError(
                path.string() + ": damaged or inconsistent results file: row " + std::to_string(i) +
                " (run " + std::to_string(t.run[i]) + ") has point " + std::to_string(p) +
                ", but /design_point " +
                (np == 0 ? std::string("is empty") : "has points 0-" + std::to_string(np - 1)));
        }
        return t;
    });
}

std::vector<RunRecord> read_records(const std::filesystem::path& path, std::int64_t first,
                                    std::int64_t count) {
    const ResultsInfo info = read_info(path);
    return guarded(path, [&](std::string& at) {
        H5::H5File f = open_results(path);
        H5::Group root = f.openGroup("/");
        const FileLayout& l = info.layout;
        if (first < 0 || count < 0 || first + count > l.rows)
            throw OutputError(path.string() + ": rows out of range");
        const hsize_t r0 = static_cast<hsize_t>(first), n = static_cast<hsize_t>(count);
        const hsize_t D = static_cast<hsize_t>(l.days), C = l.contingents.size(),
                      A = l.airports.size(), K = model::kClosureClassCount;
        std::vector<RunRecord> out(n);
        const auto run = read_rows<std::int64_t>(root, "run", PredType::NATIVE_INT64, r0, n, at);
        const auto point =
            read_rows<std::int64_t>(root, "point", PredType::NATIVE_INT64, r0, n, at);
        const auto rep =
            read_rows<std::int64_t>(root, "replication", PredType::NATIVE_INT64, r0, n, at);
        const auto seed =
            read_rows<std::uint64_t>(root, "seed", PredType::NATIVE_UINT64, r0, n, at);
        const auto status =
            read_rows<std::int8_t>(root, "status", PredType::NATIVE_INT8, r0, n, at);
        const auto wall = read_rows<double>(root, "wall_s", PredType::NATIVE_DOUBLE, r0, n, at);
        const auto dropped =
            read_rows<std::int64_t>(root, "events_dropped", PredType::NATIVE_INT64, r0, n, at);
        std::vector<std::vector<double>> kpi_cols;
        for (const auto& k : model::kpi_columns())
            kpi_cols.push_back(read_rows<double>(root, k.name, PredType::NATIVE_DOUBLE, r0, n, at));
        std::vector<std::vector<double>> ck_cols;
        for (const auto& k : model::contingent_kpi_columns()) {
            const std::string name = std::string("contingent_") + k.name;
            at = "/" + name;
            ck_cols.push_back(read_block<double>(root.openDataSet(name), PredType::NATIVE_DOUBLE,
                                                 {r0, 0}, {n, C}));
        }
        at = "/series";
        H5::Group series = f.openGroup("/series");
        const char* f32[] = {"strength",   "on_duty",      "filled",        "waiting_at_origin",
                             "in_transit", "airport_open", "airport_closed"};
        const hsize_t cols[] = {C, C, C, C, C, A, A * K};
        std::vector<std::vector<float>> blocks;
        for (std::size_t s = 0; s < std::size(f32); ++s) {
            at = std::string("/series/") + f32[s];
            H5::DataSet ds = series.openDataSet(f32[s]);
            std::vector<hsize_t> start{r0, 0, 0}, cnt{n, D, cols[s]};
            if (s == 6) {
                start = {r0, 0, 0, 0};
                cnt = {n, D, A, K};
            }
            blocks.push_back(read_block<float>(ds, PredType::NATIVE_FLOAT, start, cnt));
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
            r.status = static_cast<RunStatus>(status[i]);
            r.wall_s = wall[i];
            r.events_dropped = dropped[i];
            std::size_t k = 0;
            for (const auto& col : model::kpi_columns())
                r.kpis.*(col.member) = kpi_cols[k++][i];
            r.contingent_kpis.resize(C);
            k = 0;
            for (const auto& col : model::contingent_kpi_columns()) {
                for (hsize_t c = 0; c < C; ++c)
                    r.contingent_kpis[c].*(col.member) = ck_cols[k][i * C + c];
                ++k;
            }
            const auto dst = r.float_series();
            for (std::size_t s = 0; s < dst.size(); ++s) {
                const auto w = static_cast<std::ptrdiff_t>(D * cols[s]);
                dst[s]->assign(blocks[s].begin() + static_cast<std::ptrdiff_t>(i) * w,
                               blocks[s].begin() + static_cast<std::ptrdiff_t>(i + 1) * w);
            }
            r.regime.assign(regime.begin() + static_cast<std::ptrdiff_t>(i * D),
                            regime.begin() + static_cast<std::ptrdiff_t>((i + 1) * D));
        }
        // events of these runs (the table is in run order)
        at = "/tables/events";
        H5::DataSet ev = f.openDataSet("/tables/events");
        const hsize_t ne = rows_of(ev);
        if (ne > 0 && n > 0) {
            struct EvRow {
                std::int64_t run;
                double t_h;
                std::uint8_t kind;
                std::int16_t contingent, airport;
                std::int32_t count;
            };
            H5::CompType et(sizeof(EvRow));
            et.insertMember("run", HOFFSET(EvRow, run), PredType::NATIVE_INT64);
            et.insertMember("t_h", HOFFSET(EvRow, t_h), PredType::NATIVE_DOUBLE);
            et.insertMember("kind", HOFFSET(EvRow, kind), ev.getCompType().getMemberDataType(2));
            et.insertMember("contingent", HOFFSET(EvRow, contingent), PredType::NATIVE_INT16);
            et.insertMember("airport", HOFFSET(EvRow, airport), PredType::NATIVE_INT16);
            et.insertMember("count", HOFFSET(EvRow, count), PredType::NATIVE_INT32);
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
            const hsize_t first = lower_bound(index.begin()->first);
            const hsize_t end = lower_bound(index.rbegin()->first + 1);
            const hsize_t step = 65536;
            for (hsize_t s = first; s < end; s += step) {
                const hsize_t c = std::min(step, end - s);
                std::vector<EvRow> rows(c);
                H5::DataSpace fs = ev.getSpace();
                fs.selectHyperslab(H5S_SELECT_SET, &c, &s);
                H5::DataSpace ms(1, &c);
                ev.read(rows.data(), et, ms, fs);
                for (const EvRow& e : rows) {
                    auto it = index.find(e.run);
                    if (it == index.end()) continue;
                    out[it->second].events.push_back({e.t_h, static_cast<model::EventKind>(e.kind),
                                                      e.contingent, e.airport, e.count});
                }
            }
        }
        return out;
    });
}

}  // namespace mss::output
