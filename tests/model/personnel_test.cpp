// Personnel (sim/model/personnel.hpp) through a Mission: hand-computed timelines of pledges,
// the drawdown's treatment of reliefs and extended incumbents, and non-combat attrition.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <optional>
#include <string>

#include "sim/model/mission.hpp"
#include "tests/model/fixtures.hpp"
#include "tests/model/run_fixture.hpp"

using namespace mss::model;
using namespace mss::model::test;

namespace {

/// The personnel component wired by hand to the components it works with, as the Mission
/// wires them, for tests that call it directly.
struct Wired {
    Wired(const ModelConfig& m, const std::vector<std::int32_t>& billets)
        : log(sim, obs),
          roster(billets),
          agenda(m.scenario.horizon_days),
          airports(m, sim, streams, log),
          queues(airports.size(), roster),
          base(std::nullopt, roster),
          funds(m, streams, agenda, roster, log),
          personnel(m, sim, streams, roster, agenda, airports, queues, base, funds, log) {}
    mss::kernel::Simulation sim;
    mss::kernel::StreamFactory streams{1, 0};
    MemoryObserver obs;
    EventLog log;
    Roster roster;
    Agenda agenda;
    Airports airports;
    Queues queues;
    Base base;
    Funds funds;
    Personnel personnel;
};

}  // namespace

TEST_CASE("an unrealised pledge generates nobody, a realised one is shifted by its delay",
          "[model][personnel]") {
    // K (100 billets) deploys 2 days late with a half-day readiness delay: ready at 60 h. L
    // (50 billets, probability 0) never deploys but counts in A = 150. K's tours of 3 days end
    // at 142 h; their reliefs, requested a day ahead (118 h), are ready 12 h later: the pledge
    // delay does not shift reliefs. They land at 140 h and the outgoing officers, relieved
    // early, board at 142 h.
    ModelConfig m = simple_config(100, 250, 1);
    m.scenario.horizon_days = 7;
    ContingentConfig& k = m.contingents[0];
    k.pledge.delay_days = D::constant(2.0);
    k.readiness_delay_days = D::constant(0.5);
    k.tour_days = D::constant(3.0);
    k.rotation.relief_lead_days = 1.0;
    ContingentConfig l = k;
    l.name = "L";
    l.billets = 50;
    l.generation = {{0.0, 50}};
    l.pledge.probability = 0.0;
    m.contingents.push_back(l);
    Run r;
    run(m, r);
    CHECK(timeline(m, r.obs) == Timeline{{"pledge_unrealised L 50", 0},
                                         {"batch_ready K ORG 100", 60},
                                         {"sortie_launched ORG 100", 60},
                                         {"landed PAP 100", 70},
                                         {"returned_home ORG 0", 82},
                                         {"relief_requested K 100", 118},
                                         {"sortie_launched ORG 100", 130},
                                         {"landed PAP 100", 140},
                                         {"returned_home ORG 100", 152}});
    CHECK(r.mission->roster().generated(1) == 0);
    CHECK(r.mission->roster().generated(0) == 200);
    CHECK(r.kpis.days_to_ioc == 2);         // 100 of A = 150 from day 2 (70 h)
    CHECK(std::isnan(r.kpis.days_to_foc));  // 142.5 never
    CHECK(std::isnan(r.kpis.gap_person_days));
    REQUIRE(r.obs.contingent_kpis.size() == 2);
    CHECK(r.obs.contingent_kpis[0].days_to_foc == 2);
    CHECK(std::isnan(r.obs.contingent_kpis[1].days_to_foc));
    CHECK(r.obs.contingent_kpis[1].mean_strength_frac == 0);
    CHECK(r.kpis.overstay_person_days == 0);
}

TEST_CASE("drawdown: a relief in transit arrives and serves one tour", "[model][personnel]") {
    // One billet, 10-day tours, relief requested 5 days ahead, no readiness delay. The first
    // officer lands at 10 h (tour end 250 h); the relief, requested at 130 h, flies at once and
    // is in the air at the drawdown (135 h). It lands at 140 h and relieves the first officer,
    // who boards at 142 h; with no relief to come it leaves at its own tour end, 380 h.
    ModelConfig m = small(1);
    ContingentConfig& c = m.contingents[0];
    c.tour_days = D::constant(10.0);
    c.rotation.relief_lead_days = 5.0;
    c.drawdown_day = 135.0 / 24.0;
    Run r;
    run(m, r);
    CHECK(timeline(m, r.obs) == Timeline{{"batch_ready K ORG 1", 0},
                                         {"sortie_launched ORG 1", 0},
                                         {"landed PAP 1", 10},
                                         {"returned_home ORG 0", 22},
                                         {"relief_requested K 1", 130},
                                         {"sortie_launched ORG 1", 130},
                                         {"landed PAP 1", 140},
                                         {"returned_home ORG 1", 152},
                                         {"sortie_launched ORG 0", 380},
                                         {"landed PAP 0", 390},
                                         {"returned_home ORG 1", 402}});
    const std::vector<double> s = strength_by_day(r.obs);
    CHECK(s[15] == 1);  // boards at 392 h, in day 16
    CHECK(s[16] == 0);
    CHECK(r.count(0, PersonState::home) == 2);
    CHECK(r.count(0, PersonState::stood_down) == 0);
    CHECK(r.kpis.overstay_person_days == Approx(12.0 / 24.0));  // 380 -> 392 h
}

