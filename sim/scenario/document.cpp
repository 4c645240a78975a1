// sim/scenario/document.cpp — reading, parsing, `extends` merging and `--set` overrides of
// scenario documents (see document.hpp for the rules).
#include "sim/scenario/document.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "sim/scenario/schema_keys.hpp"
#include "sim/scenario/text.hpp"

namespace mss::scenario::detail {

namespace fs = std::filesystem;

std::string display_path(const fs::path& path) {
    return path.lexically_normal().generic_string();
}

std::optional<toml::table> parse_file(const fs::path& path, const FileSource& files,
                                      Diagnostics& diags, const Diagnostic* site) {
    const std::string shown = display_path(path);
    FileText ft = files.read(path);
    if (!ft.text) {
        if (site) {
            Diagnostic d = *site;
            d.message = "cannot read " + quote(shown) + ": " + ft.error;
            diags.error(std::move(d));
        } else {
            diags.error(Diagnostic{shown, 0, 0, "", ft.error});
        }
        return std::nullopt;
    }
    if (const UnsafeSpot spot = find_unsafe_non_ascii(*ft.text); spot.line > 0) {
        diags.error(Diagnostic{
            shown, spot.line, spot.column, "",
            spot.too_deep ? "invalid TOML: nested more than " + std::to_string(kMaxTrackedNesting) +
                                " deep (arrays, inline tables or dotted keys; the loader's limit)"
                          : "invalid TOML: a non-ASCII character outside a string or comment "
                            "(keys and values other than strings are ASCII)"});
        return std::nullopt;
    }
    try {
        return toml::parse(*ft.text, std::string_view{shown});
    } catch (const toml::parse_error& e) {
        diags.error(at(e.source(), "", "invalid TOML: " + std::string(e.description())));
    }
    return std::nullopt;
}

namespace {

bool is_header_table(const toml::node& n) {
    return n.is_table() && !n.as_table()->is_inline();
}

// An array written as [[key]] entries: non-empty, every element a non-inline table.
bool is_header_array(const toml::node& n) {
    const toml::array* a = n.as_array();
    if (!a || a->empty()) return false;
    return std::all_of(a->begin(), a->end(),
                       [](const toml::node& e) { return is_header_table(e); });
}

std::string where_text(const toml::source_region& r) {
    std::string out = r.path ? *r.path : std::string("?");
    if (out.rfind("--set ", 0) == 0) return out;
    return out + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column);
}

std::string leaf_of(const std::string& pattern) {
    const auto cut = pattern.rfind('.');
    return cut == std::string::npos ? pattern : pattern.substr(cut + 1);
}

class Merger {
public:
    explicit Merger(Diagnostics& diags) : diags_(diags) {}

    // Merges `child` into `base` (both tables at `pattern` / `path`), moving child's nodes.
    void merge_table(toml::table& base, toml::table& child, const std::string& pattern,
                     const std::string& path) {
        for (auto&& [k, v] : child) {
            const std::string key(k.str());
            const std::string sub_pattern = pattern.empty() ? key : pattern + "." + key;
            const std::string sub_path = join_path(path, key);
            toml::node* b = base.get(key);
            const std::string_view id = collection_id(sub_pattern);
            if (!id.empty() && is_header_array(v)) {
                toml::array entries = take_entries(*v.as_array());
                if (!b || !b->is_array()) {
                    base.insert_or_assign(k, std::move(v));  // keeps the child's location
                    b = base.get(key);
                }
                merge_entries(*b->as_array(), entries, std::string(id), sub_pattern + ".*",
                              sub_path);
            } else if (is_header_table(v) && b && is_header_table(*b)) {
                merge_table(*b->as_table(), *v.as_table(), sub_pattern, sub_path);
            } else {
                base.insert_or_assign(k, std::move(v));
                toml::node* nb = base.get(key);
                if (is_header_table(*nb)) normalise(*nb->as_table(), sub_pattern, sub_path);
            }
        }
    }

    // Processes a table that has no inherited counterpart: duplicates and `remove` entries in
    // its collections are checked as if merged into nothing.
    void normalise(toml::table& t, const std::string& pattern, const std::string& path) {
        for (auto&& [k, v] : t) {
            const std::string key(k.str());
            const std::string sub_pattern = pattern.empty() ? key : pattern + "." + key;
            const std::string sub_path = join_path(path, key);
            const std::string_view id = collection_id(sub_pattern);
            if (!id.empty() && is_header_array(v)) {
                toml::array entries = take_entries(*v.as_array());
                merge_entries(*v.as_array(), entries, std::string(id), sub_pattern + ".*",
                              sub_path);
            } else if (is_header_array(v)) {
                std::size_t i = 0;
                for (auto& e : *v.as_array()) {
                    normalise(*e.as_table(), sub_pattern + ".*", index_path(sub_path, i++));
                }
            } else if (is_header_table(v)) {
                normalise(*v.as_table(), sub_pattern, sub_path);
            }
        }
    }

private:
    static toml::array take_entries(toml::array& a) {
        toml::array entries;
        for (auto& e : a)
            entries.push_back(std::move(*e.as_table()));
        a.clear();
        return entries;
    }

