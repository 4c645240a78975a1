// tests/scenario/set_test.cpp — `--set key.path=value` overrides, typed against the schema.
#include <catch2/catch.hpp>

#include "tests/scenario/scenario_test_helpers.hpp"

using namespace mss::scenario;
using namespace mss::scenario::test;
using Lines = std::vector<std::string>;
using mss::kernel::DistributionSpec;

TEST_CASE("overrides set scalars, entries by id and by index", "[scenario][set]") {
    const auto c =
        load_text(kMinimal,
                  {"contingent.Kenya.billets=1200", "contingent.Kenya.generation[0].count=1000",
                   "airport.NBO.mog=3", "scenario.horizon_days=365", "scenario.name=other-name",
                   "kpis.foc_frac=0.9", "aircraft.B787.operator_class=military"})
            .config;
    CHECK(c.contingents[0].billets == 1200);
    CHECK(c.contingents[0].generation[0].count == 1000);
    CHECK(c.airports[1].mog == 3);
    CHECK(c.scenario.horizon_days == 365);
    CHECK(c.scenario.name == "other-name");  // a bare word is a string
    CHECK(c.kpis.foc_frac == 0.9);           // [kpis] did not exist: created
    CHECK(c.aircraft[0].operator_class == mss::model::OperatorClass::military);
}

TEST_CASE("overrides set distributions as numbers, inline tables or one parameter",
          "[scenario][set]") {
    CHECK(load_text(kMinimal, {"contingent.Kenya.tour_days=180"}).config.contingents[0].tour_days ==
          DistributionSpec::constant(180.0));
    const auto c = load_text(kMinimal, {"route.NBO.block_h={ dist = \"lognormal\", median = 17.0, "
                                        "sigma = 0.05 }",
                                        "route.NBO.block_h.median=16.5"})
                       .config;
    CHECK(c.routes[0].block_h == DistributionSpec::lognormal_median(16.5, 0.05));
    CHECK(
        load_text(kMinimal, {"scenario.start=2025-01-01"}).config.scenario.start_days_since_epoch ==
        20089);
}

TEST_CASE("overrides address ids with spaces by quoting them", "[scenario][set]") {
    const std::string text = edit(kMinimal, "name = \"Kenya\"", "name = \"The Bahamas\"");
    CHECK(load_text(text, {"contingent.\"The Bahamas\".billets=150",
                           "contingent.\"The Bahamas\".generation.0.count=150"})
              .config.contingents[0]
              .billets == 150);
}

TEST_CASE("a bad --set names the key and says what was expected", "[scenario][set]") {
    CHECK(errors(kMinimal, {"contingent.Kenya.billets=abc"}) ==
          Lines{"--set contingent.Kenya.billets=abc: contingent.Kenya.billets: expected an "
                "integer, found a string \"abc\""});
    CHECK(errors(kMinimal, {"contingent.Kenya.bilets=5"}) ==
          Lines{"--set contingent.Kenya.bilets=5: contingent.Kenya.bilets: unknown key; did you "
                "mean 'billets'?"});
    CHECK(errors(kMinimal, {"contingent.Chad.billets=5"}) ==
          Lines{"--set contingent.Chad.billets=5: contingent.Chad.billets: no contingent has name "
                "= \"Chad\" (there are: Kenya)"});
    CHECK(errors(kMinimal, {"billets"}) ==
          Lines{"--set billets: expected key.path=value, such as contingent.Kenya.billets=1200"});
    CHECK(errors(kMinimal, {"contingent..billets=3"}) ==
          Lines{"--set contingent..billets=3: contingent..billets: expected a key path such as "
                "contingent.Kenya.billets or airport.PAP.closure[0].end (quote ids with spaces: "
                "contingent.\"The Bahamas\".billets)"});
    CHECK(errors(kMinimal, {"scenario.name="}) ==
          Lines{"--set scenario.name=: scenario.name: expected a value after '='"});
    CHECK(errors(kMinimal, {"scenario.name.x=1"}) ==
          Lines{"--set scenario.name.x=1: scenario.name.x: scenario.name is a string \"t\", not a "
                "table; it has no key \"x\""});
    CHECK(errors(kMinimal, {"contingent.Kenya.generation[3].count=1"}) ==
          Lines{"--set contingent.Kenya.generation[3].count=1: "
                "contingent.Kenya.generation[3].count: contingent.Kenya.generation has 1 entries; "
                "expected an index below 1, found 3"});
    CHECK(errors(kMinimal, {"contingent.Kenya=1"}) ==
          Lines{"--set contingent.Kenya=1: contingent.Kenya: expected a key inside the entry, "
                "such as contingent.Kenya.<key>=value"});
    CHECK(errors(kMinimal, {"scenario.horizon_days=[1, 2"}) ==
          Lines{"--set scenario.horizon_days=[1, 2: scenario.horizon_days: expected a TOML value "
                "(a number, \"string\", date, [array] or { inline table }), found \"[1, 2\" "
                "(Error while parsing array: encountered end-of-file)"});
    CHECK(errors(kMinimal, {"kpis.foc_frac=2"}) ==
          Lines{"--set kpis.foc_frac=2: kpis.foc_frac: expected a number between 0 and 1, found "
                "2"});
}

TEST_CASE("override values cannot smuggle in other keys", "[scenario][set]") {
    const Lines e = errors(kMinimal, {"scenario.name=\"x\"\nhorizon_days = 3"});
    REQUIRE(e.size() == 1);
    CHECK(e[0].find("expected a TOML value") != std::string::npos);
}
