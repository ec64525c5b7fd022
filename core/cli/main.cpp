// runwell: the estimator on the command line.
//   runwell estimate --model ID --hardware ID [--quant Q] [--context N] [--gpus N]
//                    [--host-ram GB] [--kv f16|q8_0|q4_0] [--mode M] [--workload W] [--json]
//   runwell batch    < requests.jsonl   (one JSON request per line -> one JSON line each)
//   runwell rank --hardware ID [--mode M] [--workload W] [--json]
//   runwell list models|hardware|quants|workloads|modes
// --data DIR points at the catalog (default: the data/ folder this binary was built with).
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runwell/api.hpp"

#ifndef RUNWELL_DATA_DIR
#define RUNWELL_DATA_DIR "data"
#endif

namespace {
using nlohmann::json;

const char* kUsage =
    "usage: runwell estimate --model ID --hardware ID [--quant Q] [--context N] [--gpus N]\n"
    "                        [--host-ram GIB] [--host-bandwidth GBS] [--kv f16|q8_0|q4_0]\n"
    "                        [--mode interactive|balanced|light-api|scale-out] [--workload ID] [--json]\n"
    "       runwell rank --hardware ID [--mode M] [--workload W] [--limit N] [--json]\n"
    "       runwell batch < requests.jsonl\n"
    "       runwell list models|hardware|quants|workloads|modes\n"
    "options for all: --data DIR (catalog folder)\n";

int load(runwell::Engine& engine, const std::string& dir) {
    std::vector<runwell::Problem> problems;
    auto files = runwell::read_catalog_dir(dir, problems);
    if (problems.empty()) problems = engine.load(files);
    for (const auto& p : problems) std::cerr << "runwell: catalog: " << p.path << ": " << p.message << " [" << p.code << "]\n";
    return problems.empty() ? 0 : 2;
}

// Turns --flag value pairs into a request; numbers stay numbers.
bool build_request(const std::vector<std::string>& args, json& req, bool& as_json, std::string& error) {
    static const std::map<std::string, std::pair<std::string, bool>> flags = {
        {"--model", {"model", false}},        {"--hardware", {"hardware", false}}, {"--quant", {"quant", false}},
        {"--context", {"context", true}},     {"--gpus", {"gpus", true}},          {"--host-ram", {"host_ram_gib", true}},
        {"--host-bandwidth", {"host_bandwidth_gbs", true}}, {"--kv", {"kv", false}}, {"--mode", {"mode", false}},
        {"--workload", {"workload", false}},  {"--limit", {"limit", true}}};
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--json") { as_json = true; continue; }
        auto it = flags.find(args[i]);
        if (it == flags.end()) { error = "unknown option " + args[i]; return false; }
        if (i + 1 >= args.size()) { error = args[i] + " needs a value"; return false; }
        const std::string& v = args[++i];
        if (it->second.second) {
            json n = json::parse(v, nullptr, false);
            if (n.is_discarded() || !n.is_number()) { error = args[i - 1] + " needs a number, got '" + v + "'"; return false; }
            req[it->second.first] = n;
        } else {
            req[it->second.first] = v;
        }
    }
    return true;
}

