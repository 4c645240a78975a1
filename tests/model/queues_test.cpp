// The ready and outbound queues (sim/model/queues.hpp) over a small Roster: boarding order,
// places kept, stale entries skipped, counts, and the hooks that wake the airlift and links.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "sim/model/queues.hpp"
#include "sim/model/roster.hpp"

using namespace mss::model;

namespace {

const AirportId kOrg(0), kPap(1), kCap(2);

/// Ten people of one contingent, each the incumbent of a billet, in state `s`.
struct People {
    explicit People(PersonState s) : roster({10}), queues(3, roster) {
        for (std::int32_t b = 0; b < 10; ++b) {
            const std::int32_t id = roster.add(0, b, BilletRole::incumbent);
            if (s == PersonState::pledged) continue;
            roster.set_state(id, PersonState::ready);
            if (s == PersonState::ready) continue;
            roster.set_state(id, PersonState::in_transit_in);
            roster.set_state(id, s);
        }
    }
    /// Person `id` waits to go home since `since_h` with tour end `tour_end_h`.
    void leaving(std::int32_t id, double since_h, double tour_end_h, bool medevac = false) {
        Person& p = roster.person(id);
        p.wait_since_h = since_h;
        p.tour_end_h = tour_end_h;
        p.medevac = medevac;
        p.leaving = true;
    }
    std::vector<std::int32_t> take_all_ready(AirportId origin) {
        std::vector<std::int32_t> v;
        for (std::int32_t p = queues.take_ready(origin); p >= 0; p = queues.take_ready(origin))
            v.push_back(p);
        return v;
    }
    std::vector<std::int32_t> take_all(PoolId pl) {
        std::vector<std::int32_t> v;
        for (std::int32_t p = queues.take_outbound(pl); p >= 0; p = queues.take_outbound(pl))
            v.push_back(p);
        return v;
    }
    Roster roster;
    Queues queues;
};

}  // namespace

TEST_CASE("the ready queue boards by ready time, then by id", "[model][queues]") {
    People ppl(PersonState::ready);
    Queues& q = ppl.queues;
    q.join_ready(4, kOrg, 10.0);
    q.join_ready(2, kOrg, 5.0);
    q.join_ready(7, kOrg, 10.0);
    q.join_ready(3, kOrg, 10.0);
    q.join_ready(9, kCap, 1.0);  // another origin
    CHECK(q.ready_count(kOrg) == 4);
    CHECK(q.ready_count(kCap) == 1);
    CHECK(q.ready_count(kPap) == 0);
    CHECK(q.oldest_ready_h(kOrg) == 5.0);
    CHECK(ppl.take_all_ready(kOrg) == std::vector<std::int32_t>{2, 3, 4, 7});
    CHECK(q.ready_count(kOrg) == 0);
    CHECK(q.take_ready(kOrg) == -1);
    CHECK(q.take_ready(kCap) == 9);
}

TEST_CASE("back from a cancelled sortie, the ready keep their place", "[model][queues]") {
    People ppl(PersonState::ready);
    Queues& q = ppl.queues;
    int told = 0;
    q.on_ready([&](AirportId) { ++told; });
    q.join_ready(0, kOrg, 1.0);
    q.join_ready(1, kOrg, 2.0);
    CHECK(told == 2);
    REQUIRE(q.take_ready(kOrg) == 0);  // boards, flies, comes back
    ppl.roster.set_state(0, PersonState::in_transit_in);
    q.join_ready(2, kOrg, 3.0);
    ppl.roster.set_state(0, PersonState::ready);
    q.rejoin_ready(0, kOrg, 1.0);
    CHECK(told == 3);  // rejoining tells nobody
    CHECK(q.ready_count(kOrg) == 3);
    CHECK(q.oldest_ready_h(kOrg) == 1.0);
    CHECK(ppl.take_all_ready(kOrg) == std::vector<std::int32_t>{0, 1, 2});
}

TEST_CASE("someone who left the ready queue without boarding is skipped", "[model][queues]") {
    People ppl(PersonState::ready);
    Queues& q = ppl.queues;
    q.join_ready(0, kOrg, 1.0);
    q.join_ready(1, kOrg, 2.0);
    q.join_ready(2, kOrg, 3.0);
    ppl.roster.set_state(0, PersonState::stood_down);  // the drawdown
    q.leave_ready(kOrg);
    CHECK(q.ready_count(kOrg) == 2);
    CHECK(q.oldest_ready_h(kOrg) == 2.0);
    CHECK(ppl.take_all_ready(kOrg) == std::vector<std::int32_t>{1, 2});
}

