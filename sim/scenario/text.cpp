// sim/scenario/text.cpp — text helpers for the scenario loader.
#include "sim/scenario/text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace mss::scenario::detail {

std::string format_double(double x) {
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x < 0 ? "-inf" : "inf";
    char buf[128];
    const double ax = std::fabs(x);
    // Plain digits where they stay short, the shortest round-trip form elsewhere.
    const auto fmt = (ax == 0.0 || (ax >= 1e-5 && ax < 1e15)) ? std::chars_format::fixed
                                                              : std::chars_format::general;
    auto res = std::to_chars(buf, buf + sizeof buf, x, fmt);
    if (fmt == std::chars_format::general) res = std::to_chars(buf, buf + sizeof buf, x);
    std::string s(buf, res.ptr);
    if (s.find_first_of(".eE") == std::string::npos) s += ".0";
    return s;
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    // Optimal string alignment distance (a transposition counts as one edit).
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
    for (std::size_t j = 0; j <= m; ++j)
        prev[j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= m; ++j) {
            const auto lower = [](char c) {
                return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
            };
            const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                cur[j] = std::min(cur[j], prev2[j - 2] + 1);
            }
        }
        prev2 = prev;
        prev = cur;
    }
    return prev[m];
}

}  // namespace

std::string nearest(std::string_view word, std::span<const std::string_view> candidates) {
    if (word.size() > 64) return {};  // no typo is that long; keeps the cost bounded
    std::string best;
    std::size_t best_d = static_cast<std::size_t>(-1);
    for (const auto c : candidates) {
        const std::size_t d = edit_distance(word, c);
        if (d < best_d) {
            best_d = d;
            best = std::string(c);
        }
    }
    // Close enough to be a typo: at most a third of the word, and at least one edit allowed.
    const std::size_t allowed = std::max<std::size_t>(1, std::max(word.size(), best.size()) / 3);
    if (best.empty() || best_d > allowed) return {};
    return best;
}

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
    const std::string n = nearest(word, candidates);
    return n.empty() ? std::string() : "; did you mean '" + n + "'?";
}

namespace {

std::string short_text(std::string_view s) {
    if (s.size() <= 40) return quote(s);
    // Cut on a UTF-8 boundary so the message stays valid text.
    std::size_t cut = 37;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
        --cut;
    return quote(s.substr(0, cut)) + "...";
}

std::string date_text(const toml::date& d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04u-%02u-%02u", static_cast<unsigned>(d.year),
                  static_cast<unsigned>(d.month), static_cast<unsigned>(d.day));
    return buf;
}

std::string time_text(const toml::time& t) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%02u:%02u:%02u", static_cast<unsigned>(t.hour),
                  static_cast<unsigned>(t.minute), static_cast<unsigned>(t.second));
    std::string s = buf;
    if (t.nanosecond != 0) {
        std::snprintf(buf, sizeof buf, ".%09u", static_cast<unsigned>(t.nanosecond));
        s += buf;
    }
    return s;
}

std::string date_time_text(const toml::date_time& dt) {
    std::string s = date_text(dt.date) + "T" + time_text(dt.time);
    if (dt.offset) {
        const int minutes = dt.offset->minutes;
        if (minutes == 0) {
            s += "Z";
        } else {
            char buf[16];
            const int a = minutes < 0 ? -minutes : minutes;
            std::snprintf(buf, sizeof buf, "%c%02d:%02d", minutes < 0 ? '-' : '+', a / 60, a % 60);
            s += buf;
        }
    }
    return s;
}

}  // namespace

std::string describe_node(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::string:
            return "a string " + short_text(node.as_string()->get());
        case toml::node_type::integer:
            return "an integer " + std::to_string(node.as_integer()->get());
        case toml::node_type::floating_point:
            return "a number " + format_double(node.as_floating_point()->get());
        case toml::node_type::boolean:
            return std::string("a boolean ") + (node.as_boolean()->get() ? "true" : "false");
        case toml::node_type::date:
            return "a date " + date_text(node.as_date()->get());
        case toml::node_type::time:
            return "a time " + time_text(node.as_time()->get());
        case toml::node_type::date_time:
            return "a date-time " + date_time_text(node.as_date_time()->get());
        case toml::node_type::table:
            return node.as_table()->is_inline() ? "an inline table" : "a table";
        case toml::node_type::array:
            return "an array of " + std::to_string(node.as_array()->size()) + " values";
        case toml::node_type::none:
            break;
    }
    return "nothing";
}

