// sim/scenario/schema.hpp — THE list of scenario-file keys (internal). Each config struct of
// sim/model/config.hpp has one `fields` function naming its keys in file order, with their
// constraints; the same function drives reading (Reader), printing (Writer) and the key
// inventory used by extends/--set and the docs test (SchemaCollector). Adding a key to the
// model config is one line here plus its row in docs/scenario.md.
//
// A Spec's bounds are the file's own (fractions of the KPIs, costs, the rotation policy's days,
// ...). The bounds the model needs to run, and its cross-references, are stated once in the
// model (sim/model/validate.cpp: config_issues); checks.cpp reports them at their key with
// file:line:column. A key here without bounds may still have some there.
//
// Visitor interface (V is a Reader, Writer or SchemaCollector; C is T or const T):
//   v.field(key, member, Spec)        a value, a distribution, an enum, a sub-table, an
//                                     optional, or a list (array of tables)
//   v.day_or_date(day_key, date_key, member, Spec)   a day number, or a date converted to days
//                                     since the scenario start (printed as the day number)
//   v.hours_or_date(h_key, date_key, member, Spec)   the same in hours
//   v.date(key, days_since_epoch, Spec)               a TOML date
//   v.classes(key, all_classes, classes)              operator classes of a closure
#pragma once

#include <concepts>
#include <limits>
#include <type_traits>
#include <utility>

#include "sim/model/config.hpp"

