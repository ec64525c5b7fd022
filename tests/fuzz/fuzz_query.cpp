// libFuzzer target: arbitrary bytes as a request to the JSON API over the
// bundled catalog. Every answer must be one JSON object with "ok".
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz_engine.hpp"
#include "runwell/api.hpp"


extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string request(reinterpret_cast<const char*>(data), size);
    std::string out = fuzz_engine().call(request);
    auto j = nlohmann::json::parse(out, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("ok")) __builtin_trap();
    return 0;
}
