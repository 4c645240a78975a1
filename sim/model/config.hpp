// The mission model's configuration: plain structs, no TOML, no HDF5. The scenario loader
// (sim/scenario) fills them from files; tests build them in code. Units are in the names;
// times are relative to the scenario start (day 0 starts at 00:00 UTC of `start`).
// Every field has the default documented in docs/scenario.md; DESIGN §3 is the rule set.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/kernel/distribution.hpp"

namespace mss::model {

using kernel::CountSpec;
using kernel::DistributionSpec;

/// Who operates an aircraft; closures apply to a set of classes.
enum class OperatorClass : std::uint8_t { charter, military, commercial };
inline constexpr int kOperatorClassCount = 3;

/// The run's identity and extent.
struct ScenarioInfo {
    std::string name;                         ///< short id, used for default output names
    std::string description;                  ///< free text
    std::int32_t start_days_since_epoch = 0;  ///< the `start` date as days since 1970-01-01
    std::int32_t horizon_days = 730;          ///< simulated days (> 0)
    std::uint64_t seed = 1;                   ///< master seed
    std::int32_t replications = 1;            ///< default replications for `mss run`
};

/// `count` personnel ready at the contingent's origin on `day` (plus the readiness delay).
struct GenerationBatch {
    double day = 0.0;
    std::int32_t count = 0;
};

/// `count` officers of a contingent already in theatre at the scenario start, who arrived on
/// `arrived_day` (days since the start, <= 0): the observed state a forecast starts from
/// (DESIGN §10 "As of a date"). Each is the on-duty incumbent of one billet (the contingent's
/// first billets, before those of the generation batches); each tour is drawn at the start
/// from the contingent's `tour_days`, from the arrival on.
struct InTheatreGroup {
    std::int32_t count = 0;
    double arrived_day = 0.0;
    /// Their reliefs, already requested before the start, become ready at the origin on this
    /// day (>= 0); none: requested by the rotation policy as for everyone else.
    std::optional<double> relief_ready_day;
};

/// Whether a pledged contingent deploys at all, and how late: the one-stage pipeline of a
/// contingent without `pipeline` stages.
struct PledgeRealisation {
    double probability = 1.0;  ///< in [0, 1]; drawn once per replication
    DistributionSpec delay_days = DistributionSpec::constant(0.0);  ///< shifts every batch
};

/// One stage of a contingent's force-generation pipeline, from pledge to ready (DESIGN §10):
/// agreement, selection and training, equipment. Drawn once per replication, in order: the
/// contingent gets through the stage with `probability`, after `days`; the stages' days add up
/// and shift every initial batch.
struct PipelineStage {
    std::string name;
    double probability = 1.0;  ///< of getting through (1 - the probability of falling through)
    DistributionSpec days = DistributionSpec::constant(0.0);
};

enum class RotationMode : std::uint8_t {
    individual,  ///< each officer is relieved at the end of their own tour
    unit,        ///< the whole contingent is relieved together, at the end of the earliest tour
};

struct RotationPolicy {
    double relief_lead_days = 30.0;   ///< relief requested this long before tour end
    double overlap_days = 0.0;        ///< outgoing officer stays this long after relief arrives
    double max_extension_days = 0.0;  ///< longest wait for relief past tour end before leaving
                                      ///< anyway (the billet is then empty until relief comes)
    RotationMode mode = RotationMode::individual;
};

struct ContingentConfig {
    std::string name;                         ///< id, e.g. "Kenya"
    std::string origin;                       ///< airport code where its personnel board
    std::int32_t billets = 0;                 ///< authorised strength (> 0)
    std::vector<GenerationBatch> generation;  ///< initial deployment (sum <= billets)
    /// Already in theatre at the start (with the batches, at most billets in all).
    std::vector<InTheatreGroup> in_theatre;
    DistributionSpec readiness_delay_days =
        DistributionSpec::constant(0.0);  ///< per batch,
                                          ///< and per relief request
    PledgeRealisation pledge;             ///< the pipeline when `pipeline` is empty
    std::vector<PipelineStage> pipeline;  ///< stages from pledge to ready (replaces `pledge`)
    DistributionSpec tour_days = DistributionSpec::constant(365.0);
    RotationPolicy rotation;
    double attrition_per_person_day = 0.0;  ///< non-combat losses (resignation, accident)
    std::optional<double> drawdown_day;     ///< after it: no relief, leave at tour end
    /// A billet whose incumbent is killed, attrited or evacuated gets a relief (false: it stays
    /// empty; rotations still relieve those whose tours end).
    bool replace_losses = true;
    double per_diem_usd = 70.0;            ///< per person-day in theatre
    double allowance_usd_per_month = 0.0;  ///< per person-month in theatre (30.4375 days)
    std::string payer;  ///< who pays its costs (funding.payer name); empty: the first payer
};

/// A closure interval [start_h, end_h) for some operator classes.
struct ClosureConfig {
    double start_h = 0.0;
    double end_h = 0.0;
    bool all_classes = true;             ///< applies to every class
    std::vector<OperatorClass> classes;  ///< when not all_classes
    std::string reason;
};

struct AirportConfig {
    std::string code;  ///< id, e.g. "PAP"
    std::string name;
    std::int32_t mog = 2;  ///< aircraft on the ground at once (>= 1)
    DistributionSpec handling_h = DistributionSpec::constant(2.0);  ///< ground time per visit
    std::vector<ClosureConfig> closures;                            ///< scheduled closures
};

/// One aircraft type: `count` identical airframes.
struct AircraftConfig {
    std::string type;  ///< id, e.g. "B787-charter"
    std::int32_t count = 1;
    std::int32_t seats = 200;  ///< > 0
    std::string home_base;     ///< origin airport code it flies from
    OperatorClass operator_class = OperatorClass::charter;
    double cost_per_block_hour_usd = 0.0;
    std::string payer;  ///< who pays its block hours; empty: the first payer
};

enum class ClosureRule : std::uint8_t {
    divert,          ///< land at the first open alternate
    hold,            ///< hold up to max_hold_h for the gateway to reopen, then divert
    return_origin,   ///< go back (counted cancelled)
    plan_alternate,  ///< while the gateway is closed, plan sorties to the alternate from the start
};

struct AlternateConfig {
    std::string code;          ///< alternate airport code (not the gateway)
    DistributionSpec block_h;  ///< origin -> alternate
    DistributionSpec divert_h = DistributionSpec::constant(1.0);  ///< gateway area -> alternate
};

/// Flights origin -> gateway and back.
struct RouteConfig {
    std::string origin;
    std::string gateway;
    DistributionSpec block_h;                 ///< origin -> gateway (and back)
    std::vector<AlternateConfig> alternates;  ///< in order of preference
    ClosureRule on_closure = ClosureRule::divert;
    double max_hold_h = 2.0;
    /// The launch thresholds of this route's aircraft, when not the airlift policy's.
    std::optional<std::int32_t> min_load;
    std::optional<double> max_wait_days;
};

/// Helicopter shuttle or road convoy between an alternate airport and theatre.
struct TransferLinkConfig {
    std::string name;     ///< id, e.g. "CAP-shuttle"
    std::string airport;  ///< the alternate it serves
    enum class Kind : std::uint8_t { helicopter, road } kind = Kind::helicopter;
    std::int32_t vehicles = 1;
    std::int32_t seats_per_trip = 10;
    DistributionSpec trip_h = DistributionSpec::constant(1.0);  ///< one way
    double cost_per_trip_usd = 0.0;
};

/// When sorties launch (DESIGN §3 "Airlift").
struct AirliftPolicy {
    std::int32_t min_load = 100;       ///< ready personnel that justify a sortie
    double max_wait_days = 14.0;       ///< or the oldest ready has waited this long
    double max_medevac_wait_h = 48.0;  ///< else a dedicated medevac flight
    double turnaround_h = 12.0;        ///< at home base between sorties
};

/// One violence regime: attack rate and what an attack does.
struct RegimeConfig {
    std::string name;
    double attacks_per_day = 0.0;
    double p_close_airport = 0.0;  ///< per attack
    DistributionSpec closure_days = DistributionSpec::constant(7.0);
    double p_cut_link = 0.0;  ///< per attack (one link at random)
    DistributionSpec cut_days = DistributionSpec::constant(2.0);
    double p_patrol_hit = 0.0;  ///< per attack
    CountSpec wounded = CountSpec::constant(1);
    CountSpec killed = CountSpec::constant(0);
};

struct ViolenceConfig {
    bool enabled = false;
    std::vector<RegimeConfig> regimes;
    std::vector<std::vector<double>> generator_per_day;  ///< CTMC generator, rows sum to 0
    std::string initial_regime;  ///< empty: drawn from the stationary distribution
    double p_medevac = 0.3;      ///< a wounded officer is evacuated (else recovers in theatre)
    DistributionSpec recovery_days = DistributionSpec::constant(14.0);
};

/// Beds built at the base: `beds` more from `day` + the lead time on; `cost_usd` accrues to the
/// base's payer on `day` (the contract is signed).
struct ConstructionConfig {
    std::string name;
    double day = 0.0;
    DistributionSpec lead_days = DistributionSpec::constant(0.0);
    std::int32_t beds = 0;
    double cost_usd = 0.0;
};

struct BaseConfig {
    std::optional<std::int32_t> beds;  ///< theatre capacity; arrivals beyond it are not launched
    std::vector<ConstructionConfig> construction;  ///< beds added over time (needs `beds`)
    double running_usd_per_day = 0.0;              ///< the base's running cost
    std::string payer;                             ///< pays construction and running costs
};

/// Who pays (DESIGN §10): the trust fund, or a bilateral payer of named contingents.
struct PayerConfig {
    std::string name;
    double initial_usd = 0.0;  ///< balance at the start
};

/// A dated contribution to a payer: pledged on `day`, paid with `probability` after a delay.
struct ContributionConfig {
    std::string payer;
    double day = 0.0;
    double amount_usd = 0.0;
    double probability = 1.0;  ///< drawn once per replication
    DistributionSpec delay_days = DistributionSpec::constant(0.0);
    std::string note;
};

/// `amount_usd` of a payer's balance cannot be spent on [start_day, end_day).
struct FreezeConfig {
    std::string payer;
    double start_day = 0.0;
    double end_day = 0.0;
    double amount_usd = 0.0;
    std::string note;
};

/// Money (DESIGN §10). Modelled when there is at least one payer: then a batch or a relief is
/// released (becomes ready) only while its payer's unfrozen balance is at least
/// `reserve_months` times the payer's monthly run rate including the people released.
struct FundingConfig {
    std::vector<PayerConfig> payers;
    std::vector<ContributionConfig> contributions;
    std::vector<FreezeConfig> freezes;
    double reserve_months = 1.0;
};

struct KpiConfig {
    double ioc_frac = 0.5;    ///< initial operating capability: share of billets in theatre
    double foc_frac = 0.95;   ///< full operating capability
    double floor_frac = 0.9;  ///< on-duty floor for the gap KPI
    /// The window [from, to) of days over which the binding constraint is measured (DESIGN
    /// §10 "What binds"); `to` absent: the horizon.
    double binding_from_day = 0.0;
    std::optional<double> binding_to_day;
};

/// `frac` x `billets` as a threshold on counts of personnel: the product, snapped to the
/// nearest whole number when it is within rounding error of one. In binary floating point
/// 0.55 x 100 is 55.000000000000007, which 55 officers would not reach.
double personnel_threshold(double frac, double billets);

/// What the results file keeps of a run's events. The model never reads it: the scenario file
/// carries it to the recorder (sim/experiment, sim/output), which keeps the first
/// max_events_per_run events of each run and counts the rest.
struct OutputOptions {
    bool events = true;                        ///< record /events
    std::int64_t max_events_per_run = 100000;  ///< later events are dropped (counted)
};

/// Everything one replication needs.
struct ModelConfig {
    ScenarioInfo scenario;
    std::string main_gateway;  ///< the theatre's airport (e.g. "PAP")
    std::vector<ContingentConfig> contingents;
    std::vector<AirportConfig> airports;
    std::vector<AircraftConfig> aircraft;
    std::vector<RouteConfig> routes;
    std::vector<TransferLinkConfig> links;
    AirliftPolicy airlift;
    ViolenceConfig violence;
    BaseConfig base;
    FundingConfig funding;
    KpiConfig kpis;
    OutputOptions output;  ///< for the recorder; not read by the model
};

/// Name of an operator class as written in scenario files.
const char* to_string(OperatorClass c) noexcept;

}  // namespace mss::model
