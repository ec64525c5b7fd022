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
    double runtime_gib;           // driver/runtime context per device
};

// Fitted by scripts/accuracy (least squares on log error over the bench rows of
// each backend); see docs/accuracy.md for the fit and its residuals.
constexpr BackendConstants backend_constants(std::string_view backend) {
    if (backend == "cuda") return {0.80, 3.0, 0.30, 0.45};
    if (backend == "rocm") return {0.65, 6.0, 0.20, 0.55};
    if (backend == "metal") return {0.72, 4.0, 0.60, 0.25};
    if (backend == "vulkan") return {0.70, 5.0, 0.25, 0.40};
    if (backend == "sycl") return {0.55, 8.0, 0.20, 0.40};
    return {0.60, 2.0, 0.40, 0.10};  // cpu
}

// Offloaded weights are multiplied on the CPU during decode (llama.cpp does not
// stream them over PCIe for single tokens): host RAM bandwidth at this efficiency.
constexpr double kHostBandwidthEfficiency = 0.55;

// An MoE layer launches more kernels than a dense one (router, top-k, gathers,
// expert matmuls): its fixed per-layer cost is this multiple of the dense cost.
constexpr double kMoeLayerOverheadFactor = 2.0;

}  // namespace runwell::calibration
