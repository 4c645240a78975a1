// sim/scenario/reader.hpp — the schema visitor that turns a merged TOML table into config
// structs (internal). It reports every problem it meets (types, the ranges of schema.hpp,
// missing and unknown keys, typos, invalid distributions, dates) to a Diagnostics collector and
// keeps going; a value that fails keeps its default so that later checks can still run. Every key
// it reads has its location recorded in Locations (locations.hpp), so the cross-checks that run
// afterwards (checks.hpp) can point at the file, line and column of the value they complain about.
// Its members are defined by concern: reader.cpp (lookup, scalars, lists, classes),
// distributions.cpp (durations and counts), dates.cpp (dates).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "sim/kernel/distribution.hpp"
#include "sim/model/config.hpp"
#include "sim/scenario/dates.hpp"
#include "sim/scenario/diagnostic.hpp"
#include "sim/scenario/locations.hpp"
#include "sim/scenario/schema.hpp"
#include "sim/scenario/text.hpp"

namespace mss::scenario::detail {

/// Any TOML value, kept as its text (sweep factor values).
struct TomlText {
    std::string text;
    std::optional<double> number;  ///< the value, when it is a number
};

/// Reads config structs from TOML tables through their `fields` functions (schema.hpp).
class Reader {
public:
    Reader(Diagnostics& diags, Locations& locs) : diags_(diags), locs_(locs) {}

    /// Reads `root` into `out`, reporting unknown keys of `root` too.
    template <class T>
    void read_root(const toml::table& root, T& out) {
        Scope scope{&root, std::string(), {}};
        Scope* saved = scope_;
        scope_ = &scope;
        fields(*this, out);
        report_unknown(scope);
        scope_ = saved;
    }

    // ---- visitor primitives (see schema.hpp) ----

    template <class T>
    void field(std::string_view key, T& x, const Spec& spec = {}) {
        std::string path;
        if (const toml::node* n = lookup(key, spec, path, hint(x, spec)))
            convert(*n, path, x, spec);
    }
    void date(std::string_view key, std::int32_t& days, const Spec& spec);
    void day_or_date(std::string_view day_key, std::string_view date_key, double& x,
                     const Spec& spec);
    void day_or_date(std::string_view day_key, std::string_view date_key, std::optional<double>& x,
                     const Spec& spec);
    void hours_or_date(std::string_view h_key, std::string_view date_key, double& x,
                       const Spec& spec);
    void classes(std::string_view key, bool& all, std::vector<model::OperatorClass>& classes);

    /// Reports an error at a node.
    void error(const toml::source_region& where, const std::string& path, std::string message) {
        diags_.error(at(where, path, std::move(message)));
    }
    /// The scenario start, once read (dates elsewhere are converted relative to it).
    std::optional<std::int64_t> start_days() const { return start_days_; }

    // ---- conversions of one node; each reports its own errors and returns success ----

    bool convert(const toml::node& n, const std::string& path, std::string& x, const Spec& spec);
    bool convert(const toml::node& n, const std::string& path, bool& x, const Spec& spec);
    bool convert(const toml::node& n, const std::string& path, std::int32_t& x, const Spec& spec);
    bool convert(const toml::node& n, const std::string& path, std::int64_t& x, const Spec& spec);
    bool convert(const toml::node& n, const std::string& path, std::uint64_t& x, const Spec& spec);
    bool convert(const toml::node& n, const std::string& path, double& x, const Spec& spec);
    bool convert(const toml::node& n, const std::string& path, kernel::DistributionSpec& x,
                 const Spec& spec);
    bool convert(const toml::node& n, const std::string& path, kernel::CountSpec& x,
                 const Spec& spec);
    bool convert(const toml::node& n, const std::string& path, std::vector<std::vector<double>>& x,
                 const Spec& spec);
    bool convert(const toml::node& n, const std::string& path, std::vector<std::string>& x,
                 const Spec& spec);
    bool convert(const toml::node& n, const std::string& path, std::vector<TomlText>& x,
                 const Spec& spec);
    bool convert(const toml::node& n, const std::string& path, std::array<double, 2>& x,
                 const Spec& spec);

    template <NamedEnum E>
    bool convert(const toml::node& n, const std::string& path, E& x, const Spec&) {
        std::vector<std::string_view> names;
        for (const auto& [name, value] : EnumNames<E>::table)
            names.emplace_back(name);
        const auto* s = n.as_string();
        if (s) {
            for (const auto& [name, value] : EnumNames<E>::table) {
                if (s->get() == name) {
                    x = value;
                    return true;
                }
            }
        }
        error(n.source(), path,
              "expected one of " + one_of(names) + ", found " + describe_node(n) +
                  (s ? did_you_mean(s->get(), names) : std::string()));
        return false;
    }

    template <Struct T>
    bool convert(const toml::node& n, const std::string& path, T& x, const Spec&) {
        const toml::table* t = n.as_table();
        if (!t) {
            error(n.source(), path, "expected a table, found " + describe_node(n));
            return false;
        }
        Scope scope{t, path, {}};
        Scope* saved = scope_;
        scope_ = &scope;
        fields(*this, x);
        report_unknown(scope);
        scope_ = saved;
        return true;
    }

