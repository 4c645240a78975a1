// What a replication reports, and to whom: the narrow observation interface between the
// mission model and whatever records it (the HDF5 recorder in sim/output, an in-memory
// recorder in tests). The model never sees HDF5.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace mss::model {

/// End-of-day state (after every event with t < 24 (day + 1)), per contingent and airport.
struct DaySnapshot {
    std::int32_t day = 0;
    std::vector<float> strength;           ///< [contingent] in theatre (on duty or injured)
    std::vector<float> on_duty;            ///< [contingent] in theatre and not injured
    std::vector<float> filled;             ///< [contingent] billets whose incumbent is on duty
    std::vector<float> waiting_at_origin;  ///< [contingent] ready but not launched
    std::vector<float> in_transit;         ///< [contingent] airborne, at an alternate, on a link
    std::vector<float> airport_open;       ///< [airport] fraction of the day open to all classes
    /// [airport][closure class] fraction of the day closed to the class, classes in
    /// closure_class_names() order (`all` first: closed to every class at once).
    std::vector<float> airport_closed;
    std::int8_t regime = -1;           ///< violence regime at the end of the day, -1 if off
    std::vector<float> payer_balance;  ///< [payer] balance at the end of the day, USD
};

/// Kinds of recorded events. Stored as small integers with these labels (to_string).
enum class EventKind : std::uint8_t {
    batch_ready,      ///< count personnel ready at origin
    sortie_launched,  ///< inbound sortie took off (count = passengers)
    landed,           ///< landed in Haiti at `airport` (count = passengers)
    diverted,         ///< landed at an alternate instead of the gateway
    cancelled,        ///< returned to origin without landing in Haiti
    returned_home,    ///< outbound leg landed at origin (count = passengers)
    medevac_flight,   ///< dedicated medevac flight launched
    closure_start,    ///< airport closed (scheduled or by attack)
    closure_end,
    link_cut,  ///< a transfer link was cut (airport = its alternate)
    link_restored,
    regime_change,  ///< count = new regime index
    attack,
    wounded,   ///< count wounded
    killed,    ///< count killed
    attrited,  ///< non-combat loss
    relief_requested,
    pledge_unrealised,  ///< a contingent that never deploys in this replication
    pipeline_done,      ///< a contingent's pledge pipeline is complete (count = billets)
    held_for_funds,     ///< a batch or relief waits for its payer's funds (count = people)
    released_by_funds,  ///< people held for funds are released (count)
    contribution_paid,  ///< a contribution reached its payer (count = USD)
    beds_added,         ///< construction finished (count = beds)
};
inline constexpr int kEventKindCount = 23;
const char* to_string(EventKind k) noexcept;

/// One recorded event. `contingent` and `airport` are indices, -1 when not applicable.
struct EventRecord {
    double t_h = 0.0;
    EventKind kind = EventKind::attack;
    std::int16_t contingent = -1;
    std::int16_t airport = -1;
    std::int32_t count = 0;
};

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// A replication's KPIs (DESIGN §3 "Snapshots and KPIs"); NaN where the rule says so.
struct RunKpis {
    double days_to_ioc = kNaN;
    double days_to_foc = kNaN;
    double mean_filled_frac = kNaN;
    double mean_strength_frac = kNaN;
    double shortfall_billet_days = kNaN;
    double gap_person_days = kNaN;
    double days_below_floor = kNaN;
    double min_filled_frac = kNaN;
    double overstay_person_days = 0.0;
    double flights_flown = 0.0;
    double flights_diverted = 0.0;
    double flights_cancelled = 0.0;
    double pax_in = 0.0;
    double pax_out = 0.0;
    double airport_closed_days = 0.0;
    double injured = 0.0;
    double killed = 0.0;
    double medevacs = 0.0;
    double attrited = 0.0;
    double cost_usd = 0.0;
    // What binds (DESIGN §10), summed over the days of the binding window (kpis.binding_*).
    double funds_held_person_days = 0.0;
    double beds_held_person_days = 0.0;
    double lift_held_person_days = 0.0;
    double pipeline_billet_days = 0.0;
    std::uint64_t events_handled = 0;  ///< kernel calendar entries (diagnostic)
};

