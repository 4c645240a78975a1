// The Mission: wiring, the day loop (the kernel calendar interleaved with the personnel
// clock), snapshots and the end of the run.
#include "sim/model/mission.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mss::model {

namespace {
std::vector<std::int32_t> billets_of(const ModelConfig& cfg) {
    std::vector<std::int32_t> b;
    for (const ContingentConfig& c : cfg.contingents)
        b.push_back(std::max(0, c.billets));
    return b;
}
const ModelConfig& checked(const ModelConfig& cfg) {
    const std::vector<std::string> errs = validate_model_config(cfg);
    if (!errs.empty()) {
        std::string msg = "invalid model configuration: ";
        for (std::size_t i = 0; i < errs.size(); ++i)
            msg += (i ? "; " : "") + errs[i];
        throw std::invalid_argument(msg);
    }
    return cfg;
}
}  // namespace

RunKpis run_replication(const ModelConfig& cfg, std::uint64_t seed, std::uint64_t replication,
                        Observer& obs, const std::atomic<int>* stop) {
    Mission m(cfg, seed, replication, obs);
    m.set_stop(stop);
    return m.finish();
}

Mission::Mission(const ModelConfig& cfg, std::uint64_t seed, std::uint64_t replication,
                 Observer& obs)
    : cfg_(checked(cfg)),
      obs_(obs),
      streams_(seed, replication),
      roster_(billets_of(cfg_)),
      agenda_(cfg_.scenario.horizon_days),
      log_(sim_, obs),
      airports_(cfg_, sim_, streams_, log_),
      base_(cfg_.base.beds, roster_),
      funds_(cfg_, streams_, agenda_, roster_, log_),
      queues_(airports_.size(), roster_),
      personnel_(cfg_, sim_, streams_, roster_, agenda_, airports_, queues_, base_, funds_, log_),
      airlift_(cfg_, sim_, streams_, roster_, airports_, queues_, base_, log_),
      transfer_(cfg_, sim_, streams_, roster_, airports_, queues_, log_),
      violence_(cfg_, sim_, streams_, agenda_, airports_, transfer_, personnel_, roster_, log_),
      horizon_days_(cfg_.scenario.horizon_days) {
    airlift_.connect(personnel_, transfer_);
    transfer_.connect(airlift_, personnel_);
    // Who is told what. A closure change: the airport's waiters first, then every idle
    // aircraft, then the links. Someone ready: that origin's aircraft. Someone waiting to fly
    // home: that origin's aircraft, and the links while the gateway is closed to some class
    // (they carry people out only then). A bed freed: every aircraft.
    airports_.on_change([this] {
        airlift_.poke_all();
        transfer_.poke();
    });
    queues_.on_ready([this](AirportId origin) { airlift_.poke_origin(origin); });
    queues_.on_outbound([this](AirportId origin, AirportId at) {
        airlift_.poke_origin(origin);
        const AirportId gw = airports_.gateway();
        if (at == gw && airports_.closed_to_any(gw)) transfer_.poke();
    });
    base_.on_bed_freed([this] { airlift_.poke_all(); });
    // Money in (a payment, a freeze's end): what waits for funds may go.
    funds_.on_change([this] { personnel_.release_held(); });

    std::size_t expected = 0;  // people generated over the run, roughly (a reservation)
    for (const ContingentConfig& c : cfg_.contingents)
        expected += 3 * static_cast<std::size_t>(std::max(0, c.billets));
    roster_.reserve(expected);
    const auto days = static_cast<std::size_t>(horizon_days_);
    series_.strength.reserve(days);
    series_.filled.reserve(days);
    series_.contingent_strength.assign(cfg_.contingents.size(), {});
    series_.contingent_filled.assign(cfg_.contingents.size(), {});
    for (auto& v : series_.contingent_strength)
        v.reserve(days);
    for (auto& v : series_.contingent_filled)
        v.reserve(days);

    // The order fixes ties at t = 0: the personnel clock's actions in the order pushed, then
    // the processes in the order started.
    personnel_.generate();
    airports_.schedule_closures(cfg_, agenda_);
    funds_.schedule();
    base_.schedule(cfg_.base, streams_, agenda_);
    binding_from_ = static_cast<std::int32_t>(std::ceil(cfg_.kpis.binding_from_day));
    binding_to_ = cfg_.kpis.binding_to_day
                      ? static_cast<std::int32_t>(
                            std::min<double>(horizon_days_, std::ceil(*cfg_.kpis.binding_to_day)))
                      : horizon_days_;
    violence_.start();
    airlift_.start();
    transfer_.start();
}

Mission::~Mission() = default;

// ---- the day loop ------------------------------------------------------------------------------

void Mission::poll_stop() const {
    if (stop_ != nullptr && stop_->load(std::memory_order_relaxed) != 0) throw RunStopped();
}

