// Gang violence: the regime process and attack effects.
#include "sim/model/violence.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/kernel/ctmc.hpp"
#include "sim/model/agenda.hpp"
#include "sim/model/airports.hpp"
#include "sim/model/personnel.hpp"
#include "sim/model/roster.hpp"
#include "sim/model/transfer.hpp"

namespace mss::model {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

double exponential(kernel::RandomStream& s, double rate) {
    return -std::log1p(-s.uniform01()) / rate;
}
}  // namespace

Eigen::MatrixXd generator_matrix(const ViolenceConfig& v) {
    const std::size_t n = v.regimes.size();
    bool square = v.generator_per_day.size() == n;
    for (const auto& row : v.generator_per_day)
        square = square && row.size() == n;
    if (!square) return {};
    const auto en = static_cast<Eigen::Index>(n);
    Eigen::MatrixXd q(en, en);
    for (Eigen::Index i = 0; i < en; ++i)
        for (Eigen::Index j = 0; j < en; ++j)
            q(i, j) = v.generator_per_day[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
    return q;
}

std::vector<double> stationary_regime_shares(const ViolenceConfig& v) {
    if (!v.enabled || v.regimes.empty()) return {};
    const Eigen::MatrixXd q = generator_matrix(v);
    if (q.rows() == 0) return {};
    const Eigen::VectorXd pi = kernel::stationary_distribution(q);
    return std::vector<double>(pi.data(), pi.data() + pi.size());
}

Violence::Violence(const ModelConfig& cfg, kernel::Simulation& sim, kernel::StreamFactory& streams,
                   Agenda& agenda, Airports& airports, Transfer& transfer, Personnel& personnel,
                   Roster& roster, EventLog& log)
    : cfg_(cfg.violence),
      sim_(sim),
      agenda_(agenda),
      airports_(airports),
      transfer_(transfer),
      personnel_(personnel),
      roster_(roster),
      log_(log),
      contingents_(cfg.contingents.size()) {
    const ViolenceConfig& v = cfg_;
    if (!v.enabled || v.regimes.empty()) return;
    for (const RegimeConfig& r : v.regimes) {
        Regime rr;
        rr.rate_per_h = kernel::in_days(r.attacks_per_day);
        rr.p_close = r.p_close_airport;
        rr.p_cut = r.p_cut_link;
        rr.p_hit = r.p_patrol_hit;
        rr.closure_days.emplace(r.closure_days);
        rr.cut_days.emplace(r.cut_days);
        rr.wounded.emplace(r.wounded);
        rr.killed.emplace(r.killed);
        regimes_.push_back(std::move(rr));
    }
    for (const auto& row : v.generator_per_day) {
        std::vector<double> h;
        for (double q : row)
            h.push_back(kernel::in_days(q));
        generator_per_h_.push_back(std::move(h));
    }
    regime_stream_.emplace(streams.stream("violence/regime"));
    attack_stream_.emplace(streams.stream("violence/attacks"));
    effect_stream_.emplace(streams.stream("violence/effects"));
    recovery_stream_.emplace(streams.stream("casualty/recovery"));
    recovery_days_.emplace(v.recovery_days);
}

void Violence::start() {
    if (!regimes_.empty()) proc_ = run();
}

double Violence::sample(const kernel::Distribution& d, kernel::RandomStream& s) const {
    return std::max(0.0, d.sample(s));
}

kernel::Process<> Violence::run() {
    const std::size_t n = regimes_.size();
    const ViolenceConfig& v = cfg_;
    kernel::RandomStream& rs = *regime_stream_;
    kernel::RandomStream& as = *attack_stream_;
    int r = -1;
    for (std::size_t i = 0; i < n; ++i)
        if (v.regimes[i].name == v.initial_regime) r = static_cast<int>(i);
    if (r < 0) {  // drawn from the stationary distribution
        const std::vector<double> pi = stationary_regime_shares(v);
        const double u = rs.uniform01();
        double acc = 0.0;
        r = static_cast<int>(n) - 1;
        for (std::size_t i = 0; i < n; ++i) {
            acc += pi[i];
            if (u < acc) {
                r = static_cast<int>(i);
                break;
            }
        }
    }
    regime_ = RegimeId(r);
    log_.record(EventKind::regime_change, ContingentId(), AirportId(), r);
    auto holding = [&](RegimeId i) {
        const double out = -generator_per_h_[i.index()][i.index()];
        return out > 0.0 ? sim_.now() + exponential(rs, out) : kInf;
    };
    auto next_attack_at = [&](RegimeId i) {
        const double rate = regimes_[i].rate_per_h;
        return rate > 0.0 ? sim_.now() + exponential(as, rate) : kInf;
    };
    double next_switch = holding(regime_);
    double next_attack = next_attack_at(regime_);
    for (;;) {
        const double t = std::min(next_switch, next_attack);
        if (t == kInf) co_return;
        co_await sim_.timeout(std::max(0.0, t - sim_.now()));
        if (next_attack <= next_switch) {
            attack();
            next_attack = next_attack_at(regime_);
            continue;
        }
        // Jump to j with probability q_rj / -q_rr.
        const auto& row = generator_per_h_[regime_.index()];
        const double out = -row[regime_.index()];
        const double u = rs.uniform01() * out;
        double acc = 0.0;
        int next = -1;
        for (std::size_t j = 0; j < n; ++j) {
            if (j == regime_.index() || row[j] <= 0.0) continue;
            next = static_cast<int>(j);
            acc += row[j];
            if (u < acc) break;
        }
        regime_ = RegimeId(next);
        log_.record(EventKind::regime_change, ContingentId(), AirportId(), next);
        next_switch = holding(regime_);
        next_attack = next_attack_at(regime_);  // memoryless: redraw at the new rate
    }
}

void Violence::attack() {
    log_.record(EventKind::attack, ContingentId(), AirportId(), regime_.value);
    const Regime& g = regimes_[regime_];
    const double u = effect_stream_->uniform01();
    const std::uint64_t seed = effect_stream_->next_u64();
    const double now = sim_.now();
    if (u < g.p_close) {
        kernel::RandomStream sub(seed, 0, "violence/effects/attack");
        const double h = kernel::days(sample(*g.closure_days, sub));
        const AirportId gw = airports_.gateway();
        airports_.change_closure(gw, kAllClasses, +1);
        agenda_.push(now + h, Action::closure_end, gw.value, kAllClasses);
    } else if (u < g.p_close + g.p_cut) {
        if (transfer_.size() == 0) return;
        kernel::RandomStream sub(seed, 0, "violence/effects/attack");
        const std::size_t n = transfer_.size();
        const auto li =
            std::min(n - 1, static_cast<std::size_t>(sub.uniform01() * static_cast<double>(n)));
        const double h = kernel::days(sample(*g.cut_days, sub));
        transfer_.cut(LinkId(li), now + h, agenda_);
    } else if (u < g.p_close + g.p_cut + g.p_hit) {
        kernel::RandomStream sub(seed, 0, "violence/effects/attack");
        patrol_hit(g, sub);
    }
}

void Violence::patrol_hit(const Regime& g, kernel::RandomStream& sub) {
    std::int64_t killed = std::max<std::int64_t>(0, g.killed->sample(sub));
    std::int64_t wounded = std::max<std::int64_t>(0, g.wounded->sample(sub));
    const auto on_duty = static_cast<std::int64_t>(roster_.on_duty().size());
    killed = std::min(killed, on_duty);
    wounded = std::min(wounded, on_duty - killed);
    // Victims: a partial shuffle of the on-duty set (uniform, no repeats).
    const auto m = static_cast<std::size_t>(killed + wounded);
    std::vector<std::int32_t> victims;
    victims.reserve(m);
    for (std::size_t i = 0; i < m; ++i) {
        const std::size_t left = roster_.on_duty().size() - i;
        const std::size_t j =
            i + std::min(left - 1,
                         static_cast<std::size_t>(sub.uniform01() * static_cast<double>(left)));
        roster_.swap_on_duty(i, j);
        victims.push_back(roster_.on_duty()[i]);
    }
    std::vector<std::int64_t> k_by(contingents_, 0), w_by(contingents_, 0);
    for (std::size_t i = 0; i < m; ++i) {
        const std::int32_t id = victims[i];
        const std::size_t c = contingent_of(roster_.person(id)).index();
        if (static_cast<std::int64_t>(i) < killed) {
            ++k_by[c];
            personnel_.kill(id);
        } else {
            ++w_by[c];
            const bool medevac = sub.uniform01() < cfg_.p_medevac;
            const double rec_h =
                medevac ? 0.0 : kernel::days(sample(*recovery_days_, *recovery_stream_));
            personnel_.wound(id, medevac, rec_h);
        }
    }
    for (std::size_t c = 0; c < contingents_; ++c) {
        const ContingentId ci(c);
        if (k_by[c] > 0) log_.record(EventKind::killed, ci, AirportId(), k_by[c]);
        if (w_by[c] > 0) log_.record(EventKind::wounded, ci, AirportId(), w_by[c]);
    }
}

}  // namespace mss::model
