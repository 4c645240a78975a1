// The baseline configuration: its values, a fixed-seed golden run, replications side by side
// on threads, and plausible ranges over replications.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <thread>

#include "sim/model/baseline.hpp"
#include "sim/model/mission.hpp"
#include "tests/model/fixtures.hpp"

using namespace mss::model;

TEST_CASE("the baseline configuration holds the planned values", "[model][baseline]") {
    const ModelConfig m = baseline_config();
    CHECK(m.scenario.name == "baseline");
    CHECK(m.scenario.start_days_since_epoch == 19875);
    CHECK(m.scenario.horizon_days == 730);
    CHECK(m.scenario.seed == 20240601u);
    CHECK(m.scenario.replications == 100);
    CHECK(m.main_gateway == "PAP");
    int billets = 0;
    for (const ContingentConfig& c : m.contingents)
        billets += c.billets;
    CHECK(billets == 2500);
    REQUIRE(m.contingents.size() == 6);
    CHECK(m.contingents[0].name == "Kenya");
    CHECK(m.contingents[0].generation.size() == 5);
    CHECK(m.contingents[0].attrition_per_person_day == 1e-4);
    CHECK(m.contingents[4].name == "The Bahamas");
    CHECK(m.contingents[4].tour_days == DistributionSpec::constant(182.0));
    CHECK(m.contingents[4].rotation.relief_lead_days == 30.0);
    CHECK(m.airports.size() == 9);
    CHECK(m.aircraft.size() == 6);
    CHECK(m.aircraft[3].seats == 300);
    CHECK(m.aircraft[4].operator_class == OperatorClass::military);
    CHECK(m.routes[3].block_h == DistributionSpec::lognormal_median(22.0, 0.05));
    CHECK(!m.routes[3].min_load);
    CHECK(m.routes[4].min_load == 50);
    CHECK(m.routes[5].min_load == 50);
    CHECK(m.routes[3].alternates[1].block_h == DistributionSpec::lognormal_median(22.8, 0.05));
    CHECK(m.links.size() == 2);
    CHECK(m.violence.regimes.size() == 3);
    CHECK(m.violence.regimes[2].killed == CountSpec::binomial(2, 0.15));
    CHECK(m.violence.regimes[2].p_patrol_hit == 0.024);
    CHECK(m.violence.regimes[2].p_close_airport == 0.005);
    CHECK(m.violence.regimes[2].closure_days == DistributionSpec::lognormal_median(50.0, 0.4));
    CHECK(m.violence.initial_regime == "tense");
    CHECK(!m.base.beds);
    CHECK(validate_model_config(m).empty());
}

