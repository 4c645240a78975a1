#include "sim/experiment/journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>

#include "sim/experiment/files.hpp"
#include "sim/output/chunk_codec.hpp"

namespace mss::experiment {

static_assert(std::endian::native == std::endian::little,
              "the journal is written in native byte order and expects little-endian");

namespace {

constexpr char kMagic[8] = {'M', 'S', 'S', 'J', 'N', 'L', '0', '1'};
constexpr std::uint32_t kHeaderBytes = 80;
// 3: record codec v3 payloads (events by column); 4: CRC-64; 5: record codec v4 payloads
// (filled and airport_closed series, five contingent KPIs: results format mss-sim/2)
constexpr std::uint32_t kVersion = 5;
constexpr std::uint32_t kRecordMagic = 0x5253534dU;  // "MSSR" read as little-endian u32
constexpr std::size_t kFrameBytes = 32;
// A record is at most a few MB (series of a long horizon plus events); anything larger is a
// damaged length field.
constexpr std::uint64_t kMaxPayload = 1ULL << 31;

constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;

std::uint64_t fnv1a(std::uint64_t h, const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

std::string errno_text() {
    return std::strerror(errno);
}

template <class T>
void put(char* buf, std::size_t& pos, T v) {
    std::memcpy(buf + pos, &v, sizeof(T));
    pos += sizeof(T);
}

template <class T>
T get(const char* buf, std::size_t& pos) {
    T v;
    std::memcpy(&v, buf + pos, sizeof(T));
    pos += sizeof(T);
    return v;
}

void encode_header(const JournalHeader& h, char (&buf)[kHeaderBytes]) {
    std::memset(buf, 0, sizeof buf);
    std::size_t pos = 0;
    std::memcpy(buf, kMagic, 8);
    pos = 8;
    put<std::uint32_t>(buf, pos, kHeaderBytes);
    put<std::uint32_t>(buf, pos, kVersion);
    std::memcpy(buf + pos, h.identity.data(), std::min<std::size_t>(16, h.identity.size()));
    pos += 16;
    put<std::int64_t>(buf, pos, h.total_runs);
    put<std::int64_t>(buf, pos, h.shard_index);
    put<std::int64_t>(buf, pos, h.shard_count);
    put<std::int64_t>(buf, pos, h.first_run);
    put<std::int64_t>(buf, pos, h.run_count);
    put<std::uint64_t>(buf, pos, fnv1a(kFnvOffset, buf, pos));
}

/// Decodes a header; empty string on success, else what is wrong.
std::string decode_header(const char (&buf)[kHeaderBytes], std::size_t got, JournalHeader& h) {
    if (got < kHeaderBytes || std::memcmp(buf, kMagic, 8) != 0)
        return "not an mss sweep journal (no MSSJNL01 header)";
    std::size_t pos = 8;
    const auto size = get<std::uint32_t>(buf, pos);
    const auto version = get<std::uint32_t>(buf, pos);
    if (size != kHeaderBytes || version != kVersion)
        return "a journal of another version (" + std::to_string(version) + "; this mss reads " +
               std::to_string(kVersion) + "): finish it with the mss that wrote it, or remove it";
    h.identity.assign(buf + pos, 16);
    pos += 16;
    h.total_runs = get<std::int64_t>(buf, pos);
    h.shard_index = get<std::int64_t>(buf, pos);
    h.shard_count = get<std::int64_t>(buf, pos);
    h.first_run = get<std::int64_t>(buf, pos);
    h.run_count = get<std::int64_t>(buf, pos);
    const std::size_t body = pos;
    if (get<std::uint64_t>(buf, pos) != fnv1a(kFnvOffset, buf, body))
        return "a damaged journal header (checksum)";
    if (h.run_count < 0 || h.first_run < 0 || h.first_run + h.run_count > h.total_runs)
        return "a damaged journal header (run range)";
    return {};
}

// A record's checksum: the CRC-64 (output::crc64, CRC-64/XZ) of its run id and length (16
// bytes, little-endian) followed by its payload. A CRC detects every burst of up to 64 damaged
// bits and runs at tens of GB/s (a multiply-xorshift hash before it took 14 us per baseline
// record on the thread that serves the MPI ranks, byte-wise FNV-1a before that 7% of a sweep).
std::uint64_t frame_checksum(std::int64_t run, std::uint64_t length, std::string_view payload) {
    unsigned char head[16];
    std::memcpy(head, &run, 8);
    std::memcpy(head + 8, &length, 8);
    return output::crc64(payload.data(), payload.size(), output::crc64(head, sizeof head));
}

/// Reads exactly n bytes unless the file ends; returns the bytes read.
std::size_t read_full(int fd, void* buf, std::size_t n) {
    std::size_t got = 0;
    while (got < n) {
        const ssize_t r = ::read(fd, static_cast<char*>(buf) + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) throw JournalError("reading journal: " + errno_text());
        if (r == 0) break;
        got += static_cast<std::size_t>(r);
    }
    return got;
}

void write_full(int fd, const struct iovec* iov_in, int n, const std::filesystem::path& path) {
    struct iovec iov[2];
    std::copy(iov_in, iov_in + n, iov);
    int first = 0;
    while (first < n) {
        const ssize_t w = ::writev(fd, iov + first, n - first);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) throw JournalError("writing journal " + path.string() + ": " + errno_text());
        auto left = static_cast<std::size_t>(w);
        while (first < n && left >= iov[first].iov_len) {
            left -= iov[first].iov_len;
            ++first;
        }
        if (first < n) {
            iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
            iov[first].iov_len -= left;
        }
    }
}

/// What Journal::open says about damage found at record `index` (run `run`, at byte `at`):
/// why, and how many complete records follow it from `next` (-1: the frame is unreadable,
/// only the bytes are counted). Reads on from `next`; the caller seeks afterwards.
std::string describe_damage(int fd, std::int64_t index, std::int64_t run, const std::string& why,
                            off_t at, off_t size, off_t next) {
    std::string text = "record " + std::to_string(index) + " (run " + std::to_string(run) +
                       ") is damaged (" + why + ")";
    std::int64_t after = 0;
    if (next >= 0 && ::lseek(fd, next, SEEK_SET) == next) {
        std::string payload;
        off_t offset = next;  // of the frame about to be read
        for (;;) {
            char fb[kFrameBytes];
            if (read_full(fd, fb, sizeof fb) < sizeof fb) break;
            std::size_t pos = 0;
            const auto magic = get<std::uint32_t>(fb, pos);
            get<std::uint32_t>(fb, pos);
            const auto r = get<std::int64_t>(fb, pos);
            const auto length = get<std::uint64_t>(fb, pos);
            const auto sum = get<std::uint64_t>(fb, pos);
            // Within the file, never an allocation of a damaged length.
            if (magic != kRecordMagic || length > kMaxPayload ||
                static_cast<std::uint64_t>(size - offset) < kFrameBytes + length)
                break;
            offset += static_cast<off_t>(kFrameBytes + length);
            payload.resize(static_cast<std::size_t>(length));
            if (read_full(fd, payload.data(), payload.size()) < payload.size()) break;
            if (frame_checksum(r, length, payload) != sum) break;
            ++after;
        }
        text += " and the " + std::to_string(after) + " complete records after it";
    } else {
        text += " and the " + std::to_string(size - at) + " bytes from it on";
    }
    return text + " are dropped: runs " + std::to_string(run) +
           " and later are simulated again (the disk or a copy damaged the journal; nothing "
           "else to do)";
}

void lock_or_conflict(int fd, const std::filesystem::path& path) {
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int e = errno;
        if (e == ENOLCK || e == EOPNOTSUPP || e == ENOSYS) {
            // A file system without locks (some NFS set-ups): go on unprotected rather than
            // refuse to run; two sweeps on one output are then the user's to avoid.
            return;
        }
        ::close(fd);
        if (e == EWOULDBLOCK)
            throw JournalConflict(path.string() +
                                  " is in use by another mss sweep (it holds the journal's "
                                  "lock); wait for it or stop it first");
        throw JournalError("locking " + path.string() + ": " + std::strerror(e));
    }
}

}  // namespace