/// What a KPI is, for tables, statistics and files: its name, its units (exactly `day`, `1`
/// or `USD`, DESIGN §5: counts of people are `1` with the noun in `long_name`), a long name,
/// the range its values can take (an interval never leaves it, DESIGN §3), and whether it is
/// a first day that some runs never reach (NaN = never, beyond the horizon).
template <class Kpis>
struct KpiColumnOf {
    const char* name;
    const char* unit;
    const char* long_name;
    double Kpis::*member;
    double lower = 0.0;                                      ///< smallest possible value
    double upper = std::numeric_limits<double>::infinity();  ///< largest possible value
    bool first_day = false;  ///< a day index some runs never reach (NaN = never)
};
using KpiColumn = KpiColumnOf<RunKpis>;
/// The run KPI columns in order (the order of the results file's `run kpis` and of every table).
const std::vector<KpiColumn>& kpi_columns();
/// Whether a run KPI can be NaN: the first days some runs never reach (`first_day`), and the
/// KPIs measured after FOC (gap_person_days, days_below_floor, min_filled_frac), NaN when FOC is
/// never reached (sim/model/kpis.cpp). A mean of such a KPI is undefined when some run never
/// reaches it, so `mss optimize` refuses it as an objective or under a mean constraint.
bool may_be_nan(const KpiColumn& column);

/// A contingent's KPIs in a run (DESIGN §3: the [run, contingent] table).
struct ContingentKpis {
    double days_to_foc = kNaN;
    double mean_filled_frac = kNaN;
    double mean_strength_frac = kNaN;
    double overstay_person_days = 0.0;
    double pax_in = 0.0;
    double pipeline_days = kNaN;  ///< when its pledge pipeline completed; NaN: fell through
};
using ContingentKpiColumn = KpiColumnOf<ContingentKpis>;
/// The per-contingent KPI columns in order (the order of the results file's contingent_<kpi>
/// variables).
const std::vector<ContingentKpiColumn>& contingent_kpi_columns();

/// A payer's ledger over a run (DESIGN §10 "Fund": the [run, payer] table). Costs are charged
/// at the end of each day, for the people in theatre then (model::Funds).
struct PayerKpis {
    double cost_usd = 0.0;          ///< costs accrued to the payer
    double paid_usd = 0.0;          ///< contributions it received
    double held_person_days = 0.0;  ///< person-days its releases waited for its funds
    double days_held = 0.0;         ///< days ending with someone waiting for its funds
    double min_balance_usd = kNaN;  ///< lowest end-of-day balance (or the opening one)
    double end_balance_usd = kNaN;  ///< balance at the end of the horizon
};
using PayerKpiColumn = KpiColumnOf<PayerKpis>;
/// The per-payer KPI columns in order (the order of the results file's payer_<kpi> variables).
const std::vector<PayerKpiColumn>& payer_kpi_columns();

/// The closure classes of the `airport_closed` series, in order: `all` (closed to every
/// operator class at once), then each operator class as scenario files name it.
const std::vector<std::string>& closure_class_names();
/// Number of closure classes (1 + the operator classes).
inline constexpr int kClosureClassCount = 4;

/// Receives what a replication reports, in time order.
class Observer {
public:
    virtual ~Observer() = default;
    /// Once per day, after the day's last event.
    virtual void on_day(const DaySnapshot& s) = 0;
    /// Whether the model should report events (asked once, when a replication starts).
    virtual bool wants_events() const { return true; }
    /// Each event, in time order (only when wants_events()).
    virtual void on_event(const EventRecord& e) = 0;
    /// Once, at the end.
    virtual void on_finish(const RunKpis& kpis, const std::vector<ContingentKpis>& per_contingent,
                           const std::vector<PayerKpis>& per_payer) = 0;
};

}  // namespace mss::model
