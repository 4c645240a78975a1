// tests/scenario/sweep_test.cpp — sweep files: schema, design expansion (grid order, Latin
// hypercube strata), the identity hash, and the rule that factors keep the result shape.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "tests/scenario/scenario_test_helpers.hpp"

using namespace mss::scenario;
using namespace mss::scenario::test;
using Lines = std::vector<std::string>;

namespace {

MemorySource sweep_files(const std::string& sweep) {
    MemorySource files;
    files.add("scen/base.toml", kMinimal);
    files.add("scen/sweeps/s.toml", sweep);
    return files;
}

const std::string kGrid = R"([sweep]
base = "../base.toml"
seed = 42
replications = 3

[[factor]]
key = "aircraft.B787.count"
values = [1, 2]

[[factor]]
key = "contingent.Kenya.tour_days"
values = [180, 365, { dist = "uniform", min = 200, max = 300 }]
)";

}  // namespace

TEST_CASE("a grid sweep expands in nested-loop order, first factor slowest", "[scenario][sweep]") {
    const auto files = sweep_files(kGrid);
    const auto r = load_sweep("scen/sweeps/s.toml", {}, &files);
    CHECK(r.sweep.name == "s");
    CHECK(r.sweep.base_path == "scen/base.toml");
    CHECK(r.sweep.replications == 3);
    REQUIRE(r.points.size() == 6);
    CHECK(r.runs() == 18);
    CHECK(r.points[0].assignments() ==
          Lines{"aircraft.B787.count=1", "contingent.Kenya.tour_days=180"});
    CHECK(r.points[2].assignments() ==
          Lines{"aircraft.B787.count=1",
                "contingent.Kenya.tour_days={ dist = \"uniform\", max = 300, min = 200 }"});
    CHECK(r.points[3].assignments() ==
          Lines{"aircraft.B787.count=2", "contingent.Kenya.tour_days=180"});
    CHECK(r.base.config.scenario.name == "t");
    // The base as run: the sweep's seed and replications, in the config and the resolved text.
    CHECK(r.base.config.scenario.seed == 42);
    CHECK(r.base.config.scenario.replications == 3);
    CHECK(r.base.resolved_text.find("seed = 42\n") != std::string::npos);
    CHECK(r.base.resolved_text.find("replications = 3\n") != std::string::npos);
    // Each point loads: the overrides are valid.
    const auto p = load_scenario(r.sweep.base_path, r.points[5].assignments(), &files);
    CHECK(p.config.aircraft[0].count == 2);
    CHECK(p.config.contingents[0].tour_days == mss::kernel::DistributionSpec::uniform(200, 300));
}

TEST_CASE("a Latin hypercube puts one point in each stratum of every factor", "[scenario][sweep]") {
    SweepConfig s;
    s.seed = 7;
    s.design = Design::lhs;
    s.samples = 50;
    s.factors = {Factor{"a", {}, std::array<double, 2>{0.0, 1.0}, false},
                 Factor{"b", {}, std::array<double, 2>{10.0, 20.0}, false},
                 Factor{"c", {}, std::array<double, 2>{1.0, 5.0}, true}};
    const auto points = expand_design(s);
    REQUIRE(points.size() == 50);
    for (std::size_t f = 0; f < 2; ++f) {
        const double lo = f == 0 ? 0.0 : 10.0, width = f == 0 ? 1.0 : 10.0;
        std::set<int> strata;
        for (const auto& p : points) {
            const double v = std::stod(p.values[f].second);
            REQUIRE(v >= lo);
            REQUIRE(v < lo + width);
            strata.insert(static_cast<int>(std::floor((v - lo) / width * 50)));
        }
        CHECK(strata.size() == 50);
    }
    std::map<std::string, int> counts;
    for (const auto& p : points)
        ++counts[p.values[2].second];
    CHECK(counts ==
          std::map<std::string, int>{{"1", 10}, {"2", 10}, {"3", 10}, {"4", 10}, {"5", 10}});
    // The design is a function of the seed.
    CHECK(expand_design(s)[17].values == points[17].values);
    SweepConfig other = s;
    other.seed = 8;
    CHECK(expand_design(other)[17].values != points[17].values);
}

