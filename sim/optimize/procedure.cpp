// sim/optimize/procedure.cpp — see the header. A stage end is a short pipeline: accumulate the
// stage's sums (stage 1 also fixes the variances) -> feasibility check -> KN's comparisons among
// the rest -> conclude (chosen, none feasible, out of budget, or another stage).
#include "sim/optimize/procedure.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <utility>

namespace mss::optimize {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// x for a sentence: up to 10 significant digits, so that delta = 1000000 is not 1e+06.
std::string num(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", x);
    return buf;
}

std::string list_of(const std::vector<std::size_t>& v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i > 0) out += i + 1 == v.size() ? " and " : ", ";
        out += std::to_string(v[i]);
    }
    return out;
}

[[noreturn]] void refuse(const std::string& what) {
    throw std::invalid_argument("optimize: " + what);
}

/// Sample variance (divisor n − 1), two-pass.
double variance_of(const std::vector<double>& v) {
    double mean = 0.0;
    for (double x : v)
        mean += x;
    mean /= static_cast<double>(v.size());
    double ss = 0.0;
    for (double x : v)
        ss += (x - mean) * (x - mean);
    return ss / static_cast<double>(v.size() - 1);
}

void check_settings(const Settings& s, std::size_t max_alternatives) {
    const std::size_t k = s.alternatives;
    if (k > max_alternatives)
        refuse(std::to_string(k) + " alternatives, more than the " +
               std::to_string(max_alternatives) +
               " accepted: narrow the decision variables (a metamodel-guided search for larger "
               "spaces is not available)");
    if (k < 1) refuse("no alternatives");
    if (s.outputs < 1) refuse("no outputs");
    if (!(s.confidence > 0.0 && s.confidence < 1.0))
        refuse("confidence " + num(s.confidence) + " is not in (0, 1)");
    if (s.objective.output >= s.outputs)
        refuse("the objective's output " + std::to_string(s.objective.output) +
               " does not exist (" + std::to_string(s.outputs) + " outputs)");
    if (!(s.objective.delta > 0.0 && std::isfinite(s.objective.delta)))
        refuse("the indifference zone delta " + num(s.objective.delta) + " is not positive");
    if (s.first_stage < 2)
        refuse("first stage of " + std::to_string(s.first_stage) +
               " replications: at least 2 are needed for a variance");
    if (s.increment < 1) refuse("stage increment " + std::to_string(s.increment) + " < 1");
    if (!(s.region_scale > 0.0)) refuse("region scale " + num(s.region_scale) + " <= 0");
    const std::int64_t b = s.objective.batch;
    if (b < 1) refuse("the objective's batch " + std::to_string(b) + " < 1");
    if (s.first_stage % b != 0 || s.increment % b != 0)
        refuse("the objective's batch of " + std::to_string(b) +
               " replications does not divide the first stage (" + std::to_string(s.first_stage) +
               ") and the increment (" + std::to_string(s.increment) + ")");
    if (s.first_stage / b < 2)
        refuse("the objective's first stage holds " + std::to_string(s.first_stage / b) +
               " batch mean(s) of " + std::to_string(b) +
               " replications; at least 2 are needed for a variance");
    for (std::size_t c = 0; c < s.constraints.size(); ++c) {
        const Constraint& con = s.constraints[c];
        const std::string name = "constraint " + std::to_string(c);
        if (con.output >= s.outputs)
            refuse(name + ": output " + std::to_string(con.output) + " does not exist");
        if (!(con.epsilon > 0.0 && std::isfinite(con.epsilon)))
            refuse(name + ": tolerance epsilon " + num(con.epsilon) + " is not positive");
        if (!std::isfinite(con.threshold)) refuse(name + ": threshold is not finite");
        if (con.batch < 1) refuse(name + ": batch " + std::to_string(con.batch) + " < 1");
        if (s.first_stage % con.batch != 0 || s.increment % con.batch != 0)
            refuse(name + ": its batch of " + std::to_string(con.batch) +
                   " replications does not divide the first stage (" +
                   std::to_string(s.first_stage) + ") and the increment (" +
                   std::to_string(s.increment) + ")");
        if (s.first_stage / con.batch < 2)
            refuse(name + ": the first stage holds " + std::to_string(s.first_stage / con.batch) +
                   " batch mean(s); at least 2 are needed for a variance");
        if (!(con.variance_floor >= 0.0 && std::isfinite(con.variance_floor)))
            refuse(name + ": variance floor " + num(con.variance_floor) + " is negative");
    }
    const auto first = static_cast<std::int64_t>(k) * s.first_stage;
    if (s.budget < first)
        refuse("a budget of " + std::to_string(s.budget) +
               " runs cannot pay for the first stage (" + std::to_string(k) + " alternatives x " +
               std::to_string(s.first_stage) + " = " + std::to_string(first) + " runs)");
}

}  // namespace

