// The CLI's flags as a JSON request, separate from main() so a fuzzer can drive it.
// No exceptions: bad flags come back as an error message; any bytes become valid JSON text.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace runwell::cli {

// Turns --flag value pairs into a request; numbers stay numbers.
inline bool build_request(const std::vector<std::string>& args, nlohmann::json& req, bool& as_json, std::string& error) {
    static const std::map<std::string, std::pair<std::string, bool>> flags = {
        {"--model", {"model", false}},        {"--hardware", {"hardware", false}}, {"--quant", {"quant", false}},
        {"--context", {"context", true}},     {"--gpus", {"gpus", true}},          {"--host-ram", {"host_ram_gib", true}},
        {"--host-bandwidth", {"host_bandwidth_gbs", true}}, {"--kv", {"kv", false}}, {"--mode", {"mode", false}},
        {"--workload", {"workload", false}},  {"--limit", {"limit", true}}};
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--json") { as_json = true; continue; }
        auto it = flags.find(args[i]);
        if (it == flags.end()) { error = "unknown option " + args[i].substr(0, 80); return false; }
        if (i + 1 >= args.size()) { error = args[i] + " needs a value"; return false; }
        const std::string& v = args[++i];
        if (it->second.second) {
            // A number is a short plain token: no JSON structure is parsed from a flag.
            nlohmann::json n = v.size() <= 32 ? nlohmann::json::parse(v, nullptr, false) : nlohmann::json(nlohmann::json::value_t::discarded);
            if (n.is_discarded() || !n.is_number()) { error = args[i - 1] + " needs a number, got '" + v.substr(0, 40) + "'"; return false; }
            req[it->second.first] = n;
        } else {
            req[it->second.first] = v;
        }
    }
    return true;
}

// The request as text; bytes that are not UTF-8 become U+FFFD instead of throwing.
inline std::string request_text(const nlohmann::json& req) {
    return req.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace runwell::cli