TEST_CASE("the identity hash depends on content, not on where the files are", "[scenario][sweep]") {
    const auto a = sweep_files(kGrid);
    MemorySource b;
    b.add("elsewhere/base-copy.toml", kMinimal);
    b.add("elsewhere/renamed.toml", edit(kGrid, "../base.toml", "base-copy.toml"));
    const auto ra = load_sweep("scen/sweeps/s.toml", {}, &a);
    const auto rb = load_sweep("elsewhere/renamed.toml", {}, &b);
    CHECK(rb.sweep.name == "renamed");
    CHECK(ra.identity_hash.size() == 16);
    CHECK(ra.identity_hash == rb.identity_hash);
    const auto rc = load_sweep("scen/sweeps/s.toml", {"sweep.seed=43"}, &a);
    CHECK(rc.identity_hash != ra.identity_hash);
    MemorySource d = a;
    d.add("scen/base.toml", edit(kMinimal, "billets = 100", "billets = 101"));
    CHECK(load_sweep("scen/sweeps/s.toml", {}, &d).identity_hash != ra.identity_hash);
}

TEST_CASE("a sweep prints as a sweep file that reloads and reprints identically",
          "[scenario][sweep]") {
    auto files = sweep_files(kGrid);
    const auto r = load_sweep("scen/sweeps/s.toml", {}, &files);
    files.add("scen/sweeps/printed.toml", r.resolved_text);
    const auto again = load_sweep("scen/sweeps/printed.toml", {}, &files);
    CHECK(again.resolved_text == r.resolved_text);
    CHECK(again.identity_hash == r.identity_hash);
}

TEST_CASE("a sweep's resolved text alone gives its design points again", "[scenario][sweep]") {
    // What `mss summary` does with a results file's /scenario sweep_toml: the base scenario,
    // named relative to a file that is elsewhere by then, is not read.
    auto files = sweep_files(kGrid);
    const auto lhs = edit(edit(kGrid, "replications = 3",
                               "replications = 3\ndesign = \"lhs\"\n"
                               "samples = 9"),
                          "values = [180, 365, { dist = \"uniform\", min = 200, max = 300 }]",
                          "range = [150.0, 400.0]");
    files.add("scen/sweeps/lhs.toml",
              edit(lhs, "values = [1, 2]", "range = [1, 3]\ninteger = true"));
    for (const char* name : {"scen/sweeps/s.toml", "scen/sweeps/lhs.toml"}) {
        INFO(name);
        const auto r = load_sweep(name, {}, &files);
        const auto points = expand_design(read_sweep_text(r.resolved_text, "sweep_toml"));
        REQUIRE(points.size() == r.points.size());
        for (std::size_t p = 0; p < points.size(); ++p)
            CHECK(points[p].assignments() == r.points[p].assignments());
    }
    CHECK(expand_design(
              read_sweep_text(load_sweep("scen/sweeps/s.toml", {}, &files).resolved_text, "t"))[5]
              .assignments() ==
          Lines{"aircraft.B787.count=2",
                "contingent.Kenya.tour_days={ dist = \"uniform\", max = 300, min = 200 }"});
    CHECK_THROWS_AS(read_sweep_text("[sweep\n", "t"), InvalidInput);
    CHECK_THROWS_AS(read_sweep_text("[scenario]\nname = \"x\"\n", "t"), InvalidInput);
}

TEST_CASE("overrides of a sweep set the sweep's own keys", "[scenario][sweep]") {
    const auto files = sweep_files(kGrid);
    const auto r = load_sweep("scen/sweeps/s.toml",
                              {"sweep.replications=1", "factor[0].values=[1, 2, 3]"}, &files);
    CHECK(r.runs() == 9);
}

