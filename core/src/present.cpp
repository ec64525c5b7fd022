#include "present.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "runwell/advice.hpp"
#include "runwell/api.hpp"
#include "runwell/calibration.hpp"
#include "text.hpp"

namespace runwell::detail {

using detail::token_count;
// Rounded for display and for stable JSON; the physics keeps full precision.
double round_to(double v, int decimals) {
    if (!std::isfinite(v)) return 0;
    double f = std::pow(10.0, decimals);
    return std::round(v * f) / f;
}

namespace {


std::string fit_label(Fit f) {
    switch (f) {
        case Fit::RunsWell: return "Runs well";
        case Fit::Tight: return "Tight fit";
        case Fit::Offload: return "Needs CPU offload";
        case Fit::WontRun: return "Won't run";
    }
    return "";
}


using detail::fixed;


std::string device_kind_label(DeviceKind kind) {
    switch (kind) {
        case DeviceKind::DiscreteGpu: return "Discrete GPU";
        case DeviceKind::DatacenterGpu: return "Datacenter GPU";
        case DeviceKind::Unified: return "Unified memory (Mac, APU)";
        case DeviceKind::Cpu: return "CPU only";
    }
    return "";
}

}  // namespace

namespace {

json model_json(const Model& m) {
    json j = {{"id", m.id}, {"name", m.name}, {"hf_repo", m.hf_repo}, {"params_b", m.params_b},
              {"active_params_b", m.active_params_b}, {"max_context", m.max_context}, {"license", m.license},
              {"layers", m.layers}, {"attention", std::string(to_string(m.attention.kind))},
              {"moe", m.moe.has_value()}, {"release", m.release}, {"arch", std::string(architecture_class(m))},
              {"band_class", band_class(m)}};
    if (m.attention.window_layers) j["sliding_window"] = m.attention.window;
    if (m.attention.linear_layers) j["linear_layers"] = m.attention.linear_layers;
    return j;
}

json device_json(const Device& d) {
    return {{"id", d.id}, {"name", d.name}, {"vendor", d.vendor}, {"kind", std::string(to_string(d.kind))},
            {"shared_memory", d.kind == DeviceKind::Unified},  // the GPU's share of RAM is a setting (gpu_memory_gib)
            {"backend", d.backend}, {"memory_gib", d.memory_gib}, {"bandwidth_gbs", d.bandwidth_gbs},
            {"fp16_tflops", d.fp16_tflops}, {"price_usd", d.price_usd}, {"release_year", d.release_year}};
}

json quant_option_json(const QuantOption& o, bool best);

// One classification, three fields: the stable code, its label and whether it runs at all.
void put_fit(json& j, Fit f) {
    j["fit"] = std::string(to_string(f));
    j["fit_label"] = fit_label(f);
    j["runs"] = f != Fit::WontRun;
}

// Every runtime the catalog knows for the model: whether and since when it runs it, with the source.
json runtimes_json(const Availability* where) {
    json out = json::array();
    if (!where) return out;
    for (const RuntimeSupport& r : where->runtimes)
        out.push_back({{"runtime", r.runtime}, {"supported", r.supported}, {"since", r.since}, {"date", r.date},
                       {"source", r.source}, {"notes", r.notes}});
    return out;
}

json notes_json(const std::vector<Note>& notes) {
    json a = json::array();
    for (const Note& n : notes) a.push_back({{"code", n.code}, {"title", n.title}, {"detail", n.detail}});
    return a;
}

json young_model_caveat(const Setup& s) {
    if (!kernels_young(s)) return nullptr;
    const double factor = young_kernel_factor(s);
    const long age = model_age_days(s).value_or(0);
    return {{"code", "young_model"},
            {"text", s.model->name + " was released on " + s.model->release + ", " + std::to_string(age) + (age == 1 ? " day" : " days") +
                         " before the day this estimate is for. A batched engine's first kernels for a new model are generic and get "
                         "tuned over the following releases: published runs in a model's first weeks were slower, so each step here "
                         "takes " + fixed(factor, 2) + "x as long as for a tuned model (" + fixed(1 + calibration_of(s).serving.young_kernel_slowdown, 2) +
                         "x at release, fading over about two months)."}};
}

json pcie_group_caveat(const Setup& s, int tp) {
    if (!group_over_pcie(*s.device, tp)) return nullptr;
    const int bridged = s.device->interconnect_gpus;
    const std::string which = bridged > 0 ? "A bridge links only " + std::to_string(bridged) + " of these " + std::to_string(tp) + " GPUs"
                                          : "These " + std::to_string(tp) + " GPUs have no link of their own (NVLink, Infinity Fabric)";
    return {{"code", kPcieGroupCaveat},
            {"text", which + ": the tensor-parallel "
                     "group's all-reduces, two per layer in every step, go over PCIe, through the CPUs when the cards sit on different "
                     "sockets. Their latency is priced here as over a link, so with few users each user's speed can be well below "
                     "the figure shown; with many users the batch hides it."}};
}
json weight_only_caveat(const Setup& s) {
    if (!runs_weight_only(*s.quant, *s.device)) return nullptr;
    std::string format = s.quant->tensor_format;  // "fp8": shown as the formats are named, FP8
    for (char& c : format) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return {{"code", "weight_only"},
            {"text", s.device->name + " has no " + format + " tensor cores: vLLM keeps the " + s.quant->id +
                         " weights in memory and unpacks them to 16 bits inside each matmul (weight-only, its Marlin kernels). "
                         "The weights take their " + s.quant->id + " size and are read at it, but the matmuls, and so prompts "
                         "and large batches, run at the 16-bit rate. SGLang does not load this checkpoint here."}};
}
}  // namespace

json batched_engine_caveats(const Setup& s, int tp) {
    json out = json::array();
    for (json c : {young_model_caveat(s), pcie_group_caveat(s, tp), weight_only_caveat(s)})
        if (!c.is_null()) out.push_back(std::move(c));
    return out;
}

ErrorBand serving_band(const Setup& s, std::string_view quantity) {
    // The checkpoint format's kernels on this backend, widened to its parents' where the evidence is thin.
    return calibration_of(s).band(quantity, s.quant->id, s.device->backend);
}

namespace {

// The band of a shown figure ("decode" or "prefill"): its class's single-stream band, or under a batched
// engine (`batched`: a mode's many users) that engine's per-user speed and TTFT under load, for the
// checkpoint's format (its kernels) on this backend.
ErrorBand figure_band(const Setup& s, bool batched, std::string_view quantity) {
    const Calibration& c = calibration_of(s);
    if (batched) return serving_band(s, quantity == "decode" ? "serving_user_tps" : "serving_ttft");
    ErrorBand own = c.band(quantity, band_class(*s.model), runtime_backend(s));
    // Several sequences decoding at once on llama.cpp's slots: the slots check's band when it is wider
    // (the single-stream class says nothing of how batched decode kernels scale).
    if (quantity == "decode" && s.concurrency > 1) {
        ErrorBand slots = c.band("slots_decode_tps", "*", "*");
        if (slots.pct > own.pct) return slots;
    }
    return own;
}

// A runtime backend as people write it ("rocm" -> "ROCm").
std::string backend_name(std::string_view id) {
    static const std::pair<std::string_view, std::string_view> names[] = {
        {"cuda", "CUDA"}, {"rocm", "ROCm"}, {"metal", "Metal"}, {"vulkan", "Vulkan"}, {"mlx", "MLX"}, {"cpu", "CPU"}, {"sycl", "SYCL"}};
    for (const auto& [key, name] : names)
        if (key == id) return std::string(name);
    return std::string(id);
}

// Expected error of each quantity for this class of setup (architecture x runtime backend):
// the 80th percentile of |error| on measurements left out of the fit, and how many back it.
json error_band(const Setup& s, bool batched) {
    const Calibration& c = calibration_of(s);
    std::string arch = band_class(*s.model), backend(runtime_backend(s)), shown_backend = backend_name(backend);
    ErrorBand shown = figure_band(s, batched, "decode"), prefill = figure_band(s, batched, "prefill");
    const bool slots = shown.quantity == "slots_decode_tps";
    ErrorBand decode = slots ? c.band("decode", arch, backend) : shown;  // the class the first sentence is about
    const Model& m = *s.model;
    std::string who = batched ? "batched serving"
                      : m.attention.linear_layers > 0 ? "hybrid models with " + m.attention.linear_kind + " layers on " + shown_backend
                                                      : arch + " models on " + shown_backend;
    std::string evidence = batched ? "80 % of " + std::to_string(decode.rows) + " per-user speeds and " + std::to_string(prefill.rows) +
                                         " first-token times published for batched engines running " + s.quant->id + " checkpoints on " + backend_name(s.device->backend) +
                                         " under load fell within them, each predicted without its own source."
                                   : "80 % of " + std::to_string(decode.rows) + " decode and " + std::to_string(prefill.rows) +
                                         " prompt measurements of " + who + " fell within them, each predicted without its own source.";
    if (decode.thin() || prefill.thin())
        evidence += decode.thin() && prefill.thin() ? " That is thin evidence, so neither band is narrower than a broader class's."
                    : std::string(" That is thin evidence for ") + (decode.thin() ? "decode" : "prompt speed") +
                          ", so that band is no narrower than a broader class's.";
    if (slots)
        evidence += " With " + std::to_string(s.concurrency) + " sequences decoding at once, decode takes llama.cpp's parallel slots' wider band: 80 % of " +
                    std::to_string(shown.rows) + " llama-batched-bench measurements from " + std::to_string(shown.sources) +
                    (shown.sources == 1 ? " source" : " sources") + " fell within ±" + std::to_string(shown.pct) + " % (checked, never fitted).";
    return {{"decode_pct", shown.pct}, {"prefill_pct", prefill.pct}, {"memory_pct", c.memory_band_pct}, {"class", who},
            {"decode_rows", decode.rows}, {"prefill_rows", prefill.rows}, {"decode_sources", decode.sources},
            {"prefill_sources", prefill.sources}, {"evidence", evidence}};
}

// What each speed rests on: the user's own measurement of this device ("your_machine"), the public
// measurements of its class (architecture x backend: "class", with how many), or none ("estimate").
json basis_json(const Setup& s, bool batched) {
    auto of = [&](double scale, const char* quantity) {
        ErrorBand b = figure_band(s, batched, quantity);
        std::string kind = scale != 1 ? "your_machine" : b.rows > 0 ? "class" : "estimate";
        return json{{"kind", kind}, {"scale", scale}, {"rows", b.rows}};
    };
    return {{"decode", of(s.decode_scale, "decode")}, {"prefill", of(s.prefill_scale, "prefill")}};
}

// Where the estimate stands on thin ground, said plainly.
json caveats(const Setup& s, bool batched, int tp) {
    json out = json::array();
    if (!batched) {
        // One user on a checkpoint only vLLM's weight-only kernels load here: the command is vLLM's, and so is the caveat.
        if (json w = weight_only_caveat(s); !w.is_null()) out.push_back(std::move(w));
    } else {
        out = batched_engine_caveats(s, tp);
        // A mode's many users on a batched engine: its backend's serving measurements, when too few to stand alone.
        const ErrorBand b = figure_band(s, true, "decode");
        if (b.thin())
            out.push_back({{"code", "few_serving_measurements"},
                           {"text", "Few published batched-serving measurements exist for " + s.quant->id + " checkpoints on " +
                                        backend_name(s.device->backend) + " GPUs (" +
                                        std::to_string(b.rows) + " from " + std::to_string(b.sources) + (b.sources == 1 ? " source" : " sources") +
                                        "), and the engines' kernels there differ model by model: each user's speed is known only to ±" +
                                        std::to_string(b.pct) + " %."}});
    }
    // Integer weight-only experts: each engine's unpacking kernels scale with the batch their own way
    // (docs/accuracy.md: SGLang's runs of Kimi K2.5 on H200 were 2-7x slower than this model from 16 users on).
    if (batched && s.quant->family == "int")
        out.push_back({{"code", "young_kernels"},
                       {"text", s.quant->id + " experts are unpacked to 16 bits for every matmul, by kernels that differ by engine "
                                              "and release: with many users, published runs have been several times slower than this "
                                              "estimate, while one user's speed agreed."}});
    if (architecture_class(*s.model) == "hybrid")
        out.push_back({{"code", "young_kernels"},
                       {"text", "Linear-attention layers (" + std::to_string(s.model->attention.linear_layers) +
                                    " here) run on kernels that runtimes added in 2025-2026 and still speed up build by build: "
                                    "an older build can be several times slower, and support itself needs a recent release."}});
    const BackendFit& k = calibration_of(s).backend(runtime_backend(s));
    if (k.decode_rows < 20)
        out.push_back({{"code", "few_measurements"},
                       {"text", "Few published measurements exist for the " + backend_name(runtime_backend(s)) +
                                    " backend, so its speeds are less certain than CUDA's or Metal's."}});
    return out;
}

// The setup's hardware as people name it: "GeForce RTX 4090 24GB x2", "RTX 3090 + RTX 3060 12GB".
std::string hardware_label(const Setup& s) {
    if (s.other_gpus.empty()) return s.device->name + (card_count(s) > 1 ? " x" + std::to_string(card_count(s)) : "");
    std::string out;
    for (const Device* card : gpu_cards(s)) out += (out.empty() ? "" : " + ") + card->name;
    return out;
}

// The setup's hardware as the API names it: a catalog id, or the cards' ids "rtx-3090,rtx-3060-12gb".
std::string hardware_ids(const Setup& s) {
    if (s.other_gpus.empty()) return s.device->id;
    std::string out;
    for (const Device* card : gpu_cards(s)) out += (out.empty() ? "" : ",") + card->id;
    return out;
}

double device_total_gib(const Setup& s) {
    double total = 0;
    for (const Device* card : gpu_cards(s)) total += card->memory_gib;
    return total;
}

// Each card of a multi-GPU setup: its share of the layers and what it holds (weights and cache by that
// share, plus its own runtime context and compute buffer). One entry for a single device.
json cards_json(const Setup& s, const Estimate& e) {
    json out = json::array();
    std::vector<const Device*> cards = gpu_cards(s);
    std::vector<double> shares = layer_shares(s);
    const double split = e.memory.weights + e.memory.kv_cache + e.memory.recurrent_state - e.placement.cpu_weight_gib - e.placement.cpu_cache_gib;
    const double per_card = (e.memory.compute + e.memory.runtime) / cards.size();
    for (size_t i = 0; i < cards.size(); ++i) {
        double usable = usable_gib(on_card(s, *cards[i]));
        double held = shares[i] * split + per_card;
        out.push_back({{"id", cards[i]->id}, {"name", cards[i]->name}, {"share", round_to(shares[i], 3)}, {"usable_gib", round_to(usable, 2)},
                       {"memory_gib", round_to(held, 2)}, {"bandwidth_gbs", cards[i]->bandwidth_gbs}});
    }
    return out;
}

std::string summary(const Setup& s, const Estimate& e, const Speed& sp) {
    std::string head = s.model->name + " needs ~" + fixed(e.memory.total(), 1) + " GiB with " + s.quant->name + ". " +
                       hardware_label(s) + " has " + fixed(e.usable_gib, 1) + " GiB usable. ";
    switch (e.fit) {
        case Fit::WontRun: return head + "It won't run.";
        case Fit::Offload:
            return head + "With " + fixed(e.placement.offload_fraction * 100, 0) + "% offloaded to host RAM, expect ~" + fixed(sp.decode_tps, 1) + " tok/s.";
        default: return head + "Expect ~" + fixed(sp.decode_tps, 1) + " tok/s.";
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
                 {"a", "About " + fixed(e.memory.total(), 1) + " GiB at " + s.quant->name + " with " + token_count(s.context) +
                           " tokens of context: " + fixed(e.memory.weights, 1) + " GiB weights, " + fixed(e.memory.kv_cache + e.memory.recurrent_state, 1) +
                           " GiB cache, " + fixed(e.memory.compute + e.memory.runtime, 1) + " GiB runtime and buffers."}});
    if (qt.best >= 0)
        a.push_back({{"q", "Which quantization should I use?"},
                     {"a", qt.options[qt.best].quant->name + " scores best here (" + qt.options[qt.best].grade + ")."}});
    if (e.fit != Fit::WontRun) {
        a.push_back({{"q", "How fast is it?"},
                     {"a", "About " + fixed(sp.decode_tps, 1) + " tokens/s while writing and " + fixed(sp.prefill_tps, 0) +
                               " tokens/s while reading the prompt (first token after " + fixed(sp.ttft_s, 1) + " s for " +
                               token_count(headline.workload->prompt_tokens) + " prompt tokens)."}});
        a.push_back({{"q", "How much context can I use?"},
                     {"a", e.safe_context > 0
                               ? "Up to " + token_count(e.safe_context) + " tokens on the device with 10% headroom" +
                                     (e.safe_context >= s.model->max_context ? " (the model's own limit)." : "; the model supports " + token_count(s.model->max_context) + ".")
                               : "The weights alone do not fit on the device; with CPU offload up to " + token_count(e.offload_context) + " tokens fit in host RAM."}});
    }
    return a;
}

}  // namespace

