// The estimator's constants. Fixed physical and policy constants are here with
// where they come from; the constants fitted to measurements live in
// data/calibration.json (loaded into `Calibration`), written by `runwell fit`
// through scripts/accuracy, with their provenance and out-of-sample error bands.
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace runwell {

namespace calibration {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// Fit thresholds: share of usable memory.
constexpr double kRunsWellShare = 0.85;  // below: room for the OS, browser, a longer chat
constexpr double kSafeContextShare = 0.90;  // safe context keeps 10 % headroom

// How fast a new model's batched-engine kernels catch up (ServingFit::young_kernel_slowdown fades as
// exp(-age / this)): two months, in which vLLM and SGLang ship two to four releases. Fitted with the rest on
// all serving rows it came out 57 days; fitted inside each leave-one-source-out fold it wandered from 30 to
// 180 days, traded against the bandwidth share (up to its bound of 1), and each user's speed out of sample
// went from 17 % to 21 %.
constexpr double kKernelTuningDays = 60;

// llama.cpp's default micro-batch (n_ubatch 512): it sizes the compute buffer, the offload
// transfer granularity and the tokens each MoE expert sees during prefill.
constexpr int kDefaultUbatch = 512;

// Host RAM that the OS and the runtime keep for themselves when offloading.
constexpr double kHostReserveGib = 4.0;

// Batched serving engines' defaults (vLLM EngineArgs, V1): the share of each GPU the engine takes
// (--gpu-memory-utilization 0.9), and the running-sequence and step-token limits, larger on GPUs of
// 70 GiB or more whose name does not contain "a100" (--max-num-seqs 1024 / 256, --max-num-batched-tokens
// 8192 / 2048 for the API server; vLLM tests/engine/test_arg_utils.py test_defaults_with_usage_context).
constexpr double kBatchedMemoryFraction = 0.90;
constexpr double kLargeGpuGib = 70.0;
constexpr int kBatchedSeqLimitLarge = 1024, kBatchedSeqLimit = 256;
constexpr int kBatchedTokensLarge = 8192, kBatchedTokens = 2048;
// What vLLM holds back from that share before its KV pool (V1's memory profile: "Available KV cache memory" =
// share - weights - torch peak - non-torch memory; the CUDA context lives in the other 10 %). The torch peak is
// the larger of the step's activations and the sampler's profile run: --max-num-seqs dummy requests sampled over
// the whole vocabulary (fp32 logits, their sorted copy and int64 indices...), 38.4-38.9 bytes a sequence and
// vocabulary entry in llm-d's 2026 vLLM logs on an H100 at 1024 sequences (Llama 3.1 8B 4.76 GiB, Qwen3 0.6B 5.56,
// gpt-oss-20b 7.38: measurements/memory/vllm_kv_pool.csv); non-torch memory (NCCL's buffers in a group) 0.13-0.14
// GiB on one GPU, 0.54-0.55 GiB per GPU of two.
constexpr double kSamplerBytesPerLogit = 38.5;
constexpr double kBatchedNonTorchGib = 0.14, kBatchedGroupNonTorchGib = 0.55;
// SGLang's defaults by the GPU's memory (python/sglang/srt/server_args.py, _handle_gpu_memory_settings):
// the prompt tokens of one prefill pass (--chunked-prefill-size) and the largest decode batch captured as a
// graph (--cuda-graph-max-bs); the share of memory for weights and KV pool (--mem-fraction-static) is what is
// left after 512 MiB, 1.5 MiB per chunk token (at least 2048), 2 MiB per graph batch and 1 GiB per 8 GPUs of
// the group, at least 10 GiB on GPUs over 60 GiB. Its request pool holds 2048 to 4096 requests
// (model_runner max_num_reqs): the KV pool, not that cap, limits the running requests.
struct SglangDefaults {
    int chunk_tokens = 0;
    int graph_batch = 0;
    double memory_fraction = 0;
};
inline SglangDefaults sglang_defaults(double memory_gib, int tp) {
    const double mib = memory_gib * 1024;
    SglangDefaults d;
    if (mib < 20 * 1024) d = {2048, 8};
    else if (mib < 35 * 1024) d = {2048, tp < 4 ? 24 : 80};
    else if (mib < 60 * 1024) d = {4096, tp < 4 ? 32 : 160};
    else if (mib < 160 * 1024) d = {8192, tp < 4 ? 256 : 512};
    else d = {16384, 512};
    double reserved_mib = 512 + (d.chunk_tokens > 2048 ? d.chunk_tokens : 2048) * 1.5 + d.graph_batch * 2 + tp / 8.0 * 1024;
    if (mib > 60 * 1024 && reserved_mib < 10 * 1024) reserved_mib = 10 * 1024;
    d.memory_fraction = (mib - reserved_mib) / mib;
    return d;
}
constexpr int kSglangRequestLimit = 2048;
// llama-server: prompt tokens per step (-b 2048) and the most parallel slots runwell plans (-np).
constexpr int kSlotsBatchTokens = 2048;
constexpr int kMaxSlots = 256;

// Fixed latency before the first token of a single stream (tokenizer, scheduling, first sampling); the
// batched engines fit their own (ServingFit::first_token_ms).
constexpr double kFirstTokenLatencyS = 0.05;

// Driver/runtime context per device (CUDA ~0.3 GiB with lazy loading, catalog_notes §4).
constexpr double runtime_context_gib(std::string_view backend) {
    if (backend == "cuda") return 0.30;
    if (backend == "rocm") return 0.55;
    if (backend == "vulkan" || backend == "sycl") return 0.40;
    if (backend == "metal" || backend == "mlx") return 0.25;
    return 0.10;  // cpu
}

// Grade policy: the grade never says more than the fit. A tight fit is at best A (score < 90);
// offloading costs 10 % of the score and is at best C (score < 65); grade_band() gives the letters.
constexpr double kTightScoreCap = 89.0;
constexpr double kOffloadScoreFactor = 0.9;
constexpr double kOffloadScoreCap = 64.0;

// Quality labels by KL divergence from the 16-bit model (quants.json kld, from llama.cpp's
// perplexity --kl-divergence tables): below each bound, the label.
struct QualityLabel { double kld_below; const char* label; };
inline constexpr QualityLabel kQualityLabels[] = {
    {0.0005, "Maximum"}, {0.003, "Very high"}, {0.015, "High"}, {0.05, "Medium"}, {0.25, "Low"}};
inline constexpr const char* kLowestQualityLabel = "Very low";

}  // namespace calibration

// What a runtime backend achieves of a device's peaks (fitted per backend).
struct BackendFit {
    double bandwidth_efficiency = 1;  // achieved / theoretical memory bandwidth while decoding
    double layer_overhead_us = 0;     // fixed cost per layer per decode step (kernel launches, sync)
    double prefill_efficiency = 1;    // achieved / dense FP16 matrix throughput while prefilling
    double gpu_hop_ms = 0;            // per extra GPU of a layer split, per decode step
    // Prefill matmuls stream each weight matrix once per tile of this many tokens: each backend's
    // kernels tile the batch their own way (CUDA's MMQ up to 128 tokens, Metal's mul_mm 32).
    double prefill_token_tile = kNoTile;
    static constexpr double kNoTile = 1e6;  // one pass per micro-batch
    int decode_rows = 0;              // measurements behind the fit (evidence)
    int prefill_rows = 0;
};

// What a batched serving engine (vLLM, SGLang, TensorRT-LLM) achieves of a device's peaks,
// fitted on published batched-serving measurements (measurements/serving/).
struct ServingFit {
    double bandwidth_efficiency = 0.8;  // achieved / theoretical memory bandwidth in a decode step
    double compute_efficiency = 0.5;    // achieved / dense matrix peak of the precision it runs
    double step_overhead_ms = 2;        // fixed cost of one scheduler step (sampling, scheduling, launches)
    // Added to a step for each GPU of a tensor-parallel group beyond the first: every worker process gets
    // the step's batch from the scheduler and reports back before the next step is formed.
    double group_step_overhead_ms = 0;
    // Added to a ROCm step for each of the model's layers: HIP replays a step's graph with more launch cost per
    // kernel than CUDA, and ROCm's paths fuse fewer of a layer's small operations.
    double rocm_layer_step_us = 0;
    double allreduce_step_latency_us = 2;  // fixed cost of each of a ring all-reduce's 2 (tp - 1) steps
    // A request's first token beyond its prompt's prefill and one step: the HTTP request, the tokenizer,
    // the scheduler's turn, the first sampling and its trip back to the client.
    double first_token_ms = 50;
    // Identical requests arriving together (Arrivals::Together): the share of the cohort's other
    // prompts a new one waits for on average. 0.5 if the cohort stayed in step (FIFO); runs drift apart as
    // answers end at different times. Fitted on such TTFTs only, after the speeds.
    double cohort_wait_share = 0.5;
    // A model's kernels in the batched engines start generic (Triton fallbacks, untuned MoE and attention
    // tiles) and are tuned over the months after its release: a step of a model `age` days old takes
    // 1 + young_kernel_slowdown * exp(-age / calibration::kKernelTuningDays) as long.
    double young_kernel_slowdown = 0;
    // The matmuls of a kernel family (matmul_kernels: the matrix format, ROCm's FP8 apart) reach this share of
    // compute_efficiency, BF16 and CUDA's FP8 being the reference: fp4 (of its 4x peak), rocm_fp8 (CDNA3's and
    // CDNA4's FP8, run by ROCm's own kernels). A family without rows stays at 1. ROCm's BF16 is left at CUDA's
    // share: fitted on one ROCm factor instead, the BF16 rows came out 1.6x too slow out of sample.
    std::map<std::string, double> format_compute_factors;
    double compute_factor(std::string_view format) const;
    int rows = 0;                       // measurements behind the fit
};

// Fewer out-of-sample rows or independent sources than these do not make a class's band of its
// own (Calibration::band widens it to a parent's; the result says the evidence is thin).
namespace calibration {
constexpr int kMinBandRows = 8, kMinBandSources = 3;
}

// Expected error of one class of results: the 80th percentile of |error| on
// measurements left out of the fit (cross-validated by source), rounded up.
struct ErrorBand {
    std::string quantity;  // one of kBandQuantities
    std::string arch;      // dense | moe | hybrid | hybrid/<linear kind> | * (any)
    std::string backend;   // cuda | rocm | vulkan | metal | mlx | sycl | cpu | * (any)
    int pct = 0;
    int rows = 0;          // out-of-sample rows of that class
    int sources = 0;       // and the independent sources they come from
    bool thin() const { return rows < calibration::kMinBandRows || sources < calibration::kMinBandSources; }
};

// The quantities runwell fit takes rows of: single-stream speeds and the serving model's figures.
inline constexpr const char* kFitQuantities[] = {"decode", "prefill", "serving_total_tps", "serving_user_tps", "serving_ttft"};
// The quantities an error band is kept for: the fitted ones, and llama.cpp's parallel slots (several
// sequences decoding at once), checked against their own measurements but never fitted.
inline constexpr const char* kBandQuantities[] = {"decode", "prefill", "serving_total_tps", "serving_user_tps", "serving_ttft", "slots_decode_tps"};
template <size_t N>
bool is_one_of(std::string_view q, const char* const (&list)[N]) {
    for (const char* k : list)
        if (q == k) return true;
    return false;
}
template <size_t N>
std::string one_of_text(const char* const (&list)[N]) {  // "a, b or c" for messages
    std::string out;
    for (size_t i = 0; i < N; ++i) out += (i == 0 ? "" : i + 1 == N ? " or " : ", ") + std::string(list[i]);
    return out;
}

// The keys each map of fitted factors takes; the loader refuses any other, so a family renamed in the code
// (CDNA3's fp8_fnuz share became rocm_fp8) cannot leave an old calibration's factor silently unused.
// Linear-attention and SSM layer kinds (Attention::linear_kind).
inline constexpr const char* kLinearKinds[] = {"gated_delta", "kda", "mamba2", "short_conv"};
// Prompt-kernel families with a factor of their own (prefill_kernel); K-quants are the reference and MLX
// weights run only on the mlx backend, whose own efficiency carries them.
inline constexpr const char* kFactoredPrefillKernels[] = {"float", "mxfp4", "legacy"};
// Batched engines' matmul kernel families with a compute share of their own (matmul_kernels); BF16 and CUDA's
// FP8 are the reference.
inline constexpr const char* kFactoredMatmulKernels[] = {"fp4", "rocm_fp8"};

struct Calibration {
    std::map<std::string, BackendFit> backends;  // by backend id; a missing one uses "vulkan"'s, then neutral
    double bandwidth_saturation_gbs = 1e9;   // a single stream cannot fill the widest memory systems
    double hbm_bandwidth_factor = 1;         // share of HBM bandwidth a decode stream reaches, relative to GDDR/LPDDR
    double compute_saturation_tflops = 1e9;  // quantized matmuls stay far from the largest tensor peaks
    double overhead_bandwidth_exponent = 0;  // per-layer cost scales as (1000 GB/s / bandwidth)^this
    double moe_layer_factor = 0;             // extra fixed cost of an MoE layer (router, gathers), x layer overhead
    // Extra fixed cost of a linear-attention/SSM layer, x layer overhead, by kind (a Kimi KDA
    // layer launches more small ops than a Qwen3-Next gated-delta layer: separate q/k/v
    // projections and convolutions, low-rank gates).
    std::map<std::string, double> linear_layer_factors;
    // Prefill of a linear-attention/SSM layer, microseconds per prompt token, by kind: the fused
    // delta-net kernel walks the prompt token by token (CUDA's has no chunked form yet, llama.cpp
    // #22967), a chain of dependent state updates whose time is latency, not bandwidth or FLOPs.
    std::map<std::string, double> linear_prefill_us;
    double host_bandwidth_efficiency = 1;    // offloaded weights multiplied on the CPU from host RAM
    double attention_flops_weight = 1;       // attention FLOPs relative to weight-matmul FLOPs in prefill
    double moe_expert_tokens = 0;            // MoE prefill: small per-expert matmuls cost 1 + this / tokens per expert
    int memory_band_pct = 1;                 // weights + cache at load vs llama.cpp logs
    // Prompt throughput of each kernel family relative to K-quants (1): dequantizing matmul kernels differ.
    std::map<std::string, double> prefill_kernel_factors;
    double prefill_kernel_factor(std::string_view kernel) const;
    ServingFit serving;
    std::vector<ErrorBand> bands;
    std::vector<std::string> provenance;     // what the constants were fitted on

    const BackendFit& backend(std::string_view id) const;
    double linear_layer_factor(std::string_view kind) const;  // an unfitted kind: gated_delta's
    double linear_prefill_us_of(std::string_view kind) const;  // likewise
    // The band of this class when it has enough out-of-sample rows, else the widest of its own
    // and its parents' (same architecture on any backend, any architecture on this backend, and for
    // a layer kind's class "hybrid/<kind>" the hybrid class on this backend).
    // `rows` is always the class's own out-of-sample evidence.
    ErrorBand band(std::string_view quantity, std::string_view arch, std::string_view backend) const;
};

}  // namespace runwell