std::string value_text(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::string:
            return quote(node.as_string()->get());
        case toml::node_type::integer:
            return std::to_string(node.as_integer()->get());
        case toml::node_type::floating_point:
            return format_double(node.as_floating_point()->get());
        case toml::node_type::boolean:
            return node.as_boolean()->get() ? "true" : "false";
        case toml::node_type::date:
            return date_text(node.as_date()->get());
        case toml::node_type::time:
            return time_text(node.as_time()->get());
        case toml::node_type::date_time:
            return date_time_text(node.as_date_time()->get());
        case toml::node_type::table: {
            std::string out = "{";
            bool first = true;
            for (const auto& [k, v] : *node.as_table()) {
                out += first ? " " : ", ";
                first = false;
                const std::string_view key = k.str();
                out += is_bare_key(key) ? std::string(key) : quote(key);
                out += " = " + value_text(v);
            }
            return out + (first ? "}" : " }");
        }
        case toml::node_type::array: {
            std::string out = "[";
            bool first = true;
            for (const auto& v : *node.as_array()) {
                if (!first) out += ", ";
                first = false;
                out += value_text(v);
            }
            return out + "]";
        }
        case toml::node_type::none:
            break;
    }
    return "\"\"";
}

std::string file_name_problem(std::string_view name) {
    if (name.empty()) return "it is empty";
    if (name.size() > 100) return "it is longer than 100 bytes";
    if (name.front() == '.') return "it starts with '.'";
    for (const char c : name) {
        if (c == '/' || c == '\\') return "it contains a path separator";
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            return "it contains a control character";
    }
    return "";
}