/// The once-a-second fdatasync of a journal, on a thread of its own: a sync waits for the disk
/// (25 ms here for a second of baseline records), and the thread appending records (under MPI,
/// the one that also serves the other ranks) should not. A failure is kept for the next
/// append() or sync() to report. Once synced, the journal's pages leave the page cache: the
/// records are read back only by a later --resume, and a long sweep's journal (gigabytes)
/// would otherwise push useful data out of memory, then take seconds to free at its removal.
class Journal::Syncer {
public:
    explicit Syncer(int fd) : fd_(fd), thread_([this] { loop(); }) {}
    ~Syncer() {
        {
            std::lock_guard lock(m_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
    Syncer(const Syncer&) = delete;
    Syncer& operator=(const Syncer&) = delete;

    /// Starts a sync of everything written so far unless one is under way.
    void request() {
        {
            std::lock_guard lock(m_);
            pending_ = true;
        }
        cv_.notify_all();
    }
    /// errno of a failed background sync (0: none), cleared.
    int take_error() {
        std::lock_guard lock(m_);
        return std::exchange(error_, 0);
    }

private:
    void loop() {
        std::unique_lock lock(m_);
        for (;;) {
            cv_.wait(lock, [&] { return stop_ || pending_; });
            if (stop_) return;
            pending_ = false;
            lock.unlock();
            struct stat st {};
            const bool sized = ::fstat(fd_, &st) == 0;
            int rc = 0;
            do {
                rc = ::fdatasync(fd_);
            } while (rc != 0 && errno == EINTR);
            const int e = rc != 0 ? errno : 0;
            if (e == 0 && sized)  // advice only: a failure changes nothing that matters
                (void)::posix_fadvise(fd_, 0, st.st_size, POSIX_FADV_DONTNEED);
            lock.lock();
            if (e != 0 && error_ == 0) error_ = e;
        }
    }

    int fd_;
    std::mutex m_;
    std::condition_variable cv_;
    bool pending_ = false, stop_ = false;
    int error_ = 0;
    std::thread thread_;  // last: starts once the rest is set up
};

std::filesystem::path journal_path_for(const std::filesystem::path& output) {
    return output.string() + ".journal";
}

Journal::Journal(std::filesystem::path path, int fd, JournalHeader header, std::int64_t records,
                 std::int64_t discarded)
    : path_(std::move(path)),
      fd_(fd),
      header_(std::move(header)),
      records_(records),
      discarded_(discarded),
      last_sync_(std::chrono::steady_clock::now()) {}

Journal::Journal(Journal&& o) noexcept
    : path_(std::move(o.path_)),
      fd_(std::exchange(o.fd_, -1)),
      header_(std::move(o.header_)),
      records_(o.records_),
      discarded_(o.discarded_),
      damage_(std::move(o.damage_)),
      last_sync_(o.last_sync_),
      syncer_(std::move(o.syncer_)) {}

Journal& Journal::operator=(Journal&& o) noexcept {
    if (this != &o) {
        close();
        path_ = std::move(o.path_);
        fd_ = std::exchange(o.fd_, -1);
        header_ = std::move(o.header_);
        records_ = o.records_;
        discarded_ = o.discarded_;
        damage_ = std::move(o.damage_);
        last_sync_ = o.last_sync_;
        syncer_ = std::move(o.syncer_);
    }
    return *this;
}

Journal::~Journal() {
    close();
}

void Journal::close() noexcept {
    syncer_.reset();  // before the descriptor goes
    if (fd_ >= 0) {
        ::fdatasync(fd_);
        ::close(fd_);  // releases the lock
        fd_ = -1;
    }
}

Journal Journal::create(const std::filesystem::path& path, const JournalHeader& header) {
    if (header.identity.size() != 16) throw JournalError("journal identity must be 16 hex digits");
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (errno == EEXIST)
            throw JournalConflict(path.string() + " exists (an interrupted sweep)");
        throw JournalError("cannot create journal " + path.string() + ": " + errno_text());
    }
    lock_or_conflict(fd, path);
    char buf[kHeaderBytes];
    encode_header(header, buf);
    const struct iovec iov { buf, sizeof buf };
    try {
        write_full(fd, &iov, 1, path);
        if (::fdatasync(fd) != 0)
            throw JournalError("syncing journal " + path.string() + ": " + errno_text());
    } catch (...) {
        // A journal without its header (a full disk) holds nothing: do not leave it behind.
        ::unlink(path.c_str());
        ::close(fd);
        throw;
    }
    sync_directory(directory_of(path));
    return Journal(path, fd, header, 0, 0);
}

Journal Journal::open(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) throw JournalError("cannot open journal " + path.string() + ": " + errno_text());
    lock_or_conflict(fd, path);
    char hb[kHeaderBytes];
    JournalHeader h;
    try {
        const std::size_t got = read_full(fd, hb, sizeof hb);
        if (const std::string bad = decode_header(hb, got, h); !bad.empty())
            throw JournalConflict(path.string() + " is " + bad);
    } catch (...) {
        ::close(fd);
        throw;
    }
    // Scan the records; the first one that is short, damaged or out of order ends the journal.
    // Short (the file ends inside it) is the torn tail a kill leaves; anything else is damage,
    // and the complete records after it, which are dropped too, are counted for the message.
    std::int64_t records = 0;
    off_t good_end = kHeaderBytes;
    std::string payload, damage;
    try {
        struct stat st {};
        if (::fstat(fd, &st) != 0)
            throw JournalError("stat " + path.string() + ": " + errno_text());
        for (;;) {
            if (records == h.run_count) break;
            char fb[kFrameBytes];
            if (read_full(fd, fb, sizeof fb) < sizeof fb) break;
            std::size_t pos = 0;
            const auto magic = get<std::uint32_t>(fb, pos);
            get<std::uint32_t>(fb, pos);  // flags
            const auto run = get<std::int64_t>(fb, pos);
            const auto length = get<std::uint64_t>(fb, pos);
            const auto sum = get<std::uint64_t>(fb, pos);
            const std::int64_t due = h.first_run + records;
            const bool whole = magic == kRecordMagic && length <= kMaxPayload &&
                               good_end + static_cast<off_t>(kFrameBytes + length) <= st.st_size;
            if (magic == kRecordMagic && length <= kMaxPayload && !whole) break;  // torn
            std::string why;
            if (!whole) {
                why = "its frame is damaged";
            } else if (run != due) {
                why = "it holds run " + std::to_string(run);
            } else {
                payload.resize(static_cast<std::size_t>(length));
                if (read_full(fd, payload.data(), payload.size()) < payload.size()) break;
                if (frame_checksum(run, length, payload) != sum) why = "its checksum is wrong";
            }
            if (!why.empty()) {
                damage = describe_damage(
                    fd, records, due, why, good_end, st.st_size,
                    whole ? good_end + static_cast<off_t>(kFrameBytes + length) : -1);
                break;
            }
            ++records;
            good_end += static_cast<off_t>(kFrameBytes + length);
        }
        const std::int64_t discarded = static_cast<std::int64_t>(st.st_size - good_end);
        if (discarded > 0) {
            if (::ftruncate(fd, good_end) != 0 || ::fdatasync(fd) != 0)
                throw JournalError("cutting the torn tail of " + path.string() + ": " +
                                   errno_text());
        }
        if (::lseek(fd, good_end, SEEK_SET) < 0)
            throw JournalError("seek in " + path.string() + ": " + errno_text());
        Journal j(path, fd, h, records, discarded);
        j.damage_ = std::move(damage);
        return j;
    } catch (...) {
        ::close(fd);
        throw;
    }
}

void Journal::append(std::int64_t run, std::string_view payload) {
    if (fd_ < 0) throw JournalError("journal is closed");
    if (run != next_run() || records_ >= header_.run_count)
        throw JournalError("journal: run " + std::to_string(run) + " appended out of order (next " +
                           std::to_string(next_run()) + ")");
    char fb[kFrameBytes];
    std::size_t pos = 0;
    const std::uint64_t length = payload.size();
    put<std::uint32_t>(fb, pos, kRecordMagic);
    put<std::uint32_t>(fb, pos, 0);
    put<std::int64_t>(fb, pos, run);
    put<std::uint64_t>(fb, pos, length);
    put<std::uint64_t>(fb, pos, frame_checksum(run, length, payload));
    // One writev: the frame and its payload reach the kernel together, so a kill leaves at
    // most this one record torn.
    const struct iovec iov[2] = {{fb, sizeof fb},
                                 {const_cast<char*>(payload.data()), payload.size()}};
    write_full(fd_, iov, 2, path_);
    ++records_;
    if (complete()) {
        sync();
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_sync_ >= std::chrono::seconds(1)) {
        if (!syncer_) syncer_ = std::make_unique<Syncer>(fd_);
        throw_background_error();
        syncer_->request();
        last_sync_ = now;
    }
}

void Journal::throw_background_error() {
    if (!syncer_) return;
    if (const int e = syncer_->take_error(); e != 0)
        throw JournalError("syncing journal " + path_.string() + ": " + std::strerror(e));
}

void Journal::sync() {
    if (fd_ < 0) return;
    throw_background_error();
    int rc = 0;
    do {
        rc = ::fdatasync(fd_);
    } while (rc != 0 && errno == EINTR);  // signals are caught without SA_RESTART
    if (rc != 0) throw JournalError("syncing journal " + path_.string() + ": " + errno_text());
    last_sync_ = std::chrono::steady_clock::now();
}

void Journal::remove() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
    if (ec) throw JournalError("removing journal " + path_.string() + ": " + ec.message());
    sync_directory(directory_of(path_));
    close();
}

