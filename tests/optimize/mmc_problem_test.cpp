// tests/optimize/mmc_problem: the M/M/c problem that validates the procedure (docs/optimize.md
// "Validation: M/M/c with known answers"). Its Erlang C functions against values computed
// independently, and the kernel's queue against the Kiefer–Wolfowitz recursion on the same
// draws, customer by customer.
#include <catch2/catch.hpp>

#include <algorithm>
#include <boost/random/exponential_distribution.hpp>
#include <cmath>
#include <cstdint>
#include <vector>

#include "sim/kernel/random.hpp"
#include "tests/optimize/mmc_problem.hpp"

namespace mmc = mss::optimize::mmc;

namespace {

/// The waits of a FIFO queue with `servers` servers from arrival times and service times
/// (Kiefer & Wolfowitz 1955): the servers' free times kept sorted, each arrival takes the one
/// free earliest and waits max(0, that time − arrival).
std::vector<double> kiefer_wolfowitz(int servers, const std::vector<double>& arrival,
                                     const std::vector<double>& service) {
    std::vector<double> free(static_cast<std::size_t>(servers), 0.0);
    std::vector<double> wait;
    for (std::size_t n = 0; n < arrival.size(); ++n) {
        const double start = std::max(arrival[n], free.front());
        wait.push_back(start - arrival[n]);
        free.front() = start + service[n];
        std::sort(free.begin(), free.end());
    }
    return wait;
}

}  // namespace

// Values from /usr/bin/python3 (scipy 1.10.1), computed independently of mmc_problem.cpp: Erlang
// C through Erlang B's recursion B(0) = 1, B(j) = a B(j − 1) / (j + a B(j − 1)), then
// C = c B / (c − a (1 − B)); checked against the birth–death chain's stationary probability of
// c or more in system, from scipy.stats.poisson.pmf(j, a) for j < c and the geometric tail
// pmf(c, a) / (1 − a/c), normalised (the two agree to 4e-16 on every row). Then
// E[Wq] = C / (cμ − λ) and P(Wq > t) = C exp(−(cμ − λ) t), printed with %.17g.
TEST_CASE("Erlang C and the wait's mean and tail match independently computed values",
          "[optimize][mmc]") {
    struct Row {
        int c;
        double lambda, mu, t;
        double erlang_c, mean_wait, tail;
    };
    // clang-format off
    const Row rows[] = {
        {4, 3.0, 0.9, 0.5, 0.65772165219679013, 1.0962027536613168, 0.48725218408426574},
        {6, 4.0, 1.15, 0.25, 0.17346961030463542, 0.059817107001598431, 0.084015594237647262},
        {1, 0.5, 1.0, 1.0, 0.5, 1, 0.30326532985631671},
        {2, 1.5, 1.0, 0.5, 0.64285714285714279, 1.2857142857142856, 0.50065764626018883},
        {3, 2.4, 1.0, 1.0, 0.6471910112359549, 1.078651685393258, 0.35518595774175182},
        {5, 4.0, 1.0, 0.25, 0.55411255411255411, 0.55411255411255411, 0.43154329105255335},
        {7, 4.0, 1.0, 0.25, 0.13511017284602189, 0.0450367242820073, 0.06382152658751801},
        {8, 4.0, 1.0, 0.25, 0.059043994695266111, 0.014760998673816528, 0.021721071773024101},
        {10, 9.5, 1.0, 0.1, 0.82558557812569844, 1.6511711562513969, 0.78532129435659737},
        {20, 15.0, 1.0, 0.2, 0.16042938741692356, 0.032085877483384713, 0.05901867339041466},
    };
    // clang-format on
    for (const Row& r : rows) {
        CAPTURE(r.c, r.lambda, r.mu, r.t);
        CHECK(mmc::erlang_c(r.c, r.lambda / r.mu) == Approx(r.erlang_c).epsilon(1e-12));
        CHECK(mmc::mean_wait(r.c, r.lambda, r.mu) == Approx(r.mean_wait).epsilon(1e-12));
        CHECK(mmc::wait_tail(r.c, r.lambda, r.mu, r.t) == Approx(r.tail).epsilon(1e-12));
    }
    CHECK_THROWS(mmc::erlang_c(3, 3.0));  // a = c: no steady state
    CHECK_THROWS(mmc::erlang_c(0, 0.5));
}

TEST_CASE("the kernel's M/M/c queue gives every customer the Kiefer-Wolfowitz wait",
          "[optimize][mmc]") {
    // The validation problem's answer (c = 7, μ = 1) and its most loaded plan (c = 5, μ = 1),
    // and a faster grade of the problem (c = 3), each on a short run; warm-up customers included.
    mmc::Problem p = mmc::hard_problem(3.0, 0.01);
    p.warmup = 80;
    p.customers = 400;
    for (std::size_t plan : {std::size_t{0}, std::size_t{2}, std::size_t{4}}) {
        for (std::uint64_t rep : {std::uint64_t{0}, std::uint64_t{7}}) {
            const mmc::Plan& pl = p.plans[plan];
            CAPTURE(plan, pl.servers, pl.rate, rep);
            const std::vector<mmc::Customer> kernel = mmc::trace(p, pl, 20240, rep);

            // The same draws, made here from fresh streams in the order the source makes them.
            mss::kernel::RandomStream arrivals(20240, rep, "mmc/arrivals");
            mss::kernel::RandomStream services(20240, rep, "mmc/services");
            boost::random::exponential_distribution<double> gap(p.lambda), work(1.0);
            std::vector<double> arrival, service;
            double now = 0.0;
            for (std::int64_t n = 0; n < p.warmup + p.customers; ++n) {
                now += gap(arrivals);
                arrival.push_back(now);
                service.push_back(work(services) / pl.rate);
            }
            const std::vector<double> wait = kiefer_wolfowitz(pl.servers, arrival, service);

            REQUIRE(kernel.size() == arrival.size());
            CHECK(std::count_if(kernel.begin(), kernel.end(),
                                [](const mmc::Customer& c) { return c.counted; }) == p.customers);
            std::size_t waited = 0, mismatches = 0;
            for (std::size_t n = 0; n < kernel.size(); ++n) {
                CAPTURE(n);
                CHECK(kernel[n].arrival_h == arrival[n]);
                CHECK(kernel[n].service_h == service[n]);
                if (std::abs(kernel[n].wait_h - wait[n]) > 1e-9) {
                    ++mismatches;
                    if (mismatches <= 5)  // the first few, not hundreds
                        CHECK(kernel[n].wait_h == Approx(wait[n]).margin(1e-9));
                }
                if (wait[n] > 0.0) ++waited;
            }
            CHECK(mismatches == 0);
            CHECK(waited > 10);  // the queue was really used
        }
    }
}
