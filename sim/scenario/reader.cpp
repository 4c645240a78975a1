// sim/scenario/reader.cpp — reading config structs from TOML (the Reader visitor) and the
// cross-checks and warnings that need the whole config (check_model).
#include "sim/scenario/reader.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "sim/kernel/ctmc.hpp"
#include "sim/model/validate.hpp"
#include "sim/model/violence.hpp"

namespace mss::scenario::detail {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string number_text(double v) {
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
        return std::to_string(static_cast<long long>(v));
    }
    return format_double(v);
}

// "between 0 and 1", ">= 1", "> 0", "<= 5" or "" for unbounded.
std::string bounds_text(const Spec& spec) {
    const bool lo = spec.min > -kInf, hi = spec.max < kInf;
    if (lo && hi && !spec.min_exclusive) {
        return "between " + number_text(spec.min) + " and " + number_text(spec.max);
    }
    std::string out;
    if (lo) out += std::string(spec.min_exclusive ? "> " : ">= ") + number_text(spec.min);
    if (hi) out += (lo ? " and <= " : "<= ") + number_text(spec.max);
    return out;
}

}  // namespace

// ---------------------------------------------------------------- Locations

bool Locations::has(const std::string& path) const {
    return entries_.count(path) > 0;
}

void Locations::record(const std::string& path, const std::string& parent,
                       const toml::source_region& where) {
    entries_[path] = Entry{where, parent};
}

Diagnostic Locations::at(const std::string& path, std::string message) const {
    // Walk up recorded parents; an unrecorded path falls back to its textual parents.
    std::string p = path;
    for (int guard = 0; guard < 64; ++guard) {
        const auto it = entries_.find(p);
        if (it != entries_.end() && it->second.where.path) {
            return detail::at(it->second.where, path, std::move(message));
        }
        if (it != entries_.end()) {
            p = it->second.parent;
            continue;
        }
        const auto cut = p.find_last_of(".[");
        if (cut == std::string::npos || p.empty()) break;
        p.resize(cut);
    }
    Diagnostic d;
    d.file = fallback_;
    d.line = 1;
    d.column = 1;
    d.key_path = path;
    d.message = std::move(message);
    return d;
}

// ---------------------------------------------------------------- Reader helpers

std::string Reader::one_of(const std::vector<std::string_view>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += (i + 1 == names.size()) ? " or " : ", ";
        out += quote(names[i]);
    }
    return out;
}

std::string Reader::leaf_of(const std::string& path) {
    // Array paths end in a bare key of the schema, so the text after the last dot is the key.
    const auto cut = path.rfind('.');
    return cut == std::string::npos ? path : path.substr(cut + 1);
}

std::string Reader::where_text(const toml::source_region& r) {
    std::string out = r.path ? *r.path : std::string("?");
    if (out.rfind("--set ", 0) == 0) return out;
    return out + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column);
}

const toml::node* Reader::lookup(std::string_view key, const Spec& spec, std::string& path,
                                 const std::string& expected) {
    scope_->known.push_back(key);
    path = join_path(scope_->path, key);
    const toml::node* n = scope_->table->get(key);
    if (!n) {
        if (spec.required) {
            diags_.error(locs_.at(
                path, "missing required key '" + std::string(key) + "' (" + expected + ")"));
        }
        return nullptr;
    }
    locs_.record(path, scope_->path, n->source());
    return n;
}

void Reader::report_unknown(const Scope& scope) {
    // In file order (a table iterates its keys sorted).
    // A key added by --set has no source of its own; its value has.
    std::vector<std::pair<const toml::key*, const toml::source_region*>> unknown;
    for (const auto& [k, v] : *scope.table) {
        if (std::find(scope.known.begin(), scope.known.end(), k.str()) == scope.known.end()) {
            unknown.emplace_back(&k, k.source().path ? &k.source() : &v.source());
        }
    }
    std::stable_sort(unknown.begin(), unknown.end(), [](const auto& a, const auto& b) {
        const auto& pa = a.second->begin;
        const auto& pb = b.second->begin;
        return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
    });
    for (const auto& [kp, where] : unknown) {
        const std::string_view key = kp->str();
        const std::string path = join_path(scope.path, key);
        std::string msg;
        if (key == "remove") {
            msg =
                "remove = true deletes an inherited entry: it works only in a [[...]] entry of a "
                "file that uses extends, and not inside an array written with `key = [...]`";
        } else if (key == "extends") {
            msg = "extends must be the first key of the file, outside any table";
        } else {
            msg = "unknown key" + did_you_mean(key, scope.known);
            if (msg == "unknown key") {
                msg += "; expected one of: ";
                for (std::size_t i = 0; i < scope.known.size(); ++i) {
                    msg += (i ? ", " : "") + std::string(scope.known[i]);
                }
            }
        }
        diags_.error(at(*where, path, std::move(msg)));
    }
}

