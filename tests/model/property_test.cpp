// Property test over many random configurations (random fleets, closures, rules, links, beds,
// violence, attrition, pledges, drawdowns): personnel are conserved and the billet invariants
// hold at the end of every day, and every KPI is finite or NaN by its rule.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <string>

#include "sim/kernel/random.hpp"
#include "sim/model/mission.hpp"
#include "tests/model/fixtures.hpp"

using namespace mss::model;
using namespace mss::model::test;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr int kConfigs = 100;
#else
constexpr int kConfigs = 300;
#endif

struct Gen {
    mss::kernel::RandomStream s;
    double u() { return s.uniform01(); }
    double range(double a, double b) { return a + (b - a) * u(); }
    int irange(int a, int b) { return a + static_cast<int>(u() * (b - a + 1)) % (b - a + 1); }
    bool coin(double p = 0.5) { return u() < p; }
    D duration(double median) {
        switch (irange(0, 3)) {
            case 0:
                return D::constant(median);
            case 1:
                return D::lognormal_median(median, 0.3);
            case 2:
                return D::uniform(0.5 * median, 1.5 * median);
            default:
                return D::exponential(median);
        }
    }
};

ModelConfig random_config(int index) {
    Gen g{mss::kernel::RandomStream(2024, static_cast<std::uint64_t>(index), "model/property")};
    ModelConfig m;
    m.scenario.horizon_days = g.irange(60, 400);
    m.main_gateway = "PAP";
    const std::vector<std::string> alts = {"CAP", "SDQ"};
    const std::vector<std::string> origins = {"O1", "O2", "O3"};
    for (const char* code : {"PAP", "CAP", "SDQ", "O1", "O2", "O3"}) {
        AirportConfig a;
        a.code = code;
        a.mog = g.irange(1, 3);
        a.handling_h = g.duration(2.0);
        for (int k = g.irange(0, std::string(code) == "PAP" ? 4 : 1); k > 0; --k) {
            ClosureConfig c;
            c.start_h = g.range(0, 24.0 * m.scenario.horizon_days);
            c.end_h = c.start_h + g.range(1, 24.0 * 40);
            c.all_classes = g.coin();
            if (!c.all_classes) c.classes = {static_cast<OperatorClass>(g.irange(0, 2))};
            a.closures.push_back(c);
        }
        m.airports.push_back(a);
    }
    for (const std::string& o : origins) {
        RouteConfig r;
        r.origin = o;
        r.gateway = "PAP";
        r.block_h = g.duration(g.range(1.0, 20.0));
        for (const std::string& a : alts)
            if (g.coin(0.7))
                r.alternates.push_back(AlternateConfig{a, g.duration(10.0), g.duration(1.0)});
        r.on_closure = static_cast<ClosureRule>(g.irange(0, 3));
        r.max_hold_h = g.range(0.0, 4.0);
        m.routes.push_back(r);
        for (int k = g.irange(0, 2); k > 0; --k) {
            AircraftConfig a;
            a.type = o + "-ac" + std::to_string(k);
            a.count = g.irange(1, 2);
            a.seats = g.irange(10, 300);
            a.home_base = o;
            a.operator_class = static_cast<OperatorClass>(g.irange(0, 2));
            a.cost_per_block_hour_usd = g.range(0, 20000);
            m.aircraft.push_back(a);
        }
    }
    for (const std::string& a : alts)
        if (g.coin(0.7)) add_link(m, a, g.irange(1, 2), g.irange(1, 20), g.range(0.2, 3.0), 1000.0);
    for (int c = g.irange(1, 4); c > 0; --c) {
        ContingentConfig k;
        k.name = "C" + std::to_string(c);
        k.origin = origins[static_cast<std::size_t>(g.irange(0, 2))];
        k.billets = g.irange(1, 300);
        int left = k.billets;
        for (int b = g.irange(1, 3); b > 0 && left > 0; --b) {
            const int n = g.irange(1, left);
            k.generation.push_back({g.range(0, 60), n});
            left -= n;
        }
        k.readiness_delay_days = g.duration(g.range(0.1, 20.0));
        if (g.coin(0.3)) {
            k.pledge.probability = g.range(0.3, 1.0);
            k.pledge.delay_days = g.duration(30.0);
        }
        k.tour_days = g.coin() ? D::constant(g.range(20, 200))
                               : D::normal(g.range(40, 200), 10.0, 10.0, 400.0);
        k.rotation.relief_lead_days = g.range(0, 40);
        k.rotation.overlap_days = g.range(0, 5);
        k.rotation.max_extension_days = g.coin(0.3) ? 0.0 : g.range(0, 60);
        k.rotation.mode = g.coin(0.3) ? RotationMode::unit : RotationMode::individual;
        k.attrition_per_person_day = g.coin() ? g.range(0, 2e-3) : 0.0;
        if (g.coin(0.25)) k.drawdown_day = g.range(0, m.scenario.horizon_days);
        m.contingents.push_back(k);
    }
    m.airlift.min_load = g.irange(1, 150);
    m.airlift.max_wait_days = g.range(0, 20);
    m.airlift.max_medevac_wait_h = g.range(0, 72);
    m.airlift.turnaround_h = g.range(0, 24);
    if (g.coin(0.3)) m.base.beds = g.irange(1, 600);
    if (g.coin(0.7)) {
        ViolenceConfig& v = m.violence;
        v.enabled = true;
        const int n = g.irange(1, 3);
        for (int i = 0; i < n; ++i) {
            RegimeConfig r;
            r.name = "r" + std::to_string(i);
            r.attacks_per_day = g.range(0, 5);
            r.p_close_airport = g.range(0, 0.05);
            r.closure_days = g.duration(5.0);
            r.p_cut_link = g.range(0, 0.3);
            r.cut_days = g.duration(2.0);
            r.p_patrol_hit = g.range(0, 0.5);
            r.wounded = CountSpec::poisson(g.range(0, 5));
            r.killed = g.coin() ? CountSpec::binomial(3, 0.3) : CountSpec::poisson(g.range(0, 2));
            v.regimes.push_back(r);
        }
        v.generator_per_day.assign(static_cast<std::size_t>(n),
                                   std::vector<double>(static_cast<std::size_t>(n), 0.0));
        for (int i = 0; i < n; ++i) {
            double sum = 0;
            for (int j = 0; j < n; ++j)
                if (i != j)
                    sum += v.generator_per_day[static_cast<std::size_t>(i)]
                                              [static_cast<std::size_t>(j)] = g.range(0.01, 0.2);
            v.generator_per_day[static_cast<std::size_t>(i)][static_cast<std::size_t>(i)] = -sum;
        }
        if (g.coin()) v.initial_regime = "r0";
        v.p_medevac = g.range(0, 1);
        v.recovery_days = g.duration(10.0);
    }
    return m;
}

