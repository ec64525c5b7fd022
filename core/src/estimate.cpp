#include "runwell/estimate.hpp"

#include <algorithm>
#include <cmath>

#include "runwell/calibration.hpp"

namespace runwell {

using calibration::kGiB;

std::string_view to_string(KvType kv) {
    switch (kv) {
        case KvType::F16: return "f16";
        case KvType::Q8_0: return "q8_0";
        case KvType::Q4_0: return "q4_0";
    }
    return "f16";
}

std::string_view to_string(Fit fit) {
    switch (fit) {
        case Fit::RunsWell: return "runs_well";
        case Fit::Tight: return "tight";
        case Fit::Offload: return "offload";
        case Fit::WontRun: return "wont_run";
    }
    return "wont_run";
}

std::string_view to_string(OffloadKind kind) {
    switch (kind) {
        case OffloadKind::None: return "none";
        case OffloadKind::Experts: return "experts";
        case OffloadKind::Layers: return "layers";
    }
    return "none";
}

namespace {
// Bytes per cached element relative to f16: llama.cpp blocks of 32 carry an
// f16 scale, so q8_0 is 8.5 bits and q4_0 4.5 bits (ggml-common.h).
double kv_scale(KvType kv) {
    switch (kv) {
        case KvType::Q8_0: return 8.5 / 16.0;
        case KvType::Q4_0: return 4.5 / 16.0;
        default: return 1.0;
    }
}

double embedding_params(const Model& m) { return static_cast<double>(m.vocab) * m.hidden; }
double output_params(const Model& m) { return m.tied_embeddings ? 0.0 : embedding_params(m); }

// Parameters in the repeating layers (everything but the embedding table and output head).
double body_params(const Model& m) {
    return std::max(m.params_b * 1e9 - embedding_params(m) - output_params(m), 0.5 * m.params_b * 1e9);
}

// Per-token cache bytes of one layer at f16.
double layer_kv_bytes(const Attention& a, int kv_heads, int head_dim) {
    if (a.kind == AttentionKind::Mla) return (a.kv_lora_rank + a.rope_dim) * 2.0;  // latent c_kv + k_rope
    return 2.0 * kv_heads * head_dim * 2.0;  // K and V
}

double window_kv_bytes_per_token(const Model& m) {
    const Attention& a = m.attention;
    if (a.window_layers == 0) return 0;
    int kvh = a.window_kv_heads ? a.window_kv_heads : a.kv_heads;
    int hd = a.window_head_dim ? a.window_head_dim : a.head_dim;
    return a.window_layers * layer_kv_bytes(a, kvh, hd);
}

}  // namespace

double recurrent_state_bytes(const Model& m) { return m.attention.linear_state_mib * 1024.0 * 1024.0; }

double routed_expert_params_b(const Model& m) {
    if (!m.moe || m.moe->experts <= m.moe->active_experts) return 0;
    if (m.moe->expert_params_b > 0) return m.moe->expert_params_b;
    // total = shared + routed, active = shared + routed * k/E  =>  routed = (total - active) / (1 - k/E)
    double k_over_e = static_cast<double>(m.moe->active_experts) / m.moe->experts;
    double routed = (m.params_b - m.active_params_b) / (1.0 - k_over_e);
    return std::clamp(routed, 0.0, body_params(m) / 1e9);
}

double sixteen_bit_active_params(const Model& m, const Quant& q) {
    if (!q.rest_in_16_bits || !m.moe || m.moe->experts <= 0) return 0;
    const double routed_per_token = routed_expert_params_b(m) * 1e9 * m.moe->active_experts / m.moe->experts;
    return std::max(0.0, m.active_params_b * 1e9 - routed_per_token);
}

double expert_weight_bytes(const Model& m, const Quant& q) {
    return routed_expert_params_b(m) * 1e9 * q.bpw_body / 8.0;
}

// A tied table is also the output head, and llama-quantize gives it the output head's type
// (llama_tensor_get_type: token_embd without output.weight is quantized as the output).
double embedding_bits(const Model& m, const Quant& q) { return m.tied_embeddings ? q.bpw_output : q.bpw_embed; }

double weight_bytes(const Model& m, const Quant& q) {
    double embed = embedding_params(m) * embedding_bits(m, q);
    double output = output_params(m) * q.bpw_output;
    double body = body_params(m);
    if (q.experts_only) {
        double experts = routed_expert_params_b(m) * 1e9;
        return (embed + output + experts * q.bpw_body + (body - experts) * q.bpw_output) / 8.0;
    }
    return (embed + output + body * q.bpw_body) / 8.0;
}

namespace {
// Each sequence picks k of E experts per layer; N sequences touch 1 - (1 - k/E)^N
// of them (independent routing). 1 for dense models: every weight is read.
double touched_expert_share(const Model& m, int concurrency) {
    if (!m.moe || m.moe->experts == 0) return 1.0;
    double k_over_e = static_cast<double>(m.moe->active_experts) / m.moe->experts;
    return 1.0 - std::pow(1.0 - k_over_e, std::max(1, concurrency));
}
}  // namespace

double embedding_bytes(const Model& m, const Quant& q) { return embedding_params(m) * embedding_bits(m, q) / 8.0; }

double decode_weight_bytes(const Model& m, const Quant& q, int concurrency) {
    // The embedding table is a lookup (one row per token), not a full read; a tied table is
    // also the output head, which every token multiplies in full.
    double read = weight_bytes(m, q) - (m.tied_embeddings ? 0.0 : embedding_bytes(m, q));
    read -= expert_weight_bytes(m, q) * (1.0 - touched_expert_share(m, concurrency));
    return std::max(read, 0.0);
}

double kv_bytes_per_token(const Model& m, KvType kv) {
    const Attention& a = m.attention;
    return a.full_layers * layer_kv_bytes(a, a.kv_heads, a.head_dim) * kv_scale(kv);
}

double kv_cache_bytes(const Model& m, long tokens, KvType kv) {
    double t = static_cast<double>(std::max(0L, tokens));
    double windowed = window_kv_bytes_per_token(m) * std::min(t, static_cast<double>(m.attention.window)) * kv_scale(kv);
    return kv_bytes_per_token(m, kv) * t + windowed;
}

// Compute buffer of one micro-batch: logits for the batch plus activation
// scratch; fitted to llama.cpp logs (memory_obs: LLaMA-2-7B 73.7 MiB, 70B 148 MiB).
double compute_bytes(const Model& m, int tokens, int logit_rows) {
    return tokens * 4.0 * 6.0 * m.hidden + logit_rows * 4.0 * m.vocab / 2.0;
}

// Attention FLOPs of one token against `context` cached tokens (QK and PV products).
double attention_flops_at(const Model& m, double context) {
    const Attention& a = m.attention;
    int qk_dim = a.kind == AttentionKind::Mla ? a.kv_lora_rank + a.rope_dim : a.head_dim;
    return 4.0 * a.heads * qk_dim * (a.full_layers * context + a.window_layers * std::min(context, static_cast<double>(a.window)));
}

Memory memory_needed(const Setup& s) {
    const Model& m = *s.model;
    int n = std::max(1, s.concurrency);
    int gpus = card_count(s);
    Memory mem;
    mem.weights = weight_bytes(m, *s.quant) / kGiB;
    if (can_offload(*s.device)) {
        // llama.cpp keeps the token-embedding table in host RAM (a lookup, not a matmul):
        // its load logs show the GPU model buffer smaller than the file by exactly that table.
        // A tied table is the output head too, so the GPU holds a copy (a duplicated tensor).
        mem.host_weights = embedding_bytes(m, *s.quant) / kGiB;
        if (!m.tied_embeddings) mem.weights -= mem.host_weights;
    }
    mem.kv_cache = kv_cache_bytes(m, s.context, s.kv) * n / kGiB;
    mem.recurrent_state = recurrent_state_bytes(m) * n / kGiB;
    mem.compute = compute_bytes(m, s.ubatch, s.ubatch) * gpus / kGiB;  // llama.cpp keeps logits for the whole micro-batch
    mem.runtime = calibration::runtime_context_gib(s.device->backend) * gpus;
    return mem;
}

bool can_offload(const Device& d) {
    return d.kind == DeviceKind::DiscreteGpu || d.kind == DeviceKind::DatacenterGpu;
}

double usable_gib(const Device& d, int gpus) {
    if (d.usable_gib) return *d.usable_gib * std::max(1, gpus);
    double mem = d.memory_gib;
    double usable = 0;
    switch (d.kind) {
        case DeviceKind::DiscreteGpu:
        case DeviceKind::DatacenterGpu:
            // Driver-reserved VRAM (nvidia-smi totals run ~0.25-1 % under the nameplate GiB).
            usable = mem - std::max(0.25, 0.01 * mem);
            break;
        case DeviceKind::Unified:
            if (d.backend == "metal")
                // macOS recommendedMaxWorkingSetSize: 2/3 of RAM up to 36 GB, 3/4 above (catalog_notes.md §3).
                usable = mem * (mem <= 36 ? 2.0 / 3.0 : 0.75);
            else
                usable = mem - (mem >= 64 ? 8.0 : 4.0);  // OS + CPU processes share the pool
            break;
        case DeviceKind::Cpu:
            usable = mem - std::max(4.0, 0.1 * mem);
            break;
    }
    return std::max(0.0, usable) * (can_offload(d) ? std::max(1, gpus) : 1);
}

double usable_gib(const Setup& s) {
    // The setting can give the GPU all of RAM but what the OS needs to stay up (2 GiB).
    if (s.gpu_memory_gib > 0 && s.device->kind == DeviceKind::Unified) return std::min(s.gpu_memory_gib, s.device->memory_gib - 2.0);
    if (s.other_gpus.empty()) return usable_gib(*s.device, s.gpus);
    double total = 0;
    for (const Device* card : gpu_cards(s)) total += usable_gib(*card, 1);
    return total;
}

std::vector<const Device*> gpu_cards(const Setup& s) {
    std::vector<const Device*> cards;
    if (!s.other_gpus.empty()) {
        cards.push_back(s.device);
        cards.insert(cards.end(), s.other_gpus.begin(), s.other_gpus.end());
    } else {
        cards.assign(can_offload(*s.device) ? std::max(1, s.gpus) : 1, s.device);
    }
    return cards;
}

int card_count(const Setup& s) { return static_cast<int>(gpu_cards(s).size()); }

std::vector<double> layer_shares(const Setup& s) {
    std::vector<const Device*> cards = gpu_cards(s);
    std::vector<double> shares(cards.size());
    // By default in proportion to the memory each card has left after its own runtime and buffers.
    const Memory mem = memory_needed(s);
    const double own = (mem.compute + mem.runtime) / cards.size();
    double total = 0;
    for (size_t i = 0; i < cards.size(); ++i) {
        shares[i] = s.tensor_split.size() == cards.size() ? s.tensor_split[i] : std::max(0.05, usable_gib(*cards[i], 1) - own);
        total += shares[i];
    }
    for (double& v : shares) v = total > 0 ? v / total : 1.0 / shares.size();
    return shares;
}

Setup on_card(const Setup& s, const Device& card) {
    Setup t = s;
    t.device = &card;
    t.gpus = 1;
    t.other_gpus.clear();
    t.tensor_split.clear();
    return t;
}

double overcommit_limit_gib(const Device& d) {
    // Metal lets a process exceed recommendedMaxWorkingSetSize (llama.cpp warns and
    // runs; measured e.g. LLaMA-2-7B F16 on a 16 GB M4); past RAM less the OS it swaps.
    if (d.kind == DeviceKind::Unified && d.backend == "metal" && !d.usable_gib)
        return d.memory_gib - std::max(4.0, 0.1 * d.memory_gib);
    return usable_gib(d, 1);
}

double default_host_ram_gib(const Device& d) {
    switch (d.kind) {
        case DeviceKind::DiscreteGpu: return 32;
        case DeviceKind::DatacenterGpu: return 256;
        default: return 0;  // unified memory and CPUs have no second pool
    }
}

double default_host_bandwidth_gbs(const Device& d) {
    // Dual-channel DDR5-5600 desktop vs 8-channel DDR5-4800 server (theoretical peak).
    return d.kind == DeviceKind::DatacenterGpu ? 307.2 : 89.6;
}

namespace {
struct Resolved {
    double host_ram, host_bw;
};
Resolved resolve_host(const Setup& s) {
    return {s.host_ram_gib >= 0 ? s.host_ram_gib : default_host_ram_gib(*s.device),
            s.host_bandwidth_gbs > 0 ? s.host_bandwidth_gbs : default_host_bandwidth_gbs(*s.device)};
}

// Where the weights go when they do not fit: MoE experts first (attention and
// shared weights stay on the GPU, llama.cpp --n-cpu-moe), else whole layers (-ngl).
Placement place(const Setup& s, const Memory& mem, double usable) {
    Placement p;
    const Model& m = *s.model;
    const double weights = mem.weights;
    const double experts = expert_weight_bytes(m, *s.quant) / kGiB;
    // A CPU layer takes its weights and its cache with it.
    const double layer_weights = weights / m.layers;
    const double layer_cache = (mem.kv_cache + mem.recurrent_state) / m.layers;
    double excess = mem.total() - usable;
    // Layers needed to move `bytes` at `per_layer` each, as a count in [0, layers] (the ratio
    // can be astronomically large or NaN for absurd inputs: clamp before converting).
    auto layers_for = [&](double bytes, double per_layer) {
        double n = per_layer > 0 ? std::ceil(bytes / per_layer) : static_cast<double>(m.layers);
        return std::isfinite(n) ? static_cast<int>(std::clamp(n, 0.0, static_cast<double>(m.layers))) : m.layers;
    };
    int cpu_layers = 0, cpu_moe = 0;
    if (s.gpu_layers >= 0 && s.gpu_layers < m.layers) {
        cpu_layers = m.layers - s.gpu_layers;
    } else if (s.cpu_moe_layers > 0 && experts > 0) {
        cpu_moe = std::min(m.layers, s.cpu_moe_layers);
    } else if (excess > 0 && can_offload(*s.device)) {
        if (experts > 0 && excess <= experts * 0.98)
            cpu_moe = layers_for(excess, experts / m.layers);
        else
            cpu_layers = layers_for(excess, layer_weights + layer_cache);
    }
    if (cpu_moe > 0) {
        p.kind = OffloadKind::Experts;
        p.cpu_expert_layers = cpu_moe;
        p.cpu_weight_gib = experts * cpu_moe / m.layers;
    } else if (cpu_layers > 0) {
        p.kind = OffloadKind::Layers;
        p.cpu_weight_gib = cpu_layers * layer_weights;
        p.cpu_cache_gib = cpu_layers * layer_cache;
    }
    p.gpu_layers = m.layers - cpu_layers;
    p.offload_fraction = std::clamp(p.cpu_weight_gib / std::max(weights, 1e-9), 0.0, 1.0);
    if (p.kind != OffloadKind::None)
        p.host_ram_needed_gib = p.cpu_weight_gib + p.cpu_cache_gib + mem.host_weights + calibration::kHostReserveGib;
    return p;
}
}  // namespace

Estimate estimate_fit(const Setup& s) {
    Estimate e;
    e.memory = memory_needed(s);
    e.usable_gib = usable_gib(s);
    Resolved host = resolve_host(s);
    e.host_usable_gib = can_offload(*s.device) ? host.host_ram : 0;
    e.placement = place(s, e.memory, e.usable_gib);
    double on_device = e.memory.total() - e.placement.cpu_weight_gib - e.placement.cpu_cache_gib;
    if (e.placement.kind != OffloadKind::None)
        e.fit = (on_device <= e.usable_gib && e.placement.host_ram_needed_gib <= host.host_ram && e.placement.gpu_layers > 0)
                    ? Fit::Offload : Fit::WontRun;
    else if (on_device <= e.usable_gib * calibration::kRunsWellShare) e.fit = Fit::RunsWell;
    else if (on_device <= e.usable_gib) e.fit = Fit::Tight;
    else if (s.gpu_memory_gib <= 0 && on_device <= overcommit_limit_gib(*s.device)) {  // a set limit is the limit
        e.fit = Fit::Tight;  // past the macOS working-set limit: runs, slowly, unless the limit is raised
        e.over_working_set = true;
    } else e.fit = Fit::WontRun;

    // Memory grows monotonically with context, so bisect for the largest one within a budget.
    auto largest_context = [&](double budget, double host_budget) -> long {
        auto fits_at = [&](long ctx) {
            Setup t = s;
            t.context = ctx;
            Memory mt = memory_needed(t);
            if (host_budget <= 0) return mt.total() <= budget;
            // With offload every part may go to the host except the compute buffers and runtime.
            return mt.total() <= budget + host_budget - mt.host_weights;
        };
        long lo = 0, hi = s.model->max_context;
        if (fits_at(hi)) return hi;
        if (!fits_at(256)) return 0;
        lo = 256;
        while (hi - lo > 256) {
            long mid = lo + (hi - lo) / 2;
            (fits_at(mid) ? lo : hi) = mid;
        }
        return lo;
    };
    // Safe context: on the device alone, keeping 10 % headroom (monotone in the device's memory).
    e.safe_context = largest_context(e.usable_gib * calibration::kSafeContextShare, 0);
    // Any setup that runs on a device with host RAM can hold more context there (slowly); it is
    // the room a grade counts, so a device with more memory never has less of it.
    if (e.fit != Fit::WontRun && e.host_usable_gib > 0 && e.safe_context < s.model->max_context)
        e.offload_context = largest_context(e.usable_gib * calibration::kSafeContextShare,
                                            (host.host_ram - calibration::kHostReserveGib) * calibration::kSafeContextShare);
    return e;
}

const Calibration& calibration_of(const Setup& s) {
    static const Calibration neutral;  // only for a Setup built without a catalog: no fitted effects
    return s.calibration ? *s.calibration : neutral;
}

std::string_view runtime_backend(const Setup& s) {
    if (s.quant && s.quant->family == "mlx" && s.device->backend == "metal") return "mlx";
    return s.device->backend;
}

std::string_view prefill_kernel(const Quant& q) {
    if (q.family == "mlx") return "mlx";
    if (q.family == "fp" || q.id == "F16" || q.id == "BF16") return "float";  // BLAS-class kernels on the tensor cores
    if (q.id == "MXFP4") return "mxfp4";
    if (q.id == "Q4_0" || q.id == "Q8_0") return "legacy";  // llama.cpp's simplest block formats
    return "kquant";                                           // K- and I-quants: super-blocks with sub-scales
}

std::string band_class(const Model& m) {
    if (m.attention.linear_layers > 0) return "hybrid/" + m.attention.linear_kind;
    return std::string(architecture_class(m));
}

std::string_view architecture_class(const Model& m) {
    if (m.attention.linear_layers > 0) return "hybrid";
    return m.moe ? "moe" : "dense";
}

double moe_batch_factor(const Setup& s, double tokens) {
    const Model& m = *s.model;
    if (!m.moe || m.moe->experts == 0) return 1.0;
    // Only the experts the tokens were routed to run, each padding its tokens to the kernel's tile: a
    // few decoding sequences touch a few experts, not all of them.
    const double n = std::max(1.0, tokens);
    const double touched = m.moe->experts * touched_expert_share(m, static_cast<int>(std::min(n, 1e6)));
    const double tokens_per_expert = n * m.moe->active_experts / touched;
    return 1.0 + calibration_of(s).moe_expert_tokens / tokens_per_expert;
}

double moe_prefill_factor(const Setup& s) { return moe_batch_factor(s, std::max(1, s.ubatch)); }

bool has_hbm(const Device& d) { return d.memory_type.rfind("HBM", 0) == 0; }

double achieved_bandwidth_gbs(const Setup& s) {
    const Calibration& c = calibration_of(s);
    const Device& d = *s.device;
    // HBM's many wide, slower channels need more requests in flight than one decode stream's
    // matrix-vector kernels keep: a share of its nameplate stays out of reach.
    double memory = has_hbm(d) ? c.hbm_bandwidth_factor : 1.0;
    return d.bandwidth_gbs * c.backend(runtime_backend(s)).bandwidth_efficiency * memory / (1.0 + d.bandwidth_gbs / c.bandwidth_saturation_gbs);
}

double achieved_tflops(const Setup& s) {
    const Calibration& c = calibration_of(s);
    const Device& d = *s.device;
    double peak = d.accelerated_fp16_tflops > 0 ? d.accelerated_fp16_tflops : d.fp16_tflops;
    return peak * c.backend(runtime_backend(s)).prefill_efficiency / (1.0 + peak / c.compute_saturation_tflops);
}

double kernel_token_tile(std::string_view backend) {
    // CUDA: the quantized matmul (mmq.cuh, get_mmq_x_max_host) takes 128 tokens per tile on GPUs with
    // Turing-or-newer tensor cores (64 on Volta/Pascal's dp4a path, a minority left at 128).
    if (backend == "cuda") return 128;
    // Metal: kernel_mul_mm's threadgroup covers 64 weight rows x 32 tokens (BLOCK_SIZE_N 32).
    if (backend == "metal") return 32;
    // ROCm (MMQ or rocBLAS/hipBLASLt by type and size), Vulkan (warp tiles chosen per device), MLX
    // and the CPU have no single tile.
    return 0;
}

double prefill_streamed_bytes_per_token(const Setup& s, int ubatch) {
    const Model& m = *s.model;
    const double tile = calibration_of(s).backend(runtime_backend(s)).prefill_token_tile;
    double touched = decode_weight_bytes(m, *s.quant, ubatch);
    double experts = m.moe ? expert_weight_bytes(m, *s.quant) * touched_expert_share(m, ubatch) : 0.0;
    double tokens_per_expert = m.moe && m.moe->experts ? static_cast<double>(ubatch) * m.moe->active_experts / m.moe->experts : 0.0;
    // Shared weights see every token of the micro-batch; a routed expert only the tokens sent to it.
    return (touched - experts) / std::min<double>(ubatch, tile) + experts / ubatch * std::max(1.0, tokens_per_expert / tile);
}

double layer_overhead_s(const Setup& s) {
    const Calibration& c = calibration_of(s);
    // Per-layer cost is launches plus many tiny kernels whose run time follows the device's
    // speed: scaled from a 1000 GB/s reference by (1000 / bandwidth)^exponent.
    double scale = std::pow(1000.0 / std::max(1.0, s.device->bandwidth_gbs), c.overhead_bandwidth_exponent);
    return c.backend(runtime_backend(s)).layer_overhead_us * 1e-6 * scale;
}

Speed speed(const Setup& s, const Estimate& e, long prompt_tokens, long depth) {
    Speed out;
    if (e.fit == Fit::WontRun) return out;
    const Model& m = *s.model;
    const Device& d = *s.device;
    const Calibration& cal = calibration_of(s);
    const BackendFit& k = cal.backend(runtime_backend(s));
    int n = std::max(1, s.concurrency);
    Resolved host = resolve_host(s);
    // Each looks up the backend's constants: computed once per call (runwell fit calls this millions of times).
    double bandwidth = achieved_bandwidth_gbs(s) * 1e9, flops_rate = achieved_tflops(s) * 1e12;
    // Prefill's large matmuls stream weights at the memory's nameplate rate, not a decode step's.
    double stream_bandwidth = d.bandwidth_gbs * 1e9;
    double layer_overhead = layer_overhead_s(s);
    if (!s.other_gpus.empty()) {
        // A layer split runs the cards one after another: each card's share of the work at its own speed.
        double seconds_per_byte = 0, seconds_per_flop = 0, seconds_per_streamed_byte = 0;
        layer_overhead = 0;
        std::vector<const Device*> cards = gpu_cards(s);
        std::vector<double> shares = layer_shares(s);
        for (size_t i = 0; i < cards.size(); ++i) {
            Setup card = on_card(s, *cards[i]);
            seconds_per_byte += shares[i] / (achieved_bandwidth_gbs(card) * 1e9);
            seconds_per_streamed_byte += shares[i] / (cards[i]->bandwidth_gbs * 1e9);
            seconds_per_flop += shares[i] / (achieved_tflops(card) * 1e12);
            layer_overhead += shares[i] * layer_overhead_s(card);
        }
        bandwidth = 1.0 / seconds_per_byte;
        stream_bandwidth = 1.0 / seconds_per_streamed_byte;
        flops_rate = 1.0 / seconds_per_flop;
    }

    // Decode: one step reads the active weights and each sequence's cache.
    double weights_read = decode_weight_bytes(m, *s.quant, n);
    double kv_read = (kv_cache_bytes(m, depth, s.kv) + recurrent_state_bytes(m)) * n;
    // Host RAM serves what the CPU-side part reads: whole layers (weights and cache) for a
    // layer split; for an expert split only the routed experts a step touches.
    double cpu_bytes = 0;
    if (e.placement.kind == OffloadKind::Layers) {
        double share = 1.0 - static_cast<double>(e.placement.gpu_layers) / m.layers;
        cpu_bytes = (weights_read + kv_read) * share;
    } else if (e.placement.kind == OffloadKind::Experts) {
        cpu_bytes = e.placement.cpu_weight_gib * kGiB * touched_expert_share(m, n);
    }
    double gpu_bytes = weights_read + kv_read - cpu_bytes;
    double t_mem = gpu_bytes / bandwidth;
    if (cpu_bytes > 0) t_mem += cpu_bytes / (host.host_bw * 1e9 * cal.host_bandwidth_efficiency);
    double active_flops = 2.0 * m.active_params_b * 1e9;
    double t_compute = n * active_flops / flops_rate;
    // Fixed cost per step: every layer launches its kernels; an MoE layer adds routing and
    // gathers, a linear-attention/SSM layer its many small recurrent-state ops (llama.cpp
    // delta-net graph: ~12-15 ops per layer unfused, one fused op since #19504, plus convs and gates).
    out.layer_units = m.layers + (m.moe ? cal.moe_layer_factor * m.layers : 0.0) +
                      cal.linear_layer_factor(m.attention.linear_kind) * m.attention.linear_layers;
    double hops = (card_count(s) - 1) * k.gpu_hop_ms * 1e-3;
    out.gpu_bytes = gpu_bytes;
    out.cpu_bytes = cpu_bytes;
    out.fixed_s = out.layer_units * layer_overhead + hops;
    // Attention over the cached context is compute on top of the weight reads (its own kernels):
    // small for GQA, large for MLA's absorbed heads at long context.
    // Each sequence attends over its own cache: n of them per step.
    out.decode_attention_s = n * attention_flops_at(m, static_cast<double>(depth)) * cal.attention_flops_weight / flops_rate;
    double t_step = std::max(t_mem, t_compute) + out.decode_attention_s + out.fixed_s;
    out.decode_tps = 1.0 / t_step;
    out.aggregate_tps = n / t_step;

    // Prefill: compute-bound matrix work, attention growing with the prompt.
    double attn = attention_flops_at(m, depth + prompt_tokens / 2.0);
    out.weight_flops = active_flops;
    out.attention_flops = attn;
    double cost = active_flops * moe_prefill_factor(s) + attn * cal.attention_flops_weight;
    const int ubatch = std::max(1, s.ubatch);
    // Offloaded weights cross the host link once per micro-batch.
    if (e.placement.cpu_weight_gib > 0 && d.host_link_gbs > 0)
        out.transfer_s = e.placement.cpu_weight_gib * kGiB / (d.host_link_gbs * 1e9) / ubatch;
    // Each micro-batch streams the weights it touches once (at ubatch tokens nearly every expert)
    // and launches every layer's kernels once: per token, both divided by the micro-batch.
    out.prefill_weight_stream_s = prefill_streamed_bytes_per_token(s, ubatch) / stream_bandwidth;
    out.prefill_compute_s = cost / (flops_rate * cal.prefill_kernel_factor(prefill_kernel(*s.quant)));
    // A linear-attention layer's recurrence walks the prompt token by token: paid per token, not per micro-batch.
    out.linear_prefill_s = m.attention.linear_layers * cal.linear_prefill_us_of(m.attention.linear_kind) * 1e-6;
    // The matmuls wait for their weight tiles in part: stream and compute add up (fitted on the
    // prompt measurements, the sum beats the roofline's max, in sample 16.1 -> 14.5 %).
    double t_token = out.prefill_compute_s + out.prefill_weight_stream_s + out.layer_units * layer_overhead / ubatch +
                     out.linear_prefill_s + out.transfer_s;
    out.prefill_tps = 1.0 / t_token;
    // The user's own measurement of this device, when they keep one, rescales what it measured.
    out.decode_tps *= s.decode_scale;
    out.aggregate_tps *= s.decode_scale;
    out.prefill_tps *= s.prefill_scale;
    out.ttft_s = prompt_tokens / out.prefill_tps + calibration::kFirstTokenLatencyS;
    return out;
}

}  // namespace runwell