TEST_CASE("drawdown: a pledged relief stands down and an extended incumbent leaves at once",
          "[model][personnel]") {
    // Readiness 2 days: the officer is ready at 48 h and lands at 58 h; tour end 298 h. The
    // relief, requested a day ahead (274 h), would be ready at 322 h; the officer waits for it
    // within a 5-day extension. The drawdown at 312 h stands the relief down and sends the
    // officer home: the aircraft flies out (312 -> 322 h), boards at 324 h, lands home at 334 h.
    ModelConfig m = small(1);
    ContingentConfig& c = m.contingents[0];
    c.readiness_delay_days = D::constant(2.0);
    c.tour_days = D::constant(10.0);
    c.rotation.relief_lead_days = 1.0;
    c.rotation.max_extension_days = 5.0;
    c.drawdown_day = 13.0;
    Run r;
    run(m, r);
    CHECK(timeline(m, r.obs) == Timeline{{"batch_ready K ORG 1", 48},
                                         {"sortie_launched ORG 1", 48},
                                         {"landed PAP 1", 58},
                                         {"returned_home ORG 0", 70},
                                         {"relief_requested K 1", 274},
                                         {"sortie_launched ORG 0", 312},
                                         {"landed PAP 0", 322},
                                         {"returned_home ORG 1", 334}});
    CHECK(r.count(0, PersonState::stood_down) == 1);
    CHECK(r.count(0, PersonState::home) == 1);
    CHECK(r.kpis.pax_in == 1);
    CHECK(r.kpis.overstay_person_days == Approx((324.0 - 298.0) / 24.0));
    const std::vector<double> s = strength_by_day(r.obs);
    CHECK(s[12] == 1);
    CHECK(s[13] == 0);
}

TEST_CASE("attrition removes an officer from theatre at once and requests the billet's relief",
          "[model][personnel]") {
    // 100 billets, 2% attrition a person-day, reliefs ready at once and flown for one
    // passenger. Nobody leaves theatre otherwise (one-year tours), so at the end of each day
    // those in theatre are exactly those landed less those attrited: nobody attrited is flown.
    ModelConfig m = small(100);
    m.scenario.horizon_days = 30;
    m.contingents[0].attrition_per_person_day = 0.02;
    Run r;
    run(m, r);
    const auto attrited = r.obs.events_of(EventKind::attrited);
    const auto reliefs = r.obs.events_of(EventKind::relief_requested);
    REQUIRE(attrited.size() > 10);  // about 60 expected
    REQUIRE(reliefs.size() == attrited.size());
    for (std::size_t i = 0; i < attrited.size(); ++i) {
        CHECK(attrited[i].count == 1);
        CHECK(reliefs[i].t_h == attrited[i].t_h);
        CHECK(reliefs[i].contingent == 0);
    }
    CHECK(r.kpis.attrited == static_cast<double>(attrited.size()));
    CHECK(r.count(0, PersonState::attrited) == static_cast<std::int64_t>(attrited.size()));
    CHECK(r.kpis.pax_out == 0);
    const auto landed = r.obs.events_of(EventKind::landed);
    for (const DaySnapshot& d : r.obs.days) {
        const double end = 24.0 * (d.day + 1);
        double in = 0, out = 0;
        for (const EventRecord& e : landed)
            if (e.t_h < end) in += e.count;
        for (const EventRecord& e : attrited)
            if (e.t_h < end) out += 1;
        INFO("day " << d.day);
        CHECK(d.strength[0] == in - out);
    }
}

TEST_CASE("with replace_losses off, a loss leaves its billet empty", "[model][personnel]") {
    // As above, but the contingent does not replace losses: no relief is requested, and the
    // billets of the attrited stay empty to the horizon (the others' tours outlast it).
    ModelConfig m = small(100);
    m.scenario.horizon_days = 30;
    m.contingents[0].attrition_per_person_day = 0.02;
    m.contingents[0].replace_losses = false;
    Run r;
    run(m, r);
    const auto attrited = r.obs.events_of(EventKind::attrited);
    REQUIRE(attrited.size() > 10);
    CHECK(r.obs.events_of(EventKind::relief_requested).empty());
    CHECK(r.mission->roster().generated(0) == 100);
    CHECK(r.obs.days.back().filled[0] == 100 - static_cast<double>(attrited.size()));
}

