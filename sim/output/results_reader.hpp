// Reading mss-sim/2 results files back: for `mss summary`, `mss merge`, resume and tests.
//
// Every reader first checks the file's shapes against each other (every per-run variable has
// the run dimension's length, every series is [run, time, contingent/airport/...] with the
// lengths of the dimension scales, the events table has its columns, ...) and the memory the
// call would take against a budget, before allocating anything: a file can claim 2e9 runs in a
// few hundred bytes (unallocated chunks), so its size is no bound.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/output/results_writer.hpp"

namespace mss::output {

/// A results file that is not what its format says: shapes that disagree, a missing or
/// mistyped variable, a chunk that does not decode, values out of range, or sizes no reader
/// can hold. The message is one line, "FILE is damaged: WHAT".
class DamagedFile : public OutputError {
public:
    using OutputError::OutputError;
};

/// A results file's shape and provenance.
struct ResultsInfo {
    std::string format;  ///< kFormat ("mss-sim/2")
    FileLayout layout;   ///< layout.rows = rows in the file
    Provenance provenance;
};

/// The per-run variables of the root, column by column.
struct RunsTable {
    std::vector<std::int64_t> run, point, replication;
    std::vector<std::uint64_t> seed;
    std::vector<std::int8_t> status;
    std::vector<std::string> kpi_names;     ///< in file order
    std::vector<std::vector<double>> kpis;  ///< [kpi][row]
};

/// Opens `path` and checks it is an mss-sim/2 file whose shapes agree (OutputError otherwise,
/// naming the file and, for a file of another format version, the version found and the one
/// expected; DamagedFile for a damaged one).
ResultsInfo read_info(const std::filesystem::path& path);
/// The per-run variables of the root (run, point, replication, seed, status, the KPIs).
RunsTable read_runs(const std::filesystem::path& path);
/// Rows [first, first + count) as complete records (series, KPIs, events).
std::vector<RunRecord> read_records(const std::filesystem::path& path, std::int64_t first,
                                    std::int64_t count);
/// Reads every dataset of `path` in bounded blocks (every chunk of every variable, the whole
/// event log) and checks the values against each other: run ids increasing and the same in
/// /series, points within /design_point, status, regime and event codes within their labels,
/// events in run order and of the file's runs. DamagedFile (or OutputError) on the first
/// problem. What `mss sweep --resume` does before it accepts an existing output as complete.
void verify_results(const std::filesystem::path& path);

/// The most memory one read may allocate (bytes): half the machine's physical memory, at least
/// 1 GiB. A file whose shapes would need more is refused as damaged before anything is
/// allocated.
std::uint64_t read_budget();
/// Overrides read_budget() (0 restores the default): for the fuzzer and tests.
void set_read_budget(std::uint64_t bytes);
/// Throws DamagedFile for `path` unless `bytes` fits read_budget(); `what` says what claims the
/// size, e.g. "/run claims 2000000000 runs".
void check_budget(const std::filesystem::path& path, const std::string& what, std::uint64_t bytes);
/// a * b, or UINT64_MAX when that overflows.
std::uint64_t mul_sat(std::uint64_t a, std::uint64_t b) noexcept;

}  // namespace mss::output