json estimate_response(const Catalog& c, Resolved& r) {
    Setup& s = r.setup;
    const Workload& w = *r.workload;
    const Mode& mode = *r.mode;
    QuantTable qt = quant_table(c, s, w, mode);
    if (!s.quant) s.quant = default_quant(c, qt);
    Estimate e = estimate_fit(s);
    long prompt = std::min(r.prompt_tokens > 0 ? r.prompt_tokens : w.prompt_tokens, s.context);
    long depth = r.depth >= 0 ? r.depth : std::min(s.context, w.prompt_tokens + w.output_tokens / 2);
    Speed sp = speed(s, e, prompt, depth);
    // A mode's many users of a vLLM-class checkpoint: the batched engine's figures, as the grades use.
    ServingPoint batched_point;
    const bool batched = use_batched_serving(s, {prompt, w.output_tokens}, s.concurrency, sp, &batched_point);
    WorkloadResult headline = grade_workload(s, w, mode, GradeContext::Setup);  // the fit shown is at the user's context
    const Calibration& cal = calibration_of(s);
    const BackendFit& k = cal.backend(runtime_backend(s));

    json j;
    j["ok"] = true;
    j["query"] = {{"model", s.model->id}, {"hardware", hardware_ids(s)}, {"backend", s.device->backend}, {"quant", s.quant->id}, {"context", s.context},
                  {"gpus", s.gpus}, {"host_ram_gib", e.host_usable_gib}, {"kv", std::string(to_string(s.kv))},
                  {"mode", mode.id}, {"workload", w.id}, {"concurrency", s.concurrency}};
    j["model"] = model_json(*s.model);
    j["hardware"] = device_json(*s.device);
    j["hardware_label"] = hardware_label(s);
    j["gpu_cards"] = cards_json(s, e);
    j["quant"] = {{"id", s.quant->id}, {"name", s.quant->name}, {"bits", s.quant->bits}, {"quality", quality_label(kld_of(*s.model, *s.quant))}};
    double total = e.memory.total();
    j["memory_gib"] = {{"weights", round_to(e.memory.weights, 2)}, {"host_weights", round_to(e.memory.host_weights, 2)}, {"kv_cache", round_to(e.memory.kv_cache, 2)},
                       {"recurrent_state", round_to(e.memory.recurrent_state, 3)}, {"compute", round_to(e.memory.compute, 2)},
                       {"runtime", round_to(e.memory.runtime, 2)}, {"total", round_to(total, 2)},
                       {"usable", round_to(e.usable_gib, 2)}, {"free", round_to(std::max(0.0, e.usable_gib - total), 2)},
                       {"device_total", device_total_gib(s)}};
    put_fit(j, e.fit);
    // A setup that does not run offloads nothing; what offloading would need is in its advice.
    const bool runs = e.fit != Fit::WontRun;
    j["offload"] = {{"kind", std::string(to_string(runs ? e.placement.kind : OffloadKind::None))},
                    {"percent", runs ? round_to(e.placement.offload_fraction * 100, 1) : 0.0},
                    {"cpu_weights_gib", round_to(e.placement.cpu_weight_gib, 2)}, {"cpu_cache_gib", round_to(e.placement.cpu_cache_gib, 2)},
                    {"host_ram_needed_gib", round_to(e.placement.host_ram_needed_gib, 1)},
                    {"host_ram_gib", e.host_usable_gib}, {"gpu_layers", e.placement.gpu_layers},
                    {"cpu_expert_layers", e.placement.cpu_expert_layers}};
    j["decode_tps"] = round_to(sp.decode_tps, 1);
    j["aggregate_tps"] = round_to(sp.aggregate_tps, 1);
    j["prefill_tps"] = round_to(sp.prefill_tps, 0);
    j["ttft_s"] = round_to(sp.ttft_s, 2);
    // Which engine the decode and TTFT figures are of (a mode of several users on a batched engine's checkpoint).
    const ServingEngine speed_engine = batched ? ServingEngine::Batched : ServingEngine::LlamaCppSlots;
    j["speed_engine"] = {{"id", std::string(to_string(speed_engine))}, {"label", engine_label(speed_engine)}};
    j["prompt_tokens"] = prompt;
    j["depth"] = depth;
    j["safe_context"] = e.safe_context;
    j["offload_context"] = e.offload_context;
    j["over_working_set"] = e.over_working_set;
    j["summary"] = summary(s, e, sp);
    j["grade"] = headline.grade;
    j["score"] = round_to(headline.score, 0);
    j["error_band"] = error_band(s, batched);
    j["basis"] = basis_json(s, batched);
    j["caveats"] = caveats(s, batched, batched_point.parts.tp);  // the group the batched plan runs
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
                     {"prefill_kernel_factor", cal.prefill_kernel_factor(prefill_kernel(*s.quant))}, {"transfer_ms_per_token", round_to(sp.transfer_s * 1e3, 5)},
                     {"linear_prefill_us", cal.linear_prefill_us_of(s.model->attention.linear_kind)},
                     {"linear_prefill_ms_per_token", round_to(sp.linear_prefill_s * 1e3, 5)},
                     {"compute_ms_per_token", round_to(sp.prefill_compute_s * 1e3, 5)},
                     {"weight_stream_ms_per_token", round_to(sp.prefill_weight_stream_s * 1e3, 5)},
                     {"prefill_token_tile", k.prefill_token_tile},
                     {"tokens_per_weight_pass", std::min<double>(std::max(1, s.ubatch), k.prefill_token_tile)}}},
        {"memory", {{"kv_bytes_per_token", round_to(kv_bytes_per_token(*s.model, s.kv), 0)},
                    {"routed_expert_params_b", round_to(routed_expert_params_b(*s.model), 2)},
                    {"bpw_body", s.quant->bpw_body}}}};

    json wl = json::array();
    // A context the user chose applies to every workload; otherwise each is graded at its own need.
    const GradeContext table_context = r.context_given ? GradeContext::Setup : GradeContext::Workload;
    for (const Workload& each : c.workloads) {
        WorkloadResult wr = grade_workload(s, each, mode, table_context);
        json row = {{"id", each.id}, {"name", each.name}, {"grade", wr.grade}, {"score", round_to(wr.score, 0)},
                    {"decode_tps", round_to(wr.speed.decode_tps, 1)}, {"ttft_s", round_to(wr.speed.ttft_s, 2)},
                    {"context", wr.context}, {"safe_context", wr.estimate.context_room()}, {"prompt_tokens", each.prompt_tokens},
                    {"output_tokens", each.output_tokens}, {"context_tokens", each.context_tokens}};
        put_fit(row, wr.estimate.fit);
        wl.push_back(row);
    }
    j["workloads"] = wl;
    json quants = json::array();
    for (size_t i = 0; i < qt.options.size(); ++i) quants.push_back(quant_option_json(qt.options[i], static_cast<int>(i) == qt.best));
    j["quants"] = quants;
    j["best_quant"] = qt.best >= 0 ? qt.options[qt.best].quant->id : "";
    j["limits"] = notes_json(limits(s, e, sp, w, batched ? &batched_point : nullptr));
    j["improvements"] = notes_json(improvements(c, s, e, w, mode, qt, headline));
    json cmds = json::array();
    // Nothing to paste for a setup that does not run.
    const Availability* where = r.own_model ? nullptr : c.availability_of(s.model->id);
    for (const Command& cmd : e.fit == Fit::WontRun ? std::vector<Command>{} : run_commands(c, s, e, where)) {
        json argv = json::array();
        for (const ShellLine& line : cmd.lines) argv.push_back(line.argv());
        cmds.push_back({{"runtime", cmd.runtime}, {"label", cmd.label}, {"text", cmd.text()}, {"argv", argv}});
    }
    j["commands"] = cmds;
    j["runtimes"] = runtimes_json(where);
    bool exact = false;
    const Download* download = published_download(c, where, *s.quant, exact);
    if (download)  // absent when no public file is recorded (inline models, unpublished quants)
        j["download"] = {{"format", download->format}, {"repo", download->repo}, {"quant", download->quant}, {"exact", exact},
                         {"file", download->file}, {"size_gb", download->size_gb}, {"split", download->split},
                         {"source", download->source}};
    else if (is_batched_checkpoint(*s.quant))
        // The batched engines' weights: the repo batched_weights names, in the format it stores them in.
        if (std::optional<BatchedWeights> w = batched_weights(*s.model, *s.quant, where))
            j["download"] = {{"format", "hf"}, {"repo", w->repo}, {"quant", w->quantize_on_load ? s.model->checkpoint : s.quant->id},
                             {"exact", true}, {"file", ""}, {"size_gb", w->recorded ? w->recorded->size_gb : 0.0}, {"split", false},
                             {"source", w->recorded ? w->recorded->source : "https://huggingface.co/" + w->repo}};
    // Decode speed and TTFT against context depth, for the chart.
    json curve = json::array();
    for (long ctx = 1024; ctx <= s.model->max_context; ctx *= 2) {
        Setup t = s;
        t.context = ctx;
        Estimate et = estimate_fit(t);
        Speed st = speed(t, et, ctx, ctx);
        json point = {{"context", ctx}, {"decode_tps", round_to(st.decode_tps, 1)}, {"ttft_s", round_to(st.ttft_s, 2)}};
        put_fit(point, et.fit);
        curve.push_back(point);
        if (et.fit == Fit::WontRun) break;
    }
    j["curve"] = curve;
    j["faq"] = faq(s, e, sp, headline, qt);
    // Modes that serve several users get the serving plan for the workload: users at its target speed.
    if (mode.concurrency > 1 && e.fit != Fit::WontRun) {
        ServingRequest q;
        q.engine = default_serving_engine(s);
        if (!engine_runs(q.engine, s)) {
            // MLX weights: planned as the GGUF of the nearest width, which llama.cpp's server runs in parallel slots.
            const Quant* nearest = nullptr;
            for (const Quant& other : c.quants)
                if (other.family == "gguf" && (!nearest || std::abs(other.bpw_body - s.quant->bpw_body) < std::abs(nearest->bpw_body - s.quant->bpw_body)))
                    nearest = &other;
            q.quant = nearest;
        }
        q.load = {w.prompt_tokens, w.output_tokens};
        q.target_tps = w.decode_target_tps;
        q.target_ttft_s = w.ttft_target_s;
        q.users = mode.concurrency;
        j["serving"] = serving_json(c, r, q);
    }
    return j;
}

