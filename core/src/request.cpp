#include "request.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "text.hpp"

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

// A hardware id, or a comma-separated list of GPU ids (mixed cards in one llama.cpp server): the
// first card, with the others in `s.other_gpus`. A bad list sets `why` to "code: message".
const Device* read_gpu_list(const Catalog& c, const std::string& text, Setup& s, std::string& why) {
    constexpr size_t kMostCards = 8;
    if (text.find(',') == std::string::npos) return c.device(text);
    std::vector<const Device*> cards;
    for (size_t start = 0; start <= text.size();) {
        size_t end = std::min(text.find(',', start), text.size());
        std::string id = text.substr(start, end - start);
        const Device* d = c.device(id);
        if (!d) { why = "unknown_hardware: no device with id '" + detail::utf8_prefix(id, 60) + "' in the catalog"; return nullptr; }
        if (!can_offload(*d)) { why = "out_of_range: " + d->name + " is not a GPU card: a list of devices mixes GPUs only"; return nullptr; }
        cards.push_back(d);
        if (cards.size() > kMostCards) { why = "out_of_range: at most " + std::to_string(kMostCards) + " GPUs in one setup"; return nullptr; }
        start = end + 1;
    }
    for (const Device* d : cards)
        if (d->backend != cards[0]->backend) {
            why = "mixed_backends: " + cards[0]->name + " (" + cards[0]->backend + ") and " + d->name + " (" + d->backend +
                  ") need different llama.cpp builds: mix GPUs of one backend";
            return nullptr;
        }
    s.other_gpus.assign(cards.begin() + 1, cards.end());
    return cards[0];
}

// llama.cpp's --tensor-split: one positive share per card, as "3,1" or [3, 1]; absent: by memory.
bool read_tensor_split(ObjectReader& r, int cards, std::vector<double>& out, json& error) {
    const json* node = r.object("tensor_split", false);
    if (!node) return true;
    std::vector<double> shares;
    auto bad = [&](const std::string& why) {
        error = error_response("out_of_range", "tensor_split " + why, "tensor_split");
        return false;
    };
    if (node->is_string()) {
        const std::string text = node->get<std::string>();
        if (text.size() > 200) return bad("is too long");
        for (size_t start = 0; start <= text.size();) {
            size_t end = std::min(text.find(',', start), text.size());
            const std::string item = text.substr(start, end - start);
            char* stop = nullptr;
            double v = std::strtod(item.c_str(), &stop);
            if (item.empty() || stop != item.c_str() + item.size()) return bad("must be numbers separated by commas, e.g. 3,1");
            shares.push_back(v);
            start = end + 1;
        }
    } else if (node->is_array() && node->size() <= 64) {
        for (const json& v : *node) {
            if (!v.is_number()) return bad("must be numbers, e.g. [3, 1]");
            shares.push_back(v.get<double>());
        }
    } else {
        return bad("must be numbers, e.g. \"3,1\" or [3, 1]");
    }
    for (double v : shares)
        if (!std::isfinite(v) || v <= 0 || v > 1e6) return bad("shares must be positive numbers");
    if (static_cast<int>(shares.size()) != cards)
        return bad("needs one share per GPU (" + std::to_string(cards) + "), got " + std::to_string(shares.size()));
    out = shares;
    return true;
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
    {
        // "rtx-3090,rtx-3060-12gb": mixed GPUs, the first is the main one.
        std::string list_error;
        s.device = resolve_entry<Device>(r, "hardware", [&](const std::string& id) { return read_gpu_list(c, id, s, list_error); },
                                         [](ObjectReader& i) { return detail::read_device(i, false); }, out.own_device, "hardware", error);
        if (!list_error.empty()) error = error_response(list_error.substr(0, list_error.find(':')), list_error.substr(list_error.find(':') + 2), "hardware");
        if (!s.device) return false;
    }
    std::vector<Problem>& problems = r.problems();
    std::string backend = r.str("backend", false);
    if (!backend.empty() && backend != s.device->backend && !s.other_gpus.empty()) {
        error = error_response("out_of_range", "\"backend\" changes one device's runtime; a list of GPUs runs on their own backend", "backend");
        return false;
    }
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
    std::string as_of;  // the day the engines run: the catalog's unless the request names one
    const long asked_day = read_day(r, "as_of", as_of);
    s.as_of_day = asked_day ? asked_day : c.as_of_day;
    if (!problems.empty()) { error = problems_response(problems); return false; }
    if (s.gpu_memory_gib > 0 && s.device->kind != DeviceKind::Unified) {
        error = error_response("out_of_range", s.device->name + " has its own memory: \"gpu_memory_gib\" applies to unified-memory devices only", "gpu_memory_gib");
        return false;
    }
    if (s.gpus > 1 && !s.other_gpus.empty()) {
        error = error_response("out_of_range", "a list of GPUs names every card: leave \"gpus\" out (or 1), or repeat an id in the list", "gpus");
        return false;
    }
    if (!read_tensor_split(r, card_count(s), s.tensor_split, error)) return false;
    if (const json* node = r.object("personal", false)) {
        // {"decode": 0.93, "prefill": 1.05}: the user's measured / estimated ratios (op check).
        std::vector<Problem> pp;
        ObjectReader p(*node, "personal", pp);
        s.decode_scale = p.num("decode", 0.05, 20, false, 1);
        s.prefill_scale = p.num("prefill", 0.05, 20, false, 1);
        p.finish();
        if (!pp.empty()) { error = problems_response(pp); return false; }
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
