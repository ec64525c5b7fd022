// libFuzzer target: the bring-your-own-model parsers. The first byte picks the
// parser (config.json or GGUF header); neither may crash, hang or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string>

#include "runwell/import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    runwell::ImportedModel r = (data[0] & 1) ? runwell::model_from_gguf(rest, 0) : runwell::model_from_hf_config(rest);
    if (r.model && !r.problems.empty()) __builtin_trap();             // either a model or problems
    if (r.model && !(r.model->params_b > 0)) __builtin_trap();       // never a NaN or empty model
    return 0;
}