void Mission::run_day() {
    if (done()) return;
    poll_stop();
    const double end = kernel::days(day_ + 1);
    agenda_.start_day(day_);
    // Timed personnel actions and kernel entries in time order; at equal times the personnel
    // actions run first, and a kernel entry that schedules an action "now" sees it run before
    // the next kernel entry.
    for (;;) {
        // A countdown, not a load per step: the flag is read once per kStopPollSteps steps.
        if (--steps_to_poll_ == 0) {
            steps_to_poll_ = kStopPollSteps;
            poll_stop();
        }
        const double ta = agenda_.next_time();
        const double tk = sim_.peek();
        if (ta < end && ta <= tk) {
            sim_.run_until(ta);
            while (agenda_.next_time() <= sim_.now()) {
                prefetch_ahead();
                execute(agenda_.pop());
            }
        } else if (tk < end) {
            sim_.step();
        } else {
            break;
        }
    }
    sim_.run_until(end);
    if (funds_.enabled()) end_day_funds();
    snapshot();
    // What waits for funds and may go now goes at `end`, the next day's first instant (after
    // the snapshot, which holds the state of t < end).
    if (funds_.enabled()) personnel_.release_held();
    ++day_;
}

void Mission::execute(const AgendaItem& it) {
    switch (it.action()) {
        case Action::batch_ready:
            personnel_.batch_ready(ContingentId(it.a), it.b);
            break;
        case Action::person_ready:
            personnel_.person_ready(it.a);
            break;
        case Action::relief_due:
            personnel_.relief_due(it.a, it.b);
            break;
        case Action::tour_end:
            personnel_.tour_end(it.a, it.b);
            break;
        case Action::extension_end:
            personnel_.extension_end(it.a, it.b);
            break;
        case Action::overlap_end:
            personnel_.overlap_end(it.a);
            break;
        case Action::recover:
            personnel_.recover(it.a);
            break;
        case Action::unit_rotation:
            personnel_.unit_rotation(ContingentId(it.a), it.b);
            break;
        case Action::closure_start:
            airports_.change_closure(AirportId(it.a), static_cast<ClassMask>(it.b), +1);
            break;
        case Action::closure_end:
            airports_.change_closure(AirportId(it.a), static_cast<ClassMask>(it.b), -1);
            break;
        case Action::link_restore:
            transfer_.restore(LinkId(it.a));
            break;
        case Action::drawdown:
            personnel_.drawdown(ContingentId(it.a));
            break;
        case Action::attrition_step:
            personnel_.attrition_step();
            break;
        case Action::attrition_hit:
            personnel_.attrition_hit(ContingentId(it.a));
            break;
        case Action::payment:
            funds_.pay(it.a);
            break;
        case Action::freeze_end:
            funds_.unfreeze(it.a);
            break;
        case Action::contract:
            funds_.contract(it.a);
            break;
        case Action::beds_ready:
            base_.add_beds(cfg_.base.construction[static_cast<std::size_t>(it.a)].beds, log_);
            break;
        case Action::pipeline_done:
            personnel_.pipeline_done(ContingentId(it.a));
            break;
    }
}

void Mission::end_day_funds() {
    airlift_.cost_by_payer_usd(funds_, airlift_by_payer_);
    double transfer = 0.0;
    transfer_.accrue_cost_usd(transfer);
    held_by_payer_.resize(funds_.payers());
    for (std::size_t p = 0; p < held_by_payer_.size(); ++p)
        held_by_payer_[p] = personnel_.held(PayerId(static_cast<std::int32_t>(p)));
    funds_.end_day(airlift_by_payer_, transfer, held_by_payer_);
}

void Mission::snapshot() {
    const double end = kernel::days(day_ + 1);
    DaySnapshot& s = snapshot_;  // reused: no allocation per day
    s.day = day_;
    const std::size_t nc = cfg_.contingents.size();
    s.strength.resize(nc);
    s.on_duty.resize(nc);
    s.filled.resize(nc);
    s.waiting_at_origin.resize(nc);
    s.in_transit.resize(nc);
    double strength = 0, filled = 0;
    // What binds today (DESIGN §10): people held for funds; people ready at the origin, with
    // no bed free for them or waiting for a seat; billets unfilled that nobody on the way
    // (held, ready, inbound) or wounded in theatre accounts for: the pipeline's.
    const bool window = day_ >= binding_from_ && day_ < binding_to_;
    double held = 0, ready = 0, pipeline = 0;
    for (std::size_t c = 0; c < nc; ++c) {
        const int ci = static_cast<int>(c);
        const auto th = static_cast<double>(roster_.in_theatre(ci));
        const auto fl = static_cast<double>(roster_.filled(ci));
        s.strength[c] = static_cast<float>(th);
        s.on_duty[c] = static_cast<float>(roster_.count(ci, PersonState::on_duty));
        s.filled[c] = static_cast<float>(fl);
        s.waiting_at_origin[c] = static_cast<float>(roster_.count(ci, PersonState::ready));
        s.in_transit[c] = static_cast<float>(roster_.count(ci, PersonState::in_transit_in) +
                                             roster_.count(ci, PersonState::in_transit_out));
        strength += th;
        filled += fl;
        series_.contingent_strength[c].push_back(th);
        series_.contingent_filled[c].push_back(fl);
        if (window) {
            const auto h = static_cast<double>(personnel_.held(ContingentId(ci)));
            const auto r = static_cast<double>(roster_.count(ci, PersonState::ready));
            const double accounted =
                h + r +
                static_cast<double>(roster_.count(ci, PersonState::in_transit_in) +
                                    roster_.count(ci, PersonState::injured));
            held += h;
            ready += r;
            pipeline += std::max(0.0, roster_.billets_of(ci) - fl - accounted);
        }
    }
    if (window) {
        const double no_bed =
            base_.limited()
                ? std::clamp(
                      ready - static_cast<double>(std::max<std::int64_t>(0, base_.free_beds())),
                      0.0, ready)
                : 0.0;
        binding_[0] += held;
        binding_[1] += no_bed;
        binding_[2] += ready - no_bed;
        binding_[3] += pipeline;
    }
    series_.strength.push_back(strength);
    series_.filled.push_back(filled);
    s.airport_open.resize(airports_.size());
    s.airport_closed.resize(airports_.size() * kClosureClassCount);
    for (AirportId a : airports_.ids())
        s.airport_open[a.index()] =
            airports_.take_day(a, end, &s.airport_closed[a.index() * kClosureClassCount]);
    s.regime = static_cast<std::int8_t>(violence_.regime().value);
    s.payer_balance.resize(funds_.payers());
    for (std::size_t p = 0; p < funds_.payers(); ++p)
        s.payer_balance[p] =
            static_cast<float>(funds_.balance_usd(PayerId(static_cast<std::int32_t>(p))));
    obs_.on_day(s);
}

