// Force generation (DESIGN §10; sim/model/funds.hpp, base.hpp, personnel.hpp) through a
// Mission: hand-computed timelines of a release held for funds and released by a payment, a
// freeze, a bed hold released by construction, pipeline stages and a drop-out; what binds; and
// common random numbers (money and beds do not move the violence path).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "sim/model/baseline.hpp"
#include "sim/model/mission.hpp"
#include "tests/model/fixtures.hpp"
#include "tests/model/run_fixture.hpp"

using namespace mss::model;
using namespace mss::model::test;

namespace {

/// small(10) with one payer "fund" holding `initial_usd`, K costing $1,000 a person-month in
/// allowances (no per diem) and free flights, so that the release of the batch of 10 needs
/// $10,000 (reserve of one month).
ModelConfig funded(double initial_usd) {
    ModelConfig m = small(10);
    m.scenario.horizon_days = 6;
    m.aircraft[0].cost_per_block_hour_usd = 0.0;
    m.contingents[0].allowance_usd_per_month = 1000.0;
    m.funding.payers = {PayerConfig{"fund", initial_usd}};
    m.funding.reserve_months = 1.0;
    return m;
}

/// Two billets of K filled at 10 h by free flights, 3-day tours (end 82 h) with reliefs
/// requested a day ahead and no extension, $1,000 a person-month, one payer "fund" holding
/// `initial_usd`; a 5-day horizon.
ModelConfig rotating_pair(double initial_usd) {
    ModelConfig m = small(2);
    m.scenario.horizon_days = 5;
    m.aircraft[0].cost_per_block_hour_usd = 0.0;
    ContingentConfig& k = m.contingents[0];
    k.allowance_usd_per_month = 1000.0;
    k.tour_days = D::constant(3.0);
    k.rotation.relief_lead_days = 1.0;
    m.funding.payers = {PayerConfig{"fund", initial_usd}};
    return m;
}

}  // namespace

TEST_CASE("a batch held for funds is released by a payment", "[model][funds]") {
    // The fund is empty at t = 0: the batch of 10 ($10,000 a month) waits. $10,000 paid on
    // day 2 (48 h) releases it: it flies at once and lands at 58 h. Days 0 and 1 end with 10
    // held: 20 person-days. From the end of day 2 the 10 in theatre cost 1000/30.4375 a day
    // each.
    ModelConfig m = funded(0.0);
    m.funding.contributions = {ContributionConfig{"fund", 2.0, 10000.0, 1.0, D::constant(0.0), ""}};
    Run r;
    run(m, r);
    CHECK(timeline(m, r.obs) == Timeline{{"held_for_funds K ORG 10", 0},
                                         {"contribution_paid 10000", 48},
                                         {"released_by_funds K ORG 10", 48},
                                         {"batch_ready K ORG 10", 48},
                                         {"sortie_launched ORG 10", 48},
                                         {"landed PAP 10", 58},
                                         {"returned_home ORG 0", 70}});
    CHECK(r.kpis.funds_held_person_days == 20);
    CHECK(r.kpis.lift_held_person_days == 0);
    CHECK(r.kpis.days_to_foc == 2);
    // Allowances over the time in theatre: 10 people from 58 h to 144 h.
    CHECK(r.kpis.cost_usd == Approx(10 * (144.0 - 58.0) / 24.0 * 1000.0 / 30.4375));
    // The payer's ledger charges at each day's end the people in theatre then: days 2 to 5.
    const double day_usd = 10 * 1000.0 / 30.4375;
    REQUIRE(r.obs.payer_kpis.size() == 1);
    const PayerKpis& p = r.obs.payer_kpis[0];
    CHECK(p.paid_usd == 10000);
    CHECK(p.held_person_days == 20);
    CHECK(p.days_held == 2);
    CHECK(p.cost_usd == Approx(4 * day_usd));
    CHECK(p.min_balance_usd == 0);
    CHECK(p.end_balance_usd == Approx(10000 - 4 * day_usd));
    std::vector<double> balance;
    for (const DaySnapshot& d : r.obs.days) {
        REQUIRE(d.payer_balance.size() == 1);
        balance.push_back(d.payer_balance[0]);
    }
    CHECK_THAT(balance, Catch::Matchers::Approx(
                            std::vector<double>{0, 0, 10000 - day_usd, 10000 - 2 * day_usd,
                                                10000 - 3 * day_usd, 10000 - 4 * day_usd}));
}

