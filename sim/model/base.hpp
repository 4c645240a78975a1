// The base in theatre (DESIGN §3 "Onward transfer", base capacity; §10 "Beds"): beds, when the
// scenario sets them, and the construction that adds beds over time. Sorties board no more
// than the free beds (beds − in theatre − inbound); when a bed is freed or built the airlift is
// told, since a sortie held for beds may now launch.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>

#include "sim/kernel/distribution.hpp"
#include "sim/kernel/random.hpp"
#include "sim/model/agenda.hpp"
#include "sim/model/config.hpp"
#include "sim/model/event_log.hpp"
#include "sim/model/roster.hpp"

namespace mss::model {

/// Theatre capacity.
class Base {
public:
    Base(std::optional<std::int32_t> beds, const Roster& roster)
        : beds_(beds ? *beds : -1), roster_(roster) {}

    /// Draws each construction project's lead time (stream `base/construction`, in file order)
    /// and puts its completion on the personnel clock.
    void schedule(const BaseConfig& cfg, kernel::StreamFactory& streams, Agenda& agenda) {
        if (cfg.construction.empty()) return;
        kernel::RandomStream s = streams.stream("base/construction");
        for (std::size_t i = 0; i < cfg.construction.size(); ++i) {
            const ConstructionConfig& c = cfg.construction[i];
            const double lead = std::max(0.0, kernel::Distribution(c.lead_days).sample(s));
            agenda.push(kernel::days(c.day + lead), Action::beds_ready,
                        static_cast<std::int32_t>(i));
        }
    }
    /// Construction finished: `beds` more (only when beds are limited).
    void add_beds(std::int32_t beds, EventLog& log) {
        if (beds_ < 0) return;
        beds_ += beds;
        log.record(EventKind::beds_added, ContingentId(), AirportId(), beds);
        if (on_freed_) on_freed_();
    }

    /// Called when a bed is freed or built (only when beds are limited).
    void on_bed_freed(std::function<void()> f) { on_freed_ = std::move(f); }
    /// How many of `seats` arrivals the free beds allow (all when beds are not limited).
    std::int64_t room(std::int64_t seats) const {
        if (beds_ < 0) return seats;
        return std::min(seats, free_beds());
    }
    /// True when beds are limited.
    bool limited() const noexcept { return beds_ >= 0; }
    /// Beds neither occupied nor promised to someone inbound (may be negative after a cut).
    std::int64_t free_beds() const {
        return beds_ - roster_.in_theatre_total() - roster_.inbound_total();
    }
    /// Someone left theatre for good.
    void bed_freed() const {
        if (beds_ >= 0 && on_freed_) on_freed_();
    }

private:
    std::int64_t beds_;
    const Roster& roster_;
    std::function<void()> on_freed_;
};

}  // namespace mss::model
