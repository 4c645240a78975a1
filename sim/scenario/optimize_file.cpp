// sim/scenario/optimize_file.cpp — reading and checking plan files of `mss optimize` (see
// optimize_file.hpp).
#include "sim/scenario/optimize_file.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <stdexcept>

#include "sim/model/observer.hpp"
#include "sim/scenario/document.hpp"
#include "sim/scenario/reader.hpp"

namespace mss::scenario {

namespace detail {

template <>
struct EnumNames<Goal> {
    static constexpr std::pair<const char*, Goal> table[] = {{"minimise", Goal::minimise},
                                                             {"maximise", Goal::maximise}};
};

struct OptimizeSection {
    std::string name;
    std::string description;
    std::string base;
    std::uint64_t seed = 1;
    double confidence = 0.95;
    std::int64_t first_stage = 20;
    std::int64_t increment = 10;
    std::int64_t budget = 0;
    std::int64_t max_alternatives = 100;
};

struct VariableEntry {
    std::string key;
    std::optional<std::vector<TomlText>> values;
    std::optional<std::array<double, 2>> range;
    std::optional<std::int64_t> step;
};

struct ObjectiveEntry {
    std::string kpi;
    Goal goal = Goal::minimise;
    double delta = 0;
    std::int64_t batch = 1;
};

struct ConstraintEntry {
    std::string kpi;
    std::optional<double> at_most, at_least, probability, mean_at_most, mean_at_least;
    double epsilon = 0;
    std::optional<std::int64_t> batch;
};

struct OptimizeFile {
    OptimizeSection optimize;
    std::vector<VariableEntry> variable;
    ObjectiveEntry objective;
    std::vector<ConstraintEntry> constraint;
};

inline constexpr std::int64_t kMaxStage = 1'000'000;

template <class V, class C>
requires std::same_as<std::remove_const_t<C>, OptimizeSection>
void fields(V& v, C& c) {
    v.field("name", c.name);
    v.field("description", c.description);
    v.field("base", c.base, kRequired);
    v.field("seed", c.seed);
    v.field("confidence", c.confidence);
    v.field("first_stage", c.first_stage, {.min = 2, .max = kMaxStage});
    v.field("increment", c.increment, {.min = 1, .max = kMaxStage});
    v.field("budget", c.budget, {.required = true, .min = 1, .max = kMaxRuns});
    v.field("max_alternatives", c.max_alternatives,
            {.min = 1, .max = static_cast<double>(kMaxAlternativesCap)});
}

template <class V, class C>
requires std::same_as<std::remove_const_t<C>, VariableEntry>
void fields(V& v, C& c) {
    v.field("key", c.key, kRequired);
    v.field("values", c.values);
    v.field("range", c.range);
    v.field("step", c.step, {.min = 1});
}

template <class V, class C>
requires std::same_as<std::remove_const_t<C>, ObjectiveEntry>
void fields(V& v, C& c) {
    v.field("kpi", c.kpi, kRequired);
    v.field("goal", c.goal, kRequired);
    v.field("delta", c.delta, {.required = true, .min = 0, .min_exclusive = true});
    v.field("batch", c.batch, {.min = 1, .max = kMaxStage});
}

template <class V, class C>
requires std::same_as<std::remove_const_t<C>, ConstraintEntry>
void fields(V& v, C& c) {
    v.field("kpi", c.kpi, kRequired);
    v.field("at_most", c.at_most);
    v.field("at_least", c.at_least);
    v.field("probability", c.probability);
    v.field("mean_at_most", c.mean_at_most);
    v.field("mean_at_least", c.mean_at_least);
    v.field("epsilon", c.epsilon, {.required = true, .min = 0, .min_exclusive = true});
    v.field("batch", c.batch, {.min = 1, .max = kMaxStage});
}

template <class V, class C>
requires std::same_as<std::remove_const_t<C>, OptimizeFile>
void fields(V& v, C& c) {
    v.field("optimize", c.optimize, kRequired);
    v.field("variable", c.variable, kRequired);
    v.field("objective", c.objective, kRequired);
    v.field("constraint", c.constraint);
}

}  // namespace detail

namespace {

using detail::number_text;
using detail::quote;

/// A plan file read on its own, and which variables a range gave.
struct PlanRead {
    OptimizeConfig plan;
    std::vector<bool> from_range;
};

// The plan as TOML; for the identity (`full` false) without the keys that only name or describe
// it (name, description, base path).
std::string plan_text(const OptimizeConfig& p, bool full) {
    std::string out = "# Fully resolved mss-sim optimisation plan.\n[optimize]\n";
    if (full) {
        out += "name = " + quote(p.name) + "\n";
        out += "description = " + quote(p.description) + "\n";
        out += "base = " + quote(p.base) + "\n";
    }
    out += "seed = " + std::to_string(p.seed) + "\n";
    out += "confidence = " + detail::format_double(p.confidence) + "\n";
    out += "first_stage = " + std::to_string(p.first_stage) + "\n";
    out += "increment = " + std::to_string(p.increment) + "\n";
    out += "budget = " + std::to_string(p.budget) + "\n";
    out += "max_alternatives = " + std::to_string(p.max_alternatives) + "\n";
    for (const auto& v : p.variables) {
        out += "\n[[variable]]\nkey = " + quote(v.key) + "\nvalues = [";
        for (std::size_t i = 0; i < v.values.size(); ++i)
            out += (i ? ", " : "") + v.values[i];
        out += "]\n";
    }
    const auto& o = p.objective;
    out += "\n[objective]\nkpi = " + quote(o.kpi) + "\n";
    out += std::string("goal = ") + quote(detail::enum_name(o.goal)) + "\n";
    out += "delta = " + detail::format_double(o.delta) + "\n";
    out += "batch = " + std::to_string(o.batch) + "\n";
    for (const auto& c : p.constraints) {
        out += "\n[[constraint]]\nkpi = " + quote(c.kpi) + "\n";
        const std::string bound = detail::format_double(c.threshold);
        if (c.kind == OptConstraint::Kind::probability) {
            out += (c.at_most ? "at_most = " : "at_least = ") + bound + "\n";
            out += "probability = " + detail::format_double(c.probability) + "\n";
        } else {
            out += (c.at_most ? "mean_at_most = " : "mean_at_least = ") + bound + "\n";
        }
        out += "epsilon = " + detail::format_double(c.epsilon) + "\n";
        if (c.kind == OptConstraint::Kind::probability)
            out += "batch = " + std::to_string(c.batch) + "\n";
    }
    return out;
}

/// The index of run KPI `name` in model::kpi_columns(), or an error at `where`.
std::optional<std::size_t> kpi_index(const std::string& name, const std::string& where,
                                     Diagnostics& diags, const detail::Locations& locs) {
    const auto& cols = model::kpi_columns();
    std::vector<std::string_view> names;
    for (std::size_t i = 0; i < cols.size(); ++i) {
        if (name == cols[i].name) return i;
        names.emplace_back(cols[i].name);
    }
    if (name.empty()) return std::nullopt;  // reported as missing or empty
    std::string msg = "unknown run KPI " + quote(name) + detail::did_you_mean(name, names);
    if (msg.find("did you mean") == std::string::npos) {
        msg += "; expected one of: ";
        for (std::size_t i = 0; i < names.size(); ++i)
            msg += (i ? ", " : "") + std::string(names[i]);
    }
    diags.error(locs.at(where, msg));
    return std::nullopt;
}

/// Why the mean of KPI `column` is undefined in some runs.
std::string nan_reason(const model::KpiColumn& column) {
    return std::string(column.name) + " is NaN in the runs that never reach " +
           (column.first_day ? "it" : "FOC") + ", so its mean is undefined";
}

/// A number in (0, 1) at `where`, or an error.
void check_open_unit(double x, const std::string& where, const std::string& what,
                     Diagnostics& diags, const detail::Locations& locs) {
    if (!(x > 0.0 && x < 1.0) && !diags.has_error_at(where)) {
        diags.error(locs.at(
            where, "expected a number > 0 and < 1 (" + what + "), found " + number_text(x)));
    }
}

OptConstraint read_constraint(const detail::ConstraintEntry& ce, const std::string& cp,
                              const OptimizeConfig& plan, Diagnostics& diags,
                              const detail::Locations& locs) {
    OptConstraint c;
    c.kpi = ce.kpi;
    c.epsilon = ce.epsilon;
    const auto index = kpi_index(ce.kpi, cp + ".kpi", diags, locs);
    c.kpi_index = index.value_or(0);
    const bool probability_keys = ce.at_most || ce.at_least || ce.probability || ce.batch;
    const bool mean_keys = ce.mean_at_most || ce.mean_at_least;
    const std::string kinds =
        "a probability constraint takes at_most or at_least with probability (and optionally "
        "batch); a mean constraint takes mean_at_most or mean_at_least";
    if (probability_keys && mean_keys) {
        diags.error(locs.at(cp + (ce.mean_at_most ? ".mean_at_most" : ".mean_at_least"),
                            "expected either a probability or a mean constraint, found keys of "
                            "both: " +
                                kinds));
        return c;
    }
    if (!probability_keys && !mean_keys) {
        diags.error(locs.at(cp, "missing the constraint's bound: " + kinds));
        return c;
    }
    if (mean_keys) {
        c.kind = OptConstraint::Kind::mean;
        if (ce.mean_at_most && ce.mean_at_least) {
            diags.error(locs.at(cp + ".mean_at_least",
                                "expected exactly one of mean_at_most and mean_at_least, found "
                                "both"));
        }
        c.at_most = ce.mean_at_most.has_value();
        c.threshold = ce.mean_at_most ? *ce.mean_at_most : *ce.mean_at_least;
        if (index && model::may_be_nan(model::kpi_columns()[*index])) {
            diags.error(locs.at(cp + ".kpi", "a mean constraint on " + ce.kpi + " is refused: " +
                                                 nan_reason(model::kpi_columns()[*index]) +
                                                 "; use a probability constraint (at_most or "
                                                 "at_least with probability) instead"));
        }
        return c;
    }
    c.kind = OptConstraint::Kind::probability;
    if (ce.at_most && ce.at_least) {
        diags.error(
            locs.at(cp + ".at_least", "expected exactly one of at_most and at_least, found both"));
    } else if (!ce.at_most && !ce.at_least) {
        diags.error(locs.at(cp,
                            "a probability constraint needs at_most or at_least (the per-run "
                            "event kpi <= at_most or kpi >= at_least), found neither"));
    }
    c.at_most = !ce.at_least.has_value();
    c.threshold = ce.at_most ? *ce.at_most : ce.at_least.value_or(0.0);
    if (!ce.probability) {
        if (!diags.has_error_at(cp + ".probability"))
            diags.error(locs.at(cp,
                                "missing required key 'probability' (the least probability "
                                "of the event, a number > 0 and < 1)"));
    } else {
        c.probability = *ce.probability;
        check_open_unit(c.probability, cp + ".probability", "a probability", diags, locs);
    }
    c.batch = ce.batch.value_or(10);
    const std::string bp = ce.batch ? cp + ".batch" : cp;
    if (diags.has_error_at(cp + ".batch")) return c;
    if (c.batch < 10) {
        diags.error(locs.at(bp,
                            "a probability constraint needs batch means of at least 10 "
                            "replications (DESIGN §11), found " +
                                std::to_string(c.batch)));
    } else if (plan.first_stage % c.batch != 0 || plan.increment % c.batch != 0) {
        diags.error(locs.at(bp, "the batch of " + std::to_string(c.batch) +
                                    " replications must divide first_stage (" +
                                    std::to_string(plan.first_stage) + ") and increment (" +
                                    std::to_string(plan.increment) + ")"));
    } else if (plan.first_stage / c.batch < 2) {
        diags.error(locs.at(bp, "first_stage (" + std::to_string(plan.first_stage) +
                                    ") holds one batch of " + std::to_string(c.batch) +
                                    " replications; at least 2 batch means are needed for a "
                                    "variance (first_stage >= " +
                                    std::to_string(2 * c.batch) + ")"));
    }
    return c;
}

/// The plan file `path` read from `src` with `sets` applied, checked on its own (the base
/// scenario is not read): what load_optimize and read_optimize_text share. Throws InvalidInput.
PlanRead read_plan(const std::filesystem::path& path, const FileSource& src,
                   const std::vector<std::string>& sets, Diagnostics& diags,
                   detail::Locations& locs) {
    const std::string shown = detail::display_path(path);
    std::optional<toml::table> doc = detail::parse_file(path, src, diags);
    diags.throw_if_errors();
    if (!doc->contains("optimize")) {
        diags.error(Diagnostic{shown, 1, 1, "optimize",
                               "expected a plan file of mss optimize (with an [optimize] table), "
                               "found none"});
        diags.throw_if_errors();  // a scenario or sweep file: nothing else is worth saying
    }
    for (const auto& s : sets)
        detail::apply_set(*doc, s, diags);
    detail::OptimizeFile file;
    detail::Reader reader(diags, locs);
    reader.read_root(*doc, file);

    PlanRead out;
    OptimizeConfig& plan = out.plan;
    const auto& sec = file.optimize;
    plan.name = sec.name.empty() ? path.stem().string() : sec.name;
    if (const std::string why = detail::file_name_problem(plan.name);
        !sec.name.empty() && !why.empty()) {
        diags.error(locs.at("optimize.name",
                            "expected a name usable as a file name (runs/<name>.h5), found " +
                                quote(plan.name) + ": " + why));
    }
    plan.description = sec.description;
    plan.base = sec.base;
    plan.base_path = (path.parent_path() / sec.base).lexically_normal();
    plan.seed = sec.seed;
    plan.confidence = sec.confidence;
    check_open_unit(plan.confidence, "optimize.confidence", "the confidence 1 - alpha", diags,
                    locs);
    plan.first_stage = sec.first_stage;
    plan.increment = sec.increment;
    plan.budget = sec.budget;
    plan.max_alternatives = sec.max_alternatives;

    // Variables: the values, or a range's whole numbers (counted before they are written out).
    std::set<std::string> keys;
    bool counted = true;
    std::int64_t alternatives = 1;  // saturates above the cap
    for (std::size_t i = 0; i < file.variable.size(); ++i) {
        const auto& ve = file.variable[i];
        const std::string vp = detail::index_path("variable", i);
        Factor f;
        f.key = ve.key;
        const auto segs = detail::split_key_path(ve.key);
        if (!ve.key.empty() && !segs) {
            diags.error(locs.at(
                vp + ".key",
                "expected a key path such as aircraft.charter.count, found " + quote(ve.key)));
        } else if (const std::string why = segs ? detail::forbidden_factor(*segs, true) : "";
                   !why.empty()) {
            diags.error(locs.at(vp + ".key", why + ", found " + quote(ve.key)));
        }
        if (!ve.key.empty() && !keys.insert(ve.key).second) {
            diags.error(locs.at(vp + ".key", "variable " + quote(ve.key) + " is given twice"));
        }
        std::int64_t count = 0;
        if (ve.values && ve.range) {
            diags.error(locs.at(vp + ".range",
                                "a variable takes values = [...] or range = [low, "
                                "high], not both"));
        } else if (ve.values) {
            for (const auto& v : *ve.values)
                f.values.push_back(v.text);
            count = static_cast<std::int64_t>(f.values.size());
            if (ve.step) diags.error(locs.at(vp + ".step", "step applies to a range"));
        } else if (ve.range) {
            const auto& r = *ve.range;
            const std::int64_t step = ve.step.value_or(1);
            if (r[0] != std::floor(r[0]) || r[1] != std::floor(r[1]) ||
                std::fabs(r[0]) > kMaxExactInteger || std::fabs(r[1]) > kMaxExactInteger) {
                diags.error(
                    locs.at(vp + ".range", "a range takes whole numbers within +-2^53, found [" +
                                               detail::format_double(r[0]) + ", " +
                                               detail::format_double(r[1]) + "]"));
            } else if (!diags.has_error_at(vp + ".step")) {
                count = static_cast<std::int64_t>((r[1] - r[0]) / static_cast<double>(step)) + 1;
                out.from_range.resize(i + 1, false);
                out.from_range[i] = true;
                // Expanded only when small enough: a range may hold billions of numbers.
                if (count <= kMaxAlternativesCap) {
                    for (std::int64_t j = 0; j < count; ++j)
                        f.values.push_back(std::to_string(static_cast<long long>(r[0]) +
                                                          static_cast<long long>(j * step)));
                }
            }
        } else if (!diags.has_error_at(vp + ".values") && !diags.has_error_at(vp + ".range")) {
            diags.error(locs.at(vp, "missing required key 'values' or 'range' (the values of " +
                                        quote(ve.key) +
                                        ", e.g. values = [1, 2, 3] or range = [180, 360])"));
        }
        if (count == 0) counted = false;
        constexpr std::int64_t kSaturated = kMaxAlternativesCap * 1000;
        const std::int64_t n = std::max<std::int64_t>(count, 1);
        alternatives =
            n > kSaturated / alternatives ? kSaturated : std::min(alternatives * n, kSaturated);
        plan.variables.push_back(std::move(f));
    }
    out.from_range.resize(plan.variables.size(), false);
    if (counted && !file.variable.empty() && alternatives > plan.max_alternatives &&
        !diags.has_error_at("optimize.max_alternatives")) {
        const std::string n = alternatives >= kMaxAlternativesCap * 1000
                                  ? "at least " + std::to_string(kMaxAlternativesCap * 1000)
                                  : std::to_string(alternatives);
        diags.error(locs.at(
            "variable",
            "the variables give " + n + " alternatives, more than max_alternatives = " +
                std::to_string(plan.max_alternatives) + " (which may be raised up to " +
                std::to_string(kMaxAlternativesCap) +
                "); narrow the variables: a metamodel-guided search for larger spaces is a later "
                "step"));
        counted = false;
    }

    // Objective and constraints.
    const auto& oe = file.objective;
    plan.objective.kpi = oe.kpi;
    plan.objective.goal = oe.goal;
    plan.objective.delta = oe.delta;
    plan.objective.batch = oe.batch;
    if (const std::int64_t b = oe.batch; !diags.has_error_at("objective.batch")) {
        const std::string n0 = std::to_string(plan.first_stage);
        if (plan.first_stage % b != 0 || plan.increment % b != 0)
            diags.error(locs.at("objective.batch", "the objective's batch of " + std::to_string(b) +
                                                       " replications must divide first_stage (" +
                                                       n0 + ") and increment (" +
                                                       std::to_string(plan.increment) + ")"));
        else if (plan.first_stage / b < 2)
            diags.error(locs.at("objective.batch",
                                "first_stage (" + n0 + ") holds one batch of " + std::to_string(b) +
                                    " replications; at least 2 batch means are needed for a "
                                    "variance (first_stage >= " +
                                    std::to_string(2 * b) + ")"));
    }
    if (const auto index = kpi_index(oe.kpi, "objective.kpi", diags, locs)) {
        plan.objective.kpi_index = *index;
        if (model::may_be_nan(model::kpi_columns()[*index])) {
            diags.error(locs.at("objective.kpi",
                                "the objective is the mean of a KPI, and " +
                                    nan_reason(model::kpi_columns()[*index]) +
                                    "; constrain it with a probability constraint (at_most or "
                                    "at_least with probability) instead"));
        }
    }
    for (std::size_t i = 0; i < file.constraint.size(); ++i) {
        plan.constraints.push_back(read_constraint(
            file.constraint[i], detail::index_path("constraint", i), plan, diags, locs));
    }

    if (counted && !file.variable.empty()) {
        const std::int64_t first = alternatives * plan.first_stage;
        if (plan.budget < first && !diags.has_error_at("optimize.budget")) {
            diags.error(locs.at(
                "optimize.budget",
                "a budget of " + std::to_string(plan.budget) +
                    " runs cannot pay for the first stage: " + std::to_string(alternatives) +
                    " alternatives x " + std::to_string(plan.first_stage) + " replications = " +
                    std::to_string(first) + " runs; expected budget >= " + std::to_string(first)));
        }
    }
    diags.throw_if_errors();
    // What the procedure still refuses. Its checks that depend on the number of alternatives are
    // made above; at most 2 here so that checking a large plan does not allocate the k x k table.
    try {
        const auto k = static_cast<std::size_t>(std::min<std::int64_t>(alternatives, 2));
        optimize::Procedure check(procedure_settings(plan, k),
                                  static_cast<std::size_t>(plan.max_alternatives));
    } catch (const std::invalid_argument& e) {
        diags.error(locs.at("optimize", e.what()));
    }
    diags.throw_if_errors();
    return out;
}

}  // namespace

std::string OptConstraint::text() const {
    const std::string op = at_most ? " <= " : " >= ";
    if (kind == Kind::mean) return "mean " + kpi + op + number_text(threshold);
    return "P(" + kpi + op + number_text(threshold) + ") >= " + number_text(probability);
}

std::int64_t OptimizeConfig::alternatives() const {
    std::int64_t n = 1;
    for (const auto& v : variables)
        n *= static_cast<std::int64_t>(v.values.size());
    return n;
}

OptimizeConfig read_optimize_text(const std::string& text, const std::string& name) {
    MemorySource src;
    src.add(name, text);
    Diagnostics diags;
    detail::Locations locs(detail::display_path(name));
    return read_plan(name, src, {}, diags, locs).plan;
}

std::string to_toml(const OptimizeConfig& plan) {
    return plan_text(plan, true);
}

OptimizeLoadResult load_optimize(const std::filesystem::path& path,
                                 const std::vector<std::string>& sets, const FileSource* files) {
    const FileSource& src = files ? *files : disk();
    Diagnostics diags;
    detail::Locations locs(detail::display_path(path));
    PlanRead read = read_plan(path, src, sets, diags, locs);

    OptimizeLoadResult result;
    result.optimize = std::move(read.plan);
    const OptimizeConfig& plan = result.optimize;
    SweepConfig grid;
    grid.name = plan.name;
    grid.description = plan.description;
    grid.base = plan.base;
    grid.base_path = plan.base_path;
    grid.seed = plan.seed;
    grid.replications = static_cast<std::int32_t>(plan.first_stage);
    grid.design = Design::grid;
    grid.factors = plan.variables;
    result.sweep = detail::load_design(std::move(grid), src, diags, locs,
                                       detail::DesignSites{.table = "variable",
                                                           .base = "optimize.base",
                                                           .point = "alternative",
                                                           .from_range = read.from_range});
    result.resolved_text = to_toml(plan);
    result.identity_hash =
        detail::fnv1a64_hex("mss-optimize/1\n" + plan_text(plan, false) + "\n# base\n" +
                            result.sweep.base.resolved_text + "\n# design\n" +
                            detail::design_lines(result.sweep.points));
    result.warnings = result.sweep.warnings;
    return result;
}

optimize::Settings procedure_settings(const OptimizeConfig& plan, std::size_t alternatives) {
    optimize::Settings s;
    s.alternatives = alternatives;
    s.outputs = 1 + plan.constraints.size();
    s.objective.output = 0;
    s.objective.sense = plan.objective.goal == Goal::minimise ? optimize::Sense::minimise
                                                              : optimize::Sense::maximise;
    s.objective.delta = plan.objective.delta;
    s.objective.batch = plan.objective.batch;
    for (std::size_t l = 0; l < plan.constraints.size(); ++l) {
        const OptConstraint& c = plan.constraints[l];
        if (c.kind == OptConstraint::Kind::probability) {
            s.constraints.push_back(
                optimize::probability_constraint(1 + l, c.probability, c.epsilon, c.batch));
        } else {
            optimize::Constraint m;
            m.output = 1 + l;
            m.bound = c.at_most ? optimize::Bound::at_most : optimize::Bound::at_least;
            m.threshold = c.threshold;
            m.epsilon = c.epsilon;
            m.batch = 1;
            m.variance_floor = 0.0;
            s.constraints.push_back(m);
        }
    }
    s.confidence = plan.confidence;
    s.first_stage = plan.first_stage;
    s.increment = plan.increment;
    s.budget = plan.budget;
    return s;
}

std::vector<double> procedure_outputs(const OptimizeConfig& plan, const std::vector<double>& kpis) {
    auto at = [&](std::size_t i) {
        if (i >= kpis.size())
            throw std::invalid_argument("procedure_outputs: a KPI row of " +
                                        std::to_string(kpis.size()) + " values has no column " +
                                        std::to_string(i));
        return kpis[i];
    };
    std::vector<double> out;
    out.reserve(1 + plan.constraints.size());
    out.push_back(at(plan.objective.kpi_index));
    for (const OptConstraint& c : plan.constraints) {
        const double v = at(c.kpi_index);
        if (c.kind == OptConstraint::Kind::mean) {
            out.push_back(v);
        } else {
            // NaN ("never reached") fails both comparisons: the event did not happen.
            const bool event = c.at_most ? v <= c.threshold : v >= c.threshold;
            out.push_back(event ? 1.0 : 0.0);
        }
    }
    return out;
}

}  // namespace mss::scenario
