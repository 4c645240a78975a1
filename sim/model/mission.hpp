// The mission model's entry point: one replication of a ModelConfig (DESIGN §3).
//
//     MemoryObserver obs;
//     RunKpis k = run_replication(baseline_config(), seed, replication, obs);
//
// A Mission owns its kernel Simulation, its personnel records (Roster), its airports,
// aircraft, transfer links and random streams; nothing is global, so replications run side by
// side on threads. Processes: one per airframe (the sortie loop, airlift.cpp), one per
// transfer-link vehicle (transfer.cpp) and the violence process (violence.cpp). Generation,
// rotation, casualty recovery, attrition and scheduled closures are timed actions on the
// personnel clock (agenda.hpp, personnel.cpp), executed by the day loop between kernel entries.
// docs/model.md states every rule as implemented.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/kernel/distribution.hpp"
#include "sim/kernel/event.hpp"
#include "sim/kernel/process.hpp"
#include "sim/kernel/random.hpp"
#include "sim/kernel/resource.hpp"
#include "sim/kernel/simulation.hpp"
#include "sim/model/agenda.hpp"
#include "sim/model/config.hpp"
#include "sim/model/observer.hpp"
#include "sim/model/roster.hpp"
#include "sim/model/validate.hpp"
#include "sim/model/violence.hpp"

namespace mss::model {

/// Runs one replication of `cfg`: builds the mission, runs horizon_days days (reporting each
/// end-of-day snapshot), computes the KPIs and reports them. Thread-safe for distinct calls.
/// Throws std::invalid_argument if `cfg` is inconsistent (see validate_model_config).
RunKpis run_replication(const ModelConfig& cfg, std::uint64_t seed, std::uint64_t replication,
                        Observer& obs);

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
    /// True once every day of the horizon has run.
    bool done() const noexcept { return day_ >= horizon_days_; }
    /// Days run so far.
    std::int32_t day() const noexcept { return day_; }
    /// Runs the remaining days, computes the KPIs and reports them (once; later calls return
    /// the same KPIs without reporting again).
    RunKpis finish();