UnsafeSpot find_unsafe_non_ascii(std::string_view text) {
    // A small TOML tokenizer that is conservative where it cannot tell: it may reject a rare
    // valid file (a non-ASCII quoted key inside an inline table written without spaces), but
    // never lets through a non-ASCII character that toml++ reaches with its whitespace check.
    //  - Outside strings and comments every character must be ASCII.
    //  - A "bare token" (a number, date, word, key) runs to the next value terminator (space,
    //    tab, newline, ] } , #). toml++ scans a malformed value's token with its whitespace
    //    check, so inside a value token a quote does not open a string.
    //  - In key position (before the first = of a line outside brackets, in a [header], or after
    //    { or , in an inline table) `=` ends a token and a quote after `.` opens a dotted key.
    enum class State { normal, comment, basic, literal, ml_basic, ml_literal };
    State state = State::normal;
    int line = 1, column = 0;
    bool bare = false;         // inside a bare token
    bool eq_seen = false;      // a top-level = was seen on this line
    bool inline_key = false;   // in key position inside an inline table
    char prev = 0;             // the previous character outside strings
    std::size_t key_dots = 0;  // the dots of the key being read (toml++ recurses on each)
    std::string brackets;      // open [ and { of values (not table headers), innermost last
    std::size_t i = 0;
    const std::size_t n = text.size();
    if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // a byte order mark is allowed
    auto starts = [&](std::size_t at, std::string_view what) {
        return text.substr(at, what.size()) == what;
    };
    auto key_position = [&] { return (brackets.empty() && !eq_seen) || inline_key; };
    while (i < n) {
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c & 0xC0) != 0x80) ++column;  // count code points, not continuation bytes
        if (c == '\n') {
            ++line;
            column = 0;
            eq_seen = false;
            bare = false;
            prev = 0;
            key_dots = 0;
            if (state == State::comment || state == State::basic || state == State::literal) {
                state = State::normal;  // these end at the line's end (or are errors there)
            }
            ++i;
            continue;
        }
        switch (state) {
            case State::normal: {
                if (c >= 0x80) return {line, column, false};
                if (c == '.' && key_position() && ++key_dots > kMaxTrackedNesting)
                    return {line, column, true};
                const bool quote = c == '"' || c == '\'';
                if (c == ' ' || c == '\t' || c == '\r') {
                    bare = false;
                } else if (c == '#') {
                    state = State::comment;
                    bare = false;
                } else if (c == ',' || c == ']' || c == '}') {
                    bare = false;
                    if (c == ',') {
                        inline_key = !brackets.empty() && brackets.back() == '{';
                    } else if (!brackets.empty()) {
                        brackets.pop_back();
                        inline_key = false;
                    }
                } else if (c == '=' && (key_position() || !bare)) {
                    key_dots = 0;
                    if (brackets.empty()) eq_seen = true;
                    inline_key = false;
                    bare = false;
                } else if ((c == '[' || c == '{') && !bare) {
                    // A [ in key position at the top level opens a table header: not a value.
                    if (!(c == '[' && brackets.empty() && !eq_seen)) {
                        if (brackets.size() > kMaxTrackedNesting) return {line, column, true};
                        brackets.push_back(static_cast<char>(c));
                        inline_key = c == '{';
                    }
                } else if (quote && (!bare || (prev == '.' && key_position()))) {
                    if (starts(i, "\"\"\"")) {
                        state = State::ml_basic;
                        i += 2;
                        column += 2;
                    } else if (starts(i, "'''")) {
                        state = State::ml_literal;
                        i += 2;
                        column += 2;
                    } else {
                        state = c == '"' ? State::basic : State::literal;
                    }
                    bare = false;
                } else {
                    bare = true;  // part of a bare token (a quote here is not a string)
                }
                prev = static_cast<char>(c);
                break;
            }
            case State::comment:
                break;
            case State::basic:
                if (c == '\\' && i + 1 < n && text[i + 1] != '\n') {
                    ++i;
                    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
                } else if (c == '"') {
                    state = State::normal;
                    prev = '"';
                }
                break;
            case State::literal:
                if (c == '\'') {
                    state = State::normal;
                    prev = '\'';
                }
                break;
            case State::ml_basic:
                if (c == '\\') {
                    // toml++ tests the character after a backslash, and after a line-ending
                    // backslash the first one after the whitespace it trims, with its buggy
                    // whitespace check.
                    std::size_t j = i + 1;
                    while (j < n && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r' ||
                                     text[j] == '\n')) {
                        ++j;
                    }
                    if (j < n && static_cast<unsigned char>(text[j]) >= 0x80) {
                        for (std::size_t k = i + 1; k < j; ++k) {
                            if (text[k] == '\n') {
                                ++line;
                                column = 0;
                            } else {
                                ++column;
                            }
                        }
                        return {line, column + 1, false};
                    }
                    if (j == i + 1 && i + 1 < n) {
                        ++i;  // an escape: skip the escaped character
                        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
                    }
                } else if (starts(i, "\"\"\"")) {
                    i += 2;
                    column += 2;
                    // Up to two more quotes belong to the string's content.
                    for (int extra = 0; extra < 2 && i + 1 < n && text[i + 1] == '"'; ++extra) {
                        ++i;
                        ++column;
                    }
                    state = State::normal;
                    prev = '"';
                }
                break;
            case State::ml_literal:
                if (starts(i, "'''")) {
                    i += 2;
                    column += 2;
                    for (int extra = 0; extra < 2 && i + 1 < n && text[i + 1] == '\''; ++extra) {
                        ++i;
                        ++column;
                    }
                    state = State::normal;
                    prev = '\'';
                }
                break;
        }
        ++i;
    }
    return {};
}

Diagnostic at(const toml::source_region& where, std::string key_path, std::string message) {
    Diagnostic d;
    d.file = where.path ? *where.path : std::string();
    if (d.file.rfind("--set ", 0) != 0) {
        d.line = static_cast<int>(where.begin.line);
        d.column = static_cast<int>(where.begin.column);
    }
    d.key_path = std::move(key_path);
    d.message = std::move(message);
    return d;
}

}  // namespace mss::scenario::detail
