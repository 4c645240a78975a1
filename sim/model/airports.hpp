// Airports (DESIGN §3 "Airports"): parking (MOG) as a kernel resource, ground handling, and
// closures by operator class. Closures nest: an airport is closed to a class while any closure
// applying to it is in force. Aircraft waiting for a closure to end sleep on the airport; when
// a closure starts or ends the airport wakes them and then tells the mission (which pokes the
// idle aircraft and the transfer links). It also keeps the open and closed time that the
// snapshots and the airport_closed_days KPI report.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/kernel/distribution.hpp"
#include "sim/kernel/random.hpp"
#include "sim/kernel/resource.hpp"
#include "sim/kernel/simulation.hpp"
#include "sim/model/config.hpp"
#include "sim/model/event_log.hpp"
#include "sim/model/ids.hpp"
#include "sim/model/sleeper.hpp"

namespace mss::model {

class Agenda;

/// A set of operator classes, one bit per class.
using ClassMask = std::uint8_t;
inline constexpr ClassMask kAllClasses = 0x7;
/// The bit of class `c`.
constexpr ClassMask class_bit(OperatorClass c) noexcept {
    return static_cast<ClassMask>(1u << static_cast<int>(c));
}

/// Every airport of the scenario, in file order.
class Airports {
public:
    /// Builds the airports of `cfg` (a MOG resource and a handling stream each).
    Airports(const ModelConfig& cfg, kernel::Simulation& sim, kernel::StreamFactory& streams,
             EventLog& log);

    std::size_t size() const noexcept { return airports_.size(); }
    IdRange<AirportId> ids() const noexcept { return airports_.ids(); }
    /// The airport with `code` (which must exist: the configuration is validated).
    AirportId id(const std::string& code) const;
    /// The main gateway into theatre.
    AirportId gateway() const noexcept { return gateway_; }

    /// Pushes the scheduled closures of `cfg` onto the personnel clock.
    void schedule_closures(const ModelConfig& cfg, Agenda& agenda) const;
    /// Called after every closure change, once the airport's own waiters are woken.
    void on_change(std::function<void()> f) { on_change_ = std::move(f); }

    /// True while some closure applies to class `c`.
    bool closed(AirportId a, OperatorClass c) const {
        return airports_[a].closed[static_cast<int>(c)] > 0;
    }
    /// True while some closure applies to some class.
    bool closed_to_any(AirportId a) const;
    /// True when some class of `classes` may use the airport.
    bool open_to_some(AirportId a, ClassMask classes) const;
    /// Starts (`delta` +1) or ends (-1) a closure for `mask`; records it and wakes waiters.
    void change_closure(AirportId a, ClassMask mask, int delta);

    /// The parking slots (MOG).
    kernel::Resource& mog(AirportId a) { return *airports_[a].mog; }
    /// A ground-handling time (hours, never negative), drawn on the airport's stream.
    double handling_h(AirportId a);
    /// Lets `s` be woken at the airport's next closure change.
    void wait_for_change(AirportId a, Sleeper& s) { airports_[a].waiters.push_back(&s); }

    /// Marks that a transfer link serves the airport (it is a usable alternate).
    void add_link(AirportId a) { airports_[a].has_link = true; }
    bool has_link(AirportId a) const { return airports_[a].has_link; }
    /// Records that aircraft of class `c` are based here.
    void base_class(AirportId a, OperatorClass c) { airports_[a].origin_classes |= class_bit(c); }
    /// The classes of the aircraft based here.
    ClassMask based_classes(AirportId a) const { return airports_[a].origin_classes; }

    /// The share of the day ending at `end_h` the airport was open to every class; writes to
    /// `closed[k]` the share it was closed to closure class k (closure_class_names() order:
    /// every class at once, then each operator class); starts the next day's count.
    float take_day(AirportId a, double end_h, float* closed);
    /// Days the airport was closed to every class, up to `t_h`.
    double closed_all_days(AirportId a, double t_h);

private:
    struct Airport {
        std::string code;
        std::unique_ptr<kernel::Resource> mog;
        std::optional<kernel::Distribution> handling;
        std::optional<kernel::RandomStream> handling_stream;
        int closed[kOperatorClassCount] = {0, 0, 0};  ///< closures applying, per class
        double last_change_h = 0.0;
        double open_today_h = 0.0;                       ///< open to every class, this day
        double closed_today_h[kClosureClassCount] = {};  ///< closed per closure class, today
        double closed_all_total_h = 0.0;                 ///< closed to every class, whole run
        std::vector<Sleeper*> waiters;                   ///< woken when a closure starts or ends
        bool has_link = false;         ///< a transfer link serves it (usable alternate)
        ClassMask origin_classes = 0;  ///< classes of the aircraft based here
    };
    void account(Airport& ap, double t);

    kernel::Simulation& sim_;
    EventLog& log_;
    Table<AirportId, Airport> airports_;
    AirportId gateway_;
    std::function<void()> on_change_;
};

}  // namespace mss::model