TEST_CASE("a payment that is never made leaves the batch held to the horizon", "[model][funds]") {
    ModelConfig m = funded(0.0);
    m.funding.contributions = {ContributionConfig{"fund", 2.0, 10000.0, 0.0, D::constant(0.0), ""}};
    Run r;
    run(m, r);
    CHECK(timeline(m, r.obs) == Timeline{{"held_for_funds K ORG 10", 0}});
    CHECK(r.kpis.funds_held_person_days == 60);  // 10 people, 6 days
    REQUIRE(r.obs.payer_kpis.size() == 1);
    CHECK(r.obs.payer_kpis[0].held_person_days == 60);  // still held at the horizon: counted
    CHECK(r.obs.payer_kpis[0].days_held == 6);
    CHECK(r.obs.payer_kpis[0].paid_usd == 0);
    CHECK(r.obs.payer_kpis[0].cost_usd == 0);
    CHECK(std::isnan(r.kpis.days_to_ioc));
    CHECK(r.kpis.pipeline_billet_days == 0);  // the people exist: money binds, not pledges
}

TEST_CASE("a freeze holds a batch until it ends, and a payment's delay is drawn",
          "[model][funds]") {
    // $100,000 of which $95,000 frozen from day 0 to day 3: $5,000 may be spent, the batch
    // needs $10,000. The freeze ends at 72 h and the batch goes.
    ModelConfig m = funded(100000.0);
    m.funding.freezes = {FreezeConfig{"fund", 0.0, 3.0, 95000.0, ""}};
    Run r;
    run(m, r);
    CHECK(timeline(m, r.obs) == Timeline{{"held_for_funds K ORG 10", 0},
                                         {"released_by_funds K ORG 10", 72},
                                         {"batch_ready K ORG 10", 72},
                                         {"sortie_launched ORG 10", 72},
                                         {"landed PAP 10", 82},
                                         {"returned_home ORG 0", 94}});
    CHECK(r.kpis.funds_held_person_days == 30);

    // A contribution paid after a constant 1.5-day delay: pledged day 1, paid at 60 h.
    ModelConfig d = funded(0.0);
    d.funding.contributions = {ContributionConfig{"fund", 1.0, 20000.0, 1.0, D::constant(1.5), ""}};
    Run rd;
    run(d, rd);
    const Timeline t = timeline(d, rd.obs);
    REQUIRE(t.size() >= 3);
    CHECK(t[1] == Mark{"contribution_paid 20000", 60});
    CHECK(t[2] == Mark{"released_by_funds K ORG 10", 60});
}

TEST_CASE("a relief is held for funds while the run rate is too high", "[model][funds]") {
    // Two billets filled at 10 h, 3-day tours (end 82 h), reliefs requested a day ahead and
    // no extension. The fund has $3,000 for a run rate of $2,000 a month with the two in
    // theatre: the first batch goes. At 58 h it holds 3000 - 2 x 2 x 1000/30.4375 = $2,868.6
    // (days 0 and 1 charged), and each relief would make the run rate $3,000: both wait. The
    // incumbents leave at 82 h (the aircraft fetches them, 92 h); at the end of day 3 (96 h)
    // nobody of K is in theatre, $2,802.9 is left, and the reliefs go ($1,000, then $2,000 a
    // month). They fly when the aircraft is back, 104 h. Held: days 2 and 3 end with 2 held.
    const ModelConfig m = rotating_pair(3000.0);
    Run r;
    run(m, r);
    CHECK(timeline(m, r.obs) == Timeline{{"batch_ready K ORG 2", 0},
                                         {"sortie_launched ORG 2", 0},
                                         {"landed PAP 2", 10},
                                         {"returned_home ORG 0", 22},
                                         {"relief_requested K 1", 58},
                                         {"held_for_funds K ORG 1", 58},
                                         {"relief_requested K 1", 58},
                                         {"held_for_funds K ORG 1", 58},
                                         {"sortie_launched ORG 0", 82},
                                         {"landed PAP 0", 92},
                                         {"released_by_funds K ORG 2", 96},
                                         {"returned_home ORG 2", 104},
                                         {"sortie_launched ORG 2", 104},
                                         {"landed PAP 2", 114}});
    CHECK(r.kpis.funds_held_person_days == 4);
    CHECK(r.kpis.shortfall_billet_days == 2);  // day 3 (to 96 h) ends with both billets empty
}