bool Reader::check_bounds(const toml::node& n, const std::string& path, double v, const Spec& spec,
                          bool integer) {
    const bool below = spec.min_exclusive ? !(v > spec.min) : !(v >= spec.min);
    if (std::isfinite(v) && !below && v <= spec.max) return true;
    std::string expected = integer ? "an integer" : "a number";
    const std::string b = bounds_text(spec);
    if (!std::isfinite(v)) expected = integer ? "a finite integer" : "a finite number";
    if (!b.empty()) expected += " " + b;
    // An integer as written (a double would show 2^63 - 1 as 9223372036854775808.0).
    const auto* written = n.as_integer();
    error(n.source(), path,
          "expected " + expected + ", found " +
              (written ? std::to_string(written->get()) : number_text(v)));
    return false;
}

// ---------------------------------------------------------------- scalar conversions

bool Reader::convert(const toml::node& n, const std::string& path, std::string& x,
                     const Spec& spec) {
    const auto* s = n.as_string();
    if (!s) {
        error(n.source(), path, "expected a string, found " + describe_node(n));
        return false;
    }
    if (spec.required && s->get().empty()) {
        error(n.source(), path, "expected a non-empty string, found \"\"");
        return false;
    }
    x = s->get();
    return true;
}

bool Reader::convert(const toml::node& n, const std::string& path, bool& x, const Spec&) {
    const auto* b = n.as_boolean();
    if (!b) {
        error(n.source(), path, "expected true or false, found " + describe_node(n));
        return false;
    }
    x = b->get();
    return true;
}

namespace {

// An integer node, or a floating-point node holding an integer value (LHS factors and
// hand-written "3.0" both arrive as floats).
std::optional<double> integral_value(const toml::node& n) {
    if (const auto* i = n.as_integer()) return static_cast<double>(i->get());
    if (const auto* f = n.as_floating_point()) {
        const double v = f->get();
        if (std::isfinite(v) && v == std::floor(v)) return v;
    }
    return std::nullopt;
}

}  // namespace

bool Reader::convert(const toml::node& n, const std::string& path, std::int32_t& x,
                     const Spec& spec) {
    std::int64_t wide = 0;
    Spec s = spec;
    s.min = std::max(spec.min, static_cast<double>(std::numeric_limits<std::int32_t>::min()));
    s.max = std::min(spec.max, static_cast<double>(std::numeric_limits<std::int32_t>::max()));
    if (!convert(n, path, wide, s)) return false;
    x = static_cast<std::int32_t>(wide);
    return true;
}

bool Reader::convert(const toml::node& n, const std::string& path, std::int64_t& x,
                     const Spec& spec) {
    if (const auto* i = n.as_integer()) {
        const std::int64_t v = i->get();
        if (!check_bounds(n, path, static_cast<double>(v), spec, true)) return false;
        x = v;
        return true;
    }
    const auto v = integral_value(n);
    if (!v) {
        std::string expected = "an integer";
        if (const std::string b = bounds_text(spec); !b.empty()) expected += " " + b;
        error(n.source(), path, "expected " + expected + ", found " + describe_node(n));
        return false;
    }
    Spec s = spec;
    s.min = std::max(spec.min, -9.2e18);
    s.max = std::min(spec.max, 9.2e18);
    if (!check_bounds(n, path, *v, s, true)) return false;
    x = static_cast<std::int64_t>(*v);
    return true;
}

bool Reader::convert(const toml::node& n, const std::string& path, std::uint64_t& x,
                     const Spec& spec) {
    std::int64_t v = 0;
    Spec s = spec;
    s.min = std::max(spec.min, 0.0);
    if (!convert(n, path, v, s)) return false;
    x = static_cast<std::uint64_t>(v);
    return true;
}

