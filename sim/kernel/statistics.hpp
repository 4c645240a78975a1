// sim/kernel/statistics.hpp — running statistics for the kernel (DESIGN §2 "Statistics").
//
// Tally summarises observations (waiting times, delays): count, mean, variance, min, max.
// TimeWeighted summarises a level that holds between changes (queue length, strength on the
// ground): its time average, time-weighted variance, min and max. Both use one-pass,
// numerically stable updates (Welford; Chan et al. to merge; West's weighted form for
// TimeWeighted), keep O(1) state and never store the observations.
//
// Undefined results are NaN, never 0: the mean of an empty Tally, the variance of fewer than
// two observations, the time average over an interval of zero length. The model records
// NaN in results as "no data", so a KPI never shows a made-up zero.

#pragma once

#include <cstdint>
#include <limits>

namespace mss::kernel {

/// Summary of a sequence of observations. Merging two tallies gives (up to rounding) the
/// tally of both sequences, so replications or threads can be summarised separately.
class Tally {
public:
    /// Records one observation (NaN propagates into every statistic).
    void add(double x);
    /// Adds every observation summarised by `other` (Chan, Golub & LeVeque's pairwise update).
    void merge(const Tally& other);

    /// Number of observations.
    std::uint64_t count() const { return count_; }
    /// Sample mean; NaN when empty.
    double mean() const { return count_ == 0 ? nan_ : mean_; }
    /// Sample variance with divisor n - 1; NaN when fewer than two observations.
    double variance() const;
    /// Sample standard deviation, sqrt(variance()).
    double sd() const;
    /// Standard error of the mean, sd() / sqrt(count()); NaN when fewer than two observations.
    double sem() const;
    /// Smallest observation; NaN when empty.
    double min() const { return count_ == 0 ? nan_ : min_; }
    /// Largest observation; NaN when empty.
    double max() const { return count_ == 0 ? nan_ : max_; }

private:
    static constexpr double nan_ = std::numeric_limits<double>::quiet_NaN();

    std::uint64_t count_ = 0;
    double mean_ = 0.0;
    double m2_ = 0.0;  // sum of squared deviations from the running mean
    double min_ = std::numeric_limits<double>::infinity();
    double max_ = -std::numeric_limits<double>::infinity();
};

/// Time-weighted summary of a piecewise-constant level: the level set at time t holds until
/// the next set(). Times never decrease. Queries take the current time `t_now` (>= the last
/// set() time) and count the level in force as held up to then. min() and max() are over every
/// level ever set, including the initial one and levels that held for zero time (a queue that
/// grows and shrinks at the same instant still reached that length).
class TimeWeighted {
public:
    /// Starts observing at time `t0` with level `level0`. Throws std::invalid_argument if
    /// either is not finite.
    TimeWeighted(double t0, double level0);

    /// The level becomes `level` at time `t`. Throws std::invalid_argument if `t` is before the
    /// last change, or if `t` or `level` is not finite.
    void set(double t, double level);

    /// Integral of the level from the start to `t_now`.
    double integral(double t_now) const;
    /// Time average from the start to `t_now`; NaN when `t_now` equals the start.
    double mean(double t_now) const;
    /// Time-weighted (population) variance over the start to `t_now`; NaN when no time passed.
    double variance(double t_now) const;
    /// Smallest level ever set.
    double min() const { return min_; }
    /// Largest level ever set.
    double max() const { return max_; }
    /// The level in force now.
    double level() const { return level_; }
    /// The time observation started.
    double start_time() const { return t0_; }
    /// The time of the last change (the start if none).
    double last_time() const { return t_last_; }

private:
    void check_query(double t_now) const;

    double t0_;
    double t_last_;
    double level_;
    double integral_ = 0.0;  // over closed segments [t0_, t_last_)
    double weight_ = 0.0;    // total duration of closed segments
    double wmean_ = 0.0;     // West's running weighted mean over closed segments
    double wm2_ = 0.0;       // West's weighted sum of squared deviations
    double min_;
    double max_;
};

}  // namespace mss::kernel