TEST_CASE("factors may not change the horizon, start, contingents or airports",
          "[scenario][sweep]") {
    CHECK(sweep_errors("scen/sweeps/s.toml",
                       sweep_files(edit(kGrid, "aircraft.B787.count", "scenario.horizon_days"))) ==
          Lines{"scen/sweeps/s.toml:7:7: factor[0].key: a factor may not change the scenario's "
                "start or horizon (every run's result arrays must have the same days), found "
                "\"scenario.horizon_days\""});
    CHECK(sweep_errors("scen/sweeps/s.toml",
                       sweep_files(edit(edit(kGrid, "aircraft.B787.count", "airport.NBO.code"),
                                        "values = [1, 2]", "values = [\"NBO\", \"XYZ\"]"))) ==
          Lines{"scen/sweeps/s.toml:8:18: factor[0].values[1]: with airport.NBO.code = \"XYZ\": "
                "contingent.Kenya.origin: unknown airport \"NBO\" (the contingent's origin); "
                "expected one of the [[airport]] codes: PAP, XYZ"});
}

TEST_CASE("factors may not switch violence or change the regimes' stationary shares",
          "[scenario][sweep]") {
    // The results file holds one /regimes table (names, stationary shares) for every point.
    const std::string violent = kMinimal + R"(
[violence]
enabled = true
generator_per_day = [[-0.1, 0.1], [0.2, -0.2]]
[[violence.regime]]
name = "calm"
[[violence.regime]]
name = "tense"
)";
    auto files = [&](const std::string& base, const std::string& key, const std::string& values) {
        MemorySource f;
        f.add("scen/base.toml", base);
        f.add("scen/sweeps/s.toml", "[sweep]\nbase = \"../base.toml\"\n[[factor]]\nkey = \"" + key +
                                        "\"\nvalues = " + values + "\n");
        return f;
    };
    CHECK(sweep_errors("scen/sweeps/s.toml", files(violent, "violence.enabled", "[true, false]")) ==
          Lines{"scen/sweeps/s.toml:5:17: factor[0].values[1]: with violence.enabled = false: it "
                "switches violence off (the set of violence regimes changes)"});
    CHECK(
        sweep_errors("scen/sweeps/s.toml", files(edit(violent, "enabled = true", "enabled = false"),
                                                 "violence.enabled", "[true]")) ==
        Lines{"scen/sweeps/s.toml:5:11: factor[0].values[0]: with violence.enabled = true: it "
              "switches violence on (the set of violence regimes changes)"});
    CHECK(sweep_errors("scen/sweeps/s.toml",
                       files(violent, "violence.generator_per_day",
                             "[[[-0.1, 0.1], [0.2, -0.2]], [[-0.1, 0.1], [0.1, -0.1]]]")) ==
          Lines{"scen/sweeps/s.toml:5:39: factor[0].values[1]: with violence.generator_per_day = "
                "[[-0.1, 0.1], [0.1, -0.1]]: it changes the stationary shares of the violence "
                "regimes (the results file holds one table of them); make a base scenario for each "
                "generator instead"});
    // Faster or slower alternation with the same shares is a valid factor.
    const auto ok = files(violent, "violence.generator_per_day",
                          "[[[-0.1, 0.1], [0.2, -0.2]], [[-0.3, 0.3], [0.6, -0.6]]]");
    CHECK(load_sweep("scen/sweeps/s.toml", {}, &ok).points.size() == 2);
}

