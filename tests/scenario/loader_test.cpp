// tests/scenario/loader_test.cpp — every error class of the scenario loader, with its exact
// location and message, and every warning (DESIGN §4).
#include <catch2/catch.hpp>

#include "sim/model/mission.hpp"
#include "tests/scenario/scenario_test_helpers.hpp"

using namespace mss::scenario;
using namespace mss::scenario::test;
using Lines = std::vector<std::string>;

TEST_CASE("the minimal scenario loads with defaults filled in", "[scenario]") {
    const LoadResult r = load_text(kMinimal);
    CHECK(r.warnings.empty());
    const auto& c = r.config;
    CHECK(c.scenario.name == "t");
    CHECK(c.scenario.start_days_since_epoch == 19875);
    CHECK(c.scenario.horizon_days == 400);
    CHECK(c.main_gateway == "PAP");
    REQUIRE(c.contingents.size() == 1);
    CHECK(c.contingents[0].generation[0].day == 1.0);
    CHECK(c.contingents[0].tour_days == mss::kernel::DistributionSpec::constant(300.0));
    REQUIRE(c.routes.size() == 1);
    CHECK(c.routes[0].gateway == "PAP");
    CHECK(c.aircraft[0].seats == 200);
    CHECK(c.kpis.foc_frac == 0.95);
}

TEST_CASE("a TOML syntax error names the parser's line and column", "[scenario]") {
    const Lines e = errors(edit(kMinimal, "billets = 100", "billets = = 100"));
    REQUIRE(e.size() == 1);
    CHECK(e[0].rfind("t.toml:9:11: invalid TOML: ", 0) == 0);
}

TEST_CASE("missing required keys and collections are errors at their table", "[scenario]") {
    CHECK(errors(edit(kMinimal, "start = 2024-06-01\n", "")) ==
          Lines{"t.toml:1:1: scenario.start: missing required key 'start' (a date such as "
                "2024-06-01)"});
    CHECK(errors(edit(kMinimal, "[[route]]\norigin = \"NBO\"\nblock_h = 17.0\n", "")) ==
          Lines{"t.toml:1:1: route: missing required key 'route' (an array)",
                "t.toml:8:10: contingent.Kenya.origin: no [[route]] starts at \"NBO\", so "
                "contingent \"Kenya\" could never fly; add a route with origin = \"NBO\""});
    CHECK(errors(edit(kMinimal, "origin = \"NBO\"\nblock_h = 17.0", "origin = \"NBO\"")) ==
          Lines{"t.toml:23:1: route.NBO.block_h: missing required key 'block_h' (a duration (a "
                "number, or a distribution such as { dist = \"lognormal\", median = 2.0, sigma = "
                "0.2 }))"});
}

TEST_CASE("unknown keys are errors with the nearest valid key", "[scenario]") {
    CHECK(errors(edit(kMinimal, "billets = 100", "bilets = 100")) ==
          Lines{"t.toml:6:1: contingent.Kenya.billets: missing required key 'billets' (an "
                "integer)",
                "t.toml:9:1: contingent.Kenya.bilets: unknown key; did you mean 'billets'?"});
    CHECK(errors(kMinimal + "[kpis]\nzzz = 1\n") ==
          Lines{"t.toml:27:1: kpis.zzz: unknown key; expected one of: ioc_frac, foc_frac, "
                "floor_frac, binding_from_day, binding_from_date, binding_to_day, "
                "binding_to_date"});
    CHECK(errors(kMinimal + "[violence]\nenabeld = false\n") ==
          Lines{"t.toml:27:1: violence.enabeld: unknown key; did you mean 'enabled'?"});
}

TEST_CASE("wrong types say what was expected and what was found", "[scenario]") {
    CHECK(errors(edit(kMinimal, "billets = 100", "billets = \"many\"")) ==
          Lines{"t.toml:9:11: contingent.Kenya.billets: expected an integer, found a string "
                "\"many\""});
    CHECK(errors(edit(kMinimal, "start = 2024-06-01", "start = \"2024-06-01\"")) ==
          Lines{"t.toml:3:9: scenario.start: expected a date such as 2024-06-01, found a string "
                "\"2024-06-01\" (write dates without quotes)"});
    CHECK(errors(edit(kMinimal, "name = \"t\"", "name = 5")) ==
          Lines{"t.toml:2:8: scenario.name: expected a string, found an integer 5"});
    CHECK(errors(kMinimal + "[output]\nevents = 1\n") ==
          Lines{"t.toml:27:10: output.events: expected true or false, found an integer 1"});
    CHECK(errors(edit(kMinimal, "billets = 100", "billets = 2.5")) ==
          Lines{"t.toml:9:11: contingent.Kenya.billets: expected an integer, found a number "
                "2.5"});
    CHECK(errors(kMinimal + "[[link]]\nname = \"x\"\nairport = \"PAP\"\nkind = \"bus\"\n") ==
          Lines{"t.toml:29:8: link.x.kind: expected one of \"helicopter\" or \"road\", found a "
                "string \"bus\"",
                // The model's own check, which the loader no longer skips when there are errors.
                "t.toml:28:11: link.x.airport: a transfer link runs from an alternate to theatre, "
                "found the main gateway \"PAP\"; expected another airport"});
    CHECK(errors(kMinimal + "[airlift]\nmin_load = 1e400\n").size() == 1);
}

