#include "runwell/bench.hpp"

#include <cctype>
#include <cstdlib>

#include "json_reader.hpp"

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

// One llama-bench result of its machine formats (-o json, jsonl, csv): n_prompt / n_gen / n_depth
// and avg_ts. A pure pp or pure tg test becomes a row; combined tests (-pg) are skipped.
bool row_from_counts(long n_prompt, long n_gen, long n_depth, double avg_ts, BenchRow& row) {
    if (!(avg_ts > 0) || avg_ts > 1e7 || n_depth < 0 || n_depth > 100'000'000) return false;
    if ((n_prompt > 0) == (n_gen > 0)) return false;
    row.prefill = n_prompt > 0;
    row.tokens = row.prefill ? n_prompt : n_gen;
    if (row.tokens > 100'000'000) return false;
    row.depth = n_depth;
    row.tps = avg_ts;
    row.test = (row.prefill ? "pp" : "tg") + std::to_string(row.tokens) + (n_depth > 0 ? " @ d" + std::to_string(n_depth) : "");
    return true;
}

long count_field(const detail::json& o, const char* key) {
    auto it = o.find(key);
    if (it == o.end()) return 0;
    if (it->is_number_integer()) return it->get<long>();
    if (it->is_string()) return std::strtol(it->get<std::string>().c_str(), nullptr, 10);
    return -1;
}

double number_field(const detail::json& o, const char* key) {
    auto it = o.find(key);
    if (it == o.end()) return 0;
    if (it->is_number()) return it->get<double>();
    if (it->is_string()) return std::strtod(it->get<std::string>().c_str(), nullptr);
    return 0;
}

void rows_from_json(const detail::json& j, std::vector<BenchRow>& out, size_t limit) {
    const detail::json* list = &j;
    detail::json one = detail::json::array();
    if (j.is_object()) { one.push_back(j); list = &one; }
    if (!list->is_array()) return;
    for (const detail::json& o : *list) {
        if (out.size() >= limit) return;
        BenchRow row;
        if (o.is_object() && row_from_counts(count_field(o, "n_prompt"), count_field(o, "n_gen"), count_field(o, "n_depth"), number_field(o, "avg_ts"), row))
            out.push_back(row);
    }
}

// The fields of one CSV line (llama-bench quotes every value).
std::vector<std::string> csv_fields(const std::string& line) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (char ch : line) {
        if (ch == '"') quoted = !quoted;
        else if (ch == ',' && !quoted) out.emplace_back();
        else if (ch != '\r') out.back() += ch;
    }
    return out;
}

// "prompt eval time = 1712.75 ms / 15 tokens ( ... 8.76 tokens per second)" (llama-cli and
// llama-server timings): the count after the slash and the rate before "tokens per second".
bool row_from_timing(const std::string& line, BenchRow& row) {
    const bool prompt = line.find("prompt eval time") != std::string::npos;
    if (!prompt && line.find("eval time") == std::string::npos) return false;
    size_t slash = line.find('/', line.find("eval time"));
    size_t rate_end = line.find("tokens per second");
    if (slash == std::string::npos || rate_end == std::string::npos || rate_end < slash) return false;
    long n = std::strtol(line.c_str() + slash + 1, nullptr, 10);
    size_t rate_start = line.rfind(',', rate_end);
    if (rate_start == std::string::npos || rate_start < slash) return false;
    double tps = std::strtod(line.c_str() + rate_start + 1, nullptr);
    return row_from_counts(prompt ? n : 0, prompt ? 0 : n, 0, tps, row);
}
}  // namespace

std::vector<BenchRow> read_llama_bench(const std::string& text, size_t limit) {
    std::vector<BenchRow> out;
    const std::string input = text.substr(0, kMaxBenchBytes);
    // llama-bench -o json: one array; -o jsonl: an object per line.
    const size_t first = input.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && (input[first] == '[' || input[first] == '{')) {
        std::string why;
        detail::json whole = detail::parse_bounded(input, why);
        if (!whole.is_discarded()) {
            rows_from_json(whole, out, limit);
            return out;
        }
    }
    std::vector<std::string> csv_header;
    int test_col = -1, tps_col = -1;
    size_t start = 0;
    while (start < input.size() && out.size() < limit) {
        size_t end = input.find('\n', start);
        std::string line = input.substr(start, end == std::string::npos ? std::string::npos : end - start);
        start = end == std::string::npos ? input.size() : end + 1;
        BenchRow timed;
        if (row_from_timing(line, timed)) { out.push_back(timed); continue; }
        if (trim(line).rfind('{', 0) == 0) {  // a JSON line
            std::string why;
            detail::json object = detail::parse_bounded(trim(line), why);
            if (!object.is_discarded()) rows_from_json(object, out, limit);
            continue;
        }
        if (line.find("avg_ts") != std::string::npos && line.find("n_prompt") != std::string::npos && line.find('|') == std::string::npos) {
            csv_header = csv_fields(line);  // llama-bench -o csv
            continue;
        }
        if (!csv_header.empty() && line.find('|') == std::string::npos) {
            std::vector<std::string> fields = csv_fields(line);
            if (fields.size() != csv_header.size()) continue;
            detail::json o = detail::json::object();
            for (size_t c = 0; c < fields.size(); ++c) o[csv_header[c]] = fields[c];
            rows_from_json(o, out, limit);
            continue;
        }
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
