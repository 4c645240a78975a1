// A SimPy-style timeline log for kernel tests: who did what at which time, compared whole.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace mss::kernel::test {

struct Mark {
    std::string what;
    double t;
    bool operator==(const Mark& o) const { return what == o.what && t == o.t; }
};
using Timeline = std::vector<Mark>;

inline std::ostream& operator<<(std::ostream& os, const Mark& m) {
    return os << "{\"" << m.what << "\", " << m.t << "}";
}

}  // namespace mss::kernel::test

namespace Catch {
template <>
struct StringMaker<mss::kernel::test::Timeline> {
    static std::string convert(const mss::kernel::test::Timeline& tl) {
        std::string s = "{";
        for (const auto& m : tl)
            s += " {\"" + m.what + "\", " + std::to_string(m.t) + "}";
        return s + " }";
    }
};
}  // namespace Catch