bool Reader::convert(const toml::node& n, const std::string& path, double& x, const Spec& spec) {
    double v = 0;
    if (const auto* i = n.as_integer()) {
        v = static_cast<double>(i->get());
    } else if (const auto* f = n.as_floating_point()) {
        v = f->get();
    } else {
        std::string expected = "a number";
        if (const std::string b = bounds_text(spec); !b.empty()) expected += " " + b;
        error(n.source(), path, "expected " + expected + ", found " + describe_node(n));
        return false;
    }
    if (!check_bounds(n, path, v, spec, false)) return false;
    x = v;
    return true;
}

bool Reader::convert(const toml::node& n, const std::string& path,
                     std::vector<std::vector<double>>& x, const Spec&) {
    const auto* rows = n.as_array();
    const char* expected =
        "expected a matrix: an array of rows, each an array of numbers, such as "
        "[[-0.1, 0.1], [0.2, -0.2]]";
    if (!rows) {
        error(n.source(), path, std::string(expected) + ", found " + describe_node(n));
        return false;
    }
    std::vector<std::vector<double>> out;
    bool ok = true;
    for (std::size_t r = 0; r < rows->size(); ++r) {
        const toml::node& rn = *rows->get(r);
        const auto* row = rn.as_array();
        if (!row) {
            error(rn.source(), index_path(path, r),
                  "expected a row (an array of numbers), found " + describe_node(rn));
            ok = false;
            continue;
        }
        std::vector<double> values;
        for (std::size_t c = 0; c < row->size(); ++c) {
            double v = 0;
            if (!convert(*row->get(c), index_path(index_path(path, r), c), v, Spec{})) {
                ok = false;
            }
            values.push_back(v);
        }
        out.push_back(std::move(values));
    }
    if (ok) x = std::move(out);
    return ok;
}

bool Reader::convert(const toml::node& n, const std::string& path, std::vector<std::string>& x,
                     const Spec& spec) {
    const auto* a = n.as_array();
    if (!a) {
        error(n.source(), path, "expected an array of strings, found " + describe_node(n));
        return false;
    }
    std::vector<std::string> out;
    bool ok = true;
    for (std::size_t i = 0; i < a->size(); ++i) {
        std::string s;
        if (!convert(*a->get(i), index_path(path, i), s, spec)) ok = false;
        out.push_back(std::move(s));
    }
    if (ok) x = std::move(out);
    return ok;
}

bool Reader::convert(const toml::node& n, const std::string& path, std::vector<TomlText>& x,
                     const Spec& spec) {
    const auto* a = n.as_array();
    (void)spec;
    if (!a || a->empty()) {
        error(n.source(), path, "expected a non-empty array of values, found " + describe_node(n));
        return false;
    }
    std::vector<TomlText> out;
    for (std::size_t i = 0; i < a->size(); ++i) {
        const toml::node& e = *a->get(i);
        locs_.record(index_path(path, i), path, e.source());
        TomlText t{value_text(e), std::nullopt};
        if (const auto* i = e.as_integer()) t.number = static_cast<double>(i->get());
        if (const auto* f = e.as_floating_point()) t.number = f->get();
        out.push_back(std::move(t));
    }
    x = std::move(out);
    return true;
}

bool Reader::convert(const toml::node& n, const std::string& path, std::array<double, 2>& x,
                     const Spec& spec) {
    const auto* a = n.as_array();
    if (!a || a->size() != 2) {
        error(n.source(), path,
              "expected a range [low, high] of two numbers, found " + describe_node(n));
        return false;
    }
    std::array<double, 2> r{};
    if (!convert(*a->get(0), index_path(path, 0), r[0], spec) ||
        !convert(*a->get(1), index_path(path, 1), r[1], spec)) {
        return false;
    }
    if (!(r[0] < r[1])) {
        error(n.source(), path,
              "expected low < high, found [" + format_double(r[0]) + ", " + format_double(r[1]) +
                  "]");
        return false;
    }
    x = r;
    return true;
}

// ---------------------------------------------------------------- distributions