TEST_CASE("numbers out of range are errors: zero seats, zero billets, fractions", "[scenario]") {
    CHECK(errors(edit(kMinimal, "home_base = \"NBO\"", "home_base = \"NBO\"\nseats = 0")) ==
          Lines{"t.toml:22:9: aircraft.B787.seats: expected an integer between 1 and 1000000, "
                "found 0"});
    CHECK(errors(edit(kMinimal, "billets = 100", "billets = 0")) ==
          Lines{"t.toml:9:11: contingent.Kenya.billets: expected an integer between 1 and "
                "1000000, found 0"});
    CHECK(errors(kMinimal + "[contingent.pledge]\nprobability = 1.5\n") ==
          Lines{"t.toml:27:15: contingent.Kenya.pledge.probability: expected a number between 0 "
                "and 1, found 1.5"});
    CHECK(errors(kMinimal + "[kpis]\nfoc_frac = -0.1\n") ==
          Lines{"t.toml:27:12: kpis.foc_frac: expected a number between 0 and 1, found -0.1"});
    CHECK(errors(kMinimal + "[kpis]\nfoc_frac = nan\n") ==
          Lines{"t.toml:27:12: kpis.foc_frac: expected a finite number between 0 and 1, found "
                "nan"});
    CHECK(errors(edit(kMinimal, "horizon_days = 400", "horizon_days = 0")) ==
          Lines{"t.toml:4:16: scenario.horizon_days: expected an integer between 1 and 36500, "
                "found 0"});
}

TEST_CASE("durations must be valid distributions that never draw a negative value", "[scenario]") {
    CHECK(errors(edit(kMinimal, "block_h = 17.0", "block_h = -1")) ==
          Lines{"t.toml:25:11: route.NBO.block_h: expected a duration >= 0, found -1.0"});
    // A route's own launch thresholds, checked like the airlift policy's.
    CHECK(errors(edit(kMinimal, "block_h = 17.0", "block_h = 17.0\nmin_load = 0")) ==
          Lines{"t.toml:26:12: route.NBO.min_load: expected an integer >= 1, found 0"});
    CHECK(load_text(edit(kMinimal, "block_h = 17.0", "block_h = 17.0\nmin_load = 1"))
              .config.routes[0]
              .min_load == 1);
    // Unbounded: a lognormal whose draws overflow to infinity, an absurd constant.
    CHECK(errors(edit(kMinimal, "block_h = 17.0",
                      "block_h = { dist = \"lognormal\", median = 1.0, sigma = 700.0 }")) ==
          Lines{"t.toml:25:11: route.NBO.block_h: expected a duration with a finite mean of at "
                "most 1000000 (hours), found lognormal(median=1, sigma=700) with mean inf"});
    CHECK(errors(edit(kMinimal, "tour_days = 300", "tour_days = 1e308")) ==
          Lines{"t.toml:11:13: contingent.Kenya.tour_days: expected a duration of at most "
                "1000000 (days), found 1e+308"});
    CHECK(errors(edit(kMinimal, "tour_days = 300",
                      "tour_days = { dist = \"normal\", mean = 365, sd = 15 }")) ==
          Lines{"t.toml:11:13: contingent.Kenya.tour_days: expected a duration (never "
                "negative), found normal(mean=365, sd=15), which can draw negative values; give "
                "lower = 0 (or more)"});
    CHECK(errors(edit(kMinimal, "tour_days = 300",
                      "tour_days = { dist = \"normal\", mean = 365, sd = 15, lower = 0 }"))
              .empty());
    CHECK(errors(edit(kMinimal, "tour_days = 300",
                      "tour_days = { dist = \"uniform\", min = 5, max = 3 }")) ==
          Lines{"t.toml:11:13: contingent.Kenya.tour_days: uniform: min (5) must be <= max (3)"});
    CHECK(errors(edit(kMinimal, "tour_days = 300", "tour_days = { dist = \"lognormall\" }")) ==
          Lines{"t.toml:11:22: contingent.Kenya.tour_days.dist: expected one of \"constant\", "
                "\"uniform\", \"triangular\", \"exponential\", \"normal\", \"lognormal\", "
                "\"gamma\", \"weibull\" or \"empirical\", found a string \"lognormall\"; did you "
                "mean 'lognormal'?"});
    CHECK(errors(edit(kMinimal, "tour_days = 300",
                      "tour_days = { dist = \"normal\", mean = 365, sd = 15, min = 0 }")) ==
          Lines{"t.toml:11:53: contingent.Kenya.tour_days.min: a normal distribution is "
                "truncated with lower and upper, not min and max"});
    CHECK(errors(edit(kMinimal, "tour_days = 300", "tour_days = { mean = 3 }")) ==
          Lines{"t.toml:11:13: contingent.Kenya.tour_days: a distribution table needs dist = "
                "one of \"constant\", \"uniform\", \"triangular\", \"exponential\", \"normal\", "
                "\"lognormal\", \"gamma\", \"weibull\" or \"empirical\", found no dist key"});
    CHECK(errors(edit(kMinimal, "tour_days = 300",
                      "tour_days = { dist = \"lognormal\", median = 3 }")) ==
          Lines{"t.toml:11:13: contingent.Kenya.tour_days.sigma: a lognormal distribution needs "
                "sigma"});
    CHECK(errors(edit(kMinimal, "tour_days = 300", "tour_days = \"long\"")) ==
          Lines{"t.toml:11:13: contingent.Kenya.tour_days: expected a duration: a number, or a "
                "distribution such as { dist = \"lognormal\", median = 2.0, sigma = 0.2 }; found "
                "a string \"long\""});
}

