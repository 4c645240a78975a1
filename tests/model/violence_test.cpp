// Gang violence (DESIGN §3): regime occupancy against the Eigen stationary distribution,
// attack counts per regime against their rates, casualties capped at those on duty, and
// common random numbers for attack times.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/kernel/ctmc.hpp"
#include "sim/model/baseline.hpp"
#include "sim/model/mission.hpp"
#include "tests/model/fixtures.hpp"

using namespace mss::model;
using namespace mss::model::test;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr int kReps = 10;
constexpr int kDays = 10000;
#else
constexpr int kReps = 20;
constexpr int kDays = 20000;
#endif

/// Only the gateway and the baseline's violence (initial regime drawn from the stationary
/// distribution), no personnel and no aircraft.
ModelConfig violence_only() {
    ModelConfig m;
    m.scenario.horizon_days = kDays;
    m.main_gateway = "PAP";
    AirportConfig pap;
    pap.code = "PAP";
    m.airports = {pap};
    m.violence = baseline_config().violence;
    m.violence.initial_regime.clear();
    return m;
}

}  // namespace

TEST_CASE("regime occupancy and attack counts agree with the CTMC and the rates",
          "[model][violence]") {
    const ModelConfig m = violence_only();
    const std::size_t n = m.violence.regimes.size();
    Eigen::MatrixXd q(3, 3);
    for (Eigen::Index i = 0; i < 3; ++i)
        for (Eigen::Index j = 0; j < 3; ++j)
            q(i, j) =
                m.violence
                    .generator_per_day[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
    const Eigen::VectorXd pi = mss::kernel::stationary_distribution(q);
    const std::vector<double> shares = stationary_regime_shares(m.violence);
    REQUIRE(shares.size() == 3);
    for (Eigen::Index i = 0; i < 3; ++i)
        CHECK(shares[static_cast<std::size_t>(i)] == pi(i));

    const double horizon_h = 24.0 * kDays;
    std::vector<std::vector<double>> share(n);  // per replication
    std::vector<double> time_h(n, 0.0), attacks(n, 0.0);
    for (int rep = 0; rep < kReps; ++rep) {
        MemoryObserver obs;
        run_replication(m, 99, static_cast<std::uint64_t>(rep), obs);
        std::vector<double> t_in(n, 0.0);
        int regime = -1;
        double since = 0.0;
        for (const EventRecord& e : obs.events) {
            if (e.kind == EventKind::regime_change) {
                if (regime >= 0) t_in[static_cast<std::size_t>(regime)] += e.t_h - since;
                regime = e.count;
                since = e.t_h;
            } else if (e.kind == EventKind::attack) {
                REQUIRE(e.count == regime);
                attacks[static_cast<std::size_t>(e.count)] += 1;
            }
        }
        t_in[static_cast<std::size_t>(regime)] += horizon_h - since;
        // The end-of-day regime in the snapshots is the regime holding at that time.
        CHECK(obs.days.back().regime == regime);
        for (std::size_t i = 0; i < n; ++i) {
            share[i].push_back(t_in[i] / horizon_h);
            time_h[i] += t_in[i];
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        // Occupancy: the mean share over replications is within 4 standard errors (estimated
        // from the replications) plus 0.005 of the stationary share (about 99.99%).
        double mean = 0, var = 0;
        for (double s : share[i])
            mean += s / kReps;
        for (double s : share[i])
            var += (s - mean) * (s - mean) / (kReps - 1);
        const double se = std::sqrt(var / kReps);
        INFO("regime " << i << " share " << mean << " stationary "
                       << pi(static_cast<Eigen::Index>(i)) << " se " << se);
        CHECK(std::abs(mean - pi(static_cast<Eigen::Index>(i))) < 4.0 * se + 0.005);
        // Attacks: given the time spent in a regime, its count is Poisson(rate x time); allow
        // 4.5 standard deviations.
        const double expected = m.violence.regimes[i].attacks_per_day * time_h[i] / 24.0;
        INFO("attacks " << attacks[i] << " expected " << expected);
        CHECK(std::abs(attacks[i] - expected) < 4.5 * std::sqrt(expected));
    }
}

TEST_CASE("casualties are capped at those on duty", "[model][violence]") {
    // 20 land at 10 h; every attack hits a patrol with 1,000 killed and 1,000 wounded drawn.
    // The contingent draws down before it lands, so nobody replaces the dead.
    ModelConfig m = simple_config(20, 250, 1);
    m.scenario.horizon_days = 5;
    m.airlift.min_load = 1;
    m.contingents[0].drawdown_day = 0.2;
    RegimeConfig hot;
    hot.name = "hot";
    hot.attacks_per_day = 24.0;
    hot.p_patrol_hit = 1.0;
    hot.killed = CountSpec::constant(1000);
    hot.wounded = CountSpec::constant(1000);
    m.violence.enabled = true;
    m.violence.regimes = {hot};
    m.violence.generator_per_day = {{0.0}};
    m.violence.initial_regime = "hot";
    MemoryObserver obs;
    Mission mission(m, 5, 0, obs);
    while (!mission.done()) {
        mission.run_day();
        REQUIRE(mission.check_invariants() == "");
    }
    const RunKpis k = mission.finish();
    CHECK(k.killed == 20);
    CHECK(k.injured == 0);
    const auto killed = obs.events_of(EventKind::killed);
    REQUIRE(killed.size() == 1);
    CHECK(killed[0].count == 20);
    CHECK(killed[0].t_h > 10.0);
    CHECK(obs.events_of(EventKind::relief_requested).empty());
    CHECK(obs.days.back().strength[0] == 0);
}

TEST_CASE("wounded are medevacked on the next sortie or by a dedicated flight after the wait",
          "[model][violence]") {
    // 100 in theatre; the first attack wounds one, who is evacuated (p_medevac = 1). Nobody
    // else needs lift, so the aircraft launches only when the medevac has waited 48 h.
    ModelConfig m = simple_config(100, 250, 1);
    m.scenario.horizon_days = 20;
    RegimeConfig r;
    r.name = "one";
    r.attacks_per_day = 0.5;
    r.p_patrol_hit = 1.0;
    r.wounded = CountSpec::constant(1);
    r.killed = CountSpec::constant(0);
    m.violence.enabled = true;
    m.violence.regimes = {r};
    m.violence.generator_per_day = {{0.0}};
    m.violence.p_medevac = 1.0;
    MemoryObserver obs;
    const RunKpis k = run_replication(m, 11, 0, obs);
    const auto wounded = obs.events_of(EventKind::wounded);
    const auto flights = obs.events_of(EventKind::medevac_flight);
    REQUIRE(!wounded.empty());
    REQUIRE(!flights.empty());
    double first_wound_after_landing = -1;
    for (const EventRecord& e : wounded)
        if (first_wound_after_landing < 0) first_wound_after_landing = e.t_h;
    CHECK(flights[0].t_h == Approx(first_wound_after_landing + 48.0));
    // Each medevac's billet is refilled by a relief (p_medevac = 1: every wounded officer).
    CHECK(obs.events_of(EventKind::relief_requested).size() == static_cast<std::size_t>(k.injured));
    // `medevacs` counts the patients evacuated: here the only people flown home (tours are
    // longer than the horizon). The last ones wounded are still waiting when it ends.
    double flown_home = 0;
    for (const EventRecord& e : obs.events_of(EventKind::returned_home))
        flown_home += static_cast<double>(e.count);
    CHECK(k.medevacs >= 1);
    CHECK(k.medevacs == flown_home);
    CHECK(k.medevacs == k.pax_out);
    CHECK(k.medevacs < k.injured);

    SECTION("three idle aircraft fly one dedicated medevac flight, not three") {
        ModelConfig m3 = m;
        m3.aircraft[0].count = 3;
        MemoryObserver obs3;
        const RunKpis k3 = run_replication(m3, 11, 0, obs3);
        const auto flights3 = obs3.events_of(EventKind::medevac_flight);
        REQUIRE(!flights3.empty());
        CHECK(flights3[0].t_h == Approx(first_wound_after_landing + 48.0));
        for (std::size_t i = 1; i < flights3.size(); ++i)
            CHECK(flights3[i].t_h != flights3[i - 1].t_h);
        // Every sortie that flew out empty brings someone home.
        std::size_t out_empty = 0, back_full = 0;
        for (const EventRecord& e : obs3.events_of(EventKind::sortie_launched))
            out_empty += e.count == 0 ? 1 : 0;
        for (const EventRecord& e : obs3.events_of(EventKind::returned_home))
            back_full += e.count > 0 ? 1 : 0;
        CHECK(out_empty <= back_full);
        CHECK(k3.medevacs == k.medevacs);
    }
}

TEST_CASE("adding an aircraft leaves the replication's attack times unchanged",
          "[model][violence][crn]") {
    const ModelConfig base = baseline_config();
    ModelConfig more = base;
    more.aircraft[0].count = 2;
    MemoryObserver a, b;
    run_replication(base, base.scenario.seed, 3, a);
    run_replication(more, base.scenario.seed, 3, b);
    auto times = [](const MemoryObserver& o, EventKind kind) {
        std::vector<double> t;
        for (const EventRecord& e : o.events_of(kind))
            t.push_back(e.t_h);
        return t;
    };
    CHECK(times(a, EventKind::attack) == times(b, EventKind::attack));
    CHECK(times(a, EventKind::regime_change) == times(b, EventKind::regime_change));
    CHECK(times(a, EventKind::closure_start) == times(b, EventKind::closure_start));
    CHECK(!times(a, EventKind::attack).empty());
    // ... while the airlift itself did change.
    auto launches = [](const MemoryObserver& o) {
        std::vector<std::pair<double, std::int64_t>> v;
        for (const EventRecord& e : o.events_of(EventKind::sortie_launched))
            v.emplace_back(e.t_h, e.count);
        return v;
    };
    CHECK(launches(a) != launches(b));
}
