// tests/optimize/validate_optimize.cpp — `mss-validate-optimize`: the procedure of
// sim/optimize/procedure.hpp on the M/M/c staffing problem with known answers
// (tests/optimize/mmc_problem.hpp), over independent macro-replications. Counts the correct
// selections and tests H0: P(correct selection) >= 1 − α with a one-sided exact binomial test;
// reports the runs used against Rinott's. Exit 0 when H0 is not rejected, 1 when it is, 2 on a
// usage error. `make validate-optimize` runs the full version, ctest the short one (and the
// weakened procedure, which the short one must reject). docs/optimize.md "Validation: M/M/c
// with known answers".
#include <boost/math/distributions/binomial.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "sim/optimize/procedure.hpp"
#include "sim/optimize/rinott.hpp"
#include "tests/optimize/mmc_problem.hpp"

namespace {

namespace mo = mss::optimize;
namespace mmc = mss::optimize::mmc;

/// Which M/M/c problem (tests/optimize/mmc_problem.hpp).
enum class Which {
    hard,               ///< hard_problem: 12 plans, one constraint
    catch_objective,    ///< catch_problem without a constraint: one pair at exactly δ
    catch_feasibility,  ///< catch_problem with its constraint: two checks at exactly ε
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
    int jobs = 1;                ///< threads over macro-replications
    long check = 0;              ///< > 0: print simulated means of this many replications
    double epsilon = 0.0;        ///< ε: the answer's tail is x − ε
    std::int64_t customers = 0;  ///< customers counted per replication
    std::int64_t warmup = -1;    ///< >= 0: customers deleted per replication
    double lead = 0.0;           ///< δ (see the problems)
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
    // procedure's PCS falls far below the test's threshold.
    const D d = o.which == Which::hard              ? D{400, 100, 20, 5, 500, 3.0, 0.01}
                : o.which == Which::catch_objective ? D{1000, 1000, 10, 1, 100, 1.5, 0.0}
                                                    : D{1000, 1000, 10, 1, 100, 20.0, 0.02};
    if (o.macro <= 0) o.macro = o.short_version ? d.short_macro : d.macro;
    if (o.first_stage <= 0) o.first_stage = d.n0;
    if (o.increment <= 0) o.increment = d.increment;
    if (o.customers <= 0) o.customers = d.customers;
    if (o.lead <= 0.0) o.lead = d.lead;
    if (o.epsilon <= 0.0) o.epsilon = d.epsilon;
}

const char* const usage =
    "usage: mss-validate-optimize [--problem hard|catch|catch-feasibility] [--short]\n"
    "         [--macro M] [--seed S] [--weakened] [--expect-reject]\n"
    "         [--confidence P] [--level L] [--n0 N] [--increment D] [--jobs J] [--check R]\n"
    "         [--lead DELTA] [--epsilon EPS] [--customers N] [--warmup N]\n"
    "  --problem        hard (default): 12 plans, one constraint; catch: 2 plans at exactly\n"
    "                   delta, no constraint; catch-feasibility: 2 plans at exactly x +- epsilon\n"
    "  --short          the CI version (hard: 100 macro-replications, not 400)\n"
    "  --weakened       the continuation regions halved (Settings::region_scale = 0.5)\n"
    "  --expect-reject  exit 0 when H0 is rejected, 1 when it is not\n"
    "  --check R        print the means of R replications of every plan beside Erlang C\n"
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

struct Result {
    std::size_t chosen = SIZE_MAX;  ///< SIZE_MAX: none (no feasible plan, or budget)
    std::int64_t runs = 0;
    std::int64_t rinott_runs = 0;  ///< Rinott's total on this macro-replication's first stage
};

/// One macro-replication: the procedure to its end, replication j of every plan on the
/// streams of (seed, j).
Result macro_replication(const mmc::Problem& p, const mo::Settings& s, double rinott_h,
                         std::uint64_t seed) {
    mo::Procedure proc(s, p.plans.size());
    std::uint64_t next = 0;
    Result r;
    while (!proc.done()) {
        const auto n = static_cast<std::uint64_t>(proc.next_stage_size());
        mo::Procedure::Outputs stage;
        for (std::size_t i : proc.survivors()) {
            std::vector<std::vector<double>> reps;
            for (std::uint64_t j = next; j < next + n; ++j)
                reps.push_back(mmc::replicate(p, p.plans[i], seed, j));
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
            "replication: the first %lld customers deleted (warm-up), the next %lld counted\n%s"
            "delta = %.10g (the answer's lead over the next feasible plan), epsilon = %.10g "
            "(the nearest tail's distance from x)\n",
            p.lambda, p.holding, p.t, p.x, static_cast<long long>(p.warmup),
            static_cast<long long>(p.customers), mmc::describe(p, a).c_str(), a.delta, a.epsilon);

        if (o.check > 0) {
            for (std::size_t i = 0; i < p.plans.size(); ++i) {
                double obj = 0.0, tail = 0.0, obj2 = 0.0, tail2 = 0.0, diff2 = 0.0, diff = 0.0;
                for (long j = 0; j < o.check; ++j) {
                    const auto out = mmc::replicate(p, p.plans[i], o.seed, j);
                    const auto ans = mmc::replicate(p, p.plans[a.best], o.seed, j);
                    obj += out[0] / o.check;
                    tail += out[1] / o.check;
                    obj2 += out[0] * out[0] / o.check;
                    tail2 += out[1] * out[1] / o.check;
                    diff += (out[0] - ans[0]) / o.check;
                    diff2 += (out[0] - ans[0]) * (out[0] - ans[0]) / o.check;
                }
                std::printf(
                    "  %zu: simulated mean of %ld: objective %.4f (exact %.4f, sd %.3f), "
                    "tail %.5f (exact %.5f, sd %.4f), minus the answer's: sd %.4f\n",
                    i, o.check, obj, a.plans[i].objective, std::sqrt(obj2 - obj * obj), tail,
                    a.plans[i].tail, std::sqrt(tail2 - tail * tail),
                    std::sqrt(diff2 - diff * diff));
            }
            return 0;
        }

        mo::Settings s;
        s.alternatives = p.plans.size();
        s.outputs = 2;
        // One feasible plan (catch-feasibility): δ is the infeasible plan's lead instead.
        const double delta = std::isfinite(a.delta) ? a.delta : o.lead;
        s.objective = {0, mo::Sense::minimise, delta};
        if (p.constrained) s.constraints.push_back({1, mo::Bound::at_most, p.x, a.epsilon, 1, 0.0});
        s.confidence = o.confidence;
        s.first_stage = o.first_stage;
        s.increment = o.increment;
        s.budget = 100'000'000;
        s.region_scale = o.weakened ? 0.5 : 1.0;
        const double h = mo::rinott_h(p.plans.size(), o.first_stage, o.confidence);

        const auto start = std::chrono::steady_clock::now();
        std::vector<Result> results(static_cast<std::size_t>(o.macro));
        std::vector<std::thread> threads;
        std::vector<std::exception_ptr> errors(static_cast<std::size_t>(o.jobs));
        for (int t = 0; t < o.jobs; ++t)
            threads.emplace_back([&, t] {
                try {
                    for (long m = t; m < o.macro; m += o.jobs)
                        results[static_cast<std::size_t>(m)] =
                            macro_replication(p, s, h, o.seed + static_cast<std::uint64_t>(m));
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
        std::vector<long> chosen(p.plans.size() + 1, 0);
        for (const Result& r : results) {
            if (r.chosen == a.best) ++correct;
            ++chosen[r.chosen == SIZE_MAX ? p.plans.size() : r.chosen];
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
            "procedure: %s, 1 - alpha = %g, n0 = %lld, increment %lld, seeds %llu..%llu\n",
            o.weakened ? "WEAKENED (continuation regions halved)" : "KN + feasibility check",
            o.confidence, static_cast<long long>(o.first_stage),
            static_cast<long long>(o.increment), static_cast<unsigned long long>(o.seed),
            static_cast<unsigned long long>(o.seed + o.macro - 1));
        std::printf("chosen:");
        for (std::size_t i = 0; i < p.plans.size(); ++i)
            std::printf(" %zu: %ld,", i, chosen[i]);
        std::printf(" none: %ld\n", chosen[p.plans.size()]);
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