TEST_CASE("count distributions are checked like durations", "[scenario]") {
    const std::string v =
        kMinimal + "[violence]\nenabled = true\n[[violence.regime]]\nname = \"calm\"\n";
    CHECK(errors(v + "wounded = { dist = \"binomial\", trials = 2, p = 1.5 }\n") ==
          Lines{"t.toml:30:11: violence.regime.calm.wounded: binomial: p must be between 0 "
                "and 1, got 1.5"});
    CHECK(errors(v + "killed = -1\n") ==
          Lines{"t.toml:30:10: violence.regime.calm.killed: expected a count >= 0, found "
                "constant(-1), which can draw negative values"});
    CHECK(errors(v + "killed = { dist = \"poison\", mean = 1 }\n") ==
          Lines{"t.toml:30:19: violence.regime.calm.killed.dist: expected one of \"constant\", "
                "\"poisson\", \"binomial\" or \"empirical\" (a count distribution), found a string "
                "\"poison\"; did you mean 'poisson'?"});
}

TEST_CASE("a closure ending before it starts is an error at its end", "[scenario]") {
    const std::string text = edit(kMinimal, "code = \"PAP\"",
                                  "code = \"PAP\"\n[[airport.closure]]\nstart = 2024-12-11\n"
                                  "end = 2024-11-11");
    CHECK(errors(text) ==
          Lines{"t.toml:17:7: airport.PAP.closure[0].end: the closure ends at hour 3912 "
                "(2024-11-11), not after it starts at hour 4632 (2024-12-11); expected an end "
                "after the start"});
    const std::string hours = edit(kMinimal, "code = \"PAP\"",
                                   "code = \"PAP\"\n[[airport.closure]]\nstart_h = 10\nend_h = 10");
    CHECK(errors(hours) ==
          Lines{"t.toml:17:9: airport.PAP.closure[0].end_h: the closure ends at hour 10 "
                "(2024-06-01), not after it starts at hour 10 (2024-06-01); expected an end after "
                "the start"});
    const std::string both = edit(kMinimal, "code = \"PAP\"",
                                  "code = \"PAP\"\n[[airport.closure]]\nstart = 2024-12-11\n"
                                  "start_h = 3\nend_h = 5000");
    CHECK(errors(both) == Lines{"t.toml:16:9: airport.PAP.closure[0].start: give 'start_h' or "
                                "'start', not both"});
    const std::string classes = edit(kMinimal, "code = \"PAP\"",
                                     "code = \"PAP\"\n[[airport.closure]]\nstart_h = 0\n"
                                     "end_h = 5\nclasses = [\"all\", \"charter\"]");
    CHECK(errors(classes) == Lines{"t.toml:18:11: airport.PAP.closure[0].classes: \"all\" already "
                                   "covers every class; give it alone"});
}

