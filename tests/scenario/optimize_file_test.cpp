// tests/scenario/optimize_file_test.cpp — plan files of `mss optimize`: the alternatives, the
// procedure's settings and outputs, the resolved text and identity, and every refusal with its
// file:line:column and key.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/model/observer.hpp"
#include "sim/scenario/optimize_file.hpp"
#include "tests/scenario/scenario_test_helpers.hpp"

using namespace mss::scenario;
using namespace mss::scenario::test;
using Lines = std::vector<std::string>;

namespace {

/// A valid plan. Line numbers matter: tests assert exact locations.
///  1 [optimize]        10 values = [1, 2]                  22 [[constraint]]
///  2 base = ...        12 [[variable]]                     23 kpi = "days_to_foc"
///  3 seed = 7          13 key = "contingent.Kenya...."     24 at_most = 240
///  4 first_stage = 20  14 range = [180, 360]               25 probability = 0.9
///  5 increment = 10    15 step = 90                        26 epsilon = 0.05
///  6 budget = 5000     17 [objective]                      27 batch = 10
///  8 [[variable]]      18 kpi = "cost_usd"                 29 [[constraint]]
///  9 key = "aircr..."  19 goal = "minimise"                30 kpi = "mean_filled_frac"
///                      20 delta = 1.0e6                    31 mean_at_least = 0.8
///                                                          32 epsilon = 0.01
const std::string kPlan = R"([optimize]
base = "../base.toml"
seed = 7
first_stage = 20
increment = 10
budget = 5000

[[variable]]
key = "aircraft.B787.count"
values = [1, 2]

[[variable]]
key = "contingent.Kenya.tour_days"
range = [180, 360]
step = 90

[objective]
kpi = "cost_usd"
goal = "minimise"
delta = 1.0e6

[[constraint]]
kpi = "days_to_foc"
at_most = 240
probability = 0.9
epsilon = 0.05
batch = 10

[[constraint]]
kpi = "mean_filled_frac"
mean_at_least = 0.8
epsilon = 0.01
)";

const char* kPath = "scen/opt/plan.toml";

MemorySource plan_files(const std::string& plan) {
    MemorySource files;
    files.add("scen/base.toml", kMinimal);
    files.add(kPath, plan);
    return files;
}

/// The error lines of loading `plan` (empty if it loads).
Lines plan_errors(const std::string& plan, const std::vector<std::string>& sets = {}) {
    const MemorySource files = plan_files(plan);
    try {
        load_optimize(kPath, sets, &files);
    } catch (const InvalidInput& e) {
        Lines out;
        for (const auto& d : e.errors())
            out.push_back(d.str());
        return out;
    }
    return {};
}

std::size_t kpi(const std::string& name) {
    const auto& cols = mss::model::kpi_columns();
    for (std::size_t i = 0; i < cols.size(); ++i)
        if (name == cols[i].name) return i;
    throw std::logic_error("no KPI " + name);
}

}  // namespace