namespace mss::scenario::detail {

/// How a key is checked and printed.
struct Spec {
    bool required = false;  ///< missing is an error (else the struct's default stays)
    double min = -std::numeric_limits<double>::infinity();  ///< numbers: smallest allowed
    double max = std::numeric_limits<double>::infinity();   ///< numbers: largest allowed
    bool min_exclusive = false;  ///< numbers: `min` itself is not allowed
    const char* id = nullptr;    ///< lists: the key that identifies an entry (merge, --set)
    bool inline_list = false;    ///< lists: printed as an array of inline tables
};

inline constexpr Spec kRequired{.required = true};
inline constexpr Spec kFraction{.min = 0.0, .max = 1.0};
inline constexpr Spec kNonNegative{.min = 0.0};

/// Name tables of the enums as written in files (the model's to_string is not linked here).
template <class E>
struct EnumNames;

template <>
struct EnumNames<model::OperatorClass> {
    static constexpr std::pair<const char*, model::OperatorClass> table[] = {
        {"charter", model::OperatorClass::charter},
        {"military", model::OperatorClass::military},
        {"commercial", model::OperatorClass::commercial}};
};
template <>
struct EnumNames<model::RotationMode> {
    static constexpr std::pair<const char*, model::RotationMode> table[] = {
        {"individual", model::RotationMode::individual}, {"unit", model::RotationMode::unit}};
};
template <>
struct EnumNames<model::ClosureRule> {
    static constexpr std::pair<const char*, model::ClosureRule> table[] = {
        {"divert", model::ClosureRule::divert},
        {"hold", model::ClosureRule::hold},
        {"return", model::ClosureRule::return_origin},
        {"plan_alternate", model::ClosureRule::plan_alternate}};
};
template <>
struct EnumNames<model::TransferLinkConfig::Kind> {
    static constexpr std::pair<const char*, model::TransferLinkConfig::Kind> table[] = {
        {"helicopter", model::TransferLinkConfig::Kind::helicopter},
        {"road", model::TransferLinkConfig::Kind::road}};
};

template <class E>
concept NamedEnum = requires {
    EnumNames<E>::table;
};

/// The name of an enum value as written in files.
template <NamedEnum E>
const char* enum_name(E e) {
    for (const auto& [name, value] : EnumNames<E>::table) {
        if (value == e) return name;
    }
    return "?";
}

#define MSS_FIELDS(T)                                \
    template <class V, class C>                      \
    requires std::same_as<std::remove_const_t<C>, T> \
    void fields(V& v, C& c)

MSS_FIELDS(model::ScenarioInfo) {
    v.field("name", c.name, kRequired);
    v.field("description", c.description);
    v.date("start", c.start_days_since_epoch, kRequired);
    v.field("horizon_days", c.horizon_days, kRequired);
    v.field("seed", c.seed);
    v.field("replications", c.replications, {.min = 1, .max = 10'000'000});
}

MSS_FIELDS(model::GenerationBatch) {
    v.day_or_date("day", "date", c.day, {.required = true, .min = 0});
    v.field("count", c.count, kRequired);
}

MSS_FIELDS(model::InTheatreGroup) {
    v.field("count", c.count, kRequired);
    v.day_or_date("arrived_day", "arrived", c.arrived_day, kRequired);
    v.day_or_date("relief_ready_day", "relief_ready", c.relief_ready_day, kNonNegative);
}

MSS_FIELDS(model::PledgeRealisation) {
    v.field("probability", c.probability);
    v.field("delay_days", c.delay_days);
}

MSS_FIELDS(model::PipelineStage) {
    v.field("name", c.name, kRequired);
    v.field("probability", c.probability, kFraction);
    v.field("days", c.days);
}

MSS_FIELDS(model::RotationPolicy) {
    v.field("relief_lead_days", c.relief_lead_days, kNonNegative);
    v.field("overlap_days", c.overlap_days, kNonNegative);
    v.field("max_extension_days", c.max_extension_days, kNonNegative);
    v.field("mode", c.mode);
}

MSS_FIELDS(model::ContingentConfig) {
    v.field("name", c.name, kRequired);
    v.field("origin", c.origin, kRequired);
    v.field("billets", c.billets, kRequired);
    v.field("generation", c.generation, {.inline_list = true});
    v.field("in_theatre", c.in_theatre);
    v.field("readiness_delay_days", c.readiness_delay_days);
    v.field("pledge", c.pledge);
    v.field("pipeline", c.pipeline, {.id = "name", .inline_list = true});
    v.field("tour_days", c.tour_days);
    v.field("rotation", c.rotation);
    v.field("attrition_per_person_day", c.attrition_per_person_day);
    v.day_or_date("drawdown_day", "drawdown_date", c.drawdown_day, kNonNegative);
    v.field("replace_losses", c.replace_losses);
    v.field("per_diem_usd", c.per_diem_usd, kNonNegative);
    v.field("allowance_usd_per_month", c.allowance_usd_per_month, kNonNegative);
    v.field("payer", c.payer);
}

MSS_FIELDS(model::ClosureConfig) {
    v.hours_or_date("start_h", "start", c.start_h, kRequired);
    v.hours_or_date("end_h", "end", c.end_h, kRequired);
    v.classes("classes", c.all_classes, c.classes);
    v.field("reason", c.reason);
}

MSS_FIELDS(model::AirportConfig) {
    v.field("code", c.code, kRequired);
    v.field("name", c.name);
    v.field("mog", c.mog);
    v.field("handling_h", c.handling_h);
    v.field("closure", c.closures);
}

MSS_FIELDS(model::AircraftConfig) {
    v.field("type", c.type, kRequired);
    v.field("count", c.count);
    v.field("seats", c.seats);
    v.field("home_base", c.home_base, kRequired);
    v.field("operator_class", c.operator_class);
    v.field("cost_per_block_hour_usd", c.cost_per_block_hour_usd, kNonNegative);
    v.field("payer", c.payer);
}

MSS_FIELDS(model::AlternateConfig) {
    v.field("code", c.code, kRequired);
    v.field("block_h", c.block_h, kRequired);
    v.field("divert_h", c.divert_h);
}

MSS_FIELDS(model::RouteConfig) {
    v.field("origin", c.origin, kRequired);
    v.field("gateway", c.gateway);
    v.field("block_h", c.block_h, kRequired);
    v.field("alternate", c.alternates, {.id = "code"});
    v.field("on_closure", c.on_closure);
    v.field("max_hold_h", c.max_hold_h);
    v.field("min_load", c.min_load);
    v.field("max_wait_days", c.max_wait_days);
}

MSS_FIELDS(model::TransferLinkConfig) {
    v.field("name", c.name, kRequired);
    v.field("airport", c.airport, kRequired);
    v.field("kind", c.kind);
    v.field("vehicles", c.vehicles);
    v.field("seats_per_trip", c.seats_per_trip);
    v.field("trip_h", c.trip_h);
    v.field("cost_per_trip_usd", c.cost_per_trip_usd, kNonNegative);
}

MSS_FIELDS(model::AirliftPolicy) {
    v.field("min_load", c.min_load);
    v.field("max_wait_days", c.max_wait_days);
    v.field("max_medevac_wait_h", c.max_medevac_wait_h);
    v.field("turnaround_h", c.turnaround_h);
}

MSS_FIELDS(model::RegimeConfig) {
    v.field("name", c.name, kRequired);
    v.field("attacks_per_day", c.attacks_per_day);
    v.field("p_close_airport", c.p_close_airport);
    v.field("closure_days", c.closure_days);
    v.field("p_cut_link", c.p_cut_link);
    v.field("cut_days", c.cut_days);
    v.field("p_patrol_hit", c.p_patrol_hit);
    v.field("wounded", c.wounded);
    v.field("killed", c.killed);
}

MSS_FIELDS(model::ViolenceConfig) {
    v.field("enabled", c.enabled);
    v.field("regime", c.regimes, {.id = "name"});
    v.field("generator_per_day", c.generator_per_day);
    v.field("initial_regime", c.initial_regime);
    v.field("p_medevac", c.p_medevac);
    v.field("recovery_days", c.recovery_days);
}

MSS_FIELDS(model::ConstructionConfig) {
    v.field("name", c.name, kRequired);
    v.day_or_date("day", "date", c.day, {.required = true, .min = 0});
    v.field("lead_days", c.lead_days);
    v.field("beds", c.beds, kRequired);
    v.field("cost_usd", c.cost_usd, kNonNegative);
}

MSS_FIELDS(model::BaseConfig) {
    v.field("beds", c.beds);
    v.field("construction", c.construction, {.id = "name"});
    v.field("running_usd_per_day", c.running_usd_per_day, kNonNegative);
    v.field("payer", c.payer);
}

MSS_FIELDS(model::PayerConfig) {
    v.field("name", c.name, kRequired);
    v.field("initial_usd", c.initial_usd, kNonNegative);
}

MSS_FIELDS(model::ContributionConfig) {
    v.field("payer", c.payer, kRequired);
    v.day_or_date("day", "date", c.day, {.required = true, .min = 0});
    v.field("amount_usd", c.amount_usd, {.required = true, .min = 0});
    v.field("probability", c.probability, kFraction);
    v.field("delay_days", c.delay_days);
    v.field("note", c.note);
}

MSS_FIELDS(model::FreezeConfig) {
    v.field("payer", c.payer, kRequired);
    v.day_or_date("start_day", "start", c.start_day, {.required = true, .min = 0});
    v.day_or_date("end_day", "end", c.end_day, kRequired);
    v.field("amount_usd", c.amount_usd, {.required = true, .min = 0});
    v.field("note", c.note);
}

MSS_FIELDS(model::FundingConfig) {
    v.field("payer", c.payers, {.id = "name"});
    v.field("contribution", c.contributions, {.inline_list = true});
    v.field("freeze", c.freezes, {.inline_list = true});
    v.field("reserve_months", c.reserve_months, kNonNegative);
}

MSS_FIELDS(model::KpiConfig) {
    v.field("ioc_frac", c.ioc_frac, kFraction);
    v.field("foc_frac", c.foc_frac, kFraction);
    v.field("floor_frac", c.floor_frac, kFraction);
    v.day_or_date("binding_from_day", "binding_from_date", c.binding_from_day, kNonNegative);
    v.day_or_date("binding_to_day", "binding_to_date", c.binding_to_day, kNonNegative);
}

MSS_FIELDS(model::OutputOptions) {
    v.field("events", c.events);
    v.field("max_events_per_run", c.max_events_per_run, kNonNegative);
}

MSS_FIELDS(model::ModelConfig) {
    v.field("main_gateway", c.main_gateway);
    v.field("scenario", c.scenario, kRequired);
    v.field("contingent", c.contingents, {.required = true, .id = "name"});
    v.field("airport", c.airports, {.required = true, .id = "code"});
    v.field("aircraft", c.aircraft, {.id = "type"});
    v.field("route", c.routes, {.required = true, .id = "origin"});
    v.field("link", c.links, {.id = "name"});
    v.field("airlift", c.airlift);
    v.field("violence", c.violence);
    v.field("base", c.base);
    v.field("funding", c.funding);
    v.field("kpis", c.kpis);
    v.field("output", c.output);
}

#undef MSS_FIELDS

/// A visitor type used only to ask whether a `fields` function exists for a type.
struct ProbeVisitor {};

/// True for the config structs that have a `fields` function (sub-tables in files).
template <class T>
concept Struct = requires(ProbeVisitor& v, T& t) {
    fields(v, t);
};

}  // namespace mss::scenario::detail
