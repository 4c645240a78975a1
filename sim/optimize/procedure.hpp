// sim/optimize/procedure.hpp — the ranking-and-selection procedure of `mss optimize` (DESIGN
// §11, issue 23, docs/optimize.md). Pure and deterministic: it never simulates, it is given the
// outputs of replications stage by stage and decides, at each stage end, which alternatives stay
// in contention. The command (sim/app/optimize_command.cpp, through experiment::run_optimize)
// turns a plan file into alternatives, runs the replications the procedure asks for and records
// what it decided.
//
// The procedure, for k alternatives, an objective (the mean of one output, to minimise or
// maximise) and s >= 0 constraints (each on the mean of one output):
//
// - Objective: KN, Kim & Nelson (2001), "A fully sequential procedure for indifference-zone
//   selection in simulation", ACM TOMACS 11(3):251-273, with c = 1. Common random numbers are
//   allowed: KN uses the first-stage variance of each pairwise difference,
//     S²_il = 1/(n0 − 1) Σ_{j≤n0} (X_ij − X_lj − (X̄_i(n0) − X̄_l(n0)))²,
//   so positive correlation between alternatives shrinks its continuation region. With
//     η  = ½ [(2 α_o / (k − 1))^(−2/(n0 − 1)) − 1],   h² = 2 η (n0 − 1),
//   alternative i leaves contention at a stage end with r replications each when some
//   alternative l still in contention and declared feasible has (on the "larger is better"
//   scale, i.e. the outputs negated for minimisation)
//     Σ_{j≤r} (X_ij − X_lj) < −W_il(r),   W_il(r) = max{0, h² S²_il / (2δ) − δ r / 2},
//   which is KN's X̄_i(r) < X̄_l(r) − max{0, (δ/(2r)) (h² S²_il/δ² − r)} multiplied by r: a
//   triangle whose half-width falls linearly and closes at r = h² S²_il / δ².
//   With an objective batch b > 1 (Objective::batch), KN runs on batch means of b consecutive
//   replications instead: X_ij above is the mean of replications (j − 1) b + 1 … j b, S²_il is
//   the variance of the n0 / b first-stage batch-mean differences, n0 / b takes n0's place in η
//   and h², and r / b batch means take r's. Kim & Nelson (2006), "Selecting the best system",
//   Handbooks in Operations Research and Management Science 13 (Simulation), ch. 17, discuss
//   batching for outputs that are not normal: a mean of b replications is closer to normal than
//   one replication (central limit theorem), and KN's guarantee rests on the normality of what it
//   compares; batch means are still independent within an alternative, and CRN across
//   alternatives carries over to them.
//   b = 1 is the procedure on the replications, exactly.
// - Constraints: the feasibility check of Andradóttir & Kim (2010), "Fully sequential
//   procedures for comparing constrained systems via simulation", Naval Research Logistics
//   57(5):403-421, run alongside KN: only an alternative declared feasible eliminates others,
//   and an alternative declared infeasible leaves contention. For constraint ℓ on E[Y] ≤ q
//   (E[Y] ≥ q: the signs turned) with tolerance ε, on m = r / b batch means of b replications,
//     D_iℓ(m) = Σ_{batches} (Ȳ_batch − q),   R_iℓ(m) = max{0, h_ℓ² S²_iℓ / (2ε) − ε m / 2},
//   declares i feasible for ℓ when D ≤ −R and infeasible when D ≥ R, where S²_iℓ is the
//   first-stage variance of the n0 / b batch means (at least the constraint's variance floor) and
//     η_ℓ = ½ [(2 α_c / k)^(−2/(n0/b − 1)) − 1],   h_ℓ² = 2 η_ℓ (n0/b − 1).
//   An alternative is feasible when every constraint says so, infeasible when one says so.
// - α is split by Bonferroni (DESIGN §11 allows it): α_o = α_c = α / (s + 1), so KN's pairs
//   share α_o and each constraint's k checks share α_c. Under the assumptions (normal outputs,
//   or batch means close to normal; replications independent within an alternative; CRN across
//   alternatives allowed), with probability at least 1 − α: every alternative whose means lie
//   beyond ε on the right side of every constraint is declared feasible, every one beyond ε on
//   the wrong side of some constraint is declared infeasible, and, when no constrained mean lies
//   within ε of its threshold and the best feasible alternative leads the other feasible ones by
//   at least δ, it is the one chosen.
//
// Decisions are taken only at stage ends: stage 1 gives every alternative n0 replications, every
// later stage gives each alternative still in contention Δn more (both multiples of every batch
// size, the objective's and the constraints'). The boundaries are then looked at on a fixed subset
// of KN's observation times; KN's proof bounds the error of a process observed at any fixed
// increasing times by that of the continuous Brownian motion (their lemma from Jennison, Johnstone
// & Turnbull 1980), so the bound still holds. Once W = 0 (R = 0) every comparison decides: an exact
// tie of sums keeps the lower index, an exact D = 0 counts as feasible, so the procedure always
// ends.
//
// When the next stage would take the runs used past the budget, it stops without a choice and
// says that the guarantee does not hold; the alternatives still in contention are its answer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace mss::optimize {

