// tests/scenario/robustness_test.cpp — bad bytes never crash or hang the loader: binary junk,
// invalid UTF-8, NUL bytes, deep nesting, huge files, directories, missing files, special
// files. Each gives an ordinary InvalidInput.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include "tests/scenario/scenario_test_helpers.hpp"

using namespace mss::scenario;
using namespace mss::scenario::test;

namespace {

std::filesystem::path temp_dir() {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("mss-scenario-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return dir;
}

bool rejects(const std::string& text) {
    try {
        load_text(text);
    } catch (const InvalidInput& e) {
        return !e.errors().empty();
    }
    return false;
}

}  // namespace

TEST_CASE("junk bytes are rejected with a parse error", "[scenario][robust]") {
    std::mt19937 rng(12345);
    for (int i = 0; i < 200; ++i) {
        std::string junk(static_cast<std::size_t>(rng() % 600), '\0');
        for (auto& c : junk)
            c = static_cast<char>(rng() & 0xff);
        INFO(i);
        CHECK(rejects(junk));
    }
    CHECK(rejects(std::string("[scenario]\nname = \"\xff\xfe\"\n")));  // invalid UTF-8
    CHECK(rejects(std::string("[scenario]\nname = \"a\0b\"\n", 22)));  // NUL byte
    CHECK(rejects(""));                                                // empty: no [scenario]
    // Found by fuzzing: a debug assertion in toml++ 3.3's parse_key (the release parser
    // reports an error, checked here).
    CHECK(errors("[[[scenario]\nname = \"t\"\n") ==
          std::vector<std::string>{"t.toml:1:3: invalid TOML: Error while parsing key: expected "
                                   "bare key starting character or string delimiter, saw '['"});
}

TEST_CASE("non-ASCII outside strings is rejected before toml++ sees it", "[scenario][robust]") {
    // Found by fuzzing: toml++ 3.3 reaches __builtin_unreachable (undefined behaviour) in
    // is_non_ascii_horizontal_whitespace for such characters (upstream issues #190, #295).
    const std::string message =
        "invalid TOML: a non-ASCII character outside a string or comment (keys and values other "
        "than strings are ASCII)";
    CHECK(errors("[[f\xd0\x81"
                 "actor]]\n") == std::vector<std::string>{"t.toml:1:4: " + message});
    CHECK(errors("\xcc\xaa") == std::vector<std::string>{"t.toml:1:1: " + message});
    CHECK(errors("s = \"\"\"\\\n\xc2\xa7\"\"\"\n") ==
          std::vector<std::string>{"t.toml:2:1: " + message});
    CHECK(errors("s = \"\"\"\\\xc2\xa7\"\"\"\n") ==
          std::vector<std::string>{"t.toml:1:9: " + message});
    // A quote where TOML allows no string is not one: toml++ scans on with its whitespace check.
    CHECK(errors("s =0\"\xc2\xa7\"\"\n") == std::vector<std::string>{"t.toml:1:6: " + message});
    CHECK(errors("x = [\n3.\"\xc2\xa7\"]\n") == std::vector<std::string>{"t.toml:2:4: " + message});
    // A --set value that is not TOML (here for that reason) is taken as a string, safely.
    CHECK(load_text(kMinimal, {"scenario.description=30nt.\"\xc3\x92\""})
              .config.scenario.description == "30nt.\"\xc3\x92\"");
    // In strings, comments and quoted keys they are fine.
    CHECK(errors(kMinimal + "[output]\n\"x\".\"\xc3\xa9\" = 1\n") ==
          std::vector<std::string>{"t.toml:27:1: output.x: unknown key; expected one of: "
                                   "events, max_events_per_run"});
    CHECK(load_text(edit(kMinimal, "name = \"t\"",
                         "name = \"Ha\xc3\xafti \xc2\xa7\" # caf\xc3\xa9\n"
                         "description = \"\"\"\n\xc3\xa9t\xc3\xa9 \\\n  ok\"\"\"\""))
              .config.scenario.name == "Ha\xc3\xafti \xc2\xa7");
}

TEST_CASE("deep nesting is rejected, not recursed into", "[scenario][robust]") {
    CHECK(rejects("a = " + std::string(100000, '[') + std::string(100000, ']')));
    // Said as it is (not as a non-ASCII character), where the limit is passed.
    CHECK(errors("a = " + std::string(300, '[') + std::string(300, ']')) ==
          std::vector<std::string>{"t.toml:1:262: invalid TOML: nested more than 256 deep "
                                   "(arrays, inline tables or dotted keys; the loader's limit)"});
    // A key of 50,000 dotted parts overflowed toml++'s stack (a crash), as a key or a header.
    std::string parts = "a";
    for (int i = 0; i < 50000; ++i)
        parts += ".a";
    CHECK(errors(parts + " = 1\n")
              .at(0)
              .rfind("t.toml:1:514: invalid TOML: nested more than 256 deep", 0) == 0);
    CHECK(errors("[" + parts + "]\n").size() == 1);
    CHECK(errors(kMinimal + "[kpis]\n" + "\"x.y\".z = 1\n").size() == 1);  // an unknown key
    CHECK(errors(kMinimal, {"scenario.name=" + std::string(300, '{')})
              .at(0)
              .find("(nested more than 256 deep)") != std::string::npos);
    CHECK(rejects("a = " + std::string(5000, '{')));
    std::string dotted = "x";
    for (int i = 0; i < 2000; ++i)
        dotted += ".x";
    CHECK(rejects(dotted + " = 1\n"));
}

TEST_CASE("huge files, directories, missing and special files are errors", "[scenario][robust]") {
    const auto dir = temp_dir();
    const auto huge = dir / "huge.toml";
    {
        std::ofstream out(huge, std::ios::binary);
        const std::string line(1023, '#');
        for (std::size_t i = 0; i < (kMaxFileBytes / 1024) + 2; ++i)
            out << line << '\n';
    }
    try {
        load_scenario(huge);
        FAIL("a huge file loaded");
    } catch (const InvalidInput& e) {
        CHECK(e.errors().at(0).message.find("is too large") == 0);
    }
    try {
        load_scenario(dir);
        FAIL("a directory loaded");
    } catch (const InvalidInput& e) {
        CHECK(e.errors().at(0).str() ==
              dir.lexically_normal().generic_string() + ": is a directory, not a file");
    }
    try {
        load_scenario(dir / "missing.toml");
        FAIL("a missing file loaded");
    } catch (const InvalidInput& e) {
        CHECK(e.errors().at(0).message == "no such file");
    }
    if (std::filesystem::exists("/dev/zero")) {
        try {
            load_scenario("/dev/zero");
            FAIL("/dev/zero loaded");
        } catch (const InvalidInput& e) {
            CHECK(e.errors().at(0).message == "is not a regular file");
        }
        MemorySource files;
        files.add("t.toml", "extends = \"/dev/zero\"\n");
        // An in-memory source has no /dev/zero; the disk one refuses it (checked above).
        CHECK_FALSE(errors_of("t.toml", files).empty());
    }
    // A loop of symbolic links is said as such (it was "no such file").
    std::filesystem::create_symlink(dir / "loop-b", dir / "loop-a");
    std::filesystem::create_symlink(dir / "loop-a", dir / "loop-b");
    try {
        load_scenario(dir / "loop-a");
        FAIL("a symbolic link loop loaded");
    } catch (const InvalidInput& e) {
        CHECK(e.errors().at(0).message == "cannot read: Too many levels of symbolic links");
    }
    // A file whose reported size is 0 is read to its end (it was called "too large").
    if (std::filesystem::exists("/proc/self/status")) {
        try {
            load_scenario("/proc/self/status");
            FAIL("/proc/self/status loaded");
        } catch (const InvalidInput& e) {
            CHECK(e.errors().at(0).message.find("invalid TOML") == 0);
        }
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("a long extends chain stops at the depth limit", "[scenario][robust]") {
    MemorySource files;
    for (int i = 0; i < 40; ++i) {
        files.add("f" + std::to_string(i) + ".toml",
                  "extends = \"f" + std::to_string(i + 1) + ".toml\"\n");
    }
    const auto e = errors_of("f0.toml", files);
    REQUIRE(e.size() == 1);
    CHECK(e[0] == "f15.toml:1:11: extends: the extends chain is longer than 16 files");
}
