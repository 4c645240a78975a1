// A process of the model (an airframe's sortie loop, a transfer vehicle) that waits for a
// condition sleeps on a Sleeper: the component that changes the condition wakes it, or the
// nap's timeout does. Waking a process that is not asleep does nothing.
#pragma once

#include <algorithm>
#include <limits>

#include "sim/kernel/event.hpp"
#include "sim/kernel/simulation.hpp"

namespace mss::model {

/// A process waiting for a condition: woken by `wake`, or after a timeout.
struct Sleeper {
    explicit Sleeper(kernel::Simulation& sim) : ev(sim) {}
    kernel::Event<> ev;
    bool asleep = false;  ///< set by nap; the process clears it when it runs again
};

/// Sleeps until woken or for `dt` hours (+infinity: until woken).
inline kernel::detail::ConditionAwaiter nap(kernel::Simulation& sim, Sleeper& s, double dt) {
    s.ev = kernel::Event<>(sim);
    s.asleep = true;
    if (dt < std::numeric_limits<double>::infinity())
        return kernel::any_of(s.ev, kernel::timeout_event(sim, std::max(0.0, dt)));
    return kernel::any_of(s.ev);
}

/// Wakes `s` if it sleeps and has not been woken yet.
inline void wake(Sleeper& s) {
    if (s.asleep && !s.ev.triggered()) s.ev.succeed();
}

}  // namespace mss::model
