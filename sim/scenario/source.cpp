// sim/scenario/source.cpp — file access for the loader, guarded against special files and
// oversized input.
#include "sim/scenario/source.hpp"

#include <algorithm>
#include <fstream>
#include <system_error>

namespace mss::scenario {

FileText DiskSource::read(const std::filesystem::path& path) const {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec && ec != std::errc::no_such_file_or_directory)  // e.g. a loop of symbolic links
        return {std::nullopt, "cannot read: " + ec.message()};
    if (ec || !fs::exists(st)) return {std::nullopt, "no such file"};
    if (fs::is_directory(st)) return {std::nullopt, "is a directory, not a file"};
    // Devices, FIFOs and sockets could block or never end: only regular files are read.
    if (!fs::is_regular_file(st)) return {std::nullopt, "is not a regular file"};
    const auto size = fs::file_size(path, ec);
    if (ec) return {std::nullopt, "cannot read: " + ec.message()};
    if (size > kMaxFileBytes) {
        return {std::nullopt, "is too large (" + std::to_string(size) + " bytes; the limit is " +
                                  std::to_string(kMaxFileBytes) + ")"};
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return {std::nullopt, "cannot be opened for reading"};
    // Read to the end, whatever size was reported (a /proc file says 0; a file may grow since
    // it was measured), and never past the cap.
    std::string text;
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        text.append(buf, static_cast<std::size_t>(in.gcount()));
        if (text.size() > kMaxFileBytes) {
            return {std::nullopt,
                    "is too large (the limit is " + std::to_string(kMaxFileBytes) + " bytes)"};
        }
    }
    if (in.bad()) return {std::nullopt, "cannot read"};
    return {std::move(text), {}};
}

void MemorySource::add(const std::filesystem::path& path, std::string text) {
    files_[path.lexically_normal().generic_string()] = std::move(text);
}

FileText MemorySource::read(const std::filesystem::path& path) const {
    const auto it = files_.find(path.lexically_normal().generic_string());
    if (it == files_.end()) return {std::nullopt, "no such file"};
    if (it->second.size() > kMaxFileBytes) {
        return {std::nullopt,
                "is too large (the limit is " + std::to_string(kMaxFileBytes) + " bytes)"};
    }
    return {it->second, {}};
}

FileText CachingSource::read(const std::filesystem::path& path) const {
    const std::string key = path.lexically_normal().generic_string();
    const auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    FileText t = inner_.read(path);
    cache_.emplace(key, t);
    return t;
}

FileText RecordingSource::read(const std::filesystem::path& path) const {
    FileText t = inner_.read(path);
    if (t.text && std::find(paths_.begin(), paths_.end(), path) == paths_.end())
        paths_.push_back(path);
    return t;
}

}  // namespace mss::scenario