TEST_CASE("arrivals wait for beds, and construction adds them", "[model][beds]") {
    // 5 beds, a batch of 10 at t = 0: the first sortie takes 5 (landing 10 h). A camp of 5
    // beds contracted on day 1 with a 2-day lead time opens at 72 h: the other 5 fly then.
    // Days 0, 1 and 2 end with 5 ready and no bed free: 15 person-days held for beds.
    ModelConfig m = small(10);
    m.scenario.horizon_days = 5;
    m.base.beds = 5;
    m.base.construction = {ConstructionConfig{"camp", 1.0, D::constant(2.0), 5, 250000.0}};
    Run r;
    run(m, r);
    CHECK(timeline(m, r.obs) == Timeline{{"batch_ready K ORG 10", 0},
                                         {"sortie_launched ORG 5", 0},
                                         {"landed PAP 5", 10},
                                         {"returned_home ORG 0", 22},
                                         {"beds_added 5", 72},
                                         {"sortie_launched ORG 5", 72},
                                         {"landed PAP 5", 82},
                                         {"returned_home ORG 0", 94}});
    CHECK(r.kpis.beds_held_person_days == 15);
    CHECK(r.kpis.lift_held_person_days == 0);
    // Block hours: two sorties of 10 h out and 10 h back at $100; and the camp.
    CHECK(r.kpis.cost_usd == Approx(4 * 10 * 100.0 + 250000.0));
}

TEST_CASE("pipeline stages shift the batches, and a stage falls through", "[model][pipeline]") {
    // K: agreement (2 days) then equipment (1.5 days): through at 84 h, its batch (day 0, no
    // readiness delay) ready then. L: agreement, then training that never ends well: it never
    // deploys, and its 4 billets are unfilled for want of the pipeline on every day.
    ModelConfig m = small(10);
    m.scenario.horizon_days = 5;
    m.contingents[0].pipeline = {PipelineStage{"agreement", 1.0, D::constant(2.0)},
                                 PipelineStage{"equipment", 1.0, D::constant(1.5)}};
    ContingentConfig l = m.contingents[0];
    l.name = "L";
    l.billets = 4;
    l.generation = {{0.0, 4}};
    l.pipeline = {PipelineStage{"agreement", 1.0, D::constant(1.0)},
                  PipelineStage{"training", 0.0, D::constant(5.0)}};
    m.contingents.push_back(l);
    Run r;
    run(m, r);
    CHECK(timeline(m, r.obs) == Timeline{{"pledge_unrealised L 4", 0},
                                         {"pipeline_done K 10", 84},
                                         {"batch_ready K ORG 10", 84},
                                         {"sortie_launched ORG 10", 84},
                                         {"landed PAP 10", 94},
                                         {"returned_home ORG 0", 106}});
    REQUIRE(r.obs.contingent_kpis.size() == 2);
    CHECK(r.obs.contingent_kpis[0].pipeline_days == 3);
    CHECK(std::isnan(r.obs.contingent_kpis[1].pipeline_days));
    // Unfilled for want of the pipeline: K's 10 on days 0-2, L's 4 on days 0-4.
    CHECK(r.kpis.pipeline_billet_days == 10 * 3 + 4 * 5);
    CHECK(r.mission->roster().generated(1) == 0);
}

