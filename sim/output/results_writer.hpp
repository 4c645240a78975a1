// The HDF5 results recorder: writes the `mss-sim/2` format (DESIGN §5, docs/results.md).
// One writer owns the file; runs arrive in row order and are written a block of rows at a
// time, so memory stays bounded however many runs a file holds.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sim/output/run_record.hpp"

namespace mss::output {

/// The format this program writes and reads: the root attribute `format`.
inline constexpr const char* kFormat = "mss-sim/2";

/// Raised for any failure to create or write a results file (exit code 1 in `mss`).
class OutputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// What fixes the shape of a results file.
struct FileLayout {
    std::int32_t start_days_since_epoch = 0;  ///< date of day 0
    std::int32_t days = 0;                    ///< series length
    std::vector<std::string> contingents;     ///< in scenario order
    std::vector<std::string> airports;        ///< in scenario order
    std::vector<std::string> payers;        ///< in scenario order; none when money is not modelled
    std::vector<std::string> regimes;       ///< violence regimes (may be empty)
    std::vector<double> regime_shares;      ///< stationary shares, same order
    std::vector<std::string> factor_names;  ///< sweep factors (none for a plain run)
    std::vector<std::vector<double>> points;  ///< [point][factor]; one empty row for a plain run
    std::int64_t rows = 0;                    ///< runs the file will hold
};

/// Who made the file and from what (root attributes and /scenario).
struct Provenance {
    std::string command_line;
    std::string scenario_toml;  ///< fully resolved scenario (overrides applied)
    std::string sweep_toml;     ///< resolved sweep file, empty for a plain run
    std::string sweep_hash;     ///< the sweep's identity hash, empty for a plain run
    std::vector<std::pair<std::string, std::string>> extra;  ///< more root attributes
};

/// ISO date (YYYY-MM-DD) of `days` since 1970-01-01.
std::string iso_date(std::int32_t days_since_epoch);

/// "1.10.8": the HDF5 library this program runs with.
std::string hdf5_version();

/// True once a results file could not be closed (its metadata could not be written: a full
/// disk). HDF5 1.10 then crashes in its own exit handlers, so the program must end with
/// std::_Exit after flushing its output (sim/app/main.cpp does).
bool results_file_left_open() noexcept;

/// Writes one results file. Use: construct, append every row in order, finish().
/// A writer destroyed without finish() leaves an incomplete file that the caller discards.
/// Write failures throw OutputError naming the file and, where the system gave one, the reason.
class ResultsWriter {
public:
    /// Creates (truncates) `path`. `block_rows` runs are buffered per write.
    ResultsWriter(const std::filesystem::path& path, FileLayout layout, const Provenance& prov,
                  std::size_t block_rows = 32);
    ~ResultsWriter();
    ResultsWriter(const ResultsWriter&) = delete;
    ResultsWriter& operator=(const ResultsWriter&) = delete;

    /// Appends the next row. Its series must have the layout's shape. Its events are
    /// `record.events`, or `events` if given (then `record.events` must be empty): slices that
    /// need to stay valid only until append() returns.
    void append(RunRecord record, const EventSlices* events = nullptr);
    /// Writes what is buffered and closes the file; all `rows` must have been appended.
    void finish();
    /// Rows appended so far.
    std::int64_t rows_appended() const noexcept;

private:
    struct Impl;
    void release_impl() noexcept;
    std::unique_ptr<Impl> impl_;
};

}  // namespace mss::output
