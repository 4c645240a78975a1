// sim/experiment/summary.cpp — see the header.
#include "sim/experiment/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

#include "sim/model/dates.hpp"

namespace mss::experiment {

namespace {

/// Columns aligned to their widest cell (the first `left` columns to the left, the others to
/// the right), two spaces apart; a `span` row is printed as it is.
class TextTable {
public:
    explicit TextTable(std::size_t left) : left_(left) {}
    void row(std::vector<std::string> cells) { rows_.push_back({std::move(cells), false}); }
    void span(std::string line) { rows_.push_back({{std::move(line)}, true}); }
    std::string str() const {
        std::vector<std::size_t> width;
        for (const auto& r : rows_) {
            if (r.span) continue;
            width.resize(std::max(width.size(), r.cells.size()), 0);
            for (std::size_t c = 0; c < r.cells.size(); ++c)
                width[c] = std::max(width[c], display_width(r.cells[c]));
        }
        std::string out;
        for (const auto& r : rows_) {
            std::string line;
            if (r.span) {
                line = r.cells.front();
            } else {
                for (std::size_t c = 0; c < r.cells.size(); ++c) {
                    const std::string pad(width[c] - display_width(r.cells[c]), ' ');
                    if (c > 0) line += "  ";
                    line += c < left_ ? r.cells[c] + pad : pad + r.cells[c];
                }
            }
            line.erase(line.find_last_not_of(' ') + 1);
            out += line + "\n";
        }
        return out;
    }

private:
    /// Characters, not bytes (UTF-8 in factor values).
    static std::size_t display_width(const std::string& s) {
        return static_cast<std::size_t>(
            std::count_if(s.begin(), s.end(), [](char ch) { return (ch & 0xC0) != 0x80; }));
    }
    struct Row {
        std::vector<std::string> cells;
        bool span;
    };
    std::size_t left_;
    std::vector<Row> rows_;
};

std::string num(double x) {
    return format_number(x);
}

std::string interval(const Interval& i) {
    if (std::isnan(i.low)) return "-";
    return "[" + num(i.low) + ", " + num(i.high) + "]";
}

/// "value [low, high]", "-" when there is no value.
std::string value_interval(double value, const Interval& i) {
    if (std::isnan(value)) return "-";
    return num(value) + (std::isnan(i.low) ? "" : " " + interval(i));
}

/// Day index x as the date start + floor(x); `-` for NaN, `never` for +inf.
std::string date_of(double x, std::int64_t start_day) {
    if (std::isnan(x)) return "-";
    if (std::isinf(x)) return x > 0 ? "never" : "-";
    return model::civil_from_days(start_day + static_cast<std::int64_t>(std::floor(x)));
}

std::string date_interval(const Interval& i, std::int64_t start_day) {
    if (std::isnan(i.low)) return "-";
    return "[" + date_of(i.low, start_day) + ", " + date_of(i.high, start_day) + "]";
}

std::string count_of(std::int64_t k, std::int64_t n) {
    return std::to_string(k) + "/" + std::to_string(n);
}

std::string unit_cell(const std::string& unit) {
    return unit.empty() ? "-" : unit;
}

/// A contrast cell: "diff [low, high]", `*` when the interval excludes 0, "(m)" when fewer
/// than `all` pairs had values.
std::string contrast_cell(double diff, const Interval& ci, std::int64_t m, std::int64_t all) {
    std::string s = value_interval(diff, ci);
    if (ci.excludes_zero()) s += "*";
    if (m < all) s += " (" + std::to_string(m) + ")";
    return s;
}

}  // namespace

std::vector<PointRuns> ok_runs_by_point(const output::RunsTable& table, std::size_t points) {
    std::vector<PointRuns> out(points);
    for (std::size_t p = 0; p < points; ++p) {
        out[p].point = static_cast<std::int64_t>(p);
        out[p].values.resize(table.kpi_names.size());
    }
    // Rows by (point, replication): a point's runs in replication order, whatever the row
    // order of the file.
    std::map<std::pair<std::int64_t, std::int64_t>, std::size_t> rows;
    for (std::size_t i = 0; i < table.run.size(); ++i) {
        if (table.status[i] != 0) continue;
        if (table.point[i] < 0 || static_cast<std::size_t>(table.point[i]) >= points) continue;
        rows.emplace(std::make_pair(table.point[i], table.replication[i]), i);
    }
    for (const auto& [key, i] : rows) {
        PointRuns& p = out[static_cast<std::size_t>(key.first)];
        p.replications.push_back(key.second);
        for (std::size_t k = 0; k < table.kpi_names.size(); ++k)
            p.values[k].push_back(table.kpis[k][i]);
    }
    return out;
}

std::vector<KpiStats> point_stats(const PointRuns& runs, const std::vector<std::string>& kpi_names,
                                  const std::vector<std::size_t>& kpis) {
    std::vector<KpiStats> out;
    for (std::size_t k : kpis)
        out.push_back(kpi_stats(kpi_info(kpi_names[k]), runs.values[k]));
    return out;
}

std::vector<Contrast> point_contrasts(const PointRuns& p, const PointRuns& r,
                                      const std::vector<std::string>& kpi_names,
                                      const std::vector<std::size_t>& kpis) {
    // The positions of the replications both ran ok (both lists are ascending).
    std::vector<std::pair<std::size_t, std::size_t>> both;
    for (std::size_t i = 0, j = 0; i < p.replications.size() && j < r.replications.size();) {
        if (p.replications[i] < r.replications[j]) {
            ++i;
        } else if (r.replications[j] < p.replications[i]) {
            ++j;
        } else {
            both.emplace_back(i++, j++);
        }
    }
    std::vector<Contrast> out;
    for (std::size_t k : kpis) {
        std::vector<double> a, b;
        for (const auto& [i, j] : both) {
            a.push_back(p.values[k][i]);
            b.push_back(r.values[k][j]);
        }
        out.push_back(paired_contrast(kpi_info(kpi_names[k]), a, b));
    }
    return out;
}

std::int64_t ok_pairs(const PointRuns& p, const PointRuns& r) {
    std::int64_t n = 0;
    for (std::int64_t rep : p.replications)
        n += std::binary_search(r.replications.begin(), r.replications.end(), rep) ? 1 : 0;
    return n;
}

const std::vector<std::string>& default_point_kpis() {
    static const std::vector<std::string> names = {
        "days_to_foc", "mean_filled_frac", "min_filled_frac", "gap_person_days", "cost_usd"};
    return names;
}

std::string factor_cell(const std::string& text, double value) {
    if (text.empty()) return format_number(value);
    char* end = nullptr;
    const double x = std::strtod(text.c_str(), &end);
    if (end != text.c_str() && *end == '\0' && std::isfinite(x)) return format_number(x);
    return text;
}

std::string format_kpi_table(const std::vector<KpiStats>& rows, std::int64_t start_day) {
    bool starred = false, first_day = false;
    for (const auto& s : rows) {
        starred = starred || (!s.kpi.first_day && s.conditional() && s.n > 0);
        first_day = first_day || s.kpi.first_day;
    }
    // A column for the `*` of conditional means keeps the numbers aligned.
    const auto mean_cells = [&](const KpiStats& s, bool star) {
        std::vector<std::string> cells = {num(s.mean)};
        if (starred) cells.push_back(star ? "*" : "");
        return cells;
    };
    TextTable t(2);
    {
        std::vector<std::string> head = {"KPI", "unit", "n/runs", "mean"};
        if (starred) head.push_back("");
        for (const char* h : {"95% CI of the mean", "sd", "P10", "P50", "P90", "min", "max"})
            head.push_back(h);
        t.row(head);
    }
    for (const auto& s : rows) {
        std::vector<std::string> cells;
        if (s.kpi.first_day) {
            // The lead line: the share reaching it, then the conditional statistics.
            std::string lead = s.kpi.name + ": reached " + count_of(s.n, s.runs);
            if (s.runs > 0)
                lead += " = " + num(s.reached) + ", 95% CI " + interval(s.reached_ci) + " (Wilson)";
            t.span(lead);
            cells = {"  mean if reached", unit_cell(s.kpi.unit), count_of(s.n, s.runs)};
        } else {
            cells = {s.kpi.name, unit_cell(s.kpi.unit), count_of(s.n, s.runs)};
        }
        for (auto& c : mean_cells(s, !s.kpi.first_day && s.conditional() && s.n > 0))
            cells.push_back(std::move(c));
        for (const auto& c : {interval(s.ci), num(s.sd), num(s.p10), num(s.p50), num(s.p90),
                              num(s.min), num(s.max)})
            cells.push_back(c);
        t.row(cells);
        if (s.kpi.first_day) {
            std::vector<std::string> dates = {"  date", "", "", date_of(s.mean, start_day)};
            if (starred) dates.emplace_back("");
            for (const auto& c :
                 {date_interval(s.ci, start_day), std::string(), date_of(s.p10, start_day),
                  date_of(s.p50, start_day), date_of(s.p90, start_day), date_of(s.min, start_day),
                  date_of(s.max, start_day)})
                dates.push_back(c);
            t.row(dates);
        }
    }
    std::string out = t.str();
    if (first_day)
        out +=
            "reached: share of runs reaching the day, 95% Wilson interval; mean, CI and sd over "
            "the "
            "runs reaching it; P10-max over all runs, never = not within the horizon\n";
    if (starred) out += "* mean over the n runs with a value (n < runs)\n";
    return out;
}

std::string format_binding(const BindingShares& b) {
    if (b.counts.size() != binding_kpis().size() + 1 || b.runs == 0) return {};
    std::vector<std::string> names = binding_names();
    names.push_back("nothing");
    std::vector<std::vector<std::string>> cells;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const std::int64_t k = b.counts[i];
        cells.push_back({names[i], count_of(k, b.runs),
                         num(static_cast<double>(k) / static_cast<double>(b.runs)),
                         interval(wilson_interval(k, b.runs))});
    }
    std::string out =
        "\nwhat binds: the largest of funds_held_person_days, beds_held_person_days,\n"
        "lift_held_person_days and pipeline_billet_days over the binding window (docs/model.md)\n";
    std::size_t w0 = 0, w1 = 0, w2 = 0;
    for (const auto& c : cells) {
        w0 = std::max(w0, c[0].size());
        w1 = std::max(w1, c[1].size());
        w2 = std::max(w2, c[2].size());
    }
    for (const auto& c : cells)
        out += "  " + c[0] + std::string(w0 - c[0].size() + 2, ' ') + "binds in " +
               std::string(w1 - c[1].size(), ' ') + c[1] +
               " runs = " + std::string(w2 - c[2].size(), ' ') + c[2] + "  95% CI " + c[3] + "\n";
    out += "(share of runs: 95% Wilson interval; ties go to the first listed)\n";
    return out;
}

