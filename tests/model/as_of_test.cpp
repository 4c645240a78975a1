// A scenario that starts "as of a date" (DESIGN §10; docs/model.md "As of a date"): personnel
// already in theatre at the start, with their arrival dates and reliefs already requested.
// Hand-computed tour ends of those in theatre, and a run started from an observed state against
// the run that reached it: from that date on the two agree day by day and event by event.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "sim/model/mission.hpp"
#include "tests/model/fixtures.hpp"
#include "tests/model/run_fixture.hpp"

using namespace mss::model;
using namespace mss::model::test;

namespace {

/// small(3) with nobody generated: three groups already in theatre at the start, one officer
/// each, who arrived 100, 130 and 20 days before it; 120-day tours; the contingent draws down
/// at the start, so nobody is relieved and each leaves at the tour end.
ModelConfig three_in_theatre() {
    ModelConfig m = small(3);
    m.scenario.horizon_days = 30;
    ContingentConfig& k = m.contingents[0];
    k.generation.clear();
    k.tour_days = D::constant(120.0);
    k.drawdown_day = 0.0;
    k.in_theatre = {InTheatreGroup{1, -100.0, {}}, InTheatreGroup{1, -130.0, {}},
                    InTheatreGroup{1, -20.0, {}}};
    return m;
}

/// The history: small(4) with a 12 h block, whose batch is ready after 2.5 days, 10-day tours with
/// reliefs requested 4 days ahead (each ready 2.5 days later), no extension; PAP closed to every
/// class on days [8, 12); one payer paying $1,000 a person-month and $100 a block hour. The batch
/// lands on day 3, its reliefs are requested on day 9 and ready at 11.5, and fly when PAP
/// reopens on day 12.
ModelConfig history() {
    ModelConfig m = small(4);
    m.scenario.horizon_days = 40;
    ContingentConfig& k = m.contingents[0];
    k.readiness_delay_days = D::constant(2.5);
    k.tour_days = D::constant(10.0);
    k.rotation.relief_lead_days = 4.0;
    k.allowance_usd_per_month = 1000.0;
    m.routes[0].block_h = D::constant(12.0);
    add_closure(m, "PAP", 8 * 24.0, 12 * 24.0);
    m.funding.payers = {PayerConfig{"fund", 1e6}};
    return m;
}

/// Every series of a day snapshot but its day number.
bool same_day(const DaySnapshot& a, const DaySnapshot& b) {
    return a.strength == b.strength && a.on_duty == b.on_duty && a.filled == b.filled &&
           a.waiting_at_origin == b.waiting_at_origin && a.in_transit == b.in_transit &&
           a.airport_open == b.airport_open && a.airport_closed == b.airport_closed &&
           a.regime == b.regime;
}

}  // namespace

TEST_CASE("personnel in theatre at the start end their tours from their arrival",
          "[model][as_of]") {
    // Tour ends due: -100 + 120 = day 20 (480 h), -130 + 120 = day -10 (before the start),
    // -20 + 120 = day 100 (after the horizon). The officer whose tour ended before the start
    // leaves at once (no extension): the aircraft at ORG launches for them at 0, lands at
    // PAP at 10 h, takes them on after 2 h of handling and lands home at 22 h. The first
    // leaves at 480 h the same way; the third is still in theatre at the horizon.
    const ModelConfig m = three_in_theatre();
    Run r;
    r.mission = std::make_unique<Mission>(m, 7, 0, r.obs);
    const Roster& roster = r.mission->roster();
    REQUIRE(roster.size() == 3);
    CHECK(roster.person(0).arrived_h == -2400.0);
    CHECK(roster.person(0).tour_end_h == 480.0);
    CHECK(roster.person(1).tour_end_h == -240.0);
    CHECK(roster.person(2).tour_end_h == 2400.0);
    CHECK(roster.in_theatre(0) == 3);
    CHECK(roster.filled(0) == 3);
    CHECK(roster.check() == "");
    while (!r.mission->done()) {
        r.mission->run_day();
        REQUIRE(r.mission->check_invariants() == "");
    }
    r.kpis = r.mission->finish();
    CHECK(timeline(m, r.obs) == Timeline{{"sortie_launched ORG 0", 0},
                                         {"landed PAP 0", 10},
                                         {"returned_home ORG 1", 22},
                                         {"sortie_launched ORG 0", 480},
                                         {"landed PAP 0", 490},
                                         {"returned_home ORG 1", 502}});
    const std::vector<double> strength = strength_by_day(r.obs);
    CHECK(strength[0] == 2);
    CHECK(strength[19] == 2);
    CHECK(strength[20] == 1);
    CHECK(strength[29] == 1);
    // Only time within the run counts: no arrivals; overstay from max(0, tour end due) to
    // boarding at 12 h and 492 h, plus the third officer's none.
    CHECK(r.kpis.pax_in == 0);
    CHECK(r.kpis.overstay_person_days == Approx((12.0 + 12.0) / 24.0));
    CHECK(r.kpis.days_to_ioc == 0);
}

