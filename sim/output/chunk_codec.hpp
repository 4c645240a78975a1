// Chunks encoded as HDF5's standard pipeline "shuffle, then deflate" stores them, so that the
// results writer can hand finished bytes to H5Dwrite_chunk. Encoding is the recorder's main cost:
// zlib's level 1 costs about as much CPU as simulating a run, ISA-L's level-1 deflate writes the
// same zlib stream format (RFC 1950) an order of magnitude faster. Every HDF5 reader (h5py,
// h5dump, netCDF) decodes the chunks with the stock filters. Chunks of a run's series are encoded
// on the worker thread that simulated it (pack_series), so the writer thread only copies bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/output/run_record.hpp"

namespace mss::output {

/// HDF5's shuffle filter: byte j of element i goes to position j * n + i.
void shuffle_bytes(const void* src, std::size_t n, std::size_t element_size, std::uint8_t* dst);
/// The same into planes `plane_stride` bytes apart (>= n): byte j of element i goes to
/// position j * plane_stride + i. Fills a slice of the planes of a larger chunk.
void shuffle_bytes(const void* src, std::size_t n, std::size_t element_size, std::uint8_t* dst,
                   std::size_t plane_stride);

/// Compresses `n` bytes of `src` into one zlib stream (ISA-L level 1; zlib's level 1 in a
/// build without ISA-L) written to `dst` of
/// `capacity` bytes. Returns the stream's size, or 0 when it does not fit.
std::size_t deflate_zlib(const void* src, std::size_t n, void* dst, std::size_t capacity);

/// Appends to `out` the `bytes` of an already shuffled chunk, deflated. Returns false when
/// deflating would not shrink them: they are then appended as they are.
bool deflate_chunk(const void* shuffled, std::size_t bytes, std::vector<std::uint8_t>& out);

/// Appends to `out` `planes` byte planes of `plane_bytes` each (a shuffled chunk) as one zlib
/// stream, like deflate_chunk, except that planes whose bytes look uniformly random (512
/// samples spread over the plane show at least 200 distinct values: the low bytes of the
/// mantissa of event times) are copied into stored deflate blocks instead of being searched
/// for matches that do not exist. Returns false when the stream would not shrink the planes:
/// they are then appended as they are.
bool deflate_planes(const std::uint8_t* data, std::size_t planes, std::size_t plane_bytes,
                    std::vector<std::uint8_t>& out);

/// Appends to `out` the chunk of `n` elements of `element_size` bytes as the pipeline
/// [shuffle, deflate] stores it. Returns false when deflating would not shrink the chunk: it is
/// then stored shuffled only, and the writer marks the deflate filter as skipped.
bool encode_chunk(const void* data, std::size_t n, std::size_t element_size,
                  std::vector<std::uint8_t>& out);

/// The series of `r` (raw, in RunRecord's layout) encoded one chunk per series.
PackedSeries pack_series(const RunRecord& r);

/// Packs the series of `r` (see pack_series) and releases the raw ones: what a worker thread
/// does to a record before handing it to the writer, a journal or an MPI message.
void pack(RunRecord& r);

/// "isa-l 2.30.0" (or "zlib 1.2.13" without ISA-L): the deflate encoder and its version, for
/// the files' provenance.
std::string deflate_encoder_version();

/// CRC-64 of `n` bytes continuing `crc` (0 to start; crc64(b, crc64(a)) is the CRC of a then
/// b): the reflected ECMA-182 polynomial with inverted input and output, i.e. CRC-64/XZ
/// (check value 0x995dc9bbdf1939fa for "123456789"). ISA-L's carry-less multiply folding:
/// 1.6 us for an 89 kB record here.
std::uint64_t crc64(const void* data, std::size_t n, std::uint64_t crc = 0);

}  // namespace mss::output
