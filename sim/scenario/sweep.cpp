// sim/scenario/sweep.cpp — reading, checking and expanding sweep files (see sweep.hpp).
#include "sim/scenario/sweep.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include <boost/random/uniform_int_distribution.hpp>

#include "sim/kernel/random.hpp"
#include "sim/model/violence.hpp"
#include "sim/scenario/document.hpp"
#include "sim/scenario/reader.hpp"

namespace mss::scenario {

namespace detail {

template <>
struct EnumNames<Design> {
    static constexpr std::pair<const char*, Design> table[] = {{"grid", Design::grid},
                                                               {"lhs", Design::lhs}};
};

struct SweepSection {
    std::string name;
    std::string description;
    std::string base;
    std::uint64_t seed = 1;
    std::int32_t replications = 1;
    Design design = Design::grid;
    std::optional<std::int32_t> samples;
};

struct FactorEntry {
    std::string key;
    std::optional<std::vector<TomlText>> values;
    std::optional<std::array<double, 2>> range;
    bool integer = false;
};

struct SweepFile {
    SweepSection sweep;
    std::vector<FactorEntry> factor;
};

template <class V, class C>
requires std::same_as<std::remove_const_t<C>, SweepSection>
void fields(V& v, C& c) {
    v.field("name", c.name);
    v.field("description", c.description);
    v.field("base", c.base, kRequired);
    v.field("seed", c.seed);
    v.field("replications", c.replications, {.min = 1, .max = 10'000'000});
    v.field("design", c.design);
    v.field("samples", c.samples, {.min = 1, .max = static_cast<double>(kMaxDesignPoints)});
}

template <class V, class C>
requires std::same_as<std::remove_const_t<C>, FactorEntry>
void fields(V& v, C& c) {
    v.field("key", c.key, kRequired);
    v.field("values", c.values);
    v.field("range", c.range);
    v.field("integer", c.integer);
}

template <class V, class C>
requires std::same_as<std::remove_const_t<C>, SweepFile>
void fields(V& v, C& c) {
    v.field("sweep", c.sweep, kRequired);
    v.field("factor", c.factor);
}

// Keys that would change the shape of the result arrays or their day coordinate.
std::string forbidden_factor(const std::vector<std::string>& segs, bool variable) {
    if (segs.empty() || segs[0] != "scenario") return "";
    const std::string who = variable ? "a variable" : "a factor";
    if (segs.size() == 1 || segs[1] == "horizon_days" || segs[1] == "start")
        return who +
               " may not change the scenario's start or horizon (every run's result "
               "arrays must have the same days)";
    if (segs[1] == "seed" || segs[1] == "replications")
        return variable ? "a variable may not set the scenario's seed or replications: the plan's "
                          "own seed applies to every alternative (common random numbers) and the "
                          "procedure decides the replications"
                        : "a factor may not set the scenario's seed or replications: the sweep's "
                          "own seed and replications apply to every design point (common random "
                          "numbers)";
    return "";
}

}  // namespace detail

namespace {

using detail::quote;

std::uint64_t fnv1a64(std::string_view bytes) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const char c : bytes) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

// The sweep as TOML; for the identity (`full` false) without the keys that only name or
// describe it (name, description, base path).
std::string sweep_text(const SweepConfig& s, bool full) {
    std::string out = "# Fully resolved mss-sim sweep.\n[sweep]\n";
    if (full) {
        out += "name = " + quote(s.name) + "\n";
        out += "description = " + quote(s.description) + "\n";
        out += "base = " + quote(s.base) + "\n";
    }
    out += "seed = " + std::to_string(s.seed) + "\n";
    out += "replications = " + std::to_string(s.replications) + "\n";
    out += std::string("design = ") + (s.design == Design::grid ? "\"grid\"" : "\"lhs\"") + "\n";
    if (s.design == Design::lhs) out += "samples = " + std::to_string(s.samples) + "\n";
    for (const auto& f : s.factors) {
        out += "\n[[factor]]\nkey = " + quote(f.key) + "\n";
        if (s.design == Design::grid) {
            out += "values = [";
            for (std::size_t i = 0; i < f.values.size(); ++i)
                out += (i ? ", " : "") + f.values[i];
            out += "]\n";
        } else if (f.range) {
            out += "range = [" + detail::format_double((*f.range)[0]) + ", " +
                   detail::format_double((*f.range)[1]) + "]\n";
            out += std::string("integer = ") + (f.integer ? "true" : "false") + "\n";
        }
    }
    return out;
}

std::vector<std::string> names_of(const model::ModelConfig& c, int what) {
    std::vector<std::string> out;
    if (what == 0) {
        for (const auto& k : c.contingents)
            out.push_back(k.name);
    } else if (what == 1) {
        for (const auto& a : c.airports)
            out.push_back(a.code);
    } else if (c.violence.enabled) {  // without violence there are no regimes
        for (const auto& r : c.violence.regimes)
            out.push_back(r.name);
    }
    return out;
}

// The regimes' stationary distribution under `c`'s generator (empty if it has none).
std::vector<double> stationary_shares(const model::ModelConfig& c) {
    try {
        return model::stationary_regime_shares(c.violence);
    } catch (const std::invalid_argument&) {  // the loader has reported it
        return {};
    }
}

// Empty when `point` keeps the base's result shape, else what changed.
std::string shape_change(const model::ModelConfig& base, const model::ModelConfig& point) {
    if (point.scenario.horizon_days != base.scenario.horizon_days) {
        return "it changes the horizon (" + std::to_string(base.scenario.horizon_days) + " -> " +
               std::to_string(point.scenario.horizon_days) + " days)";
    }
    if (point.scenario.start_days_since_epoch != base.scenario.start_days_since_epoch) {
        return "it changes the start date";
    }
    static const char* what[] = {"contingents", "airports", "violence regimes"};
    for (int i = 0; i < 3; ++i) {
        if (names_of(base, i) != names_of(point, i)) {
            if (i == 2 && base.violence.enabled != point.violence.enabled)
                return std::string("it switches violence ") +
                       (point.violence.enabled ? "on" : "off") +
                       " (the set of violence regimes changes)";
            return std::string("it changes the set of ") + what[i];
        }
    }
    // The file holds one table of the regimes' stationary shares (/regimes). A generator that
    // only changes how fast the regimes alternate keeps them.
    if (base.violence.enabled &&
        point.violence.generator_per_day != base.violence.generator_per_day) {
        const std::vector<double> a = stationary_shares(base), b = stationary_shares(point);
        bool same = a.size() == b.size();
        for (std::size_t i = 0; same && i < a.size(); ++i)
            same = std::abs(a[i] - b[i]) <= 1e-9;
        if (!same)
            return "it changes the stationary shares of the violence regimes (the results file "
                   "holds one table of them); make a base scenario for each generator instead";
    }
    return {};
}

}  // namespace

