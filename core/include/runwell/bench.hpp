// "Is this number right for my box?": llama-bench's table, as a user pastes it, read into
// tests (pp512, tg128, "pp512 @ d4096") and measured tokens per second.
#pragma once
#include <string>
#include <vector>

namespace runwell {

struct BenchRow {
    bool prefill = false;  // pp (prompt processing) or tg (token generation)
    long tokens = 0;       // the test's length (512 of pp512)
    long depth = 0;        // context already cached ("@ d4096"), 0 when none
    double tps = 0;        // the mean, before "±"
    std::string test;      // as printed
};

// Reads every table row whose test column is ppN or tgN (optionally "@ dN") and whose t/s
// column is a number; other lines are skipped. At most `limit` rows and 64 KiB of text.
std::vector<BenchRow> read_llama_bench(const std::string& text, size_t limit = 64);

}  // namespace runwell
