// One replication's results as the recorder stores them, and the observer that collects them
// from the model. The model reports through mss::model::Observer only (DESIGN §1: the recorder
// sees the model through this narrow interface).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "sim/model/observer.hpp"

namespace mss::output {

/// Outcome of a run, stored in the `status` coordinate.
enum class RunStatus : std::int8_t { ok = 0, failed = 1 };

/// A run's nine series as the results file stores them, one chunk each, in the order strength,
/// on_duty, filled, waiting_at_origin, in_transit, airport_open, airport_closed, payer_balance,
/// regime (RunRecord::float_series() order, then regime; payer_balance's chunk is empty when
/// the scenario has no payers): byte-shuffled, then deflated
/// unless that would not shrink them (output/chunk_codec.hpp). Encoded on the worker thread
/// that simulated the run, so the writer thread only copies bytes.
struct PackedSeries {
    static constexpr int kCount = 9;
    std::vector<std::uint8_t> bytes;               ///< the chunks, back to back
    std::array<std::uint32_t, kCount> size{};      ///< encoded bytes of each chunk
    std::array<std::uint32_t, kCount> raw_size{};  ///< bytes of each chunk before encoding
    std::uint16_t deflated = 0;                    ///< bit i: chunk i is deflated
    bool empty() const noexcept { return raw_size == std::array<std::uint32_t, kCount>{}; }
};

/// A run's events column by column, as /events stores them: appending costs about what it
/// costs for an array of records, and the writer and the record codec copy and shuffle whole
/// columns instead of visiting every event.
struct EventColumns {
    std::vector<double> t_h;
    std::vector<std::uint8_t> kind;  ///< model::EventKind
    std::vector<std::int16_t> contingent, airport;
    std::vector<std::int32_t> count;

    EventColumns() = default;
    EventColumns(std::initializer_list<model::EventRecord> events) {
        reserve(events.size());
        for (const auto& e : events)
            push_back(e);
    }
    std::size_t size() const noexcept { return t_h.size(); }
    bool empty() const noexcept { return t_h.empty(); }
    void push_back(const model::EventRecord& e) {
        t_h.push_back(e.t_h);
        kind.push_back(static_cast<std::uint8_t>(e.kind));
        contingent.push_back(e.contingent);
        airport.push_back(e.airport);
        count.push_back(e.count);
    }
    /// Event i (a copy).
    model::EventRecord operator[](std::size_t i) const {
        return {t_h[i], static_cast<model::EventKind>(kind[i]), contingent[i], airport[i],
                count[i]};
    }
    void reserve(std::size_t n) {
        t_h.reserve(n);
        kind.reserve(n);
        contingent.reserve(n);
        airport.reserve(n);
        count.reserve(n);
    }
    void resize(std::size_t n) {
        t_h.resize(n);
        kind.resize(n);
        contingent.resize(n);
        airport.resize(n);
        count.resize(n);
    }
};

/// A run's events as five column slices of little-endian bytes, in EventColumns' types but
/// not necessarily aligned (straight out of an encoded record, for instance): what the writer
/// shuffles into its /events chunks. Points into memory it does not own.
struct EventSlices {
    std::size_t n = 0;  ///< events
    const void* t_h = nullptr;
    const void* kind = nullptr;
    const void* contingent = nullptr;
    const void* airport = nullptr;
    const void* count = nullptr;

    static EventSlices of(const EventColumns& e) noexcept {
        return {e.size(),         e.t_h.data(),  e.kind.data(), e.contingent.data(),
                e.airport.data(), e.count.data()};
    }
};

/// Everything recorded for one run. Series are day-major: value (day d, column c) is at
/// [d * columns + c].
struct RunRecord {
    std::int64_t run = 0;  ///< run id = point * replications + replication
    std::int64_t point = 0;
    std::int64_t replication = 0;
    std::uint64_t seed = 0;  ///< the master seed
    RunStatus status = RunStatus::ok;
    double wall_s = 0.0;  ///< wall-clock seconds (excluded from identity checks)
    model::RunKpis kpis;
    std::vector<model::ContingentKpis> contingent_kpis;
    std::vector<model::PayerKpis> payer_kpis;
    std::vector<float> strength, on_duty, filled, waiting_at_origin,
        in_transit;                     ///< [day][contingent]
    std::vector<float> airport_open;    ///< [day][airport]
    std::vector<float> airport_closed;  ///< [day][airport][closure class]
    std::vector<float> payer_balance;   ///< [day][payer], USD
    std::vector<std::int8_t> regime;    ///< [day]
    /// The series encoded for the file; when set, the raw series above may be empty (a record
    /// that travelled through a journal or an MPI message carries only this).
    PackedSeries packed;
    EventColumns events;
    std::int64_t events_dropped = 0;  ///< beyond the scenario's max_events_per_run

    /// Number of float series (all but regime), in PackedSeries order.
    static constexpr std::size_t kFloatSeries = PackedSeries::kCount - 1;
    /// The float series in PackedSeries order (regime, the last chunk, is not a float).
    std::array<std::vector<float>*, kFloatSeries> float_series() noexcept {
        return {&strength,   &on_duty,      &filled,         &waiting_at_origin,
                &in_transit, &airport_open, &airport_closed, &payer_balance};
    }
    std::array<const std::vector<float>*, kFloatSeries> float_series() const noexcept {
        return {&strength,   &on_duty,      &filled,         &waiting_at_origin,
                &in_transit, &airport_open, &airport_closed, &payer_balance};
    }
    /// Releases the raw series (once they are packed).
    void drop_raw_series() noexcept {
        for (auto* s : float_series())
            *s = {};
        regime = {};
    }
};

/// Collects a RunRecord from the model's reports.
class RunCollector final : public model::Observer {
public:
    /// Collects into `record`; with `events`, keeps the first `max_events` events and counts
    /// the rest; without, asks the model for none.
    RunCollector(RunRecord& record, bool events, std::int64_t max_events)
        : r_(record), events_(events), max_events_(max_events) {}

    bool wants_events() const override { return events_; }
    void on_day(const model::DaySnapshot& s) override {
        append(r_.strength, s.strength);
        append(r_.on_duty, s.on_duty);
        append(r_.filled, s.filled);
        append(r_.waiting_at_origin, s.waiting_at_origin);
        append(r_.in_transit, s.in_transit);
        append(r_.airport_open, s.airport_open);
        append(r_.airport_closed, s.airport_closed);
        append(r_.payer_balance, s.payer_balance);
        r_.regime.push_back(s.regime);
    }
    void on_event(const model::EventRecord& e) override {
        if (static_cast<std::int64_t>(r_.events.size()) < max_events_)
            r_.events.push_back(e);
        else
            ++r_.events_dropped;
    }
    void on_finish(const model::RunKpis& kpis,
                   const std::vector<model::ContingentKpis>& per_contingent,
                   const std::vector<model::PayerKpis>& per_payer) override {
        r_.kpis = kpis;
        r_.contingent_kpis = per_contingent;
        r_.payer_kpis = per_payer;
    }

private:
    static void append(std::vector<float>& to, const std::vector<float>& from) {
        to.insert(to.end(), from.begin(), from.end());
    }
    RunRecord& r_;
    bool events_;
    std::int64_t max_events_;
};

}  // namespace mss::output