    static toml::array::iterator find_entry(toml::array& a, const std::string& id,
                                            const std::string& value) {
        return std::find_if(a.begin(), a.end(), [&](toml::node& e) {
            const toml::table* t = e.as_table();
            const toml::node* idn = t ? t->get(id) : nullptr;
            return idn && idn->is_string() && idn->as_string()->get() == value;
        });
    }

    void merge_entries(toml::array& base, toml::array& entries, const std::string& id,
                       const std::string& entry_pattern, const std::string& path) {
        const std::string leaf = leaf_of(path);
        std::map<std::string, toml::source_region> seen;
        for (auto& e : entries) {
            toml::table& t = *e.as_table();
            const toml::node* idn = t.get(id);
            if (!idn || !idn->is_string()) {
                // No usable id: kept as a new entry; the schema check reports the missing key.
                base.push_back(std::move(t));
                normalise(*base.back().as_table(), entry_pattern,
                          index_path(path, base.size() - 1));
                continue;
            }
            const std::string value = idn->as_string()->get();
            const std::string entry_path = join_path(path, value);
            if (auto [it, fresh] = seen.emplace(value, t.source()); !fresh) {
                diags_.error(at(idn->source(), entry_path + "." + id,
                                "duplicate " + leaf + " " + quote(value) + " (first defined at " +
                                    where_text(it->second) + "); each " + id + " may appear once"));
                continue;
            }
            auto found = find_entry(base, id, value);
            if (const toml::node* rm = t.get("remove")) {
                if (!rm->is_boolean()) {
                    diags_.error(at(rm->source(), entry_path + ".remove",
                                    "expected true or false, found " + describe_node(*rm)));
                    continue;
                }
                if (rm->as_boolean()->get()) {
                    bool extra = false;
                    for (const auto& [k, v] : t) {
                        if (k.str() == id || k.str() == "remove") continue;
                        diags_.error(at(k.source(), join_path(entry_path, k.str()),
                                        "an entry with remove = true takes no other keys than " +
                                            id + " and remove"));
                        extra = true;
                    }
                    if (extra) continue;
                    if (found == base.end()) {
                        std::string known;
                        for (auto& b : base) {
                            const toml::node* bid = b.as_table() ? b.as_table()->get(id) : nullptr;
                            if (bid && bid->is_string()) {
                                known += (known.empty() ? "" : ", ") + bid->as_string()->get();
                            }
                        }
                        diags_.error(at(rm->source(), entry_path + ".remove",
                                        "remove = true, but no inherited " + leaf + " has " + id +
                                            " = " + quote(value) +
                                            (known.empty() ? " (nothing is inherited)"
                                                           : " (inherited: " + known + ")")));
                    } else {
                        base.erase(found);
                    }
                    continue;
                }
                t.erase("remove");
            }
            if (found != base.end() && is_header_table(*found)) {
                merge_table(*found->as_table(), t, entry_pattern, entry_path);
            } else if (found != base.end()) {
                base.replace(found, std::move(t));
            } else {
                base.push_back(std::move(t));
                normalise(*base.back().as_table(), entry_pattern, entry_path);
            }
        }
    }