double kn_eta(double alpha, std::size_t k, std::int64_t n0) {
    const double base = 2.0 * alpha / static_cast<double>(k - 1);
    return 0.5 * (std::pow(base, -2.0 / static_cast<double>(n0 - 1)) - 1.0);
}

double feasibility_eta(double alpha, std::size_t k, std::int64_t m0) {
    const double base = 2.0 * alpha / static_cast<double>(k);
    return 0.5 * (std::pow(base, -2.0 / static_cast<double>(m0 - 1)) - 1.0);
}

Constraint probability_constraint(std::size_t output, double p, double epsilon,
                                  std::int64_t batch) {
    if (batch < 10)
        refuse(
            "a probability constraint needs batch means of at least 10 replications (DESIGN "
            "§11), not " +
            std::to_string(batch));
    if (!(p > 0.0 && p < 1.0)) refuse("probability " + num(p) + " is not in (0, 1)");
    Constraint c;
    c.output = output;
    c.bound = Bound::at_least;
    c.threshold = p;
    c.epsilon = epsilon;
    c.batch = batch;
    c.variance_floor = p * (1.0 - p) / static_cast<double>(batch);
    return c;
}

std::string why(const Fate& f) {
    const std::string at = " at stage " + std::to_string(f.stage);
    switch (f.kind) {
        case Fate::Kind::in_contention:
            return "in contention";
        case Fate::Kind::chosen:
            return "chosen" + at;
        case Fate::Kind::worse:
            return "worse than " + std::to_string(f.by) + at;
        case Fate::Kind::infeasible:
            return "infeasible: constraint " + std::to_string(f.constraint) + at;
    }
    return {};
}

Procedure::Procedure(Settings settings, std::size_t max_alternatives)
    : settings_(std::move(settings)), k_(settings_.alternatives) {
    check_settings(settings_, max_alternatives);
    const std::size_t s = settings_.constraints.size();
    const double alpha = 1.0 - settings_.confidence;
    constants_.alpha_objective = alpha / static_cast<double>(s + 1);
    constants_.alpha_constraint = s > 0 ? alpha / static_cast<double>(s + 1) : 0.0;
    if (k_ >= 2) {
        const std::int64_t m0 = settings_.first_stage / settings_.objective.batch;
        constants_.eta = kn_eta(constants_.alpha_objective, k_, m0);
        constants_.h2 = h_squared(constants_.eta, m0);
    }
    for (const Constraint& c : settings_.constraints) {
        const std::int64_t m0 = settings_.first_stage / c.batch;
        const double eta = feasibility_eta(constants_.alpha_constraint, k_, m0);
        constants_.constraint_eta.push_back(eta);
        constants_.constraint_h2.push_back(h_squared(eta, m0));
    }
    survivors_.resize(k_);
    for (std::size_t i = 0; i < k_; ++i)
        survivors_[i] = i;
    sums_.assign(k_, std::vector<double>(settings_.outputs, 0.0));
    pair_variance_.assign(k_, std::vector<double>(k_, 0.0));
    constraint_variance_.assign(k_, std::vector<double>(s, 0.0));
    decided_.assign(k_, std::vector<bool>(s, false));
    fates_.resize(k_);
    if (s == 0)
        for (Fate& f : fates_) {
            f.feasible = true;
            f.feasible_stage = 0;
        }
}

std::int64_t Procedure::next_stage_size() const {
    return stage_ == 0 ? settings_.first_stage : settings_.increment;
}

