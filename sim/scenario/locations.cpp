// sim/scenario/locations.cpp — where each key path was found (locations.hpp).
#include "sim/scenario/locations.hpp"

#include "sim/scenario/text.hpp"

namespace mss::scenario::detail {

bool Locations::has(const std::string& path) const {
    return entries_.count(path) > 0;
}

void Locations::record(const std::string& path, const std::string& parent,
                       const toml::source_region& where) {
    entries_[path] = Entry{where, parent};
}

Diagnostic Locations::at(const std::string& path, std::string message) const {
    // Walk up recorded parents; an unrecorded path falls back to its textual parents.
    std::string p = path;
    for (int guard = 0; guard < 64; ++guard) {
        const auto it = entries_.find(p);
        if (it != entries_.end() && it->second.where.path) {
            return detail::at(it->second.where, path, std::move(message));
        }
        if (it != entries_.end()) {
            p = it->second.parent;
            continue;
        }
        const auto cut = p.find_last_of(".[");
        if (cut == std::string::npos || p.empty()) break;
        p.resize(cut);
    }
    Diagnostic d;
    d.file = fallback_;
    d.line = 1;
    d.column = 1;
    d.key_path = path;
    d.message = std::move(message);
    return d;
}

void Locations::alias(const std::string& path, const std::string& written) {
    aliases_[path] = written;
}

std::string Locations::as_written(const std::string& path) const {
    const auto it = aliases_.find(path);
    return it == aliases_.end() ? path : it->second;
}

void Locations::unread(const std::string& path) {
    unread_.insert(path);
}

bool Locations::is_unread(const std::string& path) const {
    return unread_.count(path) > 0;
}

}  // namespace mss::scenario::detail