bool remove_headerless_journal(const std::filesystem::path& path) {
    // O_NONBLOCK: a FIFO in its place must not block (the caller refuses it).
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st {};
    bool removed = false;
    // The lock: a sweep that has just created the journal holds it while writing the header.
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < kHeaderBytes &&
        ::flock(fd, LOCK_EX | LOCK_NB) == 0) {
        removed = ::unlink(path.c_str()) == 0;
    }
    ::close(fd);
    if (removed) sync_directory(directory_of(path));
    return removed;
}

JournalHeader read_journal_header(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw JournalError("cannot open journal " + path.string() + ": " + errno_text());
    char hb[kHeaderBytes];
    JournalHeader h;
    std::size_t got = 0;
    try {
        got = read_full(fd, hb, sizeof hb);
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
    if (const std::string bad = decode_header(hb, got, h); !bad.empty())
        throw JournalConflict(path.string() + " is " + bad);
    return h;
}

JournalReader::JournalReader(const std::filesystem::path& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw JournalError("cannot open journal " + path.string() + ": " + errno_text());
    char hb[kHeaderBytes];
    std::size_t got = 0;
    try {
        got = read_full(fd_, hb, sizeof hb);
    } catch (...) {
        ::close(fd_);
        throw;
    }
    if (const std::string bad = decode_header(hb, got, header_); !bad.empty()) {
        ::close(fd_);
        fd_ = -1;
        throw JournalConflict(path.string() + " is " + bad);
    }
    expected_run_ = header_.first_run;
    struct stat st {};
    left_ = ::fstat(fd_, &st) == 0 ? static_cast<std::int64_t>(st.st_size) - kHeaderBytes : 0;
    // A read buffer of 1 MiB, or the file's size when smaller.
    buf_.resize(static_cast<std::size_t>(std::clamp<std::int64_t>(left_, 4096, 1 << 20)));
}

JournalReader::~JournalReader() {
    if (fd_ >= 0) ::close(fd_);
}

bool JournalReader::read_exact(void* dst, std::size_t n) {
    char* out = static_cast<char*>(dst);
    while (n > 0) {
        if (pos_ == end_) {
            if (n >= buf_.size()) return read_full(fd_, out, n) == n;  // large: no copy
            end_ = read_full(fd_, buf_.data(), buf_.size());
            pos_ = 0;
            if (end_ == 0) return false;
        }
        const std::size_t k = std::min(n, end_ - pos_);
        std::memcpy(out, buf_.data() + pos_, k);
        pos_ += k;
        out += k;
        n -= k;
    }
    return true;
}

bool JournalReader::next(std::int64_t& run, std::string& payload) {
    if (expected_run_ >= header_.first_run + header_.run_count) return false;
    char fb[kFrameBytes];
    if (!read_exact(fb, sizeof fb)) return false;
    std::size_t pos = 0;
    const auto magic = get<std::uint32_t>(fb, pos);
    get<std::uint32_t>(fb, pos);
    run = get<std::int64_t>(fb, pos);
    const auto length = get<std::uint64_t>(fb, pos);
    const auto sum = get<std::uint64_t>(fb, pos);
    // A length beyond the end of the file is damage (never an allocation of that size).
    if (magic != kRecordMagic || run != expected_run_ || length > kMaxPayload ||
        length > static_cast<std::uint64_t>(std::max<std::int64_t>(0, left_ - kFrameBytes)))
        return false;
    left_ -= static_cast<std::int64_t>(kFrameBytes + length);
    payload.resize(static_cast<std::size_t>(length));
    if (!read_exact(payload.data(), payload.size())) return false;
    if (frame_checksum(run, length, payload) != sum) return false;
    ++expected_run_;
    return true;
}

}  // namespace mss::experiment
