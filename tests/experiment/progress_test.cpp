// sim/experiment/progress.hpp: the modes of --progress and the lines each one writes.
#include "sim/experiment/progress.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <string>

namespace {

using mss::experiment::Progress;
using mss::experiment::ProgressMode;

/// What `write` puts on a temporary stream.
template <class Write>
std::string written(Write write) {
    std::FILE* f = std::tmpfile();
    REQUIRE(f != nullptr);
    write(f);
    std::fflush(f);
    std::rewind(f);
    std::string text;
    for (int c = std::fgetc(f); c != EOF; c = std::fgetc(f))
        text += static_cast<char>(c);
    std::fclose(f);
    return text;
}

}  // namespace

TEST_CASE("the progress modes are auto, tty, log and off, nothing else", "[experiment]") {
    CHECK(mss::experiment::parse_progress_mode("auto") == ProgressMode::automatic);
    CHECK(mss::experiment::parse_progress_mode("tty") == ProgressMode::tty);
    CHECK(mss::experiment::parse_progress_mode("log") == ProgressMode::log);
    CHECK(mss::experiment::parse_progress_mode("off") == ProgressMode::off);
    CHECK_FALSE(mss::experiment::parse_progress_mode("").has_value());
    CHECK_FALSE(mss::experiment::parse_progress_mode("LOG").has_value());
}

TEST_CASE("auto on a stream that is not a terminal is the log mode", "[experiment]") {
    written([](std::FILE* f) {
        CHECK(Progress("runs", ProgressMode::automatic, f).mode() == ProgressMode::log);
    });
}

TEST_CASE("the log mode writes whole lines at its interval, none at the end", "[experiment]") {
    const std::string text = written([](std::FILE* f) {
        Progress p("sweep runs", ProgressMode::log, f, std::chrono::seconds(0));
        p.update(3, 10, [] { return std::string("point 1/2"); });
        p.update(10, 10);  // the end: the command's closing lines say it
        p.finish();
    });
    CHECK(text.find('\r') == std::string::npos);
    CHECK(text.rfind("sweep runs 3/10  point 1/2  ", 0) == 0);
    CHECK(text.find(" elapsed ") != std::string::npos);
    CHECK(text.find("ETA") != std::string::npos);
    CHECK(text.back() == '\n');
    CHECK(text.find("10/10") == std::string::npos);
}

TEST_CASE("the log mode is silent until its interval has passed", "[experiment]") {
    const std::string text = written([](std::FILE* f) {
        Progress p("runs", ProgressMode::log, f, std::chrono::hours(1));
        for (int i = 1; i < 100; ++i)
            p.update(i, 100);
        p.finish();
    });
    CHECK(text.empty());
}

TEST_CASE("the tty mode redraws one line and ends it", "[experiment]") {
    const std::string text = written([](std::FILE* f) {
        Progress p("runs", ProgressMode::tty, f);
        p.update(10, 10);
        p.finish();
    });
    CHECK(text.rfind("\rruns 10/10", 0) == 0);
    CHECK(text.back() == '\n');
}

TEST_CASE("off writes nothing", "[experiment]") {
    const std::string text = written([](std::FILE* f) {
        Progress p("runs", ProgressMode::off, f, std::chrono::seconds(0));
        p.update(5, 10);
        p.update(10, 10);
        p.finish();
    });
    CHECK(text.empty());
}
