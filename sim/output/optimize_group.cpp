// sim/output/optimize_group.cpp — see optimize_group.hpp.
#include "sim/output/optimize_group.hpp"

#include <H5Cpp.h>

#include <stdexcept>

#include "sim/output/h5_util.hpp"
#include "sim/output/results_writer.hpp"

namespace mss::output {

namespace {

using namespace h5;
using H5::PredType;

/// An int64 (or int8) variable over dimension scale `scale`.
template <class T>
H5::DataSet vector_variable(H5::Group& g, const std::string& name, const H5::PredType& type,
                            const std::vector<T>& values, const H5::DataSet& scale) {
    const hsize_t n = values.size();
    H5::DataSet ds = g.createDataSet(name, type, H5::DataSpace(1, &n), dataset_props());
    if (n > 0) ds.write(values.data(), type);
    attach(ds, scale, 0);
    return ds;
}

/// A float64 variable over the scales `dims`, from nested vectors flattened in row order.
H5::DataSet double_variable(H5::Group& g, const std::string& name,
                            const std::vector<hsize_t>& shape, const std::vector<double>& flat,
                            const std::vector<const H5::DataSet*>& dims) {
    H5::DataSet ds = g.createDataSet(name, PredType::NATIVE_DOUBLE,
                                     H5::DataSpace(static_cast<int>(shape.size()), shape.data()),
                                     dataset_props());
    if (!flat.empty()) ds.write(flat.data(), PredType::NATIVE_DOUBLE);
    for (unsigned d = 0; d < dims.size(); ++d)
        attach(ds, *dims[d], d);
    return ds;
}

std::vector<double> flatten(const std::vector<std::vector<double>>& rows, std::size_t cols) {
    std::vector<double> flat;
    for (const auto& r : rows) {
        if (r.size() != cols) throw OutputError("/optimize: rows of different lengths");
        flat.insert(flat.end(), r.begin(), r.end());
    }
    return flat;
}

/// /stage [run], beside /point and /replication.
void stage_column(H5::H5File& file, const std::vector<std::int64_t>& run_stage) {
    H5::Group root = file.openGroup("/");
    const H5::DataSet run_scale = file.openDataSet("/run");
    H5::DataSet stage_col =
        vector_variable(root, "stage", PredType::NATIVE_INT64, run_stage, run_scale);
    string_attr(stage_col, "long_name", "stage of mss optimize the run belongs to (from 1)");
    string_attr(stage_col, "units", "1");
}

void write(H5::H5File& file, const OptimizeRecord& r) {
    const std::size_t k = r.labels.size(), m = r.output_names.size(),
                      S = r.stage_replications.size();
    stage_column(file, r.run_stage);

    H5::Group g = make_group(file, "/optimize");
    string_attr(g, "plan_toml", r.plan_toml);
    string_attr(g, "identity", r.identity);
    string_attr(g, "procedure", r.procedure);
    string_attr(g, "status", r.status);
    scalar_attr(g, "guarantee", PredType::NATIVE_INT8, static_cast<std::int8_t>(r.guarantee));
    string_attr(g, "summary", r.summary);
    scalar_attr(g, "confidence", PredType::NATIVE_DOUBLE, r.confidence);
    scalar_attr(g, "delta", PredType::NATIVE_DOUBLE, r.delta);
    scalar_attr(g, "chosen", PredType::NATIVE_INT64, r.chosen);
    scalar_attr(g, "runs", PredType::NATIVE_INT64, r.runs);
    scalar_attr(g, "stages", PredType::NATIVE_INT64, r.stages);
    scalar_attr(g, "first_stage", PredType::NATIVE_INT64, r.first_stage);
    scalar_attr(g, "increment", PredType::NATIVE_INT64, r.increment);
    scalar_attr(g, "budget", PredType::NATIVE_INT64, r.budget);
    scalar_attr(g, "rinott_h", PredType::NATIVE_DOUBLE, r.rinott_h);
    scalar_attr(g, "rinott_runs", PredType::NATIVE_INT64, r.rinott_runs);

    std::vector<std::int64_t> index(k), stage_index(S);
    for (std::size_t i = 0; i < k; ++i)
        index[i] = static_cast<std::int64_t>(i);
    for (std::size_t s = 0; s < S; ++s)
        stage_index[s] = static_cast<std::int64_t>(s + 1);
    const hsize_t hk = k, hS = S;
    H5::DataSet alt = g.createDataSet("alternative", PredType::NATIVE_INT64, H5::DataSpace(1, &hk),
                                      dataset_props());
    if (k > 0) alt.write(index.data(), PredType::NATIVE_INT64);
    make_scale(alt, "alternative");
    H5::DataSet out = string_dataset(g, "output", r.output_names);
    make_scale(out, "output");
    H5::DataSet stage =
        g.createDataSet("stage", PredType::NATIVE_INT64, H5::DataSpace(1, &hS), dataset_props());
    if (S > 0) stage.write(stage_index.data(), PredType::NATIVE_INT64);
    make_scale(stage, "stage");

    auto strings = [&](const std::string& name, const std::vector<std::string>& v,
                       const H5::DataSet& scale) {
        H5::DataSet ds = string_dataset(g, name, v);
        attach(ds, scale, 0);
    };
    strings("label", r.labels, alt);
    strings("fate", r.fate, alt);
    strings("why", r.why, alt);
    strings("output_kind", r.output_kind, out);
    vector_variable(g, "fate_stage", PredType::NATIVE_INT64, r.fate_stage, alt);
    vector_variable(g, "eliminated_by", PredType::NATIVE_INT64, r.eliminated_by, alt);
    vector_variable(g, "infeasible_constraint", PredType::NATIVE_INT64, r.infeasible_constraint,
                    alt);
    vector_variable(g, "feasible", PredType::NATIVE_INT8, r.feasible, alt);
    vector_variable(g, "feasible_stage", PredType::NATIVE_INT64, r.feasible_stage, alt);
    vector_variable(g, "replications", PredType::NATIVE_INT64, r.replications, alt);
    double_variable(g, "estimate", {hk, m}, flatten(r.estimate, m), {&alt, &out});
    double_variable(g, "ci_low", {hk, m}, flatten(r.ci_low, m), {&alt, &out});
    double_variable(g, "ci_high", {hk, m}, flatten(r.ci_high, m), {&alt, &out});
    vector_variable(g, "stage_replications", PredType::NATIVE_INT64, r.stage_replications, stage);
    vector_variable(g, "stage_runs", PredType::NATIVE_INT64, r.stage_runs, stage);
    std::vector<double> means;
    for (const auto& s : r.stage_mean) {
        if (s.size() != k) throw OutputError("/optimize: a stage without every alternative");
        const std::vector<double> f = flatten(s, m);
        means.insert(means.end(), f.begin(), f.end());
    }
    double_variable(g, "stage_mean", {hS, hk, m}, means, {&stage, &alt, &out});
}

}  // namespace

namespace {

template <class F>
void update(const std::filesystem::path& path, const char* what, F&& body) {
    try {
        H5::H5File file(path.string(), H5F_ACC_RDWR);
        body(file);
        file.close();
    } catch (const H5::Exception& e) {
        throw OutputError(path.string() + ": cannot write " + what + ": " + e.getDetailMsg());
    } catch (const OutputError& e) {
        throw OutputError(path.string() + ": " + e.what());
    }
}

}  // namespace

void write_optimize_group(const std::filesystem::path& path, const OptimizeRecord& record) {
    update(path, "/optimize", [&](H5::H5File& f) { write(f, record); });
}

void write_stage_column(const std::filesystem::path& path,
                        const std::vector<std::int64_t>& run_stage) {
    update(path, "/stage", [&](H5::H5File& f) { stage_column(f, run_stage); });
}

}  // namespace mss::output
