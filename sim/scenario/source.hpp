// sim/scenario/source.hpp — where the loader gets file contents from. The default reads the
// disk with the guards every input needs (a regular file, at most kMaxFileBytes); tests and the
// fuzz target give an in-memory set of files instead.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mss::scenario {

/// Largest scenario or sweep file read, in bytes (a guard against feeding the loader a disk
/// image by mistake; real scenario files are a few kB).
inline constexpr std::size_t kMaxFileBytes = 8u << 20;

/// A file's contents, or why there are none.
struct FileText {
    std::optional<std::string> text;  ///< the bytes, when read
    std::string error;                ///< e.g. "no such file", when not
};

/// Reads files for the loader. Implementations must not block on special files.
class FileSource {
public:
    virtual ~FileSource() = default;
    /// The contents of `path`, or an error in words a user can act on.
    virtual FileText read(const std::filesystem::path& path) const = 0;
};

/// Reads the local file system: only regular files (not directories, devices or FIFOs), at
/// most kMaxFileBytes.
class DiskSource final : public FileSource {
public:
    FileText read(const std::filesystem::path& path) const override;
};

/// A fixed set of in-memory files, keyed by lexically normal path (tests, fuzzing).
class MemorySource final : public FileSource {
public:
    /// Adds or replaces a file.
    void add(const std::filesystem::path& path, std::string text);
    FileText read(const std::filesystem::path& path) const override;

private:
    std::map<std::string, std::string> files_;
};

/// Remembers what another source returned, so a sweep reads its base scenario once however
/// many design points it checks.
class CachingSource final : public FileSource {
public:
    explicit CachingSource(const FileSource& inner) : inner_(inner) {}
    FileText read(const std::filesystem::path& path) const override;

private:
    const FileSource& inner_;
    mutable std::map<std::string, FileText> cache_;
};

/// Passes reads on to another source and remembers the paths it read, in order (the file
/// itself, then its base and `extends` parents), so that a command can refuse to write over
/// any of them.
class RecordingSource final : public FileSource {
public:
    explicit RecordingSource(const FileSource& inner) : inner_(inner) {}
    FileText read(const std::filesystem::path& path) const override;
    /// Every path read successfully, each once, in the order first read.
    const std::vector<std::filesystem::path>& paths() const noexcept { return paths_; }

private:
    const FileSource& inner_;
    mutable std::vector<std::filesystem::path> paths_;
};

}  // namespace mss::scenario
