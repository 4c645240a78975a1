// A RunRecord as bytes: the payload of a journal record (journal.hpp) and of an MPI message
// (mpi_driver.hpp). Everything the results file stores is kept, bit for bit (NaN payloads
// included), so a record that went through the codec writes the same rows as the original.
//
// Layout, version 4, in the machine's byte order (little-endian only: journals and MPI jobs
// stay on one architecture; DESIGN §2 limits identity to one binary anyway):
//   u8 version = 4
//   i64 run, point, replication; u64 seed; i8 status; f64 wall_s
//   u32 K, then K f64: the KPIs in model::kpi_columns() order; u64 events_handled
//   i64 events_dropped
//   u32 C, u32 K2, then C x K2 f64: the contingent KPIs in model::contingent_kpi_columns()
//       order, contingent by contingent
//   the series as the results file stores them (output::PackedSeries: shuffled and deflated
//   chunks, encoded on the worker that simulated the run): u8 deflated mask, 8 x (u32 raw size,
//   u32 encoded size), u64 n then the n bytes of the chunks. A record with raw series only is
//   packed while encoding; a decoded record carries the packed series only.
//   u64 E, then the E events column by column (output::EventColumns): E f64 t_h, E u8 kind,
//   E i16 contingent, E i16 airport, E i32 count (17 bytes per event)
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "sim/output/run_record.hpp"

namespace mss::experiment {

/// Raised when bytes are not a valid encoded record.
class CodecError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Appends the encoding of `r` to `out`.
void encode_record(const output::RunRecord& r, std::string& out);
/// The encoding of `r`.
std::string encode_record(const output::RunRecord& r);
/// Decodes one record; the bytes must be exactly one encoding (CodecError otherwise). With
/// `events`, the events are not copied into the record: `*events` gets slices of `bytes`
/// (valid as long as they are), checked like the copy would be.
output::RunRecord decode_record(std::string_view bytes, output::EventSlices* events = nullptr);
/// The run id of an encoded record, without decoding the rest (CodecError if too short).
std::int64_t encoded_run_id(std::string_view bytes);

}  // namespace mss::experiment