TEST_CASE("closure and batch dates convert to hours and days since the start", "[scenario]") {
    const std::string text =
        edit(edit(kMinimal, "code = \"PAP\"",
                  "code = \"PAP\"\n[[airport.closure]]\nstart = 2024-11-11\nend = 2024-12-11\n"
                  "classes = [\"commercial\"]"),
             "{ day = 1, count = 100 }", "{ date = 2024-06-25, count = 100 }");
    const auto c = load_text(text).config;
    CHECK(c.contingents[0].generation[0].day == 24.0);
    REQUIRE(c.airports[0].closures.size() == 1);
    CHECK(c.airports[0].closures[0].start_h == 163 * 24.0);
    CHECK(c.airports[0].closures[0].end_h == 193 * 24.0);
    CHECK_FALSE(c.airports[0].closures[0].all_classes);
    CHECK(c.airports[0].closures[0].classes ==
          std::vector<mss::model::OperatorClass>{mss::model::OperatorClass::commercial});
    CHECK(
        errors(edit(kMinimal, "{ day = 1, count = 100 }", "{ date = 2024-05-01, count = 100 }")) ==
        Lines{"t.toml:10:24: contingent.Kenya.generation[0].date: expected a date on or after "
              "the scenario start (2024-06-01), found a date 2024-05-01"});
}

TEST_CASE("date-times convert to exact hours: times of day and offsets", "[scenario]") {
    auto start_h = [](const std::string& when) {
        const std::string text =
            edit(kMinimal, "code = \"PAP\"",
                 "code = \"PAP\"\n[[airport.closure]]\nstart = " + when + "\nend = 2024-12-11");
        return load_text(text).config.airports[0].closures[0].start_h;
    };
    // Exactly, not 3925.999999999971 (days since the epoch plus a fraction of a day, x 24).
    CHECK(start_h("2024-11-11T14:00:00") == 3926.0);
    CHECK(start_h("2024-11-11T14:00:00Z") == 3926.0);
    CHECK(start_h("2024-11-11T16:00:00+02:00") == 3926.0);
    CHECK(start_h("2024-11-11T14:30:00") == 3926.5);
    CHECK(start_h("2024-11-11T00:15:00-05:00") == 3917.25);
}

TEST_CASE("a generator matrix must be square in the regimes and its rows sum to zero",
          "[scenario]") {
    const std::string v = kMinimal +
                          "[violence]\nenabled = true\n"
                          "[[violence.regime]]\nname = \"calm\"\n"
                          "[[violence.regime]]\nname = \"tense\"\n";
    CHECK(errors(v + "[violence]\n").size() == 1);  // a TOML error: [violence] twice
    const std::string rows =
        edit(v, "enabled = true", "enabled = true\ngenerator_per_day = [[-0.1, 0.1], [0.2, -0.1]]");
    CHECK(errors(rows) == Lines{"t.toml:28:21: violence.generator_per_day: row 1 sums to 0.1, "
                                "expected 0"});
    const std::string shape =
        edit(v, "enabled = true", "enabled = true\ngenerator_per_day = [[-0.1, 0.1]]");
    CHECK(errors(shape) == Lines{"t.toml:28:21: violence.generator_per_day: expected a 2 x 2 "
                                 "matrix (one row and one column per [[violence.regime]], in file "
                                 "order), found 1 rows"});
    const std::string initial = edit(v, "enabled = true",
                                     "enabled = true\ninitial_regime = \"tens\"\n"
                                     "generator_per_day = [[-0.1, 0.1], [0.2, -0.2]]");
    CHECK(errors(initial) == Lines{"t.toml:28:18: violence.initial_regime: expected the name of a "
                                   "[[violence.regime]] (calm, tense) or \"\", found \"tens\"; did "
                                   "you mean 'tense'?"});
    CHECK(errors(kMinimal + "[violence]\nenabled = true\n") ==
          Lines{"t.toml:26:1: violence.regime: violence is enabled but has no "
                "[[violence.regime]]; expected at least one regime (or enabled = false)"});
}