namespace {

using DKind = kernel::DistributionSpec::Kind;
using CKind = kernel::CountSpec::Kind;

struct DistKind {
    const char* name;
    DKind kind;
    std::vector<std::string_view> keys;  // allowed keys besides `dist`
};

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

struct CountKindInfo {
    const char* name;
    CKind kind;
    std::vector<std::string_view> keys;
};

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

}  // namespace

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

// ---------------------------------------------------------------- dates

std::optional<Reader::SinceStart> Reader::since_start(const toml::node& n, const std::string& path,
                                                      bool allow_time) {
    const char* expected = allow_time ? "expected a date such as 2024-11-11 (or a date-time such "
                                        "as 2024-11-11T14:00:00Z), found "
                                      : "expected a date such as 2024-06-25, found ";
    std::int64_t days = 0;
    double seconds = 0;
    if (const auto* d = n.as_date()) {
        const auto& v = d->get();
        days = days_from_civil(v.year, v.month, v.day);
    } else if (const auto* dt = n.as_date_time(); dt && allow_time) {
        const auto& v = dt->get();
        seconds = v.time.hour * 3600.0 + v.time.minute * 60.0 + v.time.second +
                  v.time.nanosecond * 1e-9 - (v.offset ? v.offset->minutes * 60.0 : 0.0);
        days = days_from_civil(v.date.year, v.date.month, v.date.day);
    } else {
        std::string extra;
        if (n.is_string()) extra = " (write dates without quotes)";
        if (n.is_date_time()) extra = " (give the date alone: days start at 00:00 UTC)";
        error(n.source(), path, expected + describe_node(n) + extra);
        return std::nullopt;
    }
    if (!start_days_) return std::nullopt;  // the start is missing or bad: already reported
    return SinceStart{days - *start_days_, seconds};
}

void Reader::date(std::string_view key, std::int32_t& days, const Spec& spec) {
    std::string path;
    const toml::node* n = lookup(key, spec, path, "a date such as 2024-06-01");
    if (!n) return;
    const auto* d = n->as_date();
    if (!d) {
        std::string extra;
        if (n->is_string()) extra = " (write dates without quotes)";
        if (n->is_date_time()) extra = " (give the date alone: the scenario starts at 00:00 UTC)";
        error(n->source(), path,
              "expected a date such as 2024-06-01, found " + describe_node(*n) + extra);
        return;
    }
    const auto& v = d->get();
    const std::int64_t value = days_from_civil(v.year, v.month, v.day);
    days = static_cast<std::int32_t>(value);
    start_days_ = value;
}

void Reader::day_or_date(std::string_view day_key, std::string_view date_key, double& x,
                         const Spec& spec) {
    std::optional<double> value;
    Spec optional_spec = spec;
    optional_spec.required = false;
    day_or_date(day_key, date_key, value, optional_spec);
    if (value) {
        x = *value;
    } else if (spec.required && !scope_->table->contains(day_key) &&
               !scope_->table->contains(date_key)) {
        diags_.error(locs_.at(join_path(scope_->path, day_key),
                              "missing required key '" + std::string(day_key) +
                                  "' (a day number since the start) or '" + std::string(date_key) +
                                  "' (a date)"));
    }
}

void Reader::day_or_date(std::string_view day_key, std::string_view date_key,
                         std::optional<double>& x, const Spec& spec) {
    std::string day_path, date_path;
    const toml::node* dn = lookup(day_key, Spec{}, day_path, "");
    const toml::node* tn = lookup(date_key, Spec{}, date_path, "");
    if (dn && tn) {
        error(tn->source(), date_path,
              "give '" + std::string(day_key) + "' or '" + std::string(date_key) + "', not both");
        return;
    }
    if (dn) {
        double v = 0;
        if (convert(*dn, day_path, v, spec)) x = v;
    } else if (tn) {
        const auto since = since_start(*tn, date_path, false);
        if (!since) return;
        const double days = since->in_days();
        if (days < spec.min) {
            error(tn->source(), date_path,
                  "expected a date on or after the scenario start (" +
                      civil_from_days(*start_days_) + "), found " + describe_node(*tn));
            return;
        }
        x = days;
    }
}

