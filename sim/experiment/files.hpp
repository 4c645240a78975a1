// File-system steps shared by every command that writes a results file: where the output may
// go, a temporary that disappears unless kept, and a rename that survives a crash.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mss::experiment {

/// The directory `path` is in ("." for a bare file name).
std::filesystem::path directory_of(const std::filesystem::path& path);

/// Empty if a new file can be created at `path` (a name; nothing there or a regular file, never
/// a directory, FIFO or device; its directory exists, is a directory and is writable), else
/// what is wrong, naming the path. Whether an existing file may be replaced is the caller's.
std::string output_location_problem(const std::filesystem::path& path);

/// The index of the first of `inputs` that `output` is the same file as (same device and
/// inode: whatever the spelling, a symbolic or a hard link), or nullopt (also when `output`
/// does not exist). A command refuses, even with --force, an output that is a file it read.
std::optional<std::size_t> same_file_index(const std::filesystem::path& output,
                                           const std::vector<std::filesystem::path>& inputs);

/// "a directory", "a FIFO", "a character device"... for messages.
std::string file_type_words(std::filesystem::file_type type);

/// fsync(2) of a directory, so that entries created or renamed in it last (best effort).
void sync_directory(const std::filesystem::path& directory);

/// fsync(2) of a file whose contents must be on disk before going on. Throws
/// output::OutputError naming the file if it cannot be opened or synced.
void sync_file(const std::filesystem::path& path);

/// Renames `from` to `to` so that a crash leaves one or the other complete: `from` is synced
/// before (unless the caller did with sync_file: `from_synced`), the directory after. Unless
/// `replace` (--force), an existing `to` is never replaced, even one that appeared a moment
/// ago (another mss writing the same output): renameat2(RENAME_NOREPLACE), or link(2) and
/// unlink(2) where the file system lacks it. Throws output::OutputError naming the paths.
void durable_rename(const std::filesystem::path& from, const std::filesystem::path& to,
                    bool from_synced = false, bool replace = true);

/// Removes its file when destroyed, unless released (after the rename that keeps it).
class TempFile {
public:
    explicit TempFile(std::filesystem::path p) : path_(std::move(p)) {}
    /// A new empty file beside `final_path`, named `FINAL.tmp-HOST-PID-RANDOM` (8 hex digits):
    /// the name says which machine and process wrote it (on a cluster's shared file system the
    /// process may run on another node), and it is created exclusively, so that it is never
    /// another process's file. Throws output::OutputError naming the path.
    static TempFile beside(const std::filesystem::path& final_path);
    /// Removes the temporaries beside `final_path` that a process of this host which no longer
    /// runs left (killed by SIGKILL, or its node rebooted): `FINAL.tmp-HOST-PID-RANDOM` with
    /// this host's name, a PID no process has, a regular file (never a link) of this user.
    /// Another host's temporaries, or a live process's, are never touched. Returns how many.
    static int remove_stale(const std::filesystem::path& final_path);
    TempFile(TempFile&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
    ~TempFile();
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::filesystem::path& path() const { return path_; }
    void release() { path_.clear(); }

private:
    std::filesystem::path path_;
};

}  // namespace mss::experiment