TEST_CASE("golden run: baseline, seed 20240601, replication 1", "[model][baseline][golden]") {
    // Stored from this model. DESIGN §2: identical results are guaranteed for the same binary
    // on the same CPU feature level; the relative tolerance 1e-6 absorbs only last-digit
    // differences of libm variants. A change of the model's rules changes these values: update
    // them deliberately, and say why in the commit.
    const ModelConfig m = baseline_config();
    MemoryObserver obs(false);
    // Replication 1 has attack closures of PAP (95 days in all); replication 0 has none.
    const RunKpis k = run_replication(m, m.scenario.seed, 1, obs);
    const std::vector<std::pair<std::string, double>> golden = {
        {"days_to_ioc", 142},
        {"days_to_foc", 221},
        {"mean_filled_frac", 0.8072958904109588},
        {"mean_strength_frac", 0.827934794520548},
        {"shortfall_billet_days", 351685},
        {"gap_person_days", 0},
        {"days_below_floor", 0},
        {"min_filled_frac", 0.9944},
        {"overstay_person_days", 273.7227121156213},
        {"flights_flown", 162},
        {"flights_diverted", 0},
        {"flights_cancelled", 0},
        {"pax_in", 5818},
        {"pax_out", 3094},
        {"airport_closed_days", 95.32307497328895},
        {"injured", 21},
        {"killed", 6},
        {"medevacs", 6},
        {"attrited", 119},
        {"cost_usd", 160021061.80213386},
        // No payers and no bed limit: nothing waits for money or beds. Most unfilled
        // billet-days are the pipeline's (the batches' planned days, DESIGN §10).
        {"funds_held_person_days", 0},
        {"beds_held_person_days", 0},
        {"lift_held_person_days", 36673},
        {"pipeline_billet_days", 331957},
    };
    REQUIRE(golden.size() == kpi_columns().size());
    for (std::size_t i = 0; i < golden.size(); ++i) {
        INFO(golden[i].first);
        CHECK(kpi_columns()[i].name == golden[i].first);
        CHECK(k.*(kpi_columns()[i].member) == Approx(golden[i].second).epsilon(1e-6).margin(1e-9));
    }
    REQUIRE(obs.contingent_kpis.size() == 6);
    CHECK(obs.contingent_kpis[0].days_to_foc == 135);
    CHECK(obs.contingent_kpis[0].pax_in == 2375);
    CHECK(obs.contingent_kpis[5].days_to_foc == 144);
    CHECK(obs.contingent_kpis[5].mean_strength_frac == Approx(0.848027397260274).epsilon(1e-6));
    CHECK(obs.days.size() == 730);
}

TEST_CASE("replications on threads give the same results as one after another",
          "[model][baseline]") {
    const ModelConfig m = baseline_config();
    constexpr int kRuns = 4;
    std::vector<RunKpis> serial(kRuns), parallel(kRuns);
    for (int r = 0; r < kRuns; ++r) {
        MemoryObserver obs(false);
        serial[static_cast<std::size_t>(r)] =
            run_replication(m, 5, static_cast<std::uint64_t>(r), obs);
    }
    std::vector<std::thread> threads;
    for (int r = 0; r < kRuns; ++r)
        threads.emplace_back([&m, &parallel, r] {
            MemoryObserver obs(false);
            parallel[static_cast<std::size_t>(r)] =
                run_replication(m, 5, static_cast<std::uint64_t>(r), obs);
        });
    for (std::thread& t : threads)
        t.join();
    for (int r = 0; r < kRuns; ++r)
        for (const KpiColumn& c : kpi_columns()) {
            const double a = serial[static_cast<std::size_t>(r)].*(c.member);
            const double b = parallel[static_cast<std::size_t>(r)].*(c.member);
            INFO(c.name);
            CHECK(((a == b) || (std::isnan(a) && std::isnan(b))));
        }
}

TEST_CASE("baseline KPIs over replications fall in plausible ranges", "[model][baseline]") {
#if defined(__SANITIZE_ADDRESS__)
    constexpr int kRuns = 4;
#else
    constexpr int kRuns = 20;
#endif
    const ModelConfig m = baseline_config();
    double foc = 0, frac = 0, killed = 0;
    for (int r = 0; r < kRuns; ++r) {
        MemoryObserver obs(false);
        const RunKpis k = run_replication(m, m.scenario.seed, static_cast<std::uint64_t>(r), obs);
        REQUIRE(!std::isnan(k.days_to_foc));
        foc += k.days_to_foc / kRuns;
        frac += k.mean_strength_frac / kRuns;
        killed += k.killed / kRuns;
        // The last batches are ready on days 210-224: FOC cannot come much earlier.
        CHECK(k.days_to_foc >= 150);
        CHECK(k.days_to_foc <= 400);
        CHECK(k.pax_in >= 4500);
    }
    CHECK(foc == Approx(218).margin(25));
    CHECK(frac == Approx(0.83).margin(0.05));
    // Violence calibrated to FACTS (scenarios/baseline.toml header): ~3.6 killed over the
    // two years in the mean of 400 replications.
    CHECK(killed == Approx(3.6).margin(3));
}