TEST_CASE("every airport code must name an [[airport]]", "[scenario]") {
    CHECK(errors(edit(kMinimal, "origin = \"NBO\"\nbillets", "origin = \"NBOO\"\nbillets")) ==
          Lines{"t.toml:8:10: contingent.Kenya.origin: unknown airport \"NBOO\" (the "
                "contingent's origin); expected one of the [[airport]] codes: PAP, NBO; did you "
                "mean 'NBO'?"});
    CHECK(errors(edit(kMinimal, "home_base = \"NBO\"", "home_base = \"JFK\"")) ==
          Lines{"t.toml:21:13: aircraft.B787.home_base: unknown airport \"JFK\" (the aircraft's "
                "home base); expected one of the [[airport]] codes: PAP, NBO"});
    CHECK(errors(edit(kMinimal, "block_h = 17.0", "block_h = 17.0\ngateway = \"CAP\"")) ==
          Lines{"t.toml:26:11: route.NBO.gateway: unknown airport \"CAP\" (the route's gateway); "
                "expected one of the [[airport]] codes: PAP, NBO; did you mean 'PAP'?"});
    CHECK(errors(kMinimal + "[[route.alternate]]\ncode = \"SDQ\"\nblock_h = 18\n") ==
          Lines{"t.toml:27:8: route.NBO.alternate.SDQ.code: unknown airport \"SDQ\" (an "
                "alternate); expected one of the [[airport]] codes: PAP, NBO"});
    CHECK(errors(kMinimal + "[[link]]\nname = \"heli\"\nairport = \"CAP\"\n") ==
          Lines{"t.toml:28:11: link.heli.airport: unknown airport \"CAP\" (the link's airport); "
                "expected one of the [[airport]] codes: PAP, NBO; did you mean 'PAP'?"});
    CHECK(errors("main_gateway = \"PAX\"\n" + kMinimal) ==
          Lines{"t.toml:1:16: main_gateway: unknown airport \"PAX\" (the main gateway); expected "
                "one of the [[airport]] codes: PAP, NBO; did you mean 'PAP'?",
                "t.toml:24:1: route.NBO.gateway: unknown airport \"PAX\" (the route's gateway); "
                "expected one of the [[airport]] codes: PAP, NBO; did you mean 'PAP'?"});
}

TEST_CASE("an alternate equal to its gateway is an error", "[scenario]") {
    CHECK(errors(kMinimal + "[[route.alternate]]\ncode = \"PAP\"\nblock_h = 18\n") ==
          Lines{"t.toml:27:8: route.NBO.alternate.PAP.code: an alternate cannot be the route's "
                "own gateway \"PAP\"; expected a different airport"});
}

TEST_CASE("errors on keys and tables a --set creates are located at the --set", "[scenario]") {
    CHECK(errors(kMinimal, {"foo.bar=1"}) ==
          Lines{"--set foo.bar=1: foo: unknown key; expected one of: main_gateway, scenario, "
                "contingent, airport, aircraft, route, link, airlift, violence, base, "
                "funding, kpis, output"});
    CHECK(errors(kMinimal, {"kpis.x.y.z=1"})
              .at(0)
              .rfind("--set kpis.x.y.z=1: kpis.x: unknown key", 0) == 0);
    // A table the --set makes (tour_days left to its default): errors about the table too.
    const Lines e =
        errors(edit(kMinimal, "tour_days = 300\n", ""), {"contingent.Kenya.tour_days.median=30"});
    REQUIRE_FALSE(e.empty());
    CHECK(e[0].rfind("--set contingent.Kenya.tour_days.median=30: contingent.Kenya.tour_days: a "
                     "distribution table needs dist",
                     0) == 0);
}

TEST_CASE("an out-of-range integer is shown as written", "[scenario]") {
    CHECK(errors(kMinimal, {"scenario.horizon_days=9223372036854775807"}) ==
          Lines{"--set scenario.horizon_days=9223372036854775807: scenario.horizon_days: expected "
                "an integer between -2147483648 and 2147483647, found 9223372036854775807"});
}

TEST_CASE("a tour shorter than a day on average is an error", "[scenario]") {
    // A zero tour made the relief cycle spin at one instant, without end and without bound on
    // memory; 0.001 days nearly so.
    CHECK(errors(edit(kMinimal, "tour_days = 300", "tour_days = 0.0")) ==
          Lines{"t.toml:11:13: contingent.Kenya.tour_days: the mean tour is 0 days; expected "
                "at least 1 day (tours are months long)"});
    CHECK(errors(edit(kMinimal, "tour_days = 300",
                      "tour_days = { dist = \"uniform\", min = 0.0, max = 1.5 }"))
              .size() == 1);
    CHECK(errors(edit(kMinimal, "tour_days = 300", "tour_days = 1.0")).empty());
}