    /// Empty when personnel are conserved and every billet invariant holds, else the first
    /// violation found.
    std::string check_invariants() const;
    const Roster& roster() const noexcept { return roster_; }
    /// The kernel simulation (processes are member coroutines of Mission).
    kernel::Simulation& simulation() noexcept { return sim_; }
    /// Events dropped because of output.max_events_per_run.
    std::int64_t events_dropped() const noexcept { return events_dropped_; }

private:
    // ---- runtime structures ---------------------------------------------------------------
    /// A process waiting for a condition: woken by a poke, or after a timeout.
    struct Sleeper {
        explicit Sleeper(kernel::Simulation& sim) : ev(sim) {}
        kernel::Event<> ev;
        bool asleep = false;
    };
    struct AirportRt {
        std::string code;
        std::unique_ptr<kernel::Resource> mog;
        std::optional<kernel::Distribution> handling;
        std::optional<kernel::RandomStream> handling_stream;
        int closed[kOperatorClassCount] = {0, 0, 0};  ///< closures applying, per class
        double last_change_h = 0.0;
        double open_today_h = 0.0;        ///< open to every class, this day
        double closed_all_total_h = 0.0;  ///< closed to every class, whole run
        std::vector<Sleeper*> waiters;    ///< woken when a closure ends or starts
        bool has_link = false;            ///< a transfer link serves it (usable alternate)
        std::uint8_t origin_classes = 0;  ///< classes of the aircraft based here
    };
    struct AlternateRt {
        int airport = -1;
        std::optional<kernel::Distribution> block;
        std::optional<kernel::Distribution> divert;
    };
    struct RouteRt {
        int origin = -1;
        int gateway = -1;
        std::optional<kernel::Distribution> block;
        std::vector<AlternateRt> alternates;
        ClosureRule rule = ClosureRule::divert;
        double max_hold_h = 0.0;
        std::int32_t min_load = 1;  ///< the route's, else the airlift policy's
        double max_wait_h = 0.0;
    };
    struct ReadyEntry {
        double ready_h;
        std::int32_t id;
    };
    struct PoolEntry {
        std::uint8_t rank;  ///< 0 medevac, 1 other
        double key;         ///< medevac: wait start; other: tour end
        std::int32_t id;
        std::uint32_t ticket;
    };
    struct WaitEntry {
        double since_h;
        std::int32_t id;
        std::uint32_t ticket;
    };
    /// People of one origin waiting at one Haitian airport to fly home.
    struct Pool {
        int origin = -1;
        int at = -1;
        std::vector<PoolEntry> board;   ///< heap: boarding order (medevacs, then tour end)
        std::vector<WaitEntry> oldest;  ///< heap: by wait start
        std::int64_t count = 0;
        std::int64_t medevacs = 0;
        /// Seats of this origin's sorties on their way to this airport that have not boarded
        /// their return leg yet: the outbound demand they will take is not demand for another.
        std::int64_t en_route = 0;
    };
    struct OriginRt {
        std::vector<ReadyEntry> ready;  ///< heap by (ready time, id)
        std::int64_t ready_count = 0;
        int route = -1;
        std::vector<int> aircraft;
    };
    struct ContingentRt {
        int origin = -1;
        bool realised = true;
        double pledge_delay_h = 0.0;
        double drawdown_h = 0.0;  ///< +infinity when none
        std::optional<kernel::Distribution> readiness, tour;
        std::optional<kernel::RandomStream> readiness_stream, tour_stream, attrition_stream,
            pledge_stream;
        struct Batch {
            std::int32_t first = 0;  ///< first person id
            std::int32_t count = 0;
        };
        std::vector<Batch> batches;
        bool unit_pending = false;
        double unit_t = 0.0;
        std::int32_t unit_cycle = 0;
        double overstay_h = 0.0;
        double pax_in = 0.0;
        double person_hours = 0.0;
        double attrition_until_h = 0.0;  ///< end of the current attrition step
    };
    struct Airframe {
        explicit Airframe(kernel::Simulation& sim) : sleep(sim) {}
        int type = -1;
        int origin = -1;
        int route = -1;
        OperatorClass cls = OperatorClass::charter;
        std::int32_t seats = 0;
        double cost_per_h = 0.0;
        std::optional<kernel::RandomStream> block_stream;
        Sleeper sleep;
        bool idle = false;
        double nap_until_h = 0.0;  ///< when an idle aircraft re-evaluates the launch rule anyway
        double block_h = 0.0;
        std::vector<std::int32_t> cabin;
        int bound_for = -1;  ///< index in pools_ of the pool its seats are counted for, or -1
        kernel::Process<> proc;
    };
    struct LinkRt {
        int airport = -1;
        std::int32_t seats = 0;
        double cost = 0.0;
        std::optional<kernel::Distribution> trip;
        std::optional<kernel::RandomStream> trip_stream;
        int cut = 0;
        double trips = 0.0;
        std::vector<int> vehicles;
    };
    struct Vehicle {
        explicit Vehicle(kernel::Simulation& sim) : sleep(sim) {}
        int link = -1;
        Sleeper sleep;
        bool idle = false;
        std::vector<std::int32_t> out_cabin, in_cabin, back_cabin;
        kernel::Process<> proc;
    };
    struct RegimeRt {
        double rate_per_h = 0.0;
        double p_close = 0.0, p_cut = 0.0, p_hit = 0.0;
        std::optional<kernel::Distribution> closure_days, cut_days;
        std::optional<kernel::CountDistribution> wounded, killed;
    };
    struct SortiePlan {
        bool launch = false;
        int dest = -1;
        bool medevac_only = false;
        double wake_h = 0.0;  ///< when a time threshold is next crossed (+inf: none)
    };

    // ---- mission.cpp: set-up, day loop, airports, KPIs --------------------------------------
    void build();
    void execute(const AgendaItem& it);
    void record(EventKind kind, int contingent, int airport, std::int64_t count);
    void snapshot();
    kernel::detail::ConditionAwaiter nap(Sleeper& s, double dt);
    static void wake(Sleeper& s);
    bool closed(int airport, OperatorClass c) const {
        return airports_[static_cast<std::size_t>(airport)].closed[static_cast<int>(c)] > 0;
    }
    void account_airport(AirportRt& ap, double t);
    void change_closure(int airport, std::uint8_t mask, int delta);
    void wake_airport_waiters(int airport);
    double sample(const kernel::Distribution& d, kernel::RandomStream& s) const;