TEST_CASE("a plan file gives its alternatives, first variable slowest, ranges expanded",
          "[scenario][optimize]") {
    const auto files = plan_files(kPlan);
    const auto r = load_optimize(kPath, {}, &files);
    const OptimizeConfig& p = r.optimize;
    CHECK(p.name == "plan");
    CHECK(p.base_path == "scen/base.toml");
    CHECK(p.seed == 7);
    CHECK(p.confidence == 0.95);
    CHECK(p.first_stage == 20);
    CHECK(p.increment == 10);
    CHECK(p.budget == 5000);
    CHECK(p.max_alternatives == 100);
    REQUIRE(p.variables.size() == 2);
    CHECK(p.variables[1].values == Lines{"180", "270", "360"});
    CHECK(p.alternatives() == 6);
    CHECK(p.objective.kpi == "cost_usd");
    CHECK(p.objective.kpi_index == kpi("cost_usd"));
    CHECK(p.objective.goal == Goal::minimise);
    CHECK(p.objective.delta == 1.0e6);
    CHECK(p.objective.batch == 1);
    REQUIRE(p.constraints.size() == 2);
    CHECK(p.constraints[0].kind == OptConstraint::Kind::probability);
    CHECK(p.constraints[0].kpi_index == kpi("days_to_foc"));
    CHECK(p.constraints[0].at_most);
    CHECK(p.constraints[0].threshold == 240);
    CHECK(p.constraints[0].probability == 0.9);
    CHECK(p.constraints[0].batch == 10);
    CHECK(p.constraints[0].text() == "P(days_to_foc <= 240) >= 0.9");
    CHECK(p.constraints[1].kind == OptConstraint::Kind::mean);
    CHECK_FALSE(p.constraints[1].at_most);
    CHECK(p.constraints[1].threshold == 0.8);
    CHECK(p.constraints[1].batch == 1);
    CHECK(p.constraints[1].text() == "mean mean_filled_frac >= 0.8");

    // The alternatives as a grid sweep over the base.
    CHECK(r.sweep.sweep.design == Design::grid);
    CHECK(r.sweep.sweep.seed == 7);
    CHECK(r.sweep.sweep.replications == 20);
    REQUIRE(r.sweep.points.size() == 6);
    CHECK(r.sweep.points[0].assignments() ==
          Lines{"aircraft.B787.count=1", "contingent.Kenya.tour_days=180"});
    CHECK(r.sweep.points[2].assignments() ==
          Lines{"aircraft.B787.count=1", "contingent.Kenya.tour_days=360"});
    CHECK(r.sweep.points[3].assignments() ==
          Lines{"aircraft.B787.count=2", "contingent.Kenya.tour_days=180"});
    CHECK(r.sweep.base.config.scenario.seed == 7);
    CHECK(r.sweep.identity_hash.size() == 16);

    // The procedure's settings: objective on output 0, one output per constraint.
    const auto s = procedure_settings(p, 6);
    CHECK(s.alternatives == 6);
    CHECK(s.outputs == 3);
    CHECK(s.objective.output == 0);
    CHECK(s.objective.sense == mss::optimize::Sense::minimise);
    CHECK(s.objective.delta == 1.0e6);
    CHECK(s.objective.batch == 1);
    REQUIRE(s.constraints.size() == 2);
    CHECK(s.constraints[0].output == 1);
    CHECK(s.constraints[0].bound == mss::optimize::Bound::at_least);
    CHECK(s.constraints[0].threshold == 0.9);
    CHECK(s.constraints[0].epsilon == 0.05);
    CHECK(s.constraints[0].batch == 10);
    CHECK(s.constraints[0].variance_floor == Approx(0.9 * 0.1 / 10));
    CHECK(s.constraints[1].output == 2);
    CHECK(s.constraints[1].bound == mss::optimize::Bound::at_least);
    CHECK(s.constraints[1].threshold == 0.8);
    CHECK(s.constraints[1].batch == 1);
    CHECK(s.constraints[1].variance_floor == 0.0);
    CHECK(s.confidence == 0.95);
    CHECK(s.first_stage == 20);
    CHECK(s.increment == 10);
    CHECK(s.budget == 5000);
    CHECK_NOTHROW(mss::optimize::Procedure(s, 100));
}

TEST_CASE("an objective batch is passed to the procedure and printed", "[scenario][optimize]") {
    const auto files = plan_files(edit(kPlan, "delta = 1.0e6", "delta = 1.0e6\nbatch = 5"));
    const auto r = load_optimize(kPath, {}, &files);
    CHECK(r.optimize.objective.batch == 5);
    CHECK(procedure_settings(r.optimize, 6).objective.batch == 5);
    // In [objective], before the first [[constraint]].
    CHECK(r.resolved_text.find("batch = 5\n\n[[constraint]]\nkpi = \"days_to_foc\"") !=
          std::string::npos);
    CHECK(to_toml(read_optimize_text(r.resolved_text, "plan_toml")) == r.resolved_text);
}

TEST_CASE("a plan prints as a plan file that reads back to the same plan", "[scenario][optimize]") {
    auto files = plan_files(kPlan);
    const auto r = load_optimize(kPath, {}, &files);
    const OptimizeConfig again = read_optimize_text(r.resolved_text, "plan_toml");
    CHECK(to_toml(again) == r.resolved_text);
    CHECK(again.variables[1].values == r.optimize.variables[1].values);
    CHECK(again.constraints[1].text() == r.optimize.constraints[1].text());
    CHECK(again.base == "../base.toml");
    // Loaded from its own text (beside the original), it is the same plan with the same identity.
    files.add("scen/opt/printed.toml", r.resolved_text);
    const auto printed = load_optimize("scen/opt/printed.toml", {}, &files);
    CHECK(printed.resolved_text == r.resolved_text);
    CHECK(printed.identity_hash == r.identity_hash);
    CHECK_THROWS_AS(read_optimize_text("[optimize\n", "t"), InvalidInput);
    CHECK_THROWS_AS(read_optimize_text("[sweep]\nbase = \"b.toml\"\n", "t"), InvalidInput);
}

