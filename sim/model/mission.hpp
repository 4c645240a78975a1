// The mission model's entry point: one replication of a ModelConfig (DESIGN §3).
//
//     MemoryObserver obs;
//     RunKpis k = run_replication(baseline_config(), seed, replication, obs);
//
// A Mission wires the components of docs/model.md's map and runs the day loop; it holds no
// rule of its own. It owns its kernel Simulation, its personnel records (Roster), the personnel
// clock (Agenda) and the components:
//   Airports   parking, handling, closures by operator class         airports.hpp
//   Queues     ready at the origins, waiting to fly home              queues.hpp
//   Base       beds in theatre, construction                          base.hpp
//   Funds      payers' balances, contributions, freezes, costs        funds.hpp
//   Personnel  generation, readiness, rotation, casualties, drawdown  personnel.hpp
//   Airlift    routes, airframes, the launch rule, the sortie loop    airlift.hpp
//   Transfer   links between alternates and theatre                   transfer.hpp
//   Violence   regimes and attacks                                    violence.hpp
// and computes the KPIs (kpis.hpp) from the daily series and the components' totals. Nothing is
// global, so replications run side by side on threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/kernel/random.hpp"
#include "sim/kernel/simulation.hpp"
#include "sim/model/agenda.hpp"
#include "sim/model/airlift.hpp"
#include "sim/model/airports.hpp"
#include "sim/model/base.hpp"
#include "sim/model/config.hpp"
#include "sim/model/event_log.hpp"
#include "sim/model/funds.hpp"
#include "sim/model/kpis.hpp"
#include "sim/model/observer.hpp"
#include "sim/model/personnel.hpp"
#include "sim/model/queues.hpp"
#include "sim/model/roster.hpp"
#include "sim/model/transfer.hpp"
#include "sim/model/validate.hpp"
#include "sim/model/violence.hpp"

namespace mss::model {

/// Thrown out of a run whose stop flag became non-zero (Mission::set_stop): the run is
/// abandoned part way, and what its observer received is not a run's results.
class RunStopped : public std::runtime_error {
public:
    RunStopped() : std::runtime_error("the run was stopped (a signal)") {}
};

/// Runs one replication of `cfg`: builds the mission, runs horizon_days days (reporting each
/// end-of-day snapshot), computes the KPIs and reports them. Thread-safe for distinct calls.
/// Throws std::invalid_argument if `cfg` is inconsistent (see validate_model_config), and
/// RunStopped when `stop` (if given) becomes non-zero during the run.
RunKpis run_replication(const ModelConfig& cfg, std::uint64_t seed, std::uint64_t replication,
                        Observer& obs, const std::atomic<int>* stop = nullptr);

/// One replication, steppable day by day (tests check invariants between days).
class Mission {
public:
    /// Builds the mission at t = 0; throws std::invalid_argument on an invalid config.
    Mission(const ModelConfig& cfg, std::uint64_t seed, std::uint64_t replication, Observer& obs);
    Mission(const Mission&) = delete;
    Mission& operator=(const Mission&) = delete;
    ~Mission();

    /// Runs the next day (every event with t < 24 (day + 1)) and reports its snapshot.
    void run_day();
    /// From now on, run_day() and finish() throw RunStopped once `*stop` is non-zero: polled
    /// between days and every kStopPollSteps steps of a day (a day of a million attacks takes
    /// a while), so that a signal ends a run within a fraction of a second. Results are the same
    /// with or without a flag. Null: never stopped.
    void set_stop(const std::atomic<int>* stop) noexcept { stop_ = stop; }
    /// Steps of the day loop between two looks at the stop flag (a few ms of simulation).
    static constexpr std::uint32_t kStopPollSteps = 1u << 16;
    /// True once every day of the horizon has run.
    bool done() const noexcept { return day_ >= horizon_days_; }
    /// Days run so far.
    std::int32_t day() const noexcept { return day_; }
    /// Runs the remaining days, computes the KPIs and reports them (once; later calls return
    /// the same KPIs without reporting again).
    RunKpis finish();

    /// Empty when personnel are conserved and every billet and queue invariant holds, else the
    /// first violation found.
    std::string check_invariants() const;
    const Roster& roster() const noexcept { return roster_; }
    /// The payers' ledgers (balances now).
    const Funds& funds() const noexcept { return funds_; }
    kernel::Simulation& simulation() noexcept { return sim_; }

private:
    void execute(const AgendaItem& it);
    /// Asks the cache for what the next actions will read: the person record of the action
    /// kPrefetchAhead places ahead, and the billet of the one half as far ahead.
    ///
    /// The person records are read in agenda order, which is random over the roster: at 100x
    /// personnel nearly every read misses the cache. Asking for the record of an action some
    /// places ahead overlaps those misses; by the time the action is half as far ahead, its
    /// record should have come, and the billet it names is asked for. Hints: no result changes.
    ///
    /// Always inlined, and it must be: a prefetch has no effect the compiler can see, so g++
    /// takes a function that only prefetches for one without effects and deletes the calls to
    /// it (g++ 12 -O2 did, silently, while this was a function of mission.cpp).
    [[gnu::always_inline]] void prefetch_ahead() const {
        auto on_person = [](const AgendaItem* it) {
            return it != nullptr && acts_on_person(it->action());
        };
        if (const AgendaItem* far = agenda_.upcoming(kPrefetchAhead); on_person(far))
            roster_.prefetch(far->a);
        if (const AgendaItem* near = agenda_.upcoming(kPrefetchAhead / 2); on_person(near))
            roster_.prefetch_billet(near->a);
    }
    static constexpr std::size_t kPrefetchAhead = 32;
    void snapshot();
    /// The end of a day's money: the day's costs charged to their payers.
    void end_day_funds();
    /// Throws RunStopped if the stop flag is set.
    void poll_stop() const;

    ModelConfig cfg_;
    Observer& obs_;
    kernel::StreamFactory streams_;
    kernel::Simulation sim_;  // before everything that holds processes, events or tokens
    Roster roster_;
    Agenda agenda_;
    EventLog log_;
    Airports airports_;  // before the processes that hold its parking tokens
    Base base_;
    Funds funds_;
    Queues queues_;
    Personnel personnel_;
    Airlift airlift_;
    Transfer transfer_;
    Violence violence_;

    std::int32_t day_ = 0;
    std::int32_t horizon_days_ = 0;
    DaySnapshot snapshot_;
    DailySeries series_;
    /// What binds, summed over the days of the binding window: funds, beds, lift, pipeline.
    double binding_[4] = {0, 0, 0, 0};
    std::int32_t binding_from_ = 0, binding_to_ = 0;
    std::vector<double> airlift_by_payer_;
    std::vector<std::int64_t> held_by_payer_;
    bool finished_ = false;
    RunKpis kpis_;
    const std::atomic<int>* stop_ = nullptr;
    std::uint32_t steps_to_poll_ = kStopPollSteps;
};

}  // namespace mss::model