// Only the speed of one setup at a given prompt and depth (the accuracy harness's question):
// no grades, quant table or advice, so thousands of rows take milliseconds.
// A user's own llama-bench rows against the estimate for the same setup, each within the
// band the result shows or not.
namespace {
// One CSV field: quoted, quotes doubled, and a leading = + - @ defused (a spreadsheet would run it).
std::string csv_field(const std::string& v) {
    std::string out = "\"";
    if (!v.empty() && std::string("=+-@\t\r").find(v[0]) != std::string::npos) out += '\'';
    for (char ch : v) {
        if (ch == '"') out += "\"\"";
        else if (ch == '\n' || ch == '\r') out += ' ';
        else out += ch;
    }
    return out + "\"";
}

double median_of(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
}  // namespace

json check_response(const Catalog& c, Resolved& r, const std::vector<BenchRow>& bench) {
    Setup& s = r.setup;
    if (!s.quant) s.quant = c.quant("Q4_K_M");
    s.decode_scale = s.prefill_scale = 1;  // compared with the estimate itself, not a kept calibration
    Estimate e = estimate_fit(s);
    Setup one_stream = s;  // llama-bench rows: one stream
    one_stream.concurrency = 1;
    json band = error_band(one_stream, false);
    json rows = json::array();
    int within = 0;
    std::vector<double> decode_ratios, prefill_ratios;
    // The rows in the project's measurement format (measurements/README.md), to contribute.
    const std::string ids = hardware_ids(s), label = hardware_label(s), cards = std::to_string(card_count(s));
    std::string csv = "source_url,source_kind,source_group,runtime,build,date,backend,device,hardware_id,gpus,model,model_id,quant,"
                      "file_gib,params_b,test,n_tokens,depth,tps,flash_attn,offload,notes\n";
    for (const BenchRow& b : bench) {
        Setup t = s;
        t.context = std::max(s.context, b.tokens + b.depth);  // llama-bench sizes its context to the test
        Speed sp = speed(t, estimate_fit(t), b.prefill ? b.tokens : 512, b.depth);
        double predicted = b.prefill ? sp.prefill_tps : sp.decode_tps;
        double error = predicted > 0 ? (b.tps - predicted) / predicted * 100 : 0;
        int pct = band[b.prefill ? "prefill_pct" : "decode_pct"].get<int>();
        bool in_band = predicted > 0 && std::abs(error) <= pct;
        within += in_band;
        if (predicted > 0) (b.prefill ? prefill_ratios : decode_ratios).push_back(b.tps / predicted);
        const std::vector<std::string> fields = {"", "user", "your-machine", "llama.cpp", "", "", s.device->backend, label,
                                                 ids, cards, s.model->name, r.own_model ? "" : s.model->id,
                                                 s.quant->id, "", "", b.prefill ? "pp" : "tg", std::to_string(b.tokens), std::to_string(b.depth),
                                                 fixed(b.tps, 2), "", "", "pasted into runwell's check; fill in source_url, build and date"};
        for (size_t i = 0; i < fields.size(); ++i) {
            if (i) csv += ',';
            csv += csv_field(fields[i]);
        }
        csv += "\n";
        rows.push_back({{"test", b.test}, {"quantity", b.prefill ? "prefill" : "decode"}, {"measured", round_to(b.tps, 2)},
                        {"predicted", round_to(predicted, 2)}, {"difference_pct", round_to(error, 1)}, {"band_pct", pct},
                        {"within_band", in_band}});
    }
    std::string summary = bench.empty() ? "No llama-bench rows (pp512 / tg128 lines with a t/s column) were found in the text."
                                        : std::to_string(within) + " of " + std::to_string(bench.size()) +
                                              " of your measurements fall within the band the result shows.";
    // A personal calibration: the median of measured / estimated per quantity, bounded as the API takes it.
    json calibration = json::object();
    if (!decode_ratios.empty()) calibration["decode"] = round_to(std::clamp(median_of(decode_ratios), 0.05, 20.0), 3);
    if (!prefill_ratios.empty()) calibration["prefill"] = round_to(std::clamp(median_of(prefill_ratios), 0.05, 20.0), 3);
    return {{"ok", true}, {"runs", e.fit != Fit::WontRun}, {"rows", rows}, {"error_band", band}, {"summary", summary},
            {"calibration", calibration}, {"csv", bench.empty() ? "" : csv}};
}

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

namespace {

json quant_option_json(const QuantOption& o, bool best) {
    json j = {{"id", o.quant->id}, {"name", o.quant->name}, {"bits", o.quant->bits},
              {"bpw", round_to(o.quant->bpw_body, 2)}, {"quality", quality_label(o.kld)}, {"kld", o.kld},
              {"memory_gib", round_to(o.memory_gib, 2)}, {"score", round_to(o.score, 0)},
              {"grade", o.grade}, {"decode_tps", round_to(o.decode_tps, 1)}, {"best", best}};
    put_fit(j, o.fit);
    return j;
}

// The fields every ranked row shares (a model on a device, or a device for a model).
void add_grade_fields(json& row, const Quant& q, const WorkloadResult& w) {
    row["best_quant"] = q.id;
    row["grade"] = w.grade;
    row["score"] = round_to(w.score, 0);
    put_fit(row, w.estimate.fit);
    row["decode_tps"] = round_to(w.speed.decode_tps, 1);
    row["ttft_s"] = round_to(w.speed.ttft_s, 2);
    row["safe_context"] = w.estimate.context_room();
    row["needed_gib"] = round_to(w.estimate.memory.total(), 1);
    row["usable_gib"] = round_to(w.estimate.usable_gib, 1);
}

}  // namespace

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

namespace {

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
    if (!m.hf_repo.empty()) j["hf_repo"] = m.hf_repo;
    return j;
}

}  // namespace

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
        s.other_gpus.clear();  // each device of the tier list on its own
        s.tensor_split.clear();
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

