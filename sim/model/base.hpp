// The base in theatre (DESIGN §3 "Onward transfer", base capacity): beds, when the scenario
// sets them. Sorties board no more than the free beds (beds − in theatre − inbound); when a
// bed is freed the airlift is told, since a sortie held for beds may now launch.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>

#include "sim/model/roster.hpp"

namespace mss::model {

/// Theatre capacity.
class Base {
public:
    Base(std::optional<std::int32_t> beds, const Roster& roster)
        : beds_(beds ? *beds : -1), roster_(roster) {}

    /// Called when a bed is freed (only when beds are limited).
    void on_bed_freed(std::function<void()> f) { on_freed_ = std::move(f); }
    /// How many of `seats` arrivals the free beds allow (all when beds are not limited).
    std::int64_t room(std::int64_t seats) const {
        if (beds_ < 0) return seats;
        return std::min(seats, beds_ - roster_.in_theatre_total() - roster_.inbound_total());
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
