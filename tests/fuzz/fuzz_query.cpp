// libFuzzer target: arbitrary bytes as a request to the JSON API over the
// bundled catalog. Every answer must be one JSON object with "ok".
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "runwell/api.hpp"

namespace {
const runwell::Engine& engine() {
    static const runwell::Engine e = [] {
        runwell::Engine x;
        std::vector<runwell::Problem> problems;
        auto files = runwell::read_catalog_dir(RUNWELL_DATA_DIR, problems);
        if (!problems.empty()) __builtin_trap();
        if (!x.load(files).empty()) __builtin_trap();
        return x;
    }();
    return e;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string request(reinterpret_cast<const char*>(data), size);
    std::string out = engine().call(request);
    auto j = nlohmann::json::parse(out, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("ok")) __builtin_trap();
    return 0;
}
