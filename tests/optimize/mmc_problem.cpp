// tests/optimize/mmc_problem.cpp — the M/M/c staffing problem: Erlang C and the kernel's queue.
#include "tests/optimize/mmc_problem.hpp"

#include <boost/math/tools/roots.hpp>
#include <boost/random/exponential_distribution.hpp>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "sim/kernel/kernel.hpp"
#include "sim/kernel/random.hpp"

namespace mss::optimize::mmc {

double erlang_c(int c, double a) {
    if (c < 1 || !(a > 0.0) || !(a < c))
        throw std::invalid_argument("erlang_c: needs c >= 1 and 0 < a < c");
    double term = 1.0, head = 0.0;  // term = a^j / j!
    for (int j = 0; j < c; ++j) {
        head += term;
        term *= a / (j + 1);
    }
    const double tail = term / (1.0 - a / c);
    return tail / (head + tail);
}

double mean_wait(int c, double lambda, double mu) {
    return erlang_c(c, lambda / mu) / (c * mu - lambda);
}

double wait_tail(int c, double lambda, double mu, double t) {
    return erlang_c(c, lambda / mu) * std::exp(-(c * mu - lambda) * t);
}

Answers exact_answers(const Problem& p) {
    Answers a;
    const double inf = std::numeric_limits<double>::infinity();
    double best = inf;
    a.epsilon = inf;
    for (std::size_t i = 0; i < p.plans.size(); ++i) {
        const Plan& plan = p.plans[i];
        if (!(p.lambda < plan.servers * plan.rate))
            throw std::invalid_argument("exact_answers: plan " + std::to_string(i) +
                                        " is unstable (λ >= cμ)");
        Exact e;
        e.objective = plan.servers * plan.wage +
                      p.holding * p.lambda * mean_wait(plan.servers, p.lambda, plan.rate);
        e.tail = wait_tail(plan.servers, p.lambda, plan.rate, p.t);
        e.feasible = !p.constrained || e.tail <= p.x;
        if (p.constrained) a.epsilon = std::min(a.epsilon, std::abs(e.tail - p.x));
        if (e.feasible && e.objective < best) {
            best = e.objective;
            a.best = i;
        }
        a.plans.push_back(e);
    }
    if (best == inf) throw std::invalid_argument("exact_answers: no plan is feasible");
    a.delta = inf;
    for (std::size_t i = 0; i < a.plans.size(); ++i)
        if (i != a.best && a.plans[i].feasible)
            a.delta = std::min(a.delta, a.plans[i].objective - best);
    return a;
}

double rate_for_tail(int c, double lambda, double t, double tail) {
    // P(Wq > t) falls from about 1 (cμ just above λ) to 0 as μ grows: bisection on μ.
    auto gap = [&](double mu) { return wait_tail(c, lambda, mu, t) - tail; };
    double lo = lambda / c * (1.0 + 1e-9), hi = lambda / c + 1.0;
    while (gap(hi) > 0.0)
        hi *= 2.0;
    if (!(gap(lo) > 0.0)) throw std::invalid_argument("rate_for_tail: tail out of reach");
    const auto r = boost::math::tools::bisect(
        gap, lo, hi, [](double a, double b) { return std::abs(b - a) <= 1e-15 * b; });
    return 0.5 * (r.first + r.second);
}

namespace {

/// A plan with `c` servers whose tail P(Wq > t) and objective are the given ones.
Plan grade(const Problem& p, int c, double tail, double objective) {
    const double rate = rate_for_tail(c, p.lambda, p.t, tail);
    const double wage = (objective - p.holding * p.lambda * mean_wait(c, p.lambda, rate)) / c;
    return {c, rate, wage};
}

}  // namespace

Problem hard_problem(double lead, double epsilon) {
    Problem p;
    p.lambda = 4.0;
    p.holding = 100.0;
    p.t = 0.25;
    p.warmup = 200;
    p.customers = 500;
    for (int c = 5; c <= 8; ++c)
        p.plans.push_back({c, 1.0, 40.0});
    // The answer, c = 7 at μ = 1, feasible by exactly ε.
    const double answer_tail = wait_tail(7, p.lambda, 1.0, p.t);
    p.x = answer_tail + epsilon;
    const double best = 7 * 40.0 + p.holding * p.lambda * mean_wait(7, p.lambda, 1.0);
    // Each further plan a grade of its own: the rate puts its tail at x − ε or x + ε, the wage
    // its objective at best + lead (feasible, the indifference zone's edge) or best − lead
    // (better, but infeasible by exactly ε).
    for (int c : {3, 4, 5, 6, 8, 9})
        p.plans.push_back(grade(p, c, answer_tail, best + lead));
    for (int c : {4, 6})
        p.plans.push_back(grade(p, c, p.x + epsilon, best - lead));
    return p;
}

Problem catch_problem(bool constrained, double lead, double epsilon, std::int64_t customers) {
    Problem p;
    p.lambda = 4.0;
    p.holding = 100.0;
    p.t = 0.25;
    p.warmup = 200;
    p.customers = customers;
    p.constrained = constrained;
    p.plans.push_back({7, 1.0, 40.0});
    const double answer_tail = wait_tail(7, p.lambda, 1.0, p.t);
    const double best = 7 * 40.0 + p.holding * p.lambda * mean_wait(7, p.lambda, 1.0);
    if (constrained) {
        p.x = answer_tail + epsilon;
        p.plans.push_back(grade(p, 6, p.x + epsilon, best - lead));
    } else {
        p.x = 1.0;
        p.plans.push_back(grade(p, 8, answer_tail, best + lead));
    }
    return p;
}

namespace {

using namespace mss::kernel;

/// One replication's queue: customers are processes that hold one of the servers while served.
struct Queue {
    Simulation& sim;
    const Problem& problem;
    double rate;
    Resource servers;
    RandomStream arrivals;
    RandomStream services;
    std::vector<Customer>* log = nullptr;  ///< when set, every customer in arrival order
    double wait_sum = 0.0;
    std::int64_t counted = 0;
    std::int64_t late = 0;
    Simulation& simulation() { return sim; }

