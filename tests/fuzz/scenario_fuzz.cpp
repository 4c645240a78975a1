// tests/fuzz/scenario_fuzz.cpp — libFuzzer target over the scenario and sweep loaders
// (DESIGN §9: "The scenario loader has a fuzz target").
//
// Input: optional leading lines `--set key=value` (overrides), then the file's bytes. The file
// is served as fuzz/input.toml from memory, beside fuzz/base.toml (tests/fuzz/base.toml) so
// that `extends = "base.toml"` and sweeps with `base = "base.toml"` reach the merge and design
// code. Oracles: nothing but InvalidInput may escape, and a scenario that loads must print as
// a file that loads again and prints identically.
//
// Built two ways: with clang and -fsanitize=fuzzer (the `fuzz` preset, toml++ header-only so
// the parser is instrumented), and with the ordinary compiler plus replay_main.cpp, which runs
// every file of tests/fuzz/corpus/ through the same function in `make test`.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/sweep.hpp"

#ifndef MSS_SOURCE_DIR
#define MSS_SOURCE_DIR "."
#endif

namespace {

const std::string& base_text() {
    static const std::string text = [] {
        std::ifstream in(std::string(MSS_SOURCE_DIR) + "/tests/fuzz/base.toml");
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }();
    return text;
}

[[noreturn]] void fail(const char* what) {
    // A broken oracle is a bug: make libFuzzer (or the replay test) report it.
    std::fprintf(stderr, "scenario_fuzz: %s\n", what);
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> sets;
    while (in.substr(0, 6) == "--set " && sets.size() < 8) {
        const std::size_t end = in.find('\n');
        sets.emplace_back(in.substr(6, end == std::string_view::npos ? in.size() - 6 : end - 6));
        in.remove_prefix(end == std::string_view::npos ? in.size() : end + 1);
    }
    using namespace mss::scenario;
    MemorySource files;
    files.add("fuzz/input.toml", std::string(in));
    files.add("fuzz/base.toml", base_text());
    try {
        if (file_kind("fuzz/input.toml", &files) == FileKind::sweep) {
            const SweepLoadResult r = load_sweep("fuzz/input.toml", sets, &files);
            files.add("fuzz/printed.toml", r.resolved_text);
            const SweepLoadResult again = load_sweep("fuzz/printed.toml", {}, &files);
            if (again.resolved_text != r.resolved_text) fail("sweep reprint differs");
            if (again.identity_hash != r.identity_hash) fail("sweep identity differs");
        } else {
            const LoadResult r = load_scenario("fuzz/input.toml", sets, &files);
            files.add("fuzz/printed.toml", r.resolved_text);
            LoadResult again;
            try {
                again = load_scenario("fuzz/printed.toml", {}, &files);
            } catch (const InvalidInput& e) {
                std::fprintf(stderr, "%s\n--- printed:\n%s\n", e.what(), r.resolved_text.c_str());
                fail("the printed scenario does not load");
            }
            if (again.resolved_text != r.resolved_text) fail("scenario reprint differs");
        }
    } catch (const InvalidInput&) {
        // Rejected input: the expected outcome for almost every fuzz input.
    }
    return 0;
}