void Procedure::add_stage(const Outputs& outputs) {
    if (done()) throw std::logic_error("optimize: add_stage after the procedure stopped");
    const auto n = static_cast<std::size_t>(next_stage_size());
    if (outputs.size() != survivors_.size())
        refuse("stage " + std::to_string(stage_ + 1) + " has outputs of " +
               std::to_string(outputs.size()) + " alternatives, expected the " +
               std::to_string(survivors_.size()) + " survivors");
    for (std::size_t a = 0; a < outputs.size(); ++a) {
        if (outputs[a].size() != n)
            refuse("stage " + std::to_string(stage_ + 1) + ": alternative " +
                   std::to_string(survivors_[a]) + " has " + std::to_string(outputs[a].size()) +
                   " replications, expected " + std::to_string(n));
        for (const auto& rep : outputs[a]) {
            if (rep.size() != settings_.outputs)
                refuse("stage " + std::to_string(stage_ + 1) + ": alternative " +
                       std::to_string(survivors_[a]) + " has a replication with " +
                       std::to_string(rep.size()) + " outputs, expected " +
                       std::to_string(settings_.outputs));
            for (double x : rep)
                if (!std::isfinite(x))
                    refuse("stage " + std::to_string(stage_ + 1) + ": alternative " +
                           std::to_string(survivors_[a]) +
                           " has an output that is not finite (a KPI never reached belongs in "
                           "an indicator, not in a mean)");
        }
    }
    if (stage_ == 0) first_stage_variances(outputs);
    accumulate(outputs);

    StageRecord record;
    record.stage = stage_;
    record.replications = replications_;
    record.runs = runs_;
    record.sampled = survivors_;
    record.means.assign(k_, std::vector<double>(settings_.outputs, kNaN));
    for (std::size_t i : survivors_)
        for (std::size_t o = 0; o < settings_.outputs; ++o)
            record.means[i][o] = sums_[i][o] / static_cast<double>(replications_);

    std::vector<std::size_t> infeasible, worse;
    check_feasibility(infeasible, record);
    std::erase_if(survivors_, [&](std::size_t i) {
        return std::find(infeasible.begin(), infeasible.end(), i) != infeasible.end();
    });
    compare(worse);
    std::erase_if(survivors_, [&](std::size_t i) {
        return std::find(worse.begin(), worse.end(), i) != worse.end();
    });
    record.eliminated = infeasible;
    record.eliminated.insert(record.eliminated.end(), worse.begin(), worse.end());
    std::sort(record.eliminated.begin(), record.eliminated.end());
    history_.push_back(std::move(record));
    conclude();
}

void Procedure::first_stage_variances(const Outputs& outputs) {
    // Stage 1 samples every alternative, so position a is alternative a.
    const std::size_t n0 = outputs.front().size();
    const std::size_t obj = settings_.objective.output;
    const auto ob = static_cast<std::size_t>(settings_.objective.batch);
    // The objective's first-stage batch means (batch 1: the outputs themselves, exactly).
    std::vector<std::vector<double>> batch_means(k_, std::vector<double>(n0 / ob, 0.0));
    for (std::size_t i = 0; i < k_; ++i) {
        for (std::size_t j = 0; j < n0; ++j)
            batch_means[i][j / ob] += outputs[i][j][obj];
        for (double& m : batch_means[i])
            m /= static_cast<double>(ob);
    }
    std::vector<double> d(n0 / ob);
    for (std::size_t i = 0; i < k_; ++i)
        for (std::size_t l = i + 1; l < k_; ++l) {
            for (std::size_t j = 0; j < d.size(); ++j)
                d[j] = batch_means[i][j] - batch_means[l][j];
            pair_variance_[i][l] = pair_variance_[l][i] = variance_of(d);
        }
    for (std::size_t c = 0; c < settings_.constraints.size(); ++c) {
        const Constraint& con = settings_.constraints[c];
        const auto b = static_cast<std::size_t>(con.batch);
        std::vector<double> means(n0 / b, 0.0);
        for (std::size_t i = 0; i < k_; ++i) {
            std::fill(means.begin(), means.end(), 0.0);
            for (std::size_t j = 0; j < n0; ++j)
                means[j / b] += outputs[i][j][con.output];
            for (double& m : means)
                m /= static_cast<double>(b);
            constraint_variance_[i][c] = std::max(variance_of(means), con.variance_floor);
        }
    }
}

void Procedure::accumulate(const Outputs& outputs) {
    const std::int64_t n = next_stage_size();
    for (std::size_t a = 0; a < survivors_.size(); ++a) {
        std::vector<double>& sum = sums_[survivors_[a]];
        for (const auto& rep : outputs[a])
            for (std::size_t o = 0; o < settings_.outputs; ++o)
                sum[o] += rep[o];
        fates_[survivors_[a]].replications += n;
    }
    replications_ += n;
    runs_ += static_cast<std::int64_t>(survivors_.size()) * n;
    ++stage_;
}