// ---- checks and the end of the run -------------------------------------------------------------

std::string Mission::check_invariants() const {
    for (std::string r : {roster_.check(), personnel_.check(), airlift_.check()})
        if (!r.empty()) return r;
    return {};
}

RunKpis Mission::finish() {
    while (!done())
        run_day();
    if (finished_) return kpis_;
    finished_ = true;
    RunKpis& k = kpis_;
    const double horizon_h = kernel::days(horizon_days_);
    personnel_.close_books(horizon_h);

    std::vector<ContingentKpis> ck;
    readiness_kpis(cfg_.kpis, billets_of(cfg_), series_, k, ck);
    double overstay_h = 0, per_diem = 0, allowances = 0;
    for (ContingentId c : IdRange<ContingentId>(cfg_.contingents.size())) {
        const ContingentTotals& t = personnel_.totals(c);
        overstay_h += t.overstay_h;
        per_diem += kernel::in_days(t.person_hours) * cfg_.contingents[c.index()].per_diem_usd;
        allowances += kernel::in_days(t.person_hours) *
                      cfg_.contingents[c.index()].allowance_usd_per_month / kDaysPerMonth;
        const double ph = personnel_.pipeline_h(c);
        ck[c.index()].pipeline_days = ph < horizon_h ? std::floor(kernel::in_days(ph)) : kNaN;
        ck[c.index()].overstay_person_days = kernel::in_days(t.overstay_h);
        ck[c.index()].pax_in = t.pax_in;
    }
    k.overstay_person_days = kernel::in_days(overstay_h);
    const AirliftTotals& air = airlift_.totals();
    k.flights_flown = air.flights_flown;
    k.flights_diverted = air.flights_diverted;
    k.flights_cancelled = air.flights_cancelled;
    k.pax_in = personnel_.totals().pax_in;
    k.pax_out = air.pax_out;
    k.airport_closed_days = airports_.closed_all_days(airports_.gateway(), horizon_h);
    k.injured = personnel_.totals().injured;
    k.killed = personnel_.totals().killed;
    k.medevacs = air.medevacs;
    k.attrited = personnel_.totals().attrited;
    double cost = per_diem;
    airlift_.accrue_cost_usd(cost);
    transfer_.accrue_cost_usd(cost);
    // Allowances, construction contracted within the horizon and the base's running cost
    // (zero for a scenario that sets none of them: the cost is then as before they existed).
    double base_cost = cfg_.base.running_usd_per_day * horizon_days_;
    for (const ConstructionConfig& b : cfg_.base.construction)
        if (b.day < horizon_days_) base_cost += b.cost_usd;
    k.cost_usd = cost + allowances + base_cost;
    k.funds_held_person_days = binding_[0];
    k.beds_held_person_days = binding_[1];
    k.lift_held_person_days = binding_[2];
    k.pipeline_billet_days = binding_[3];
    k.events_handled = sim_.entries_handled();
    std::vector<PayerKpis> pk(funds_.payers());
    for (std::size_t p = 0; p < pk.size(); ++p) {
        const PayerId id(static_cast<std::int32_t>(p));
        const PayerTotals& t = funds_.totals(id);
        pk[p] = {t.cost_usd,  t.paid_usd,        kernel::in_days(t.held_person_hours),
                 t.days_held, t.min_balance_usd, funds_.balance_usd(id)};
    }
    obs_.on_finish(k, ck, pk);
    return k;
}

}  // namespace mss::model