TEST_CASE("the scenario's name must be usable as a file name", "[scenario]") {
    // It names the default results file, runs/<name>.h5: "/abs" wrote /abs.h5.
    CHECK(errors(edit(kMinimal, "name = \"t\"", "name = \"/abs\"")) ==
          Lines{"t.toml:2:8: scenario.name: expected a name usable as a file name "
                "(runs/<name>.h5), found \"/abs\": it contains a path separator"});
    CHECK(errors(edit(kMinimal, "name = \"t\"", "name = \"../../esc\"")).size() == 1);
    CHECK(errors(edit(kMinimal, "name = \"t\"", "name = \"x\\u0000y\"")).size() == 1);
    CHECK(errors(edit(kMinimal, "name = \"t\"", "name = \"\"")).size() == 1);
    CHECK(
        errors(edit(kMinimal, "name = \"t\"", "name = \"" + std::string(101, 'a') + "\"")).size() ==
        1);
    CHECK(errors(edit(kMinimal, "name = \"t\"", "name = \"surge-gsf 2 (The Bahamas)\"")).empty());
}

TEST_CASE("at most 1000 contingents, airports, aircraft, routes or links", "[scenario]") {
    std::string text = kMinimal;
    for (int i = 0; i < 999; ++i)
        text += "[[contingent]]\nname = \"c" + std::to_string(i) +
                "\"\norigin = \"NBO\"\nbillets = 1\n";
    // 1000 are fine; the warning about the 999 short of billets names ten of them.
    const Lines w = warnings(text);
    REQUIRE_FALSE(w.empty());
    CHECK(w.front().find("short: c0 (0 of 1), c1 (0 of 1)") != std::string::npos);
    CHECK(w.front().find("c9 (0 of 1) and 989 more") != std::string::npos);
    text += "[[contingent]]\nname = \"c999\"\norigin = \"NBO\"\nbillets = 1\n";
    CHECK(
        errors(text) ==
        Lines{"t.toml:6:1: contingent: expected at most 1000 [[contingent]] entries, found 1001"});
}

TEST_CASE("a route must fly into the main gateway", "[scenario]") {
    const std::string three = kMinimal + "[[airport]]\ncode = \"CAP\"\n";
    CHECK(errors(edit(three, "block_h = 17.0", "block_h = 17.0\ngateway = \"CAP\"")) ==
          Lines{"t.toml:26:11: route.NBO.gateway: every route flies into the main gateway "
                "\"PAP\", found \"CAP\"; expected \"PAP\" (or no gateway key; other gateways "
                "are not modelled)"});
    // Moving the main gateway moves the default gateway of every route with it.
    CHECK(errors("main_gateway = \"CAP\"\n" + three).empty());
    // An empty main gateway is one error, at its key (not one per route, nor the model's).
    CHECK(errors("main_gateway = \"\"\n" + three) ==
          Lines{"t.toml:1:16: main_gateway: expected one of the [[airport]] codes: PAP, NBO, CAP, "
                "found \"\""});
}

TEST_CASE("a regime's effect probabilities may not add up to more than 1", "[scenario]") {
    const std::string violent = kMinimal +
                                "[violence]\nenabled = true\n[[violence.regime]]\nname = "
                                "\"calm\"\np_close_airport = 0.5\np_cut_link = 0.3\n";
    CHECK(errors(violent).empty());
    CHECK(errors(violent + "p_patrol_hit = 0.25\n") ==
          Lines{"t.toml:30:19: violence.regime.calm.p_close_airport: p_close_airport + p_cut_link "
                "+ p_patrol_hit of regime \"calm\" add up to 1.05; expected at most 1 (an attack "
                "has at most one of these effects)"});
    // Given only by --set, the error points at the first of the three that was set.
    CHECK(errors(edit(violent, "p_close_airport = 0.5\n", ""),
                 {"violence.regime.calm.p_patrol_hit=0.9"}) ==
          Lines{"t.toml:30:14: violence.regime.calm.p_cut_link: p_close_airport + p_cut_link "
                "+ p_patrol_hit of regime \"calm\" add up to 1.2; expected at most 1 (an attack "
                "has at most one of these effects)"});
}

TEST_CASE("an aircraft based where no route starts is a warning, and the model accepts it",
          "[scenario]") {
    const std::string idle = kMinimal +
                             "[[airport]]\ncode = \"CAP\"\n[[aircraft]]\ntype = \"C130\"\n"
                             "home_base = \"CAP\"\n";
    CHECK(warnings(idle) ==
          Lines{"t.toml:30:13: warning: aircraft.C130.home_base: no [[route]] starts at \"CAP\", "
                "so this aircraft never flies"});
    CHECK(mss::model::validate_model_config(load_text(idle).config).empty());
}

