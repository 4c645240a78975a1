// Reads mss-sim/1 files with the HDF5 C++ API. Every failure becomes an OutputError naming the
// file, so a wrong or damaged file is a clear message, never a crash.
#include "sim/output/results_reader.hpp"

#include <H5Cpp.h>

#include "sim/model/dates.hpp"

#include <cstring>
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

/// Reads one double column of a compound dataset.
std::vector<double> read_double_column(const H5::DataSet& ds, const std::string& name,
                                       hsize_t first, hsize_t count) {
    H5::CompType t(sizeof(double));
    t.insertMember(name, 0, PredType::NATIVE_DOUBLE);
    std::vector<double> out(count);
    H5::DataSpace fs = ds.getSpace();
    fs.selectHyperslab(H5S_SELECT_SET, &count, &first);
    H5::DataSpace ms(1, &count);
    if (count > 0) ds.read(out.data(), t, ms, fs);
    return out;
}

template <class T>
std::vector<T> read_column(const H5::DataSet& ds, const std::string& name, const H5::PredType& p,
                           hsize_t first, hsize_t count) {
    H5::CompType t(sizeof(T));
    t.insertMember(name, 0, p);
    std::vector<T> out(count);
    H5::DataSpace fs = ds.getSpace();
    fs.selectHyperslab(H5S_SELECT_SET, &count, &first);
    H5::DataSpace ms(1, &count);
    if (count > 0) ds.read(out.data(), t, ms, fs);
    return out;
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
    if (H5Fis_hdf5(path.string().c_str()) <= 0)
        throw OutputError(path.string() +
                          ": not an HDF5 file (expected an mss-sim/1 results file)");
    H5::H5File f(path.string(), H5F_ACC_RDONLY);
    H5::Group root = f.openGroup("/");
    if (!has_attr(root, "format"))
        throw OutputError(path.string() +
                          ": not an mss-sim/1 results file (no format attribute \"mss-sim/1\")");
    if (const std::string format = read_string_attr(root, "format"); format != "mss-sim/1")
        throw OutputError(path.string() + ": format attribute \"" + format +
                          "\", expected \"mss-sim/1\" (a file of another format or version)");
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
        at = "/series";
        H5::Group series = f.openGroup("/series");
        at = "/series/contingent";
        l.contingents = read_strings(series.openDataSet("contingent"));
        at = "/series/airport";
        l.airports = read_strings(series.openDataSet("airport"));
        at = "/series/day";
        l.days = static_cast<std::int32_t>(rows_of(series.openDataSet("day")));
        at = "/runs";
        H5::DataSet runs = f.openDataSet("/runs");
        l.rows = static_cast<std::int64_t>(rows_of(runs));
        // start date: day 0's ISO date, parsed back to days since epoch
        at = "/series/date";
        const std::vector<std::string> dates = read_strings(series.openDataSet("date"));
        if (!dates.empty()) {
            if (const auto d = model::days_from_iso(dates[0]))
                l.start_days_since_epoch = static_cast<std::int32_t>(*d);
        }
        // regimes
        at = "/regimes";
        H5::DataSet reg = f.openDataSet("/regimes");
        const hsize_t nr = rows_of(reg);
        if (nr > 0) {
            struct Row {
                char* name;
                double share;
            };
            H5::StrType st(PredType::C_S1, H5T_VARIABLE);
            st.setCset(H5T_CSET_UTF8);
            H5::CompType t(sizeof(Row));
            t.insertMember("name", HOFFSET(Row, name), st);
            t.insertMember("stationary_share", HOFFSET(Row, share), PredType::NATIVE_DOUBLE);
            std::vector<Row> rows(nr);
            reg.read(rows.data(), t);
            for (auto& r : rows) {
                l.regimes.emplace_back(r.name != nullptr ? r.name : "");
                l.regime_shares.push_back(r.share);
            }
            H5::DataSpace space = reg.getSpace();
            H5Dvlen_reclaim(t.getId(), space.getId(), H5P_DEFAULT, rows.data());
        }
        // points
        at = "/points";
        H5::DataSet pts = f.openDataSet("/points");
        H5::CompType pt = pts.getCompType();
        const hsize_t np = rows_of(pts);
        for (int i = 1; i < pt.getNmembers(); ++i)
            l.factor_names.push_back(pt.getMemberName(i));
        l.points.assign(np, std::vector<double>(l.factor_names.size()));
        for (std::size_t k = 0; k < l.factor_names.size(); ++k) {
            const auto col = read_double_column(pts, l.factor_names[k], 0, np);
            for (hsize_t p = 0; p < np; ++p)
                l.points[p][k] = col[p];
        }
        return info;
    });
}

