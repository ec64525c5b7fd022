// libFuzzer target: arbitrary bytes as a catalog file. Must never crash, hang or
// trip a sanitizer; either it loads or it reports problems.
#include <cstddef>
#include <cstdint>
#include <string>

#include "runwell/catalog.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    runwell::CatalogLoad load = runwell::load_catalog({{"fuzz.json", text}});
    if (load.ok() && load.catalog.models.empty()) __builtin_trap();  // a catalog with no models is never "ok"
    return 0;
}