TEST_CASE("a run started from an observed state equals the run that reached it", "[model][as_of]") {
    // Run the history to the end of day 9 and read its state at the start of day S = 10: the
    // four in theatre (arrival, reliefs pending), PAP closed until day 12, the fund's balance.
    // Then start a run on day 10 from that state alone. From day 10 on, every daily series,
    // every personnel and airlift event (shifted by 240 h) and the fund's balance agree.
    // Counting tours from the start instead of the arrival, ignoring the reliefs already
    // requested (they would be requested again at the start and be ready a day later), or
    // dropping the closure in force would each make them differ.
    constexpr int S = 10;
    const ModelConfig a_cfg = history();
    MemoryObserver a_obs;
    Mission a(a_cfg, 7, 0, a_obs);
    std::vector<double> a_balance;
    while (a.day() < S) {
        a.run_day();
        REQUIRE(a.check_invariants() == "");
    }
    // The observed state.
    const Roster& ar = a.roster();
    REQUIRE(ar.in_theatre(0) == 4);
    REQUIRE(ar.count(0, PersonState::pledged) == 4);  // the reliefs, requested on day 9
    const double arrived_h = ar.person(0).arrived_h;
    for (int i = 0; i < 4; ++i)
        REQUIRE(ar.person(i).arrived_h == arrived_h);
    CHECK(arrived_h == 72.0);  // ready at 60 h, landed at 72 h
    double requested_h = -1;
    for (const EventRecord& e : a_obs.events)
        if (e.kind == EventKind::relief_requested) requested_h = e.t_h;
    CHECK(requested_h == 72.0 + 6 * 24.0);
    const double balance = a.funds().balance_usd(PayerId(0));

    ModelConfig b_cfg = history();
    b_cfg.scenario.start_days_since_epoch += S;
    b_cfg.scenario.horizon_days -= S;
    ContingentConfig& k = b_cfg.contingents[0];
    k.generation.clear();
    // Arrival and readiness in days since the new start; exact in binary (multiples of 1/8
    // day), so that the two runs' times are equal, not merely close.
    const double arrived_day = arrived_h / 24.0 - S;
    const double ready_day = (requested_h + 2.5 * 24.0) / 24.0 - S;
    REQUIRE(arrived_day * 24.0 + 24.0 * S == arrived_h);
    k.in_theatre = {InTheatreGroup{4, arrived_day, ready_day}};
    b_cfg.airports[0].closures[0].start_h -= 24.0 * S;
    b_cfg.airports[0].closures[0].end_h -= 24.0 * S;
    b_cfg.funding.payers[0].initial_usd = balance;

    MemoryObserver b_obs;
    Mission b(b_cfg, 7, 0, b_obs);
    std::vector<double> b_balance;
    while (!b.done()) {
        b.run_day();
        REQUIRE(b.check_invariants() == "");
        b_balance.push_back(b.funds().balance_usd(PayerId(0)));
    }
    b.finish();
    while (!a.done()) {
        a.run_day();
        a_balance.push_back(a.funds().balance_usd(PayerId(0)));
    }
    a.finish();

    REQUIRE(a_obs.days.size() == static_cast<std::size_t>(40));
    REQUIRE(b_obs.days.size() == static_cast<std::size_t>(30));
    for (int d = 0; d < 30; ++d) {
        INFO("day " << d << " of the run started on day " << S);
        CHECK(same_day(a_obs.days[static_cast<std::size_t>(d + S)],
                       b_obs.days[static_cast<std::size_t>(d)]));
    }
    CHECK(a_balance == b_balance);
    Timeline a_after;
    for (const Mark& mk : timeline(a_cfg, a_obs))
        if (mk.t >= 24.0 * S) a_after.push_back({mk.what, mk.t - 24.0 * S});
    const Timeline b_events = timeline(b_cfg, b_obs);
    CHECK(a_after == b_events);
    // The case is not empty: the reliefs (ready at 36 h) fly when PAP reopens at 48 h and
    // relieve the four before their tour end (72 h); a second rotation follows.
    REQUIRE(b_events.size() >= 3);
    CHECK(b_events[0] == Mark{"sortie_launched ORG 4", 48});
    CHECK(b_events[1] == Mark{"landed PAP 4", 60});
    CHECK(b_events[2] == Mark{"returned_home ORG 4", 74});
}