TEST_CASE("a factor value that makes the scenario invalid is an error at the value",
          "[scenario][sweep]") {
    CHECK(sweep_errors("scen/sweeps/s.toml",
                       sweep_files(edit(kGrid, "values = [1, 2]", "values = [1, -2]"))) ==
          Lines{"scen/sweeps/s.toml:8:14: factor[0].values[1]: with aircraft.B787.count = -2: "
                "aircraft.B787.count: expected an integer between 0 and 10000, found -2"});
    CHECK(sweep_errors("scen/sweeps/s.toml",
                       sweep_files(edit(kGrid, "aircraft.B787.count", "aircraft.A380.count"))) ==
          Lines{"scen/sweeps/s.toml:8:11: factor[0].values[0]: with aircraft.A380.count = 1: "
                "aircraft.A380.count: no aircraft has type = \"A380\" (there are: B787)"});
}

TEST_CASE("a hypercube of one factor checks its points, not only the range's ends",
          "[scenario][sweep]") {
    // The ends 1 and 3 are whole numbers; the points in between are not.
    const std::string one =
        "[sweep]\nbase = \"../base.toml\"\ndesign = \"lhs\"\nsamples = 4\n"
        "[[factor]]\nkey = \"aircraft.B787.count\"\nrange = [1, 3]\n";
    const Lines errors = sweep_errors("scen/sweeps/s.toml", sweep_files(one));
    REQUIRE(errors.size() == 4);  // every point, up to 5
    CHECK(errors[0].rfind("scen/sweeps/s.toml:5:1: factor: design point 0 (aircraft.B787.count=",
                          0) == 0);
    CHECK(errors[0].find("expected an integer, found a number") != std::string::npos);
    CHECK(errors[0].find("(a factor on an integer key needs integer = true)") != std::string::npos);
    // With integer = true the same sweep loads.
    auto files = sweep_files(one + "integer = true\n");
    CHECK(load_sweep("scen/sweeps/s.toml", {}, &files).points.size() == 4);
}

TEST_CASE("sweep schema errors", "[scenario][sweep]") {
    CHECK(sweep_errors("scen/sweeps/s.toml", sweep_files("[sweep]\nbase = \"../base.toml\"\n"
                                                         "design = \"lhs\"\n")) ==
          Lines{"scen/sweeps/s.toml:1:1: sweep: missing required key 'samples' (the number of "
                "Latin hypercube points, an integer >= 1)"});
    CHECK(sweep_errors("scen/sweeps/s.toml",
                       sweep_files("[sweep]\nbase = \"../base.toml\"\ndesign = \"lhs\"\n"
                                   "samples = 4\n[[factor]]\nkey = \"kpis.foc_frac\"\n"
                                   "values = [0.5]\n")) ==
          Lines{"scen/sweeps/s.toml:7:10: factor[0].values: a Latin hypercube factor takes "
                "range = [low, high], not values"});
    CHECK(sweep_errors("scen/sweeps/s.toml",
                       sweep_files("[sweep]\nbase = \"../base.toml\"\ndesign = \"grd\"\n")) ==
          Lines{"scen/sweeps/s.toml:3:10: sweep.design: expected one of \"grid\" or \"lhs\", "
                "found a string \"grd\"; did you mean 'grid'?"});
    CHECK(
        sweep_errors("scen/sweeps/s.toml", sweep_files("[sweep]\nbase = \"../nothere.toml\"\n")) ==
        Lines{"scen/sweeps/s.toml:2:8: sweep.base: cannot read \"scen/nothere.toml\": no such "
              "file"});
    CHECK(sweep_errors("scen/sweeps/s.toml",
                       sweep_files("[sweep]\nbase = \"../base.toml\"\nreplication = 3\n")) ==
          Lines{"scen/sweeps/s.toml:3:1: sweep.replication: unknown key; did you mean "
                "'replications'?"});
    CHECK(sweep_errors("scen/sweeps/s.toml",
                       sweep_files("[sweep]\nbase = \"../base.toml\"\ndesign = \"lhs\"\n"
                                   "samples = 4\n[[factor]]\nkey = \"aircraft.B787.count\"\n"
                                   "range = [1.5, 3]\ninteger = true\n")) ==
          Lines{"scen/sweeps/s.toml:7:9: factor[0].range: an integer factor needs whole-number "
                "bounds, found [1.5, 3.0]"});
}

