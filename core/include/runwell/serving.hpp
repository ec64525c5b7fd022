// Serving many users: how a batched engine (continuous batching, paged KV cache, chunked prefill,
// tensor parallelism) or llama.cpp's server with parallel slots shares one device or one
// tensor-parallel group between concurrent requests. The batched engines differ in where prompts
// go: vLLM and TensorRT-LLM put them in the decode steps (`Batched`), SGLang runs them in prefill
// passes of their own between the decode steps (`Sglang`).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runwell/estimate.hpp"

namespace runwell {

enum class ServingEngine { LlamaCppSlots, Batched, Sglang };
std::string_view to_string(ServingEngine e);
inline constexpr ServingEngine kServingEngines[] = {ServingEngine::LlamaCppSlots, ServingEngine::Batched, ServingEngine::Sglang};
// vLLM-class and SGLang: the engines that load the batched checkpoints with tensor parallelism.
inline bool is_batched(ServingEngine e) { return e != ServingEngine::LlamaCppSlots; }

// The batched engines run this checkpoint on this device: CUDA or ROCm, where the tensor cores multiply the
// checkpoint's format and on its vendor's GPUs if it names one (quants.json tensor_format and vendor against
// hardware.json tensor_formats and vendor: FP8 needs FP8, NVFP4 NVIDIA's FP4 tensor cores).
// `runtime`: the quant's runtime that names the engine, "vllm" or "sglang" (quants.json). Without those tensor
// cores, a runtime the quant names in weight_only_runtimes still runs it on a CUDA GPU of the compute capability
// it asks (runs_weight_only: vLLM's FP8 Marlin on Turing and Ampere).
bool batched_engine_runs(const Quant& q, const Device& d, std::string_view runtime = "vllm");
bool runs_weight_only(const Quant& q, const Device& d, std::string_view runtime = "vllm");
// Where a batched engine gets a quant's weights: the model's own repo when it is published in that
// format, the same 16-bit repo quantized to FP8 as vLLM loads it, or a pre-quantized checkpoint the
// catalog records (availability downloads of format "hf"). None: the engine has no such weights to load,
// so the quant is not offered for batched serving and no command is written for it.
struct BatchedWeights {
    std::string repo;
    bool quantize_on_load = false;       // vLLM --quantization fp8
    const Download* recorded = nullptr;  // the availability.json entry, when the weights are one
};
std::optional<BatchedWeights> batched_weights(const Model& m, const Quant& q, const Availability* where);
// The matrix format a batched engine multiplies a setup's weights in: fp4, fp8, fp8_fnuz or bf16.
std::string_view batched_matrix_format(const Setup& s);
// The kernel family a batched step's matmuls run on, for their compute share: the matrix format, except
// ROCm's FP8 kernels, one family on CDNA3 and CDNA4 ("rocm_fp8").
std::string_view matmul_kernels(const Setup& s);

// A tensor-parallel group of `tp` of these GPUs exchanges its all-reduces over a link of their own (NVLink,
// Infinity Fabric: hardware.json interconnect_gbs), not over PCIe and the host: every GPU of the server, or
// up to a bridge's interconnect_gpus.
inline bool has_gpu_link(const Device& d, int tp) {
    return d.interconnect_gbs > 0 && (d.interconnect_gpus <= 0 || tp <= d.interconnect_gpus);
}
// Over PCIe, through the CPUs when the cards sit on different sockets, each all-reduce waits far longer than over
// a link; the step model prices every group's all-reduce latency as a link's (no published run fits a PCIe figure
// out of sample), so the result says so (caveat code kPcieGroupCaveat) and the accuracy harness leaves such runs out.
inline bool group_over_pcie(const Device& d, int tp) { return tp > 1 && !has_gpu_link(d, tp); }
inline constexpr const char* kPcieGroupCaveat = "pcie_tensor_parallel";

// The engine that serves a setup by default: the batched engines run FP8/NVFP4/BF16 checkpoints on
// CUDA and ROCm GPUs (the catalog quant's runtimes); GGUF and MLX files are served by llama.cpp/MLX slots.
ServingEngine default_serving_engine(const Setup& s);
bool engine_runs(ServingEngine engine, const Setup& s);

// How the requests reach the engine. Random: real users, each sending the next request when an answer is
// complete, each prompt waiting behind those that happened to arrive before it. Together: a benchmark client's
// identical requests finish and are replaced in step, so the replacements' prompts queue as one cohort each
// time (vllm bench's fixed lengths). Burst: every user's one request at once (a benchmark client's default
// rate with no concurrency cap): the first prompts queue behind each other, the rest for a free sequence.
enum class Arrivals { Random, Together, Burst };

// One request of the workload: its prompt and its answer.
struct ServingLoad {
    long input_tokens = 1000;
    long output_tokens = 300;  // the answers' mean length
    Arrivals arrivals = Arrivals::Random;
    // A benchmark's run: the requests it sends in all (--num-prompts; 0: users who keep asking), and the
    // shortest answer's share of the longest, the lengths spread evenly between (its --random-range-ratio; 1: all
    // alike). Its last answers end one by one, with fewer running: the output rate over the run is below the
    // steady one.
    long prompts = 0;
    double length_range_ratio = 1;
    // An offline run, a saturation benchmark (its requests all queued in the engine, as many running as the
    // memory holds): a finished sequence's place goes to the next request at once, with no client between.
    bool queued = false;
};

// Where one tensor-parallel group's memory goes, per GPU (GiB), and how many sequences its KV pool holds.
struct ServingPlan {
    ServingEngine engine = ServingEngine::Batched;
    int tp = 1;                     // tensor-parallel size (llama.cpp: the layer split over `gpus`)
    int replicas = 1;               // independent copies on the setup's GPUs (gpus / tp)
    double memory_fraction = 1;     // of each GPU the engine takes (vLLM --gpu-memory-utilization)
    double weights_gib = 0;         // per GPU
    double reserve_gib = 0;         // per GPU: runtime context and activations of one scheduler step
    double kv_pool_gib = 0;         // per GPU: what is left for the paged KV cache
    double kv_gib_per_sequence = 0; // per GPU, at input + output tokens
    long held_tokens = 0;           // tokens a running sequence holds on average (what max_sequences counts)
    int max_sequences = 0;          // per replica: the KV pool's room, capped by the engine's batch limit
    int engine_batch_limit = 0;     // the engine's default cap on running sequences (vLLM --max-num-seqs)
    int max_batched_tokens = 0;     // tokens per scheduler step (vLLM --max-num-batched-tokens; SGLang: a prefill pass's, --chunked-prefill-size)
    bool fits = false;              // the weights and one sequence fit
};

// A batched decode step's terms, which add up to its time: what the limits quote.
struct BatchedStepParts {
    double weight_gib_per_gpu = 0;  // weights each GPU reads in a step (MoE: the experts the batch touches)
    double cache_gib_per_gpu = 0;   // the running requests' caches each GPU reads
    double memory_s = 0, compute_s = 0, links_s = 0, overhead_s = 0;
    double young_s = 0;             // what a new model's untuned kernels add to the other four (young_kernel_factor)
    int tp = 1;                     // the tensor-parallel group that runs the step
};

// The state of the whole setup with `users` concurrent requests (closed loop: each user sends
// the next request when the previous answer is complete).
struct ServingPoint {
    int users = 0;
    int running = 0;            // sequences decoded together per replica (the rest wait in the queue)
    bool prompt_bound = false;  // queued prompts fill every step's token budget: fewer sequences decode than memory holds
    double step_prompt_tokens = 0;  // prompt tokens each step carries beside the decodes (chunked prefill)
    double step_s = 0;          // one decode step of `running` sequences, prefill work excluded
    double prefill_token_s = 0; // one prompt token's share of a step
    double prefill_pass_s = 0;  // SGLang: its prefill passes' own weight reads and fixed costs, per decode step
    double per_user_tps = 0;    // tokens per second each running request sees (1 / TPOT)
    double total_tps = 0;       // output tokens per second, all replicas
    double ttft_s = 0;          // time to first token a new request sees at this load
    BatchedStepParts parts;     // the batched engine's step_s, term by term (llama.cpp slots: none)
};

// A model's age on the setup's day (Setup::as_of_day), in days; nullopt when the release or the day is not known.
std::optional<long> model_age_days(const Setup& s);
// How much longer a batched engine's step and prefill take for a model this young: 1 + the fitted
// slowdown at release, fading over the months its kernels are tuned in (ServingFit::young_kernel_*); 1 when
// the age is not known.
double young_kernel_factor(const Setup& s);
// The factor adds at least 5 %: the result says so (the figures' own rounding hides less).
inline bool kernels_young(const Setup& s) { return young_kernel_factor(s) >= 1.05; }

// A run's output rate over the steady one of `running` sequences: `prompts` requests taken in turn by the first
// free sequence, answers spread evenly between `range_ratio` of the longest and the longest (ServingLoad), its
// last answers ending one by one. 1 for users who keep asking.
double run_busy_share(long prompts, int running, double range_ratio);

// `batch_limit` and `memory_fraction` override the engine's defaults (0: keep them).
ServingPlan plan_serving(const Setup& s, ServingEngine engine, int tp, const ServingLoad& load, int batch_limit = 0,
                         double memory_fraction = 0);
ServingPoint serve_at(const Setup& s, const ServingPlan& plan, const ServingLoad& load, int users);

// The most users the setup serves with each one at `target_tps` or faster and TTFT within
// `target_ttft_s`, and the state at that load (users = 0: not even one).
ServingPoint capacity(const Setup& s, const ServingPlan& plan, const ServingLoad& load, double target_tps, double target_ttft_s);

// A mode's many users on a checkpoint that a batched engine serves by default (FP8, NVFP4, BF16 on
// CUDA/ROCm GPUs): each user's decode speed, the total and the TTFT at `users` concurrent requests
// of `load` replace those fields of `sp`. False, `sp` untouched, for llama.cpp's files (their
// parallel slots are the single-stream physics at that concurrency) or when the plan does not fit.
// `point`, when given, receives the serving state behind them.
bool use_batched_serving(const Setup& s, const ServingLoad& load, int users, Speed& sp, ServingPoint* point = nullptr);

}  // namespace runwell
