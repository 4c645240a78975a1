#include "sim/output/trace_writer.hpp"

#include <cerrno>
#include <cstdio>
#include <ostream>

#include "sim/output/results_writer.hpp"

namespace mss::output {

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string q = "\"";
    for (const char c : text) {
        if (c == '"') q += '"';
        q += c;
    }
    return q + '"';
}

TraceWriter::TraceWriter(std::ostream& out, const TraceLabels& labels, const std::atomic<int>* stop)
    : out_(out), labels_(labels), stop_(stop) {
    out_ << "t_h,date,kind,contingent,airport,count\n";
}

void TraceWriter::on_day(const model::DaySnapshot&) {
    if (stop_ != nullptr && stop_->load() != 0) throw Interrupted{};
}

void TraceWriter::on_event(const model::EventRecord& e) {
    char t[32];
    std::snprintf(t, sizeof t, "%.17g", e.t_h);
    const auto day = static_cast<std::int32_t>(e.t_h / 24.0);
    out_ << t << ',' << iso_date(labels_.start_days_since_epoch + day) << ','
         << model::to_string(e.kind) << ','
         << csv_field(e.contingent >= 0
                          ? labels_.contingents[static_cast<std::size_t>(e.contingent)]
                          : std::string())
         << ','
         << csv_field(e.airport >= 0 ? labels_.airports[static_cast<std::size_t>(e.airport)]
                                     : std::string())
         << ',' << e.count << '\n';
    if (!out_ && error_ == 0) error_ = errno;  // the failed write's reason, before it is lost
}

void TraceWriter::on_finish(const model::RunKpis&, const std::vector<model::ContingentKpis>&,
                            const std::vector<model::PayerKpis>&) {}

}  // namespace mss::output
