// The CSV trace of one run (`mss run --only RUN --trace FILE`, docs/commands.md): a second
// output back end beside the HDF5 recorder, for reading one run event by event. Like the
// recorder it sees the model only through mss::model::Observer; the names it writes come in
// TraceLabels, not from the scenario.
#pragma once

#include <atomic>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "sim/model/observer.hpp"

namespace mss::output {

/// What the trace names an event's day, contingent and airport by.
struct TraceLabels {
    std::int32_t start_days_since_epoch = 0;  ///< date of day 0
    std::vector<std::string> contingents;     ///< in scenario order (EventRecord::contingent)
    std::vector<std::string> airports;        ///< in scenario order (EventRecord::airport)
};

/// `text` as one CSV field (RFC 4180): as it is, or in double quotes (inner ones doubled) when
/// it holds a comma, a double quote or a line break.
std::string csv_field(const std::string& text);

/// Writes every event of one run to a stream as CSV, one line per event in the order they
/// arrive, after the header `t_h,date,kind,contingent,airport,count`: t_h with 17 significant
/// digits, the ISO date of the event's day, the kind's label, the contingent's name and the
/// airport's code (empty when the event has none) and the count. Use: construct (writes the
/// header), pass as the observer of one replication, then check the stream and error().
class TraceWriter final : public model::Observer {
public:
    /// Thrown by on_day once `stop` is non-zero: the run ends at the end of a simulated day.
    struct Interrupted {};

    /// Writes the header to `out`. `out`, `labels` and `stop` (when given) must outlive the
    /// writer.
    TraceWriter(std::ostream& out, const TraceLabels& labels,
                const std::atomic<int>* stop = nullptr);

    /// Throws Interrupted when a stop was requested; writes nothing.
    void on_day(const model::DaySnapshot& s) override;
    /// Writes the event's line.
    void on_event(const model::EventRecord& e) override;
    /// Writes nothing.
    void on_finish(const model::RunKpis& kpis,
                   const std::vector<model::ContingentKpis>& per_contingent,
                   const std::vector<model::PayerKpis>& per_payer) override;

    /// errno of the first write that failed, or 0.
    int error() const noexcept { return error_; }

private:
    std::ostream& out_;
    const TraceLabels& labels_;
    const std::atomic<int>* stop_;
    int error_ = 0;
};

}  // namespace mss::output