BindingShares point_binding(const PointRuns& runs, const std::vector<std::string>& kpi_names) {
    std::vector<const std::vector<double>*> columns;
    for (const std::string& name : binding_kpis()) {
        const auto it = std::find(kpi_names.begin(), kpi_names.end(), name);
        if (it == kpi_names.end()) return {};
        columns.push_back(&runs.values[static_cast<std::size_t>(it - kpi_names.begin())]);
    }
    return binding_shares(columns);
}

std::string format_point_table(const std::vector<std::string>& factor_names,
                               const std::vector<PointRow>& rows) {
    TextTable t(1 + factor_names.size());
    std::vector<std::string> head = {"point"};
    for (const auto& f : factor_names)
        head.push_back(f);
    head.emplace_back("runs");
    std::vector<std::string> what(head.size(), "");
    bool first_day = false, starred = false;
    if (!rows.empty()) {
        for (const auto& s : rows.front().kpis) {
            head.push_back(s.kpi.name);
            what.push_back(s.kpi.first_day ? "reached [95% CI]" : "mean [95% CI]");
            first_day = first_day || s.kpi.first_day;
        }
    }
    t.row(head);
    t.row(what);
    for (const auto& r : rows) {
        std::vector<std::string> cells = {std::to_string(r.point)};
        for (const auto& f : r.factors)
            cells.push_back(f);
        cells.push_back(std::to_string(r.runs));
        for (const auto& s : r.kpis) {
            if (s.kpi.first_day) {
                cells.push_back(value_interval(s.reached, s.reached_ci));
            } else if (s.conditional() && s.n > 0) {
                starred = true;
                cells.push_back(num(s.mean) + "*" +
                                (std::isnan(s.ci.low) ? "" : " " + interval(s.ci)));
            } else {
                cells.push_back(value_interval(s.mean, s.ci));
            }
        }
        t.row(cells);
    }
    std::string out = t.str();
    if (first_day) out += "reached: share of runs reaching the day, 95% Wilson interval\n";
    if (starred) out += "* mean over the runs with a value (fewer than all)\n";
    return out;
}

