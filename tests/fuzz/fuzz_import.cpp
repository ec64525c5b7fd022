// libFuzzer target: the parsers of user-supplied files. The first byte picks the parser
// (config.json, GGUF header, or pasted llama-bench / timing output); none may crash, hang or
// trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string>

#include <cmath>

#include "runwell/bench.hpp"
#include "runwell/import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] % 3 == 2) {
        auto rows = runwell::read_llama_bench(rest);
        if (rows.size() > 64) __builtin_trap();  // the parser's bound
        for (const runwell::BenchRow& row : rows)
            if (!(row.tps > 0) || !std::isfinite(row.tps) || row.tokens <= 0 || row.depth < 0) __builtin_trap();
        return 0;
    }
    runwell::ImportedModel r = (data[0] & 1) ? runwell::model_from_gguf(rest, 0) : runwell::model_from_hf_config(rest);
    if (r.model && !r.problems.empty()) __builtin_trap();             // either a model or problems
    if (r.model && !(r.model->params_b > 0)) __builtin_trap();       // never a NaN or empty model
    return 0;
}
