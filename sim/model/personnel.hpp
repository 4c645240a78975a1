// Personnel (DESIGN §3 "Billets", "Contingent", "Tour clock", casualties, attrition, drawdown):
// generation and pledges, readiness, arrival in theatre, the rotation policy, leaving theatre,
// wounds, deaths, non-combat losses and the drawdown. Every rule here changes personnel
// records (the Roster): timed ones are actions on the personnel clock (the Agenda, executed by
// the Mission), the others are called by the airlift, the transfer links and violence.
//
// Roster::add may reallocate the person records: a Person& taken before a call that requests
// a relief must not be used after it.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/kernel/distribution.hpp"
#include "sim/kernel/random.hpp"
#include "sim/kernel/simulation.hpp"
#include "sim/model/agenda.hpp"
#include "sim/model/airports.hpp"
#include "sim/model/base.hpp"
#include "sim/model/config.hpp"
#include "sim/model/event_log.hpp"
#include "sim/model/funds.hpp"
#include "sim/model/ids.hpp"
#include "sim/model/queues.hpp"
#include "sim/model/roster.hpp"

namespace mss::model {

/// What the personnel rules counted over a run, in total and per contingent (KPIs).
struct PersonnelTotals {
    double pax_in = 0, injured = 0, killed = 0, attrited = 0;
};
/// Per contingent: time in theatre and beyond tour end, and arrivals.
struct ContingentTotals {
    double overstay_h = 0.0;
    double person_hours = 0.0;
    double pax_in = 0.0;
};

/// The contingents' personnel rules.
class Personnel {
public:
    Personnel(const ModelConfig& cfg, kernel::Simulation& sim, kernel::StreamFactory& streams,
              Roster& roster, Agenda& agenda, Airports& airports, Queues& queues, const Base& base,
              Funds& funds, EventLog& log);
    Personnel(const Personnel&) = delete;
    Personnel& operator=(const Personnel&) = delete;

    /// Places each contingent's personnel in theatre at the start (and their reliefs already
    /// requested), draws its pledge pipeline, generates its initial batches (pledged) and puts
    /// their readiness, its drawdown and the attrition steps on the personnel clock.
    void generate();

    // ---- timed actions (the Mission executes them from the Agenda) ---------------------------
    void batch_ready(ContingentId c, int batch);
    /// Person `id` becomes ready at the origin, unless held for funds (`released`: already
    /// through the release rule).
    void person_ready(std::int32_t id, bool released = false);
    void relief_due(std::int32_t id, std::int32_t stamp);
    void tour_end(std::int32_t id, std::int32_t stamp);
    void extension_end(std::int32_t id, std::int32_t stamp);
    void overlap_end(std::int32_t id);
    void unit_rotation(ContingentId c, std::int32_t cycle);
    void recover(std::int32_t id);
    void drawdown(ContingentId c);
    void attrition_step();
    void attrition_hit(ContingentId c);
    void pipeline_done(ContingentId c);
    /// Releases, payer by payer and first held first, what waits for funds while the payer can
    /// afford it (the Mission calls it when money comes in, and at the end of every day).
    void release_held();
    /// People of `c` waiting for funds now.
    std::int64_t held(ContingentId c) const { return contingents_[c].held; }
    /// People waiting for payer `p`'s funds now.
    std::int64_t held(PayerId p) const;
    /// When `c`'s pipeline completed (hours), NaN when it fell through.
    double pipeline_h(ContingentId c) const { return contingents_[c].pipeline_h; }

    // ---- called by the processes ----------------------------------------------------------------
    /// Person `id` reaches theatre: starts the tour, takes the billet, schedules the rotation.
    void arrive_theatre(std::int32_t id);
    /// Everyone in `cabin` reaches theatre, in order (arrive_theatre each).
    void arrive_theatre(const std::vector<std::int32_t>& cabin);
    /// Person `id` boards a flight or link out of theatre.
    void leave_theatre(std::int32_t id);
    /// Person `id` (on duty) is wounded: medevacked, or recovers after `recovery_h`.
    void wound(std::int32_t id, bool medevac, double recovery_h);
    /// Person `id` (on duty) is killed.
    void kill(std::int32_t id);

    /// The origin airport of `p`'s contingent.
    AirportId origin(const Person& p) const { return contingents_[contingent_of(p)].origin; }
    /// Adds the time of everyone still in theatre at `horizon_h` (once, at the end).
    void close_books(double horizon_h);
    const PersonnelTotals& totals() const noexcept { return totals_; }
    const ContingentTotals& totals(ContingentId c) const { return contingents_[c].totals; }

    /// Empty when no billet has more incumbents or reliefs than posts, else the violation.
    std::string check() const;

private:
    struct Contingent {
        AirportId origin;
        bool realised = true;
        double pledge_delay_h = 0.0;
        double drawdown_h = 0.0;  ///< +infinity when none
        std::optional<kernel::Distribution> readiness, tour;
        std::optional<kernel::RandomStream> readiness_stream, tour_stream, attrition_stream,
            pledge_stream;
        /// Tours of those in theatre at the start (made only when there are some).
        std::optional<kernel::RandomStream> in_theatre_stream;
        struct Batch {
            std::int32_t first = 0;  ///< first person id
            std::int32_t count = 0;
        };
        std::vector<Batch> batches;
        bool unit_pending = false;
        double unit_t = 0.0;
        std::int32_t unit_cycle = 0;
        double attrition_until_h = 0.0;  ///< end of the current attrition step
        ContingentTotals totals;
        double pipeline_h = 0.0;  ///< NaN: fell through
        std::int64_t held = 0;    ///< people waiting for funds
    };
    /// A batch (person < 0) or a relief waiting for its payer's funds.
    struct Held {
        ContingentId contingent;
        std::int32_t batch = -1;
        std::int32_t person = -1;
        std::int64_t count = 0;
        double since_h = 0.0;
    };

    const ContingentConfig& config(ContingentId c) const { return cfg_.contingents[c.index()]; }
    double sample(const kernel::Distribution& d, kernel::RandomStream& s) const;
    bool drawn_down(ContingentId c) const;
    void request_relief(std::int32_t billet);
    /// Contingent `c`'s personnel in theatre at the start (DESIGN §10 "As of a date"), on the
    /// billets from `next_billet` on (advanced past them).
    void place_in_theatre(ContingentId c, std::int32_t& next_billet);
    void schedule_rotation(std::int32_t id);
    void release_billet(std::int32_t id, bool replace);
    void start_leaving(std::int32_t id);
    /// Ends the time in theatre of `id` now (overstay and person-hours).
    void end_time_in_theatre(const Person& p);
    void attrite(std::int32_t id);
    void attrition_draw(ContingentId c, double until_h);
    void release_batch(ContingentId c, int batch);
    void forget_held(ContingentId c);
    /// True (and the release is held) when funds are modelled and `c`'s payer cannot afford
    /// `count` more people now.
    bool hold(ContingentId c, std::int32_t batch, std::int32_t person, std::int64_t count);

    const ModelConfig& cfg_;
    kernel::Simulation& sim_;
    Roster& roster_;
    Agenda& agenda_;
    Queues& queues_;
    const Base& base_;
    Funds& funds_;
    EventLog& log_;
    AirportId gateway_;
    Table<ContingentId, Contingent> contingents_;
    PersonnelTotals totals_;
    /// [2 payer]: the payer's reliefs, [2 payer + 1]: its batches; first held first.
    std::vector<std::vector<Held>> held_;
    std::vector<std::size_t> held_front_;  ///< first entry of each queue still held
};

}  // namespace mss::model
