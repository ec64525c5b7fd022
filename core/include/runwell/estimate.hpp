// The physics: memory needed, where the weights live, how fast tokens come.
// Every function is pure and no-throw; the inputs are validated catalog types.
#pragma once
#include <algorithm>
#include <string>
#include <vector>

#include "runwell/catalog.hpp"

namespace runwell {

enum class KvType { F16, Q8_0, Q4_0 };
enum class Fit { RunsWell, Tight, Offload, WontRun };
enum class OffloadKind { None, Experts, Layers };

std::string_view to_string(KvType kv);
inline constexpr KvType kKvTypes[] = {KvType::F16, KvType::Q8_0, KvType::Q4_0};  // f16 first: the default
std::string_view to_string(Fit fit);
std::string_view to_string(OffloadKind kind);

// One configuration to estimate.
struct Setup {
    const Calibration* calibration = nullptr;  // the catalog's fitted constants (or trial ones while fitting)
    const Model* model = nullptr;
    const Device* device = nullptr;
    const Quant* quant = nullptr;
    long context = 8192;          // tokens allocated per sequence (llama.cpp n_ctx)
    int gpus = 1;                 // identical devices, llama.cpp layer split
    int tensor_parallel = 0;      // batched engines: GPUs per model copy (0 = all of them); the rest are replicas
    // Mixed GPUs: the other cards beside `device` (one each, same backend; `gpus` is then 1). llama.cpp
    // splits the layers in proportion to `tensor_split` (one share per card, `device` first) or, by
    // default, to each card's memory.
    std::vector<const Device*> other_gpus;
    std::vector<double> tensor_split;
    // A personal calibration (the user's own llama-bench against this estimate, kept in their
    // browser): measured / estimated, multiplying decode and prompt speed. 1 = none.
    double decode_scale = 1, prefill_scale = 1;
    double host_ram_gib = -1;     // system RAM free for offload (GPUs); 0 = none; negative = the kind's default
    double host_bandwidth_gbs = 0;  // system RAM bandwidth; 0 = kind default
    // Unified memory: the share of RAM the OS/driver lets the GPU map, as the user set it (Linux
    // ttm.pages_limit, Windows Variable Graphics Memory, macOS iogpu.wired_limit_mb); 0 = the device rule.
    double gpu_memory_gib = 0;
    KvType kv = KvType::F16;
    int concurrency = 1;          // sequences decoded together
    int gpu_layers = -1;          // force llama.cpp -ngl (layers on the GPU); -1 = automatic
    int cpu_moe_layers = -1;      // force --n-cpu-moe (layers whose experts stay in host RAM); -1 = automatic
    int ubatch = calibration::kDefaultUbatch;  // llama.cpp -ub: prompt tokens per micro-batch
    // The day the engines run (days since 1970-01-01): a model's age then sets how far its batched-engine
    // kernels have been tuned (young_kernel_factor). Requests get the catalog's day or their "as_of";
    // 0 takes every model's kernels as mature.
    long as_of_day = 0;
};

// Memory needed on the device, GiB.
struct Memory {
    double weights = 0;          // quantized weights resident on the device
    double host_weights = 0;     // token-embedding table kept in host RAM (discrete GPUs)
    double kv_cache = 0;         // K/V (or MLA latent) cache for `context` x concurrency
    double recurrent_state = 0;  // linear-attention / SSM state, fixed per sequence
    double compute = 0;          // activation scratch for one micro-batch
    double runtime = 0;          // driver/runtime context
    double total() const { return weights + kv_cache + recurrent_state + compute + runtime; }  // on the device
};

struct Placement {
    OffloadKind kind = OffloadKind::None;
    double cpu_weight_gib = 0;      // weights kept in host RAM
    double cpu_cache_gib = 0;       // KV cache of the CPU layers (layer split)
    double offload_fraction = 0;    // of all weight bytes
    int gpu_layers = 0;             // -ngl for a layer split
    int cpu_expert_layers = 0;      // --n-cpu-moe for an expert split
    double host_ram_needed_gib = 0; // host RAM the offload needs, with the OS reserve
};

struct Speed {
    double decode_tps = 0;      // per sequence, at the given depth
    double aggregate_tps = 0;   // all sequences together
    double prefill_tps = 0;     // prompt processing
    double ttft_s = 0;          // prompt / prefill + fixed latency
    // The decode formula's terms, per step (so every figure can be explained and re-fitted):
    // step = max(gpu_bytes / (bandwidth x eff) + cpu_bytes / (host bandwidth x host eff), compute) + fixed
    double gpu_bytes = 0;       // bytes read from device memory per step
    double cpu_bytes = 0;       // bytes read from host memory per step (offload)
    double layer_units = 0;     // layers weighted by kind: 1 each, + MoE and linear-attention extras
    double fixed_s = 0;         // per-step overhead: layer units x per-layer cost + GPU hand-offs
    double weight_flops = 0;    // FLOPs per prompt token in weight matmuls (2 x active parameters)
    double attention_flops = 0; // FLOPs per prompt token in attention at the average depth
    double decode_attention_s = 0;  // per decode step: attention compute over the cached context
    double transfer_s = 0;      // per prompt token: offloaded weights over the host link, per micro-batch
    double prefill_compute_s = 0;        // per prompt token: matrix and attention FLOPs at the achieved rate
    double prefill_weight_stream_s = 0;  // per prompt token: the weights read once per token tile
    double linear_prefill_s = 0;         // per prompt token: linear-attention recurrences, token by token
};

struct Estimate {
    Memory memory;
    double usable_gib = 0;      // device memory the model may use (all GPUs)
    double host_usable_gib = 0; // host RAM available for offload
    Fit fit = Fit::WontRun;
    Placement placement;
    long safe_context = 0;      // largest context on the device alone with 10 % headroom (0: none)
    long offload_context = 0;   // with CPU offload: largest context host RAM allows too (0: no offload possible)
    bool over_working_set = false;  // Apple: above the Metal working-set limit but within RAM
    // The context this setup can actually use, spilling to host RAM where it can.
    long context_room() const { return fit == Fit::WontRun ? 0 : std::max(safe_context, offload_context); }
};

// ---- memory -------------------------------------------------------------
double routed_expert_params_b(const Model& m);
double weight_bytes(const Model& m, const Quant& q);
double expert_weight_bytes(const Model& m, const Quant& q);
// The parameters a token multiplies in 16 bits under a quant that keeps all but the experts there
// (Quant::rest_in_16_bits): everything a token passes through but the routed experts it is sent to. 0 otherwise.
double sixteen_bit_active_params(const Model& m, const Quant& q);
double embedding_bytes(const Model& m, const Quant& q);  // the token-embedding table
// Bytes of weights read to decode one step of `concurrency` sequences.
double decode_weight_bytes(const Model& m, const Quant& q, int concurrency);
double kv_bytes_per_token(const Model& m, KvType kv);  // unbounded layers only
double kv_cache_bytes(const Model& m, long tokens, KvType kv);  // all layers, one sequence
double recurrent_state_bytes(const Model& m);  // linear-attention/SSM state, one sequence
// Activation scratch of `tokens` tokens at once, with logits for `logit_rows` of them.
double compute_bytes(const Model& m, int tokens, int logit_rows);
double attention_flops_at(const Model& m, double context);  // one token against `context` cached tokens
Memory memory_needed(const Setup& s);
double usable_gib(const Device& d, int gpus);
double usable_gib(const Setup& s);  // the device rule, or the user's unified-memory setting
double overcommit_limit_gib(const Device& d);  // most a device can hold at all (Apple: past the working set)
double default_host_ram_gib(const Device& d);
double default_host_bandwidth_gbs(const Device& d);
bool can_offload(const Device& d);

// The cards of a setup, `device` first: `gpus` identical ones, or `device` and the other GPUs.
std::vector<const Device*> gpu_cards(const Setup& s);
int card_count(const Setup& s);
// Each card's share of the layers, summing to 1 (the tensor split, else each card's memory left
// after its runtime and buffers).
std::vector<double> layer_shares(const Setup& s);
// The same setup on one of its cards alone (that card's speeds and memory rule).
Setup on_card(const Setup& s, const Device& card);

// ---- placement and fit ----------------------------------------------------
Estimate estimate_fit(const Setup& s);

// ---- speed ----------------------------------------------------------------
const Calibration& calibration_of(const Setup& s);
// The runtime backend that executes the setup: the device's, or MLX for MLX weights on a Mac.
std::string_view runtime_backend(const Setup& s);
// What a single stream achieves of the device's peaks (data/calibration.json).
bool has_hbm(const Device& d);  // from the catalog's memory_type
double achieved_bandwidth_gbs(const Setup& s);
double achieved_tflops(const Setup& s);
// MoE matrix work on `tokens` tokens at once costs 1 + expert_tokens / (tokens per expert): each
// expert's small matmul is far from the device's peak. moe_prefill_factor: at one micro-batch.
double moe_batch_factor(const Setup& s, double tokens);
double moe_prefill_factor(const Setup& s);  // cost of small per-expert matmuls, 1 for dense
// Weight bytes one prompt token streams at a micro-batch of `ubatch` tokens (a pass per token tile).
double prefill_streamed_bytes_per_token(const Setup& s, int ubatch);
// Prompt tokens one weight tile serves in the backend's matmul kernel, where its code fixes it
// (a fact, not fitted); 0 where the kernel's choice varies (then runwell fit fits it).
double kernel_token_tile(std::string_view backend);
double layer_overhead_s(const Setup& s);  // fixed cost of one plain layer per decode step
// The architecture class results are reported by: dense, moe or hybrid (linear-attention/SSM layers).
std::string_view architecture_class(const Model& m);
// The class an error band is looked up by: dense, moe, or hybrid/<linear kind> (a Kimi KDA layer and a
// Qwen3-Next gated-delta layer run different kernels, so one kind's rows do not vouch for another's).
std::string band_class(const Model& m);
// The family of matrix kernels a prompt runs through for these weights: kquant, legacy, mxfp4, float, mlx.
std::string_view prefill_kernel(const Quant& q);
// `depth` = tokens already in the context when decoding.
Speed speed(const Setup& s, const Estimate& e, long prompt_tokens, long depth);

}  // namespace runwell
