// sim/scenario/schema.cpp — the key inventory: every key of a scenario file with its type,
// collected by walking the `fields` functions of schema.hpp (used by extends and --set to find
// identifying keys, and by the docs test to check docs/scenario.md names every key).
#include "sim/scenario/schema.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/schema_keys.hpp"

namespace mss::scenario::detail {

namespace {

template <class T>
std::string type_name(const T&) {
    if constexpr (std::is_same_v<T, std::string>) {
        return "string";
    } else if constexpr (std::is_same_v<T, bool>) {
        return "boolean";
    } else if constexpr (std::is_integral_v<T>) {
        return "integer";
    } else if constexpr (std::is_floating_point_v<T>) {
        return "number";
    } else if constexpr (std::is_same_v<T, kernel::DistributionSpec>) {
        return "duration distribution";
    } else if constexpr (std::is_same_v<T, kernel::CountSpec>) {
        return "count distribution";
    } else if constexpr (std::is_same_v<T, std::vector<std::vector<double>>>) {
        return "matrix";
    } else if constexpr (NamedEnum<T>) {
        return "enum";
    } else {
        return "table";
    }
}

class SchemaCollector {
public:
    explicit SchemaCollector(std::vector<KeyInfo>& out) : out_(out) {}

    template <class T>
    void field(std::string_view key, T& x, const Spec& spec = {}) {
        add(key, type_name(x), spec);
        if constexpr (Struct<T>) {
            descend(key, x);
        }
    }
    template <class T>
    void field(std::string_view key, std::optional<T>&, const Spec& spec = {}) {
        T value{};
        field(key, value, spec);
    }
    template <Struct T>
    void field(std::string_view key, std::vector<T>&, const Spec& spec = {}) {
        KeyInfo& k = add(key, "array of tables", spec);
        if (spec.id) k.id = spec.id;
        T value{};
        const std::string saved = prefix_;
        prefix_ = prefix_ + std::string(key) + ".*.";
        fields(*this, value);
        prefix_ = saved;
    }
    void date(std::string_view key, std::int32_t&, const Spec& spec) { add(key, "date", spec); }
    void day_or_date(std::string_view day_key, std::string_view date_key, double&,
                     const Spec& spec) {
        add(day_key, "number", spec);
        add(date_key, "date", Spec{});
    }
    void day_or_date(std::string_view day_key, std::string_view date_key, std::optional<double>&,
                     const Spec& spec) {
        add(day_key, "number", spec);
        add(date_key, "date", Spec{});
    }
    void hours_or_date(std::string_view h_key, std::string_view date_key, double&,
                       const Spec& spec) {
        add(h_key, "number", spec);
        add(date_key, "date", Spec{});
    }
    void classes(std::string_view key, bool&, std::vector<model::OperatorClass>&) {
        add(key, "array of strings", Spec{});
    }

private:
    KeyInfo& add(std::string_view key, std::string type, const Spec& spec) {
        out_.push_back(KeyInfo{prefix_ + std::string(key), std::move(type), spec.required, ""});
        return out_.back();
    }
    template <class T>
    void descend(std::string_view key, T& x) {
        const std::string saved = prefix_;
        prefix_ = prefix_ + std::string(key) + ".";
        fields(*this, x);
        prefix_ = saved;
    }

    std::vector<KeyInfo>& out_;
    std::string prefix_;
};

}  // namespace

const std::vector<KeyInfo>& schema_keys() {
    static const std::vector<KeyInfo> keys = [] {
        std::vector<KeyInfo> out;
        SchemaCollector collector(out);
        model::ModelConfig c;
        fields(collector, c);
        return out;
    }();
    return keys;
}

std::string_view collection_id(std::string_view pattern) {
    for (const auto& k : schema_keys()) {
        if (k.pattern == pattern) return k.id;
    }
    return {};
}

}  // namespace mss::scenario::detail