// Everything a page needs to know about the API's vocabulary, so that no page defines
// an enum, a default or a query key of its own.
json meta_json(const Catalog& c) {
    json kv = json::array(), backends = json::array(), kinds = json::array(), fits = json::array();
    for (KvType k : kKvTypes) kv.push_back(std::string(to_string(k)));
    for (const char* b : kBackends) backends.push_back(b);
    for (DeviceKind k : kDeviceKinds) kinds.push_back({{"id", std::string(to_string(k))}, {"name", device_kind_label(k)}});
    for (Fit f : {Fit::RunsWell, Fit::Tight, Fit::Offload, Fit::WontRun})
        fits.push_back({{"id", std::string(to_string(f))}, {"name", fit_label(f)}, {"runs", f != Fit::WontRun}});
    const Model& model = c.default_model();
    const Device& device = c.default_device();
    // The comparison starts with the default model on the default device and on the first
    // unified-memory device of the catalog: the two ways people run models locally.
    const Device* other = nullptr;
    for (const Device& d : c.devices)
        if (d.kind == DeviceKind::Unified && d.kind != device.kind) { other = &d; break; }
    json compare = json::array({{{"model", model.id}, {"hardware", device.id}}});
    json serving_engines = json::array();
    for (ServingEngine e : kServingEngines) serving_engines.push_back(std::string(to_string(e)));
    if (other) compare.push_back({{"model", model.id}, {"hardware", other->id}});
    return {{"defaults", {{"model", model.id}, {"hardware", device.id}, {"mode", c.default_mode().id},
                          {"workload", c.default_workload().id}, {"kv", std::string(to_string(kKvTypes[0]))}, {"gpus", 1}}},
            {"compare", compare},
            {"query_keys", json(std::vector<std::string>(std::begin(kQueryKeys), std::end(kQueryKeys)))},
            {"serve_keys", json(std::vector<std::string>(std::begin(kServeKeys), std::end(kServeKeys)))},
            {"kv_types", kv}, {"backends", backends}, {"device_kinds", kinds}, {"fits", fits},
            {"serving_engines", serving_engines},
            {"band_evidence", {{"min_rows", calibration::kMinBandRows}, {"min_sources", calibration::kMinBandSources}}}};
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
        quants.push_back({{"id", q.id}, {"name", q.name}, {"bits", q.bits}, {"family", q.family}, {"quality", quality_label(q.kld)}});
    for (const Workload& w : c.workloads)
        workloads.push_back({{"id", w.id}, {"name", w.name}, {"why", w.why}, {"prompt_tokens", w.prompt_tokens},
                             {"output_tokens", w.output_tokens}, {"context_tokens", w.context_tokens}});
    for (const Mode& m : c.modes)
        modes.push_back({{"id", m.id}, {"name", m.name}, {"description", m.description}, {"concurrency", m.concurrency}});
    return {{"ok", true}, {"models", models}, {"hardware", devices}, {"quants", quants}, {"workloads", workloads}, {"modes", modes},
            {"meta", meta_json(c)}};
}


}  // namespace runwell::detail