TEST_CASE("the outbound queue boards medevacs by wait, then by tour end, ties by id",
          "[model][queues]") {
    People ppl(PersonState::on_duty);
    Queues& q = ppl.queues;
    const PoolId pl = q.pool(kOrg, kPap);
    ppl.leaving(0, 50.0, 40.0);
    ppl.leaving(1, 10.0, 30.0);
    ppl.leaving(2, 60.0, 30.0);         // ties with 1 on tour end
    ppl.leaving(3, 70.0, 500.0, true);  // medevac, waiting since 70
    ppl.leaving(4, 65.0, 900.0, true);  // medevac, waiting longer
    ppl.leaving(5, 5.0, 35.0);          // waiting longest of all
    for (std::int32_t id : {0, 1, 2, 3, 4, 5})
        q.join_outbound(id, kOrg, kPap);
    CHECK(q.count(pl) == 6);
    CHECK(q.medevacs(pl) == 2);
    CHECK(q.medevac_first(pl));
    CHECK(q.oldest_medevac_h(pl) == 65.0);
    CHECK(q.oldest_waiting_h(pl) == 5.0);
    CHECK(ppl.take_all(pl) == std::vector<std::int32_t>{4, 3, 1, 2, 5, 0});
    CHECK(q.count(pl) == 0);
    CHECK(q.medevacs(pl) == 0);
    CHECK(!q.medevac_first(pl));
    CHECK(ppl.roster.person(4).pool == -1);
}

TEST_CASE("leaving an outbound queue makes its entries stale", "[model][queues]") {
    People ppl(PersonState::on_duty);
    Queues& q = ppl.queues;
    const PoolId pl = q.pool(kOrg, kPap);
    ppl.leaving(0, 1.0, 10.0, true);
    ppl.leaving(1, 2.0, 20.0);
    ppl.leaving(2, 3.0, 5.0);
    for (std::int32_t id : {0, 1, 2})
        q.join_outbound(id, kOrg, kPap);
    q.leave_outbound(0);  // the medevac is killed while waiting
    q.leave_outbound(0);  // leaving twice changes nothing
    CHECK(q.count(pl) == 2);
    CHECK(q.medevacs(pl) == 0);
    CHECK(!q.medevac_first(pl));
    CHECK(q.oldest_waiting_h(pl) == 2.0);
    SECTION("the stale entries are skipped when boarding") {
        CHECK(ppl.take_all(pl) == std::vector<std::int32_t>{2, 1});
    }
    SECTION("joining another queue leaves the first one") {
        const PoolId at_cap = q.pool(kOrg, kCap);
        q.join_outbound(2, kOrg, kCap);  // taken to the alternate by a link
        CHECK(q.count(pl) == 1);
        CHECK(q.count(at_cap) == 1);
        CHECK(ppl.take_all(pl) == std::vector<std::int32_t>{1});
        CHECK(ppl.take_all(at_cap) == std::vector<std::int32_t>{2});
    }
    SECTION("rejoining the same queue boards once, by the new key") {
        ppl.roster.person(1).tour_end_h = 1.0;
        q.join_outbound(1, kOrg, kPap);
        CHECK(q.count(pl) == 2);
        CHECK(ppl.take_all(pl) == std::vector<std::int32_t>{1, 2});
    }
}

TEST_CASE("each (origin, airport) pair has its own outbound queue and seats on their way",
          "[model][queues]") {
    People ppl(PersonState::on_duty);
    Queues& q = ppl.queues;
    CHECK(q.pools() == 9);
    CHECK(q.pool(kOrg, kPap) != q.pool(kPap, kOrg));
    CHECK(q.pool(kOrg, kPap) != q.pool(kOrg, kCap));
    const PoolId pl = q.pool(kOrg, kPap);
    CHECK(q.en_route(pl) == 0);
    q.add_en_route(pl, 250);
    q.add_en_route(pl, 100);
    q.add_en_route(q.pool(kOrg, kCap), 7);
    CHECK(q.en_route(pl) == 350);
    q.add_en_route(pl, -250);
    CHECK(q.en_route(pl) == 100);
    CHECK(q.en_route(q.pool(kOrg, kCap)) == 7);
    CHECK(q.en_route(q.pool(kCap, kOrg)) == 0);
}

TEST_CASE("the hooks are told the origin and the airport", "[model][queues]") {
    People ppl(PersonState::on_duty);
    Queues& q = ppl.queues;
    std::vector<std::pair<std::int32_t, std::int32_t>> outbound;
    std::vector<std::int32_t> ready;
    q.on_outbound(
        [&](AirportId origin, AirportId at) { outbound.emplace_back(origin.value, at.value); });
    q.on_ready([&](AirportId origin) { ready.push_back(origin.value); });
    ppl.leaving(0, 1.0, 10.0);
    ppl.leaving(1, 1.0, 10.0);
    q.join_outbound(0, kOrg, kPap);
    q.join_outbound(1, kCap, kPap);
    q.join_outbound(0, kOrg, kCap);
    q.leave_outbound(1);  // tells nobody
    CHECK(outbound == std::vector<std::pair<std::int32_t, std::int32_t>>{{kOrg.value, kPap.value},
                                                                         {kCap.value, kPap.value},
                                                                         {kOrg.value, kCap.value}});
    CHECK(ready.empty());
    People r(PersonState::ready);
    r.queues.on_ready([&](AirportId origin) { ready.push_back(origin.value); });
    r.queues.join_ready(0, kCap, 0.0);
    r.queues.join_ready(1, kOrg, 0.0);
    CHECK(ready == std::vector<std::int32_t>{kCap.value, kOrg.value});
}

