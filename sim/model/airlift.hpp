// Airlift (DESIGN §3 "Airlift"): routes from the origins to the gateway with their alternates,
// the airframes, the launch rule and the sortie loop of one airframe: board at home, fly,
// land (or hold, divert, return), hand over, board the return leg, fly home, turn around.
// Each airframe is one kernel process (a member coroutine); an idle one sleeps until the
// queues, the airports or the base poke it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/kernel/distribution.hpp"
#include "sim/kernel/process.hpp"
#include "sim/kernel/random.hpp"
#include "sim/kernel/simulation.hpp"
#include "sim/model/airports.hpp"
#include "sim/model/base.hpp"
#include "sim/model/config.hpp"
#include "sim/model/event_log.hpp"
#include "sim/model/funds.hpp"
#include "sim/model/ids.hpp"
#include "sim/model/queues.hpp"
#include "sim/model/roster.hpp"
#include "sim/model/sleeper.hpp"

namespace mss::model {

class Personnel;
class Transfer;

/// What the airlift counted over a run (KPIs).
struct AirliftTotals {
    double flights_flown = 0, flights_diverted = 0, flights_cancelled = 0;
    double pax_out = 0, medevacs = 0;
};

/// The routes and airframes of a mission.
class Airlift {
public:
    Airlift(const ModelConfig& cfg, kernel::Simulation& sim, kernel::StreamFactory& streams,
            Roster& roster, Airports& airports, Queues& queues, const Base& base, EventLog& log);
    Airlift(const Airlift&) = delete;
    Airlift& operator=(const Airlift&) = delete;
    /// The components the sortie loop hands people to.
    void connect(Personnel& personnel, Transfer& transfer) {
        personnel_ = &personnel;
        transfer_ = &transfer;
    }
    /// Starts one sortie process per airframe, in order.
    void start();
    /// The simulation the processes run in.
    kernel::Simulation& simulation() noexcept { return sim_; }

    /// Wakes the idle aircraft of `origin` that should re-evaluate the launch rule.
    void poke_origin(AirportId origin);
    /// The same for every aircraft.
    void poke_all();

    /// True when a route starts at `origin` (its people can fly).
    bool flies_from(AirportId origin) const { return origin_route_[origin].valid(); }
    /// Where `origin`'s people leave theatre for while the gateway is closed to every class of
    /// its aircraft and its route plans alternates: the first alternate with a link that is
    /// open to one of them; invalid otherwise (they wait at the gateway).
    AirportId outbound_alternate(AirportId origin) const;

    const AirliftTotals& totals() const noexcept { return totals_; }
    /// Adds block hours times cost per block hour to `total`, airframe by airframe (the order
    /// fixes the rounding).
    void accrue_cost_usd(double& total) const;
    /// The same per payer of the airframes' types (funds modelled): cumulative, in `per_payer`.
    void cost_by_payer_usd(const Funds& funds, std::vector<double>& per_payer) const;
    /// Empty when each outbound queue's seats on their way are those of the aircraft bound for
    /// it and no idle aircraft is bound, else the violation.
    std::string check() const;

private:
    struct Alternate {
        AirportId airport;
        std::optional<kernel::Distribution> block;
        std::optional<kernel::Distribution> divert;
    };
    struct Route {
        AirportId origin;
        AirportId gateway;
        std::optional<kernel::Distribution> block;
        std::vector<Alternate> alternates;
        ClosureRule rule = ClosureRule::divert;
        double max_hold_h = 0.0;
        std::int32_t min_load = 1;  ///< the route's, else the airlift policy's
        double max_wait_h = 0.0;
    };
    struct Airframe {
        explicit Airframe(kernel::Simulation& sim) : sleep(sim) {}
        AirportId origin;
        RouteId route;
        OperatorClass cls = OperatorClass::charter;
        std::int32_t seats = 0;
        double cost_per_h = 0.0;
        std::int32_t type = 0;  ///< index of its aircraft type in the config
        std::optional<kernel::RandomStream> block_stream;
        Sleeper sleep;
        bool idle = false;
        double nap_until_h = 0.0;  ///< when an idle aircraft re-evaluates the launch rule anyway
        double block_h = 0.0;
        std::vector<std::int32_t> cabin;
        PoolId bound_for;  ///< the outbound queue its seats are counted for, or invalid
        kernel::Process<> proc;
    };
    struct SortiePlan {
        bool launch = false;
        AirportId dest;
        bool medevac_only = false;
        double wake_h = 0.0;  ///< when a time threshold is next crossed (+inf: none)
    };

    SortiePlan plan_sortie(const Airframe& a);
    /// Index in `r.alternates` of the first alternate after `after` with a link and open to `c`,
    /// or -1.
    int first_open_alternate(const Route& r, OperatorClass c, int after = -1) const;
    /// Counts the seats of `a` as on their way to its origin's queue at `airport` (invalid:
    /// none), instead of the queue they were counted for.
    void head_for(Airframe& a, AirportId airport);
    void poke(Airframe& a);
    double sample(const kernel::Distribution& d, kernel::RandomStream& s) const;
    kernel::Process<> fly(AirframeId id);

    const ModelConfig& cfg_;
    kernel::Simulation& sim_;
    Roster& roster_;
    Airports& airports_;
    Queues& queues_;
    const Base& base_;
    EventLog& log_;
    Personnel* personnel_ = nullptr;
    Transfer* transfer_ = nullptr;
    AirportId gateway_;
    Table<RouteId, Route> routes_;
    Table<AirportId, RouteId> origin_route_;                  ///< the first route from each
    Table<AirportId, std::vector<AirframeId>> based_;         ///< airframes based at each
    Table<AirframeId, std::unique_ptr<Airframe>> airframes_;  ///< stable addresses
    AirliftTotals totals_;
};

}  // namespace mss::model