RunsTable read_runs(const std::filesystem::path& path) {
    return guarded(path, [&](std::string& at) {
        H5::H5File f = open_results(path);
        at = "/runs";
        H5::DataSet runs = f.openDataSet("/runs");
        const hsize_t n = rows_of(runs);
        RunsTable t;
        t.run = read_column<std::int64_t>(runs, "run", PredType::NATIVE_INT64, 0, n);
        t.point = read_column<std::int64_t>(runs, "point", PredType::NATIVE_INT64, 0, n);
        t.replication =
            read_column<std::int64_t>(runs, "replication", PredType::NATIVE_INT64, 0, n);
        t.seed = read_column<std::uint64_t>(runs, "seed", PredType::NATIVE_UINT64, 0, n);
        t.status = read_column<std::int8_t>(runs, "status", PredType::NATIVE_INT8, 0, n);
        const std::map<std::string, int> fixed = {
            {"run", 0},    {"point", 0},  {"replication", 0},   {"seed", 0},
            {"status", 0}, {"wall_s", 0}, {"events_dropped", 0}};
        H5::CompType ct = runs.getCompType();
        for (int i = 0; i < ct.getNmembers(); ++i) {
            const std::string name = ct.getMemberName(i);
            if (fixed.count(name) != 0) continue;
            t.kpi_names.push_back(name);
            t.kpis.push_back(read_double_column(runs, name, 0, n));
        }
        // Every run's design point is a row of /points (`mss summary` prints its values).
        at = "/points";
        const hsize_t np = rows_of(f.openDataSet("/points"));
        for (std::size_t i = 0; i < t.point.size(); ++i) {
            const std::int64_t p = t.point[i];
            if (p >= 0 && static_cast<hsize_t>(p) < np) continue;
            throw OutputError(
                path.string() + ": damaged or inconsistent results file: /runs row " +
                std::to_string(i) + " (run " + std::to_string(t.run[i]) + ") has point " +
                std::to_string(p) + ", but /points " +
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
        const FileLayout& l = info.layout;
        if (first < 0 || count < 0 || first + count > l.rows)
            throw OutputError(path.string() + ": rows out of range");
        const hsize_t r0 = static_cast<hsize_t>(first), n = static_cast<hsize_t>(count);
        const hsize_t D = static_cast<hsize_t>(l.days), C = l.contingents.size(),
                      A = l.airports.size();
        std::vector<RunRecord> out(n);
        at = "/runs";
        H5::DataSet runs = f.openDataSet("/runs");
        const auto run = read_column<std::int64_t>(runs, "run", PredType::NATIVE_INT64, r0, n);
        const auto point = read_column<std::int64_t>(runs, "point", PredType::NATIVE_INT64, r0, n);
        const auto rep =
            read_column<std::int64_t>(runs, "replication", PredType::NATIVE_INT64, r0, n);
        const auto seed = read_column<std::uint64_t>(runs, "seed", PredType::NATIVE_UINT64, r0, n);
        const auto status = read_column<std::int8_t>(runs, "status", PredType::NATIVE_INT8, r0, n);
        const auto wall = read_double_column(runs, "wall_s", r0, n);
        const auto dropped =
            read_column<std::int64_t>(runs, "events_dropped", PredType::NATIVE_INT64, r0, n);
        std::vector<std::vector<double>> kpi_cols;
        for (const auto& k : model::kpi_columns())
            kpi_cols.push_back(read_double_column(runs, k.name, r0, n));
        // contingent KPIs
        at = "/contingent_kpis";
        H5::DataSet ck = f.openDataSet("/contingent_kpis");
        struct CkRow {
            double days_to_foc, mean_strength_frac, overstay_person_days, pax_in;
        };
        H5::CompType ckt(sizeof(CkRow));
        ckt.insertMember("days_to_foc", HOFFSET(CkRow, days_to_foc), PredType::NATIVE_DOUBLE);
        ckt.insertMember("mean_strength_frac", HOFFSET(CkRow, mean_strength_frac),
                         PredType::NATIVE_DOUBLE);
        ckt.insertMember("overstay_person_days", HOFFSET(CkRow, overstay_person_days),
                         PredType::NATIVE_DOUBLE);
        ckt.insertMember("pax_in", HOFFSET(CkRow, pax_in), PredType::NATIVE_DOUBLE);
        std::vector<CkRow> ckrows(n * C);
        {
            H5::DataSpace fs = ck.getSpace();
            const hsize_t start[2] = {r0, 0}, cnt[2] = {n, C};
            fs.selectHyperslab(H5S_SELECT_SET, cnt, start);
            H5::DataSpace ms(2, cnt);
            if (n > 0) ck.read(ckrows.data(), ckt, ms, fs);
        }
        at = "/series";
        H5::Group series = f.openGroup("/series");
        const char* f32[] = {"strength", "on_duty", "waiting_at_origin", "in_transit"};
        std::vector<std::vector<float>> blocks;
        for (const char* name : f32) {
            at = std::string("/series/") + name;
            blocks.push_back(read_block<float>(series.openDataSet(name), PredType::NATIVE_FLOAT,
                                               {r0, 0, 0}, {n, D, C}));
        }
        at = "/series/airport_open";
        const auto open = read_block<float>(series.openDataSet("airport_open"),
                                            PredType::NATIVE_FLOAT, {r0, 0, 0}, {n, D, A});
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
            for (hsize_t c = 0; c < C; ++c) {
                const CkRow& row = ckrows[i * C + c];
                model::ContingentKpis ck;
                ck.days_to_foc = row.days_to_foc;
                ck.mean_strength_frac = row.mean_strength_frac;
                ck.overstay_person_days = row.overstay_person_days;
                ck.pax_in = row.pax_in;
                r.contingent_kpis.push_back(ck);
            }
            std::vector<float>* dst[] = {&r.strength, &r.on_duty, &r.waiting_at_origin,
                                         &r.in_transit};
            for (std::size_t s = 0; s < 4; ++s)
                dst[s]->assign(blocks[s].begin() + static_cast<std::ptrdiff_t>(i * D * C),
                               blocks[s].begin() + static_cast<std::ptrdiff_t>((i + 1) * D * C));
            r.airport_open.assign(open.begin() + static_cast<std::ptrdiff_t>(i * D * A),
                                  open.begin() + static_cast<std::ptrdiff_t>((i + 1) * D * A));
            r.regime.assign(regime.begin() + static_cast<std::ptrdiff_t>(i * D),
                            regime.begin() + static_cast<std::ptrdiff_t>((i + 1) * D));
        }
        // events of these runs (the table is in run order)
        at = "/events";
        H5::DataSet ev = f.openDataSet("/events");
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