TEST_CASE("a plan's identity depends on its content, not on where the files are",
          "[scenario][optimize]") {
    const auto a = plan_files(kPlan);
    const auto ra = load_optimize(kPath, {}, &a);
    CHECK(ra.identity_hash.size() == 16);
    CHECK(ra.identity_hash != ra.sweep.identity_hash);
    CHECK(load_optimize(kPath, {}, &a).identity_hash == ra.identity_hash);
    MemorySource b;
    b.add("elsewhere/base-copy.toml", kMinimal);
    b.add("elsewhere/renamed.toml", edit(kPlan, "../base.toml", "base-copy.toml"));
    const auto rb = load_optimize("elsewhere/renamed.toml", {}, &b);
    CHECK(rb.optimize.name == "renamed");
    CHECK(rb.identity_hash == ra.identity_hash);
    CHECK(load_optimize(kPath, {"constraint[0].at_most=250"}, &a).identity_hash !=
          ra.identity_hash);
    CHECK(load_optimize(kPath, {"optimize.confidence=0.9"}, &a).identity_hash != ra.identity_hash);
    CHECK(load_optimize(kPath, {"objective.batch=5"}, &a).identity_hash != ra.identity_hash);
    MemorySource d = a;
    d.add("scen/base.toml", edit(kMinimal, "billets = 100", "billets = 101"));
    CHECK(load_optimize(kPath, {}, &d).identity_hash != ra.identity_hash);
}

TEST_CASE("procedure outputs: the objective, a 0/1 indicator per probability constraint",
          "[scenario][optimize]") {
    const auto files = plan_files(kPlan);
    const OptimizeConfig p = load_optimize(kPath, {}, &files).optimize;
    std::vector<double> row(mss::model::kpi_columns().size(), 0.0);
    row[kpi("cost_usd")] = 3.5e6;
    row[kpi("days_to_foc")] = 240;
    row[kpi("mean_filled_frac")] = 0.85;
    CHECK(procedure_outputs(p, row) == std::vector<double>{3.5e6, 1.0, 0.85});
    row[kpi("days_to_foc")] = 241;
    CHECK(procedure_outputs(p, row) == std::vector<double>{3.5e6, 0.0, 0.85});
    // Never reached: the event did not happen.
    row[kpi("days_to_foc")] = std::nan("");
    CHECK(procedure_outputs(p, row) == std::vector<double>{3.5e6, 0.0, 0.85});

    // at_least: the event is kpi >= threshold; NaN still counts as failure.
    OptimizeConfig q =
        read_optimize_text(edit(edit(kPlan, "at_most = 240", "at_least = 0.5"),
                                "kpi = \"days_to_foc\"", "kpi = \"min_filled_frac\""),
                           "q.toml");
    REQUIRE(q.constraints[0].text() == "P(min_filled_frac >= 0.5) >= 0.9");
    row[kpi("min_filled_frac")] = 0.5;
    CHECK(procedure_outputs(q, row)[1] == 1.0);
    row[kpi("min_filled_frac")] = 0.49;
    CHECK(procedure_outputs(q, row)[1] == 0.0);
    row[kpi("min_filled_frac")] = std::nan("");
    CHECK(procedure_outputs(q, row)[1] == 0.0);
    // A mean constraint passes the KPI on; mean_at_most is an upper bound.
    q = read_optimize_text(edit(kPlan, "mean_at_least = 0.8", "mean_at_most = 0.95"), "q.toml");
    CHECK(q.constraints[1].text() == "mean mean_filled_frac <= 0.95");
    CHECK(procedure_settings(q, 6).constraints[1].bound == mss::optimize::Bound::at_most);
    CHECK(procedure_outputs(q, row)[2] == 0.85);
    // A maximised objective.
    q = read_optimize_text(edit(edit(kPlan, "minimise", "maximise"), "cost_usd", "pax_in"), "q");
    CHECK(procedure_settings(q, 6).objective.sense == mss::optimize::Sense::maximise);
    row[kpi("pax_in")] = 120;
    CHECK(procedure_outputs(q, row)[0] == 120);
    CHECK_THROWS_AS(procedure_outputs(q, std::vector<double>(3, 0.0)), std::invalid_argument);
}

