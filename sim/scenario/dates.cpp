// sim/scenario/dates.cpp — the Reader's date keys (dates.hpp): the scenario start, and days or
// hours since it given either as numbers or as dates.
#include "sim/scenario/dates.hpp"

#include "sim/scenario/reader.hpp"

namespace mss::scenario::detail {

std::optional<SinceStart> Reader::since_start(const toml::node& n, const std::string& path,
                                              bool allow_time) {
    const char* expected = allow_time ? "expected a date such as 2024-11-11 (or a date-time such "
                                        "as 2024-11-11T14:00:00Z), found "
                                      : "expected a date such as 2024-06-25, found ";
    std::int64_t days = 0;
    double seconds = 0;
    if (const auto* d = n.as_date()) {
        const auto& v = d->get();
        days = days_from_civil(v.year, v.month, v.day);
    } else if (const auto* dt = n.as_date_time(); dt && allow_time) {
        const auto& v = dt->get();
        seconds = v.time.hour * 3600.0 + v.time.minute * 60.0 + v.time.second +
                  v.time.nanosecond * 1e-9 - (v.offset ? v.offset->minutes * 60.0 : 0.0);
        days = days_from_civil(v.date.year, v.date.month, v.date.day);
    } else {
        std::string extra;
        if (n.is_string()) extra = " (write dates without quotes)";
        if (n.is_date_time()) extra = " (give the date alone: days start at 00:00 UTC)";
        error(n.source(), path, expected + describe_node(n) + extra);
        return std::nullopt;
    }
    if (!start_days_) {  // the start is missing or bad: already reported
        locs_.unread(path);
        return std::nullopt;
    }
    return SinceStart{days - *start_days_, seconds};
}

void Reader::date(std::string_view key, std::int32_t& days, const Spec& spec) {
    std::string path;
    const toml::node* n = lookup(key, spec, path, "a date such as 2024-06-01");
    if (!n) return;
    const auto* d = n->as_date();
    if (!d) {
        std::string extra;
        if (n->is_string()) extra = " (write dates without quotes)";
        if (n->is_date_time()) extra = " (give the date alone: the scenario starts at 00:00 UTC)";
        error(n->source(), path,
              "expected a date such as 2024-06-01, found " + describe_node(*n) + extra);
        return;
    }
    const auto& v = d->get();
    const std::int64_t value = days_from_civil(v.year, v.month, v.day);
    days = static_cast<std::int32_t>(value);
    start_days_ = value;
}

void Reader::day_or_date(std::string_view day_key, std::string_view date_key, double& x,
                         const Spec& spec) {
    std::optional<double> value;
    Spec optional_spec = spec;
    optional_spec.required = false;
    day_or_date(day_key, date_key, value, optional_spec);
    if (value) {
        x = *value;
    } else if (spec.required && !scope_->table->contains(day_key) &&
               !scope_->table->contains(date_key)) {
        diags_.error(locs_.at(join_path(scope_->path, day_key),
                              "missing required key '" + std::string(day_key) +
                                  "' (a day number since the start) or '" + std::string(date_key) +
                                  "' (a date)"));
    }
}

void Reader::day_or_date(std::string_view day_key, std::string_view date_key,
                         std::optional<double>& x, const Spec& spec) {
    std::string day_path, date_path;
    const toml::node* dn = lookup(day_key, Spec{}, day_path, "");
    const toml::node* tn = lookup(date_key, Spec{}, date_path, "");
    if (dn && tn) {
        error(tn->source(), date_path,
              "give '" + std::string(day_key) + "' or '" + std::string(date_key) + "', not both");
        return;
    }
    if (dn) {
        double v = 0;
        if (convert(*dn, day_path, v, spec)) x = v;
    } else if (tn) {
        locs_.alias(day_path, date_path);
        const auto since = since_start(*tn, date_path, false);
        if (!since) return;
        const double days = since->in_days();
        if (days < spec.min) {
            error(tn->source(), date_path,
                  "expected a date on or after the scenario start (" +
                      civil_from_days(*start_days_) + "), found " + describe_node(*tn));
            return;
        }
        x = days;
    }
}

void Reader::hours_or_date(std::string_view h_key, std::string_view date_key, double& x,
                           const Spec& spec) {
    std::string h_path, date_path;
    const toml::node* hn = lookup(h_key, Spec{}, h_path, "");
    const toml::node* tn = lookup(date_key, Spec{}, date_path, "");
    if (hn && tn) {
        error(tn->source(), date_path,
              "give '" + std::string(h_key) + "' or '" + std::string(date_key) + "', not both");
        return;
    }
    if (hn) {
        convert(*hn, h_path, x, Spec{});
    } else if (tn) {
        locs_.alias(h_path, date_path);
        if (const auto since = since_start(*tn, date_path, true)) x = since->in_hours();
    } else if (spec.required) {
        diags_.error(locs_.at(join_path(scope_->path, date_key),
                              "missing required key '" + std::string(date_key) + "' (a date) or '" +
                                  std::string(h_key) + "' (hours since the start)"));
    }
}

}  // namespace mss::scenario::detail