TEST_CASE("factors on the seed or replications, values beside a range, oversized sweeps",
          "[scenario][sweep]") {
    // A factor on scenario.seed changed nothing (the sweep's seed applies): two equal points.
    CHECK(sweep_errors("scen/sweeps/s.toml",
                       sweep_files(edit(kGrid, "aircraft.B787.count", "scenario.seed"))) ==
          Lines{"scen/sweeps/s.toml:7:7: factor[0].key: a factor may not set the scenario's seed "
                "or replications: the sweep's own seed and replications apply to every design "
                "point (common random numbers), found \"scenario.seed\""});
    CHECK(sweep_errors("scen/sweeps/s.toml",
                       sweep_files(edit(kGrid, "aircraft.B787.count", "scenario.replications")))
              .size() == 1);
    // An LHS factor with both: values were silently ignored.
    CHECK(sweep_errors("scen/sweeps/s.toml",
                       sweep_files("[sweep]\nbase = \"../base.toml\"\ndesign = \"lhs\"\n"
                                   "samples = 4\n[[factor]]\nkey = \"kpis.foc_frac\"\n"
                                   "range = [0.5, 0.9]\nvalues = [0.5]\n")) ==
          Lines{"scen/sweeps/s.toml:8:10: factor[0].values: a Latin hypercube factor takes "
                "range = [low, high], not values"});
    // Integer bounds past 2^53 overflowed the conversion (undefined behaviour).
    CHECK(sweep_errors("scen/sweeps/s.toml",
                       sweep_files("[sweep]\nbase = \"../base.toml\"\ndesign = \"lhs\"\n"
                                   "samples = 4\n[[factor]]\nkey = \"aircraft.B787.count\"\n"
                                   "range = [0, 9223372036854775807]\ninteger = true\n")) ==
          Lines{"scen/sweeps/s.toml:7:9: factor[0].range: an integer factor's bounds must lie "
                "within +-2^53 (9007199254740992), found [0.0, 9223372036854775808.0]"});
    // A bad samples value is one error, not also "missing required key 'samples'".
    CHECK(sweep_errors("scen/sweeps/s.toml",
                       sweep_files("[sweep]\nbase = \"../base.toml\"\ndesign = \"lhs\"\n"
                                   "samples = 0\n[[factor]]\nkey = \"kpis.foc_frac\"\n"
                                   "range = [0.5, 0.9]\n")) ==
          Lines{"scen/sweeps/s.toml:4:11: sweep.samples: expected an integer between 1 and "
                "100000, found 0"});
    // 100,000 points x 10,000,000 replications: refused before anything is built.
    CHECK(sweep_errors("scen/sweeps/s.toml",
                       sweep_files("[sweep]\nbase = \"../base.toml\"\ndesign = \"lhs\"\n"
                                   "samples = 100000\nreplications = 10000000\n[[factor]]\n"
                                   "key = \"kpis.foc_frac\"\nrange = [0.5, 0.9]\n")) ==
          Lines{"scen/sweeps/s.toml:5:16: sweep.replications: the sweep has 100000 design points "
                "x 10000000 replications, more than 10000000 runs; expected fewer"});
}

TEST_CASE("errors in the base scenario are reported through the sweep", "[scenario][sweep]") {
    MemorySource files = sweep_files(kGrid);
    files.add("scen/base.toml", edit(kMinimal, "billets = 100", "billets = 0"));
    CHECK(sweep_errors("scen/sweeps/s.toml", files) ==
          Lines{"scen/sweeps/s.toml:2:8: sweep.base: the base scenario \"scen/base.toml\" is not "
                "valid:",
                "scen/base.toml:9:11: contingent.Kenya.billets: expected an integer between 1 and "
                "1000000, found 0"});
}
