// Gang violence (DESIGN §3 "Gang violence"): a continuous-time Markov regime modulating
// Poisson attacks, and what an attack does. Streams:
//   violence/regime   holding times and jumps of the regime (and the initial regime when drawn)
//   violence/attacks  one uniform per attack interval (and one per regime change, when the
//                     interval to the next attack is redrawn at the new rate)
//   violence/effects  exactly two 64-bit draws per attack: the effect, and the seed of the
//                     attack's own stream for everything else it needs (durations, which link,
//                     casualty counts, victims, medevac decisions)
//   casualty/recovery recovery durations of wounded who stay in theatre
#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/kernel/ctmc.hpp"
#include "sim/model/mission.hpp"
#include "sim/model/violence.hpp"

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

kernel::Process<> Mission::violence() {
    const std::size_t n = regimes_.size();
    const ViolenceConfig& v = cfg_.violence;
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
    regime_ = r;
    record(EventKind::regime_change, -1, -1, r);
    auto holding = [&](int i) {
        const double out =
            -generator_per_h_[static_cast<std::size_t>(i)][static_cast<std::size_t>(i)];
        return out > 0.0 ? sim_.now() + exponential(rs, out) : kInf;
    };
    auto next_attack_at = [&](int i) {
        const double rate = regimes_[static_cast<std::size_t>(i)].rate_per_h;
        return rate > 0.0 ? sim_.now() + exponential(as, rate) : kInf;
    };
    double next_switch = holding(r);
    double next_attack = next_attack_at(r);
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
        const auto& row = generator_per_h_[static_cast<std::size_t>(regime_)];
        const double out = -row[static_cast<std::size_t>(regime_)];
        const double u = rs.uniform01() * out;
        double acc = 0.0;
        int next = -1;
        for (std::size_t j = 0; j < n; ++j) {
            if (static_cast<int>(j) == regime_ || row[j] <= 0.0) continue;
            next = static_cast<int>(j);
            acc += row[j];
            if (u < acc) break;
        }
        regime_ = next;
        record(EventKind::regime_change, -1, -1, regime_);
        next_switch = holding(regime_);
        next_attack = next_attack_at(regime_);  // memoryless: redraw at the new rate
    }
}

void Mission::attack() {
    record(EventKind::attack, -1, -1, regime_);
    const RegimeRt& g = regimes_[static_cast<std::size_t>(regime_)];
    const double u = effect_stream_->uniform01();
    const std::uint64_t seed = effect_stream_->next_u64();
    const double now = sim_.now();
    if (u < g.p_close) {
        kernel::RandomStream sub(seed, 0, "violence/effects/attack");
        const double h = 24.0 * sample(*g.closure_days, sub);
        change_closure(gateway_, 0x7, +1);
        agenda_.push(now + h, Action::closure_end, gateway_, 0x7);
    } else if (u < g.p_close + g.p_cut) {
        if (links_.empty()) return;
        kernel::RandomStream sub(seed, 0, "violence/effects/attack");
        const auto li = std::min(
            links_.size() - 1,
            static_cast<std::size_t>(sub.uniform01() * static_cast<double>(links_.size())));
        const double h = 24.0 * sample(*g.cut_days, sub);
        LinkRt& l = links_[li];
        ++l.cut;
        record(EventKind::link_cut, -1, l.airport, static_cast<std::int64_t>(li));
        agenda_.push(now + h, Action::link_restore, static_cast<std::int32_t>(li));
    } else if (u < g.p_close + g.p_cut + g.p_hit) {
        kernel::RandomStream sub(seed, 0, "violence/effects/attack");
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
        std::vector<std::int64_t> k_by(contingents_.size(), 0), w_by(contingents_.size(), 0);
        for (std::size_t i = 0; i < m; ++i) {
            const std::int32_t id = victims[i];
            const auto c = static_cast<std::size_t>(roster_.person(id).contingent);
            if (static_cast<std::int64_t>(i) < killed) {
                ++k_by[c];
                kill(id);
            } else {
                ++w_by[c];
                const bool medevac = sub.uniform01() < p_medevac_;
                const double rec_h =
                    medevac ? 0.0 : 24.0 * sample(*recovery_days_, *recovery_stream_);
                wound(id, medevac, rec_h);
            }
        }
        for (std::size_t c = 0; c < contingents_.size(); ++c) {
            if (k_by[c] > 0) record(EventKind::killed, static_cast<int>(c), -1, k_by[c]);
            if (w_by[c] > 0) record(EventKind::wounded, static_cast<int>(c), -1, w_by[c]);
        }
    }
}

}  // namespace mss::model