/// Whether the objective's mean is to be made small or large.
enum class Sense { minimise, maximise };
/// Which side of its threshold a constraint's mean must lie on.
enum class Bound { at_most, at_least };

/// The objective: the mean of output `output`, with indifference zone δ, ranked by KN on batch
/// means of `batch` consecutive replications (1: on the replications themselves).
struct Objective {
    std::size_t output = 0;         ///< index of the output
    Sense sense = Sense::minimise;  ///< minimise or maximise its mean
    double delta = 0.0;             ///< indifference zone δ > 0: smaller differences do not matter
    std::int64_t batch = 1;         ///< b >= 1: replications per batch mean; divides n0 and Δn,
                                    ///< with n0 / b >= 2
};

/// A constraint on the mean of one output: mean ≤ threshold (at_most) or ≥ (at_least), decided
/// within tolerance ε. Batched (b > 1) for the mean of a per-run indicator, a probability.
struct Constraint {
    std::size_t output = 0;        ///< index of the output
    Bound bound = Bound::at_most;  ///< the side the mean must be on
    double threshold = 0.0;        ///< q
    double epsilon = 0.0;          ///< tolerance ε > 0: means within ε of q may go either way
    std::int64_t batch = 1;        ///< b: replications per batch mean (DESIGN §11: b >= 10 for
                                   ///< probabilities)
    double variance_floor = 0.0;   ///< smallest first-stage variance of a batch mean used
};

/// P(KPI ≤ x) ≥ p as DESIGN §11 defines it: the mean of a per-run indicator (1 when the KPI is at
/// most x; never reached, NaN, counts as 0, which the caller writes) is at least p, on batch means
/// of `batch` >= 10 replications, with the variance floor p(1 − p)/batch (the variance of a
/// batch mean at the threshold), so that a first stage of all ones or all zeros does not close
/// the region at once. Throws std::invalid_argument when batch < 10 or p is not in (0, 1).
Constraint probability_constraint(std::size_t output, double p, double epsilon, std::int64_t batch);

/// What the procedure is asked.
struct Settings {
    std::size_t alternatives = 0;         ///< k >= 1
    std::size_t outputs = 0;              ///< values per replication
    Objective objective;                  ///< what is ranked
    std::vector<Constraint> constraints;  ///< what must hold (may be empty)
    double confidence = 0.95;             ///< 1 − α, in (0, 1)
    std::int64_t first_stage = 20;        ///< n0 >= 2 replications per alternative in stage 1
    std::int64_t increment = 10;          ///< Δn >= 1 replications per survivor in later stages
    std::int64_t budget = 0;              ///< largest number of runs (replications, all
                                          ///< alternatives), at least k · n0
    /// Test only: the factor on every continuation region (1 is the procedure; 0.5, "the region
    /// halved", is the weakened procedure that CI must catch).
    double region_scale = 1.0;
};

/// The constants the procedure runs with (the header comment's formulas).
struct Constants {
    double alpha_objective = 0.0;        ///< α_o = α / (s + 1)
    double alpha_constraint = 0.0;       ///< α_c = α / (s + 1) (0 without constraints)
    double eta = 0.0;                    ///< KN's η (0 when k = 1)
    double h2 = 0.0;                     ///< KN's h²
    std::vector<double> constraint_eta;  ///< η_ℓ per constraint
    std::vector<double> constraint_h2;   ///< h_ℓ² per constraint
};

/// KN's η = ½ [(2α / (k − 1))^(−2/(n0 − 1)) − 1] for `k` >= 2 alternatives sharing `alpha`.
double kn_eta(double alpha, std::size_t k, std::int64_t n0);
/// The feasibility check's η = ½ [(2α / k)^(−2/(m0 − 1)) − 1] for `k` alternatives sharing
/// `alpha`, with m0 first-stage observations (batch means).
double feasibility_eta(double alpha, std::size_t k, std::int64_t m0);
/// h² = 2 η (n0 − 1) (c = 1), for either η.
inline double h_squared(double eta, std::int64_t n0) {
    return 2.0 * eta * static_cast<double>(n0 - 1);
}

/// What became of an alternative.
struct Fate {
    enum class Kind {
        in_contention,  ///< still sampled (or left when the procedure stopped on its budget)
        chosen,         ///< the selected alternative
        worse,          ///< eliminated by alternative `by`, feasible and better by the region
        infeasible,     ///< declared infeasible on constraint `constraint`
    };
    Kind kind = Kind::in_contention;
    std::int64_t stage = 0;  ///< the stage (from 1) at whose end it happened; 0 while running
    std::size_t by = std::numeric_limits<std::size_t>::max();          ///< worse: the better one
    std::size_t constraint = std::numeric_limits<std::size_t>::max();  ///< infeasible: which
    std::int64_t replications = 0;  ///< replications it was given in all
    /// Declared feasible (every constraint decided), and at which stage; alternatives without
    /// constraints are feasible from the start (stage 0). False for one declared infeasible and
    /// for one that left as worse before all its constraints were decided.
    bool feasible = false;
    std::int64_t feasible_stage = -1;
};