TEST_CASE("a one-stage pipeline is the pledge it replaces, draw for draw", "[model][pipeline]") {
    ModelConfig a = baseline_config();
    a.scenario.horizon_days = 200;
    for (ContingentConfig& c : a.contingents) {
        c.pledge.probability = 0.6;
        c.pledge.delay_days = D::uniform(0.0, 30.0);
    }
    ModelConfig b = a;
    for (ContingentConfig& c : b.contingents) {
        c.pipeline = {PipelineStage{"pledge", c.pledge.probability, c.pledge.delay_days}};
        c.pledge = PledgeRealisation{};
    }
    for (std::uint64_t rep = 0; rep < 3; ++rep) {
        MemoryObserver oa, ob;
        const RunKpis ka = run_replication(a, 11, rep, oa);
        const RunKpis kb = run_replication(b, 11, rep, ob);
        for (const KpiColumn& col : kpi_columns()) {
            INFO(col.name);
            const double x = ka.*(col.member), y = kb.*(col.member);
            CHECK(((std::isnan(x) && std::isnan(y)) || x == y));
        }
        // The stage's event on completion is the only difference in the events.
        std::size_t done = 0;
        for (const EventRecord& e : ob.events)
            done += e.kind == EventKind::pipeline_done;
        CHECK(ob.events.size() == oa.events.size() + done);
    }
}

TEST_CASE("money and beds do not move the violence path (common random numbers)",
          "[model][funds][beds]") {
    // The same seed with and without a payer, a contribution and a bed project: the regime
    // changes and attacks fall at the same times.
    ModelConfig a = baseline_config();
    a.scenario.horizon_days = 365;
    ModelConfig b = a;
    b.funding.payers = {PayerConfig{"fund", 5e6}};
    b.funding.contributions = {
        ContributionConfig{"fund", 30.0, 1e8, 0.5, D::uniform(0.0, 60.0), ""}};
    for (ContingentConfig& c : b.contingents)
        c.allowance_usd_per_month = 1428.0;
    b.base.beds = 1300;
    b.base.construction = {ConstructionConfig{"camp", 60.0, D::uniform(30.0, 90.0), 1000, 2e7}};
    auto violence = [](const MemoryObserver& o) {
        std::vector<std::pair<double, int>> v;
        for (const EventRecord& e : o.events)
            if (e.kind == EventKind::attack || e.kind == EventKind::regime_change)
                v.emplace_back(e.t_h, static_cast<int>(e.kind));
        return v;
    };
    for (std::uint64_t rep = 0; rep < 2; ++rep) {
        MemoryObserver oa, ob;
        run_replication(a, 3, rep, oa);
        run_replication(b, 3, rep, ob);
        CHECK(!violence(oa).empty());
        CHECK(violence(oa) == violence(ob));
    }
}

TEST_CASE("reliefs of the deployed force do not wait behind a batch the payer cannot afford",
          "[model][funds]") {
    // K (2 billets, 3-day tours) and L (1,000 billets) share a fund of $10,000; a person costs
    // $1,000 a month. K's batch goes at t = 0; L's ($1M a month) is held to the horizon. K's
    // reliefs, requested at 58 h with $9,869 left for a run rate of $3,000, are released at
    // once: a relief never waits behind a held batch.
    ModelConfig m = rotating_pair(10000.0);
    ContingentConfig l = m.contingents[0];
    l.name = "L";
    l.billets = 1000;
    l.generation = {{0.0, 1000}};
    m.contingents.push_back(l);
    Run r;
    run(m, r);
    const Timeline t = timeline(m, r.obs);
    REQUIRE(t.size() >= 6);
    CHECK(t[0] == Mark{"batch_ready K ORG 2", 0});
    CHECK(t[1] == Mark{"held_for_funds L ORG 1000", 0});
    for (const Mark& x : t)
        CHECK(x.what.rfind("held_for_funds K", 0) != 0);
    CHECK(r.kpis.funds_held_person_days == 1000 * 5);
    CHECK(r.count(1, PersonState::pledged) == 1000);
    CHECK(r.obs.contingent_kpis[0].pax_in == 4);  // the first two and their reliefs
}
