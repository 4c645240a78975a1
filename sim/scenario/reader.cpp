// sim/scenario/reader.cpp — the Reader visitor's core (reader.hpp): key lookup, unknown keys,
// bounds, scalar and list conversions, operator classes, and read_model(). Distributions are in
// distributions.cpp, dates in dates.cpp.
#include "sim/scenario/reader.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mss::scenario::detail {

std::string number_text(double v) {
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
        return std::to_string(static_cast<long long>(v));
    }
    return format_double(v);
}

std::optional<double> integral_value(const toml::node& n) {
    if (const auto* i = n.as_integer()) return static_cast<double>(i->get());
    if (const auto* f = n.as_floating_point()) {
        const double v = f->get();
        if (std::isfinite(v) && v == std::floor(v)) return v;
    }
    return std::nullopt;
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

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

bool Reader::convert(const toml::node& n, const std::string& path, std::int32_t& x,
                     const Spec& spec) {
    // Not an integer at all: say so with the key's own bounds, not the type's.
    if (!integral_value(n)) {
        std::string expected = "an integer";
        if (const std::string b = bounds_text(spec); !b.empty()) expected += " " + b;
        error(n.source(), path, "expected " + expected + ", found " + describe_node(n));
        return false;
    }
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
// ---------------------------------------------------------------- operator classes

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

}  // namespace mss::scenario::detail