TEST_CASE("identifying keys must be unique", "[scenario]") {
    CHECK(errors(kMinimal + "[[airport]]\ncode = \"NBO\"\n") ==
          Lines{"t.toml:27:8: airport.NBO.code: duplicate airport \"NBO\" (first defined at "
                "t.toml:16:1); each code may appear once"});
    CHECK(errors(kMinimal + "[[route.alternate]]\ncode = \"NBO\"\nblock_h = 1\n"
                            "[[route.alternate]]\ncode = \"NBO\"\nblock_h = 2\n") ==
          Lines{"t.toml:30:8: route.NBO.alternate.NBO.code: duplicate alternate \"NBO\" (first "
                "defined at t.toml:26:1); each code may appear once"});
}

TEST_CASE("generation batches may not exceed the billets", "[scenario]") {
    CHECK(errors(edit(kMinimal, "{ day = 1, count = 100 }",
                      "{ day = 1, count = 100 }, { day = 5, count = 1 }")) ==
          Lines{"t.toml:10:14: contingent.Kenya.generation: the batches add up to 101 personnel, "
                "more than the contingent's 100 billets; expected a total <= billets"});
    CHECK(errors(edit(kMinimal, "{ day = 1, count = 100 }",
                      "{ day = 1, date = 2024-06-02, count = 100 }")) ==
          Lines{"t.toml:10:33: contingent.Kenya.generation[0].date: give 'day' or 'date', not "
                "both"});
}

TEST_CASE("errors are collected in one pass up to a limit", "[scenario]") {
    std::string text = kMinimal + "[kpis]\n";
    for (int i = 0; i < 30; ++i)
        text += "bad" + std::to_string(i) + " = 1\n";
    const Lines e = errors(text);
    REQUIRE(e.size() == Diagnostics::kMaxErrors + 1);
    CHECK(e.front().rfind("t.toml:27:1: kpis.bad0: unknown key", 0) == 0);
    CHECK(e.back() == "t.toml:46:1: too many errors (20); stopped here");
}

TEST_CASE("warnings: full operating capability out of reach", "[scenario]") {
    CHECK(warnings(edit(kMinimal, "count = 100", "count = 50")) ==
          Lines{"t.toml:10:14: warning: contingent.Kenya.generation: full operating capability "
                "is unreachable: the generation batches fill at most 50 of the 100 billets, fewer "
                "than foc_frac x billets = 95.0; short: Kenya (50 of 100)"});
    // Exactly foc_frac x billets is reachable, though 0.55 x 100 is 55.000000000000007.
    CHECK(warnings(edit(kMinimal, "count = 100", "count = 55") + "[kpis]\nfoc_frac = 0.55\n")
              .empty());
    CHECK(warnings(kMinimal + "[contingent.pledge]\nprobability = 0.5\n") ==
          Lines{"t.toml:1:1: warning: kpis.foc_frac: full operating capability is reached only "
                "if pledges below probability 1 are realised (Kenya (probability 0.5)); without "
                "them at most 0 of 100 billets can be filled"});
}

TEST_CASE("warnings: a horizon shorter than one tour, batches after the horizon", "[scenario]") {
    CHECK(warnings(edit(kMinimal, "horizon_days = 400", "horizon_days = 200")) ==
          Lines{"t.toml:11:13: warning: contingent.Kenya.tour_days: the horizon (200 days) is "
                "shorter than one tour (mean 300.0 days): no rotation of \"Kenya\" is simulated"});
    CHECK(warnings(edit(kMinimal, "{ day = 1, count = 100 }",
                        "{ day = 1, count = 50 }, { day = 450, count = 50 }"))
              .size() == 2);
}

TEST_CASE("warnings: a route nobody can fly, a closure outside the run", "[scenario]") {
    CHECK(warnings(edit(kMinimal, "home_base = \"NBO\"", "home_base = \"NBO\"\ncount = 0")) ==
          Lines{"t.toml:24:1: warning: route.NBO: no aircraft is based at \"NBO\" (no "
                "[[aircraft]] with home_base = \"NBO\" and count > 0): nobody flies this route"});
    CHECK(warnings(edit(kMinimal, "code = \"PAP\"",
                        "code = \"PAP\"\n[[airport.closure]]\nstart = 2024-03-04\n"
                        "end = 2024-05-20")) ==
          Lines{"t.toml:15:1: warning: airport.PAP.closure[0]: this closure ends before the "
                "scenario starts: it has no effect"});
}

