// sim/kernel/statistics.cpp — Tally and TimeWeighted (see statistics.hpp).

#include "sim/kernel/statistics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string>

namespace mss::kernel {

namespace {

constexpr double quiet_nan = std::numeric_limits<double>::quiet_NaN();

// Shortest text that reads back as the same double, so messages show the exact times.
std::string num(double x) {
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, x);
    return std::string(buf, res.ptr);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Tally

void Tally::add(double x) {
    ++count_;
    const double delta = x - mean_;
    mean_ += delta / static_cast<double>(count_);
    m2_ += delta * (x - mean_);
    // A NaN observation sticks in min and max too (comparisons with NaN are false).
    if (x < min_ || std::isnan(x)) min_ = x;
    if (x > max_ || std::isnan(x)) max_ = x;
}

void Tally::merge(const Tally& other) {
    if (other.count_ == 0) return;
    if (count_ == 0) {
        *this = other;
        return;
    }
    const double na = static_cast<double>(count_);
    const double nb = static_cast<double>(other.count_);
    const double n = na + nb;
    const double delta = other.mean_ - mean_;
    mean_ += delta * (nb / n);
    m2_ += other.m2_ + delta * delta * (na * nb / n);
    count_ += other.count_;
    if (other.min_ < min_ || std::isnan(other.min_)) min_ = other.min_;
    if (other.max_ > max_ || std::isnan(other.max_)) max_ = other.max_;
}

double Tally::variance() const {
    if (count_ < 2) return quiet_nan;
    return m2_ / static_cast<double>(count_ - 1);
}

double Tally::sd() const {
    return std::sqrt(variance());
}

double Tally::sem() const {
    if (count_ < 2) return quiet_nan;
    return sd() / std::sqrt(static_cast<double>(count_));
}

// ---------------------------------------------------------------------------------------------
// TimeWeighted

TimeWeighted::TimeWeighted(double t0, double level0)
    : t0_(t0), t_last_(t0), level_(level0), min_(level0), max_(level0) {
    if (!std::isfinite(t0)) {
        throw std::invalid_argument("TimeWeighted: start time must be finite, got " + num(t0));
    }
    if (!std::isfinite(level0)) {
        throw std::invalid_argument("TimeWeighted: level must be finite, got " + num(level0));
    }
}

void TimeWeighted::set(double t, double level) {
    if (!std::isfinite(t)) {
        throw std::invalid_argument("TimeWeighted::set: time must be finite, got " + num(t));
    }
    if (t < t_last_) {
        throw std::invalid_argument("TimeWeighted::set: time " + num(t) +
                                    " is before the last change at " + num(t_last_));
    }
    if (!std::isfinite(level)) {
        throw std::invalid_argument("TimeWeighted::set: level must be finite, got " + num(level));
    }
    const double dt = t - t_last_;
    if (dt > 0) {
        integral_ += level_ * dt;
        // West (1979): weighted Welford update with weight dt.
        weight_ += dt;
        const double delta = level_ - wmean_;
        wmean_ += delta * (dt / weight_);
        wm2_ += dt * delta * (level_ - wmean_);
    }
    t_last_ = t;
    level_ = level;
    min_ = std::min(min_, level);
    max_ = std::max(max_, level);
}

void TimeWeighted::check_query(double t_now) const {
    if (!(t_now >= t_last_)) {
        throw std::invalid_argument("TimeWeighted: query time " + num(t_now) +
                                    " is before the last change at " + num(t_last_));
    }
}

double TimeWeighted::integral(double t_now) const {
    check_query(t_now);
    return integral_ + level_ * (t_now - t_last_);
}

double TimeWeighted::mean(double t_now) const {
    const double area = integral(t_now);
    const double span = t_now - t0_;
    if (span <= 0) return quiet_nan;
    return area / span;
}

double TimeWeighted::variance(double t_now) const {
    check_query(t_now);
    const double span = t_now - t0_;
    if (span <= 0) return quiet_nan;
    // Close the open segment [t_last_, t_now) on a copy of the running state.
    double m2 = wm2_;
    const double dt = t_now - t_last_;
    if (dt > 0) {
        const double w = weight_ + dt;
        const double delta = level_ - wmean_;
        const double mean = wmean_ + delta * (dt / w);
        m2 += dt * delta * (level_ - mean);
    }
    return m2 / span;
}

}  // namespace mss::kernel