std::vector<std::string> DesignPoint::assignments() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : values)
        out.push_back(k + "=" + v);
    return out;
}

std::vector<DesignPoint> expand_design(const SweepConfig& s) {
    std::vector<DesignPoint> points;
    if (s.design == Design::grid) {
        std::int64_t total = 1;
        for (const auto& f : s.factors)
            total *= static_cast<std::int64_t>(f.values.size());
        for (std::int64_t p = 0; p < total; ++p) {
            DesignPoint dp;
            dp.index = p;
            std::int64_t stride = total;
            for (const auto& f : s.factors) {
                const auto n = static_cast<std::int64_t>(f.values.size());
                stride /= n;
                dp.values.emplace_back(f.key, f.values[static_cast<std::size_t>((p / stride) % n)]);
            }
            points.push_back(std::move(dp));
        }
        return points;
    }
    const auto n = static_cast<std::size_t>(std::max(s.samples, 0));
    points.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        points[i].index = static_cast<std::int64_t>(i);
    kernel::RandomStream stream(s.seed, 0, "sweep/lhs");
    for (const auto& f : s.factors) {
        std::vector<std::size_t> perm(n);
        for (std::size_t i = 0; i < n; ++i)
            perm[i] = i;
        for (std::size_t i = n; i-- > 1;) {
            boost::random::uniform_int_distribution<std::size_t> pick(0, i);
            std::swap(perm[i], perm[pick(stream)]);
        }
        const double lo = f.range ? (*f.range)[0] : 0.0, hi = f.range ? (*f.range)[1] : 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            const double q =
                (static_cast<double>(perm[i]) + stream.uniform01()) / static_cast<double>(n);
            std::string text;
            if (f.integer) {
                const double v = std::min(hi, lo + std::floor((hi - lo + 1.0) * q));
                text = std::to_string(static_cast<long long>(v));
            } else {
                text = detail::format_double(lo + (hi - lo) * q);
            }
            points[i].values.emplace_back(f.key, text);
        }
    }
    return points;
}