    template <class T>
    bool convert(const toml::node& n, const std::string& path, std::optional<T>& x,
                 const Spec& spec) {
        T value{};
        if (!convert(n, path, value, spec)) return false;
        x = std::move(value);
        return true;
    }

    template <Struct T>
    bool convert(const toml::node& n, const std::string& path, std::vector<T>& x,
                 const Spec& spec) {
        const toml::array* a = n.as_array();
        const std::string leaf = leaf_of(path);
        if (!a) {
            error(n.source(), path,
                  "expected an array of tables ([[" + leaf + "]] entries), found " +
                      describe_node(n));
            return false;
        }
        std::map<std::string, toml::source_region> seen;
        std::vector<T> out;
        for (std::size_t i = 0; i < a->size(); ++i) {
            const toml::node& e = *a->get(i);
            std::string entry_path = index_path(path, i);
            if (spec.id) {
                if (const toml::node* idn = e.as_table() ? e.as_table()->get(spec.id) : nullptr;
                    idn && idn->as_string() && !idn->as_string()->get().empty()) {
                    const std::string& id = idn->as_string()->get();
                    entry_path = join_path(path, id);
                    if (auto [it, fresh] = seen.emplace(id, e.source()); !fresh) {
                        error(idn->source(), entry_path + "." + spec.id,
                              "duplicate " + leaf + " " + quote(id) + " (first defined at " +
                                  where_text(it->second) + "); each " + spec.id +
                                  " may appear once");
                    }
                }
            }
            locs_.record(entry_path, path, e.source());
            T value{};
            if (convert(e, entry_path, value, spec)) out.push_back(std::move(value));
        }
        if (spec.required && a->empty()) {
            error(n.source(), path, "expected at least one [[" + leaf + "]] entry, found none");
        }
        x = std::move(out);
        return true;
    }

private:
    struct Scope {
        const toml::table* table;
        std::string path;
        std::vector<std::string_view> known;
    };

    const toml::node* lookup(std::string_view key, const Spec& spec, std::string& path,
                             const std::string& expected);
    void report_unknown(const Scope& scope);
    bool check_bounds(const toml::node& n, const std::string& path, double v, const Spec& spec,
                      bool integer);
    bool read_distribution_table(const toml::table& t, const std::string& path,
                                 kernel::DistributionSpec& x);
    bool read_count_table(const toml::table& t, const std::string& path, kernel::CountSpec& x);
    /// A date or date-time of `n` relative to the scenario start (dates.cpp); nothing when it is
    /// not one (reported) or the start is unknown (reported where the start is).
    std::optional<SinceStart> since_start(const toml::node& n, const std::string& path,
                                          bool allow_time);

    static std::string one_of(const std::vector<std::string_view>& names);
    static std::string leaf_of(const std::string& path);
    static std::string where_text(const toml::source_region& r);

    // What a missing value should have been, for "missing" messages.
    static std::string hint(const std::string&, const Spec&) { return "a string"; }
    static std::string hint(const bool&, const Spec&) { return "true or false"; }
    static std::string hint(const std::int32_t&, const Spec&) { return "an integer"; }
    static std::string hint(const std::int64_t&, const Spec&) { return "an integer"; }
    static std::string hint(const std::uint64_t&, const Spec&) { return "an integer"; }
    static std::string hint(const double&, const Spec&) { return "a number"; }
    static std::string hint(const kernel::DistributionSpec&, const Spec&) {
        return "a duration (a number, or a distribution such as { dist = \"lognormal\", "
               "median = 2.0, sigma = 0.2 })";
    }
    static std::string hint(const kernel::CountSpec&, const Spec&) {
        return "a count (an integer, or a distribution such as { dist = \"poisson\", mean = "
               "1.0 })";
    }
    template <class T>
    static std::string hint(const std::vector<T>&, const Spec&) {
        return "an array";
    }
    template <class T>
    static std::string hint(const std::optional<T>&, const Spec& s) {
        return hint(T{}, s);
    }
    template <NamedEnum E>
    static std::string hint(const E&, const Spec&) {
        std::vector<std::string_view> names;
        for (const auto& [name, value] : EnumNames<E>::table)
            names.emplace_back(name);
        return one_of(names);
    }
    template <class T>
    static std::string hint(const T&, const Spec&) {
        return "a table";
    }

    Diagnostics& diags_;
    Locations& locs_;
    Scope* scope_ = nullptr;
    std::optional<std::int64_t> start_days_;
};

/// Reads a scenario table (the merged document) into a config. The config starts from
/// scenario_defaults(); values that fail keep their defaults.
model::ModelConfig read_model(const toml::table& root, Diagnostics& diags, Locations& locs);
/// The defaults of a scenario file (the config structs' own, plus main_gateway = "PAP").
model::ModelConfig scenario_defaults();

/// A number as messages show it: an integral value without a fraction ("3", not "3.0").
std::string number_text(double v);
/// An integer node, or a floating-point node holding an integer value (LHS factors and
/// hand-written "3.0" both arrive as floats).
std::optional<double> integral_value(const toml::node& n);

}  // namespace mss::scenario::detail
