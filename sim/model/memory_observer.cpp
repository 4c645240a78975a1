// The in-memory observer.
#include "sim/model/memory_observer.hpp"

namespace mss::model {

void MemoryObserver::clear() {
    days.clear();
    events.clear();
    event_count = 0;
    kpis = RunKpis{};
    contingent_kpis.clear();
    payer_kpis.clear();
    finished = false;
}

std::vector<EventRecord> MemoryObserver::events_of(EventKind kind) const {
    std::vector<EventRecord> out;
    for (const EventRecord& e : events)
        if (e.kind == kind) out.push_back(e);
    return out;
}

}  // namespace mss::model
