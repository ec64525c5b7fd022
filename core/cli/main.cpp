// runwell: the estimator on the command line.
//   runwell estimate --model ID --hardware ID [--quant Q] [--context N] [--gpus N]
//                    [--host-ram GB] [--kv f16|q8_0|q4_0] [--mode M] [--workload W] [--json]
//   runwell batch    < requests.jsonl   (one JSON request per line -> one JSON line each)
//   runwell rank --hardware ID [--mode M] [--workload W] [--json]
//   runwell list models|hardware|quants|workloads|modes
// --data DIR points at the catalog (default: the data/ folder this binary was built with).
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "args.hpp"
#include "runwell/api.hpp"

#ifndef RUNWELL_DATA_DIR
#define RUNWELL_DATA_DIR "data"
#endif

namespace {
using nlohmann::json;

constexpr size_t kMaxLineBytes = 8u << 20;  // one batch request (the core's own limit on a request)

const char* kUsage =
    "usage: runwell estimate --model ID --hardware ID [--quant Q] [--context N] [--gpus N]\n"
    "                        [--host-ram GIB] [--host-bandwidth GBS] [--kv f16|q8_0|q4_0]\n"
    "                        [--mode interactive|balanced|light-api|scale-out] [--workload ID] [--json]\n"
    "       runwell rank --hardware ID [--mode M] [--workload W] [--limit N] [--json]\n"
    "       runwell batch < requests.jsonl\n"
    "       runwell list models|hardware|quants|workloads|modes\n"
    "       runwell catalog-files   (the file names of a catalog folder, as JSON)\n"
    "       runwell fit [--only PREFIX] < rows.jsonl   (fit the calibration constants to measurements,\n"
    "                        or only those named PREFIX...; see scripts/accuracy)\n"
    "options for all: --data DIR (catalog folder), --calibration FILE (fitted constants instead of DIR/calibration.json)\n";

// Text from the catalog or a request, made safe for a terminal: control bytes
// (escape sequences, carriage returns) and C1 controls become '?'.
std::string printable(const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        bool c1 = c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                  static_cast<unsigned char>(text[i + 1]) <= 0x9F;
        if (c < 0x20 || c == 0x7F) out += '?';
        else if (c1) { out += '?'; ++i; }
        else out += text[i];
    }
    return out;
}
const char* safe(const json& v) {
    static std::string buffers[8];  // printf takes several in one call
    static int next = 0;
    std::string& b = buffers[next++ % 8];
    b = printable(v.is_string() ? v.get<std::string>() : v.dump());
    return b.c_str();
}

int load(runwell::Engine& engine, const std::string& dir) {
    std::vector<runwell::Problem> problems;
    auto files = runwell::read_catalog_dir(dir, problems);
    if (problems.empty()) problems = engine.load(files);
    for (const auto& p : problems)
        std::cerr << "runwell: catalog: " << printable(p.path) << ": " << printable(p.message) << " [" << p.code << "]\n";
    return problems.empty() ? 0 : 2;
}

void print_estimate(const json& r) {
    std::printf("%s\n\n", safe(r["summary"]));
    const json& m = r["memory_gib"];
    std::printf("Fit            %s (grade %s for %s)\n", safe(r["fit_label"]),
                safe(r["grade"]), safe(r["query"]["workload"]));
    std::printf("Memory         %.1f / %.1f GiB usable (weights %.1f, cache %.2f, compute %.2f, runtime %.2f)\n",
                m["total"].get<double>(), m["usable"].get<double>(), m["weights"].get<double>(),
                m["kv_cache"].get<double>() + m["recurrent_state"].get<double>(), m["compute"].get<double>(), m["runtime"].get<double>());
    if (r["offload"]["kind"] != "none")
        std::printf("Offload        %.0f%% of weights (%s), host RAM needed %.1f GiB\n", r["offload"]["percent"].get<double>(),
                    safe(r["offload"]["kind"]), r["offload"]["host_ram_needed_gib"].get<double>());
    const bool runs = r["runs"].get<bool>();
    if (runs) {
        std::printf("Decode         %.1f tok/s (±%d%%)\n", r["decode_tps"].get<double>(), r["error_band"]["decode_pct"].get<int>());
        std::printf("Prefill        %.0f tok/s, TTFT %.2f s for %ld prompt tokens\n", r["prefill_tps"].get<double>(),
                    r["ttft_s"].get<double>(), r["prompt_tokens"].get<long>());
    }
    std::printf("Safe context   %ld tokens\n", r["safe_context"].get<long>());
    std::printf("Best quant     %s\n\nWorkloads\n", r["best_quant"] == "" ? "none runs at this context" : safe(r["best_quant"]));
    for (const json& w : r["workloads"]) {
        std::printf("  %-16s %s  %-18s", safe(w["name"]), safe(w["grade"]), safe(w["fit_label"]));
        if (w["runs"].get<bool>())
            std::printf(" %7.1f tok/s  TTFT %7.2f s", w["decode_tps"].get<double>(), w["ttft_s"].get<double>());
        std::printf("  at %ld tokens\n", w["context"].get<long>());
    }
    std::printf("\nWhat limits this setup\n");
    for (const json& n : r["limits"]) std::printf("  - %s: %s\n", safe(n["title"]), safe(n["detail"]));
    std::printf("\nBest improvement path\n");
    for (const json& n : r["improvements"]) std::printf("  - %s: %s\n", safe(n["title"]), safe(n["detail"]));
    std::printf("\nRun it\n");
    if (r["commands"].empty()) std::printf("  (no command: this setup does not run)\n");
    for (const json& c : r["commands"]) {
        std::printf("  # %s\n", safe(c["label"]));
        // Line by line: the snippet's own newlines stay, any other control byte is replaced.
        std::string text = c["text"].get<std::string>();
        for (size_t start = 0; start <= text.size();) {
            size_t end = std::min(text.find('\n', start), text.size());
            std::printf("  %s\n", printable(text.substr(start, end - start)).c_str());
            start = end + 1;
        }
        std::printf("\n");
    }
}

