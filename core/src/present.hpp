// Presentation: results as the API's JSON (stable codes, rounded numbers) and prose.
// The physics is in estimate/advice; nothing here computes a figure of its own.
#pragma once
#include "request.hpp"
#include "runwell/bench.hpp"
#include "runwell/import.hpp"
#include "runwell/serving.hpp"

namespace runwell::detail {

// Rounded for display and for stable JSON; the physics keeps full precision.
double round_to(double v, int decimals);

json estimate_response(const Catalog& c, Resolved& r);
// Only the speed of one setup at a given prompt and depth (the accuracy harness's question).
json predict_response(const Catalog& c, Resolved& r);
// The user's llama-bench rows against the estimate for the same setup.
json check_response(const Catalog& c, Resolved& r, const std::vector<BenchRow>& bench);
json rank_response(const Catalog& c, Resolved& r, long limit);
json devices_response(const Catalog& c, Resolved& r, long limit);
json import_response(const Catalog& c, const ImportedModel& imported);
json catalog_response(const Catalog& c);
// What a batched engine's figures for this setup, on tensor-parallel groups of `tp` GPUs, stand on thin ground
// for, said with the reason: its kernels for a model released shortly before the day estimated
// (young_kernel_factor), a group without a GPU link of its own (group_over_pcie), a checkpoint vLLM runs
// weight-only (runs_weight_only). An empty array when none.
json batched_engine_caveats(const Setup& s, int tp);
// A serving question: which engine, how the GPUs are grouped, the load and the targets.
struct ServingRequest {
    ServingEngine engine = ServingEngine::LlamaCppSlots;
    int tensor_parallel = 0;  // 0: all the setup's GPUs
    int batch_limit = 0;      // 0: the engine's default
    double memory_fraction = 0;  // share of each GPU the engine takes (vLLM --gpu-memory-utilization); 0: default
    ServingLoad load;         // load.queued: also answer for as many users as the memory holds
    double target_tps = 0, target_ttft_s = 0;
    int users = 0;            // also answer for this many users (0: no)
    int load_users = 0;       // how many setups this many users need (0: no)
    const Quant* quant = nullptr;  // plan with this quant instead of the setup's (an MLX file has no slot server)
};
// The engines that can serve a setup (llama.cpp slots for GGUF files, the batched engines for their checkpoints).
std::vector<ServingEngine> engines_for(const Setup& s);
int requested_users(const ServingPlan& plan, const ServingRequest& q);  // `users`, or all the memory holds
json serving_json(const Catalog& c, const Resolved& r, const ServingRequest& q);
// A batched engine's error band for a serving quantity (serving_total_tps, serving_user_tps, serving_ttft):
// its checkpoint format's on its backend, where that has the evidence, else no narrower than its parents'.
ErrorBand serving_band(const Setup& s, std::string_view quantity);
std::string engine_label(ServingEngine e);

// The API's vocabulary (defaults, query keys, enums) so that no page defines its own.
json meta_json(const Catalog& c);

}  // namespace runwell::detail
