#include "request.hpp"

#include <algorithm>
#include <cmath>

namespace runwell::detail {

json error_response(const std::string& code, const std::string& message, const std::string& path) {
    return {{"ok", false}, {"error", {{"code", code}, {"message", message}, {"path", path}}}};
}

json problems_response(const std::vector<Problem>& problems) {
    json out = error_response(problems.front().code, problems.front().path + ": " + problems.front().message,
                              problems.front().path);
    json list = json::array();
    for (const Problem& p : problems) list.push_back({{"code", p.code}, {"path", p.path}, {"message", p.message}});
    out["problems"] = list;
    return out;
}

// A custom precision without a published KL divergence gets one interpolated (in log
// space) from the catalog's GGUF quants of similar bits per weight.
double estimated_kld(const Catalog& c, double bpw) {
    const Quant* below = nullptr;
    const Quant* above = nullptr;
    for (const Quant& q : c.quants) {
        if (q.family != "gguf" || q.kld <= 0 || q.experts_only) continue;
        if (q.bpw_body <= bpw && (!below || q.bpw_body > below->bpw_body)) below = &q;
        if (q.bpw_body >= bpw && (!above || q.bpw_body < above->bpw_body)) above = &q;
    }
    if (!below && !above) return 0.03;
    if (!below) return above->kld;
    if (!above) return bpw >= 15 ? 0.0 : below->kld;
    if (above == below) return below->kld;
    double t = (bpw - below->bpw_body) / (above->bpw_body - below->bpw_body);
    return std::exp(std::log(below->kld) * (1 - t) + std::log(above->kld) * t);
}

namespace {

std::string_view to_text(KvType kv) { return to_string(kv); }
std::string_view to_text(const char* text) { return text; }


template <class T, class Lookup, class ReadInline>
const T* resolve_entry(ObjectReader& r, const std::string& key, Lookup lookup, ReadInline read_inline,
                       std::unique_ptr<T>& own, const std::string& what, json& error) {
    const json* node = r.object(key, true);
    if (!node) { error = error_response("missing_field", "the request needs \"" + key + "\" (an id or an object)", key); return nullptr; }
    if (node->is_string()) {
        const T* found = lookup(node->template get<std::string>());
        if (!found) error = error_response("unknown_" + what, "no " + what + " with id '" + node->template get<std::string>() + "' in the catalog", key);
        return found;
    }
    std::vector<Problem> problems;
    ObjectReader inner(*node, key, problems);
    T value = read_inline(inner);
    if (!problems.empty()) { error = problems_response(problems); return nullptr; }
    if (value.id.empty()) value.id = "custom";
    if (value.name.empty()) value.name = "Custom " + what;
    own = std::make_unique<T>(std::move(value));
    return own.get();
}

bool parse_kv(const std::string& text, KvType& out) {
    for (KvType kv : kKvTypes)
        if (to_string(kv) == text) { out = kv; return true; }
    return false;
}

template <class List>
std::string joined(const List& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + std::string(to_text(item));
    return out;
}

bool req_is_object(ObjectReader& r, const std::string& key) {
    const json* node = r.object(key, false);
    return node && node->is_object();
}

}  // namespace

bool parse_setup(const Catalog& c, ObjectReader& r, Resolved& out, json& error, bool model_required, bool hardware_required) {
    Setup& s = out.setup;
    if (!model_required && !r.has("model")) {
        r.object("model", false);
        s.model = &c.default_model();  // ranking replaces it; it only sizes defaults
    } else
    s.model = resolve_entry<Model>(r, "model", [&](const std::string& id) { return c.model(id); },
                                   [](ObjectReader& i) { return detail::read_model(i, false); }, out.own_model, "model", error);
    if (!s.model) return false;
    s.calibration = &c.calibration;
    if (!hardware_required && !r.has("hardware")) {
        r.object("hardware", false);
        s.device = &c.default_device();  // the tier list replaces it
    } else
    s.device = resolve_entry<Device>(r, "hardware", [&](const std::string& id) { return c.device(id); },
                                     [](ObjectReader& i) { return detail::read_device(i, false); }, out.own_device, "hardware", error);
    if (!s.device) return false;
    std::vector<Problem>& problems = r.problems();
    std::string backend = r.str("backend", false);
    if (!backend.empty() && backend != s.device->backend) {
        // Same device, another runtime backend (e.g. Vulkan on an NVIDIA card).
        if (!known_backend(backend)) {
            error = error_response("unknown_backend", "backend must be one of " + joined(kBackends) + ", got '" + backend + "'", "backend");
            return false;
        }
        out.own_device = std::make_unique<Device>(*s.device);
        out.own_device->backend = backend;
        s.device = out.own_device.get();
    }
    std::string qid = r.has("quant") && req_is_object(r, "quant") ? "" : r.str("quant", false);
    std::string mode = r.str("mode", false);
    std::string workload = r.str("workload", false);
    std::string kv = r.str("kv", false);
    s.gpus = static_cast<int>(r.integer("gpus", 1, 64, false, 1));
    s.context = r.integer("context", 256, 100'000'000, false, 0);
    s.host_ram_gib = r.num("host_ram_gib", 0, 65536, false, -1);  // absent: the device kind's default; 0: none
    s.host_bandwidth_gbs = r.num("host_bandwidth_gbs", 0, 100000, false);
    s.gpu_memory_gib = r.num("gpu_memory_gib", 0, 65536, false);
    s.gpu_layers = static_cast<int>(r.integer("gpu_layers", 0, 4096, false, -1));
    s.cpu_moe_layers = static_cast<int>(r.integer("cpu_moe_layers", 0, 4096, false, -1));
    s.ubatch = static_cast<int>(r.integer("ubatch", 1, 65536, false, calibration::kDefaultUbatch));
    out.prompt_tokens = r.integer("prompt_tokens", 1, 100'000'000, false, 0);
    out.depth = r.integer("depth", 0, 100'000'000, false, -1);
    if (!problems.empty()) { error = problems_response(problems); return false; }
    if (s.gpu_memory_gib > 0 && s.device->kind != DeviceKind::Unified) {
        error = error_response("out_of_range", s.device->name + " has its own memory: \"gpu_memory_gib\" applies to unified-memory devices only", "gpu_memory_gib");
        return false;
    }
    if (s.gpus > 1 && !can_offload(*s.device)) {
        error = error_response("out_of_range", s.device->name + " is one memory pool: \"gpus\" applies only to discrete and datacenter GPUs", "gpus");
        return false;
    }
    if (!kv.empty() && !parse_kv(kv, s.kv)) {
        error = error_response("unknown_kv", "kv must be one of " + joined(kKvTypes) + ", got '" + kv + "'", "kv");
        return false;
    }
    out.mode = mode.empty() ? &c.default_mode() : c.mode(mode);
    if (!out.mode) { error = error_response("unknown_mode", "no operating mode '" + mode + "'", "mode"); return false; }
    out.workload = workload.empty() ? &c.default_workload() : c.workload(workload);
    if (!out.workload) { error = error_response("unknown_workload", "no workload '" + workload + "'", "workload"); return false; }
    out.context_given = s.context != 0;
    if (s.context == 0) s.context = std::min(out.workload->context_tokens, s.model->max_context);
    if (s.context > s.model->max_context) {
        error = error_response("context_too_long", "context " + std::to_string(s.context) + " exceeds the model's limit of " +
                                                       std::to_string(s.model->max_context), "context");
        return false;
    }
    s.concurrency = out.mode->concurrency;
    // Decoding happens inside the allocated context: a deeper position does not exist.
    if (out.depth > s.context) out.depth = s.context;
    if (!qid.empty()) {
        s.quant = c.quant(qid);
        if (!s.quant) { error = error_response("unknown_quant", "no quantization '" + qid + "' in the catalog", "quant"); return false; }
    } else if (const json* node = r.object("quant", false); node && node->is_object()) {
        std::vector<Problem> qp;
        ObjectReader inner(*node, "quant", qp);
        Quant q = detail::read_quant(inner, false);
        if (!qp.empty()) { error = problems_response(qp); return false; }
        if (q.id.empty()) q.id = "custom";
        if (q.name.empty()) q.name = "Custom precision";
        if (q.family.empty()) q.family = "gguf";
        if (q.runtimes.empty()) q.runtimes = {"llama.cpp", "ollama", "lmstudio"};
        if (!node->contains("kld")) q.kld = estimated_kld(c, q.bpw_body);
        out.own_quant = std::make_unique<Quant>(std::move(q));
        s.quant = out.own_quant.get();
    }
    return true;
}

}  // namespace runwell::detail
