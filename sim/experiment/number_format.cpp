// sim/experiment/number_format.cpp — see the header.
#include "sim/experiment/number_format.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace mss::experiment {

namespace {

/// printf of one number: %.0f of the largest double has 309 digits.
template <typename... Args>
std::string print(const char* format, Args... args) {
    char buf[512];
    std::snprintf(buf, sizeof buf, format, args...);
    return buf;
}

/// "-1234567" -> "-1,234,567".
std::string group_thousands(const std::string& digits) {
    const std::size_t sign = !digits.empty() && digits[0] == '-' ? 1 : 0;
    std::string out = digits.substr(0, sign);
    const std::size_t n = digits.size() - sign;
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0 && (n - i) % 3 == 0) out += ',';
        out += digits[sign + i];
    }
    return out;
}

}  // namespace

std::string format_number(double x) {
    if (std::isnan(x)) return "-";
    if (std::isinf(x)) return x > 0 ? "never" : "-inf";
    if (x == 0.0) return "0";
    // The decimal exponent of x written with 4 significant digits (after rounding: 999.96 is
    // 1.000e+03).
    const std::string sci = print("%.3e", x);
    const int exponent = std::atoi(sci.c_str() + sci.find('e') + 1);
    if (exponent >= 3) return group_thousands(print("%.0f", x));
    if (exponent < -4) return sci;
    std::string fixed = print("%.*f", 3 - exponent, x);
    if (fixed.find('.') != std::string::npos) {
        fixed.erase(fixed.find_last_not_of('0') + 1);
        if (fixed.back() == '.') fixed.pop_back();
    }
    return fixed;
}

std::string format_csv_number(double x) {
    if (std::isnan(x)) return "";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    return print("%.17g", x);
}

}  // namespace mss::experiment