bool nan_or_day(double x, int horizon) {
    return std::isnan(x) || (x >= 0 && x < horizon && x == std::floor(x));
}

}  // namespace

TEST_CASE("random configurations conserve personnel and keep billets single", "[model][property]") {
    RunKpis total;  // coverage: the configurations exercise every rule
    total.days_to_ioc = total.days_to_foc = total.mean_strength_frac = total.gap_person_days = 0;
    // MSS_PROPERTY_CONFIGS=n runs n configurations instead (a longer soak).
    int configs = kConfigs;
    if (const char* env = std::getenv("MSS_PROPERTY_CONFIGS")) configs = std::atoi(env);
    for (int i = 0; i < configs; ++i) {
        const ModelConfig m = random_config(i);
        REQUIRE(validate_model_config(m).empty());
        MemoryObserver obs(false);
        Mission mission(m, 77, static_cast<std::uint64_t>(i), obs);
        while (!mission.done()) {
            mission.run_day();
            const std::string problem = mission.check_invariants();
            if (!problem.empty())
                FAIL("config " << i << " day " << mission.day() << ": " << problem);
        }
        const RunKpis k = mission.finish();
        INFO("config " << i);
        // Filled billets: never more than the billets, nor than the officers on duty.
        for (const DaySnapshot& d : obs.days)
            for (std::size_t c = 0; c < m.contingents.size(); ++c) {
                CHECK(d.filled[c] <= static_cast<float>(m.contingents[c].billets));
                CHECK(d.filled[c] <= d.on_duty[c]);
                CHECK(d.on_duty[c] <= d.strength[c]);
            }
        const int h = m.scenario.horizon_days;
        CHECK(nan_or_day(k.days_to_ioc, h));
        CHECK(nan_or_day(k.days_to_foc, h));
        CHECK(std::isnan(k.gap_person_days) == std::isnan(k.days_to_foc));
        if (!std::isnan(k.gap_person_days)) CHECK(k.gap_person_days >= 0);
        CHECK(std::isfinite(k.mean_strength_frac));
        CHECK(k.mean_strength_frac >= 0);
        for (const KpiColumn& c : kpi_columns()) {
            const double x = k.*(c.member);
            INFO(c.name);
            if (c.first_day) continue;
            if (c.name == std::string("gap_person_days") ||
                c.name == std::string("days_below_floor") ||
                c.name == std::string("min_filled_frac")) {
                // Measured from FOC on: no value when FOC is never reached.
                CHECK(std::isnan(x) == std::isnan(k.days_to_foc));
                if (std::isnan(x)) continue;
            }
            CHECK(std::isfinite(x));
            CHECK(x >= c.lower);
            CHECK(x <= c.upper);
        }
        for (const KpiColumn& c : kpi_columns())
            if (!std::isnan(k.*(c.member))) total.*(c.member) += k.*(c.member);
        CHECK(k.flights_diverted <= k.flights_flown);
        CHECK(k.pax_out <= k.pax_in);
        CHECK(k.medevacs <= k.injured);
        std::int64_t generated = 0;
        for (std::size_t c = 0; c < m.contingents.size(); ++c)
            generated += mission.roster().generated(static_cast<int>(c));
        CHECK(static_cast<std::int64_t>(mission.roster().size()) == generated);
        REQUIRE(obs.days.size() == static_cast<std::size_t>(h));
        for (const DaySnapshot& d : obs.days)
            for (float f : d.airport_open)
                CHECK((f >= 0.0f && f <= 1.0f + 1e-6f));
        if (m.base.beds)
            for (const DaySnapshot& d : obs.days) {
                double s = 0;
                for (float x : d.strength)
                    s += x;
                CHECK(s <= *m.base.beds);
            }
    }
    CHECK(total.flights_diverted > 0);
    CHECK(total.flights_cancelled > 0);
    CHECK(total.killed > 0);
    CHECK(total.medevacs > 0);
    CHECK(total.attrited > 0);
    CHECK(total.gap_person_days > 0);
    CHECK(total.overstay_person_days > 0);
    CHECK(total.airport_closed_days > 0);
}
