// tests/scenario/docs_test.cpp — docs/scenario.md documents every key of the schema.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "sim/scenario/schema_keys.hpp"

TEST_CASE("docs/scenario.md names every scenario key", "[scenario][docs]") {
    std::ifstream in("docs/scenario.md");
    REQUIRE(in);
    std::stringstream s;
    s << in.rdbuf();
    const std::string docs = s.str();
    for (const auto& k : mss::scenario::detail::schema_keys()) {
        std::string shown = k.pattern;  // contingent.*.tour_days -> contingent[].tour_days
        for (std::size_t at; (at = shown.find(".*")) != std::string::npos;) {
            shown.replace(at, 2, "[]");
        }
        INFO(shown);
        CHECK(docs.find("`" + shown + "`") != std::string::npos);
    }
}
