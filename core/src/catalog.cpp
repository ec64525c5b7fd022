#include "runwell/catalog.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "json_reader.hpp"

namespace runwell {
namespace detail {

namespace {
const std::set<std::string> kRuntimes = {"llama.cpp", "ollama", "lmstudio", "mlx", "vllm", "sglang"};
const std::map<std::string, DeviceKind> kKinds = {{"discrete_gpu", DeviceKind::DiscreteGpu},
                                                   {"datacenter_gpu", DeviceKind::DatacenterGpu},
                                                   {"unified", DeviceKind::Unified},
                                                   {"cpu", DeviceKind::Cpu}};
const std::map<std::string, AttentionKind> kAttention = {
    {"mha", AttentionKind::Mha}, {"gqa", AttentionKind::Gqa}, {"mla", AttentionKind::Mla}};
constexpr double kMaxParamsB = 20000;  // 20T parameters: far above any released model
constexpr long kMaxContext = 100'000'000;
constexpr long kMaxDim = 1'000'000;

void check_id(ObjectReader& r, const std::string& id, bool allow_upper = false) {
    if (id.empty() || is_id(id, allow_upper)) return;
    r.fail("bad_id", r.at("id"), std::string("ids use ") + (allow_upper ? "A-Z, " : "") +
                                     "a-z, 0-9, '-', '.' and '_', do not start with '-' or '.' (at most 80 characters)");
}

}  // namespace

long read_day(ObjectReader& r, const std::string& key, std::string& text) {
    text = r.str(key, false);
    if (text.empty()) return 0;
    std::optional<long> day = parse_day(text);
    if (!day) r.fail("bad_date", r.at(key), "a date as YYYY-MM-DD");
    return day.value_or(0);
}

namespace {

// Text shown to people (page, card, terminal): printable, bounded.
std::string read_text(ObjectReader& r, const std::string& key, bool required) {
    std::string v = r.str(key, required);
    if (!is_display_text(v))
        r.fail("bad_text", r.at(key), "must be printable UTF-8 without control or direction-override characters (at most 300 bytes)");
    return v;
}

template <class Map>
typename Map::mapped_type pick(ObjectReader& r, const std::string& key, const Map& options,
                               typename Map::mapped_type fallback) {
    std::string v = r.str(key);
    if (v.empty()) return fallback;
    auto it = options.find(v);
    if (it != options.end()) return it->second;
    std::string list;
    for (const auto& [name, _] : options) list += (list.empty() ? "" : ", ") + name;
    r.fail("unknown_value", r.at(key), "'" + v + "' is not one of: " + list);
    return fallback;
}

Attention read_attention(ObjectReader& parent, int layers) {
    Attention a;
    const json* node = parent.object("attention", true);
    if (!node) return a;
    ObjectReader r(*node, parent.at("attention"), parent.problems());
    a.kind = pick(r, "kind", kAttention, AttentionKind::Gqa);
    a.heads = static_cast<int>(r.integer("heads", 1, 4096));
    bool mla = a.kind == AttentionKind::Mla;
    a.kv_heads = static_cast<int>(r.integer("kv_heads", 1, 4096, !mla));
    a.head_dim = static_cast<int>(r.integer("head_dim", 1, 4096, !mla));
    a.kv_lora_rank = static_cast<int>(r.integer("kv_lora_rank", 1, 65536, mla));
    a.rope_dim = static_cast<int>(r.integer("rope_dim", 0, 4096, mla));
    a.full_layers = static_cast<int>(r.integer("full_layers", 0, 4096, false, layers));
    a.window = static_cast<int>(r.integer("window", 0, kMaxContext, false));
    a.window_layers = static_cast<int>(r.integer("window_layers", 0, 4096, false));
    a.window_kv_heads = static_cast<int>(r.integer("window_kv_heads", 0, 4096, false));
    a.window_head_dim = static_cast<int>(r.integer("window_head_dim", 0, 4096, false));
    a.linear_layers = static_cast<int>(r.integer("linear_layers", 0, 4096, false));
    a.linear_state_mib = r.num("linear_state_mib", 0, 1e6, false);
    a.linear_kind = r.str("linear_kind", false);
    if (a.linear_layers > 0 && a.linear_kind.empty()) a.linear_kind = "gated_delta";  // the most common kind
    if (!a.linear_kind.empty() && !is_one_of(a.linear_kind, kLinearKinds))
        r.fail("unknown_value", r.at("linear_kind"), "'" + a.linear_kind + "' is not one of: " + one_of_text(kLinearKinds));
    r.finish();
    if (!mla && a.kv_heads > a.heads)
        r.fail("inconsistent", r.at("kv_heads"), "more KV heads than attention heads");
    if (a.full_layers + a.window_layers + a.linear_layers > layers && layers > 0)
        r.fail("inconsistent", r.path(), "full_layers + window_layers + linear_layers exceed the model's layers");
    if ((a.window_layers > 0) != (a.window > 0))
        r.fail("inconsistent", r.path(), "window and window_layers go together");
    if ((a.linear_layers > 0) != (a.linear_state_mib > 0))
        r.fail("inconsistent", r.path(), "linear_layers and linear_state_mib go together");
    if (a.full_layers + a.window_layers + a.linear_layers == 0 && layers > 0)
        r.fail("inconsistent", r.path(), "no layer holds attention state");
    return a;
}
}  // namespace

Model read_model(ObjectReader& r, bool catalog_entry) {
    Model m;
    m.id = r.str("id", catalog_entry);
    check_id(r, m.id);
    m.name = read_text(r, "name", catalog_entry);
    m.hf_repo = r.str("hf_repo", false);
    if (!m.hf_repo.empty() && !is_hf_repo(m.hf_repo))
        r.fail("bad_id", r.at("hf_repo"), kHfRepoRule);
    if (r.has("checkpoint")) {
        m.checkpoint = r.str("checkpoint");
        if (!is_id(m.checkpoint, true)) r.fail("bad_id", r.at("checkpoint"), "a quantization id (A-Z, a-z, 0-9, '-', '.', '_')");
    }
    m.release_day = read_day(r, "release", m.release);
    m.license = read_text(r, "license", false);
    m.params_b = r.num("params_b", 1e-4, kMaxParamsB);  // from 100k parameters (test-sized models)
    m.active_params_b = r.num("active_params_b", 1e-4, kMaxParamsB, false, m.params_b);
    m.layers = static_cast<int>(r.integer("layers", 1, 4096));
    m.hidden = static_cast<int>(r.integer("hidden", 1, kMaxDim));
    m.vocab = static_cast<int>(r.integer("vocab", 1, 10'000'000));
    m.tied_embeddings = r.boolean("tied_embeddings", false);
    if (catalog_entry) m.is_default = r.boolean("default", false);
    m.max_context = r.integer("max_context", 256, kMaxContext);
    m.attention = read_attention(r, m.layers);
    if (const json* node = r.object("moe", false)) {
        ObjectReader mr(*node, r.at("moe"), r.problems());
        Moe moe;
        moe.experts = static_cast<int>(mr.integer("experts", 2, 100000));
        moe.active_experts = static_cast<int>(mr.integer("active_experts", 1, 100000));
        moe.shared_experts = static_cast<int>(mr.integer("shared_experts", 0, 1000, false));
        moe.expert_params_b = mr.num("expert_params_b", 0, kMaxParamsB, false);
        mr.finish();
        if (moe.active_experts > moe.experts)
            mr.fail("inconsistent", mr.at("active_experts"), "more active experts than experts");
        m.moe = moe;
    }
    m.source = r.strings("source", catalog_entry);
    m.notes = r.str("notes", false);
    r.finish();
    if (m.active_params_b > m.params_b)
        r.fail("inconsistent", r.at("active_params_b"), "active parameters exceed total parameters");
    if (m.moe && m.moe->expert_params_b >= m.params_b)
        r.fail("inconsistent", r.at("moe.expert_params_b"), "expert parameters must be fewer than all parameters");
    if (m.moe && m.active_params_b >= m.params_b)
        r.fail("inconsistent", r.at("active_params_b"), "an MoE model reads fewer parameters per token than it has");
    return m;
}

Device read_device(ObjectReader& r, bool catalog_entry) {
    Device d;
    d.id = r.str("id", catalog_entry);
    check_id(r, d.id);
    d.name = read_text(r, "name", catalog_entry);
    d.vendor = read_text(r, "vendor", catalog_entry);
    d.kind = pick(r, "kind", kKinds, DeviceKind::DiscreteGpu);
    if (catalog_entry) d.is_default = r.boolean("default", false);
    d.backend = r.str("backend", catalog_entry);
    if (!d.backend.empty() && !known_backend(d.backend))
        r.fail("unknown_value", r.at("backend"), "'" + d.backend + "' is not a known backend (cuda, rocm, metal, vulkan, sycl, cpu)");
    d.memory_type = r.str("memory_type", false);
    d.memory_gib = r.num("memory_gib", 0.5, 65536);
    d.bandwidth_gbs = r.num("bandwidth_gbs", 1, 100000);
    d.fp16_tflops = r.num("fp16_tflops", 0.01, 100000);
    d.accelerated_fp16_tflops = r.num("accelerated_fp16_tflops", 0.01, 100000, false);
    d.host_link_gbs = r.num("host_link_gbs", 0.1, 10000, false);
    d.interconnect_gbs = r.num("interconnect_gbs", 0.1, 100000, false);
    d.interconnect_gpus = static_cast<int>(r.integer("interconnect_gpus", 2, 576, false, 0));
    if (d.interconnect_gpus > 0 && d.interconnect_gbs <= 0)
        r.fail("inconsistent", r.at("interconnect_gpus"), "a link's group size on a device without interconnect_gbs");
    if (r.has("usable_gib")) d.usable_gib = r.num("usable_gib", 0.1, 65536);
    d.tensor_formats = r.strings("tensor_formats", false);
    for (size_t i = 0; i < d.tensor_formats.size(); ++i)
        if (d.tensor_formats[i] != "fp8" && d.tensor_formats[i] != "fp8_fnuz" && d.tensor_formats[i] != "fp4")
            r.fail("unknown_value", r.at("tensor_formats") + "[" + std::to_string(i) + "]", "'" + d.tensor_formats[i] + "' is not fp8, fp8_fnuz or fp4");
    d.cuda_compute_capability = r.num("cuda_compute_capability", 1, 100, d.backend == "cuda" && catalog_entry);
    if (d.cuda_compute_capability > 0 && d.backend != "cuda")
        r.fail("inconsistent", r.at("cuda_compute_capability"), "a CUDA compute capability on a device whose backend is '" + d.backend + "'");
    d.release_year = static_cast<int>(r.integer("release_year", 1990, 2100, false));
    d.price_usd = r.num("price_usd", 0, 1e8, false);
    d.tdp_w = r.num("tdp_w", 0, 1e5, false);
    d.source = r.strings("source", catalog_entry);
    d.notes = r.str("notes", false);
    r.str("usable_note", false);
    r.finish();
    if (d.usable_gib && *d.usable_gib > d.memory_gib)
        r.fail("inconsistent", r.at("usable_gib"), "usable memory exceeds the device's memory");
    return d;
}

Quant read_quant(ObjectReader& r, bool catalog_entry) {
    Quant q;
    q.id = r.str("id", catalog_entry);
    check_id(r, q.id, true);
    q.name = read_text(r, "name", catalog_entry);
    q.family = r.str("family", catalog_entry);
    if (!q.family.empty() && q.family != "gguf" && q.family != "mlx" && q.family != "fp" && q.family != "int")
        r.fail("unknown_value", r.at("family"), "'" + q.family + "' is not one of: gguf, mlx, fp, int");
    q.bits = r.num("bits", 1, 32);
    q.bpw_body = r.num("bpw_body", 1, 32);
    q.bpw_embed = r.num("bpw_embed", 1, 32);
    q.bpw_output = r.num("bpw_output", 1, 32);
    q.kld = r.num("kld", 0, 10, catalog_entry);
    q.experts_only = r.boolean("experts_only", false);
    q.rest_in_16_bits = r.boolean("rest_in_16_bits", false);
    if (q.rest_in_16_bits && !q.experts_only)
        r.fail("inconsistent", r.at("rest_in_16_bits"), "a 16-bit rest for a quant that is not experts_only (its body is all in its format)");
    q.experts_as = r.str("experts_as", false);
    q.tensor_format = r.str("tensor_format", false);
    if (!q.tensor_format.empty() && q.tensor_format != "fp8" && q.tensor_format != "fp4")
        r.fail("unknown_value", r.at("tensor_format"), "'" + q.tensor_format + "' is not fp8 or fp4");
    q.vendor = read_text(r, "vendor", false);
    q.expert_hidden_multiple = static_cast<int>(r.integer("expert_hidden_multiple", 1, 4096, false, 0));
    q.runtimes = r.strings("runtimes", catalog_entry);
    for (size_t i = 0; i < q.runtimes.size(); ++i)
        if (!kRuntimes.count(q.runtimes[i]))
            r.fail("unknown_value", r.at("runtimes") + "[" + std::to_string(i) + "]", "'" + q.runtimes[i] + "' is not a known runtime");
    q.weight_only_runtimes = r.strings("weight_only_runtimes", false);
    for (size_t i = 0; i < q.weight_only_runtimes.size(); ++i)
        if (std::find(q.runtimes.begin(), q.runtimes.end(), q.weight_only_runtimes[i]) == q.runtimes.end())
            r.fail("inconsistent", r.at("weight_only_runtimes") + "[" + std::to_string(i) + "]",
                   "'" + q.weight_only_runtimes[i] + "' is not one of the quant's runtimes");
    q.weight_only_min_compute_capability = r.num("weight_only_min_compute_capability", 1, 100, !q.weight_only_runtimes.empty());
    if (!q.weight_only_runtimes.empty() && q.tensor_format.empty())
        r.fail("inconsistent", r.at("weight_only_runtimes"), "weight-only runtimes for a quant without a tensor format (every GPU runs it already)");
    q.source = r.strings("source", catalog_entry);
    q.notes = r.str("notes", false);
    r.finish();
    return q;
}

namespace {

Workload read_workload(ObjectReader& r) {
    Workload w;
    w.id = r.str("id");
    check_id(r, w.id);
    w.name = read_text(r, "name", true);
    w.why = r.str("why");
    w.prompt_tokens = r.integer("prompt_tokens", 1, kMaxContext);
    w.output_tokens = r.integer("output_tokens", 1, kMaxContext);
    w.context_tokens = r.integer("context_tokens", 256, kMaxContext);
    w.decode_target_tps = r.num("decode_target_tps", 0.1, 10000);
    w.ttft_target_s = r.num("ttft_target_s", 0.01, 3600);
    w.quality_weight = r.num("quality_weight", 0, 1);
    w.is_default = r.boolean("default", false);
    r.finish();
    if (w.prompt_tokens + w.output_tokens > w.context_tokens)
        r.fail("inconsistent", r.at("context_tokens"), "shorter than prompt + output");
    return w;
}

Mode read_mode(ObjectReader& r) {
    Mode m;
    m.id = r.str("id");
    check_id(r, m.id);
    m.name = read_text(r, "name", true);
    m.description = r.str("description");
    m.concurrency = static_cast<int>(r.integer("concurrency", 1, 4096));
    m.is_default = r.boolean("default", false);
    if (const json* node = r.object("weights", true)) {
        ObjectReader w(*node, r.at("weights"), r.problems());
        m.weights.decode = w.num("decode", 0, 1);
        m.weights.ttft = w.num("ttft", 0, 1);
        m.weights.context = w.num("context", 0, 1);
        m.weights.quality = w.num("quality", 0, 1);
        w.finish();
        double sum = m.weights.decode + m.weights.ttft + m.weights.context + m.weights.quality;
        if (std::abs(sum - 1.0) > 1e-6) w.fail("inconsistent", w.path(), "weights must add up to 1");
    }
    r.finish();
    return m;
}

// Each object of a JSON array read into `out`; `path` names the array in problems.
template <class T, class ReadFn>
void read_array(const json& list, const std::string& path, std::vector<T>& out, std::vector<Problem>& problems, ReadFn read) {
    if (!list.is_array()) { problems.push_back({"wrong_type", path, "expected an array"}); return; }
    for (size_t i = 0; i < list.size(); ++i) {
        ObjectReader r(list[i], path + "[" + std::to_string(i) + "]", problems);
        if (r.valid()) out.push_back(read(r));
    }
}

// A source is a web address: the reader must be able to open it.
std::string read_source(ObjectReader& r, const std::string& key) {
    std::string v = r.str(key);
    if (!v.empty() && (v.rfind("https://", 0) != 0 || !is_display_text(v)))
        r.fail("bad_text", r.at(key), "a source is an https:// address");
    return v;
}

RuntimeSupport read_runtime_support(ObjectReader& r) {
    RuntimeSupport s;
    s.runtime = r.str("runtime");
    if (!s.runtime.empty() && !kRuntimes.count(s.runtime))
        r.fail("unknown_value", r.at("runtime"), "'" + s.runtime + "' is not a known runtime");
    s.supported = r.boolean("supported", true);
    s.since = read_text(r, "since", false);
    read_day(r, "date", s.date);
    s.source = read_source(r, "source");
    s.notes = read_text(r, "notes", false);
    r.finish();
    return s;
}

Download read_download(ObjectReader& r) {
    Download d;
    d.format = r.str("format");
    if (d.format != "gguf" && d.format != "mlx" && d.format != "hf")
        r.fail("unknown_value", r.at("format"), "'" + d.format + "' is not gguf, mlx or hf");
    d.repo = r.str("repo");
    if (!is_hf_repo(d.repo)) r.fail("bad_id", r.at("repo"), kHfRepoRule);
    d.quant = r.str("quant");
    check_id(r, d.quant, true);
    d.file = read_text(r, "file", false);
    d.size_gb = r.num("size_gb", 0, 100000, false);
    d.split = r.boolean("split", false);
    d.source = read_source(r, "source");
    r.finish();
    return d;
}

Availability read_availability(ObjectReader& r) {
    Availability a;
    a.model = r.str("model");
    check_id(r, a.model);
    if (const json* node = r.object("runtimes", true)) read_array(*node, r.at("runtimes"), a.runtimes, r.problems(), read_runtime_support);
    if (const json* node = r.object("downloads", true)) read_array(*node, r.at("downloads"), a.downloads, r.problems(), read_download);
    r.finish();
    return a;
}

// A catalog section: its entries, each id once across every file.
template <class T, class ReadFn>
void read_list(const json& root, const std::string& file, const std::string& key, std::vector<T>& out,
               std::vector<Problem>& problems, ReadFn read) {
    std::set<std::string> ids;
    for (const T& existing : out) ids.insert(existing.id);
    size_t first_new = out.size();
    std::string base = file + ":" + key;
    read_array(root.at(key), base, out, problems, read);
    for (size_t i = first_new; i < out.size(); ++i)
        if (!out[i].id.empty() && !ids.insert(out[i].id).second)
            problems.push_back({"duplicate_id", base + "[" + std::to_string(i - first_new) + "].id", "'" + out[i].id + "' is defined twice"});
}

// A calibration object of numbers by name (a kernel, a layer kind, a backend), each within [lo, hi].
template <size_t N>
std::map<std::string, double> read_factors(ObjectReader& r, const std::string& key, const char* const (&keys)[N], double lo, double hi,
                                           bool required) {
    std::map<std::string, double> out;
    if (const json* node = r.object(key, required); node && node->is_object()) {
        ObjectReader f(*node, r.at(key), r.problems());
        for (auto it = node->begin(); it != node->end(); ++it) {
            if (!is_one_of(it.key(), keys)) f.fail("unknown_value", f.at(it.key()), "'" + it.key() + "' is not one of: " + one_of_text(keys));
            out[it.key()] = f.num(it.key(), lo, hi);
        }
        f.finish();
    }
    return out;
}

Calibration read_calibration(ObjectReader& r) {
    Calibration c;
    c.provenance = r.strings("provenance");
    if (const json* node = r.object("backends", true); node && node->is_object()) {
        for (auto it = node->begin(); it != node->end(); ++it) {
            ObjectReader b(it.value(), r.at("backends." + it.key()), r.problems());
            if (!known_backend(it.key())) b.fail("unknown_value", b.path(), "'" + it.key() + "' is not a known backend");
            BackendFit f;
            f.bandwidth_efficiency = b.num("bandwidth_efficiency", 0.01, 2);
            f.layer_overhead_us = b.num("layer_overhead_us", 0, 1e5);
            f.prefill_efficiency = b.num("prefill_efficiency", 0.001, 2);
            f.prefill_token_tile = b.num("prefill_token_tile", 1, BackendFit::kNoTile, false, BackendFit::kNoTile);
            f.gpu_hop_ms = b.num("gpu_hop_ms", 0, 1e3);
            f.decode_rows = static_cast<int>(b.integer("decode_rows", 0, 1'000'000));
            f.prefill_rows = static_cast<int>(b.integer("prefill_rows", 0, 1'000'000));
            b.finish();
            c.backends[it.key()] = f;
        }
    }
    c.bandwidth_saturation_gbs = r.num("bandwidth_saturation_gbs", 1, 1e12);
    c.hbm_bandwidth_factor = r.num("hbm_bandwidth_factor", 0.05, 2);
    c.compute_saturation_tflops = r.num("compute_saturation_tflops", 1, 1e12);
    c.moe_layer_factor = r.num("moe_layer_factor", 0, 100);
    c.prefill_kernel_factors = read_factors(r, "prefill_kernel_factors", kFactoredPrefillKernels, 0.05, 20, false);
    c.overhead_bandwidth_exponent = r.num("overhead_bandwidth_exponent", 0, 2);
    c.linear_layer_factors = read_factors(r, "linear_layer_factors", kLinearKinds, 0, 1000, true);
    c.linear_prefill_us = read_factors(r, "linear_prefill_us", kLinearKinds, 0, 10000, true);
    c.host_bandwidth_efficiency = r.num("host_bandwidth_efficiency", 0.01, 2);
    c.attention_flops_weight = r.num("attention_flops_weight", 0, 100);
    c.moe_expert_tokens = r.num("moe_expert_tokens", 0, 1e4);
    if (const json* node = r.object("serving", false); node && node->is_object()) {
        ObjectReader f(*node, r.at("serving"), r.problems());
        c.serving.bandwidth_efficiency = f.num("bandwidth_efficiency", 0.01, 2);
        c.serving.compute_efficiency = f.num("compute_efficiency", 0.001, 2);
        c.serving.step_overhead_ms = f.num("step_overhead_ms", 0, 1000);
        c.serving.group_step_overhead_ms = f.num("group_step_overhead_ms", 0, 1000);
        c.serving.rocm_layer_step_us = f.num("rocm_layer_step_us", 0, 10000);
        c.serving.allreduce_step_latency_us = f.num("allreduce_step_latency_us", 0, 10000);
        c.serving.first_token_ms = f.num("first_token_ms", 0, 10000);
        c.serving.cohort_wait_share = f.num("cohort_wait_share", 0, 1);
        c.serving.young_kernel_slowdown = f.num("young_kernel_slowdown", 0, 100);
        c.serving.format_compute_factors = read_factors(f, "format_compute_factors", kFactoredMatmulKernels, 0.05, 2, false);
        c.serving.rows = static_cast<int>(f.integer("rows", 0, 1'000'000));
        f.finish();
    }
    c.memory_band_pct = static_cast<int>(r.integer("memory_band_pct", 0, 1000));
    if (const json* node = r.object("bands", true); node && node->is_array()) {
        for (size_t i = 0; i < node->size(); ++i) {
            ObjectReader b((*node)[i], r.at("bands[" + std::to_string(i) + "]"), r.problems());
            ErrorBand band;
            band.quantity = b.str("quantity");
            band.arch = b.str("arch");
            band.backend = b.str("backend");
            band.pct = static_cast<int>(b.integer("pct", 0, 100000));
            band.rows = static_cast<int>(b.integer("rows", 0, 1'000'000));
            band.sources = static_cast<int>(b.integer("sources", 0, 1'000'000));
            b.finish();
            if (!is_one_of(band.quantity, kBandQuantities)) b.fail("unknown_value", b.at("quantity"), "must be " + one_of_text(kBandQuantities));
            if (band.backend != "*" && !known_backend(band.backend)) b.fail("unknown_value", b.at("backend"), "not a known backend");
            c.bands.push_back(band);
        }
    } else if (node) {
        r.fail("wrong_type", r.at("bands"), "expected an array");
    }
    r.finish();
    return c;
}
}  // namespace
}  // namespace detail

Calibration read_calibration_json(const std::string& text, std::vector<Problem>& problems) {
    std::string why;
    detail::json root = detail::parse_bounded(text, why);
    if (root.is_discarded()) { problems.push_back({"bad_json", "calibration", why}); return {}; }
    if (!root.is_object() || !root.contains("calibration")) {
        problems.push_back({"missing_section", "calibration", "expected {\"calibration\": {...}}"});
        return {};
    }
    detail::ObjectReader r(root["calibration"], "calibration", problems);
    return detail::read_calibration(r);
}

namespace {
// Every catalog model says where it runs (at least llama.cpp's answer), once; downloads name catalog quants.
void check_availability(const Catalog& c, std::vector<Problem>& p) {
    std::set<std::string> seen;
    for (size_t i = 0; i < c.availability.size(); ++i) {
        const Availability& a = c.availability[i];
        std::string at = "availability[" + std::to_string(i) + "]";
        if (!c.model(a.model)) p.push_back({"dangling_reference", at + ".model", "no model '" + a.model + "' in the catalog"});
        if (!seen.insert(a.model).second) p.push_back({"duplicate_id", at + ".model", "'" + a.model + "' is listed twice"});
        for (size_t j = 0; j < a.downloads.size(); ++j)
            if (!c.quant(a.downloads[j].quant))
                p.push_back({"dangling_reference", at + ".downloads[" + std::to_string(j) + "].quant",
                             "no quantization '" + a.downloads[j].quant + "' in the catalog"});
    }
    for (const Quant& q : c.quants)
        if (!q.experts_as.empty() && !c.quant(q.experts_as))
            p.push_back({"dangling_reference", "quants." + q.id + ".experts_as", "no quantization '" + q.experts_as + "' in the catalog"});
    for (const Model& m : c.models) {
        if (m.checkpoint != "BF16" && !c.quant(m.checkpoint))  // BF16, the default, needs no catalog entry
            p.push_back({"dangling_reference", "models." + m.id + ".checkpoint", "no quantization '" + m.checkpoint + "' in the catalog"});
        const Availability* a = c.availability_of(m.id);
        if (!a || !a->runtime("llama.cpp"))
            p.push_back({"missing_availability", "availability", "model '" + m.id + "' has no runtime support entries (llama.cpp at least)"});
    }
}

// The page and the API start from the entry marked default; a list needs exactly one.
template <class T>
void check_one_default(const std::vector<T>& items, const char* section, std::vector<Problem>& p) {
    if (items.empty()) return;
    long marked = std::count_if(items.begin(), items.end(), [](const T& item) { return item.is_default; });
    if (marked != 1)
        p.push_back({"inconsistent", section, "exactly one entry must have \"default\": true, found " + std::to_string(marked)});
}
template <class T>
const T& default_of(const std::vector<T>& items) {
    for (const T& item : items)
        if (item.is_default) return item;
    return items.front();  // only reachable on a catalog that failed to load
}
}  // namespace

const Model& Catalog::default_model() const { return default_of(models); }
const Device& Catalog::default_device() const { return default_of(devices); }
const Workload& Catalog::default_workload() const { return default_of(workloads); }
const Mode& Catalog::default_mode() const { return default_of(modes); }

CatalogLoad load_catalog(const std::vector<std::pair<std::string, std::string>>& named_texts) {
    using detail::json;
    CatalogLoad out;
    auto& p = out.problems;
    for (const auto& [file, text] : named_texts) {
        std::string why;
        json root = detail::parse_bounded(text, why);
        if (root.is_discarded()) { p.push_back({"bad_json", file, why}); continue; }
        if (!root.is_object()) { p.push_back({"wrong_type", file, "expected a JSON object"}); continue; }
        for (auto it = root.begin(); it != root.end(); ++it) {
            const std::string& key = it.key();
            if (key == "models")
                detail::read_list(root, file, key, out.catalog.models, p, [](detail::ObjectReader& r) { return detail::read_model(r, true); });
            else if (key == "hardware")
                detail::read_list(root, file, key, out.catalog.devices, p, [](detail::ObjectReader& r) { return detail::read_device(r, true); });
            else if (key == "quants")
                detail::read_list(root, file, key, out.catalog.quants, p, [](detail::ObjectReader& r) { return detail::read_quant(r, true); });
            else if (key == "workloads")
                detail::read_list(root, file, key, out.catalog.workloads, p, detail::read_workload);
            else if (key == "modes")
                detail::read_list(root, file, key, out.catalog.modes, p, detail::read_mode);
            else if (key == "availability")
                detail::read_array(it.value(), file + ":" + key, out.catalog.availability, p, detail::read_availability);
            else if (key == "as_of") {
                std::optional<long> day = it.value().is_string() ? parse_day(it.value().get<std::string>()) : std::nullopt;
                if (day) out.catalog.as_of_day = *day;
                else p.push_back({"bad_date", file + ":" + key, "the day the runtime support was checked, as YYYY-MM-DD"});
            }
            else if (key == "calibration") {
                detail::ObjectReader r(it.value(), "calibration", p);
                out.catalog.calibration = detail::read_calibration(r);
                out.catalog.has_calibration = true;
            }
            else
                p.push_back({"unknown_key", file + ":" + key, "unknown catalog section"});
        }
    }
    const Catalog& c = out.catalog;
    // A usable catalog has something to estimate and the references the page needs.
    if (c.models.empty()) p.push_back({"missing_section", "models", "the catalog has no models"});
    if (c.devices.empty()) p.push_back({"missing_section", "hardware", "the catalog has no hardware"});
    if (c.quants.empty()) p.push_back({"missing_section", "quants", "the catalog has no quantizations"});
    if (c.workloads.empty()) p.push_back({"missing_section", "workloads", "the catalog has no workloads"});
    if (c.modes.empty()) p.push_back({"missing_section", "modes", "the catalog has no operating modes"});
    if (!c.has_calibration) p.push_back({"missing_section", "calibration", "the catalog has no calibration (calibration.json)"});
    for (const char* id : {"Q4_K_M", "F16"})
        if (!c.quants.empty() && !c.quant(id))
            p.push_back({"dangling_reference", "quants", std::string("the estimator needs quantization '") + id + "'"});
    check_availability(c, p);
    if (!c.availability.empty() && c.as_of_day == 0)
        p.push_back({"missing_section", "as_of", "availability.json names the day its runtime support was checked (\"as_of\")"});
    check_one_default(c.models, "models", p);
    check_one_default(c.devices, "hardware", p);
    check_one_default(c.workloads, "workloads", p);
    check_one_default(c.modes, "modes", p);
    return out;
}

namespace {
template <class T>
const T* find_by_id(const std::vector<T>& items, std::string_view id) {
    for (const T& item : items)
        if (item.id == id) return &item;
    return nullptr;
}
}  // namespace

std::optional<long> parse_day(std::string_view t) {
    auto digits = [&](size_t at, size_t n) {
        long v = 0;
        for (size_t i = at; i < at + n; ++i) {
            if (t[i] < '0' || t[i] > '9') return -1L;
            v = v * 10 + (t[i] - '0');
        }
        return v;
    };
    if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
    const long y = digits(0, 4), m = digits(5, 2), d = digits(8, 2);
    if (y < 1970 || m < 1 || m > 12 || d < 1) return std::nullopt;
    auto leap = [](long year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; };
    const int month_days[] = {31, leap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (d > month_days[m - 1]) return std::nullopt;
    // Days before the year, then the month, then the day (Gregorian, from 1970).
    long days = 0;
    for (long year = 1970; year < y; ++year) days += leap(year) ? 366 : 365;
    for (long month = 1; month < m; ++month) days += month_days[month - 1];
    return days + d - 1;
}

const Model* Catalog::model(std::string_view id) const { return find_by_id(models, id); }
const Device* Catalog::device(std::string_view id) const { return find_by_id(devices, id); }
const Quant* Catalog::quant(std::string_view id) const { return find_by_id(quants, id); }
const Workload* Catalog::workload(std::string_view id) const { return find_by_id(workloads, id); }
const Mode* Catalog::mode(std::string_view id) const { return find_by_id(modes, id); }

const Availability* Catalog::availability_of(std::string_view model_id) const {
    for (const Availability& a : availability)
        if (a.model == model_id) return &a;
    return nullptr;
}

const RuntimeSupport* Availability::runtime(std::string_view id) const {
    for (const RuntimeSupport& s : runtimes)
        if (s.runtime == id) return &s;
    return nullptr;
}

const Download* Availability::download(std::string_view format, std::string_view quant) const {
    for (const Download& d : downloads)
        if (d.format == format && d.quant == quant) return &d;
    return nullptr;
}

bool known_backend(std::string_view backend) {
    for (std::string_view b : kBackends)
        if (b == backend) return true;
    return false;
}

std::string_view to_string(DeviceKind kind) {
    switch (kind) {
        case DeviceKind::DiscreteGpu: return "discrete_gpu";
        case DeviceKind::DatacenterGpu: return "datacenter_gpu";
        case DeviceKind::Unified: return "unified";
        case DeviceKind::Cpu: return "cpu";
    }
    return "unknown";
}

std::string_view to_string(AttentionKind kind) {
    switch (kind) {
        case AttentionKind::Mha: return "mha";
        case AttentionKind::Gqa: return "gqa";
        case AttentionKind::Mla: return "mla";
    }
    return "unknown";
}

}  // namespace runwell

namespace runwell {

const BackendFit& Calibration::backend(std::string_view id) const {
    if (auto it = backends.find(std::string(id)); it != backends.end()) return it->second;
    // An unmeasured backend is taken as its nearest measured sibling: the other runtime on
    // the same GPUs (MLX/Metal), or the other portable/vendor path (SYCL and CUDA -> Vulkan,
    // ROCm <-> Vulkan).
    static const std::map<std::string_view, std::vector<std::string>> siblings = {
        {"mlx", {"metal"}}, {"metal", {"mlx"}}, {"sycl", {"vulkan", "rocm"}}, {"rocm", {"vulkan"}},
        {"vulkan", {"rocm", "cuda"}}, {"cuda", {"vulkan", "rocm"}}};
    if (auto s = siblings.find(id); s != siblings.end())
        for (const std::string& other : s->second)
            if (auto it = backends.find(other); it != backends.end()) return it->second;
    static const BackendFit neutral;
    return neutral;
}

double Calibration::prefill_kernel_factor(std::string_view kernel) const {
    auto it = prefill_kernel_factors.find(std::string(kernel));
    return it == prefill_kernel_factors.end() ? 1.0 : it->second;  // unmeasured: as K-quants
}

double ServingFit::compute_factor(std::string_view format) const {
    auto it = format_compute_factors.find(std::string(format));
    return it == format_compute_factors.end() ? 1.0 : it->second;  // unmeasured: as CUDA's kernels
}

namespace {
// A layer kind's factor; an unmeasured kind: KDA runs on llama.cpp's shared delta-net code (#19668),
// so it costs at least a gated-delta layer; Mamba2 and short convolutions use long-fused ops
// (ssm_scan, ssm_conv) and cost no more than a plain layer.
double linear_factor(const std::map<std::string, double>& factors, std::string_view kind) {
    if (auto it = factors.find(std::string(kind)); it != factors.end()) return it->second;
    if (kind == "kda")
        if (auto it = factors.find("gated_delta"); it != factors.end()) return it->second;
    return 0;
}
}  // namespace

double Calibration::linear_layer_factor(std::string_view kind) const { return linear_factor(linear_layer_factors, kind); }
double Calibration::linear_prefill_us_of(std::string_view kind) const { return linear_factor(linear_prefill_us, kind); }

ErrorBand Calibration::band(std::string_view quantity, std::string_view arch, std::string_view backend) const {
    auto find = [&](std::string_view a, std::string_view b) -> const ErrorBand* {
        for (const ErrorBand& e : bands)
            if (e.quantity == quantity && e.arch == a && e.backend == b) return &e;
        return nullptr;
    };
    const ErrorBand* exact = find(arch, backend);
    auto enough = [](const ErrorBand* e) { return e && !e->thin(); };
    if (enough(exact)) return *exact;
    // Too few rows of this class: the widest of its own rows' band and its two parent classes',
    // so thin evidence never narrows the band.
    ErrorBand out;
    out.quantity = std::string(quantity);
    out.arch = std::string(arch);
    out.backend = std::string(backend);
    out.rows = exact ? exact->rows : 0;
    out.sources = exact ? exact->sources : 0;
    out.pct = exact ? exact->pct : 0;
    bool parent_found = false;
    // A layer kind's class ("hybrid/kda") has its architecture's class as a parent too.
    const std::string_view base = arch.substr(0, arch.find('/'));
    for (const ErrorBand* parent : {find(arch, "*"), find("*", backend), base != arch ? find(base, backend) : nullptr})
        if (enough(parent)) {
            out.pct = std::max(out.pct, parent->pct);
            parent_found = true;
        }
    if (!parent_found)
        if (const ErrorBand* all = find("*", "*")) out.pct = std::max(out.pct, all->pct);
    return out;
}

}  // namespace runwell