void print_estimate(const json& r) {
    std::printf("%s\n\n", r["summary"].get<std::string>().c_str());
    const json& m = r["memory_gib"];
    std::printf("Fit            %s (grade %s for %s)\n", r["fit_label"].get<std::string>().c_str(),
                r["grade"].get<std::string>().c_str(), r["query"]["workload"].get<std::string>().c_str());
    std::printf("Memory         %.1f / %.1f GiB usable (weights %.1f, cache %.2f, compute %.2f, runtime %.2f)\n",
                m["total"].get<double>(), m["usable"].get<double>(), m["weights"].get<double>(),
                m["kv_cache"].get<double>() + m["recurrent_state"].get<double>(), m["compute"].get<double>(), m["runtime"].get<double>());
    if (r["offload"]["kind"] != "none")
        std::printf("Offload        %.0f%% of weights (%s), host RAM needed %.1f GiB\n", r["offload"]["percent"].get<double>(),
                    r["offload"]["kind"].get<std::string>().c_str(), r["offload"]["host_ram_needed_gib"].get<double>());
    std::printf("Decode         %.1f tok/s (±%d%%)\n", r["decode_tps"].get<double>(), r["error_band"]["decode_pct"].get<int>());
    std::printf("Prefill        %.0f tok/s, TTFT %.2f s for %ld prompt tokens\n", r["prefill_tps"].get<double>(),
                r["ttft_s"].get<double>(), r["prompt_tokens"].get<long>());
    std::printf("Safe context   %ld tokens\n", r["safe_context"].get<long>());
    std::printf("Best quant     %s\n\nWorkloads\n", r["best_quant"].get<std::string>().c_str());
    for (const json& w : r["workloads"])
        std::printf("  %-16s %s  %-18s %7.1f tok/s  TTFT %7.2f s  ctx %ld\n", w["name"].get<std::string>().c_str(),
                    w["grade"].get<std::string>().c_str(), w["fit_label"].get<std::string>().c_str(), w["decode_tps"].get<double>(),
                    w["ttft_s"].get<double>(), w["safe_context"].get<long>());
    std::printf("\nWhat limits this setup\n");
    for (const json& n : r["limits"]) std::printf("  - %s: %s\n", n["title"].get<std::string>().c_str(), n["detail"].get<std::string>().c_str());
    std::printf("\nBest improvement path\n");
    for (const json& n : r["improvements"]) std::printf("  - %s: %s\n", n["title"].get<std::string>().c_str(), n["detail"].get<std::string>().c_str());
    std::printf("\nRun it\n");
    for (const json& c : r["commands"]) std::printf("  # %s\n  %s\n\n", c["label"].get<std::string>().c_str(), c["text"].get<std::string>().c_str());
}

int report(const std::string& response, bool as_json, bool rank) {
    json r = json::parse(response, nullptr, false);
    if (as_json || r.is_discarded()) { std::cout << (r.is_discarded() ? response : r.dump(2)) << "\n"; return r.value("ok", false) ? 0 : 1; }
    if (!r["ok"].get<bool>()) {
        std::cerr << "runwell: " << r["error"]["message"].get<std::string>() << " [" << r["error"]["code"].get<std::string>() << "]\n";
        return 1;
    }
    if (!rank) { print_estimate(r); return 0; }
    for (const json& m : r["models"])
        std::printf("%-40s %s %3.0f  %-8s %7.1f tok/s  %s\n", m["name"].get<std::string>().c_str(), m["grade"].get<std::string>().c_str(),
                    m["score"].get<double>(), m["best_quant"].get<std::string>().c_str(), m["decode_tps"].get<double>(),
                    m["fit"].get<std::string>().c_str());
    return 0;
}
}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string data = RUNWELL_DATA_DIR;
    for (size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == "--data") { data = args[i + 1]; args.erase(args.begin() + i, args.begin() + i + 2); break; }
    if (args.empty() || args[0] == "--help" || args[0] == "-h") { std::cout << kUsage; return args.empty() ? 2 : 0; }
    runwell::Engine engine;
    if (int rc = load(engine, data)) return rc;
    const std::string cmd = args[0];
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (cmd == "batch") {
        std::string line;
        while (std::getline(std::cin, line)) {
            if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
            std::cout << engine.call(line) << "\n";
        }
        return 0;
    }
    if (cmd == "list") {
        json cat = json::parse(engine.call(R"({"op":"catalog"})"));
        std::string what = rest.empty() ? "models" : rest[0];
        if (!cat.contains(what)) { std::cerr << "runwell: list models|hardware|quants|workloads|modes\n"; return 2; }
        for (const json& e : cat[what]) std::printf("%-42s %s\n", e["id"].get<std::string>().c_str(), e["name"].get<std::string>().c_str());
        return 0;
    }
    if (cmd == "estimate" || cmd == "rank") {
        json req = {{"op", cmd}};
        bool as_json = false;
        std::string error;
        if (!build_request(rest, req, as_json, error)) { std::cerr << "runwell: " << error << "\n" << kUsage; return 2; }
        return report(engine.call(req.dump()), as_json, cmd == "rank");
    }
    std::cerr << "runwell: unknown command '" << cmd << "'\n" << kUsage;
    return 2;
}