TEST_CASE("the outbound queues answer as a sorted reference does", "[model][queues]") {
    // Thousands of people join, move between queues, leave early and board, with wait starts
    // and tour ends drawn from a few values (many ties) and ids joining in no particular order.
    // After every step each answer of the queues is held to one computed from the people
    // actually in each queue: the first to board is the least (medevac first, then by medevac
    // wait start or tour end, then by id), and the oldest wait start is the least of them.
    constexpr std::int32_t kPeople = 3000;
    Roster roster({kPeople});
    Queues q(3, roster);
    for (std::int32_t b = 0; b < kPeople; ++b) {
        const std::int32_t id = roster.add(0, b, BilletRole::incumbent);
        roster.set_state(id, PersonState::ready);
        roster.set_state(id, PersonState::in_transit_in);
        roster.set_state(id, PersonState::on_duty);
    }
    const PoolId pools[] = {q.pool(kOrg, kPap), q.pool(kOrg, kCap)};
    std::vector<int> in(kPeople, -1);  // the reference: which of `pools` holds each person
    std::mt19937 rng(20261207);
    auto draw = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    auto first = [&](int k) {  // the reference's first to board from pools[k], or -1
        std::int32_t best = -1;
        auto before = [&](std::int32_t a, std::int32_t b) {
            const Person &x = roster.person(a), &y = roster.person(b);
            if (x.medevac != y.medevac) return x.medevac;
            const double kx = x.medevac ? x.wait_since_h : x.tour_end_h;
            const double ky = y.medevac ? y.wait_since_h : y.tour_end_h;
            return kx != ky ? kx < ky : a < b;
        };
        for (std::int32_t p = 0; p < kPeople; ++p)
            if (in[static_cast<std::size_t>(p)] == k && (best < 0 || before(p, best))) best = p;
        return best;
    };
    for (int step = 0; step < 20000; ++step) {
        const int k = draw(2);
        const std::int32_t p = draw(kPeople);
        const int op = draw(10);
        if (op < 5) {  // joins (or moves to) pools[k], keeping or restarting their wait
            // A move keeps who they are (as a link's transfer does); a newcomer is drawn anew.
            Person& x = roster.person(p);
            if (in[static_cast<std::size_t>(p)] < 0) {
                x.tour_end_h = 24.0 * draw(8);
                x.medevac = draw(8) == 0;
            }
            if (in[static_cast<std::size_t>(p)] < 0 || draw(2) == 0)
                x.wait_since_h = 24.0 * draw(8);
            q.join_outbound(p, kOrg, k == 0 ? kPap : kCap);
            in[static_cast<std::size_t>(p)] = k;
        } else if (op == 5) {  // leaves early
            q.leave_outbound(p);
            roster.person(p).medevac = false;
            in[static_cast<std::size_t>(p)] = -1;
        } else {  // boards
            const std::int32_t expected = first(k);
            REQUIRE(q.take_outbound(pools[k]) == expected);
            if (expected >= 0) {
                roster.person(expected).medevac = false;
                in[static_cast<std::size_t>(expected)] = -1;
            }
        }
        for (int j = 0; j < 2; ++j) {
            std::int64_t count = 0, medevacs = 0;
            double oldest = 0, oldest_medevac = 0;
            for (std::int32_t x = 0; x < kPeople; ++x) {
                if (in[static_cast<std::size_t>(x)] != j) continue;
                const Person& r = roster.person(x);
                oldest = count++ == 0 ? r.wait_since_h : std::min(oldest, r.wait_since_h);
                if (r.medevac)
                    oldest_medevac =
                        medevacs++ == 0 ? r.wait_since_h : std::min(oldest_medevac, r.wait_since_h);
            }
            REQUIRE(q.count(pools[j]) == count);
            REQUIRE(q.medevacs(pools[j]) == medevacs);
            REQUIRE(q.medevac_first(pools[j]) == (medevacs > 0));
            if (count > 0) REQUIRE(q.oldest_waiting_h(pools[j]) == oldest);
            if (medevacs > 0) REQUIRE(q.oldest_medevac_h(pools[j]) == oldest_medevac);
        }
    }
}
