// Every empirical constant of the estimator, in one place, with where it
// comes from. scripts/accuracy re-derives the efficiencies from
// ../shared/reference/bench_calibration.csv; tests/test_accuracy.cpp pins them.
#pragma once
#include <string_view>

namespace runwell::calibration {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// Fit thresholds: share of usable memory.
constexpr double kRunsWellShare = 0.85;  // below: room for the OS, browser, a longer chat
constexpr double kSafeContextShare = 0.90;  // safe context keeps 10 % headroom

// llama.cpp micro-batch (n_ubatch default 512) sizes the compute buffer and the
// offload transfer granularity during prefill.
constexpr double kUbatch = 512;

// Host RAM that the OS and the runtime keep for themselves when offloading.
constexpr double kHostReserveGib = 4.0;

// Fixed latency before the first token (tokenizer, scheduling, first sampling).
constexpr double kFirstTokenLatencyS = 0.05;

struct BackendConstants {
    double bandwidth_efficiency;  // achieved / theoretical memory bandwidth while decoding
    double layer_overhead_us;     // fixed cost per layer per decode step (kernel launches, sync)
    double prefill_efficiency;    // achieved / dense FP16 matrix throughput while prefilling
    double runtime_gib;           // driver/runtime context per device (CUDA ~0.3 GiB with lazy loading, catalog_notes §4)
};

// Fitted by scripts/accuracy (least squares on log error over the bench rows of
// each backend); see docs/accuracy.md for the fit and its residuals.
constexpr BackendConstants backend_constants(std::string_view backend) {
    if (backend == "cuda") return {1.00, 75.0, 0.633, 0.30};  // 417 decode / 347 prefill rows
    if (backend == "rocm") return {0.94, 65.0, 0.412, 0.55};  // 54 decode / 16 prefill rows
    if (backend == "metal") return {0.96, 130.0, 0.753, 0.25};  // 168 decode / 135 prefill rows
    if (backend == "vulkan") return {0.66, 55.0, 0.259, 0.40};  // 51 decode / 50 prefill rows
    // No measurements for sycl (Intel GPUs): taken as Vulkan-class.
    if (backend == "sycl") return backend_constants("vulkan");
    return {0.72, 920.0, 0.222, 0.10};  // cpu: 12 decode / 4 prefill rows, mostly crowd-sourced (low confidence)
}

// Offloaded weights are multiplied on the CPU during decode (llama.cpp does not
// stream them over PCIe for single tokens): host RAM bandwidth at this efficiency.
// Fitted on the offload rows alone (20 rows): the CPU side is slower than its
// memory bus alone (fewer cores than channels can feed, GPU<->CPU hand-offs).
constexpr double kHostBandwidthEfficiency = 0.35;

// A single decode stream cannot keep the very widest memory systems busy (too
// few independent loads to fill every channel of HBM): achieved bandwidth is
// peak x efficiency / (1 + peak / this). Fitted globally over all backends.
constexpr double kBandwidthSaturationGbs = 3000;

// Likewise prompt processing: llama.cpp's quantized matmuls are bound by
// dequantization and shared memory long before the tensor peak of the largest
// parts, so achieved TFLOPS = peak x efficiency / (1 + peak / this).
constexpr double kComputeSaturationTflops = 300;

// Layer split over several GPUs: each extra GPU adds one activation hand-off
// and synchronisation per token.
constexpr double kGpuHopS = 0.3e-3;

// An MoE layer launches more kernels than a dense one (router, top-k, gathers,
// expert matmuls): its fixed per-layer cost is this multiple of the dense cost.
constexpr double kMoeLayerOverheadFactor = 1.5;

// Prefill: attention (flash-attention kernels on dense f16 tiles) runs closer to
// peak than quantized weight matmuls, so its FLOPs cost this fraction of theirs.
constexpr double kAttentionFlopsWeight = 1.0;
// MoE prefill splits each micro-batch over the experts: each expert multiplies
// only ubatch x k / E tokens, and small matmuls run far from peak. Weight FLOPs
// cost 1 + this / (tokens per expert) times a dense model's (16 tokens per
// expert with this at 16: twice the cost).
constexpr double kMoeExpertTokens = 32;

// Expected error shown with every result: the 80th percentile of |error| over the
// reference measurements (docs/accuracy.md); scripts/accuracy --verify checks them.
constexpr int kDecodeErrorBandPct = 19;
constexpr int kPrefillErrorBandPct = 49;
constexpr int kMemoryErrorBandPct = 1;

}  // namespace runwell::calibration
