// Reading mss-sim/2 results files back: for `mss summary`, `mss merge`, resume and tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/output/results_writer.hpp"

namespace mss::output {

/// A results file's shape and provenance.
struct ResultsInfo {
    std::string format;  ///< kFormat ("mss-sim/2")
    FileLayout layout;   ///< layout.rows = rows in the file
    Provenance provenance;
};

/// The /runs table, column by column.
struct RunsTable {
    std::vector<std::int64_t> run, point, replication;
    std::vector<std::uint64_t> seed;
    std::vector<std::int8_t> status;
    std::vector<std::string> kpi_names;     ///< in file order
    std::vector<std::vector<double>> kpis;  ///< [kpi][row]
};

/// Opens `path` and checks it is an mss-sim/2 file (OutputError otherwise, naming the file and,
/// for a file of another format version, the version found and the one expected).
ResultsInfo read_info(const std::filesystem::path& path);
/// The per-run variables of the root (run, point, replication, seed, status, the KPIs).
RunsTable read_runs(const std::filesystem::path& path);
/// Rows [first, first + count) as complete records (series, KPIs, events).
std::vector<RunRecord> read_records(const std::filesystem::path& path, std::int64_t first,
                                    std::int64_t count);

}  // namespace mss::output