/// Plain words for a fate: "chosen at stage 4", "worse than 2 at stage 3", "infeasible:
/// constraint 0 at stage 1", "in contention".
std::string why(const Fate& fate);

/// One stage's end.
struct StageRecord {
    std::int64_t stage = 0;            ///< from 1
    std::int64_t replications = 0;     ///< r: cumulative replications of each sampled alternative
    std::int64_t runs = 0;             ///< cumulative runs of all alternatives after the stage
    std::vector<std::size_t> sampled;  ///< the alternatives given this stage's replications
    /// [alternative][output]: cumulative means after the stage, NaN for those not sampled.
    std::vector<std::vector<double>> means;
    std::vector<std::size_t> eliminated;  ///< left contention at this stage's end
    std::vector<std::size_t> feasible;    ///< declared feasible at this stage's end
};

/// Where the procedure stands.
enum class Status {
    running,           ///< wants another stage
    chosen,            ///< one alternative selected, with the guarantee
    none_feasible,     ///< every alternative declared infeasible, with the guarantee
    budget_exhausted,  ///< stopped before deciding: the guarantee does not hold
};

/// The procedure's answer (complete once done()).
struct Decision {
    Status status = Status::running;
    std::optional<std::size_t> chosen;   ///< the selected alternative
    std::vector<std::size_t> feasible;   ///< declared feasible, by index
    std::vector<std::size_t> survivors;  ///< in contention (budget exhausted: the answer)
    bool guarantee = false;              ///< whether "correct with probability >= 1 − α" holds
    std::vector<Fate> fates;             ///< per alternative
    std::int64_t runs = 0;               ///< runs used
    std::int64_t stages = 0;             ///< stages completed
    /// One sentence: the choice and its guarantee, or why there is none.
    std::string summary;
};

/// Constrained KN under common random numbers (the header comment). Use:
///
///     Procedure p(settings, max_alternatives);
///     while (!p.done()) {
///         // run replications [r, r + p.next_stage_size()) of every alternative in
///         // p.survivors(), the same replication index with the same random numbers (CRN)
///         p.add_stage(outputs);  // [survivor position][replication][output]
///     }
///     p.decision();
///
/// Always: survivors() are in increasing index order and all have had the same number of
/// replications; nothing is decided between stage ends; the same outputs give the same decisions.
class Procedure {
public:
    /// [alternative in survivors() order][replication of this stage][output].
    using Outputs = std::vector<std::vector<std::vector<double>>>;

    /// Checks the settings and fixes the constants. Throws std::invalid_argument, with a message
    /// naming the setting, when they are inconsistent, and when there are more than
    /// `max_alternatives` alternatives (DESIGN §11: more is refused).
    Procedure(Settings settings, std::size_t max_alternatives);

    /// Gives the procedure one stage's outputs and decides at the stage end. Throws
    /// std::invalid_argument when the shape is not survivors() × next_stage_size() × outputs or
    /// a value is not finite, std::logic_error once done().
    void add_stage(const Outputs& outputs);

    /// The alternatives to sample in the next stage, in increasing index order.
    const std::vector<std::size_t>& survivors() const { return survivors_; }
    /// Replications per survivor in the next stage: n0, then Δn.
    std::int64_t next_stage_size() const;
    /// Whether the procedure has stopped (decided, or out of budget).
    bool done() const { return status_ != Status::running; }
    /// Where it stands; complete once done().
    Decision decision() const;
    /// One record per completed stage.
    const std::vector<StageRecord>& history() const { return history_; }
    /// The constants it runs with.
    const Constants& constants() const { return constants_; }
    /// The settings it was given.
    const Settings& settings() const { return settings_; }
    /// Runs used so far.
    std::int64_t runs() const { return runs_; }

private:
    void first_stage_variances(const Outputs& outputs);
    void accumulate(const Outputs& outputs);
    void check_feasibility(std::vector<std::size_t>& infeasible_now, StageRecord& record);
    void compare(std::vector<std::size_t>& worse_now);
    void conclude();

    Settings settings_;
    Constants constants_;
    std::size_t k_ = 0;
    Status status_ = Status::running;
    std::vector<std::size_t> survivors_;
    std::int64_t replications_ = 0;  ///< r of the survivors
    std::int64_t runs_ = 0;
    std::int64_t stage_ = 0;  ///< stages completed
    /// sums_[i][o]: sum of output o over alternative i's replications.
    std::vector<std::vector<double>> sums_;
    /// KN's S²_il of the objective (symmetric, first stage).
    std::vector<std::vector<double>> pair_variance_;
    /// S²_iℓ of constraint ℓ's batch means (first stage, at least the floor).
    std::vector<std::vector<double>> constraint_variance_;
    /// decided_[i][ℓ]: constraint ℓ of alternative i decided feasible.
    std::vector<std::vector<bool>> decided_;
    std::vector<Fate> fates_;
    std::vector<StageRecord> history_;
};

}  // namespace mss::optimize