TEST_CASE("attrition strikes each officer in theatre at the stated rate", "[model][personnel]") {
    // 100 land at 10 h and are never relieved (drawn down before they land). The rate follows
    // the headcount at every loss and at the daily re-evaluation, the first after they land
    // being at 24 h: each survives to the horizon (480 h) with probability
    // exp(-0.05 x 456 / 24), independently. Over 20 replications the survivors are
    // Binomial(2000, p); allow 4.5 standard deviations (a false failure about once in 150,000
    // runs).
    ModelConfig m = simple_config(100, 250, 1);
    m.scenario.horizon_days = 20;
    m.contingents[0].attrition_per_person_day = 0.05;
    m.contingents[0].drawdown_day = 0.1;
    const double p = std::exp(-0.05 * 456.0 / 24.0);
    double survivors = 0;
    for (std::uint64_t rep = 0; rep < 20; ++rep) {
        MemoryObserver obs;
        const RunKpis k = run_replication(m, 31, rep, obs);
        CHECK(k.attrited + obs.days.back().strength[0] == 100);
        survivors += obs.days.back().strength[0];
    }
    const double n = 2000, sd = std::sqrt(n * p * (1 - p));
    INFO("survivors " << survivors << " expected " << n * p << " sd " << sd);
    CHECK(std::abs(survivors - n * p) < 4.5 * sd);
}

TEST_CASE("an officer waiting for lift home who is medevacked counts once as a medevac",
          "[model][personnel][medevac]") {
    // Personnel on its own. K draws down at day 0, so at the tour end its officer starts
    // leaving (joins the outbound queue at the gateway as an ordinary passenger); a wound with
    // medevac then makes the officer the queue's one medevac, which the launch rule's medevac
    // clause reads. (The medevac flag was once set before the officer left the ordinary place
    // in the queue, so the queue counted -1 + 1 = 0 medevacs and no dedicated flight came.)
    ModelConfig m = simple_config(1, 10, 1);
    m.contingents[0].drawdown_day = 0.0;
    Wired w(m, {1});
    Roster& roster = w.roster;
    Queues& queues = w.queues;
    Airports& airports = w.airports;
    Personnel& personnel = w.personnel;
    const std::int32_t id = roster.add(0, roster.first_billet(0), BilletRole::incumbent);
    personnel.arrive_theatre(id);
    personnel.tour_end(id, roster.person(id).tour_stamp);
    const PoolId home = queues.pool(airports.id("ORG"), airports.gateway());
    REQUIRE(queues.count(home) == 1);
    REQUIRE(queues.medevacs(home) == 0);
    personnel.wound(id, true, 0.0);
    CHECK(queues.count(home) == 1);
    CHECK(queues.medevacs(home) == 1);
    CHECK(queues.medevac_first(home));
}

TEST_CASE(
    "filled billets: an injured incumbent, a medevac and an officer waiting for lift home "
    "are in theatre but do not fill their billets",
    "[model][personnel][filled]") {
    // Three billets of K, incumbents a, b, c in theatre; no drawdown, so a released billet's
    // relief is requested.
    ModelConfig m = simple_config(3, 10, 1);
    m.contingents[0].rotation.max_extension_days = 0.0;
    Wired w(m, {3});
    Roster& roster = w.roster;
    Personnel& personnel = w.personnel;
    std::int32_t id[3];
    for (int i = 0; i < 3; ++i) {
        id[i] = roster.add(0, roster.first_billet(0) + i, BilletRole::incumbent);
        CHECK(roster.filled(0) == i);  // the new incumbent is pledged: not in theatre
        personnel.arrive_theatre(id[i]);
    }
    CHECK(roster.filled(0) == 3);
    CHECK(roster.in_theatre(0) == 3);
    // a is wounded and recovers in theatre: still the incumbent, but not on duty.
    personnel.wound(id[0], false, 24.0);
    CHECK(roster.filled(0) == 2);
    CHECK(roster.in_theatre(0) == 3);
    personnel.recover(id[0]);
    CHECK(roster.filled(0) == 3);
    // b is wounded and evacuated: released at once (a relief is requested), waits in theatre.
    personnel.wound(id[1], true, 0.0);
    CHECK(roster.person(id[1]).role == BilletRole::none);
    CHECK(roster.billet(roster.person(id[1]).billet).relief >= 0);
    CHECK(roster.filled(0) == 2);
    CHECK(roster.in_theatre(0) == 3);
    // c's tour ends with no relief in sight and no extension: released, waits for lift home.
    personnel.tour_end(id[2], roster.person(id[2]).tour_stamp);
    CHECK(roster.person(id[2]).leaving);
    CHECK(roster.filled(0) == 1);
    CHECK(roster.in_theatre(0) == 3);
    CHECK(roster.check() == "");
}
