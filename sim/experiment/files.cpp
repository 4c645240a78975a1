#include "sim/experiment/files.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>

#include "sim/output/results_writer.hpp"

namespace mss::experiment {

namespace fs = std::filesystem;

fs::path directory_of(const fs::path& path) {
    return path.parent_path().empty() ? fs::path(".") : path.parent_path();
}

std::optional<std::size_t> same_file_index(const fs::path& output,
                                           const std::vector<fs::path>& inputs) {
    struct stat out {};
    if (::stat(output.c_str(), &out) != 0) return std::nullopt;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        struct stat in {};
        if (::stat(inputs[i].c_str(), &in) == 0 && in.st_dev == out.st_dev &&
            in.st_ino == out.st_ino)
            return i;
    }
    return std::nullopt;
}

std::string file_type_words(fs::file_type type) {
    switch (type) {
        case fs::file_type::regular:
            return "a regular file";
        case fs::file_type::directory:
            return "a directory";
        case fs::file_type::fifo:
            return "a FIFO";
        case fs::file_type::character:
            return "a character device";
        case fs::file_type::block:
            return "a block device";
        case fs::file_type::socket:
            return "a socket";
        case fs::file_type::symlink:
            return "a symbolic link";
        default:
            return "a special file";
    }
}

std::string output_location_problem(const fs::path& path) {
    if (path.empty()) return "the output file name is empty";
    std::error_code ec;
    // An existing output is replaced (with --force) by renaming a new file over it: only a
    // regular file may be (a FIFO or a device would be replaced by a file, a directory fails).
    const fs::file_status st = fs::status(path, ec);
    if (fs::exists(st) && !fs::is_regular_file(st))
        return path.string() + " is " + file_type_words(st.type()) +
               ", not a regular file; give the name of a new or regular file";
    const fs::path dir = directory_of(path);
    if (!fs::exists(dir, ec)) return "output directory " + dir.string() + " does not exist";
    if (!fs::is_directory(dir, ec))
        return "output directory " + dir.string() + " is not a directory";
    if (::access(dir.c_str(), W_OK) != 0)
        return "output directory " + dir.string() + " is not writable";
    return {};
}

void sync_directory(const fs::path& directory) {
    const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

void sync_file(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw output::OutputError("cannot open " + path.string() +
                                  " to sync it: " + std::strerror(errno));
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0)
        throw output::OutputError("cannot sync " + path.string() +
                                  " to disk: " + std::strerror(err));
}

namespace {

/// rename(2) that fails with EEXIST instead of replacing `to`; errno set on failure.
bool rename_no_replace(const fs::path& from, const fs::path& to) {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0)
        return true;
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) return false;
    // No RENAME_NOREPLACE here (some network file systems): link(2) fails on an existing name.
    if (::link(from.c_str(), to.c_str()) == 0) {
        ::unlink(from.c_str());
        return true;
    }
    if (errno == EEXIST) return false;
    // No hard links either: a last look, then a plain rename (a race remains possible).
    if (::access(to.c_str(), F_OK) == 0) {
        errno = EEXIST;
        return false;
    }
    return ::rename(from.c_str(), to.c_str()) == 0;
}

}  // namespace

void durable_rename(const fs::path& from, const fs::path& to, bool from_synced, bool replace) {
    if (!from_synced) sync_file(from);
    if (replace) {
        std::error_code ec;
        fs::rename(from, to, ec);
        if (ec)
            throw output::OutputError("cannot rename " + from.string() + " to " + to.string() +
                                      ": " + ec.message());
    } else if (!rename_no_replace(from, to)) {
        if (errno == EEXIST)
            throw output::OutputError(
                to.string() +
                " appeared while this command ran (another mss writing the same output?) and is "
                "not replaced without --force; nothing was written over it");
        throw output::OutputError("cannot rename " + from.string() + " to " + to.string() + ": " +
                                  std::strerror(errno));
    }
    sync_directory(directory_of(to));
}

namespace {
/// This machine's name as it goes into a file name.
std::string host_for_names() {
    char host[256] = "host";
    if (::gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "host");
    host[sizeof host - 1] = '\0';
    for (char* c = host; *c != '\0'; ++c)  // a file name, whatever the host name holds
        if (*c == '/' || std::isspace(static_cast<unsigned char>(*c))) *c = '_';
    return host;
}
/// True while process `pid` runs: it exists and is not a zombie (a killed process nobody has
/// reaped yet, as an MPI rank orphaned by its launcher in a container without an init that
/// reaps, still answers kill(pid, 0)).
bool process_runs(pid_t pid) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
    std::FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
    if (f == nullptr) return true;  // no /proc: take kill()'s word
    char buf[512];
    const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = '\0';
    const char* close = std::strrchr(buf, ')');  // "PID (COMM) STATE ..."
    return close == nullptr || close[1] != ' ' || (close[2] != 'Z' && close[2] != 'X');
}
}  // namespace

TempFile TempFile::beside(const fs::path& final_path) {
    const std::string host = host_for_names();
    std::random_device rd;
    for (int attempt = 0;; ++attempt) {
        char suffix[16];
        std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(rd()));
        fs::path p =
            final_path.string() + ".tmp-" + host + "-" + std::to_string(::getpid()) + "-" + suffix;
        const int fd =
            ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd >= 0) {
            ::close(fd);
            return TempFile(std::move(p));
        }
        if (errno != EEXIST || attempt >= 100)
            throw output::OutputError("cannot create " + p.string() + ": " + std::strerror(errno));
    }
}

int TempFile::remove_stale(const fs::path& final_path) {
    const std::string prefix = final_path.filename().string() + ".tmp-" + host_for_names() + "-";
    std::error_code ec;
    int removed = 0;
    for (const fs::directory_entry& e : fs::directory_iterator(directory_of(final_path), ec)) {
        const std::string name = e.path().filename().string();
        if (name.compare(0, prefix.size(), prefix) != 0) continue;
        // PID-RANDOM: the PID is all digits up to the next '-'.
        const std::size_t dash = name.find('-', prefix.size());
        if (dash == std::string::npos || dash == prefix.size() || dash - prefix.size() > 9)
            continue;
        const std::string digits = name.substr(prefix.size(), dash - prefix.size());
        if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
        const auto pid = static_cast<pid_t>(std::stol(digits));
        if (pid == ::getpid() || process_runs(pid)) continue;
        struct stat st {};
        if (::lstat(e.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid())
            continue;  // only our own regular files: never a link, never another user's
        if (::unlink(e.path().c_str()) == 0) ++removed;
    }
    return removed;
}

TempFile::~TempFile() {
    if (!path_.empty()) {
        std::error_code ec;
        fs::remove(path_, ec);
    }
}

}  // namespace mss::experiment
