// Labels of the observation interface: event kinds and the KPI column table.
#include "sim/model/observer.hpp"

#include <limits>

#include "sim/model/config.hpp"

namespace mss::model {

const char* to_string(EventKind k) noexcept {
    switch (k) {
        case EventKind::batch_ready:
            return "batch_ready";
        case EventKind::sortie_launched:
            return "sortie_launched";
        case EventKind::landed:
            return "landed";
        case EventKind::diverted:
            return "diverted";
        case EventKind::cancelled:
            return "cancelled";
        case EventKind::returned_home:
            return "returned_home";
        case EventKind::medevac_flight:
            return "medevac_flight";
        case EventKind::closure_start:
            return "closure_start";
        case EventKind::closure_end:
            return "closure_end";
        case EventKind::link_cut:
            return "link_cut";
        case EventKind::link_restored:
            return "link_restored";
        case EventKind::regime_change:
            return "regime_change";
        case EventKind::attack:
            return "attack";
        case EventKind::wounded:
            return "wounded";
        case EventKind::killed:
            return "killed";
        case EventKind::attrited:
            return "attrited";
        case EventKind::relief_requested:
            return "relief_requested";
        case EventKind::pledge_unrealised:
            return "pledge_unrealised";
        case EventKind::pipeline_done:
            return "pipeline_done";
        case EventKind::held_for_funds:
            return "held_for_funds";
        case EventKind::released_by_funds:
            return "released_by_funds";
        case EventKind::contribution_paid:
            return "contribution_paid";
        case EventKind::beds_added:
            return "beds_added";
    }
    return "unknown";
}

const std::vector<KpiColumn>& kpi_columns() {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    // Immutable after first use (thread-safe static initialisation).
    static const std::vector<KpiColumn> columns = {
        {"days_to_ioc", "day", "first day filled billets reach the IOC share of billets",
         &RunKpis::days_to_ioc, 0.0, kInf, true},
        {"days_to_foc", "day", "first day filled billets reach the FOC share of billets",
         &RunKpis::days_to_foc, 0.0, kInf, true},
        {"mean_filled_frac", "1", "mean share of billets filled by an incumbent on duty",
         &RunKpis::mean_filled_frac, 0.0, 1.0},
        {"mean_strength_frac", "1", "mean headcount in theatre as a share of billets",
         &RunKpis::mean_strength_frac, 0.0, kInf},
        {"shortfall_billet_days", "day", "billet-days not filled by an incumbent on duty",
         &RunKpis::shortfall_billet_days},
        {"gap_person_days", "day", "billet-days below the floor after FOC",
         &RunKpis::gap_person_days},
        {"days_below_floor", "day", "days below the floor after FOC", &RunKpis::days_below_floor},
        {"min_filled_frac", "1", "lowest share of billets filled after FOC (the deepest dip)",
         &RunKpis::min_filled_frac, 0.0, 1.0},
        {"overstay_person_days", "day", "person-days in theatre beyond tour end",
         &RunKpis::overstay_person_days},
        {"flights_flown", "1", "sorties that landed in Haiti", &RunKpis::flights_flown},
        {"flights_diverted", "1", "sorties that landed at an alternate",
         &RunKpis::flights_diverted},
        {"flights_cancelled", "1", "sorties that returned without landing in Haiti",
         &RunKpis::flights_cancelled},
        {"pax_in", "1", "personnel who reached theatre", &RunKpis::pax_in},
        {"pax_out", "1", "personnel who landed home", &RunKpis::pax_out},
        {"airport_closed_days", "day", "days the main gateway was closed to every class",
         &RunKpis::airport_closed_days},
        {"injured", "1", "personnel wounded", &RunKpis::injured},
        {"killed", "1", "personnel killed", &RunKpis::killed},
        {"medevacs", "1", "personnel evacuated by air", &RunKpis::medevacs},
        {"attrited", "1", "personnel lost to non-combat attrition", &RunKpis::attrited},
        {"cost_usd", "USD", "airlift, transfer, per-diem, allowance and base cost",
         &RunKpis::cost_usd},
        {"funds_held_person_days", "day", "person-days held for funds in the binding window",
         &RunKpis::funds_held_person_days},
        {"beds_held_person_days", "day", "person-days ready with no bed free in the binding window",
         &RunKpis::beds_held_person_days},
        {"lift_held_person_days", "day", "person-days waiting for a seat in the binding window",
         &RunKpis::lift_held_person_days},
        {"pipeline_billet_days", "day", "billet-days unfilled for want of the pledge pipeline",
         &RunKpis::pipeline_billet_days},
    };
    return columns;
}

bool may_be_nan(const KpiColumn& column) {
    return column.first_day || column.member == &RunKpis::gap_person_days ||
           column.member == &RunKpis::days_below_floor ||
           column.member == &RunKpis::min_filled_frac;
}

const std::vector<ContingentKpiColumn>& contingent_kpi_columns() {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    static const std::vector<ContingentKpiColumn> columns = {
        {"days_to_foc", "day", "first day the contingent's filled billets reach the FOC share",
         &ContingentKpis::days_to_foc, 0.0, kInf, true},
        {"mean_filled_frac", "1", "mean share of the contingent's billets filled",
         &ContingentKpis::mean_filled_frac, 0.0, 1.0},
        {"mean_strength_frac", "1", "mean headcount as a share of the contingent's billets",
         &ContingentKpis::mean_strength_frac},
        {"overstay_person_days", "day", "person-days in theatre beyond tour end",
         &ContingentKpis::overstay_person_days},
        {"pax_in", "1", "personnel who reached theatre", &ContingentKpis::pax_in},
        {"pipeline_days", "day", "first day the contingent's pledge pipeline is complete",
         &ContingentKpis::pipeline_days, 0.0, kInf, true},
    };
    return columns;
}

const std::vector<PayerKpiColumn>& payer_kpi_columns() {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    static const std::vector<PayerKpiColumn> columns = {
        {"cost_usd", "USD", "costs accrued to the payer", &PayerKpis::cost_usd},
        {"paid_usd", "USD", "contributions the payer received", &PayerKpis::paid_usd},
        {"held_person_days", "day", "person-days releases waited for the payer's funds",
         &PayerKpis::held_person_days},
        {"days_held", "day", "days ending with a release waiting for the payer's funds",
         &PayerKpis::days_held},
        {"min_balance_usd", "USD", "lowest end-of-day balance of the payer",
         &PayerKpis::min_balance_usd, -kInf, kInf},
        {"end_balance_usd", "USD", "the payer's balance at the end of the horizon",
         &PayerKpis::end_balance_usd, -kInf, kInf},
    };
    return columns;
}

static_assert(kClosureClassCount == 1 + kOperatorClassCount);

const std::vector<std::string>& closure_class_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n{"all"};
        for (int c = 0; c < kOperatorClassCount; ++c)
            n.emplace_back(to_string(static_cast<OperatorClass>(c)));
        return n;
    }();
    return names;
}

}  // namespace mss::model