TEST_CASE("the KPIs that can be NaN", "[scenario][optimize]") {
    Lines nan;
    for (const auto& c : mss::model::kpi_columns())
        if (mss::model::may_be_nan(c)) nan.push_back(c.name);
    CHECK(nan == Lines{"days_to_ioc", "days_to_foc", "gap_person_days", "days_below_floor",
                       "min_filled_frac"});
}

TEST_CASE("plan file errors: keys, the objective, the KPIs", "[scenario][optimize]") {
    CHECK(plan_errors(edit(kPlan, "seed = 7", "sed = 7")) ==
          Lines{"scen/opt/plan.toml:3:1: optimize.sed: unknown key; did you mean 'seed'?"});
    CHECK(plan_errors(kPlan.substr(0, kPlan.find("[objective]")) +
                      kPlan.substr(kPlan.find("[[constraint]]"))) ==
          Lines{"scen/opt/plan.toml:1:1: objective: missing required key 'objective' (a table)"});
    CHECK(plan_errors(edit(kPlan, "kpi = \"cost_usd\"", "kpi = \"days_to_foc\"")) ==
          Lines{"scen/opt/plan.toml:18:7: objective.kpi: the objective is the mean of a KPI, and "
                "days_to_foc is NaN in the runs that never reach it, so its mean is undefined; "
                "constrain it with a probability constraint (at_most or at_least with probability) "
                "instead"});
    CHECK(plan_errors(edit(kPlan, "kpi = \"cost_usd\"", "kpi = \"cost_usd_total\"")) ==
          Lines{"scen/opt/plan.toml:18:7: objective.kpi: unknown run KPI \"cost_usd_total\"; "
                "expected one of: days_to_ioc, days_to_foc, mean_filled_frac, mean_strength_frac, "
                "shortfall_billet_days, gap_person_days, days_below_floor, min_filled_frac, "
                "overstay_person_days, flights_flown, flights_diverted, flights_cancelled, pax_in, "
                "pax_out, airport_closed_days, injured, killed, medevacs, attrited, cost_usd, "
                "funds_held_person_days, beds_held_person_days, lift_held_person_days, "
                "pipeline_billet_days"});
    CHECK(plan_errors(edit(kPlan, "kpi = \"cost_usd\"", "kpi = \"pax_inn\"")) ==
          Lines{"scen/opt/plan.toml:18:7: objective.kpi: unknown run KPI \"pax_inn\"; did you mean "
                "'pax_in'?"});
    CHECK(plan_errors(edit(kPlan, "kpi = \"mean_filled_frac\"", "kpi = \"min_filled_frac\"")) ==
          Lines{"scen/opt/plan.toml:30:7: constraint[1].kpi: a mean constraint on min_filled_frac "
                "is refused: min_filled_frac is NaN in the runs that never reach FOC, so its mean "
                "is undefined; use a probability constraint (at_most or at_least with probability) "
                "instead"});
    CHECK(plan_errors(edit(kPlan, "goal = \"minimise\"", "goal = \"minimize\"")) ==
          Lines{"scen/opt/plan.toml:19:8: objective.goal: expected one of \"minimise\" or "
                "\"maximise\", found a string \"minimize\"; did you mean 'minimise'?"});
    CHECK(plan_errors(edit(kPlan, "delta = 1.0e6", "delta = 0")) ==
          Lines{"scen/opt/plan.toml:20:9: objective.delta: expected a number > 0, found 0"});
    CHECK(plan_errors(edit(kPlan, "delta = 1.0e6", "delta = 1.0e6\nbatch = 0")) ==
          Lines{"scen/opt/plan.toml:21:9: objective.batch: expected an integer between 1 and "
                "1000000, found 0"});
    CHECK(plan_errors(edit(kPlan, "delta = 1.0e6", "delta = 1.0e6\nbatch = 4")) ==
          Lines{"scen/opt/plan.toml:21:9: objective.batch: the objective's batch of 4 replications "
                "must divide first_stage (20) and increment (10)"});
    CHECK(plan_errors(edit(kPlan, "delta = 1.0e6", "delta = 1.0e6\nbatch = 20"),
                      {"optimize.increment=20"}) ==
          Lines{"scen/opt/plan.toml:21:9: objective.batch: first_stage (20) holds one batch of 20 "
                "replications; at least 2 batch means are needed for a variance (first_stage >= "
                "40)"});
    CHECK(plan_errors(edit(kPlan, "[optimize]", "[sweep]")) ==
          Lines{"scen/opt/plan.toml:1:1: optimize: expected a plan file of mss optimize (with an "
                "[optimize] table), found none"});
}