void Reader::hours_or_date(std::string_view h_key, std::string_view date_key, double& x,
                           const Spec& spec) {
    std::string h_path, date_path;
    const toml::node* hn = lookup(h_key, Spec{}, h_path, "");
    const toml::node* tn = lookup(date_key, Spec{}, date_path, "");
    if (hn && tn) {
        error(tn->source(), date_path,
              "give '" + std::string(h_key) + "' or '" + std::string(date_key) + "', not both");
        return;
    }
    if (hn) {
        convert(*hn, h_path, x, Spec{});
    } else if (tn) {
        if (const auto since = since_start(*tn, date_path, true)) x = since->in_hours();
    } else if (spec.required) {
        diags_.error(locs_.at(join_path(scope_->path, date_key),
                              "missing required key '" + std::string(date_key) + "' (a date) or '" +
                                  std::string(h_key) + "' (hours since the start)"));
    }
}

void Reader::classes(std::string_view key, bool& all, std::vector<model::OperatorClass>& out) {
    std::string path;
    const toml::node* n = lookup(key, Spec{}, path, "");
    if (!n) return;  // default: every class
    std::vector<std::string_view> names{"all"};
    for (const auto& [name, value] : EnumNames<model::OperatorClass>::table)
        names.push_back(name);
    const auto* a = n->as_array();
    if (!a || a->empty()) {
        error(n->source(), path,
              "expected a non-empty array of operator classes (" + one_of(names) + "), found " +
                  describe_node(*n));
        return;
    }
    bool any_all = false;
    std::vector<model::OperatorClass> classes;
    for (std::size_t i = 0; i < a->size(); ++i) {
        const toml::node& e = *a->get(i);
        const std::string p = index_path(path, i);
        if (const auto* s = e.as_string(); s && s->get() == "all") {
            any_all = true;
            continue;
        }
        model::OperatorClass c{};
        if (!convert(e, p, c, Spec{})) return;
        if (std::find(classes.begin(), classes.end(), c) != classes.end()) {
            error(e.source(), p, "operator class " + quote(enum_name(c)) + " is listed twice");
            return;
        }
        classes.push_back(c);
    }
    if (any_all && (!classes.empty() || a->size() > 1)) {
        error(n->source(), path, "\"all\" already covers every class; give it alone");
        return;
    }
    all = any_all;
    out = any_all ? std::vector<model::OperatorClass>{} : classes;
}

// ---------------------------------------------------------------- the model

model::ModelConfig scenario_defaults() {
    model::ModelConfig c;
    c.main_gateway = "PAP";
    return c;
}

model::ModelConfig read_model(const toml::table& root, Diagnostics& diags, Locations& locs) {
    model::ModelConfig c = scenario_defaults();
    Reader reader(diags, locs);
    reader.read_root(root, c);
    // A route's gateway defaults to the main gateway; a single regime needs no matrix.
    for (auto& r : c.routes) {
        if (r.gateway.empty()) r.gateway = c.main_gateway;
    }
    if (c.violence.regimes.size() == 1 && c.violence.generator_per_day.empty()) {
        c.violence.generator_per_day = {{0.0}};
    }
    return c;
}

namespace {

std::string route_path(const model::RouteConfig& r) {
    return join_path("route", r.origin);
}

std::string list_text(const std::vector<std::string_view>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i)
        out += (i ? ", " : "") + std::string(names[i]);
    return out;
}

}  // namespace

