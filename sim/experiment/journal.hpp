// The sweep journal (DESIGN §7): an append-only file beside the output (`OUT.h5.journal`) that
// holds every completed run of a sweep, in run order, so that no finished run is lost whatever
// kills the process.
//
// Format (version 5, native little-endian; docs/sweeps.md restates it):
//   header, 80 bytes: magic "MSSJNL01"; u32 header size (80); u32 version (5); the sweep's
//     identity hash (16 ASCII hex digits); i64 total runs of the sweep; i64 shard index,
//     i64 shard count; i64 first run id and i64 run count of this journal (its slice);
//     u64 FNV-1a 64 of the 72 bytes before it.
//   records, one per completed run, in run order (first, first + 1, ...), each framed:
//     u32 magic "MSSR"; u32 flags (0); i64 run id; u64 payload length; u64 CRC-64/XZ of the
//     run id and the length (16 bytes) followed by the payload; the payload (record_codec.hpp).
//
// Durability: each record is handed to the kernel with one write(2) before append() returns,
// so it survives SIGKILL of the process at any moment; fdatasync(2) is started once a second
// during a sweep (on a thread of the journal's own, so that appending never waits for the
// disk) and runs at sync() and after the last record, so a crash of the machine loses at most
// the last second or two. A record cut short by a kill in the middle of its write (a torn tail)
// fails the length or checksum test when the journal is reopened, and is cut off (open() truncates
// the file to the last complete record). A journal is locked (flock) by the process using it.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mss::experiment {

/// Raised for journal I/O failures (exit 1).
class JournalError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Raised when a journal cannot be used as asked: it exists already, belongs to another
/// process, or is not a journal (exit 2 in `mss sweep`).
class JournalConflict : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// What a journal is for.
struct JournalHeader {
    std::string identity;          ///< the sweep's identity hash (16 hex digits)
    std::int64_t total_runs = 0;   ///< runs in the whole sweep
    std::int64_t shard_index = 0;  ///< shard I of N (0/1: the whole sweep)
    std::int64_t shard_count = 1;
    std::int64_t first_run = 0;  ///< this journal holds runs [first_run, first_run + run_count)
    std::int64_t run_count = 0;
    bool operator==(const JournalHeader&) const = default;
};

/// A journal open for appending, locked by this process. Move-only; closes on destruction.
class Journal {
public:
    /// Creates `path` (JournalConflict if it exists or is locked) with `header`, durably.
    static Journal create(const std::filesystem::path& path, const JournalHeader& header);
    /// Opens an existing journal to continue it: locks it, reads the header, counts the
    /// complete records and cuts off a torn tail. JournalConflict when it is locked by another
    /// process or is not a journal.
    static Journal open(const std::filesystem::path& path);

    Journal(Journal&& other) noexcept;
    Journal& operator=(Journal&& other) noexcept;
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;
    ~Journal();

    const JournalHeader& header() const noexcept { return header_; }
    const std::filesystem::path& path() const noexcept { return path_; }
    /// Complete records: runs first_run .. first_run + records() - 1.
    std::int64_t records() const noexcept { return records_; }
    /// True when every run of the slice is in the journal.
    bool complete() const noexcept { return records_ == header_.run_count; }
    /// Bytes of a torn tail that open() cut off (0 when the last record was whole).
    std::int64_t discarded_bytes() const noexcept { return discarded_; }
    /// Empty unless open() cut the journal at a damaged record rather than at a torn last one:
    /// then which record, why, and what was dropped after it (for a message).
    const std::string& damage() const noexcept { return damage_; }
    /// The run id the next append() must carry.
    std::int64_t next_run() const noexcept { return header_.first_run + records_; }

    /// Appends the encoded record of run `run` (which must be next_run()).
    void append(std::int64_t run, std::string_view payload);
    /// Forces everything appended to disk (fdatasync).
    void sync();
    /// Removes the journal file (after its contents were written to the results file).
    void remove();

private:
    class Syncer;
    Journal(std::filesystem::path path, int fd, JournalHeader header, std::int64_t records,
            std::int64_t discarded);
    void close() noexcept;
    /// Reports (JournalError) a failure of a background sync.
    void throw_background_error();

    std::filesystem::path path_;
    int fd_ = -1;
    JournalHeader header_;
    std::int64_t records_ = 0;
    std::int64_t discarded_ = 0;
    std::string damage_;
    std::chrono::steady_clock::time_point last_sync_;
    std::unique_ptr<Syncer> syncer_;  ///< the once-a-second fdatasync, started on first need
};

/// Reads a journal's records in order (no lock: the caller holds the Journal).
class JournalReader {
public:
    /// Opens `path` and reads its header (JournalConflict if it is not a journal).
    explicit JournalReader(const std::filesystem::path& path);
    ~JournalReader();
    JournalReader(const JournalReader&) = delete;
    JournalReader& operator=(const JournalReader&) = delete;

    const JournalHeader& header() const noexcept { return header_; }
    /// The next complete record's payload and run id; false at the end or at a torn tail.
    bool next(std::int64_t& run, std::string& payload);

private:
    /// Reads exactly n bytes (false at the end of the file); retries interrupted reads.
    bool read_exact(void* dst, std::size_t n);

    int fd_ = -1;
    std::vector<char> buf_;
    std::size_t pos_ = 0, end_ = 0;
    JournalHeader header_;
    std::int64_t expected_run_ = 0;
    std::int64_t left_ = 0;  ///< bytes of the file after what was read (a length's bound)
};

/// The journal path of results file `output` (`OUT.h5.journal`).
std::filesystem::path journal_path_for(const std::filesystem::path& output);

/// Removes `path` when it is a regular file too short to hold a journal header that no process
/// holds locked: what a full disk or a kill between creating a journal and writing its header
/// leaves. Such a journal holds no run, so it is treated as absent. True when removed.
bool remove_headerless_journal(const std::filesystem::path& path);

/// Reads only a journal's header (JournalConflict if it is not a journal).
JournalHeader read_journal_header(const std::filesystem::path& path);

}  // namespace mss::experiment
