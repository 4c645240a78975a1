// One behavioural test, every calendar: the kernel's heap at each arity and the heap the
// model's agenda (sim/model/agenda.hpp, header-only, built on this heap) orders its timed
// actions with. The ordering rule is written once (kernel::earlier); these tests hold every
// entry type and arity to it.
#include "sim/kernel/calendar.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/model/agenda.hpp"

using namespace mss::kernel;

namespace {

template <class Cal>
using EntryOf = typename Cal::entry_type;

/// An entry of any calendar's type at `time` with tie-breaking `key`.
template <class E>
E entry(double time, std::uint64_t key) {
    E e{};
    e.time = time;
    e.key = key;
    return e;
}

/// Pops everything, earliest first.
template <class Cal>
std::vector<EntryOf<Cal>> drain(Cal& cal) {
    std::vector<EntryOf<Cal>> out;
    while (!cal.empty()) {
        out.push_back(cal.top());
        cal.pop();
    }
    return out;
}

/// (time, key) pairs, to compare a popped sequence with the expected one.
template <class E>
std::vector<std::pair<double, std::uint64_t>> times_and_keys(const std::vector<E>& v) {
    std::vector<std::pair<double, std::uint64_t>> r;
    for (const E& e : v)
        r.emplace_back(e.time, e.key);
    return r;
}

}  // namespace

#define MSS_CALENDARS HeapCalendar<2>, HeapCalendar<4>, HeapCalendar<8>, mss::model::Agenda::Heap

TEMPLATE_TEST_CASE("the calendar pops entries in (time, priority, sequence) order",
                   "[kernel][calendar]", MSS_CALENDARS) {
    using E = EntryOf<TestType>;
    TestType cal;
    std::uint64_t seq = 0;
    auto key = [&](std::uint64_t prio) { return (prio << 56) | ++seq; };
    // A deterministic shuffle of times with many ties.
    std::vector<E> in;
    for (int i = 0; i < 500; ++i) {
        const double t = static_cast<double>((i * 37) % 50);
        in.push_back(entry<E>(t, key(static_cast<std::uint64_t>(i % 3 == 0 ? 0 : 1))));
    }
    for (const E& e : in)
        cal.push(e);
    // Mix in replace_top, as the simulation does.
    const E last = entry<E>(100.0, key(1));
    cal.replace_top(last);
    const std::vector<E> out = drain(cal);
    REQUIRE(out.size() == in.size());
    for (std::size_t i = 1; i < out.size(); ++i)
        CHECK(earlier(out[i - 1], out[i]));
    CHECK(out.back().key == last.key);
}

TEMPLATE_TEST_CASE("entries at the same time pop in key order, whatever the push order",
                   "[kernel][calendar]", MSS_CALENDARS) {
    using E = EntryOf<TestType>;
    TestType cal;
    for (std::uint64_t k : {5u, 3u, 9u, 1u, 7u})
        cal.push(entry<E>(2.0, k));
    cal.push(entry<E>(1.5, 8));
    cal.push(entry<E>(2.5, 0));
    using TK = std::vector<std::pair<double, std::uint64_t>>;
    CHECK(times_and_keys(drain(cal)) ==
          TK{{1.5, 8}, {2.0, 1}, {2.0, 3}, {2.0, 5}, {2.0, 7}, {2.0, 9}, {2.5, 0}});
}

TEMPLATE_TEST_CASE("pushes between pops keep the order of a sorted reference", "[kernel][calendar]",
                   MSS_CALENDARS) {
    using E = EntryOf<TestType>;
    TestType cal;
    std::vector<E> ref;  // pending entries, kept sorted by the rule
    std::uint64_t seq = 0, state = 12345;
    auto next = [&] {  // a fixed linear congruential sequence: the same test every run
        state = state * 6364136223846793005u + 1442695040888963407u;
        return state >> 33;
    };
    double now = 0.0;
    std::vector<E> popped, expected;
    for (int round = 0; round < 2000; ++round) {
        const int pushes = static_cast<int>(next() % 3);
        for (int k = 0; k < pushes; ++k) {
            // Times on a coarse grid from now on, so that ties are common.
            const E e = entry<E>(now + static_cast<double>(next() % 8), ++seq);
            cal.push(e);
            ref.insert(std::upper_bound(ref.begin(), ref.end(), e,
                                        [](const E& a, const E& b) { return earlier(a, b); }),
                       e);
        }
        if (!ref.empty() && next() % 2 == 0) {
            REQUIRE(cal.size() == ref.size());
            popped.push_back(cal.top());
            now = cal.top().time;
            cal.pop();
            expected.push_back(ref.front());
            ref.erase(ref.begin());
        }
    }
    const std::vector<E> rest = drain(cal);
    popped.insert(popped.end(), rest.begin(), rest.end());
    expected.insert(expected.end(), ref.begin(), ref.end());
    CHECK(times_and_keys(popped) == times_and_keys(expected));
}