    // ---- personnel.cpp: generation, rotation, casualties, attrition, drawdown ------------------
    void batch_ready(int c, int batch);
    void person_ready(std::int32_t id);
    void request_relief(std::int32_t billet);
    void arrive_theatre(std::int32_t id);
    void schedule_rotation(std::int32_t id);
    void relief_due(std::int32_t id, std::int32_t stamp);
    void tour_end(std::int32_t id, std::int32_t stamp);
    void extension_end(std::int32_t id, std::int32_t stamp);
    void overlap_end(std::int32_t id);
    void unit_rotation(int c, std::int32_t cycle);
    void release_billet(std::int32_t id, bool replace);
    void start_leaving(std::int32_t id);
    void leave_theatre(std::int32_t id);
    void wound(std::int32_t id, bool medevac, double recovery_h);
    void recover(std::int32_t id);
    void kill(std::int32_t id);
    void attrite(std::int32_t id);
    void drawdown(int c);
    void attrition_step();
    void attrition_hit(int c);
    void attrition_draw(int c, double until_h);
    bool drawn_down(int c) const;

    // ---- airlift.cpp: outbound queues, the launch rule, the sortie loop ---------------------
    std::int32_t pool_index(int origin, int at) const;  ///< in pools_, as Person::pool
    Pool& pool(int origin, int at);
    void pool_push(std::int32_t id, int origin, int at);
    void pool_remove(std::int32_t id);
    std::int32_t pool_pop(Pool& p);
    void pool_clean(Pool& p);
    void origin_clean(OriginRt& o);
    SortiePlan plan_sortie(const Airframe& a);
    int first_open_alternate(const RouteRt& r, OperatorClass c, int after = -1) const;
    /// Counts the seats of `a` as on their way to its origin's pool at `airport` (-1: none),
    /// instead of the pool they were counted for.
    void head_for(Airframe& a, int airport);
    void poke(Airframe& a);
    void poke_origin(int origin);
    void poke_all_aircraft();
    kernel::Process<> fly(std::size_t index);

    // ---- transfer.cpp: onward transfer links ------------------------------------------------
    int outbound_alternate(int origin) const;
    bool link_has_work(const LinkRt& l);
    void poke_links();
    kernel::Process<> shuttle(std::size_t index);

    // ---- violence.cpp -------------------------------------------------------------------------
    kernel::Process<> violence();
    void attack();

    // ---- state ------------------------------------------------------------------------------
    ModelConfig cfg_;
    Observer& obs_;
    kernel::StreamFactory streams_;
    kernel::Simulation sim_;  // before everything that holds processes, events or tokens
    Roster roster_;
    Agenda agenda_;
    std::int32_t day_ = 0;
    std::int32_t horizon_days_ = 0;
    int gateway_ = -1;
    std::int64_t beds_ = -1;
    double max_medevac_wait_h_ = 0.0;

    std::vector<AirportRt> airports_;
    std::vector<RouteRt> routes_;
    std::vector<OriginRt> origins_;                       ///< indexed by airport
    std::vector<Pool> pools_;                             ///< indexed by origin * airports + at
    std::vector<std::vector<std::int32_t>> alt_inbound_;  ///< [airport] landed, awaiting a link
    std::vector<std::size_t> alt_inbound_head_;
    std::vector<ContingentRt> contingents_;
    std::vector<std::unique_ptr<Airframe>> airframes_;
    std::vector<LinkRt> links_;
    std::vector<std::unique_ptr<Vehicle>> vehicles_;
    std::vector<RegimeRt> regimes_;
    std::vector<std::vector<double>> generator_per_h_;
    std::optional<kernel::RandomStream> regime_stream_, attack_stream_, effect_stream_,
        recovery_stream_;
    std::optional<kernel::Distribution> recovery_days_;
    double p_medevac_ = 0.0;
    int regime_ = -1;
    kernel::Process<> violence_proc_;

    // KPI accumulators.
    double flights_flown_ = 0, flights_diverted_ = 0, flights_cancelled_ = 0;
    double pax_in_ = 0, pax_out_ = 0, injured_ = 0, killed_ = 0, medevacs_ = 0, attrited_ = 0;
    DaySnapshot snapshot_;
    std::vector<double> strength_by_day_, duty_by_day_;
    std::vector<std::vector<double>> contingent_strength_by_day_;  ///< [c][day]
    std::int64_t events_recorded_ = 0;
    std::int64_t events_dropped_ = 0;
    bool finished_ = false;
    RunKpis kpis_;
};

}  // namespace mss::model
