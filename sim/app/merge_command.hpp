// sim/app/merge_command.hpp — `mss merge OUT.h5 SHARD.h5... [--force] [--remove-shards]`: joins the
// shard files of one sweep (`mss sweep --shard I/N`) into the file the whole sweep would have
// written, after checking they share one sweep identity and hold every run exactly once (exit 2
// naming the files and run ranges otherwise). Free of CLI11.
#pragma once

#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace mss::app {

struct MergeOptions {
    std::string output;               ///< the merged results file
    std::vector<std::string> shards;  ///< shard files, in any order
    bool force = false;               ///< overwrite an existing output
    bool remove_shards = false;       ///< delete the shard files once the merged file is complete
    std::string command_line;         ///< recorded in the file
    std::vector<std::pair<std::string, std::string>> versions;  ///< library versions to record
};

/// Runs the command; returns the exit code (0, 1 I/O failure, 2 shards that do not merge).
int run_merge(const MergeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace mss::app
