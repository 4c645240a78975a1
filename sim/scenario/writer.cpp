// sim/scenario/writer.cpp — TOML text of distributions and ordered tables.
#include "sim/scenario/writer.hpp"

namespace mss::scenario::detail {

namespace {

std::string numbers(const std::vector<double>& xs) {
    std::string out = "[";
    for (std::size_t i = 0; i < xs.size(); ++i)
        out += (i ? ", " : "") + format_double(xs[i]);
    return out + "]";
}

std::string integers(const std::vector<std::int64_t>& xs) {
    std::string out = "[";
    for (std::size_t i = 0; i < xs.size(); ++i)
        out += (i ? ", " : "") + std::to_string(xs[i]);
    return out + "]";
}

}  // namespace

std::string distribution_text(const kernel::DistributionSpec& d) {
    using K = kernel::DistributionSpec::Kind;
    const auto f = format_double;
    switch (d.kind) {
        case K::constant:
            return f(d.value);
        case K::uniform:
            return "{ dist = \"uniform\", min = " + f(d.min) + ", max = " + f(d.max) + " }";
        case K::triangular:
            return "{ dist = \"triangular\", min = " + f(d.min) + ", mode = " + f(d.mode) +
                   ", max = " + f(d.max) + " }";
        case K::exponential:
            return "{ dist = \"exponential\", mean = " + f(d.mean) + " }";
        case K::normal: {
            std::string out = "{ dist = \"normal\", mean = " + f(d.mean) + ", sd = " + f(d.sd);
            if (d.lower) out += ", lower = " + f(*d.lower);
            if (d.upper) out += ", upper = " + f(*d.upper);
            return out + " }";
        }
        case K::lognormal:
            if (d.lognormal_form == kernel::DistributionSpec::LognormalForm::mean_sd) {
                return "{ dist = \"lognormal\", mean = " + f(d.mean) + ", sd = " + f(d.sd) + " }";
            }
            return "{ dist = \"lognormal\", median = " + f(d.median) + ", sigma = " + f(d.sigma) +
                   " }";
        case K::gamma:
            return "{ dist = \"gamma\", shape = " + f(d.shape) + ", scale = " + f(d.scale) + " }";
        case K::weibull:
            return "{ dist = \"weibull\", shape = " + f(d.shape) + ", scale = " + f(d.scale) + " }";
        case K::empirical: {
            std::string out = "{ dist = \"empirical\", values = " + numbers(d.values);
            if (!d.weights.empty()) out += ", weights = " + numbers(d.weights);
            return out + " }";
        }
    }
    return "0.0";
}

std::string count_text(const kernel::CountSpec& c) {
    using K = kernel::CountSpec::Kind;
    switch (c.kind) {
        case K::constant:
            return std::to_string(c.value);
        case K::poisson:
            return "{ dist = \"poisson\", mean = " + format_double(c.mean) + " }";
        case K::binomial:
            return "{ dist = \"binomial\", trials = " + std::to_string(c.trials) +
                   ", p = " + format_double(c.p) + " }";
        case K::empirical: {
            std::string out = "{ dist = \"empirical\", values = " + integers(c.values);
            if (!c.weights.empty()) out += ", weights = " + numbers(c.weights);
            return out + " }";
        }
    }
    return "0";
}

void emit(const OrderedTable& t, const std::string& header, std::string& out) {
    for (const auto& item : t.items) {
        if (item.table || item.is_list) continue;
        out += item.key + " = " + item.value + "\n";
    }
    for (const auto& item : t.items) {
        const std::string name = header.empty() ? item.key : header + "." + item.key;
        if (item.table) {
            out += "\n[" + name + "]\n";
            emit(*item.table, name, out);
        } else if (item.is_list) {
            for (const auto& entry : item.entries) {
                out += "\n[[" + name + "]]\n";
                emit(entry, name, out);
            }
        }
    }
}

}  // namespace mss::scenario::detail