std::string to_toml(const SweepConfig& sweep) {
    return sweep_text(sweep, true);
}

std::string identity_hash(const SweepConfig& sweep, const std::string& base_resolved_text,
                          const std::vector<DesignPoint>& points) {
    return detail::fnv1a64_hex("mss-sweep/1\n" + sweep_text(sweep, false) + "\n# base\n" +
                               base_resolved_text + "\n# design\n" + detail::design_lines(points));
}

std::string detail::design_lines(const std::vector<DesignPoint>& points) {
    std::string text;
    for (const auto& p : points) {
        text += std::to_string(p.index) + ":";
        for (std::size_t i = 0; i < p.values.size(); ++i) {
            text += (i ? "; " : " ") + p.values[i].first + "=" + p.values[i].second;
        }
        text += "\n";
    }
    return text;
}

std::string detail::fnv1a64_hex(std::string_view bytes) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a64(bytes)));
    return buf;
}

namespace {

/// The sweep file `path` read from `src` with `sets` applied, checked on its own (the base
/// scenario is not read): what load_sweep and read_sweep_text share. Locations go to `locs`.
/// Throws InvalidInput.
SweepConfig read_sweep_config(const std::filesystem::path& path, const FileSource& src,
                              const std::vector<std::string>& sets, Diagnostics& diags,
                              detail::Locations& locs) {
    const std::string shown = detail::display_path(path);
    std::optional<toml::table> doc = detail::parse_file(path, src, diags);
    diags.throw_if_errors();
    if (!doc->contains("sweep")) {
        diags.error(Diagnostic{shown, 1, 1, "sweep",
                               "expected a sweep file (with a [sweep] table), found none"});
    }
    for (const auto& s : sets)
        detail::apply_set(*doc, s, diags);
    detail::SweepFile file;
    detail::Reader reader(diags, locs);
    reader.read_root(*doc, file);

    SweepConfig cfg;
    cfg.name = file.sweep.name.empty() ? path.stem().string() : file.sweep.name;
    if (const std::string why = detail::file_name_problem(cfg.name);
        !file.sweep.name.empty() && !why.empty()) {
        diags.error(
            locs.at("sweep.name", "expected a name usable as a file name (runs/<name>.h5), found " +
                                      quote(cfg.name) + ": " + why));
    }
    cfg.description = file.sweep.description;
    cfg.base = file.sweep.base;
    cfg.base_path = (path.parent_path() / file.sweep.base).lexically_normal();
    cfg.seed = file.sweep.seed;
    cfg.replications = file.sweep.replications;
    cfg.design = file.sweep.design;
    cfg.samples = file.sweep.samples.value_or(0);
    const bool grid = cfg.design == Design::grid;
    if (grid && file.sweep.samples) {
        diags.error(locs.at("sweep.samples",
                            "samples applies to design = \"lhs\"; a grid has "
                            "one point per combination of factor values"));
    }
    if (!grid && !file.sweep.samples && !diags.has_error_at("sweep.samples")) {
        diags.error(locs.at("sweep",
                            "missing required key 'samples' (the number of Latin "
                            "hypercube points, an integer >= 1)"));
    }

    std::set<std::string> keys;
    std::int64_t grid_points = 1;
    for (std::size_t i = 0; i < file.factor.size(); ++i) {
        const auto& fe = file.factor[i];
        const std::string fp = detail::index_path("factor", i);
        Factor f;
        f.key = fe.key;
        f.integer = fe.integer;
        const auto segs = detail::split_key_path(fe.key);
        if (!fe.key.empty() && !segs) {
            diags.error(locs.at(fp + ".key",
                                "expected a key path such as "
                                "contingent.Kenya.tour_days, found " +
                                    quote(fe.key)));
        } else if (const std::string why = segs ? detail::forbidden_factor(*segs, false) : "";
                   !why.empty()) {
            diags.error(locs.at(fp + ".key", why + ", found " + quote(fe.key)));
        }
        if (!fe.key.empty() && !keys.insert(fe.key).second) {
            diags.error(locs.at(fp + ".key", "factor " + quote(fe.key) + " is given twice"));
        }
        if (grid) {
            if (fe.range) {
                diags.error(locs.at(fp + ".range",
                                    "range is for design = \"lhs\"; a grid factor takes values = "
                                    "[...]"));
            }
            if (fe.integer) {
                diags.error(locs.at(fp + ".integer", "integer is for design = \"lhs\" ranges"));
            }
            if (!fe.values && !diags.has_error_at(fp + ".values")) {
                diags.error(locs.at(fp, "missing required key 'values' (the grid's values of " +
                                            quote(fe.key) + ", e.g. values = [1, 2, 3])"));
            } else if (fe.values) {
                for (const auto& v : *fe.values)
                    f.values.push_back(v.text);
                grid_points *= static_cast<std::int64_t>(std::max<std::size_t>(f.values.size(), 1));
                if (grid_points > kMaxDesignPoints) {
                    diags.error(
                        locs.at(fp + ".values", "the grid has more than " +
                                                    std::to_string(kMaxDesignPoints) +
                                                    " design points; expected fewer values"));
                    grid_points = 1;
                }
            }
        } else {
            if (fe.values) {
                diags.error(locs.at(fp + ".values",
                                    "a Latin hypercube factor takes range = "
                                    "[low, high], not values"));
            } else if (!fe.range && !diags.has_error_at(fp + ".range")) {
                diags.error(locs.at(fp, "missing required key 'range' ([low, high])"));
            }
            if (fe.range && fe.integer) {
                const auto& r = *fe.range;
                if (r[0] != std::floor(r[0]) || r[1] != std::floor(r[1])) {
                    diags.error(locs.at(fp + ".range",
                                        "an integer factor needs whole-number bounds, found [" +
                                            detail::format_double(r[0]) + ", " +
                                            detail::format_double(r[1]) + "]"));
                } else if (std::fabs(r[0]) > kMaxExactInteger ||
                           std::fabs(r[1]) > kMaxExactInteger) {
                    // Beyond 2^53 the points' values would not be the whole numbers drawn.
                    diags.error(locs.at(fp + ".range",
                                        "an integer factor's bounds must lie within +-2^53 "
                                        "(9007199254740992), found [" +
                                            detail::format_double(r[0]) + ", " +
                                            detail::format_double(r[1]) + "]"));
                }
            }
            f.range = fe.range;
        }
        cfg.factors.push_back(std::move(f));
    }
    const std::int64_t points = grid ? grid_points : cfg.samples;
    if (points > 0 && cfg.replications > 0 && points > kMaxRuns / cfg.replications) {
        diags.error(locs.at("sweep.replications",
                            "the sweep has " + std::to_string(points) + " design points x " +
                                std::to_string(cfg.replications) + " replications, more than " +
                                std::to_string(kMaxRuns) + " runs; expected fewer"));
    }
    diags.throw_if_errors();
    return cfg;
}

}  // namespace