    Diagnostics& diags_;
};

// Two names of the same file compare equal ("a.toml", "./a.toml", "sub/../a.toml", and
// through symbolic links where the file exists).
std::string chain_key(const fs::path& p) {
    std::error_code ec;
    fs::path abs = fs::absolute(p, ec);
    if (ec) abs = p;
    abs = abs.lexically_normal();
    const fs::path c = fs::weakly_canonical(abs, ec);
    return (ec ? abs : c).generic_string();
}

std::optional<toml::table> load_chain(const fs::path& path, const FileSource& files,
                                      Diagnostics& diags, std::vector<std::string>& chain,
                                      std::vector<std::string>& shown_chain,
                                      const Diagnostic* site) {
    std::optional<toml::table> doc = parse_file(path, files, diags, site);
    if (!doc) return std::nullopt;
    chain.push_back(chain_key(path));
    shown_chain.push_back(display_path(path));
    toml::table base;
    if (const toml::node* ext = doc->get("extends")) {
        const Diagnostic here = at(ext->source(), "extends", "");
        if (!ext->is_string() || ext->as_string()->get().empty()) {
            diags.error(at(ext->source(), "extends",
                           "expected the path of the scenario file to extend (a string, relative "
                           "to this file), found " +
                               describe_node(*ext)));
            return std::nullopt;
        }
        const fs::path parent = (path.parent_path() / fs::path(ext->as_string()->get()));
        const std::string key = chain_key(parent);
        if (std::find(chain.begin(), chain.end(), key) != chain.end()) {
            std::string cycle;
            for (const auto& s : shown_chain)
                cycle += s + " -> ";
            diags.error(at(ext->source(), "extends",
                           "extends cycle: " + cycle + display_path(parent) +
                               "; a scenario cannot extend itself"));
            return std::nullopt;
        }
        if (static_cast<int>(chain.size()) >= kMaxExtendsDepth) {
            diags.error(at(
                ext->source(), "extends",
                "the extends chain is longer than " + std::to_string(kMaxExtendsDepth) + " files"));
            return std::nullopt;
        }
        std::optional<toml::table> inherited =
            load_chain(parent, files, diags, chain, shown_chain, &here);
        if (!inherited) return std::nullopt;
        if (inherited->contains("sweep")) {
            diags.error(at(ext->source(), "extends",
                           "expected a scenario file, found a sweep file " +
                               quote(display_path(parent)) + " (it has a [sweep] table)"));
            return std::nullopt;
        }
        base = std::move(*inherited);
        doc->erase("extends");
        Merger(diags).merge_table(base, *doc, "", "");
    } else {
        base = std::move(*doc);
        Merger(diags).normalise(base, "", "");
    }
    chain.pop_back();
    shown_chain.pop_back();
    return base;
}

}  // namespace

std::optional<toml::table> load_document(const fs::path& path, const FileSource& files,
                                         Diagnostics& diags) {
    std::vector<std::string> chain, shown_chain;
    return load_chain(path, files, diags, chain, shown_chain, nullptr);
}

std::optional<std::vector<std::string>> split_key_path(std::string_view path) {
    std::vector<std::string> out;
    std::size_t i = 0;
    const std::size_t n = path.size();
    bool expect_segment = true;
    while (i < n) {
        if (path[i] == '[') {
            const std::size_t close = path.find(']', i);
            if (close == std::string_view::npos || close == i + 1) return std::nullopt;
            const std::string_view digits = path.substr(i + 1, close - i - 1);
            if (!std::all_of(digits.begin(), digits.end(),
                             [](char c) { return c >= '0' && c <= '9'; }) ||
                digits.size() > 9 || out.empty()) {
                return std::nullopt;
            }
            out.emplace_back("[" + std::string(digits) + "]");
            i = close + 1;
            expect_segment = false;
            continue;
        }
        if (path[i] == '.') {
            if (expect_segment) return std::nullopt;
            expect_segment = true;
            ++i;
            continue;
        }
        if (!expect_segment) return std::nullopt;
        if (path[i] == '"') {
            const std::size_t close = path.find('"', i + 1);
            if (close == std::string_view::npos) return std::nullopt;
            out.emplace_back(path.substr(i + 1, close - i - 1));
            i = close + 1;
        } else {
            std::size_t j = i;
            while (j < n && path[j] != '.' && path[j] != '[')
                ++j;
            const std::string seg(path.substr(i, j - i));
            if (!is_bare_key(seg)) return std::nullopt;
            out.push_back(seg);
            i = j;
        }
        expect_segment = false;
    }
    if (expect_segment) return std::nullopt;
    return out;
}

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

