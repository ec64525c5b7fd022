// Embind surface of the core: strings in, JSON strings out. No logic here.
#include <emscripten/bind.h>

#include <string>
#include <utility>
#include <vector>

#include "runwell/api.hpp"

namespace {
runwell::Engine engine;
std::vector<std::pair<std::string, std::string>> pending;

void add_catalog_file(const std::string& name, const std::string& text) { pending.emplace_back(name, text); }

// Loads the files added so far; returns {"ok":bool,"problems":[...]} as JSON.
std::string finish_catalog() {
    auto problems = engine.load(pending);
    pending.clear();
    std::string out = R"({"ok":)" + std::string(problems.empty() ? "true" : "false") + R"(,"problems":[)";
    for (size_t i = 0; i < problems.size(); ++i) {
        // Problem texts come from our own loader; escape quotes and backslashes for JSON.
        auto esc = [](const std::string& s) {
            std::string o;
            for (char c : s) {
                if (c == '"' || c == '\\') o += '\\';
                if (static_cast<unsigned char>(c) < 0x20) continue;
                o += c;
            }
            return o;
        };
        out += (i ? "," : "") + std::string(R"({"code":")") + esc(problems[i].code) + R"(","path":")" + esc(problems[i].path) +
               R"(","message":")" + esc(problems[i].message) + R"("})";
    }
    return out + "]}";
}

std::string call(const std::string& request) { return engine.call(request); }

// The file names addCatalogFile expects (runwell::kCatalogFiles), as a JSON array.
std::string catalog_files() {
    std::string out = "[";
    for (const char* name : runwell::kCatalogFiles) out += (out.size() > 1 ? ",\"" : "\"") + std::string(name) + "\"";
    return out + "]";
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
