// A small kernel example: an M/M/c queue (customers as processes sharing a Resource) whose
// measured mean wait is printed beside Erlang C. `mss-example-mmc [customers] [seed]`.
#include <boost/random/exponential_distribution.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "sim/kernel/kernel.hpp"
#include "sim/kernel/random.hpp"
#include "sim/kernel/statistics.hpp"

namespace {

using namespace mss::kernel;

struct Queue {
    Simulation& sim;
    Resource servers;
    RandomStream arrivals;
    RandomStream services;
    Tally wait_h;
    Simulation& simulation() { return sim; }

    Process<> customer(double service_h) {
        const double arrived = sim.now();
        auto server = co_await servers.request();
        wait_h.add(sim.now() - arrived);
        co_await sim.timeout(service_h);
    }
    Process<> source(long n, double lambda, double mu) {
        boost::random::exponential_distribution<double> gap(lambda), service(mu);
        for (long i = 0; i < n; ++i) {
            co_await sim.timeout(gap(arrivals));
            customer(service(services));
        }
    }
};

double erlang_c_wait(int c, double lambda, double mu) {
    const double a = lambda / mu, rho = a / c;
    double term = 1.0, head = 0.0;
    for (int k = 0; k < c; ++k) {
        head += term;
        term *= a / (k + 1);
    }
    const double tail = term / (1.0 - rho);
    return tail / (head + tail) / (c * mu - lambda);
}

}  // namespace

int main(int argc, char** argv) {
    const long n = argc > 1 ? std::atol(argv[1]) : 1000000;
    const unsigned long long seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 42;
    if (n <= 0) {
        std::fprintf(stderr, "usage: mss-example-mmc [customers > 0] [seed]\n");
        return 2;
    }
    const int c = 3;
    const double lambda = 2.4, mu = 1.0;
    Simulation sim;
    Queue q{sim, Resource(sim, c), RandomStream(seed, 0, "mmc/arrivals"),
            RandomStream(seed, 0, "mmc/services"), Tally{}};
    q.source(n, lambda, mu);
    sim.run();
    const double theory = erlang_c_wait(c, lambda, mu);
    std::printf("M/M/%d  lambda=%.1f/h  mu=%.1f/h  customers=%ld  seed=%llu\n", c, lambda, mu, n,
                seed);
    std::printf(
        "mean wait in queue: measured %.4f h (single-run estimate), Erlang C %.4f h, "
        "difference %+.1f%%\n",
        q.wait_h.mean(), theory, 100.0 * (q.wait_h.mean() - theory) / theory);
    std::printf("calendar entries handled: %llu\n",
                static_cast<unsigned long long>(sim.entries_handled()));
    return 0;
}