std::string format_contrast_table(const std::vector<std::string>& factor_names,
                                  const std::vector<ContrastRow>& rows) {
    TextTable t(1 + factor_names.size());
    std::vector<std::string> head = {"point"};
    for (const auto& f : factor_names)
        head.push_back(f);
    head.emplace_back("pairs");
    std::vector<std::string> what(head.size(), "");
    bool partial = false;
    if (!rows.empty()) {
        for (const auto& c : rows.front().kpis) {
            if (c.kpi.first_day) {
                head.push_back(c.kpi.name);
                what.emplace_back("reached");
                head.emplace_back("");
                what.emplace_back("day if both reached");
            } else {
                head.push_back(c.kpi.name);
                what.emplace_back("");
            }
        }
    }
    t.row(head);
    if (std::any_of(what.begin(), what.end(), [](const std::string& w) { return !w.empty(); }))
        t.row(what);  // only with a first-day KPI
    for (const auto& r : rows) {
        std::vector<std::string> cells = {std::to_string(r.point)};
        for (const auto& f : r.factors)
            cells.push_back(f);
        cells.push_back(std::to_string(r.pairs));
        for (const auto& c : r.kpis) {
            if (c.kpi.first_day)
                cells.push_back(
                    contrast_cell(c.reached_diff, c.reached_diff_ci, c.reached_pairs, r.pairs));
            cells.push_back(contrast_cell(c.diff, c.diff_ci, c.pairs, r.pairs));
            partial = partial || c.pairs < r.pairs;
        }
        t.row(cells);
    }
    std::string out = t.str();
    out += "difference point - reference [paired 95% CI]; * the interval excludes 0";
    out += partial ? "; (m) pairs with both values when fewer than all\n" : "\n";
    return out;
}

