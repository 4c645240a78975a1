// tests/scenario/shipped_test.cpp — every shipped scenario and sweep validates, prints as a
// file that validates again and reprints identically, and baseline.toml holds exactly the
// values of mss::model::baseline_config(). Runs from the source root (scenarios/ on disk).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "sim/model/baseline.hpp"
#include "sim/scenario/optimize_file.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/sweep.hpp"

using namespace mss::scenario;

namespace {

const char* const kScenarios[] = {
    "scenarios/baseline.toml",  "scenarios/closure-2024.toml", "scenarios/closure-2024-replay.toml",
    "scenarios/surge-gsf.toml", "scenarios/calm.toml",         "scenarios/gsf-2026.toml"};
const char* const kSweeps[] = {
    "scenarios/sweeps/fleet-vs-tour.toml", "scenarios/sweeps/closure-risk-lhs.toml",
    "scenarios/sweeps/closure-2024-cost.toml", "scenarios/sweeps/gsf-2026-funding.toml"};

std::string describe_errors(const InvalidInput& e) {
    std::string out;
    for (const auto& d : e.errors())
        out += d.str() + "\n";
    return out;
}

// Loads `text` as if it were a file beside `path` (so relative paths still resolve).
template <class Load>
auto reload_beside(const std::string& path, const std::string& text, Load load) {
    const std::filesystem::path printed =
        std::filesystem::path(path).parent_path() / ".printed-by-test.toml";
    struct Overlay final : FileSource {
        std::filesystem::path name;
        std::string text;
        FileText read(const std::filesystem::path& p) const override {
            if (p.lexically_normal() == name.lexically_normal()) return {text, {}};
            return disk().read(p);
        }
    } overlay;
    overlay.name = printed;
    overlay.text = text;
    return load(printed, &overlay);
}

}  // namespace

TEST_CASE("every shipped scenario validates and reprints identically", "[scenario][shipped]") {
    for (const char* path : kScenarios) {
        INFO(path);
        try {
            const LoadResult r = load_scenario(path);
            const LoadResult again = reload_beside(
                path, r.resolved_text, [](auto p, auto* f) { return load_scenario(p, {}, f); });
            CHECK(again.resolved_text == r.resolved_text);
            CHECK(again.warnings.size() == r.warnings.size());
        } catch (const InvalidInput& e) {
            FAIL(describe_errors(e));
        }
    }
}

TEST_CASE("shipped scenarios give only the warnings they are meant to", "[scenario][shipped]") {
    CHECK(load_scenario("scenarios/baseline.toml").warnings.empty());
    CHECK(load_scenario("scenarios/calm.toml").warnings.empty());
    CHECK(load_scenario("scenarios/closure-2024-replay.toml").warnings.empty());
    // Billets are the pledges, some never planned: FOC is out of reach, as it was.
    const auto closure = load_scenario("scenarios/closure-2024.toml");
    REQUIRE(closure.warnings.size() == 1);
    CHECK(closure.warnings[0].key_path == "contingent.Kenya.generation");
    // The GSF depends on pledges that may not be realised: that is the point of the scenario.
    const auto gsf = load_scenario("scenarios/surge-gsf.toml");
    REQUIRE(gsf.warnings.size() == 1);
    CHECK(gsf.warnings[0].key_path == "kpis.foc_frac");
    long long billets = 0;
    for (const auto& c : gsf.config.contingents)
        billets += c.billets;
    CHECK(billets == 5550);
}

TEST_CASE("gsf-2026.toml starts from the observed state of 7 Feb 2026", "[scenario][shipped]") {
    const auto r = load_scenario("scenarios/gsf-2026.toml");
    // Pledges below probability 1 (FOC depends on them) and three new contingents that do
    // not rotate within the forecast: warnings meant to be there.
    REQUIRE(r.warnings.size() == 4);
    CHECK(r.warnings[0].key_path == "kpis.foc_frac");
    const auto& c = r.config;
    CHECK(c.scenario.horizon_days == 237);  // to the end of 2026-10-01
    long long billets = 0, present = 0, kenya = 0;
    for (const auto& k : c.contingents) {
        billets += k.billets;
        for (const auto& g : k.in_theatre) {
            present += g.count;
            CHECK(g.arrived_day <= 0);
            if (k.name == "Kenya") kenya += g.count;
        }
    }
    CHECK(billets == 5550);  // the authorised strength (FACTS §1)
    CHECK(kenya == 735);     // FACTS §4
    CHECK(present == 992);   // a force of ~1,000 (FACTS §4)
    CHECK(c.contingents.at(0).in_theatre.at(3).arrived_day == -61.0);  // 2025-12-08
    // The FAA ban on US operators at PAP, in force at the start, to 3 Sep 2026 (day 208).
    const auto& pap = c.airports.at(0);
    REQUIRE(pap.code == "PAP");
    REQUIRE(pap.closures.size() == 1);
    CHECK(pap.closures[0].start_h < 0);
    CHECK(pap.closures[0].end_h == 208 * 24.0);
    CHECK(pap.closures[0].classes ==
          std::vector<mss::model::OperatorClass>{mss::model::OperatorClass::commercial});
    CHECK(c.violence.initial_regime == "violent");
}

