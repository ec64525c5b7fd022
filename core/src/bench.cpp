#include "runwell/bench.hpp"

#include <cctype>
#include <cstdlib>

namespace runwell {

namespace {
constexpr size_t kMaxBenchBytes = 64u << 10;

std::string trim(const std::string& s) {
    size_t a = s.find_first_not_of(" \t\r"), b = s.find_last_not_of(" \t\r");
    return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

// The cells of a "| a | b |" line.
std::vector<std::string> cells_of(const std::string& line) {
    std::vector<std::string> out;
    size_t start = line.find('|');
    while (start != std::string::npos) {
        size_t end = line.find('|', start + 1);
        if (end == std::string::npos) break;
        out.push_back(trim(line.substr(start + 1, end - start - 1)));
        start = end;
    }
    return out;
}

// A leading positive number of at most 9 digits (tokens, depth); 0 when none.
long count_at(const std::string& s, size_t& i) {
    long v = 0;
    size_t digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && digits < 9) v = v * 10 + (s[i++] - '0'), ++digits;
    return digits ? v : 0;
}

// "pp512", "tg128", "pp512 @ d4096" -> a row without its speed; false when not a test.
bool parse_test(const std::string& test, BenchRow& row) {
    if (test.size() < 3 || (test.compare(0, 2, "pp") != 0 && test.compare(0, 2, "tg") != 0)) return false;
    row.prefill = test[0] == 'p';
    size_t i = 2;
    row.tokens = count_at(test, i);
    if (row.tokens <= 0) return false;
    size_t at = test.find("@ d", i);
    if (at != std::string::npos) {
        i = at + 3;
        row.depth = count_at(test, i);
    }
    row.test = test;
    return true;
}
}  // namespace

std::vector<BenchRow> read_llama_bench(const std::string& text, size_t limit) {
    std::vector<BenchRow> out;
    const std::string input = text.substr(0, kMaxBenchBytes);
    int test_col = -1, tps_col = -1;
    size_t start = 0;
    while (start < input.size() && out.size() < limit) {
        size_t end = input.find('\n', start);
        std::string line = input.substr(start, end == std::string::npos ? std::string::npos : end - start);
        start = end == std::string::npos ? input.size() : end + 1;
        std::vector<std::string> cells = cells_of(line);
        if (cells.empty()) continue;
        // The header names the columns ("test", "t/s"); tables without one use llama-bench's order.
        for (size_t c = 0; c < cells.size(); ++c) {
            if (cells[c] == "test") test_col = static_cast<int>(c);
            if (cells[c] == "t/s") tps_col = static_cast<int>(c);
        }
        int tc = test_col >= 0 ? test_col : static_cast<int>(cells.size()) - 2;
        int sc = tps_col >= 0 ? tps_col : static_cast<int>(cells.size()) - 1;
        if (tc < 0 || sc < 0 || tc >= static_cast<int>(cells.size()) || sc >= static_cast<int>(cells.size())) continue;
        BenchRow row;
        if (!parse_test(cells[tc], row)) continue;
        char* stop = nullptr;
        double tps = std::strtod(cells[sc].c_str(), &stop);
        if (stop == cells[sc].c_str() || !(tps > 0) || tps > 1e7) continue;
        row.tps = tps;
        out.push_back(row);
    }
    return out;
}

}  // namespace runwell