std::string format_contrast_kpi_table(const ContrastRow& row) {
    TextTable t(2);
    t.row({"KPI", "unit", "pairs", "difference", "95% CI", ""});
    for (const auto& c : row.kpis) {
        const auto mark = [](const Interval& i) {
            return std::string(i.excludes_zero() ? "*" : "");
        };
        if (c.kpi.first_day) {
            t.row({c.kpi.name + ": reached", "1", count_of(c.reached_pairs, row.pairs),
                   num(c.reached_diff), interval(c.reached_diff_ci), mark(c.reached_diff_ci)});
            t.row({"  day if both reached", unit_cell(c.kpi.unit), count_of(c.pairs, row.pairs),
                   num(c.diff), interval(c.diff_ci), mark(c.diff_ci)});
        } else {
            t.row({c.kpi.name, unit_cell(c.kpi.unit), count_of(c.pairs, row.pairs), num(c.diff),
                   interval(c.diff_ci), mark(c.diff_ci)});
        }
    }
    return t.str() +
           "difference point - reference over the replications both ran (pairs with values / "
           "all); paired 95% CI; * the interval excludes 0\n";
}

std::string format_stats_csv(const std::vector<PointRow>& rows) {
    std::string out =
        "point,kpi,unit,runs,n,reached,reached_low,reached_high,mean,ci_low,ci_high,sd,p10,p50,"
        "p90,min,max\n";
    const auto c = [](double x) { return "," + format_csv_number(x); };
    for (const auto& r : rows) {
        for (const auto& s : r.kpis) {
            out += std::to_string(r.point) + "," + s.kpi.name + "," + s.kpi.unit + "," +
                   std::to_string(s.runs) + "," + std::to_string(s.n) + c(s.reached) +
                   c(s.reached_ci.low) + c(s.reached_ci.high) + c(s.mean) + c(s.ci.low) +
                   c(s.ci.high) + c(s.sd) + c(s.p10) + c(s.p50) + c(s.p90) + c(s.min) + c(s.max) +
                   "\n";
        }
    }
    return out;
}

std::string format_contrast_csv(std::int64_t reference, const std::vector<ContrastRow>& rows) {
    std::string out =
        "point,reference,kpi,unit,pairs,diff,diff_low,diff_high,reached_pairs,reached_diff,"
        "reached_diff_low,reached_diff_high\n";
    const auto c = [](double x) { return "," + format_csv_number(x); };
    for (const auto& r : rows) {
        for (const auto& k : r.kpis) {
            out += std::to_string(r.point) + "," + std::to_string(reference) + "," + k.kpi.name +
                   "," + k.kpi.unit + "," + std::to_string(k.pairs) + c(k.diff) + c(k.diff_ci.low) +
                   c(k.diff_ci.high) + "," +
                   (k.kpi.first_day ? std::to_string(k.reached_pairs) : std::string()) +
                   c(k.reached_diff) + c(k.reached_diff_ci.low) + c(k.reached_diff_ci.high) + "\n";
        }
    }
    return out;
}

}  // namespace mss::experiment
