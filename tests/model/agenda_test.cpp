// The personnel clock's day buckets (sim/model/agenda.hpp). Its heap is held to the kernel
// calendar's rule by tests/kernel/calendar_test.cpp; these tests cover what the agenda adds:
// the horizon, first-in first-out ties across buckets, and later days joining on start_day.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sim/model/agenda.hpp"

using namespace mss::model;

namespace {

/// One popped action: when, what, on whom.
struct Done {
    double t;
    Action action;
    std::int32_t a;
    bool operator==(const Done& o) const { return t == o.t && action == o.action && a == o.a; }
};
using Log = std::vector<Done>;

std::ostream& operator<<(std::ostream& os, const Done& d) {
    return os << "{" << d.t << ", " << static_cast<int>(d.action) << ", " << d.a << "}";
}

/// Runs day `day` as Mission::run_day does: start it, then pop every action before its end.
void run_day(Agenda& ag, std::int32_t day, Log& log) {
    ag.start_day(day);
    while (ag.next_time() < 24.0 * (day + 1)) {
        const AgendaItem it = ag.pop();
        log.push_back({it.time, it.action(), it.a});
    }
}

constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("actions at or after the horizon are dropped but counted as pushed", "[model][agenda]") {
    Agenda ag(2);  // days 0 and 1: [0, 48) hours
    ag.push(47.5, Action::tour_end, 1);
    ag.push(48.0, Action::tour_end, 2);  // the horizon itself
    ag.push(500.0, Action::tour_end, 3);
    ag.push(std::numeric_limits<double>::quiet_NaN(), Action::tour_end, 4);
    CHECK(ag.pushed() == 4);
    Log log;
    run_day(ag, 0, log);
    run_day(ag, 1, log);
    CHECK(log == Log{{47.5, Action::tour_end, 1}});
    CHECK(ag.empty());
    CHECK(ag.next_time() == kInf);
}

TEST_CASE("actions at the same time run first-in first-out, whatever their kind",
          "[model][agenda]") {
    Agenda ag(3);
    ag.start_day(0);
    // Action values in decreasing order: the insertion sequence, not the kind, breaks ties.
    ag.push(30.0, Action::attrition_hit, 1);  // day 1: into its bucket
    ag.push(30.0, Action::recover, 2);
    ag.push(5.0, Action::drawdown, 3);  // day 0: straight into the heap
    ag.push(5.0, Action::batch_ready, 4);
    ag.push(5.0, Action::closure_end, 5);
    Log log;
    run_day(ag, 0, log);
    CHECK(log == Log{{5.0, Action::drawdown, 3},
                     {5.0, Action::batch_ready, 4},
                     {5.0, Action::closure_end, 5}});
    ag.push(30.0, Action::batch_ready, 6);  // pushed after the bucket's, so after them
    log.clear();
    run_day(ag, 1, log);
    CHECK(log == Log{{30.0, Action::attrition_hit, 1},
                     {30.0, Action::recover, 2},
                     {30.0, Action::batch_ready, 6}});
}

TEST_CASE("later-day actions wait in their bucket and join the heap on start_day",
          "[model][agenda]") {
    Agenda ag(4);
    ag.start_day(0);
    ag.push(60.0, Action::tour_end, 1);  // day 2
    ag.push(26.0, Action::recover, 2);   // day 1
    ag.push(10.0, Action::overlap_end, 3);
    ag.push(50.0, Action::relief_due, 4);  // day 2
    CHECK(ag.next_time() == 10.0);         // day 0's only action
    Log log;
    run_day(ag, 0, log);
    CHECK(log == Log{{10.0, Action::overlap_end, 3}});
    CHECK(ag.empty());  // later days are not in the heap yet
    CHECK(ag.next_time() == kInf);

    ag.start_day(1);
    CHECK(ag.next_time() == 26.0);
    // Pushed during day 1: for day 1 into the heap, for day 2 into its bucket, in time order
    // with the bucket's own actions.
    ag.push(47.0, Action::recover, 5);
    ag.push(55.0, Action::recover, 6);
    log.clear();
    while (ag.next_time() < 48.0) {
        const AgendaItem it = ag.pop();
        log.push_back({it.time, it.action(), it.a});
    }
    CHECK(log == Log{{26.0, Action::recover, 2}, {47.0, Action::recover, 5}});

    log.clear();
    run_day(ag, 2, log);
    CHECK(log == Log{{50.0, Action::relief_due, 4},
                     {55.0, Action::recover, 6},
                     {60.0, Action::tour_end, 1}});
    // An action for a day already started (the past included) runs at once.
    ag.push(70.0, Action::recover, 7);
    ag.push(1.0, Action::recover, 8);
    CHECK(ag.next_time() == 1.0);
    log.clear();
    run_day(ag, 3, log);
    CHECK(log == Log{{1.0, Action::recover, 8}, {70.0, Action::recover, 7}});
    CHECK(ag.pushed() == 8);
}

TEST_CASE("an agenda item carries its action and arguments", "[model][agenda]") {
    Agenda ag(1);
    ag.push(3.0, Action::closure_start, 2, 0x5);
    ag.start_day(0);
    const AgendaItem it = ag.pop();
    CHECK(it.time == 3.0);
    CHECK(it.action() == Action::closure_start);
    CHECK(it.a == 2);
    CHECK(it.b == 0x5);
    CHECK(sizeof(AgendaItem) == 24);
}

TEST_CASE("buckets of many chunks, reused day after day, keep the calendar's order",
          "[model][agenda]") {
    // Thousands of actions a day over many chunks (Agenda::kChunk each), pushed for later days,
    // for the day running and into the past, against a reference: one ordered set of every
    // pending action, popped while its earliest is before the day's end. Chunks freed by one
    // day carry later days' actions.
    constexpr std::int32_t kDays = 40;
    Agenda ag(kDays);
    std::set<std::pair<double, std::int32_t>> reference;  // (time, insertion order)
    std::uint64_t state = 12345;
    auto uniform = [&] {  // a small LCG: the test needs spread, not quality
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<double>(state >> 11) / 9007199254740992.0;
    };
    std::int32_t id = 0;
    auto push = [&](double t) {
        ag.push(t, Action::recover, id);
        if (t < 24.0 * kDays) reference.insert({t, id});
        ++id;
    };
    // Twice the radix sort's threshold a day: in whole hours (many ties within a bucket),
    // anywhere, and in pairs one unit in the last place apart, the later pushed first.
    for (std::size_t i = 0; i < 2 * Agenda::kRadixFrom * kDays; ++i) {
        const double t = 24.0 * kDays * uniform();
        if (i % 3 == 0) push(std::floor(t));
        if (i % 3 == 1) push(t);
        if (i % 3 == 2) {
            push(t);
            push(std::nextafter(t, 0.0));
        }
    }
    std::size_t popped = 0, mismatches = 0;
    for (std::int32_t day = 0; day < kDays; ++day) {
        ag.start_day(day);
        const double end = 24.0 * (day + 1);
        while (ag.next_time() < end) {
            const AgendaItem it = ag.pop();
            REQUIRE(!reference.empty());
            const auto expected = *reference.begin();
            reference.erase(reference.begin());
            mismatches += expected.first != it.time || expected.second != it.a;
            ++popped;
            if (it.a % 3 == 0) push(std::floor(it.time + 24.0 * kDays * 0.3 * uniform()) + 1.0);
            if (it.a % 7 == 0) push(it.time + (end - it.time) * uniform());  // later today
            if (it.a % 11 == 0) push(it.time - 30.0 * uniform());            // the past
            if (it.a % 5 == 0 && it.a < 20000) push(it.time);  // a tie: runs after `it`
        }
        CHECK((reference.empty() || reference.begin()->first >= end));
    }
    CHECK(mismatches == 0);
    CHECK(popped > 2 * Agenda::kRadixFrom * kDays);
    CHECK(ag.empty());
    CHECK(reference.empty());
}
