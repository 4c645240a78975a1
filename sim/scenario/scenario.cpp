// sim/scenario/scenario.cpp — the scenario loader's pipeline: document (extends, --set) ->
// schema reader -> cross-checks -> resolved text.
#include "sim/scenario/scenario.hpp"

#include "sim/scenario/checks.hpp"
#include "sim/scenario/document.hpp"
#include "sim/scenario/reader.hpp"
#include "sim/scenario/writer.hpp"

namespace mss::scenario {

const FileSource& disk() {
    static const DiskSource source;
    return source;
}

LoadResult load_scenario(const std::filesystem::path& path, const std::vector<std::string>& sets,
                         const FileSource* files) {
    const FileSource& src = files ? *files : disk();
    Diagnostics diags;
    std::optional<toml::table> doc = detail::load_document(path, src, diags);
    if (!doc) diags.throw_if_errors();
    const std::string shown = detail::display_path(path);
    if (const toml::node* sweep = doc->get("sweep")) {
        diags.error(detail::at(sweep->source(), "sweep",
                               "expected a scenario file, found a sweep file (it has a [sweep] "
                               "table); run it with `mss sweep`"));
        diags.throw_if_errors();
    }
    for (const auto& s : sets)
        detail::apply_set(*doc, s, diags);
    detail::Locations locs(shown);
    model::ModelConfig config = detail::read_model(*doc, diags, locs);
    detail::check_model(config, locs, diags);
    diags.throw_if_errors();
    LoadResult result;
    result.resolved_text = to_toml(config);
    result.config = std::move(config);
    result.warnings = diags.warnings();
    result.source = shown;
    return result;
}

std::string to_toml(const model::ModelConfig& config) {
    detail::OrderedTable root;
    detail::Writer writer(root);
    fields(writer, config);
    std::string out =
        "# Fully resolved mss-sim scenario: every key explicit, dates as days and hours since "
        "the start.\n";
    detail::emit(root, "", out);
    return out;
}

std::string toml_version() {
    return std::to_string(TOML_LIB_MAJOR) + "." + std::to_string(TOML_LIB_MINOR) + "." +
           std::to_string(TOML_LIB_PATCH);
}

FileKind file_kind(const std::filesystem::path& path, const FileSource* files) {
    Diagnostics diags;
    const auto doc = detail::parse_file(path, files ? *files : disk(), diags);
    diags.throw_if_errors();
    if (doc->contains("sweep")) return FileKind::sweep;
    return doc->contains("optimize") ? FileKind::optimize : FileKind::scenario;
}

}  // namespace mss::scenario
