// tests/optimize/validate_optimize.cpp — `mss-validate-optimize`: the procedure of
// sim/optimize/procedure.hpp on the M/M/c staffing problem with known answers
// (tests/optimize/mmc_problem.hpp), or on normal outputs with known means (the normal-catch
// problems below), over independent macro-replications. Counts the correct
// selections and tests H0: P(correct selection) >= 1 − α with a one-sided exact binomial test;
// reports the runs used against Rinott's. Exit 0 when H0 is not rejected, 1 when it is, 2 on a
// usage error. `make validate-optimize` runs the full version, ctest the short one (and the
// weakened procedure, which the short one must reject). docs/optimize.md "Validation: M/M/c
// with known answers".
#include <boost/math/distributions/binomial.hpp>
#include <boost/random/normal_distribution.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <numbers>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sim/kernel/random.hpp"
#include "sim/optimize/procedure.hpp"
#include "sim/optimize/rinott.hpp"
#include "tests/optimize/mmc_problem.hpp"

namespace {

namespace mo = mss::optimize;
namespace mmc = mss::optimize::mmc;

/// Which M/M/c problem (tests/optimize/mmc_problem.hpp).
enum class Which {
    hard,                      ///< hard_problem: 12 plans, one constraint
    catch_objective,           ///< catch_problem without a constraint: one pair at exactly δ
    catch_feasibility,         ///< catch_problem with its constraint: two checks at exactly ε
    normal_catch,              ///< normal outputs: one pair at exactly δ, no constraint
    normal_catch_feasibility,  ///< normal outputs: two checks at exactly ε
};

/// The command line; 0 (or less) for a number means the problem's default (defaults()).
struct Options {
    Which which = Which::hard;
    bool short_version = false;  ///< the CI version: fewer macro-replications
    long macro = 0;              ///< macro-replications
    std::uint64_t seed = 20240;  ///< macro-replication m uses master seed seed + m
    bool weakened = false;       ///< region_scale 0.5
    bool expect_reject = false;  ///< succeed only when H0 is rejected
    double confidence = 0.95;    ///< 1 − α
    double level = 0.01;         ///< the binomial test's level
    std::int64_t first_stage = 0;
    std::int64_t increment = 0;
    int jobs = 1;                      ///< threads over macro-replications
    long check = 0;                    ///< > 0: print simulated means of this many replications
    double epsilon = 0.0;              ///< ε: the answer's tail is x − ε
    std::int64_t customers = 0;        ///< customers counted per replication
    std::int64_t warmup = -1;          ///< >= 0: customers deleted per replication
    double lead = 0.0;                 ///< δ (see the problems)
    std::int64_t objective_batch = 1;  ///< KN on batch means of this many replications
};

/// Fills what the command line left to the problem.
void defaults(Options& o) {
    struct D {
        long macro, short_macro;
        std::int64_t n0, increment, customers;
        double lead, epsilon;
    };
    // The catch problems: n0 = 10 and Δn = 1, so that decisions come close to the continuous
    // boundary that the regions are built for, and more macro-replications, so that the halved
    // procedure's PCS falls far below the test's threshold. The normal ones take 10,000 (a
    // fraction of a second): docs/optimize.md "Validation: M/M/c with known answers".
    D d{};
    switch (o.which) {
        case Which::hard:
            d = {400, 100, 20, 5, 500, 3.0, 0.01};
            break;
        case Which::catch_objective:
            d = {1000, 1000, 10, 1, 100, 1.5, 0.0};
            break;
        case Which::catch_feasibility:
            d = {1000, 1000, 10, 1, 100, 20.0, 0.02};
            break;
        case Which::normal_catch:
            d = {10000, 10000, 10, 1, 0, 1.0, 0.0};
            break;
        case Which::normal_catch_feasibility:
            d = {10000, 10000, 10, 1, 0, 20.0, 0.5};
            break;
    }
    if (o.macro <= 0) o.macro = o.short_version ? d.short_macro : d.macro;
    if (o.first_stage <= 0) o.first_stage = d.n0;
    if (o.increment <= 0) o.increment = d.increment;
    if (o.customers <= 0) o.customers = d.customers;
    if (o.lead <= 0.0) o.lead = d.lead;
    if (o.epsilon <= 0.0) o.epsilon = d.epsilon;
}

const char* const usage =
    "usage: mss-validate-optimize [--problem NAME] [--short]\n"
    "         [--macro M] [--seed S] [--weakened] [--expect-reject]\n"
    "         [--confidence P] [--level L] [--n0 N] [--increment D] [--jobs J] [--check R]\n"
    "         [--lead DELTA] [--epsilon EPS] [--customers N] [--warmup N]\n"
    "         [--objective-batch B]\n"
    "  --problem        hard (default): 12 M/M/c plans, one constraint; catch: 2 M/M/c plans\n"
    "                   at exactly delta, no constraint; catch-feasibility: 2 M/M/c plans at\n"
    "                   exactly x +- epsilon; normal-catch, normal-catch-feasibility: the same\n"
    "                   on normal outputs with known means (CI's catch of the halved region)\n"
    "  --short          the CI version (hard: 100 macro-replications, not 400)\n"
    "  --weakened       the continuation regions halved (Settings::region_scale = 0.5)\n"
    "  --expect-reject  exit 0 when H0 is rejected, 1 when it is not\n"
    "  --check R        print the means of R replications of every plan beside the exact ones\n"
    "  --objective-batch B  KN on batch means of B replications (Objective::batch; B divides\n"
    "                   n0 and the increment)\n"
    "exit 0: H0 (PCS >= confidence) not rejected (with --expect-reject: rejected); 1: the\n"
    "other; 2: usage\n";

bool parse(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&](const char* name) -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "mss-validate-optimize: %s needs a value\n", name);
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--short") {
            o.short_version = true;
        } else if (a == "--problem") {
            const std::string w = value("--problem");
            if (w == "hard")
                o.which = Which::hard;
            else if (w == "catch")
                o.which = Which::catch_objective;
            else if (w == "catch-feasibility")
                o.which = Which::catch_feasibility;
            else if (w == "normal-catch")
                o.which = Which::normal_catch;
            else if (w == "normal-catch-feasibility")
                o.which = Which::normal_catch_feasibility;
            else
                return false;
        } else if (a == "--weakened") {
            o.weakened = true;
        } else if (a == "--expect-reject") {
            o.expect_reject = true;
        } else if (a == "--macro") {
            o.macro = std::atol(value("--macro"));
        } else if (a == "--seed") {
            o.seed = std::strtoull(value("--seed"), nullptr, 10);
        } else if (a == "--confidence") {
            o.confidence = std::atof(value("--confidence"));
        } else if (a == "--level") {
            o.level = std::atof(value("--level"));
        } else if (a == "--n0") {
            o.first_stage = std::atol(value("--n0"));
        } else if (a == "--objective-batch") {
            o.objective_batch = std::atol(value("--objective-batch"));
        } else if (a == "--increment") {
            o.increment = std::atol(value("--increment"));
        } else if (a == "--jobs") {
            o.jobs = std::atoi(value("--jobs"));
        } else if (a == "--check") {
            o.check = std::atol(value("--check"));
        } else if (a == "--epsilon") {
            o.epsilon = std::atof(value("--epsilon"));
        } else if (a == "--customers") {
            o.customers = std::atol(value("--customers"));
        } else if (a == "--warmup") {
            o.warmup = std::atol(value("--warmup"));
        } else if (a == "--lead") {
            o.lead = std::atof(value("--lead"));
        } else {
            return false;
        }
    }
    defaults(o);
    return o.macro > 0 && o.jobs > 0 && o.confidence > 0.0 && o.confidence < 1.0 && o.level > 0.0 &&
           o.level < 1.0;
}