TEST_CASE("plan file errors: constraints", "[scenario][optimize]") {
    CHECK(plan_errors(edit(kPlan, "at_most = 240", "at_most = 240\nat_least = 100")) ==
          Lines{"scen/opt/plan.toml:25:12: constraint[0].at_least: expected exactly one of at_most "
                "and at_least, found both"});
    CHECK(plan_errors(edit(kPlan, "at_most = 240\n", "")) ==
          Lines{"scen/opt/plan.toml:22:1: constraint[0]: a probability constraint needs at_most or "
                "at_least (the per-run event kpi <= at_most or kpi >= at_least), found neither"});
    CHECK(plan_errors(edit(kPlan, "mean_at_least = 0.8", "mean_at_least = 0.8\nbatch = 10")) ==
          Lines{"scen/opt/plan.toml:31:17: constraint[1].mean_at_least: expected either a "
                "probability or a mean constraint, found keys of both: a probability constraint "
                "takes at_most or at_least with probability (and optionally batch); a mean "
                "constraint takes mean_at_most or mean_at_least"});
    CHECK(plan_errors(edit(kPlan, "mean_at_least = 0.8\n", "")) ==
          Lines{"scen/opt/plan.toml:29:1: constraint[1]: missing the constraint's bound: a "
                "probability constraint takes at_most or at_least with probability (and optionally "
                "batch); a mean constraint takes mean_at_most or mean_at_least"});
    CHECK(plan_errors(edit(kPlan, "probability = 0.9\n", "")) ==
          Lines{"scen/opt/plan.toml:22:1: constraint[0]: missing required key 'probability' (the "
                "least probability of the event, a number > 0 and < 1)"});
    CHECK(plan_errors(edit(kPlan, "probability = 0.9", "probability = 1")) ==
          Lines{"scen/opt/plan.toml:25:15: constraint[0].probability: expected a number > 0 and < "
                "1 (a probability), found 1"});
    CHECK(plan_errors(edit(kPlan, "batch = 10", "batch = 5")) ==
          Lines{"scen/opt/plan.toml:27:9: constraint[0].batch: a probability constraint needs "
                "batch means of at least 10 replications (DESIGN §11), found 5"});
    CHECK(plan_errors(edit(kPlan, "first_stage = 20", "first_stage = 25")) ==
          Lines{"scen/opt/plan.toml:27:9: constraint[0].batch: the batch of 10 replications must "
                "divide first_stage (25) and increment (10)"});
    CHECK(
        plan_errors(edit(kPlan, "batch = 10", "batch = 20"), {"optimize.increment=20"}) ==
        Lines{
            "scen/opt/plan.toml:27:9: constraint[0].batch: first_stage (20) holds one batch of 20 "
            "replications; at least 2 batch means are needed for a variance (first_stage >= 40)"});
    CHECK(
        plan_errors(edit(kPlan, "epsilon = 0.05", "epsilon = -0.05")) ==
        Lines{
            "scen/opt/plan.toml:26:11: constraint[0].epsilon: expected a number > 0, found -0.05"});
}