bool all_digits(std::string_view s) {
    return !s.empty() && s.size() <= 9 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool apply_set(toml::table& root, std::string_view assignment, Diagnostics& diags) {
    const std::string src = "--set " + std::string(assignment);
    auto fail = [&](const std::string& key, std::string message) {
        diags.error(Diagnostic{src, 0, 0, key, std::move(message)});
        return false;
    };
    const std::size_t eq = assignment.find('=');
    if (eq == std::string_view::npos) {
        return fail("", "expected key.path=value, such as contingent.Kenya.billets=1200");
    }
    const std::string key(trim(assignment.substr(0, eq)));
    const std::string_view value = trim(assignment.substr(eq + 1));
    const auto segs = split_key_path(key);
    if (!segs || segs->empty()) {
        return fail(key,
                    "expected a key path such as contingent.Kenya.billets or "
                    "airport.PAP.closure[0].end (quote ids with spaces: contingent.\"The "
                    "Bahamas\".billets)");
    }
    if (value.empty()) return fail(key, "expected a value after '='");

    // The value as TOML; a bare word that is not TOML is a string (origin=NBO).
    toml::table holder;
    bool parsed = false;
    std::string parse_problem;
    try {
        const std::string text = "v = " + std::string(value) + "\n";
        if (const UnsafeSpot spot = find_unsafe_non_ascii(text); spot.line > 0) {
            parse_problem = spot.too_deep
                                ? "nested more than " + std::to_string(kMaxTrackedNesting) + " deep"
                                : "a non-ASCII character outside a string";
        } else {
            holder = toml::parse(text, std::string_view{src});
            parsed = holder.size() == 1 && holder.contains("v");
            if (!parsed) parse_problem = "more than one value";
        }
    } catch (const toml::parse_error& e) {
        parse_problem = std::string(e.description());
    }
    if (!parsed) {
        const char c = value.front();
        const bool bare = value.find_first_of("\n\r") == std::string_view::npos && c != '"' &&
                          c != '\'' && c != '[' && c != '{';
        if (!bare) {
            return fail(key,
                        "expected a TOML value (a number, \"string\", date, [array] or { "
                        "inline table }), found " +
                            quote(value) + " (" + parse_problem + ")");
        }
        try {
            holder = toml::parse("v = " + quote(value) + "\n", std::string_view{src});
        } catch (const toml::parse_error& e) {
            return fail(key, "the value is not valid text: " + std::string(e.description()));
        }
    }
    toml::node& new_value = *holder.get("v");
    // Keys and tables this --set creates carry its location ("--set K=V"), for any error on them.
    const toml::source_region origin = new_value.source();

    toml::node* cur = &root;
    std::string pattern, shown;
    for (std::size_t i = 0; i < segs->size(); ++i) {
        const std::string& seg = (*segs)[i];
        const bool last = i + 1 == segs->size();
        const bool is_index = seg.front() == '[';
        if (toml::table* t = cur->as_table()) {
            if (is_index) {
                return fail(key, (shown.empty() ? std::string("the file") : shown) +
                                     " is a table, not an array; expected a key instead of " + seg);
            }
            pattern = pattern.empty() ? seg : pattern + "." + seg;
            shown = join_path(shown, seg);
            if (last) {
                if (t->contains(seg))
                    t->insert_or_assign(seg, std::move(new_value));
                else
                    t->insert(toml::key(seg, origin), std::move(new_value));
                return true;
            }
            toml::node* next = t->get(seg);
            if (!next) {
                // A table parsed from the --set carries its location (a copy would not; a move
                // does), for errors about the table itself (a distribution without `dist`).
                toml::table made = toml::parse("t = {}\n", std::string_view{src});
                t->insert(toml::key(seg, origin), std::move(*made.get("t")->as_table()));
                next = t->get(seg);
            }
            cur = next;
        } else if (toml::array* a = cur->as_array()) {
            const std::string id(collection_id(pattern));
            pattern += ".*";
            toml::node* entry = nullptr;
            std::string entry_shown;
            if (is_index || (id.empty() && all_digits(seg))) {
                const std::string digits = is_index ? seg.substr(1, seg.size() - 2) : seg;
                const std::size_t index = std::stoul(digits);
                if (index < a->size()) entry = a->get(index);
                entry_shown = index_path(shown, index);
                if (!entry) {
                    return fail(key, shown + " has " + std::to_string(a->size()) +
                                         " entries; expected an index below " +
                                         std::to_string(a->size()) + ", found " + digits);
                }
            } else if (!id.empty()) {
                std::string known;
                for (auto& e : *a) {
                    const toml::node* idn = e.as_table() ? e.as_table()->get(id) : nullptr;
                    if (!idn || !idn->is_string()) continue;
                    if (idn->as_string()->get() == seg) entry = &e;
                    known += (known.empty() ? "" : ", ") + idn->as_string()->get();
                }
                entry_shown = join_path(shown, seg);
                if (!entry) {
                    return fail(key, "no " + leaf_of(shown) + " has " + id + " = " + quote(seg) +
                                         (known.empty() ? std::string(" (there are none)")
                                                        : " (there are: " + known + ")"));
                }
            } else {
                return fail(key, shown + " entries have no id; expected an index such as " + shown +
                                     "[0], found " + quote(seg));
            }
            if (last) {
                return fail(key, "expected a key inside the entry, such as " + entry_shown +
                                     ".<key>=value");
            }
            shown = entry_shown;
            cur = entry;
        } else {
            return fail(key, shown + " is " + describe_node(*cur) +
                                 ", not a table; it has no key " + quote(seg));
        }
    }
    return false;  // unreachable: the loop returns on the last segment
}

}  // namespace mss::scenario::detail