int report(const std::string& response, bool as_json, bool rank) {
    json r = json::parse(response, nullptr, false);
    if (as_json || r.is_discarded()) { std::cout << (r.is_discarded() ? response : r.dump(2)) << "\n"; return r.value("ok", false) ? 0 : 1; }
    if (!r["ok"].get<bool>()) {
        std::cerr << "runwell: " << safe(r["error"]["message"]) << " [" << safe(r["error"]["code"]) << "]\n";
        return 1;
    }
    if (!rank) { print_estimate(r); return 0; }
    for (const json& m : r["models"])
        std::printf("%-40s %s %3.0f  %-8s %7.1f tok/s  %s\n", safe(m["name"]), safe(m["grade"]),
                    m["score"].get<double>(), safe(m["best_quant"]), m["decode_tps"].get<double>(),
                    safe(m["fit"]));
    return 0;
}

// Removes "--name VALUE" from args; returns VALUE, or `fallback` when absent.
std::string take_option(std::vector<std::string>& args, const std::string& name, const std::string& fallback) {
    for (size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == name) {
            std::string v = args[i + 1];
            args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
            return v;
        }
    return fallback;
}

std::string read_stdin() {
    std::string text;
    for (int c; (c = std::cin.get()) != EOF;) {
        if (text.size() >= (256u << 20)) break;  // a bound, far above any measurement set
        text += static_cast<char>(c);
    }
    return text;
}
}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string data = take_option(args, "--data", RUNWELL_DATA_DIR);
    std::string calibration = take_option(args, "--calibration", "");
    if (args.empty() || args[0] == "--help" || args[0] == "-h") { std::cout << kUsage; return args.empty() ? 2 : 0; }
    if (args[0] == "catalog-files") {  // the files a catalog folder holds, for the site build
        std::cout << json(std::vector<std::string>(std::begin(runwell::kCatalogFiles), std::end(runwell::kCatalogFiles))).dump() << "\n";
        return 0;
    }
    runwell::Engine engine;
    if (int rc = load(engine, data)) return rc;
    if (!calibration.empty()) {
        std::vector<runwell::Problem> problems;
        std::string text;
        if (runwell::read_text_file(calibration, text, problems)) problems = engine.set_calibration(text);
        for (const auto& p : problems)
            std::cerr << "runwell: calibration: " << printable(p.path) << ": " << printable(p.message) << " [" << p.code << "]\n";
        if (!problems.empty()) return 2;
    }
    const std::string cmd = args[0];
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (cmd == "batch") {
        // Lines are read with a bound: an over-long line gets an error answer and the batch goes on.
        std::string line;
        bool too_long = false;
        auto answer = [&] {
            if (too_long) std::cout << R"({"ok":false,"error":{"code":"bad_json","message":"the request is too large: a line holds at most )"
                                    << kMaxLineBytes << R"( bytes","path":""}})" << "\n";
            else if (line.find_first_not_of(" \t\r") != std::string::npos) std::cout << engine.call(line) << "\n";
            line.clear();
            too_long = false;
        };
        for (int c; (c = std::cin.get()) != EOF;) {
            if (c == '\n') { answer(); continue; }
            if (line.size() < kMaxLineBytes) line += static_cast<char>(c);
            else too_long = true;
        }
        if (!line.empty() || too_long) answer();
        return 0;
    }
    if (cmd == "fit") {
        std::string only = take_option(rest, "--only", "");
        std::string out = engine.fit(read_stdin(), only);
        json r = json::parse(out, nullptr, false);
        std::cout << out << "\n";
        return r.is_object() && r.value("ok", false) ? 0 : 1;
    }
    if (cmd == "list") {
        json cat = json::parse(engine.call(R"({"op":"catalog"})"), nullptr, false);
        std::string what = rest.empty() ? "models" : rest[0];
        static const char* kLists[] = {"models", "hardware", "quants", "workloads", "modes"};
        bool known = std::any_of(std::begin(kLists), std::end(kLists), [&](const char* l) { return what == l; });
        if (!known || rest.size() > 1 || !cat.is_object() || !cat.contains(what)) {
            std::cerr << "runwell: list models|hardware|quants|workloads|modes\n";
            return 2;
        }
        for (const json& e : cat[what]) std::printf("%-42s %s\n", safe(e["id"]), safe(e["name"]));
        return 0;
    }
    if (cmd == "estimate" || cmd == "rank") {
        json req = {{"op", cmd}};
        bool as_json = false;
        std::string error;
        if (!runwell::cli::build_request(rest, req, as_json, error)) {
            std::cerr << "runwell: " << printable(error) << "\n" << kUsage;
            return 2;
        }
        return report(engine.call(runwell::cli::request_text(req)), as_json, cmd == "rank");
    }
    std::cerr << "runwell: unknown command '" << printable(cmd) << "'\n" << kUsage;
    return 2;
}
