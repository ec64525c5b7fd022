// libFuzzer target, structure-aware: the input bytes choose a *valid-shaped* request
// (every op; catalog ids or inline model/device/quant objects with extreme values;
// context, depth, offload overrides, backends), so most runs reach the physics.
// The answer must keep the documented invariants, not only be JSON:
// counts within [0, layers], shares within [0, 100], no negative or non-finite
// figure, grade F exactly when the headline setup won't run, and every command
// line's text equal to its shell-quoted argv words.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include <fuzzer/FuzzedDataProvider.h>
#include <nlohmann/json.hpp>

#include "fuzz_engine.hpp"
#include "runwell/api.hpp"
#include "runwell/shell.hpp"

using nlohmann::json;

namespace {

template <class T>
const T& pick(FuzzedDataProvider& in, const std::vector<T>& from) {
    return from[in.ConsumeIntegralInRange<size_t>(0, from.size() - 1)];
}

// A number from the interesting places: tiny, typical, at limits, past limits, negative.
double number(FuzzedDataProvider& in, double typical) {
    switch (in.ConsumeIntegralInRange<int>(0, 6)) {
        case 0: return typical;
        case 1: return typical * in.ConsumeFloatingPointInRange<double>(0.0, 4.0);
        case 2: return in.ConsumeFloatingPointInRange<double>(-1e3, 1e9);
        case 3: return 0;
        case 4: return 1e-4;
        case 5: return std::ldexp(1.0, in.ConsumeIntegralInRange<int>(0, 40));
        default: return in.ConsumeIntegral<int32_t>();
    }
}

json inline_model(FuzzedDataProvider& in) {
    double layers = number(in, 32);
    json att = {{"kind", pick<std::string>(in, {"gqa", "mha", "mla"})}, {"heads", number(in, 32)}, {"kv_heads", number(in, 8)},
                {"head_dim", number(in, 128)}};
    if (att["kind"] == "mla") att = {{"kind", "mla"}, {"heads", number(in, 128)}, {"kv_lora_rank", number(in, 512)}, {"rope_dim", number(in, 64)}};
    if (in.ConsumeBool()) { att["full_layers"] = number(in, layers / 4.0); att["linear_layers"] = number(in, layers * 0.75); att["linear_state_mib"] = number(in, 20); }
    if (in.ConsumeBool()) { att["window"] = number(in, 4096); att["window_layers"] = number(in, layers / 2.0); }
    json m = {{"params_b", number(in, 8)}, {"layers", layers}, {"hidden", number(in, 4096)}, {"vocab", number(in, 128000)},
              {"max_context", number(in, 131072)}, {"attention", att}};
    if (in.ConsumeBool()) m["moe"] = {{"experts", number(in, 128)}, {"active_experts", number(in, 8)}, {"expert_params_b", number(in, 6)}};
    if (in.ConsumeBool()) m["active_params_b"] = number(in, 3);
    if (in.ConsumeBool()) m["tied_embeddings"] = in.ConsumeBool();
    if (in.ConsumeBool()) m["hf_repo"] = in.ConsumeRandomLengthString(40);
    return m;
}

json inline_device(FuzzedDataProvider& in) {
    json d = {{"kind", pick<std::string>(in, {"discrete_gpu", "datacenter_gpu", "unified", "cpu"})},
              {"backend", pick<std::string>(in, {"cuda", "rocm", "metal", "vulkan", "sycl", "cpu"})},
              {"memory_gib", number(in, 24)}, {"bandwidth_gbs", number(in, 1000)}, {"fp16_tflops", number(in, 100)}};
    if (in.ConsumeBool()) d["usable_gib"] = number(in, 20);
    if (in.ConsumeBool()) d["host_link_gbs"] = number(in, 32);
    return d;
}

json inline_quant(FuzzedDataProvider& in) {
    json q = {{"bits", number(in, 4)}, {"bpw_body", number(in, 4.8)}, {"bpw_embed", number(in, 4.5)}, {"bpw_output", number(in, 6.5)}};
    if (in.ConsumeBool()) q["id"] = in.ConsumeRandomLengthString(24);
    if (in.ConsumeBool()) q["kld"] = number(in, 0.01);
    return q;
}

json request(FuzzedDataProvider& in, const json& catalog) {
    json r;
    std::string op = pick<std::string>(in, {"estimate", "estimate", "estimate", "rank", "devices", "import_config", "serve"});
    r["op"] = op;
    if (op == "import_config") {
        json cfg = {{"model_type", pick<std::string>(in, {"llama", "qwen3_moe", "deepseek_v3", "kimi_linear", "qwen3_next", "gemma3"})},
                    {"hidden_size", number(in, 4096)}, {"num_hidden_layers", number(in, 32)}, {"num_attention_heads", number(in, 32)},
                    {"num_key_value_heads", number(in, 8)}, {"vocab_size", number(in, 128000)}, {"intermediate_size", number(in, 14336)}};
        if (in.ConsumeBool()) cfg["num_experts"] = number(in, 128);
        if (in.ConsumeBool()) cfg["kv_lora_rank"] = number(in, 512);
        r["config"] = in.ConsumeBool() ? json(cfg.dump()) : cfg;
        return r;
    }
    const json& models = catalog["models"];
    const json& devices = catalog["hardware"];
    const json& quants = catalog["quants"];
    r["model"] = in.ConsumeIntegralInRange<int>(0, 4) ? models[in.ConsumeIntegralInRange<size_t>(0, models.size() - 1)]["id"] : inline_model(in);
    if (op != "devices")
        r["hardware"] = in.ConsumeIntegralInRange<int>(0, 4) ? devices[in.ConsumeIntegralInRange<size_t>(0, devices.size() - 1)]["id"] : inline_device(in);
    if (in.ConsumeBool()) r["quant"] = in.ConsumeIntegralInRange<int>(0, 3) ? quants[in.ConsumeIntegralInRange<size_t>(0, quants.size() - 1)]["id"] : inline_quant(in);
    if (in.ConsumeBool()) r["context"] = number(in, 8192);
    if (in.ConsumeBool()) r["gpus"] = number(in, 2);
    if (op != "devices" && in.ConsumeIntegralInRange<int>(0, 5) == 0) {
        // Mixed cards: a list of catalog ids (any, so also wrong kinds and backends), maybe a split.
        std::string list = r["hardware"].is_string() ? r["hardware"].get<std::string>() : "rtx-3090";
        int more = in.ConsumeIntegralInRange<int>(1, 9);
        for (int i = 0; i < more; ++i) list += "," + devices[in.ConsumeIntegralInRange<size_t>(0, devices.size() - 1)]["id"].get<std::string>();
        r["hardware"] = list;
        if (in.ConsumeBool()) r["tensor_split"] = in.ConsumeBool() ? json(in.ConsumeRandomLengthString(24)) : json::array({number(in, 3), number(in, 1)});
    }
    if (in.ConsumeBool()) r["host_ram_gib"] = number(in, 64);
    if (in.ConsumeBool()) r["depth"] = number(in, 4096);
    if (in.ConsumeBool()) r["prompt_tokens"] = number(in, 1000);
    if (in.ConsumeBool()) r["gpu_layers"] = number(in, 20);
    if (in.ConsumeBool()) r["cpu_moe_layers"] = number(in, 10);
    if (in.ConsumeBool()) r["kv"] = pick<std::string>(in, {"f16", "q8_0", "q4_0", "q2"});
    if (in.ConsumeBool()) r["mode"] = pick<std::string>(in, {"interactive", "balanced", "light-api", "scale-out"});
    if (in.ConsumeBool()) r["workload"] = pick<std::string>(in, {"chat", "coding", "agentic-coding", "reasoning", "rag"});
    if (in.ConsumeBool()) r["backend"] = pick<std::string>(in, {"cuda", "rocm", "vulkan", "metal", "cpu", "sycl"});
    if (in.ConsumeBool()) r["limit"] = number(in, 10);
    if (op == "serve") {
        if (in.ConsumeBool()) r["engine"] = pick<std::string>(in, {"auto", "llama.cpp", "batched", "vllm"});
        if (in.ConsumeBool()) r["tensor_parallel"] = number(in, 2);
        if (in.ConsumeBool()) r["max_sequences"] = number(in, 64);
        if (in.ConsumeBool()) r["memory_fraction"] = number(in, 0.9);
        if (in.ConsumeBool()) r["input_tokens"] = number(in, 1000);
        if (in.ConsumeBool()) r["output_tokens"] = number(in, 300);
        if (in.ConsumeBool()) r["target_tps"] = number(in, 20);
        if (in.ConsumeBool()) r["target_ttft_s"] = number(in, 2);
        if (in.ConsumeBool()) r["users"] = number(in, 16);
        if (in.ConsumeBool()) r["load_users"] = number(in, 1000);
        if (in.ConsumeBool()) r["at_memory_limit"] = in.ConsumeBool();
    }
    return r;
}

void require(bool ok) {
    if (!ok) __builtin_trap();
}

bool finite_non_negative(const json& v) { return v.is_number() && std::isfinite(v.get<double>()) && v.get<double>() >= 0; }

void check_command(const json& c);
void check_serving(const json& r);

void check_estimate(const json& r) {
    int layers = r["model"]["layers"];
    const json& off = r["offload"];
    require(off["gpu_layers"].get<int>() >= 0 && off["gpu_layers"].get<int>() <= layers);
    require(off["cpu_expert_layers"].get<int>() >= 0 && off["cpu_expert_layers"].get<int>() <= layers);
    require(off["percent"].get<double>() >= 0 && off["percent"].get<double>() <= 100);
    for (const auto& part : r["memory_gib"].items()) require(finite_non_negative(part.value()));
    for (const char* key : {"decode_tps", "aggregate_tps", "prefill_tps", "ttft_s", "safe_context", "offload_context", "depth"})
        require(finite_non_negative(r[key]));
    require(r["depth"].get<long>() <= r["query"]["context"].get<long>());
    if (r["fit"] == "wont_run") require(r["grade"] == "F");
    for (const json& w : r["workloads"]) {
        require(finite_non_negative(w["score"]) && w["score"].get<double>() <= 100);
        if (w["fit"] == "wont_run") require(w["grade"] == "F");
    }
    for (const json& c : r["commands"]) check_command(c);
}

// A serving plan: finite figures, the capacity meets its targets, the command is quoted words.
void check_serving(const json& r) {
    for (const auto& part : r["plan"].items())
        if (part.value().is_number()) require(finite_non_negative(part.value()));
    const json& cap = r["capacity"];
    if (cap["users"].get<int>() > 0) {
        require(cap["per_user_tps"].get<double>() + 0.05 >= r["load"]["target_tps"].get<double>());
        require(cap["ttft_s"].get<double>() <= r["load"]["target_ttft_s"].get<double>() + 0.0005);
    }
    for (const json& p : r["curve"])
        for (const char* key : {"per_user_tps", "total_tps", "ttft_s", "step_ms"}) require(finite_non_negative(p[key]));
    if (r.contains("command") && !r["command"].is_null()) check_command(r["command"]);
}

// Each text line is its argv words, shell-quoted (a line without words is a comment).
void check_command(const json& c) {
    std::vector<std::string> lines;
    std::string text = c["text"];
    for (size_t start = 0;;) {
        size_t end = text.find('\n', start);
        lines.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    require(lines.size() == c["argv"].size());
    for (size_t i = 0; i < lines.size(); ++i) {
        const json& words = c["argv"][i];
        if (words.empty()) { require(lines[i].rfind("# ", 0) == 0); continue; }
        std::string expected;
        for (const json& w : words) {
            expected += (expected.empty() ? "" : " ") + runwell::shown_word(w.get<std::string>());
        }
        require(lines[i].compare(0, expected.size(), expected) == 0);
        require(lines[i].size() == expected.size() || lines[i].compare(expected.size(), 4, "  # ") == 0);
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const json catalog = json::parse(fuzz_engine().call(R"({"op":"catalog"})"));
    FuzzedDataProvider in(data, size);
    json req = request(in, catalog);
    json r = json::parse(fuzz_engine().call(req.dump(-1, ' ', false, json::error_handler_t::replace)), nullptr, false);
    require(!r.is_discarded() && r.is_object() && r.contains("ok"));
    if (!r["ok"].get<bool>()) {
        require(r["error"]["code"].is_string() && !r["error"]["code"].get<std::string>().empty());
        return 0;
    }
    if (req["op"] == "estimate") check_estimate(r);
    if (req["op"] == "estimate" && r.contains("serving")) check_serving(r["serving"]);
    if (req["op"] == "serve") check_serving(r);
    if (req["op"] == "rank")
        for (const json& m : r["models"]) require(m["fit"] != "wont_run" && finite_non_negative(m["decode_tps"]));
    return 0;
}
