// sim/scenario/diagnostic.cpp — formatting and collection of loader diagnostics.
#include "sim/scenario/diagnostic.hpp"

#include <algorithm>

namespace mss::scenario {

namespace {

// A word (a run of characters without spaces) longer than this is shown cut, with its length:
// a 1 MB key or value would otherwise be echoed whole.
constexpr std::size_t kLongestWord = 200;
constexpr std::size_t kWordShown = 60;

std::string shorten_long_words(const std::string& text) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t end = std::min(text.find(' ', i), text.size());
        if (end - i > kLongestWord)
            out.append(text, i, kWordShown)
                .append("... (" + std::to_string(end - i) + " characters)");
        else
            out.append(text, i, end - i);
        if (end < text.size()) out += ' ';
        i = end + 1;
    }
    return out;
}

std::string location(const Diagnostic& d) {
    std::string out = d.file;
    if (d.line > 0) {
        out += ":" + std::to_string(d.line);
        if (d.column > 0) out += ":" + std::to_string(d.column);
    }
    return out;
}

std::string join_lines(const std::vector<Diagnostic>& errors) {
    std::string out;
    for (const auto& e : errors) {
        if (!out.empty()) out += '\n';
        out += e.str();
    }
    return out.empty() ? std::string("invalid input") : out;
}

}  // namespace

std::string Diagnostic::str() const {
    std::string out = location(*this) + ": ";
    if (!key_path.empty()) out += key_path + ": ";
    return shorten_long_words(out + message);
}

std::string Diagnostic::warning_str() const {
    std::string out = location(*this) + ": warning: ";
    if (!key_path.empty()) out += key_path + ": ";
    return shorten_long_words(out + message);
}

InvalidInput::InvalidInput(std::vector<Diagnostic> errors, std::vector<Diagnostic> warnings)
    : std::runtime_error(join_lines(errors)),
      errors_(std::move(errors)),
      warnings_(std::move(warnings)) {}

void Diagnostics::error(Diagnostic d) {
    errors_.push_back(std::move(d));
    if (errors_.size() >= kMaxErrors) {
        Diagnostic stop = errors_.back();
        stop.key_path.clear();
        stop.message = "too many errors (" + std::to_string(kMaxErrors) + "); stopped here";
        errors_.push_back(std::move(stop));
        throw InvalidInput(errors_, warnings_);
    }
}

void Diagnostics::warning(Diagnostic d) {
    if (warnings_.size() < kMaxErrors * 5) warnings_.push_back(std::move(d));
}

bool Diagnostics::has_error_at(const std::string& key_path) const {
    return std::any_of(errors_.begin(), errors_.end(),
                       [&](const Diagnostic& d) { return d.key_path == key_path; });
}

void Diagnostics::throw_if_errors() const {
    if (!errors_.empty()) throw InvalidInput(errors_, warnings_);
}

}  // namespace mss::scenario
