#include "runwell/api.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "json_reader.hpp"
#include "runwell/advice.hpp"
#include "runwell/calibration.hpp"
#include "runwell/fit.hpp"
#include "runwell/import.hpp"

namespace runwell {

using detail::json;
using detail::ObjectReader;

std::vector<Problem> Engine::load(const std::vector<std::pair<std::string, std::string>>& named_texts) {
    CatalogLoad result = load_catalog(named_texts);
    if (result.ok()) {
        catalog_ = std::move(result.catalog);
        loaded_ = true;
    }
    return result.problems;
}

namespace {

json error_response(const std::string& code, const std::string& message, const std::string& path = "") {
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

// Rounded for display and for stable JSON; the physics keeps full precision.
double round_to(double v, int decimals) {
    if (!std::isfinite(v)) return 0;
    double f = std::pow(10.0, decimals);
    return std::round(v * f) / f;
}

std::string fit_label(Fit f) {
    switch (f) {
        case Fit::RunsWell: return "Runs well";
        case Fit::Tight: return "Tight fit";
        case Fit::Offload: return "Needs CPU offload";
        case Fit::WontRun: return "Won't run";
    }
    return "";
}

std::string quality_label(const Quant& q) {
    if (q.kld < 0.0005) return "Maximum";
    if (q.kld < 0.003) return "Very high";
    if (q.kld < 0.015) return "High";
    if (q.kld < 0.05) return "Medium";
    if (q.kld < 0.25) return "Low";
    return "Very low";
}

std::string fmt(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

// Inline entries (custom models/devices) live as long as one request.
struct Resolved {
    Setup setup;
    const Mode* mode = nullptr;
    const Workload* workload = nullptr;
    long prompt_tokens = 0;  // 0: the workload's
    long depth = -1;         // decode depth; -1: middle of the workload's answer
    std::unique_ptr<Model> own_model;
    std::unique_ptr<Device> own_device;
    std::unique_ptr<Quant> own_quant;
};

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

bool req_is_object(ObjectReader& r, const std::string& key) {
    const json* node = r.object(key, false);
    return node && node->is_object();
}

bool parse_setup(const Catalog& c, ObjectReader& r, Resolved& out, json& error, bool model_required, bool hardware_required) {
    Setup& s = out.setup;
    if (!model_required && !r.has("model")) {
        r.object("model", false);
        s.model = &c.models.front();  // ranking replaces it; it only sizes defaults
    } else
    s.model = resolve_entry<Model>(r, "model", [&](const std::string& id) { return c.model(id); },
                                   [](ObjectReader& i) { return detail::read_model(i, false); }, out.own_model, "model", error);
    if (!s.model) return false;
    s.calibration = &c.calibration;
    if (!hardware_required && !r.has("hardware")) {
        r.object("hardware", false);
        s.device = &c.devices.front();  // the tier list replaces it
    } else
    s.device = resolve_entry<Device>(r, "hardware", [&](const std::string& id) { return c.device(id); },
                                     [](ObjectReader& i) { return detail::read_device(i, false); }, out.own_device, "hardware", error);
    if (!s.device) return false;
    std::vector<Problem>& problems = r.problems();
    std::string backend = r.str("backend", false);
    if (!backend.empty() && backend != s.device->backend) {
        // Same device, another runtime backend (e.g. Vulkan on an NVIDIA card).
        if (!known_backend(backend)) {
            error = error_response("unknown_backend", "backend must be cuda, rocm, metal, vulkan, sycl or cpu, got '" + backend + "'", "backend");
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
    s.gpu_layers = static_cast<int>(r.integer("gpu_layers", 0, 4096, false, -1));
    s.cpu_moe_layers = static_cast<int>(r.integer("cpu_moe_layers", 0, 4096, false, -1));
    s.ubatch = static_cast<int>(r.integer("ubatch", 1, 65536, false, calibration::kDefaultUbatch));
    out.prompt_tokens = r.integer("prompt_tokens", 1, 100'000'000, false, 0);
    out.depth = r.integer("depth", 0, 100'000'000, false, -1);
    if (!problems.empty()) { error = problems_response(problems); return false; }
    if (s.gpus > 1 && !can_offload(*s.device)) {
        error = error_response("out_of_range", s.device->name + " is one memory pool: \"gpus\" applies only to discrete and datacenter GPUs", "gpus");
        return false;
    }
    if (kv.empty() || kv == "f16") s.kv = KvType::F16;
    else if (kv == "q8_0") s.kv = KvType::Q8_0;
    else if (kv == "q4_0") s.kv = KvType::Q4_0;
    else { error = error_response("unknown_kv", "kv must be f16, q8_0 or q4_0, got '" + kv + "'", "kv"); return false; }
    out.mode = c.mode(mode.empty() ? "balanced" : mode);
    if (!out.mode) { error = error_response("unknown_mode", "no operating mode '" + mode + "'", "mode"); return false; }
    out.workload = workload.empty() ? &c.workloads.front() : c.workload(workload);
    if (!out.workload) { error = error_response("unknown_workload", "no workload '" + workload + "'", "workload"); return false; }
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

json model_json(const Model& m) {
    json j = {{"id", m.id}, {"name", m.name}, {"hf_repo", m.hf_repo}, {"params_b", m.params_b},
              {"active_params_b", m.active_params_b}, {"max_context", m.max_context}, {"license", m.license},
              {"layers", m.layers}, {"attention", std::string(to_string(m.attention.kind))},
              {"moe", m.moe.has_value()}, {"release", m.release}};
    if (m.attention.window_layers) j["sliding_window"] = m.attention.window;
    if (m.attention.linear_layers) j["linear_layers"] = m.attention.linear_layers;
    return j;
}

json device_json(const Device& d) {
    return {{"id", d.id}, {"name", d.name}, {"vendor", d.vendor}, {"kind", std::string(to_string(d.kind))},
            {"backend", d.backend}, {"memory_gib", d.memory_gib}, {"bandwidth_gbs", d.bandwidth_gbs},
            {"fp16_tflops", d.fp16_tflops}, {"price_usd", d.price_usd}, {"release_year", d.release_year}};
}

json quant_option_json(const QuantOption& o, bool best) {
    return {{"id", o.quant->id}, {"name", o.quant->name}, {"bits", o.quant->bits},
            {"bpw", round_to(o.quant->bpw_body, 2)}, {"quality", quality_label(*o.quant)}, {"kld", o.quant->kld},
            {"memory_gib", round_to(o.memory_gib, 2)}, {"fit", std::string(to_string(o.fit))}, {"score", round_to(o.score, 0)},
            {"grade", o.grade}, {"decode_tps", round_to(o.decode_tps, 1)}, {"best", best}};
}

json notes_json(const std::vector<Note>& notes) {
    json a = json::array();
    for (const Note& n : notes) a.push_back({{"code", n.code}, {"title", n.title}, {"detail", n.detail}});
    return a;
}

// Expected error of each quantity for this class of setup (architecture x runtime backend):
// the 80th percentile of |error| on measurements left out of the fit, and how many back it.
json error_band(const Setup& s) {
    const Calibration& c = calibration_of(s);
    std::string arch(architecture_class(*s.model)), backend(runtime_backend(s));
    ErrorBand decode = c.band("decode", arch, backend), prefill = c.band("prefill", arch, backend);
    std::string who = arch + " models on " + backend;
    std::string evidence = "80 % of " + std::to_string(decode.rows) + " decode and " + std::to_string(prefill.rows) +
                           " prompt measurements of " + who + " fell within them, each predicted without its own source.";
    auto thin = [](const ErrorBand& b) { return b.rows < 8 || b.sources < 3; };
    if (thin(decode) || thin(prefill))
        evidence += thin(decode) && thin(prefill) ? " That is thin evidence, so both bands are widened to a broader class's."
                    : std::string(" That is thin evidence for ") + (thin(decode) ? "decode" : "prompt speed") +
                          ", so that band is widened to a broader class's.";
    return {{"decode_pct", decode.pct}, {"prefill_pct", prefill.pct}, {"memory_pct", c.memory_band_pct}, {"class", who},
            {"decode_rows", decode.rows}, {"prefill_rows", prefill.rows}, {"decode_sources", decode.sources},
            {"prefill_sources", prefill.sources}, {"evidence", evidence}};
}

// Where the estimate stands on thin ground, said plainly.
json caveats(const Setup& s) {
    json out = json::array();
    if (architecture_class(*s.model) == "hybrid")
        out.push_back({{"code", "young_kernels"},
                       {"text", "Linear-attention layers (" + std::to_string(s.model->attention.linear_layers) +
                                    " here) run on kernels that runtimes added in 2025-2026 and still speed up build by build: "
                                    "an older build can be several times slower, and support itself needs a recent release."}});
    const BackendFit& k = calibration_of(s).backend(runtime_backend(s));
    if (k.decode_rows < 20)
        out.push_back({{"code", "few_measurements"},
                       {"text", "Few published measurements exist for the " + std::string(runtime_backend(s)) +
                                    " backend, so its speeds are less certain than CUDA's or Metal's."}});
    return out;
}

std::string summary(const Setup& s, const Estimate& e, const Speed& sp) {
    std::string head = s.model->name + " needs ~" + fmt(e.memory.total(), 1) + " GiB with " + s.quant->name + ". " +
                       s.device->name + (s.gpus > 1 ? " x" + std::to_string(s.gpus) : "") + " has " + fmt(e.usable_gib, 1) + " GiB usable. ";
    switch (e.fit) {
        case Fit::WontRun: return head + "It won't run.";
        case Fit::Offload:
            return head + "With " + fmt(e.placement.offload_fraction * 100, 0) + "% offloaded to host RAM, expect ~" + fmt(sp.decode_tps, 1) + " tok/s.";
        default: return head + "Expect ~" + fmt(sp.decode_tps, 1) + " tok/s.";
    }
}

json faq(const Setup& s, const Estimate& e, const Speed& sp, const WorkloadResult& headline, const QuantTable& qt) {
    const std::string& M = s.model->name;
    const std::string& D = s.device->name;
    json a = json::array();
    std::string can = e.fit == Fit::WontRun ? "No. " + M + " does not fit on " + D + " at " + s.quant->name + "."
                                             : "Yes: " + fit_label(e.fit) + ", grade " + headline.grade + " for " + headline.workload->name + ".";
    a.push_back({{"q", "Can " + D + " run " + M + "?"}, {"a", can}});
    a.push_back({{"q", "How much memory does " + M + " need?"},
                 {"a", "About " + fmt(e.memory.total(), 1) + " GiB at " + s.quant->name + " with a " + std::to_string(s.context) +
                           "-token context: " + fmt(e.memory.weights, 1) + " GiB weights, " + fmt(e.memory.kv_cache + e.memory.recurrent_state, 1) +
                           " GiB cache, " + fmt(e.memory.compute + e.memory.runtime, 1) + " GiB runtime and buffers."}});
    if (qt.best >= 0)
        a.push_back({{"q", "Which quantization should I use?"},
                     {"a", qt.options[qt.best].quant->name + " scores best here (" + qt.options[qt.best].grade + ")."}});
    if (e.fit != Fit::WontRun) {
        a.push_back({{"q", "How fast is it?"},
                     {"a", "About " + fmt(sp.decode_tps, 1) + " tokens/s while writing and " + fmt(sp.prefill_tps, 0) +
                               " tokens/s while reading the prompt (first token after " + fmt(sp.ttft_s, 1) + " s for " +
                               std::to_string(headline.workload->prompt_tokens) + " prompt tokens)."}});
        a.push_back({{"q", "How much context can I use?"},
                     {"a", e.safe_context > 0
                               ? "Up to " + std::to_string(e.safe_context) + " tokens on the device with 10% headroom" +
                                     (e.safe_context >= s.model->max_context ? " (the model's own limit)." : "; the model supports " + std::to_string(s.model->max_context) + ".")
                               : "The weights alone do not fit on the device; with CPU offload up to " + std::to_string(e.offload_context) + " tokens fit in host RAM."}});
    }
    return a;
}

json estimate_response(const Catalog& c, Resolved& r) {
    Setup& s = r.setup;
    const Workload& w = *r.workload;
    const Mode& mode = *r.mode;
    QuantTable qt = quant_table(c, s, w, mode);
    if (!s.quant) s.quant = qt.best >= 0 ? qt.options[qt.best].quant : c.quant("Q4_K_M");
    Estimate e = estimate_fit(s);
    long prompt = std::min(r.prompt_tokens > 0 ? r.prompt_tokens : w.prompt_tokens, s.context);
    long depth = r.depth >= 0 ? r.depth : std::min(s.context, w.prompt_tokens + w.output_tokens / 2);
    Speed sp = speed(s, e, prompt, depth);
    WorkloadResult headline = grade_workload(s, w, mode, GradeContext::Setup);  // the fit shown is at the user's context
    const Calibration& cal = calibration_of(s);
    const BackendFit& k = cal.backend(runtime_backend(s));

    json j;
    j["ok"] = true;
    j["query"] = {{"model", s.model->id}, {"hardware", s.device->id}, {"backend", s.device->backend}, {"quant", s.quant->id}, {"context", s.context},
                  {"gpus", s.gpus}, {"host_ram_gib", e.host_usable_gib}, {"kv", std::string(to_string(s.kv))},
                  {"mode", mode.id}, {"workload", w.id}, {"concurrency", s.concurrency}};
    j["model"] = model_json(*s.model);
    j["hardware"] = device_json(*s.device);
    j["quant"] = {{"id", s.quant->id}, {"name", s.quant->name}, {"bits", s.quant->bits}, {"quality", quality_label(*s.quant)}};
    double total = e.memory.total();
    j["memory_gib"] = {{"weights", round_to(e.memory.weights, 2)}, {"host_weights", round_to(e.memory.host_weights, 2)}, {"kv_cache", round_to(e.memory.kv_cache, 2)},
                       {"recurrent_state", round_to(e.memory.recurrent_state, 3)}, {"compute", round_to(e.memory.compute, 2)},
                       {"runtime", round_to(e.memory.runtime, 2)}, {"total", round_to(total, 2)},
                       {"usable", round_to(e.usable_gib, 2)}, {"free", round_to(std::max(0.0, e.usable_gib - total), 2)},
                       {"device_total", s.device->memory_gib * (can_offload(*s.device) ? s.gpus : 1)}};
    j["fit"] = std::string(to_string(e.fit));
    j["fit_label"] = fit_label(e.fit);
    j["offload"] = {{"kind", std::string(to_string(e.placement.kind))}, {"percent", round_to(e.placement.offload_fraction * 100, 1)},
                    {"cpu_weights_gib", round_to(e.placement.cpu_weight_gib, 2)}, {"cpu_cache_gib", round_to(e.placement.cpu_cache_gib, 2)},
                    {"host_ram_needed_gib", round_to(e.placement.host_ram_needed_gib, 1)},
                    {"host_ram_gib", e.host_usable_gib}, {"gpu_layers", e.placement.gpu_layers},
                    {"cpu_expert_layers", e.placement.cpu_expert_layers}};
    j["decode_tps"] = round_to(sp.decode_tps, 1);
    j["aggregate_tps"] = round_to(sp.aggregate_tps, 1);
    j["prefill_tps"] = round_to(sp.prefill_tps, 0);
    j["ttft_s"] = round_to(sp.ttft_s, 2);
    j["prompt_tokens"] = prompt;
    j["depth"] = depth;
    j["safe_context"] = e.safe_context;
    j["offload_context"] = e.offload_context;
    j["over_working_set"] = e.over_working_set;
    j["summary"] = summary(s, e, sp);
    j["grade"] = headline.grade;
    j["score"] = round_to(headline.score, 0);
    j["error_band"] = error_band(s);
    j["caveats"] = caveats(s);
    j["formula"] = {
        {"decode", {{"backend", std::string(runtime_backend(s))},
                    {"device_gb_per_token", round_to(sp.gpu_bytes / 1e9, 4)}, {"achieved_bandwidth_gbs", round_to(achieved_bandwidth_gbs(s), 1)},
                    {"host_gb_per_token", round_to(sp.cpu_bytes / 1e9, 4)}, {"bandwidth_gbs", s.device->bandwidth_gbs},
                    {"bandwidth_efficiency", k.bandwidth_efficiency}, {"bandwidth_saturation_gbs", cal.bandwidth_saturation_gbs},
                    {"hbm_bandwidth_factor", has_hbm(*s.device) ? cal.hbm_bandwidth_factor : 1.0},
                    {"host_bandwidth_gbs", s.host_bandwidth_gbs > 0 ? s.host_bandwidth_gbs : default_host_bandwidth_gbs(*s.device)},
                    {"host_bandwidth_efficiency", cal.host_bandwidth_efficiency},
                    {"fixed_ms_per_token", round_to(sp.fixed_s * 1e3, 4)}, {"layer_overhead_ms", round_to(layer_overhead_s(s) * 1e3, 5)},
                    {"attention_ms_per_token", round_to(sp.decode_attention_s * 1e3, 4)}, {"layer_overhead_us", k.layer_overhead_us},
                    {"layer_units", round_to(sp.layer_units, 2)}, {"layers", s.model->layers},
                    {"moe_layer_factor", s.model->moe ? cal.moe_layer_factor : 0.0},
                    {"linear_layers", s.model->attention.linear_layers}, {"linear_kind", s.model->attention.linear_kind},
                    {"linear_layer_factor", cal.linear_layer_factor(s.model->attention.linear_kind)},
                    {"gpu_hops", std::max(0, s.gpus - 1)}, {"gpu_hop_ms", k.gpu_hop_ms}}},
        {"prefill", {{"weight_gflops_per_token", round_to(sp.weight_flops / 1e9, 4)},
                     {"attention_gflops_per_token", round_to(sp.attention_flops / 1e9, 4)},
                     {"attention_flops_weight", cal.attention_flops_weight},
                     {"moe_prefill_factor", round_to(moe_prefill_factor(s), 3)}, {"ubatch", s.ubatch},
                     {"fp16_tflops", s.device->fp16_tflops}, {"accelerated_fp16_tflops", s.device->accelerated_fp16_tflops},
                     {"compute_saturation_tflops", cal.compute_saturation_tflops}, {"achieved_tflops", round_to(achieved_tflops(s), 2)},
                     {"prefill_efficiency", k.prefill_efficiency}, {"prefill_kernel", std::string(prefill_kernel(*s.quant))},
                     {"prefill_kernel_factor", cal.prefill_kernel_factor(prefill_kernel(*s.quant))}, {"transfer_ms_per_token", round_to(sp.transfer_s * 1e3, 5)}}},
        {"memory", {{"kv_bytes_per_token", round_to(kv_bytes_per_token(*s.model, s.kv), 0)},
                    {"routed_expert_params_b", round_to(routed_expert_params_b(*s.model), 2)},
                    {"bpw_body", s.quant->bpw_body}}}};

    json wl = json::array();
    for (const Workload& each : c.workloads) {
        WorkloadResult wr = grade_workload(s, each, mode);
        wl.push_back({{"id", each.id}, {"name", each.name}, {"grade", wr.grade}, {"score", round_to(wr.score, 0)},
                      {"fit", std::string(to_string(wr.estimate.fit))}, {"fit_label", fit_label(wr.estimate.fit)},
                      {"decode_tps", round_to(wr.speed.decode_tps, 1)}, {"ttft_s", round_to(wr.speed.ttft_s, 2)},
                      {"safe_context", wr.estimate.context_room()}, {"prompt_tokens", each.prompt_tokens},
                      {"output_tokens", each.output_tokens}, {"context_tokens", each.context_tokens}});
    }
    j["workloads"] = wl;
    json quants = json::array();
    for (size_t i = 0; i < qt.options.size(); ++i) quants.push_back(quant_option_json(qt.options[i], static_cast<int>(i) == qt.best));
    j["quants"] = quants;
    j["best_quant"] = qt.best >= 0 ? qt.options[qt.best].quant->id : "";
    j["limits"] = notes_json(limits(s, e, sp, w));
    j["improvements"] = notes_json(improvements(c, s, e, w, mode, qt));
    json cmds = json::array();
    for (const Command& cmd : run_commands(s, e)) {
        json argv = json::array();
        for (const ShellLine& line : cmd.lines) argv.push_back(line.argv());
        cmds.push_back({{"runtime", cmd.runtime}, {"label", cmd.label}, {"text", cmd.text()}, {"argv", argv}});
    }
    j["commands"] = cmds;
    // Decode speed and TTFT against context depth, for the chart.
    json curve = json::array();
    for (long ctx = 1024; ctx <= s.model->max_context; ctx *= 2) {
        Setup t = s;
        t.context = ctx;
        Estimate et = estimate_fit(t);
        Speed st = speed(t, et, ctx, ctx);
        curve.push_back({{"context", ctx}, {"decode_tps", round_to(st.decode_tps, 1)}, {"ttft_s", round_to(st.ttft_s, 2)},
                         {"fit", std::string(to_string(et.fit))}});
        if (et.fit == Fit::WontRun) break;
    }
    j["curve"] = curve;
    j["faq"] = faq(s, e, sp, headline, qt);
    return j;
}

// Only the speed of one setup at a given prompt and depth (the accuracy harness's question):
// no grades, quant table or advice, so thousands of rows take milliseconds.
json predict_response(const Catalog& c, Resolved& r) {
    Setup& s = r.setup;
    if (!s.quant) s.quant = c.quant("Q4_K_M");
    Estimate e = estimate_fit(s);
    long prompt = std::min(r.prompt_tokens > 0 ? r.prompt_tokens : 512, s.context);
    long depth = std::max(0L, r.depth);
    Speed sp = speed(s, e, prompt, depth);
    return {{"ok", true}, {"fit", std::string(to_string(e.fit))}, {"offload", std::string(to_string(e.placement.kind))},
            {"decode_tps", sp.decode_tps}, {"prefill_tps", sp.prefill_tps}, {"ttft_s", sp.ttft_s},
            {"backend", std::string(runtime_backend(s))}, {"arch", std::string(architecture_class(*s.model))},
            {"memory_gib", {{"weights", e.memory.weights}, {"host_weights", e.memory.host_weights}, {"kv_cache", e.memory.kv_cache},
                            {"compute", e.memory.compute}, {"total", e.memory.total()}}}};
}

// The fields every ranked row shares (a model on a device, or a device for a model).
void add_grade_fields(json& row, const Quant& q, const WorkloadResult& w) {
    row["best_quant"] = q.id;
    row["grade"] = w.grade;
    row["score"] = round_to(w.score, 0);
    row["fit"] = std::string(to_string(w.estimate.fit));
    row["decode_tps"] = round_to(w.speed.decode_tps, 1);
    row["ttft_s"] = round_to(w.speed.ttft_s, 2);
    row["safe_context"] = w.estimate.context_room();
    row["needed_gib"] = round_to(w.estimate.memory.total(), 1);
    row["usable_gib"] = round_to(w.estimate.usable_gib, 1);
}

json rank_response(const Catalog& c, Resolved& r, long limit) {
    std::vector<RankedModel> ranked = rank_models(c, r.setup, *r.workload, *r.mode);
    json list = json::array();
    for (const RankedModel& m : ranked) {
        if (static_cast<long>(list.size()) >= limit) break;
        if (m.result.estimate.fit == Fit::WontRun) continue;
        json mj = model_json(*m.model);
        add_grade_fields(mj, *m.quant, m.result);
        list.push_back(mj);
    }
    return {{"ok", true}, {"hardware", r.setup.device->id}, {"mode", r.mode->id}, {"workload", r.workload->id}, {"models", list}};
}

// A model as an inline query entry (the format "model": {...} accepts), for imported models.
json model_spec_json(const Model& m) {
    const Attention& a = m.attention;
    json att = {{"kind", std::string(to_string(a.kind))}, {"heads", a.heads}, {"full_layers", a.full_layers}};
    if (a.kind == AttentionKind::Mla) {
        att["kv_lora_rank"] = a.kv_lora_rank;
        att["rope_dim"] = a.rope_dim;
    } else {
        att["kv_heads"] = a.kv_heads;
        att["head_dim"] = a.head_dim;
    }
    if (a.window_layers) { att["window"] = a.window; att["window_layers"] = a.window_layers; }
    if (a.linear_layers) {
        att["linear_layers"] = a.linear_layers;
        att["linear_kind"] = a.linear_kind;
        att["linear_state_mib"] = round_to(a.linear_state_mib, 3);
    }
    json j = {{"name", m.name}, {"params_b", round_to(m.params_b, 4)}, {"active_params_b", round_to(m.active_params_b, 4)},
              {"layers", m.layers}, {"hidden", m.hidden}, {"vocab", m.vocab}, {"max_context", m.max_context},
              {"tied_embeddings", m.tied_embeddings}, {"attention", att}};
    if (m.moe) {
        j["moe"] = {{"experts", m.moe->experts}, {"active_experts", m.moe->active_experts}, {"shared_experts", m.moe->shared_experts},
                    {"expert_params_b", round_to(m.moe->expert_params_b, 4)}};
    }
    return j;
}

json import_response(const Catalog& c, const ImportedModel& imported) {
    if (!imported.model) {
        json out = problems_response(imported.problems);
        if (imported.bytes_needed) out["bytes_needed"] = imported.bytes_needed;
        return out;
    }
    json j = {{"ok", true}, {"model", model_spec_json(*imported.model)}, {"notes", imported.notes}};
    if (imported.quant) {
        const Quant& q = *imported.quant;
        j["quant"] = {{"name", q.name}, {"bits", q.bits}, {"bpw_body", round_to(q.bpw_body, 4)}, {"bpw_embed", round_to(q.bpw_embed, 4)},
                      {"bpw_output", round_to(q.bpw_output, 4)}, {"kld", round_to(estimated_kld(c, q.bpw_body), 5)}};
        j["file_weight_gib"] = round_to(imported.file_weight_bytes / calibration::kGiB, 3);
    }
    // What a file describes must pass the same validation as any inline entry.
    std::vector<Problem> problems;
    ObjectReader model_reader(j["model"], "model", problems);
    detail::read_model(model_reader, false);
    if (j.contains("quant")) {
        ObjectReader quant_reader(j["quant"], "quant", problems);
        detail::read_quant(quant_reader, false);
    }
    if (!problems.empty()) {
        for (Problem& p : problems) p.message = "the file describes an impossible model: " + p.message;
        return problems_response(problems);
    }
    return j;
}

// Tier list: every device for one model, best grade first, faster first within a grade.
json devices_response(const Catalog& c, Resolved& r, long limit) {
    struct Row { const Device* d; const Quant* q; WorkloadResult w; };
    std::vector<Row> rows;
    for (const Device& d : c.devices) {
        Setup s = r.setup;
        s.device = &d;
        QuantTable t = quant_table(c, s, *r.workload, *r.mode);
        if (t.best < 0) continue;
        s.quant = t.options[t.best].quant;
        rows.push_back({&d, s.quant, grade_workload(s, *r.workload, *r.mode, GradeContext::Setup)});
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        int ga = grade_band(a.w.score), gb = grade_band(b.w.score);
        return ga != gb ? ga > gb : a.w.speed.decode_tps > b.w.speed.decode_tps;
    });
    json list = json::array();
    for (const Row& row : rows) {
        if (static_cast<long>(list.size()) >= limit) break;
        json dj = device_json(*row.d);
        add_grade_fields(dj, *row.q, row.w);
        list.push_back(dj);
    }
    return {{"ok", true}, {"model", r.setup.model->id}, {"mode", r.mode->id}, {"workload", r.workload->id}, {"devices", list}};
}

json catalog_response(const Catalog& c) {
    json models = json::array(), devices = json::array(), quants = json::array(), workloads = json::array(), modes = json::array();
    for (const Model& m : c.models) models.push_back(model_json(m));
    for (const Device& d : c.devices) {
        json dj = device_json(d);
        dj["usable_gib"] = round_to(usable_gib(d, 1), 1);
        devices.push_back(dj);
    }
    for (const Quant& q : c.quants)
        quants.push_back({{"id", q.id}, {"name", q.name}, {"bits", q.bits}, {"family", q.family}, {"quality", quality_label(q)}});
    for (const Workload& w : c.workloads)
        workloads.push_back({{"id", w.id}, {"name", w.name}, {"why", w.why}, {"prompt_tokens", w.prompt_tokens},
                             {"output_tokens", w.output_tokens}, {"context_tokens", w.context_tokens}});
    for (const Mode& m : c.modes)
        modes.push_back({{"id", m.id}, {"name", m.name}, {"description", m.description}, {"concurrency", m.concurrency}});
    return {{"ok", true}, {"models", models}, {"hardware", devices}, {"quants", quants}, {"workloads", workloads}, {"modes", modes}};
}

}  // namespace

std::string Engine::call(const std::string& request_json) const {
    if (!loaded_) return error_response("no_catalog", "the catalog is not loaded").dump();
    std::string why;
    json req = detail::parse_bounded(request_json, why);
    if (req.is_discarded()) return error_response("bad_json", "the request is " + why).dump();
    if (!req.is_object()) return error_response("wrong_type", "the request must be a JSON object").dump();
    std::vector<Problem> problems;
    ObjectReader r(req, "", problems);
    std::string op = r.str("op", false);
    if (!problems.empty()) return problems_response(problems).dump();
    if (op.empty()) op = "estimate";
    json out;
    if (op == "catalog") {
        out = catalog_response(catalog_);
    } else if (op == "import_config") {
        const json* config = r.object("config", true);
        r.finish();
        if (!problems.empty()) return problems_response(problems).dump();
        out = import_response(catalog_, model_from_hf_config(config->is_string() ? config->get<std::string>() : config->dump()));
    } else if (op == "devices") {
        Resolved resolved;
        json error;
        long limit = r.integer("limit", 1, 100000, false, 100000);
        if (!parse_setup(catalog_, r, resolved, error, true, false)) return error.dump();
        r.finish();
        if (!problems.empty()) return problems_response(problems).dump();
        out = devices_response(catalog_, resolved, limit);
    } else if (op == "predict") {
        Resolved resolved;
        json error;
        if (!parse_setup(catalog_, r, resolved, error, true, true)) return error.dump();
        r.finish();
        if (!problems.empty()) return problems_response(problems).dump();
        out = predict_response(catalog_, resolved);
    } else if (op == "estimate" || op == "rank") {
        Resolved resolved;
        json error;
        long limit = r.integer("limit", 1, 100000, false, 100000);
        if (!parse_setup(catalog_, r, resolved, error, op == "estimate", true)) return error.dump();
        r.finish();
        if (!problems.empty()) return problems_response(problems).dump();
        out = op == "estimate" ? estimate_response(catalog_, resolved) : rank_response(catalog_, resolved, limit);
    } else {
        return error_response("unknown_op", "op must be estimate, predict, rank, devices, catalog or import_config, got '" + op + "'", "op").dump();
    }
    return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string Engine::import_gguf(const std::string& bytes, double file_size) const {
    if (!loaded_) return error_response("no_catalog", "the catalog is not loaded").dump();
    return import_response(catalog_, model_from_gguf(bytes, file_size)).dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace runwell

namespace runwell {

std::vector<Problem> Engine::set_calibration(const std::string& calibration_json) {
    std::vector<Problem> problems;
    Calibration c = read_calibration_json(calibration_json, problems);
    if (problems.empty()) catalog_.calibration = std::move(c);
    return problems;
}

namespace {
json calibration_json(const Calibration& c) {
    json backends = json::object();
    for (const auto& [id, b] : c.backends)
        backends[id] = {{"bandwidth_efficiency", round_to(b.bandwidth_efficiency, 4)}, {"layer_overhead_us", round_to(b.layer_overhead_us, 2)},
                        {"prefill_efficiency", round_to(b.prefill_efficiency, 4)}, {"gpu_hop_ms", round_to(b.gpu_hop_ms, 4)},
                        {"decode_rows", b.decode_rows}, {"prefill_rows", b.prefill_rows}};
    json linear = json::object(), kernels = json::object();
    for (const auto& [kind, f] : c.linear_layer_factors) linear[kind] = round_to(f, 4);
    for (const auto& [kernel, f] : c.prefill_kernel_factors) kernels[kernel] = round_to(f, 4);
    json bands = json::array();
    for (const ErrorBand& e : c.bands)
        bands.push_back({{"quantity", e.quantity}, {"arch", e.arch}, {"backend", e.backend}, {"pct", e.pct}, {"rows", e.rows},
                         {"sources", e.sources}});
    return {{"provenance", c.provenance}, {"backends", backends},
            {"bandwidth_saturation_gbs", round_to(c.bandwidth_saturation_gbs, 1)}, {"hbm_bandwidth_factor", round_to(c.hbm_bandwidth_factor, 4)}, {"compute_saturation_tflops", round_to(c.compute_saturation_tflops, 2)},
            {"moe_layer_factor", round_to(c.moe_layer_factor, 4)}, {"overhead_bandwidth_exponent", round_to(c.overhead_bandwidth_exponent, 4)},
            {"linear_layer_factors", linear}, {"prefill_kernel_factors", kernels},
            {"host_bandwidth_efficiency", round_to(c.host_bandwidth_efficiency, 4)}, {"attention_flops_weight", round_to(c.attention_flops_weight, 4)},
            {"moe_expert_tokens", round_to(c.moe_expert_tokens, 3)}, {"memory_band_pct", c.memory_band_pct}, {"bands", bands}};
}
}  // namespace

std::string Engine::fit(const std::string& rows_jsonl) const {
    if (!loaded_) return error_response("no_catalog", "the catalog is not loaded").dump();
    Calibration trial = catalog_.calibration;
    struct Row {
        std::unique_ptr<Resolved> setup;
        Estimate estimate;
        long prompt = 512, depth = 0;
        bool decode = true;
        double measured = 0, weight = 1;
    };
    std::vector<Row> rows;
    size_t line_no = 0;
    for (size_t start = 0; start < rows_jsonl.size();) {
        size_t end = rows_jsonl.find('\n', start);
        std::string line = rows_jsonl.substr(start, end == std::string::npos ? std::string::npos : end - start);
        start = end == std::string::npos ? rows_jsonl.size() : end + 1;
        ++line_no;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        std::string where = "line " + std::to_string(line_no);
        std::string why;
        json row = detail::parse_bounded(line, why);
        if (row.is_discarded() || !row.is_object()) return error_response("bad_json", where + ": " + (why.empty() ? "expected an object" : why)).dump();
        std::vector<Problem> problems;
        ObjectReader outer(row, where, problems);
        const json* request = outer.object("request", true);
        std::string quantity = outer.str("quantity");
        Row r;
        r.measured = outer.num("measured", 1e-6, 1e9);
        r.weight = outer.num("weight", 0, 1e6, false, 1);
        outer.finish();
        if (!problems.empty()) return problems_response(problems).dump();
        if (quantity != "decode" && quantity != "prefill") return error_response("unknown_value", where + ": quantity must be decode or prefill").dump();
        r.decode = quantity == "decode";
        r.setup = std::make_unique<Resolved>();
        ObjectReader inner(*request, where + ".request", problems);
        inner.str("op", false);  // the same request the harness sends as "predict"
        json error;
        if (!parse_setup(catalog_, inner, *r.setup, error, true, true)) {
            error["error"]["message"] = where + ": " + error["error"]["message"].get<std::string>();
            return error.dump();
        }
        inner.finish();
        if (!problems.empty()) return problems_response(problems).dump();
        Setup& s = r.setup->setup;
        if (!s.quant) return error_response("missing_field", where + ": a fitted row names its quant", "quant").dump();
        s.calibration = &trial;
        r.estimate = estimate_fit(s);
        if (r.setup->prompt_tokens > 0) r.prompt = r.setup->prompt_tokens;
        if (r.setup->depth >= 0) r.depth = r.setup->depth;
        rows.push_back(std::move(r));
    }
    if (rows.empty()) return error_response("missing_field", "no rows to fit").dump();

    // Robust loss: weighted |log(predicted / measured)| (a median fit); a setup the estimator
    // says cannot run, although it was measured, costs as much as a 20x error.
    const double kNoRun = std::log(20.0);
    auto loss = [&] {
        double sum = 0;
        for (Row& r : rows) {
            Speed sp = speed(r.setup->setup, r.estimate, r.prompt, r.depth);
            double predicted = r.decode ? sp.decode_tps : sp.prefill_tps;
            sum += r.weight * (predicted > 0 ? std::abs(std::log(predicted / r.measured)) : kNoRun);
        }
        return sum;
    };

    // Which constants the rows inform: counts per backend and per kind of row.
    std::map<std::string, int> decode_rows, prefill_rows, multi_gpu_rows, linear_decode, kernel_prefill;
    int moe_decode = 0, moe_prefill = 0, offload_decode = 0, decode_total = 0, prefill_total = 0, hbm_decode = 0;
    for (const Row& r : rows) {
        const Setup& s = r.setup->setup;
        std::string b(runtime_backend(s));
        if (r.decode) {
            ++decode_rows[b];
            ++decode_total;
            if (s.gpus > 1) ++multi_gpu_rows[b];
            if (has_hbm(*s.device)) ++hbm_decode;
            if (s.model->moe) ++moe_decode;
            if (s.model->attention.linear_layers > 0) ++linear_decode[s.model->attention.linear_kind];
            if (r.estimate.placement.kind != OffloadKind::None) ++offload_decode;
        } else {
            ++prefill_rows[b];
            ++prefill_total;
            ++kernel_prefill[std::string(prefill_kernel(*s.quant))];
            if (s.model->moe) ++moe_prefill;
        }
    }
    // Every constant the rows inform is fitted from the same starting guess, so the result depends
    // on the rows alone; constants no row informs keep the loaded (prior) value.
    constexpr int kMinRows = 5;
    std::vector<FitParameter> params;
    auto add = [&](const std::string& name, double* value, double lo, double hi, double start) {
        *value = start;
        params.push_back({name, value, lo, hi});
    };
    for (const auto& [b, n] : decode_rows) {
        if (n < kMinRows) continue;
        BackendFit& f = trial.backends[b];
        add(b + ".bandwidth_efficiency", &f.bandwidth_efficiency, 0.2, 1.3, 0.8);
        add(b + ".layer_overhead_us", &f.layer_overhead_us, 0, 3000, 50);
        if (multi_gpu_rows[b] >= 3) add(b + ".gpu_hop_ms", &f.gpu_hop_ms, 0, 30, 0.3);
        else f.gpu_hop_ms = catalog_.calibration.backend(b).gpu_hop_ms;
    }
    for (const auto& [b, n] : prefill_rows) {
        if (n < kMinRows) continue;
        BackendFit& f = trial.backends[b];
        if (!decode_rows.count(b) || decode_rows[b] < kMinRows) f = catalog_.calibration.backend(b);
        add(b + ".prefill_efficiency", &f.prefill_efficiency, 0.01, 2, 0.5);
    }
    if (decode_total >= kMinRows) {
        add("bandwidth_saturation_gbs", &trial.bandwidth_saturation_gbs, 300, 1e5, 3000);
        add("overhead_bandwidth_exponent", &trial.overhead_bandwidth_exponent, 0, 2, 0.5);
    }
    if (moe_decode >= kMinRows) add("moe_layer_factor", &trial.moe_layer_factor, 0, 5, 0.5);
    if (hbm_decode >= 3) add("hbm_bandwidth_factor", &trial.hbm_bandwidth_factor, 0.3, 1.5, 1);
    for (const auto& [kind, n] : linear_decode)
        add("linear_layer_factors." + kind, &trial.linear_layer_factors[kind], 0, 100, 2);  // one scalar: one row informs it
    if (offload_decode >= 3) add("host_bandwidth_efficiency", &trial.host_bandwidth_efficiency, 0.05, 1.5, 0.35);
    if (prefill_total >= kMinRows) {
        add("compute_saturation_tflops", &trial.compute_saturation_tflops, 10, 1e4, 300);
        add("attention_flops_weight", &trial.attention_flops_weight, 0.01, 10, 1);
    }
    if (moe_prefill >= kMinRows) add("moe_expert_tokens", &trial.moe_expert_tokens, 0, 512, 32);
    // K-quants are the reference family (factor 1); the others are fitted where rows show them.
    // MLX weights run only on the mlx backend, whose own efficiency already carries them.
    for (const auto& [kernel, n] : kernel_prefill)
        if (kernel != "kquant" && kernel != "mlx" && n >= kMinRows) add("prefill_kernel_factors." + kernel, &trial.prefill_kernel_factors[kernel], 0.1, 10, 1);
    double total = minimise(params, loss);
    for (auto& [b, f] : trial.backends) {
        f.decode_rows = decode_rows.count(b) ? decode_rows[b] : 0;
        f.prefill_rows = prefill_rows.count(b) ? prefill_rows[b] : 0;
    }
    json fitted = json::array();
    for (const FitParameter& p : params) fitted.push_back(p.name);
    json out = {{"ok", true}, {"calibration", calibration_json(trial)}, {"loss", total}, {"rows", rows.size()}, {"fitted", fitted}};
    return out.dump(1, ' ', false, json::error_handler_t::replace);
}

}  // namespace runwell