    Process<> customer(double service_h, bool counted_customer, std::size_t index) {
        const double arrived = sim.now();
        auto server = co_await servers.request();
        const double wait = sim.now() - arrived;
        if (counted_customer) {
            wait_sum += wait;
            ++counted;
            if (wait > problem.t) ++late;
        }
        if (log != nullptr) (*log)[index].wait_h = wait;
        co_await sim.timeout(service_h);
    }
    Process<> source() {
        boost::random::exponential_distribution<double> gap(problem.lambda), work(1.0);
        const auto arriving = static_cast<std::size_t>(problem.warmup + problem.customers);
        for (std::size_t index = 0; index < arriving; ++index) {
            co_await sim.timeout(gap(arrivals));
            const bool count = index >= static_cast<std::size_t>(problem.warmup);
            // A unit requirement divided by the rate: plans of any rate share it (CRN).
            const double service_h = work(services) / rate;
            if (log != nullptr) log->push_back({sim.now(), service_h, -1.0, count});
            customer(service_h, count, index);
        }
    }
};

Queue make_queue(Simulation& sim, const Problem& p, const Plan& plan, std::uint64_t seed,
                 std::uint64_t replication) {
    return Queue{sim,
                 p,
                 plan.rate,
                 Resource(sim, static_cast<std::size_t>(plan.servers)),
                 RandomStream(seed, replication, "mmc/arrivals"),
                 RandomStream(seed, replication, "mmc/services")};
}

}  // namespace

std::vector<double> replicate(const Problem& p, const Plan& plan, std::uint64_t seed,
                              std::uint64_t replication) {
    Simulation sim;
    Queue q = make_queue(sim, p, plan, seed, replication);
    q.source();
    sim.run();
    const double n = static_cast<double>(q.counted);
    const double wait = q.counted > 0 ? q.wait_sum / n : 0.0;
    const double late = q.counted > 0 ? static_cast<double>(q.late) / n : 0.0;
    return {plan.servers * plan.wage + p.holding * p.lambda * wait, late};
}

std::vector<Customer> trace(const Problem& p, const Plan& plan, std::uint64_t seed,
                            std::uint64_t replication) {
    std::vector<Customer> log;
    Simulation sim;
    Queue q = make_queue(sim, p, plan, seed, replication);
    q.log = &log;
    q.source();
    sim.run();
    return log;
}

std::string describe(const Problem& p, const Answers& a) {
    std::string out;
    char line[200];
    for (std::size_t i = 0; i < p.plans.size(); ++i) {
        const Plan& plan = p.plans[i];
        const Exact& e = a.plans[i];
        std::snprintf(line, sizeof line,
                      "  %zu: c = %d, mu = %g/h, wage %g: objective %.10g, P(Wq > %g h) = %.10g"
                      " (%s%s)\n",
                      i, plan.servers, plan.rate, plan.wage, e.objective, p.t, e.tail,
                      e.feasible ? "feasible" : "infeasible", i == a.best ? ", the answer" : "");
        out += line;
    }
    return out;
}

}  // namespace mss::optimize::mmc