/// What a macro-replication samples: the plans' outputs {objective, constrained output} by
/// replication, and the right answer.
struct Bench {
    std::size_t plans = 0;
    std::size_t best = 0;                      ///< the correct selection
    mo::Objective objective;                   ///< output 0
    std::optional<mo::Constraint> constraint;  ///< on output 1
    std::vector<double> objective_mean;        ///< exact, per plan
    std::vector<double> constraint_mean;       ///< exact, per plan
    const char* constraint_name = "tail";
    /// Outputs of plan `plan` in replication `replication` of master seed `seed`.
    std::function<std::vector<double>(std::size_t plan, std::uint64_t seed,
                                      std::uint64_t replication)>
        replicate;
};

/// The normal-catch problems: two plans whose outputs are normal with known means, correlated
/// across plans within a replication (common random numbers through a shared component). Output
/// o of plan i in replication j is
///   mean[i][o] + kSharedSd[o] · z_jo + kOwnSd[o] · e_ijo,
/// z and e standard normal, drawn from the stream "validate-optimize/normal" of (seed, j) in
/// the order z_j0, e_0j0, e_1j0, z_j1, e_0j1, e_1j1 (every plan's draws are made, so a plan's
/// outputs do not depend on which one asks). The objective has sd 4 in each plan and in the
/// difference of the plans (correlation ½): δ = 1 is a quarter of it, where KN's PCS at exactly
/// δ is close to its limit for small δ (and the halved region's far below 1 − α). The constrained
/// output has sd 2, and ε = 0.5 is again a quarter.
/// - normal-catch: minimise; plan 0 has mean `lead` = δ, plan 1 (the answer) 0: one pair at
///   exactly δ, no constraint, so KN uses all of α on it.
/// - normal-catch-feasibility: constraint mean ≤ 0 with tolerance ε = `epsilon`; plan 1 (the
///   answer) has constrained mean −ε (feasible by exactly ε) and objective 0, plan 0 +ε
///   (infeasible by exactly ε) and objective −`lead`, far enough below that once declared
///   feasible it wins: a correct selection needs both feasibility decisions right.
constexpr double kSharedSd[2] = {2.0 * std::numbers::sqrt2, std::numbers::sqrt2};
constexpr double kOwnSd[2] = {2.0 * std::numbers::sqrt2, std::numbers::sqrt2};

