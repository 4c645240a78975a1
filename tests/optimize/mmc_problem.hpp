// tests/optimize/mmc_problem.hpp — the M/M/c staffing problem with known answers that validates
// the ranking-and-selection procedure (sim/optimize/procedure.hpp; docs/optimize.md
// "Validation: M/M/c with known answers"). Test support, not product: the kernel's M/M/c queue
// (the pattern of sim/kernel/example_mmc.cpp) gives one replication's outputs, Erlang C the
// exact means they estimate.
//
// A plan staffs a single FIFO queue with Poisson arrivals (rate λ per hour) with c servers of
// service rate μ, each paid `wage` per hour. Its objective, to minimise, is the cost per hour
//   c · wage + holding · λ · E[Wq],
// (wages plus the holding cost of the customers waiting), and its constraint is
// P(Wq > t) ≤ x. Both are exact from Erlang C, with a = λ/μ < c:
//   C(c, a) = [a^c / (c! (1 − a/c))] / [Σ_{j<c} a^j / j! + a^c / (c! (1 − a/c))],
//   E[Wq] = C(c, a) / (cμ − λ),   P(Wq > t) = C(c, a) e^{−(cμ − λ) t}.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mss::optimize::mmc {

/// Erlang C: the probability that an arriving customer waits, c servers, offered load a < c.
double erlang_c(int c, double a);
/// E[Wq]: the mean wait in queue of M/M/c in steady state (hours).
double mean_wait(int c, double lambda, double mu);
/// P(Wq > t): the probability of waiting longer than t hours in steady state.
double wait_tail(int c, double lambda, double mu, double t);

/// The service rate μ at which M/M/c has P(Wq > t) = tail (bisection; throws
/// std::invalid_argument when no rate gives it).
double rate_for_tail(int c, double lambda, double t, double tail);

/// One staffing plan (one alternative of the procedure).
struct Plan {
    int servers = 1;    ///< c
    double rate = 1.0;  ///< μ, services per hour per server
    double wage = 0.0;  ///< cost per server per hour
};

/// The queue, the costs and the plans; the length of a replication.
struct Problem {
    double lambda = 1.0;      ///< arrivals per hour
    double holding = 1.0;     ///< cost per customer per hour waiting
    double t = 0.0;           ///< the constraint's wait threshold (hours)
    double x = 0.0;           ///< the constraint's bound on P(Wq > t)
    bool constrained = true;  ///< false: no constraint, every plan feasible (t, x unused)
    /// Customers deleted: the first this many to arrive are not counted. A count, not a time: the
    /// first customer to arrive after a fixed time finds the queue emptier than a typical
    /// customer does (it follows an interarrival gap that spans that time, a length-biased one),
    /// and a mean over the next few hundred customers is biased low by it (docs/optimize.md
    /// "Validation: M/M/c with known answers").
    std::int64_t warmup = 0;
    std::int64_t customers = 0;  ///< customers counted: the next this many (then arrivals stop
                                 ///< and the queue drains)
    std::vector<Plan> plans;     ///< the alternatives, index = alternative
};

/// The exact values of one plan.
struct Exact {
    double objective = 0.0;  ///< c · wage + holding · λ · E[Wq]
    double tail = 0.0;       ///< P(Wq > t)
    bool feasible = false;   ///< tail ≤ x
};

/// What the problem's numbers give: per plan, the best feasible plan, δ and ε.
struct Answers {
    std::vector<Exact> plans;
    std::size_t best = 0;  ///< the feasible plan of least objective
    double delta = 0.0;    ///< its lead over the next feasible plan
    double epsilon = 0.0;  ///< the least distance of a plan's tail from x (unconstrained: ∞)
};

/// Erlang C for every plan of `p` (throws std::invalid_argument when a plan is unstable or no
/// plan is feasible).
Answers exact_answers(const Problem& p);

/// The validation problem, `lead` = δ and `epsilon` = ε (the program's defaults 3 and 0.01):
/// λ = 4/h, holding cost 100 per customer-hour, t = 0.25 h. Plans c = 5..8 at μ = 1/h and wage
/// 40; the answer is c = 7, whose tail P(Wq > t) sets x = tail + ε (feasible by exactly ε; c = 6
/// is better but far infeasible). Eight more plans, each a grade of its own (rate from
/// rate_for_tail, wage solved from the objective): c = 3, 4, 5, 6, 8, 9 with the answer's tail
/// (feasible by exactly ε) and objective best + δ; c = 4, 6 with tail x + ε (infeasible by
/// exactly ε) and objective best − δ. Warm-up 200 customers (about 50 h), then 500 counted.
Problem hard_problem(double lead, double epsilon);

/// The problem on which the weakened procedure (Settings::region_scale = 0.5) must fail, with
/// `customers` counted per replication after a warm-up of 200. Two plans: the hard problem's
/// answer (c = 7, μ = 1/h, wage 40) and one more, a grade of its own (c = 8, or c = 6 when
/// constrained; rate from rate_for_tail, wage solved from the objective).
/// - Unconstrained: the second plan has the answer's tail and objective best + `lead`, so KN
///   decides one pair at exactly δ = lead and uses all of its α.
/// - Constrained: x = the answer's tail + ε; the second plan has tail x + ε (infeasible by
///   exactly ε) and objective best − `lead`, far enough below that once it is declared feasible
///   it wins: a correct selection needs both feasibility decisions right.
Problem catch_problem(bool constrained, double lead, double epsilon, std::int64_t customers);

/// One replication's outputs of plan `plan`: {objective estimate, fraction of the counted
/// customers that waited longer than t}, starting empty. The objective estimate is c · wage +
/// holding · λ · (mean wait of the counted customers: customers warmup + 1 to warmup +
/// customers in order of arrival; those before are deleted). Streams "mmc/arrivals" and
/// "mmc/services" of (seed, replication): every plan sees the same arrivals and the same unit
/// service requirements in replication `replication` (common random numbers).
std::vector<double> replicate(const Problem& p, const Plan& plan, std::uint64_t seed,
                              std::uint64_t replication);

/// One customer of a replication, as the kernel's queue saw it.
struct Customer {
    double arrival_h = 0.0;  ///< arrival time
    double service_h = 0.0;  ///< service time (the unit requirement divided by the rate)
    double wait_h = 0.0;     ///< time from arrival to taking a server
    bool counted = false;    ///< one of the customers the replication's outputs average over
};

/// Every customer of the replication that replicate() runs with the same arguments, warm-up
/// included, in arrival order (what tests compare with the Kiefer–Wolfowitz recursion).
std::vector<Customer> trace(const Problem& p, const Plan& plan, std::uint64_t seed,
                            std::uint64_t replication);

/// One line per plan: c, μ, wage, exact objective and tail, feasible or not.
std::string describe(const Problem& p, const Answers& a);

}  // namespace mss::optimize::mmc