TEST_CASE("a sweep file is not a scenario", "[scenario]") {
    CHECK(errors("[sweep]\nbase = \"x.toml\"\n") ==
          Lines{"t.toml:1:1: sweep: expected a scenario file, found a sweep file (it has a "
                "[sweep] table); run it with `mss sweep`"});
}

TEST_CASE("personnel in theatre at the start: dates, reprint and bad states", "[scenario]") {
    // Lines 26-28: the group appended to the one contingent (a TOML array of tables continues
    // the last [[contingent]] entry).
    const std::string base = edit(kMinimal, "count = 100", "count = 60");
    const std::string group = "[[contingent.in_theatre]]\ncount = 40\narrived = 2024-01-01\n";
    const LoadResult r = load_text(base + group);
    CHECK(r.warnings.empty());
    REQUIRE(r.config.contingents[0].in_theatre.size() == 1);
    CHECK(r.config.contingents[0].in_theatre[0].count == 40);
    CHECK(r.config.contingents[0].in_theatre[0].arrived_day == -152.0);
    CHECK_FALSE(r.config.contingents[0].in_theatre[0].relief_ready_day);
    CHECK(r.resolved_text.find("[[contingent.in_theatre]]\ncount = 40\narrived_day = -152.0\n") !=
          std::string::npos);
    CHECK(load_text(r.resolved_text).resolved_text == r.resolved_text);
    // Their tours (300 days from 2024-01-01) end within a 200-day horizon: no warning that no
    // rotation is simulated.
    CHECK(warnings(edit(base + group, "horizon_days = 400", "horizon_days = 200")).empty());
    // The same as an inline array, with reliefs already requested; and through --set.
    const LoadResult inl = load_text(
        edit(base, "tour_days = 300",
             "tour_days = 300\nin_theatre = [{ count = 40, arrived = 2024-01-01, relief_ready = "
             "2024-06-11 }]"));
    CHECK(inl.config.contingents[0].in_theatre[0].relief_ready_day == 10.0);
    CHECK(load_text(base + group, {"contingent.Kenya.in_theatre[0].count=30"})
              .config.contingents[0]
              .in_theatre[0]
              .count == 30);

    // An arrival after the start, as a date and as a day.
    CHECK(errors(base + edit(group, "2024-01-01", "2024-06-05")) ==
          Lines{"t.toml:28:11: contingent.Kenya.in_theatre[0].arrived: these personnel arrived "
                "on day 4 (2024-06-05), after the scenario start (2024-06-01); expected an "
                "arrival on or before the start"});
    CHECK(errors(base + edit(group, "arrived = 2024-01-01", "arrived_day = 0.5")) ==
          Lines{"t.toml:28:15: contingent.Kenya.in_theatre[0].arrived_day: these personnel "
                "arrived on day 0.5 (2024-06-01), after the scenario start (2024-06-01); "
                "expected an arrival on or before the start"});
    // More than the billets: the group alone, or with the batches.
    CHECK(errors(base + edit(group, "count = 40", "count = 101")) ==
          Lines{"t.toml:26:1: contingent.Kenya.in_theatre: the personnel in theatre at the start "
                "add up to 101, more than the contingent's 100 billets; expected a total <= "
                "billets"});
    CHECK(errors(base + edit(group, "count = 40", "count = 41")) ==
          Lines{"t.toml:10:14: contingent.Kenya.generation: the batches (60) and the personnel "
                "in theatre at the start (41) add up to 101, more than the contingent's 100 "
                "billets; expected a total <= billets"});
    // A negative count; a relief ready before the start; a missing arrival.
    CHECK(errors(base + edit(group, "count = 40", "count = -1")) ==
          Lines{"t.toml:27:9: contingent.Kenya.in_theatre[0].count: expected an integer >= 0, "
                "found -1"});
    CHECK(errors(base + group + "relief_ready = 2024-05-01\n") ==
          Lines{"t.toml:29:16: contingent.Kenya.in_theatre[0].relief_ready: expected a date on "
                "or after the scenario start (2024-06-01), found a date 2024-05-01"});
    CHECK(errors(base + edit(group, "arrived = 2024-01-01\n", "")) ==
          Lines{"t.toml:26:1: contingent.Kenya.in_theatre[0].arrived_day: missing required key "
                "'arrived_day' (a day number since the start) or 'arrived' (a date)"});
    // A group belongs to the contingent it is written in: an unknown one is refused.
    const Lines unknown = errors(base, {"contingent.Narnia.in_theatre[0].count=1"});
    REQUIRE(unknown.size() == 1);
    CHECK(unknown[0].rfind("--set contingent.Narnia.in_theatre[0].count=1: contingent.Narnia", 0) ==
          0);
}
