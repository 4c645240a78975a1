// tests/scenario/extends_test.cpp — `extends` (DESIGN §4): tables merge key by key, entries of
// collections by id, `remove = true` deletes, `key = [...]` replaces, paths are relative to
// the extending file, chains work and cycles are errors naming the chain.
#include <catch2/catch.hpp>

#include "tests/scenario/scenario_test_helpers.hpp"

using namespace mss::scenario;
using namespace mss::scenario::test;
using Lines = std::vector<std::string>;

namespace {

MemorySource with_base(const std::string& child, const std::string& child_path = "child.toml") {
    MemorySource files;
    files.add("base.toml", kMinimal);
    files.add(child_path, child);
    return files;
}

LoadResult load(const MemorySource& files, const std::string& path = "child.toml",
                const std::vector<std::string>& sets = {}) {
    return load_scenario(path, sets, &files);
}

}  // namespace

TEST_CASE("extends: tables merge key by key", "[scenario][extends]") {
    const auto r = load(with_base("extends = \"base.toml\"\n[scenario]\nname = \"child\"\n"));
    CHECK(r.config.scenario.name == "child");
    CHECK(r.config.scenario.horizon_days == 400);  // inherited
    CHECK(r.config.scenario.start_days_since_epoch == 19875);
}

TEST_CASE("extends: entries merge by their identifying key, new ones are appended",
          "[scenario][extends]") {
    const auto r = load(with_base(R"(extends = "base.toml"
[[contingent]]
name = "Kenya"
billets = 200
generation = [{ day = 1, count = 200 }]

[[contingent]]
name = "Chad"
origin = "NBO"
billets = 10
generation = [{ day = 2, count = 10 }]
)"));
    const auto& cs = r.config.contingents;
    REQUIRE(cs.size() == 2);
    CHECK(cs[0].name == "Kenya");
    CHECK(cs[0].billets == 200);
    CHECK(cs[0].origin == "NBO");  // inherited
    CHECK(cs[0].tour_days == mss::kernel::DistributionSpec::constant(300.0));
    CHECK(cs[1].name == "Chad");  // file order = results order: appended
}

TEST_CASE("extends: remove = true deletes the inherited entry", "[scenario][extends]") {
    MemorySource files;
    files.add("base.toml", kMinimal + "[[airport]]\ncode = \"CAP\"\n");
    files.add("child.toml",
              "extends = \"base.toml\"\n[[airport]]\ncode = \"CAP\"\nremove = true\n");
    const auto r = load(files);
    REQUIRE(r.config.airports.size() == 2);
    CHECK(r.config.airports[1].code == "NBO");
}

TEST_CASE("extends: remove = true of nothing, or with other keys, is an error",
          "[scenario][extends]") {
    CHECK(errors_of("child.toml", with_base("extends = \"base.toml\"\n[[airport]]\ncode = "
                                            "\"XYZ\"\nremove = true\n")) ==
          Lines{"child.toml:4:10: airport.XYZ.remove: remove = true, but no inherited airport has "
                "code = \"XYZ\" (inherited: PAP, NBO)"});
    CHECK(errors_of("child.toml", with_base("extends = \"base.toml\"\n[[airport]]\ncode = "
                                            "\"PAP\"\nremove = true\nmog = 3\n")) ==
          Lines{"child.toml:5:1: airport.PAP.mog: an entry with remove = true takes no other keys "
                "than code and remove"});
    CHECK(errors(kMinimal + "[[link]]\nname = \"x\"\nremove = true\n") ==
          Lines{"t.toml:28:10: link.x.remove: remove = true, but no inherited link has name = "
                "\"x\" (nothing is inherited)"});
    CHECK(errors_of("child.toml", with_base("extends = \"base.toml\"\n[[airport]]\ncode = "
                                            "\"PAP\"\nremove = \"yes\"\n")) ==
          Lines{"child.toml:4:10: airport.PAP.remove: expected true or false, found a string "
                "\"yes\""});
}

TEST_CASE("extends: key = [...] replaces the whole array", "[scenario][extends]") {
    MemorySource files;
    files.add("base.toml", edit(kMinimal, "code = \"PAP\"",
                                "code = \"PAP\"\n[[airport.closure]]\nstart_h = 0\nend_h = 5\n"));
    files.add("child.toml",
              "extends = \"base.toml\"\n[[airport]]\ncode = \"PAP\"\nclosure = []\n"
              "[[contingent]]\nname = \"Kenya\"\n"
              "generation = [{ day = 3, count = 60 }, { day = 4, count = 40 }]\n");
    const auto r = load(files);
    CHECK(r.config.airports[0].closures.empty());
    REQUIRE(r.config.contingents[0].generation.size() == 2);
    CHECK(r.config.contingents[0].generation[0].day == 3.0);

    // A whole collection written inline replaces the inherited one.
    files.add("child2.toml",
              "extends = \"base.toml\"\nairport = [{ code = \"PAP\" }, { code = \"NBO\", mog = 5 "
              "}]\n");
    const auto r2 = load(files, "child2.toml");
    REQUIRE(r2.config.airports.size() == 2);
    CHECK(r2.config.airports[1].mog == 5);
}

TEST_CASE("extends: a distribution given inline replaces, never merges", "[scenario][extends]") {
    MemorySource files;
    files.add("base.toml",
              edit(kMinimal, "tour_days = 300",
                   "tour_days = { dist = \"normal\", mean = 365, sd = 15, lower = 300 }"));
    files.add("child.toml",
              "extends = \"base.toml\"\n[[contingent]]\nname = \"Kenya\"\n"
              "tour_days = { dist = \"uniform\", min = 100, max = 200 }\n");
    CHECK(load(files).config.contingents[0].tour_days ==
          mss::kernel::DistributionSpec::uniform(100, 200));
}

TEST_CASE("extends: paths are relative to the extending file, and chains work",
          "[scenario][extends]") {
    MemorySource files;
    files.add("scenarios/base.toml", kMinimal);
    files.add("scenarios/sub/mid.toml",
              "extends = \"../base.toml\"\n[scenario]\nname = \"mid\"\n"
              "horizon_days = 500\n");
    files.add("scenarios/sub/deeper/top.toml",
              "extends = \"../mid.toml\"\n[scenario]\nname = \"top\"\n");
    const auto r = load(files, "scenarios/sub/deeper/top.toml");
    CHECK(r.config.scenario.name == "top");
    CHECK(r.config.scenario.horizon_days == 500);
    CHECK(r.config.contingents.size() == 1);
    CHECK(r.source == "scenarios/sub/deeper/top.toml");
}

TEST_CASE("extends: cycles are errors that name the chain", "[scenario][extends]") {
    MemorySource files;
    files.add("a.toml", "extends = \"b.toml\"\n");
    files.add("b.toml", "extends = \"./a.toml\"\n");
    files.add("self.toml", "# me\nextends = \"self.toml\"\n");
    CHECK(errors_of("a.toml", files) ==
          Lines{"b.toml:1:11: extends: extends cycle: a.toml -> b.toml -> a.toml; a scenario "
                "cannot extend itself"});
    CHECK(errors_of("self.toml", files) ==
          Lines{"self.toml:2:11: extends: extends cycle: self.toml -> self.toml; a scenario "
                "cannot extend itself"});
}

TEST_CASE("extends: errors name the file that holds the value", "[scenario][extends]") {
    MemorySource files;
    files.add("base.toml", edit(kMinimal, "billets = 100", "billets = -5"));
    files.add("child.toml",
              "extends = \"base.toml\"\n[scenario]\nname = \"c\"\nhorizon_days = 0\n");
    CHECK(errors_of("child.toml", files) ==
          Lines{"child.toml:4:16: scenario.horizon_days: expected an integer between 1 and "
                "36500, found 0",
                "base.toml:9:11: contingent.Kenya.billets: expected an integer between 1 and "
                "1000000, found -5"});
}

TEST_CASE("extends: a missing, non-string or sweep parent is an error at extends",
          "[scenario][extends]") {
    MemorySource files;
    files.add("c1.toml", "extends = \"nowhere.toml\"\n");
    files.add("c2.toml", "extends = 3\n");
    files.add("sweep.toml", "[sweep]\nbase = \"x\"\n");
    files.add("c3.toml", "extends = \"sweep.toml\"\n");
    CHECK(errors_of("c1.toml", files) ==
          Lines{"c1.toml:1:11: extends: cannot read \"nowhere.toml\": no such file"});
    CHECK(errors_of("c2.toml", files) ==
          Lines{"c2.toml:1:11: extends: expected the path of the scenario file to extend (a "
                "string, relative to this file), found an integer 3"});
    CHECK(errors_of("c3.toml", files) ==
          Lines{"c3.toml:1:11: extends: expected a scenario file, found a sweep file "
                "\"sweep.toml\" (it has a [sweep] table)"});
    CHECK(errors(kMinimal + "[kpis]\nextends = \"x\"\n") ==
          Lines{"t.toml:27:1: kpis.extends: extends must be the first key of the file, outside "
                "any table"});
}

TEST_CASE("extends: an id given twice in one file is a duplicate, not a merge",
          "[scenario][extends]") {
    CHECK(errors_of("child.toml", with_base("extends = \"base.toml\"\n"
                                            "[[airport]]\ncode = \"PAP\"\nmog = 1\n"
                                            "[[airport]]\ncode = \"PAP\"\nmog = 2\n")) ==
          Lines{"child.toml:6:8: airport.PAP.code: duplicate airport \"PAP\" (first defined at "
                "child.toml:2:1); each code may appear once"});
}
