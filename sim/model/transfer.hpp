// Onward transfer (DESIGN §3 "Onward transfer"): helicopter shuttles or road convoys between
// an alternate airport and theatre. Each vehicle is one process based in theatre: it carries
// outbound personnel to its alternate when their sorties are planned there (gateway shut,
// plan_alternate), brings in personnel landed at the alternate, and brings back outbound
// personnel stranded at the alternate once their sorties use the gateway again. Attacks cut a
// link for a while; a cut link holds its vehicles where they are.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "sim/kernel/distribution.hpp"
#include "sim/kernel/process.hpp"
#include "sim/kernel/random.hpp"
#include "sim/kernel/simulation.hpp"
#include "sim/model/airports.hpp"
#include "sim/model/config.hpp"
#include "sim/model/event_log.hpp"
#include "sim/model/ids.hpp"
#include "sim/model/queues.hpp"
#include "sim/model/roster.hpp"
#include "sim/model/sleeper.hpp"

namespace mss::model {

class Agenda;
class Airlift;
class Personnel;

/// The transfer links and their vehicles.
class Transfer {
public:
    Transfer(const ModelConfig& cfg, kernel::Simulation& sim, kernel::StreamFactory& streams,
             Roster& roster, Airports& airports, Queues& queues, EventLog& log);
    Transfer(const Transfer&) = delete;
    Transfer& operator=(const Transfer&) = delete;
    /// The components the vehicles hand people to and ask about sorties.
    void connect(Airlift& airlift, Personnel& personnel) {
        airlift_ = &airlift;
        personnel_ = &personnel;
    }
    /// Starts one process per vehicle, in order.
    void start();
    kernel::Simulation& simulation() noexcept { return sim_; }

    /// Person `id` landed at alternate `at` and waits for a link into theatre.
    void landed(AirportId at, std::int32_t id) { arrivals_[at].push_back(id); }
    /// Wakes the vehicles that have work (and those waiting out a cut).
    void poke();

    std::size_t size() const noexcept { return links_.size(); }
    /// Cuts link `l` until `until_h` (an attack); the restoration goes on the personnel clock.
    void cut(LinkId l, double until_h, Agenda& agenda);
    /// Ends one cut of link `l`.
    void restore(LinkId l);

    /// Adds trips times cost per trip to `total`, link by link (the order fixes the rounding).
    void accrue_cost_usd(double& total) const;

private:
    struct Link {
        AirportId airport;
        std::int32_t seats = 0;
        double cost = 0.0;
        std::optional<kernel::Distribution> trip;
        std::optional<kernel::RandomStream> trip_stream;
        int cut = 0;
        double trips = 0.0;
    };
    struct Vehicle {
        explicit Vehicle(kernel::Simulation& sim) : sleep(sim) {}
        LinkId link;
        Sleeper sleep;
        bool idle = false;
        std::vector<std::int32_t> out_cabin, in_cabin, back_cabin;
        kernel::Process<> proc;
    };
    bool has_work(const Link& l);
    double trip_h(Link& l);
    kernel::Process<> shuttle(VehicleId id);

    kernel::Simulation& sim_;
    Roster& roster_;
    Airports& airports_;
    Queues& queues_;
    EventLog& log_;
    Airlift* airlift_ = nullptr;
    Personnel* personnel_ = nullptr;
    AirportId gateway_;
    Table<LinkId, Link> links_;
    Table<VehicleId, std::unique_ptr<Vehicle>> vehicles_;   ///< stable addresses
    Table<AirportId, std::vector<std::int32_t>> arrivals_;  ///< landed, awaiting a link
    Table<AirportId, std::size_t> arrivals_head_;
};

}  // namespace mss::model
