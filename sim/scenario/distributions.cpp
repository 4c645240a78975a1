// sim/scenario/distributions.cpp — durations and counts in scenario files: the distribution
// tables (distributions.hpp) and the Reader's conversions of a number or an inline table into a
// kernel distribution, with the checks every scenario distribution gets (non-negative support,
// a bounded mean).
#include "sim/scenario/distributions.hpp"

#include <algorithm>
#include <type_traits>

#include "sim/scenario/reader.hpp"

namespace mss::scenario::detail {

namespace {

using DKind = kernel::DistributionSpec::Kind;
using CKind = kernel::CountSpec::Kind;

}  // namespace

const std::vector<DistKind>& dist_kinds() {
    static const std::vector<DistKind> kinds = {
        {"constant", DKind::constant, {"value"}},
        {"uniform", DKind::uniform, {"min", "max"}},
        {"triangular", DKind::triangular, {"min", "mode", "max"}},
        {"exponential", DKind::exponential, {"mean"}},
        {"normal", DKind::normal, {"mean", "sd", "lower", "upper"}},
        {"lognormal", DKind::lognormal, {"median", "sigma", "mean", "sd"}},
        {"gamma", DKind::gamma, {"shape", "scale"}},
        {"weibull", DKind::weibull, {"shape", "scale"}},
        {"empirical", DKind::empirical, {"values", "weights"}},
    };
    return kinds;
}

const std::vector<CountKindInfo>& count_kinds() {
    static const std::vector<CountKindInfo> kinds = {
        {"constant", CKind::constant, {"value"}},
        {"poisson", CKind::poisson, {"mean"}},
        {"binomial", CKind::binomial, {"trials", "p"}},
        {"empirical", CKind::empirical, {"values", "weights"}},
    };
    return kinds;
}

std::string keys_text(const std::vector<std::string_view>& keys) {
    std::string out = "dist";
    for (const auto k : keys)
        out += ", " + std::string(k);
    return out;
}

bool Reader::read_distribution_table(const toml::table& t, const std::string& path,
                                     kernel::DistributionSpec& x) {
    std::vector<std::string_view> names;
    for (const auto& k : dist_kinds())
        names.emplace_back(k.name);
    const toml::node* dn = t.get("dist");
    if (!dn) {
        error(t.source(), path,
              "a distribution table needs dist = one of " + one_of(names) + ", found no dist key");
        return false;
    }
    const auto* ds = dn->as_string();
    const DistKind* kind = nullptr;
    for (const auto& k : dist_kinds()) {
        if (ds && ds->get() == k.name) kind = &k;
    }
    if (!kind) {
        error(dn->source(), path + ".dist",
              "expected one of " + one_of(names) + ", found " + describe_node(*dn) +
                  (ds ? did_you_mean(ds->get(), names) : std::string()));
        return false;
    }
    bool ok = true;
    for (const auto& [k, v] : t) {
        const std::string_view key = k.str();
        if (key == "dist") continue;
        if (std::find(kind->keys.begin(), kind->keys.end(), key) == kind->keys.end()) {
            std::vector<std::string_view> all = kind->keys;
            std::string msg = "unknown key for a " + std::string(kind->name) +
                              " distribution (its keys: " + keys_text(kind->keys) + ")" +
                              did_you_mean(key, all);
            if (kind->kind == DKind::normal && (key == "min" || key == "max")) {
                msg = "a normal distribution is truncated with lower and upper, not min and max";
            }
            error(k.source(), join_path(path, key), msg);
            ok = false;
        }
    }
    auto number = [&](std::string_view key, bool required) -> std::optional<double> {
        const toml::node* n = t.get(key);
        const std::string p = join_path(path, key);
        if (!n) {
            if (required) {
                error(t.source(), p,
                      "a " + std::string(kind->name) + " distribution needs " + std::string(key));
                ok = false;
            }
            return std::nullopt;
        }
        double v = 0;
        if (!convert(*n, p, v, Spec{})) {
            ok = false;
            return std::nullopt;
        }
        return v;
    };
    auto numbers = [&](std::string_view key, bool required) -> std::vector<double> {
        const toml::node* n = t.get(key);
        const std::string p = join_path(path, key);
        std::vector<double> out;
        if (!n) {
            if (required) {
                error(t.source(), p, "an empirical distribution needs " + std::string(key));
                ok = false;
            }
            return out;
        }
        const auto* a = n->as_array();
        if (!a) {
            error(n->source(), p, "expected an array of numbers, found " + describe_node(*n));
            ok = false;
            return out;
        }
        for (std::size_t i = 0; i < a->size(); ++i) {
            double v = 0;
            if (!convert(*a->get(i), index_path(p, i), v, Spec{})) ok = false;
            out.push_back(v);
        }
        return out;
    };
    kernel::DistributionSpec s;
    switch (kind->kind) {
        case DKind::constant:
            s = kernel::DistributionSpec::constant(number("value", true).value_or(0));
            break;
        case DKind::uniform: {
            const auto lo = number("min", true), hi = number("max", true);
            s = kernel::DistributionSpec::uniform(lo.value_or(0), hi.value_or(0));
            break;
        }
        case DKind::triangular: {
            const auto lo = number("min", true), mode = number("mode", true),
                       hi = number("max", true);
            s = kernel::DistributionSpec::triangular(lo.value_or(0), mode.value_or(0),
                                                     hi.value_or(0));
            break;
        }
        case DKind::exponential:
            s = kernel::DistributionSpec::exponential(number("mean", true).value_or(1));
            break;
        case DKind::normal: {
            const auto mean = number("mean", true), sd = number("sd", true);
            const auto lower = number("lower", false), upper = number("upper", false);
            s = kernel::DistributionSpec::normal(mean.value_or(0), sd.value_or(1), lower, upper);
            break;
        }
        case DKind::lognormal: {
            const bool by_median = t.contains("median") || t.contains("sigma");
            const bool by_mean = t.contains("mean") || t.contains("sd");
            if (by_median && by_mean) {
                error(t.source(), path,
                      "a lognormal distribution takes median and sigma, or mean and sd, not both");
                return false;
            }
            if (by_mean) {
                const auto mean = number("mean", true), sd = number("sd", true);
                s = kernel::DistributionSpec::lognormal_mean(mean.value_or(1), sd.value_or(1));
            } else {
                const auto median = number("median", true), sigma = number("sigma", true);
                s = kernel::DistributionSpec::lognormal_median(median.value_or(1),
                                                               sigma.value_or(1));
            }
            break;
        }
        case DKind::gamma: {
            const auto shape = number("shape", true), scale = number("scale", true);
            s = kernel::DistributionSpec::gamma(shape.value_or(1), scale.value_or(1));
            break;
        }
        case DKind::weibull: {
            const auto shape = number("shape", true), scale = number("scale", true);
            s = kernel::DistributionSpec::weibull(shape.value_or(1), scale.value_or(1));
            break;
        }
        case DKind::empirical: {
            auto values = numbers("values", true);
            auto weights = numbers("weights", false);
            s = kernel::DistributionSpec::empirical(std::move(values), std::move(weights));
            break;
        }
    }
    if (!ok) return false;
    x = std::move(s);
    return true;
}

bool Reader::convert(const toml::node& n, const std::string& path, kernel::DistributionSpec& x,
                     const Spec&) {
    kernel::DistributionSpec s;
    if (n.is_integer() || n.is_floating_point()) {
        double v = 0;
        if (!convert(n, path, v, Spec{})) return false;
        s = kernel::DistributionSpec::constant(v);
    } else if (const auto* t = n.as_table()) {
        if (!read_distribution_table(*t, path, s)) return false;
    } else {
        error(n.source(), path,
              "expected a duration: a number, or a distribution such as { dist = \"lognormal\", "
              "median = 2.0, sigma = 0.2 }; found " +
                  describe_node(n));
        return false;
    }
    const auto problems = kernel::validate(s);
    for (const auto& p : problems)
        error(n.source(), path, p);
    if (!problems.empty()) return false;
    // Every distribution in a scenario is a duration (DESIGN §2): no negative draws.
    if (!kernel::has_nonnegative_support(s)) {
        if (s.kind == DKind::constant) {
            error(n.source(), path, "expected a duration >= 0, found " + format_double(s.value));
        } else if (s.kind == DKind::normal) {
            error(n.source(), path,
                  "expected a duration (never negative), found " + kernel::describe(s) +
                      ", which can draw negative values; give lower = 0 (or more)");
        } else {
            error(n.source(), path,
                  "expected a duration (never negative), found " + kernel::describe(s) +
                      ", which can draw negative values");
        }
        return false;
    }
    // Nor unbounded (DESIGN §4): a mean beyond any mission's time scale, or infinite (a
    // lognormal with sigma 700 draws inf, which the kernel refuses as a delay mid-run).
    constexpr double kMaxMeanDuration = 1e6;
    const double mean = kernel::theoretical_mean(s);
    if (!(mean <= kMaxMeanDuration)) {
        const std::string unit =
            path.size() > 2 && path.compare(path.size() - 2, 2, "_h") == 0 ? "hours" : "days";
        if (s.kind == DKind::constant)
            error(n.source(), path,
                  "expected a duration of at most 1000000 (" + unit + "), found " +
                      format_double(s.value));
        else
            error(n.source(), path,
                  "expected a duration with a finite mean of at most 1000000 (" + unit +
                      "), found " + kernel::describe(s) + " with mean " + format_double(mean));
        return false;
    }
    x = std::move(s);
    return true;
}

bool Reader::read_count_table(const toml::table& t, const std::string& path, kernel::CountSpec& x) {
    std::vector<std::string_view> names;
    for (const auto& k : count_kinds())
        names.emplace_back(k.name);
    const toml::node* dn = t.get("dist");
    if (!dn) {
        error(t.source(), path,
              "a count distribution table needs dist = one of " + one_of(names) +
                  ", found no dist key");
        return false;
    }
    const auto* ds = dn->as_string();
    const CountKindInfo* kind = nullptr;
    for (const auto& k : count_kinds()) {
        if (ds && ds->get() == k.name) kind = &k;
    }
    if (!kind) {
        error(dn->source(), path + ".dist",
              "expected one of " + one_of(names) + " (a count distribution), found " +
                  describe_node(*dn) + (ds ? did_you_mean(ds->get(), names) : std::string()));
        return false;
    }
    bool ok = true;
    for (const auto& [k, v] : t) {
        const std::string_view key = k.str();
        if (key == "dist") continue;
        if (std::find(kind->keys.begin(), kind->keys.end(), key) == kind->keys.end()) {
            error(k.source(), join_path(path, key),
                  "unknown key for a " + std::string(kind->name) +
                      " count distribution (its keys: " + keys_text(kind->keys) + ")" +
                      did_you_mean(key, kind->keys));
            ok = false;
        }
    }
    auto get = [&](std::string_view key, bool required, auto& out, const Spec& spec) {
        const toml::node* n = t.get(key);
        const std::string p = join_path(path, key);
        if (!n) {
            if (required) {
                error(t.source(), p,
                      "a " + std::string(kind->name) + " count distribution needs " +
                          std::string(key));
                ok = false;
            }
            return;
        }
        if (!convert(*n, p, out, spec)) ok = false;
    };
    kernel::CountSpec s;
    switch (kind->kind) {
        case CKind::constant: {
            std::int64_t v = 0;
            get("value", true, v, Spec{});
            s = kernel::CountSpec::constant(v);
            break;
        }
        case CKind::poisson: {
            double mean = 0;
            get("mean", true, mean, Spec{});
            s = kernel::CountSpec::poisson(mean);
            break;
        }
        case CKind::binomial: {
            std::int64_t trials = 0;
            double p = 0;
            get("trials", true, trials, Spec{});
            get("p", true, p, Spec{});
            s = kernel::CountSpec::binomial(trials, p);
            break;
        }
        case CKind::empirical: {
            std::vector<std::int64_t> values;
            std::vector<double> weights;
            auto list = [&](std::string_view key, bool required, auto& out) {
                const toml::node* n = t.get(key);
                const std::string p = join_path(path, key);
                if (!n) {
                    if (required) {
                        error(t.source(), p,
                              "an empirical count distribution needs " + std::string(key));
                        ok = false;
                    }
                    return;
                }
                const auto* a = n->as_array();
                if (!a) {
                    error(n->source(), p, "expected an array, found " + describe_node(*n));
                    ok = false;
                    return;
                }
                for (std::size_t i = 0; i < a->size(); ++i) {
                    typename std::remove_reference_t<decltype(out)>::value_type v{};
                    if (!convert(*a->get(i), index_path(p, i), v, Spec{})) ok = false;
                    out.push_back(v);
                }
            };
            list("values", true, values);
            list("weights", false, weights);
            s = kernel::CountSpec::empirical(std::move(values), std::move(weights));
            break;
        }
    }
    if (!ok) return false;
    x = std::move(s);
    return true;
}

bool Reader::convert(const toml::node& n, const std::string& path, kernel::CountSpec& x,
                     const Spec&) {
    kernel::CountSpec s;
    if (const auto v = integral_value(n)) {
        std::int64_t i = 0;
        if (!convert(n, path, i, Spec{})) return false;
        s = kernel::CountSpec::constant(i);
    } else if (const auto* t = n.as_table()) {
        if (!read_count_table(*t, path, s)) return false;
    } else {
        error(n.source(), path,
              "expected a count: an integer, or a distribution such as { dist = \"poisson\", "
              "mean = 1.0 }; found " +
                  describe_node(n));
        return false;
    }
    const auto problems = kernel::validate(s);
    for (const auto& p : problems)
        error(n.source(), path, p);
    if (!problems.empty()) return false;
    if (!kernel::has_nonnegative_support(s)) {
        error(n.source(), path,
              "expected a count >= 0, found " + kernel::describe(s) +
                  ", which can draw negative values");
        return false;
    }
    x = std::move(s);
    return true;
}

}  // namespace mss::scenario::detail