TEST_CASE("plan file errors: alternatives, budget, variables", "[scenario][optimize]") {
    CHECK(plan_errors(edit(kPlan, "range = [180, 360]\nstep = 90", "range = [1, 120]")) ==
          Lines{"scen/opt/plan.toml:8:1: variable: the variables give 240 alternatives, more than "
                "max_alternatives = 100 (which may be raised up to 10000); narrow the variables: a "
                "metamodel-guided search for larger spaces is a later step"});
    CHECK(plan_errors(kPlan, {"optimize.max_alternatives=20000"}) ==
          Lines{"--set optimize.max_alternatives=20000: optimize.max_alternatives: expected an "
                "integer between 1 and 10000, found 20000"});
    // A range of a trillion numbers is counted, not written out.
    CHECK(
        plan_errors(edit(kPlan, "range = [180, 360]\nstep = 90", "range = [0, 1000000000000]")) ==
        Lines{"scen/opt/plan.toml:8:1: variable: the variables give at least 10000000 "
              "alternatives, more than max_alternatives = 100 (which may be raised up to 10000); "
              "narrow the variables: a metamodel-guided search for larger spaces is a later step"});
    CHECK(plan_errors(edit(kPlan, "values = [1, 2]", "values = [1, 2]\nstep = 2")) ==
          Lines{"scen/opt/plan.toml:11:8: variable[0].step: step applies to a range"});
    CHECK(
        plan_errors(edit(kPlan, "budget = 5000", "budget = 100")) ==
        Lines{"scen/opt/plan.toml:6:10: optimize.budget: a budget of 100 runs cannot pay for the "
              "first stage: 6 alternatives x 20 replications = 120 runs; expected budget >= 120"});
    CHECK(plan_errors(kPlan, {"optimize.confidence=1"}) ==
          Lines{"--set optimize.confidence=1: optimize.confidence: expected a number > 0 and < 1 "
                "(the confidence 1 - alpha), found 1"});
    CHECK(plan_errors(edit(kPlan, "values = [1, 2]", "values = [1, -2]")) ==
          Lines{"scen/opt/plan.toml:10:14: variable[0].values[1]: with aircraft.B787.count = -2: "
                "aircraft.B787.count: expected an integer between 0 and 10000, found -2"});
    CHECK(plan_errors(edit(kPlan, "range = [180, 360]", "range = [-180, 360]")) ==
          Lines{"scen/opt/plan.toml:14:9: variable[1].range: with contingent.Kenya.tour_days = "
                "-180: contingent.Kenya.tour_days: expected a duration >= 0, found -180.0"});
    CHECK(
        plan_errors(edit(kPlan, "aircraft.B787.count", "scenario.seed")) ==
        Lines{"scen/opt/plan.toml:9:7: variable[0].key: a variable may not set the scenario's seed "
              "or replications: the plan's own seed applies to every alternative (common random "
              "numbers) and the procedure decides the replications, found \"scenario.seed\""});
    CHECK(plan_errors(edit(kPlan, "aircraft.B787.count", "scenario.horizon_days")) ==
          Lines{"scen/opt/plan.toml:9:7: variable[0].key: a variable may not change the scenario's "
                "start or horizon (every run's result arrays must have the same days), found "
                "\"scenario.horizon_days\""});
    CHECK(plan_errors(edit(kPlan, "range = [180, 360]", "range = [180.5, 360]")) ==
          Lines{"scen/opt/plan.toml:14:9: variable[1].range: a range takes whole numbers within "
                "+-2^53, found [180.5, 360.0]"});
    CHECK(plan_errors(edit(kPlan, "range = [180, 360]", "values = [1]\nrange = [180, 360]")) ==
          Lines{"scen/opt/plan.toml:15:9: variable[1].range: a variable takes values = [...] or "
                "range = [low, high], not both"});
    CHECK(plan_errors(edit(kPlan, "contingent.Kenya.tour_days", "aircraft.B787.count")) ==
          Lines{"scen/opt/plan.toml:13:7: variable[1].key: variable \"aircraft.B787.count\" is "
                "given twice"});
    CHECK(plan_errors(edit(kPlan, "base = \"../base.toml\"", "base = \"../nothere.toml\"")) ==
          Lines{"scen/opt/plan.toml:2:8: optimize.base: cannot read \"scen/nothere.toml\": no such "
                "file"});
}

TEST_CASE("an alternative that combines valid values into an invalid scenario is an error",
          "[scenario][optimize]") {
    // Each value is valid with the base's other values; a pledge below 1 and pipeline stages
    // together are not.
    const std::string plan =
        "[optimize]\nbase = \"../base.toml\"\nbudget = 1000\n"
        "[[variable]]\nkey = \"contingent.Kenya.pledge.probability\"\nvalues = [1.0, 0.5]\n"
        "[[variable]]\nkey = \"contingent.Kenya.pipeline\"\n"
        "values = [[{ name = \"vetting\", days = 30 }]]\n"
        "[objective]\nkpi = \"cost_usd\"\ngoal = \"minimise\"\ndelta = 1.0\n";
    CHECK(plan_errors(plan) ==
          Lines{"scen/opt/plan.toml:4:1: variable: alternative 1 (contingent.Kenya.pledge."
                "probability=0.5, contingent.Kenya.pipeline=[{ days = 30, name = \"vetting\" }]): "
                "contingent.Kenya.pipeline: a contingent has either a pledge or pipeline stages, "
                "found both; expected the pledge as the pipeline's first stage"});
}