TEST_CASE("every shipped sweep validates and reprints identically", "[scenario][shipped]") {
    for (const char* path : kSweeps) {
        INFO(path);
        try {
            const SweepLoadResult r = load_sweep(path);
            // closure-2024-cost inherits its base's warning (FOC out of reach of the pledges),
            // gsf-2026-funding its base's four (pledges below probability 1, three contingents
            // that do not rotate within the forecast).
            const std::string name = path;
            CHECK(r.warnings.size() == (name == "scenarios/sweeps/closure-2024-cost.toml"  ? 1u
                                        : name == "scenarios/sweeps/gsf-2026-funding.toml" ? 4u
                                                                                           : 0u));
            const SweepLoadResult again = reload_beside(
                path, r.resolved_text, [](auto p, auto* f) { return load_sweep(p, {}, f); });
            CHECK(again.resolved_text == r.resolved_text);
            CHECK(again.identity_hash == r.identity_hash);
        } catch (const InvalidInput& e) {
            FAIL(describe_errors(e));
        }
    }
    CHECK(load_sweep("scenarios/sweeps/fleet-vs-tour.toml").runs() == 40);
    CHECK(load_sweep("scenarios/sweeps/closure-risk-lhs.toml").points.size() == 40);
    // 4 monthly contribution schedules x 9 opening balances of the trust fund, 200 each.
    const auto funding = load_sweep("scenarios/sweeps/gsf-2026-funding.toml");
    CHECK(funding.points.size() == 36);
    CHECK(funding.runs() == 7200);
}

TEST_CASE("the shipped plan of mss optimize validates and reprints identically",
          "[scenario][shipped]") {
    const char* path = "scenarios/optimize/kenya-fleet-tour.toml";
    try {
        const OptimizeLoadResult r = load_optimize(path);
        CHECK(r.warnings.empty());
        CHECK(r.sweep.points.size() == 18);  // 2 fleets x 3 tours x 3 relief leads
        CHECK(file_kind(path) == FileKind::optimize);
        const OptimizeLoadResult again = reload_beside(
            path, r.resolved_text, [](auto p, auto* f) { return load_optimize(p, {}, f); });
        CHECK(again.resolved_text == r.resolved_text);
        CHECK(again.identity_hash == r.identity_hash);
    } catch (const InvalidInput& e) {
        FAIL(describe_errors(e));
    }
}

TEST_CASE("calm.toml is the baseline without violence or closures", "[scenario][shipped]") {
    auto calm = load_scenario("scenarios/calm.toml").config;
    auto base = load_scenario("scenarios/baseline.toml").config;
    CHECK_FALSE(calm.violence.enabled);
    for (const auto& a : calm.airports)
        CHECK(a.closures.empty());
    calm.violence.enabled = true;
    calm.scenario = base.scenario;
    CHECK(to_toml(calm) == to_toml(base));
}

TEST_CASE("closure-2024.toml holds the historical closure and ban", "[scenario][shipped]") {
    const auto replay = load_scenario("scenarios/closure-2024-replay.toml").config;
    CHECK(replay.airports.at(0).closures.size() == 2);
    const auto c = load_scenario("scenarios/closure-2024.toml").config;
    const auto& pap = c.airports.at(0);
    REQUIRE(pap.code == "PAP");
    REQUIRE(pap.closures.size() == 3);
    CHECK(pap.closures[2].start_h == 193 * 24.0);  // 2024-12-11: charters need an escort
    CHECK(pap.closures[2].end_h == 231 * 24.0);    // 2025-01-18
    CHECK(pap.closures[2].classes ==
          std::vector<mss::model::OperatorClass>{mss::model::OperatorClass::charter});
    CHECK(pap.closures[0].start_h == 163 * 24.0);  // 2024-11-11
    CHECK(pap.closures[0].end_h == 193 * 24.0);    // 2024-12-11
    CHECK(pap.closures[0].all_classes);
    CHECK(pap.closures[1].end_h == 644 * 24.0);  // 2026-03-07
    CHECK(pap.closures[1].classes ==
          std::vector<mss::model::OperatorClass>{mss::model::OperatorClass::commercial});
    CHECK(c.contingents.at(0).generation.at(0).day == 24.0);  // 2024-06-25
}

TEST_CASE("baseline.toml holds exactly the values of baseline_config()", "[scenario][shipped]") {
    const auto file = load_scenario("scenarios/baseline.toml").config;
    const auto code = mss::model::baseline_config();
    // Printing both compares every field, with a readable difference on failure.
    CHECK(to_toml(file) == to_toml(code));
}