Bench normal_bench(bool constrained, double lead, double epsilon) {
    Bench b;
    b.plans = 2;
    b.best = 1;
    b.objective = {0, mo::Sense::minimise, lead};
    if (constrained) {
        b.constraint = mo::Constraint{1, mo::Bound::at_most, 0.0, epsilon, 1, 0.0};
        b.objective_mean = {-lead, 0.0};
        b.constraint_mean = {epsilon, -epsilon};
    } else {
        b.objective_mean = {lead, 0.0};
        b.constraint_mean = {0.0, 0.0};
    }
    b.constraint_name = "constrained output";
    b.replicate = [om = b.objective_mean, cm = b.constraint_mean](
                      std::size_t plan, std::uint64_t seed, std::uint64_t replication) {
        mss::kernel::RandomStream stream(seed, replication, "validate-optimize/normal");
        boost::random::normal_distribution<double> normal;
        const std::vector<double>* means[2] = {&om, &cm};
        std::vector<double> out(2);
        for (std::size_t o = 0; o < 2; ++o) {
            const double z = normal(stream);
            for (std::size_t i = 0; i < 2; ++i) {
                const double e = normal(stream);
                if (i == plan) out[o] = (*means[o])[i] + kSharedSd[o] * z + kOwnSd[o] * e;
            }
        }
        return out;
    };
    return b;
}

struct Result {
    std::size_t chosen = SIZE_MAX;  ///< SIZE_MAX: none (no feasible plan, or budget)
    std::int64_t runs = 0;
    std::int64_t rinott_runs = 0;  ///< Rinott's total on this macro-replication's first stage
};