SweepConfig read_sweep_text(const std::string& text, const std::string& name) {
    MemorySource src;
    src.add(name, text);
    Diagnostics diags;
    detail::Locations locs(detail::display_path(name));
    return read_sweep_config(name, src, {}, diags, locs);
}

SweepLoadResult load_sweep(const std::filesystem::path& path, const std::vector<std::string>& sets,
                           const FileSource* files) {
    const FileSource& src = files ? *files : disk();
    Diagnostics diags;
    detail::Locations locs(detail::display_path(path));
    SweepConfig cfg = read_sweep_config(path, src, sets, diags, locs);
    return detail::load_design(std::move(cfg), src, diags, locs, detail::DesignSites{});
}

namespace detail {

SweepLoadResult load_design(SweepConfig cfg, const FileSource& src, Diagnostics& diags,
                            const Locations& locs, const DesignSites& sites) {
    const bool grid = cfg.design == Design::grid;

    // The base scenario (read once, then from the cache for every design point).
    CachingSource cache(src);
    const Diagnostic base_site = locs.at(sites.base, "");
    if (const FileText t = cache.read(cfg.base_path); !t.text) {
        Diagnostic d = base_site;
        d.message = "cannot read " + quote(detail::display_path(cfg.base_path)) + ": " + t.error;
        diags.error(std::move(d));
        diags.throw_if_errors();
    }
    SweepLoadResult result;
    try {
        result.base = load_scenario(cfg.base_path, {}, &cache);
    } catch (const InvalidInput& e) {
        std::vector<Diagnostic> errors;
        Diagnostic d = base_site;
        d.message =
            "the base scenario " + quote(detail::display_path(cfg.base_path)) + " is not valid:";
        errors.push_back(d);
        errors.insert(errors.end(), e.errors().begin(), e.errors().end());
        throw InvalidInput(std::move(errors), e.warnings());
    }

    // Each factor value on its own (located at the value), then whole points when few.
    int failures = 0;
    auto try_point = [&](const std::vector<std::string>& sets_for_point) -> std::string {
        try {
            const LoadResult r = load_scenario(cfg.base_path, sets_for_point, &cache);
            return shape_change(result.base.config, r.config);
        } catch (const InvalidInput& e) {
            const Diagnostic& first = e.errors().front();
            return (first.key_path.empty() ? std::string() : first.key_path + ": ") + first.message;
        }
    };
    for (std::size_t i = 0; i < cfg.factors.size() && failures < 5; ++i) {
        const Factor& f = cfg.factors[i];
        const std::string fp = detail::index_path(sites.table, i);
        std::vector<std::pair<std::string, std::string>> checks;  // (location, value)
        if (grid) {
            const bool ranged = i < sites.from_range.size() && sites.from_range[i];
            for (std::size_t j = 0; j < f.values.size(); ++j) {
                checks.emplace_back(ranged ? fp + ".range" : detail::index_path(fp + ".values", j),
                                    f.values[j]);
            }
        } else if (f.range) {
            for (const double v : *f.range) {
                checks.emplace_back(fp + ".range", f.integer
                                                       ? std::to_string(static_cast<long long>(v))
                                                       : detail::format_double(v));
            }
        }
        for (const auto& [where, value] : checks) {
            const std::string problem = try_point({f.key + "=" + value});
            if (problem.empty()) continue;
            diags.error(locs.at(where, "with " + f.key + " = " + value + ": " + problem));
            ++failures;
            break;  // one error per factor: its other values most likely fail the same way
        }
    }
    diags.throw_if_errors();
    result.points = expand_design(cfg);
    // A grid of one factor has no point that was not tried above; a hypercube's points lie
    // inside the ranges, where (e.g.) an integer key gets fractions unless `integer = true`.
    // Every point, however many (at most kMaxDesignPoints): a point found invalid only when its
    // runs start would waste every run before it.
    if (cfg.factors.size() > 1 || !grid) {
        for (const auto& p : result.points) {
            std::string problem = try_point(p.assignments());
            if (problem.empty()) continue;
            if (!grid && problem.find("expected an integer") != std::string::npos)
                problem += " (a factor on an integer key needs integer = true)";
            std::string which;
            for (const auto& a : p.assignments())
                which += (which.empty() ? "" : ", ") + a;
            diags.error(locs.at(sites.table, sites.point + " " + std::to_string(p.index) + " (" +
                                                 which + "): " + problem));
            if (++failures >= 5) break;
        }
    }
    diags.throw_if_errors();
    result.sweep = std::move(cfg);
    result.resolved_text = to_toml(result.sweep);
    result.identity_hash = identity_hash(result.sweep, result.base.resolved_text, result.points);
    // Every run takes the sweep's seed and replications, not the base's: the base as run (what
    // a results file keeps as /scenario `toml`) has those two overridden, as `mss run BASE
    // --seed S -r R` resolves it. The identity above covers the base as written, so that
    // journals and shards of earlier versions keep their identity.
    result.base.config.scenario.seed = result.sweep.seed;
    result.base.config.scenario.replications = result.sweep.replications;
    result.base.resolved_text = to_toml(result.base.config);
    result.warnings = result.base.warnings;
    result.warnings.insert(result.warnings.end(), diags.warnings().begin(), diags.warnings().end());
    return result;
}

}  // namespace detail

}  // namespace mss::scenario
