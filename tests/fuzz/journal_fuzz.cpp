// tests/fuzz/journal_fuzz.cpp — libFuzzer target over the sweep journal's readers (issue 24):
// Journal::open (the scan that finds torn tails and damaged records), JournalReader and the
// record codec's decode_record on every payload the reader accepts.
//
// Input: the bytes of a journal file. They are written to a file in the temporary directory
// (the journal is read through a descriptor, locked and cut like a real one) once for
// Journal::open, which may truncate it, and again for JournalReader. Oracle: nothing but
// JournalConflict, JournalError and CodecError may escape, and no crash or leak.
//
// Built like scenario_fuzz.cpp: with clang and -fsanitize=fuzzer (the `fuzz` preset), and with
// the ordinary compiler plus replay_main.cpp over tests/fuzz/journal_corpus/ in `make test`.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "sim/experiment/journal.hpp"
#include "sim/experiment/record_codec.hpp"

namespace {

namespace ex = mss::experiment;

const std::filesystem::path& journal_file() {
    static const std::filesystem::path path =
        std::filesystem::temp_directory_path() /
        ("mss-journal-fuzz-" + std::to_string(::getpid()) + ".journal");
    return path;
}

void write_input(const std::uint8_t* data, std::size_t size) {
    std::ofstream out(journal_file(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

/// Removes the journal file at the end of an execution (libFuzzer ends the process with _Exit,
/// so a file left for the end would stay in the temporary directory).
struct RemoveJournal {
    RemoveJournal() = default;
    RemoveJournal(const RemoveJournal&) = delete;
    RemoveJournal& operator=(const RemoveJournal&) = delete;
    ~RemoveJournal() {
        std::error_code ec;
        std::filesystem::remove(journal_file(), ec);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const RemoveJournal remover;
    write_input(data, size);
    try {
        const ex::Journal j = ex::Journal::open(journal_file());
        (void)j.damage();
    } catch (const ex::JournalConflict&) {
    } catch (const ex::JournalError&) {
    }
    write_input(data, size);
    try {
        ex::JournalReader reader(journal_file());
        std::int64_t run = 0;
        std::string payload;
        for (int n = 0; n < 64 && reader.next(run, payload); ++n) {
            try {
                mss::output::EventSlices events;
                (void)ex::decode_record(payload, &events);
            } catch (const ex::CodecError&) {
            }
        }
    } catch (const ex::JournalConflict&) {
    } catch (const ex::JournalError&) {
    }
    return 0;
}
