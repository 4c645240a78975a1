// sim/output/trace_writer.hpp: the CSV lines `mss run --only RUN --trace FILE` writes, for a
// hand-made run of a few events over three days (day boundaries, a leap day, quoting, 17-digit
// times), and the stop at the end of a day.
#include "sim/output/trace_writer.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

using mss::model::DaySnapshot;
using mss::model::EventKind;
using mss::model::EventRecord;
using mss::output::TraceLabels;
using mss::output::TraceWriter;

namespace {

using Lines = std::vector<std::string>;

Lines lines_of(const std::string& text) {
    Lines lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

TraceLabels labels() {
    TraceLabels l;
    l.start_days_since_epoch = 19781;  // 2024-02-28: day 1 is the leap day
    l.contingents = {"Kenya", "Ken,ya", "The \"Bahamas\""};
    l.airports = {"PAP", "CAP", "NBO"};
    return l;
}

DaySnapshot day(std::int32_t d) {
    DaySnapshot s;
    s.day = d;
    return s;
}

}  // namespace

TEST_CASE("a trace is one header line and one line per event, named by the labels",
          "[output][trace]") {
    const TraceLabels l = labels();
    std::ostringstream out;
    TraceWriter w(out, l);
    w.on_event({0.0, EventKind::regime_change, -1, -1, 1});
    w.on_event({0.1, EventKind::attack, -1, -1, 1});
    w.on_event({23.999999999999996, EventKind::batch_ready, 0, 2, 200});
    w.on_day(day(0));
    w.on_event({24.0, EventKind::sortie_launched, -1, 2, 200});
    w.on_event({40.5, EventKind::landed, 1, 0, 150});
    w.on_day(day(1));
    w.on_event({48.0, EventKind::wounded, 2, -1, 3});
    w.on_event({71.25, EventKind::closure_start, -1, 1, 0});
    w.on_day(day(2));
    w.on_finish({}, {}, {});
    CHECK(w.error() == 0);
    const Lines expected{
        "t_h,date,kind,contingent,airport,count",
        "0,2024-02-28,regime_change,,,1",
        "0.10000000000000001,2024-02-28,attack,,,1",
        "23.999999999999996,2024-02-28,batch_ready,Kenya,NBO,200",
        "24,2024-02-29,sortie_launched,,NBO,200",
        "40.5,2024-02-29,landed,\"Ken,ya\",PAP,150",
        "48,2024-03-01,wounded,\"The \"\"Bahamas\"\"\",,3",
        "71.25,2024-03-01,closure_start,,CAP,0",
    };
    CHECK(lines_of(out.str()) == expected);
}

TEST_CASE("a trace of a run without events is its header alone", "[output][trace]") {
    const TraceLabels l = labels();
    std::ostringstream out;
    TraceWriter w(out, l);
    w.on_day(day(0));
    w.on_finish({}, {}, {});
    CHECK(out.str() == "t_h,date,kind,contingent,airport,count\n");
}

TEST_CASE("a stop request ends the run at the next end of a day", "[output][trace]") {
    const TraceLabels l = labels();
    std::ostringstream out;
    std::atomic<int> stop{0};
    TraceWriter w(out, l, &stop);
    w.on_event({1.0, EventKind::attack, -1, -1, 1});
    CHECK_NOTHROW(w.on_day(day(0)));
    stop.store(15);                                    // SIGTERM arrived during day 1
    w.on_event({25.0, EventKind::attack, -1, -1, 2});  // the day's events are still written
    CHECK_THROWS_AS(w.on_day(day(1)), TraceWriter::Interrupted);
    CHECK(lines_of(out.str()) == Lines{"t_h,date,kind,contingent,airport,count",
                                       "1,2024-02-28,attack,,,1", "25,2024-02-29,attack,,,2"});
}

TEST_CASE("csv_field quotes a field only when it must", "[output][trace]") {
    using mss::output::csv_field;
    CHECK(csv_field("Kenya") == "Kenya");
    CHECK(csv_field("") == "");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_field("two\nlines") == "\"two\nlines\"");
    CHECK(csv_field("cr\r") == "\"cr\r\"");
}
