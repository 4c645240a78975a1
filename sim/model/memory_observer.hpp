// An Observer that keeps everything in memory: what tests, benchmarks and small tools use
// instead of the HDF5 recorder (sim/output).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/model/observer.hpp"

namespace mss::model {

/// Stores every snapshot, event and the final KPIs of one replication.
///
/// Use one per replication (or call clear() between runs). Not thread-safe: one run owns it.
class MemoryObserver final : public Observer {
public:
    /// When false, events are counted but not stored (benchmarks).
    explicit MemoryObserver(bool keep_events = true) : keep_events_(keep_events) {}

    void on_day(const DaySnapshot& s) override { days.push_back(s); }
    void on_event(const EventRecord& e) override {
        ++event_count;
        if (keep_events_) events.push_back(e);
    }
    void on_finish(const RunKpis& k, const std::vector<ContingentKpis>& per_contingent,
                   const std::vector<PayerKpis>& per_payer) override {
        kpis = k;
        contingent_kpis = per_contingent;
        payer_kpis = per_payer;
        finished = true;
    }
    /// Forgets everything (to reuse the observer for another replication).
    void clear();

    /// The events of one kind, in time order.
    std::vector<EventRecord> events_of(EventKind kind) const;

    std::vector<DaySnapshot> days;                ///< one per simulated day, in order
    std::vector<EventRecord> events;              ///< every recorded event, in time order
    std::uint64_t event_count = 0;                ///< events received (stored or not)
    RunKpis kpis;                                 ///< set by on_finish
    std::vector<ContingentKpis> contingent_kpis;  ///< set by on_finish
    std::vector<PayerKpis> payer_kpis;            ///< set by on_finish
    bool finished = false;                        ///< on_finish was called

private:
    bool keep_events_;
};

}  // namespace mss::model
