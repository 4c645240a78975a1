// The model's recorded events (/events): every component reports what happened through one
// EventLog, which stamps the time and passes the record to the Observer. Whether events are
// kept, and how many, is the observer's business (the recorder applies the scenario's output
// options); the model reports each one when the observer wants events.
#pragma once

#include <cstdint>

#include "sim/kernel/simulation.hpp"
#include "sim/model/ids.hpp"
#include "sim/model/observer.hpp"

namespace mss::model {

/// Stamps and forwards events.
class EventLog {
public:
    EventLog(const kernel::Simulation& sim, Observer& obs)
        : sim_(sim), obs_(obs), on_(obs.wants_events()) {}

    /// Records `kind` now; an invalid contingent or airport is stored as -1.
    void record(EventKind kind, ContingentId contingent, AirportId airport, std::int64_t count) {
        if (!on_) return;
        EventRecord e;
        e.t_h = sim_.now();
        e.kind = kind;
        e.contingent = static_cast<std::int16_t>(contingent.value);
        e.airport = static_cast<std::int16_t>(airport.value);
        e.count = static_cast<std::int32_t>(count);
        obs_.on_event(e);
    }

private:
    const kernel::Simulation& sim_;
    Observer& obs_;
    bool on_;
};

}  // namespace mss::model
