// Labels of the observation interface: event kinds and the KPI column table.
#include "sim/model/observer.hpp"

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
    }
    return "unknown";
}

const std::vector<KpiColumn>& kpi_columns() {
    // Immutable after first use (thread-safe static initialisation).
    static const std::vector<KpiColumn> columns = {
        {"days_to_ioc", "day", &RunKpis::days_to_ioc},
        {"days_to_foc", "day", &RunKpis::days_to_foc},
        {"mean_strength_frac", "1", &RunKpis::mean_strength_frac},
        {"gap_person_days", "person-day", &RunKpis::gap_person_days},
        {"overstay_person_days", "person-day", &RunKpis::overstay_person_days},
        {"flights_flown", "sortie", &RunKpis::flights_flown},
        {"flights_diverted", "sortie", &RunKpis::flights_diverted},
        {"flights_cancelled", "sortie", &RunKpis::flights_cancelled},
        {"pax_in", "person", &RunKpis::pax_in},
        {"pax_out", "person", &RunKpis::pax_out},
        {"airport_closed_days", "day", &RunKpis::airport_closed_days},
        {"injured", "person", &RunKpis::injured},
        {"killed", "person", &RunKpis::killed},
        {"medevacs", "person", &RunKpis::medevacs},
        {"attrited", "person", &RunKpis::attrited},
        {"cost_usd", "USD", &RunKpis::cost_usd},
    };
    return columns;
}

}  // namespace mss::model