/// One macro-replication: the procedure to its end, replication j of every plan on the
/// streams of (seed, j).
Result macro_replication(const Bench& b, const mo::Settings& s, double rinott_h,
                         std::uint64_t seed) {
    mo::Procedure proc(s, b.plans);
    std::uint64_t next = 0;
    Result r;
    while (!proc.done()) {
        const auto n = static_cast<std::uint64_t>(proc.next_stage_size());
        mo::Procedure::Outputs stage;
        for (std::size_t i : proc.survivors()) {
            std::vector<std::vector<double>> reps;
            for (std::uint64_t j = next; j < next + n; ++j)
                reps.push_back(b.replicate(i, seed, j));
            stage.push_back(std::move(reps));
        }
        if (next == 0) {
            // Rinott's yardstick on the same first stage: each plan's objective variance.
            std::vector<double> variances;
            for (const auto& reps : stage) {
                double mean = 0.0, ss = 0.0;
                for (const auto& o : reps)
                    mean += o[0] / static_cast<double>(n);
                for (const auto& o : reps)
                    ss += (o[0] - mean) * (o[0] - mean);
                variances.push_back(ss / static_cast<double>(n - 1));
            }
            r.rinott_runs = mo::rinott_runs(rinott_h, s.objective.delta, s.first_stage, variances);
        }
        proc.add_stage(stage);
        next += n;
    }
    const mo::Decision d = proc.decision();
    if (d.status == mo::Status::chosen && d.chosen) r.chosen = *d.chosen;
    r.runs = d.runs;
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (!parse(argc, argv, o)) {
        std::fputs(usage, stderr);
        return 2;
    }
    try {
        Bench bench;
        if (o.which == Which::normal_catch || o.which == Which::normal_catch_feasibility) {
            const bool constrained = o.which == Which::normal_catch_feasibility;
            bench = normal_bench(constrained, o.lead, o.epsilon);
            std::printf(
                "normal outputs, 2 plans, common random numbers (a shared component): objective "
                "(minimised) sd %g per plan, %g for the difference; constrained output sd %g\n",
                std::hypot(kSharedSd[0], kOwnSd[0]), std::sqrt(2.0) * kOwnSd[0],
                std::hypot(kSharedSd[1], kOwnSd[1]));
            for (std::size_t i = 0; i < bench.plans; ++i)
                std::printf("  %zu: objective mean %g%s%s\n", i, bench.objective_mean[i],
                            constrained ? (bench.constraint_mean[i] <= 0.0
                                               ? ", constrained mean -epsilon (feasible)"
                                               : ", constrained mean +epsilon (infeasible)")
                                        : "",
                            i == bench.best ? "  <- the answer" : "");
            if (constrained)
                std::printf("delta = %.10g, constraint mean <= 0, epsilon = %.10g\n", o.lead,
                            o.epsilon);
            else
                std::printf("delta = %.10g, no constraint\n", o.lead);
        } else {
            mmc::Problem p = o.which == Which::hard
                                 ? mmc::hard_problem(o.lead, o.epsilon)
                                 : mmc::catch_problem(o.which == Which::catch_feasibility, o.lead,
                                                      o.epsilon, o.customers);
            p.customers = o.customers;
            if (o.warmup >= 0) p.warmup = o.warmup;
            const mmc::Answers a = mmc::exact_answers(p);
            std::printf(
                "M/M/c staffing: lambda = %g/h, holding cost %g per customer-hour waiting, "
                "constraint P(Wq > %g h) <= x = %.10g\n"
                "replication: the first %lld customers deleted (warm-up), the next %lld "
                "counted\n%s"
                "delta = %.10g (the answer's lead over the next feasible plan), epsilon = %.10g "
                "(the nearest tail's distance from x)\n",
                p.lambda, p.holding, p.t, p.x, static_cast<long long>(p.warmup),
                static_cast<long long>(p.customers), mmc::describe(p, a).c_str(), a.delta,
                a.epsilon);
            bench.plans = p.plans.size();
            bench.best = a.best;
            // One feasible plan (catch-feasibility): δ is the infeasible plan's lead instead.
            const double delta = std::isfinite(a.delta) ? a.delta : o.lead;
            bench.objective = {0, mo::Sense::minimise, delta};
            if (p.constrained)
                bench.constraint = mo::Constraint{1, mo::Bound::at_most, p.x, a.epsilon, 1, 0.0};
            for (const mmc::Exact& e : a.plans) {
                bench.objective_mean.push_back(e.objective);
                bench.constraint_mean.push_back(e.tail);
            }
            bench.replicate = [p](std::size_t plan, std::uint64_t seed, std::uint64_t rep) {
                return mmc::replicate(p, p.plans[plan], seed, rep);
            };
        }

        if (o.check > 0) {
            for (std::size_t i = 0; i < bench.plans; ++i) {
                double obj = 0.0, tail = 0.0, obj2 = 0.0, tail2 = 0.0, diff2 = 0.0, diff = 0.0;
                for (long j = 0; j < o.check; ++j) {
                    const auto out = bench.replicate(i, o.seed, j);
                    const auto ans = bench.replicate(bench.best, o.seed, j);
                    obj += out[0] / o.check;
                    tail += out[1] / o.check;
                    obj2 += out[0] * out[0] / o.check;
                    tail2 += out[1] * out[1] / o.check;
                    diff += (out[0] - ans[0]) / o.check;
                    diff2 += (out[0] - ans[0]) * (out[0] - ans[0]) / o.check;
                }
                std::printf(
                    "  %zu: simulated mean of %ld: objective %.4f (exact %.4f, sd %.3f), "
                    "%s %.5f (exact %.5f, sd %.4f), minus the answer's: sd %.4f\n",
                    i, o.check, obj, bench.objective_mean[i], std::sqrt(obj2 - obj * obj),
                    bench.constraint_name, tail, bench.constraint_mean[i],
                    std::sqrt(tail2 - tail * tail), std::sqrt(diff2 - diff * diff));
            }
            return 0;
        }

        mo::Settings s;
        s.alternatives = bench.plans;
        s.outputs = 2;
        s.objective = bench.objective;
        s.objective.batch = o.objective_batch;
        if (bench.constraint) s.constraints.push_back(*bench.constraint);
        s.confidence = o.confidence;
        s.first_stage = o.first_stage;
        s.increment = o.increment;
        s.budget = 100'000'000;
        s.region_scale = o.weakened ? 0.5 : 1.0;
        const double h = mo::rinott_h(bench.plans, o.first_stage, o.confidence);

        const auto start = std::chrono::steady_clock::now();
        std::vector<Result> results(static_cast<std::size_t>(o.macro));
        std::vector<std::thread> threads;
        std::vector<std::exception_ptr> errors(static_cast<std::size_t>(o.jobs));
        for (int t = 0; t < o.jobs; ++t)
            threads.emplace_back([&, t] {
                try {
                    for (long m = t; m < o.macro; m += o.jobs)
                        results[static_cast<std::size_t>(m)] =
                            macro_replication(bench, s, h, o.seed + static_cast<std::uint64_t>(m));
                } catch (...) {
                    errors[static_cast<std::size_t>(t)] = std::current_exception();
                }
            });
        for (auto& t : threads)
            t.join();
        for (auto& e : errors)
            if (e) std::rethrow_exception(e);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

        long correct = 0;
        double runs = 0.0, rinott = 0.0;
        std::vector<long> chosen(bench.plans + 1, 0);
        for (const Result& r : results) {
            if (r.chosen == bench.best) ++correct;
            ++chosen[r.chosen == SIZE_MAX ? bench.plans : r.chosen];
            runs += static_cast<double>(r.runs) / o.macro;
            rinott += static_cast<double>(r.rinott_runs) / o.macro;
        }
        const boost::math::binomial bin(static_cast<double>(o.macro), o.confidence);
        const double pvalue = boost::math::cdf(bin, static_cast<double>(correct));
        long bound = -1;
        while (boost::math::cdf(bin, static_cast<double>(bound + 1)) < o.level)
            ++bound;
        const bool rejected = pvalue < o.level;

        std::printf(
            "procedure: %s, 1 - alpha = %g, n0 = %lld, increment %lld, objective batch %lld, "
            "seeds %llu..%llu\n",
            o.weakened ? "WEAKENED (continuation regions halved)" : "KN + feasibility check",
            o.confidence, static_cast<long long>(o.first_stage),
            static_cast<long long>(o.increment), static_cast<long long>(o.objective_batch),
            static_cast<unsigned long long>(o.seed),
            static_cast<unsigned long long>(o.seed + o.macro - 1));
        std::printf("chosen:");
        for (std::size_t i = 0; i < bench.plans; ++i)
            std::printf(" %zu: %ld,", i, chosen[i]);
        std::printf(" none: %ld\n", chosen[bench.plans]);
        std::printf("correct selections: %ld of %ld, PCS = %.4f\n", correct, o.macro,
                    static_cast<double>(correct) / o.macro);
        std::printf(
            "one-sided exact binomial test of H0: PCS >= %g at level %g: P(X <= %ld | n = %ld, "
            "p = %g) = %.3g; rejects at <= %ld correct: %s\n",
            o.confidence, o.level, correct, o.macro, o.confidence, pvalue, bound,
            rejected ? "REJECTED" : "not rejected");
        std::printf(
            "runs per macro-replication: mean %.1f; Rinott (h = %.5f, same k, n0, 1 - alpha, "
            "delta; first-stage variances of the objective) %.1f; ratio %.3f\n",
            runs, h, rinott, runs / rinott);
        std::printf("wall time %.1f s on %d thread(s)\n", seconds, o.jobs);
        if (o.expect_reject)
            std::printf("expected: REJECTED (the weakened procedure must be caught): %s\n",
                        rejected ? "yes" : "NO, NOT CAUGHT");
        return rejected == o.expect_reject ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mss-validate-optimize: %s\n", e.what());
        return 2;
    }
}