void check_model(const model::ModelConfig& c, const Locations& locs, Diagnostics& diags) {
    auto err = [&](const std::string& path, std::string msg) {
        if (!diags.has_error_at(path)) diags.error(locs.at(path, std::move(msg)));
    };
    auto warn = [&](const std::string& path, std::string msg) {
        diags.warning(locs.at(path, std::move(msg)));
    };

    // "hour 3912 (2024-11-11)": an hour since the start with its date.
    auto when = [&](double h) {
        std::string out = "hour " + number_text(h);
        if (std::isfinite(h) && std::fabs(h) < 1e7) {
            const auto day = static_cast<std::int64_t>(std::floor(h / 24.0));
            out += " (" + civil_from_days(c.scenario.start_days_since_epoch + day) + ")";
        }
        return out;
    };
    std::vector<std::string_view> codes;
    for (const auto& a : c.airports)
        codes.push_back(a.code);
    auto known_airport = [&](const std::string& code) {
        return std::find(codes.begin(), codes.end(), code) != codes.end();
    };
    auto check_airport = [&](const std::string& code, const std::string& path, const char* role) {
        if (code.empty() || known_airport(code)) return;
        err(path, std::string("unknown airport ") + quote(code) + " (" + role +
                      "); expected one of the [[airport]] codes: " + list_text(codes) +
                      did_you_mean(code, codes));
    };
    auto route_from = [&](const std::string& origin) {
        return std::find_if(c.routes.begin(), c.routes.end(),
                            [&](const auto& r) { return r.origin == origin; }) != c.routes.end();
    };
    auto aircraft_at = [&](const std::string& base) {
        return std::find_if(c.aircraft.begin(), c.aircraft.end(), [&](const auto& a) {
                   return a.home_base == base && a.count > 0;
               }) != c.aircraft.end();
    };

    // The scenario's name is the default results file's name (runs/<name>.h5).
    if (const std::string why = file_name_problem(c.scenario.name); !why.empty()) {
        err("scenario.name", "expected a name usable as a file name (runs/<name>.h5), found " +
                                 quote(c.scenario.name) + ": " + why);
    }
    // The labels of contingents, airports and regimes are attributes of the results file
    // (HDF5 keeps an attribute under 64 KiB): far beyond any mission, but bounded.
    const auto too_many = [&](const char* what, std::size_t n, std::size_t max) {
        if (n > max) {
            err(what, "expected at most " + std::to_string(max) + " [[" + std::string(what) +
                          "]] entries, found " + std::to_string(n));
        }
    };
    too_many("contingent", c.contingents.size(), 1000);
    too_many("airport", c.airports.size(), 1000);
    too_many("aircraft", c.aircraft.size(), 1000);
    too_many("route", c.routes.size(), 1000);
    too_many("link", c.links.size(), 1000);
    too_many("violence.regime", c.violence.regimes.size(), 100);

    check_airport(c.main_gateway, "main_gateway",
                  locs.has("main_gateway") ? "the main gateway"
                                           : "the main gateway, which defaults to \"PAP\"");
    if (c.main_gateway.empty()) {
        err("main_gateway",
            "expected one of the [[airport]] codes: " + list_text(codes) + ", found \"\"");
    }

    // Contingents.
    for (const auto& k : c.contingents) {
        const std::string p = join_path("contingent", k.name);
        check_airport(k.origin, p + ".origin", "the contingent's origin");
        if (!k.origin.empty() && known_airport(k.origin) && !route_from(k.origin)) {
            err(p + ".origin",
                "no [[route]] starts at " + quote(k.origin) + ", so contingent " + quote(k.name) +
                    " could never fly; add a route with origin = " + quote(k.origin));
        }
        std::int64_t sum = 0;
        for (std::size_t i = 0; i < k.generation.size(); ++i) {
            sum += k.generation[i].count;
            if (k.generation[i].day >= c.scenario.horizon_days) {
                warn(index_path(p + ".generation", i),
                     "this batch is ready on day " + format_double(k.generation[i].day) +
                         ", after the horizon (" + std::to_string(c.scenario.horizon_days) +
                         " days): it never deploys");
            }
        }
        // A tour shorter than a day on average is no tour (and one of length zero makes the
        // relief cycle spin at one instant without end).
        const std::string tp = p + ".tour_days";
        if (!diags.has_error_at(tp) && kernel::validate(k.tour_days).empty()) {
            const double tour = kernel::theoretical_mean(k.tour_days);
            if (!(tour >= 1.0)) {
                err(tp, "the mean tour is " + format_double(tour) +
                            " days; expected at least 1 day (tours are months long)");
            }
        }
        if (sum > k.billets && k.billets > 0) {
            err(p + ".generation", "the batches add up to " + std::to_string(sum) +
                                       " personnel, more than the contingent's " +
                                       std::to_string(k.billets) +
                                       " billets; expected a total <= billets");
        }
    }

    // Airports and their closures.
    for (const auto& a : c.airports) {
        const std::string p = join_path("airport", a.code);
        for (std::size_t i = 0; i < a.closures.size(); ++i) {
            const auto& cl = a.closures[i];
            const std::string cp = index_path(p + ".closure", i);
            if (diags.has_error_at("scenario.start") || diags.has_error_at(cp + ".start") ||
                diags.has_error_at(cp + ".end")) {
                continue;  // the dates could not be converted: already reported
            }
            if (!(cl.end_h > cl.start_h)) {
                const std::string end_path = locs.has(cp + ".end") ? cp + ".end" : cp + ".end_h";
                err(end_path, "the closure ends at " + when(cl.end_h) +
                                  ", not after it starts at " + when(cl.start_h) +
                                  "; expected an end after the start");
            } else if (cl.end_h <= 0) {
                warn(cp, "this closure ends before the scenario starts: it has no effect");
            } else if (cl.start_h >= c.scenario.horizon_days * 24.0) {
                warn(cp, "this closure starts after the horizon: it has no effect");
            }
        }
    }

    // Aircraft.
    for (const auto& a : c.aircraft) {
        const std::string p = join_path("aircraft", a.type);
        check_airport(a.home_base, p + ".home_base", "the aircraft's home base");
        if (known_airport(a.home_base) && !route_from(a.home_base) && a.count > 0) {
            warn(p + ".home_base",
                 "no [[route]] starts at " + quote(a.home_base) + ", so this aircraft never flies");
        }
    }

    // Routes.
    std::set<std::string> gateways;
    for (const auto& r : c.routes) {
        const std::string p = route_path(r);
        check_airport(r.origin, p + ".origin", "the route's origin");
        check_airport(r.gateway, p + ".gateway", "the route's gateway");
        if (!r.origin.empty() && r.origin == r.gateway) {
            err(p + ".gateway", "the gateway is the route's own origin " + quote(r.origin) +
                                    "; expected an airport in Haiti");
        } else if (known_airport(r.gateway) && known_airport(c.main_gateway) &&
                   r.gateway != c.main_gateway) {
            err(p + ".gateway", "every route flies into the main gateway " + quote(c.main_gateway) +
                                    ", found " + quote(r.gateway) + "; expected " +
                                    quote(c.main_gateway) +
                                    " (or no gateway key; other gateways are not modelled)");
        }
        for (const auto& alt : r.alternates) {
            const std::string ap = join_path(p + ".alternate", alt.code);
            check_airport(alt.code, ap + ".code", "an alternate");
            if (!alt.code.empty() && alt.code == r.gateway) {
                err(ap + ".code", "an alternate cannot be the route's own gateway " +
                                      quote(r.gateway) + "; expected a different airport");
            }
        }
        if (known_airport(r.origin) && !aircraft_at(r.origin)) {
            warn(p, "no aircraft is based at " + quote(r.origin) +
                        " (no [[aircraft]] with home_base = " + quote(r.origin) +
                        " and count > 0): nobody flies this route");
        }
    }

    // Transfer links.
    for (const auto& l : c.links) {
        check_airport(l.airport, join_path("link", l.name) + ".airport", "the link's airport");
    }

    // Violence.
    const auto& v = c.violence;
    const std::size_t n = v.regimes.size();
    if (v.enabled && n == 0) {
        err("violence.regime",
            "violence is enabled but has no [[violence.regime]]; expected at least one regime "
            "(or enabled = false)");
    }
    if (n > 0 || !v.generator_per_day.empty()) {
        const std::string gp = "violence.generator_per_day";
        bool shape_ok = v.generator_per_day.size() == n;
        for (const auto& row : v.generator_per_day)
            shape_ok = shape_ok && row.size() == n;
        if (!shape_ok) {
            std::string found = std::to_string(v.generator_per_day.size()) + " rows";
            for (std::size_t i = 0; i < v.generator_per_day.size(); ++i) {
                if (v.generator_per_day[i].size() != n) {
                    found += ", row " + std::to_string(i) + " has " +
                             std::to_string(v.generator_per_day[i].size()) + " entries";
                    break;
                }
            }
            err(gp, "expected a " + std::to_string(n) + " x " + std::to_string(n) +
                        " matrix (one row and one column per [[violence.regime]], in file "
                        "order), found " +
                        found);
        } else if (n > 0) {
            for (const auto& problem : kernel::validate_generator(model::generator_matrix(v)))
                err(gp, problem);
        }
    }
    for (const auto& r : v.regimes) {
        // Each attack has at most one effect, drawn with these probabilities.
        const double sum = r.p_close_airport + r.p_cut_link + r.p_patrol_hit;
        if (!(sum <= 1.0 + 1e-12)) {
            const std::string rp = join_path("violence.regime", r.name);
            std::string at = rp;
            for (const char* key : {".p_close_airport", ".p_cut_link", ".p_patrol_hit"})
                if (at == rp && locs.has(rp + key)) at = rp + key;
            err(at, "p_close_airport + p_cut_link + p_patrol_hit of regime " + quote(r.name) +
                        " add up to " + format_double(sum) +
                        "; expected at most 1 (an attack has at most one of these effects)");
        }
    }
    if (!v.initial_regime.empty()) {
        std::vector<std::string_view> names;
        for (const auto& r : v.regimes)
            names.push_back(r.name);
        if (std::find(names.begin(), names.end(), v.initial_regime) == names.end()) {
            err("violence.initial_regime", "expected the name of a [[violence.regime]] (" +
                                               list_text(names) + ") or \"\", found " +
                                               quote(v.initial_regime) +
                                               did_you_mean(v.initial_regime, names));
        }
    }

    // Warnings: full operating capability out of reach; a horizon shorter than one tour.
    std::int64_t authorised = 0, reachable = 0, certain = 0;
    std::vector<std::string> short_of, uncertain;
    std::string first_short;
    for (const auto& k : c.contingents) {
        authorised += k.billets;
        std::int64_t generated = 0;
        for (const auto& b : k.generation) {
            if (b.day < c.scenario.horizon_days) generated += b.count;
        }
        const std::int64_t fill = std::min<std::int64_t>(generated, k.billets);
        if (fill < k.billets) {
            short_of.push_back(k.name + " (" + std::to_string(fill) + " of " +
                               std::to_string(k.billets) + ")");
            if (first_short.empty()) first_short = join_path("contingent", k.name) + ".generation";
        }
        if (k.pledge.probability > 0) reachable += fill;
        if (k.pledge.probability >= 1) {
            certain += fill;
        } else {
            uncertain.push_back(k.name + " (probability " + format_double(k.pledge.probability) +
                                ")");
        }
    }
    // The first ten of `names`, then how many more (a warning stays one readable line).
    auto first_ten = [](const std::vector<std::string>& names) {
        std::string out;
        for (std::size_t i = 0; i < names.size() && i < 10; ++i)
            out += (i ? ", " : "") + names[i];
        if (names.size() > 10) out += " and " + std::to_string(names.size() - 10) + " more";
        return out;
    };
    const double foc = model::personnel_threshold(c.kpis.foc_frac, static_cast<double>(authorised));
    if (authorised > 0 && static_cast<double>(reachable) < foc) {
        const std::string who = first_ten(short_of);
        warn(first_short.empty() ? "kpis.foc_frac" : first_short,
             "full operating capability is unreachable: the generation batches fill at most " +
                 std::to_string(reachable) + " of the " + std::to_string(authorised) +
                 " billets, fewer than foc_frac x billets = " + format_double(foc) +
                 (who.empty() ? std::string() : "; short: " + who));
    } else if (authorised > 0 && static_cast<double>(certain) < foc) {
        const std::string who = first_ten(uncertain);
        warn("kpis.foc_frac",
             "full operating capability is reached only if pledges below probability 1 are "
             "realised (" +
                 who + "); without them at most " + std::to_string(certain) + " of " +
                 std::to_string(authorised) + " billets can be filled");
    }
    for (const auto& k : c.contingents) {
        const std::string p = join_path("contingent", k.name) + ".tour_days";
        if (diags.has_error_at(p) || !kernel::validate(k.tour_days).empty()) continue;
        const double tour = kernel::theoretical_mean(k.tour_days);
        if (tour > c.scenario.horizon_days) {
            warn(p, "the horizon (" + std::to_string(c.scenario.horizon_days) +
                        " days) is shorter than one tour (mean " + format_double(tour) +
                        " days): no rotation of " + quote(k.name) + " is simulated");
        }
    }
    // The model's own consistency check, which every run makes: a scenario that passes the
    // checks above must pass it too, so that no input valid here fails every run. Should the
    // two ever disagree, the model's message is reported against the file.
    if (!diags.has_errors()) {
        for (const std::string& e : model::validate_model_config(c))
            diags.error(locs.at("", "the model rejects this scenario: " + e));
    }
}

}  // namespace mss::scenario::detail
