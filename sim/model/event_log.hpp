// The model's recorded events (/events): every component reports what happened through one
// EventLog, which stamps the time and passes the record to the Observer.
#pragma once

#include <cstdint>

#include "sim/kernel/simulation.hpp"
#include "sim/model/config.hpp"
#include "sim/model/ids.hpp"
#include "sim/model/observer.hpp"

namespace mss::model {

/// Stamps and forwards events, up to the scenario's output limit.
class EventLog {
public:
    EventLog(const kernel::Simulation& sim, Observer& obs, const OutputOptions& opt)
        : sim_(sim), obs_(obs), on_(opt.events), cap_(opt.max_events_per_run) {}

    /// Records `kind` now; an invalid contingent or airport is stored as -1.
    void record(EventKind kind, ContingentId contingent, AirportId airport, std::int64_t count) {
        if (!on_) return;
        if (recorded_ >= cap_) {
            ++dropped_;
            return;
        }
        ++recorded_;
        EventRecord e;
        e.t_h = sim_.now();
        e.kind = kind;
        e.contingent = static_cast<std::int16_t>(contingent.value);
        e.airport = static_cast<std::int16_t>(airport.value);
        e.count = static_cast<std::int32_t>(count);
        obs_.on_event(e);
    }
    /// Events dropped because of the limit.
    std::int64_t dropped() const noexcept { return dropped_; }

private:
    const kernel::Simulation& sim_;
    Observer& obs_;
    bool on_;
    std::int64_t cap_;
    std::int64_t recorded_ = 0;
    std::int64_t dropped_ = 0;
};

}  // namespace mss::model