void Procedure::check_feasibility(std::vector<std::size_t>& infeasible, StageRecord& record) {
    const auto& cons = settings_.constraints;
    for (std::size_t i : survivors_) {
        Fate& fate = fates_[i];
        if (fate.feasible) continue;
        for (std::size_t c = 0; c < cons.size() && fate.kind != Fate::Kind::infeasible; ++c) {
            if (decided_[i][c]) continue;
            const Constraint& con = cons[c];
            const double m = static_cast<double>(replications_ / con.batch);
            const double sign = con.bound == Bound::at_most ? 1.0 : -1.0;
            // The sum of the batch means less m·q, on the side where positive is bad.
            const double walk =
                sign * (sums_[i][con.output] / static_cast<double>(con.batch) - m * con.threshold);
            const double region =
                settings_.region_scale *
                std::max(0.0, constants_.constraint_h2[c] * constraint_variance_[i][c] /
                                      (2.0 * con.epsilon) -
                                  con.epsilon * m / 2.0);
            if (walk <= -region) {
                decided_[i][c] = true;
            } else if (walk >= region) {
                fate.kind = Fate::Kind::infeasible;
                fate.constraint = c;
                fate.stage = stage_;
                infeasible.push_back(i);
            }
        }
        if (fate.kind != Fate::Kind::infeasible &&
            std::all_of(decided_[i].begin(), decided_[i].end(), [](bool b) { return b; })) {
            fate.feasible = true;
            fate.feasible_stage = stage_;
            record.feasible.push_back(i);
        }
    }
}

void Procedure::compare(std::vector<std::size_t>& worse) {
    const double sign = settings_.objective.sense == Sense::maximise ? 1.0 : -1.0;
    const std::size_t obj = settings_.objective.output;
    const double delta = settings_.objective.delta;
    // On batch means of b replications: m = r / b of them, their sum the outputs' sum over b
    // (batch 1: r and the sums themselves, exactly).
    const double b = static_cast<double>(settings_.objective.batch);
    const double r = static_cast<double>(replications_ / settings_.objective.batch);
    auto z = [&](std::size_t i) { return sign * sums_[i][obj] / b; };
    for (std::size_t i : survivors_) {
        std::size_t by = k_;
        for (std::size_t l : survivors_) {
            if (l == i || !fates_[l].feasible) continue;
            const double w = settings_.region_scale *
                             std::max(0.0, constants_.h2 * pair_variance_[i][l] / (2.0 * delta) -
                                               delta * r / 2.0);
            const double diff = z(i) - z(l);
            const bool eliminated = diff < -w || (w == 0.0 && diff == 0.0 && l < i);
            // Report the best of those that eliminate i (ties: the lowest index).
            if (eliminated && (by == k_ || z(l) > z(by))) by = l;
        }
        if (by == k_) continue;
        Fate& fate = fates_[i];
        fate.kind = Fate::Kind::worse;
        fate.by = by;
        fate.stage = stage_;
        worse.push_back(i);
    }
}

void Procedure::conclude() {
    if (survivors_.empty()) {
        status_ = Status::none_feasible;
    } else if (survivors_.size() == 1 && fates_[survivors_.front()].feasible) {
        status_ = Status::chosen;
        Fate& fate = fates_[survivors_.front()];
        fate.kind = Fate::Kind::chosen;
        fate.stage = stage_;
    } else if (runs_ + static_cast<std::int64_t>(survivors_.size()) * settings_.increment >
               settings_.budget) {
        status_ = Status::budget_exhausted;
    }
}

Decision Procedure::decision() const {
    Decision d;
    d.status = status_;
    d.fates = fates_;
    d.runs = runs_;
    d.stages = stage_;
    d.survivors = survivors_;
    for (std::size_t i = 0; i < k_; ++i)
        if (fates_[i].feasible) d.feasible.push_back(i);
    const std::string after =
        " after " + std::to_string(stage_) + " stage(s) and " + std::to_string(runs_) + " runs";
    const std::string conf = num(settings_.confidence);
    switch (status_) {
        case Status::running:
            d.summary = "running: " + std::to_string(survivors_.size()) +
                        " alternative(s) in contention" + after;
            break;
        case Status::chosen:
            d.chosen = survivors_.front();
            d.guarantee = true;
            d.summary = "alternative " + std::to_string(*d.chosen) + " chosen" + after +
                        "; with probability at least " + conf +
                        ", it is the best feasible alternative when that one leads the others by "
                        "at least delta = " +
                        num(settings_.objective.delta) +
                        " and no constraint's mean lies within epsilon of its threshold";
            break;
        case Status::none_feasible:
            d.guarantee = true;
            d.summary = "no alternative is feasible: all " + std::to_string(k_) +
                        " declared infeasible" + after + "; with probability at least " + conf +
                        ", none meets every constraint by epsilon or more";
            break;
        case Status::budget_exhausted:
            d.summary =
                "the budget of " + std::to_string(settings_.budget) +
                " runs does not pay for stage " + std::to_string(stage_ + 1) + " (" +
                std::to_string(static_cast<std::int64_t>(survivors_.size()) * settings_.increment) +
                " more runs); stopped" + after + " with alternative(s) " + list_of(survivors_) +
                " in contention: no choice, and the guarantee does not hold";
            break;
    }
    return d;
}

}  // namespace mss::optimize
