// sim/scenario/writer.hpp — prints config structs as TOML through their `fields` functions
// (internal). The output states every key explicitly, in schema order, with numbers that read
// back exactly, so printing, reloading and printing again gives the same text.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/kernel/distribution.hpp"
#include "sim/model/config.hpp"
#include "sim/scenario/schema.hpp"
#include "sim/scenario/text.hpp"

namespace mss::scenario::detail {

/// An ordered TOML table under construction.
struct OrderedTable {
    struct Item;
    std::vector<Item> items;
};

struct OrderedTable::Item {
    std::string key;
    std::string value;                    ///< value text (when not a table or array of tables)
    std::unique_ptr<OrderedTable> table;  ///< a [sub.table]
    std::vector<OrderedTable> entries;    ///< [[array.of.tables]]
    bool is_list = false;
};

/// Text of a duration distribution: a number for a constant, else an inline table.
std::string distribution_text(const kernel::DistributionSpec& d);
/// Text of a count distribution: an integer for a constant, else an inline table.
std::string count_text(const kernel::CountSpec& c);
/// Emits an ordered table as TOML: scalars first, then [tables] and [[entries]].
void emit(const OrderedTable& t, const std::string& header, std::string& out);

/// The schema visitor that prints.
class Writer {
public:
    explicit Writer(OrderedTable& root) : cur_(&root) {}

    template <class T>
    void field(std::string_view key, const T& x, const Spec& spec = {}) {
        if constexpr (Struct<T>) {
            auto sub = std::make_unique<OrderedTable>();
            OrderedTable* saved = cur_;
            cur_ = sub.get();
            fields(*this, x);
            cur_ = saved;
            if (!sub->items.empty()) add_table(key, std::move(sub));
        } else {
            add(key, text(x, spec));
        }
    }
    template <class T>
    void field(std::string_view key, const std::optional<T>& x, const Spec& spec = {}) {
        if (x) field(key, *x, spec);
    }
    template <Struct T>
    void field(std::string_view key, const std::vector<T>& xs, const Spec& spec = {}) {
        if (spec.inline_list) {
            std::string out = "[";
            for (const auto& x : xs) {
                OrderedTable entry;
                Writer w(entry);
                fields(w, x);
                out += "\n    {";
                bool first = true;
                for (const auto& item : entry.items) {
                    out += (first ? " " : ", ") + item.key + " = " + item.value;
                    first = false;
                }
                out += " },";
            }
            out += xs.empty() ? "]" : "\n]";
            add(key, out);
            return;
        }
        if (xs.empty()) return;
        OrderedTable::Item item;
        item.key = std::string(key);
        item.is_list = true;
        for (const auto& x : xs) {
            OrderedTable entry;
            Writer w(entry);
            fields(w, x);
            item.entries.push_back(std::move(entry));
        }
        cur_->items.push_back(std::move(item));
    }
    void date(std::string_view key, std::int32_t days, const Spec&) {
        add(key, civil_from_days(days));
    }
    void day_or_date(std::string_view day_key, std::string_view, double x, const Spec&) {
        add(day_key, format_double(x));
    }
    void day_or_date(std::string_view day_key, std::string_view, const std::optional<double>& x,
                     const Spec&) {
        if (x) add(day_key, format_double(*x));
    }
    void hours_or_date(std::string_view h_key, std::string_view, double x, const Spec&) {
        add(h_key, format_double(x));
    }
    void classes(std::string_view key, bool all, const std::vector<model::OperatorClass>& cs) {
        if (all || cs.empty()) {
            add(key, "[\"all\"]");
            return;
        }
        std::string out = "[";
        for (std::size_t i = 0; i < cs.size(); ++i) {
            out += (i ? ", " : "") + quote(enum_name(cs[i]));
        }
        add(key, out + "]");
    }

private:
    void add(std::string_view key, std::string value) {
        OrderedTable::Item item;
        item.key = std::string(key);
        item.value = std::move(value);
        cur_->items.push_back(std::move(item));
    }
    void add_table(std::string_view key, std::unique_ptr<OrderedTable> t) {
        OrderedTable::Item item;
        item.key = std::string(key);
        item.table = std::move(t);
        cur_->items.push_back(std::move(item));
    }

    static std::string text(const std::string& s, const Spec&) { return quote(s); }
    static std::string text(bool b, const Spec&) { return b ? "true" : "false"; }
    static std::string text(std::int32_t v, const Spec&) { return std::to_string(v); }
    static std::string text(std::int64_t v, const Spec&) { return std::to_string(v); }
    static std::string text(std::uint64_t v, const Spec&) { return std::to_string(v); }
    static std::string text(double v, const Spec&) { return format_double(v); }
    static std::string text(const kernel::DistributionSpec& d, const Spec&) {
        return distribution_text(d);
    }
    static std::string text(const kernel::CountSpec& c, const Spec&) { return count_text(c); }
    static std::string text(const std::vector<std::vector<double>>& m, const Spec&) {
        if (m.empty()) return "[]";
        std::string out = "[";
        for (const auto& row : m) {
            out += "\n    [";
            for (std::size_t j = 0; j < row.size(); ++j) {
                out += (j ? ", " : "") + format_double(row[j]);
            }
            out += "],";
        }
        return out + "\n]";
    }
    template <NamedEnum E>
    static std::string text(E e, const Spec&) {
        return quote(enum_name(e));
    }

    OrderedTable* cur_;
};

}  // namespace mss::scenario::detail
