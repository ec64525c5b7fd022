// Embind surface of the core: strings in, JSON strings out. No logic here.
#include <emscripten/bind.h>

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "runwell/api.hpp"

namespace {
runwell::Engine engine;
std::vector<std::pair<std::string, std::string>> pending;

void add_catalog_file(const std::string& name, const std::string& text) { pending.emplace_back(name, text); }

// Loads the files added so far; returns {"ok":bool,"problems":[...]} as JSON.
std::string finish_catalog() {
    auto problems = engine.load(pending);
    pending.clear();
    nlohmann::json list = nlohmann::json::array();
    for (const runwell::Problem& p : problems) list.push_back({{"code", p.code}, {"path", p.path}, {"message", p.message}});
    return nlohmann::json{{"ok", problems.empty()}, {"problems", list}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string call(const std::string& request) { return engine.call(request); }

// The file names addCatalogFile expects (runwell::kCatalogFiles), as a JSON array.
std::string catalog_files() {
    return nlohmann::json(std::vector<std::string>(std::begin(runwell::kCatalogFiles), std::end(runwell::kCatalogFiles))).dump();
}

// Binary-safe: Embind passes a Uint8Array into std::string byte for byte.
std::string import_gguf(const std::string& header, double file_size) { return engine.import_gguf(header, file_size); }
}  // namespace

EMSCRIPTEN_BINDINGS(runwell) {
    emscripten::function("addCatalogFile", &add_catalog_file);
    emscripten::function("finishCatalog", &finish_catalog);
    emscripten::function("call", &call);
    emscripten::function("catalogFiles", &catalog_files);
    emscripten::function("importGguf", &import_gguf);
}
