#include "runwell/serving.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <vector>

#include "runwell/calibration.hpp"

namespace runwell {

using calibration::kGiB;

std::string_view to_string(ServingEngine e) {
    switch (e) {
        case ServingEngine::Batched: return "batched";
        case ServingEngine::Sglang: return "sglang";
        case ServingEngine::LlamaCppSlots: break;
    }
    return "llama.cpp";
}

namespace {
bool has_format(const Device& d, const char* f) {
    return std::find(d.tensor_formats.begin(), d.tensor_formats.end(), f) != d.tensor_formats.end();
}
// The tensor cores multiply a checkpoint's format (Quant::tensor_format): CDNA3's fp8_fnuz counts as fp8.
bool tensor_cores_take(const Device& d, const std::string& format) {
    return format.empty() || has_format(d, format.c_str()) || (format == "fp8" && has_format(d, "fp8_fnuz"));
}
// vLLM keeps its small-GPU defaults on an A100 of any memory: it looks for "a100" in the device's name.
bool names_a100(const Device& d) {
    std::string name;
    for (char c : d.name) name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return name.find("a100") != std::string::npos;
}
}  // namespace

bool runs_weight_only(const Quant& q, const Device& d, std::string_view runtime) {
    if (tensor_cores_take(d, q.tensor_format) || d.backend != "cuda" || d.cuda_compute_capability <= 0) return false;
    return std::find(q.weight_only_runtimes.begin(), q.weight_only_runtimes.end(), runtime) != q.weight_only_runtimes.end() &&
           d.cuda_compute_capability >= q.weight_only_min_compute_capability;
}

bool batched_engine_runs(const Quant& q, const Device& d, std::string_view runtime) {
    if (std::find(q.runtimes.begin(), q.runtimes.end(), runtime) == q.runtimes.end()) return false;
    if (d.backend != "cuda" && d.backend != "rocm") return false;
    if (!tensor_cores_take(d, q.tensor_format) && !runs_weight_only(q, d, runtime)) return false;
    return q.vendor.empty() || d.vendor == q.vendor;
}

bool engine_runs(ServingEngine engine, const Setup& s) {
    const Quant& q = *s.quant;
    if (engine == ServingEngine::LlamaCppSlots)
        return std::find(q.runtimes.begin(), q.runtimes.end(), "llama.cpp") != q.runtimes.end() && q.family != "mlx";
    return batched_engine_runs(q, *s.device, engine == ServingEngine::Sglang ? "sglang" : "vllm");
}

std::optional<BatchedWeights> batched_weights(const Model& m, const Quant& q, const Availability* where) {
    if (!m.hf_repo.empty() && q.id == m.checkpoint) return BatchedWeights{m.hf_repo, false};
    if (const Download* published = where ? where->download("hf", q.id) : nullptr) return BatchedWeights{published->repo, false, published};
    const bool sixteen_bit = m.checkpoint == "BF16" || m.checkpoint == "F16";
    if (!m.hf_repo.empty() && q.id == "FP8" && sixteen_bit) return BatchedWeights{m.hf_repo, true};
    return std::nullopt;
}

// The matrix format the batched engine multiplies in: the checkpoint's FP8 or FP4 where the tensor
// cores have that width; a format they lack is unpacked to 16 bits and multiplied as BF16 (MXFP4 on
// Hopper or an A100: a share of its own was fitted at 0.99 of BF16's on those rows, so none is kept).
std::string_view batched_matrix_format(const Setup& s) {
    const Device& d = *s.device;
    const Quant& q = *s.quant;
    if (q.family != "fp") return "bf16";
    if (q.bits <= 4) return has_format(d, "fp4") ? "fp4" : "bf16";
    if (q.bits <= 8 && has_format(d, "fp8")) return "fp8";
    if (q.bits <= 8 && has_format(d, "fp8_fnuz")) return "fp8_fnuz";
    return "bf16";
}

// ROCm runs FP8 matmuls with kernels of its own (hipBLASLt, AITER) on CDNA3's FNUZ and CDNA4's OCP encodings
// alike: one compute share for both. Fitted apart, the MI355X's OCP FP8 came out at 0.42 of CUDA's share and
// CDNA3's at 0.53; at CUDA's share (as before), the MI355X's FP8 runs were 1.2-1.7x too fast out of sample and
// SGLang's total throughput missed the target (on the 1,059 rows of December 2026's second collection: 20.2 % ->
// 19.9 %; AMD's per-user speed 21.5 % -> 20.1 %).
std::string_view matmul_kernels(const Setup& s) {
    std::string_view format = batched_matrix_format(s);
    if (s.device->backend == "rocm" && (format == "fp8" || format == "fp8_fnuz")) return "rocm_fp8";
    return format;
}

ServingEngine default_serving_engine(const Setup& s) {
    // A GGUF file is llama.cpp's; the checkpoints the batched engines load (FP8, NVFP4, MXFP4, INT4) are theirs.
    if (engine_runs(ServingEngine::Batched, s) && is_batched_checkpoint(*s.quant)) return ServingEngine::Batched;
    return ServingEngine::LlamaCppSlots;
}

namespace {

// Matrix peak of that format: FP8 and FP4 tensor paths run at 2x and 4x the FP16 rate.
double batched_peak_tflops(const Setup& s) {
    std::string_view format = batched_matrix_format(s);
    if (format == "fp4") return 4 * s.device->fp16_tflops;
    if (format == "fp8" || format == "fp8_fnuz") return 2 * s.device->fp16_tflops;
    return s.device->fp16_tflops;
}

// Attention multiplies queries by the cached keys and values in the cache's precision, whatever the weights'
// (an FP8 or FP4 checkpoint still attends in 16 bits): FP8 only where the cache is 8-bit and the tensor cores
// take OCP FP8 (FlashAttention-3's and TensorRT-LLM's FP8 attention). At the weights' rate, FP8 and FP4
// checkpoints' long prompts came out too fast: total throughput out of sample 15.5 % against 14.7 %, SGLang's
// 20.7 % against 18.2 % (the 908 rows of December 2026's first collection). CDNA3's fp8_fnuz attending in FP8 as well fitted AMD's rows worse (17.4 -> 18.2 %).
double attention_peak_tflops(const Setup& s) {
    return (s.kv == KvType::Q8_0 && has_format(*s.device, "fp8") ? 2 : 1) * s.device->fp16_tflops;
}

// Share of one sequence's cache each GPU of a tensor-parallel group holds: KV heads split
// across the group (a GPU holds at least one head); an MLA latent is replicated on every GPU.
double kv_share(const Model& m, int tp) {
    if (m.attention.kind == AttentionKind::Mla) return 1.0;
    return std::max(1.0 / tp, 1.0 / std::max(1, m.attention.kv_heads));
}

double sequence_cache_bytes(const Model& m, long tokens, KvType kv, int tp) {
    return kv_cache_bytes(m, tokens, kv) * kv_share(m, tp) + recurrent_state_bytes(m) / tp;
}

// A ring all-reduce over a tensor-parallel group of tp GPUs takes 2 (tp - 1) steps (reduce-scatter, then
// all-gather), each passing 1 / tp of the data to the next GPU: the textbook alpha-beta cost, a fixed
// latency per step (ServingFit::allreduce_step_latency_us; one latency per all-reduce whatever the group
// size fitted each user's speed worse out of sample, 21.6 % against 20.5 %) plus the data over the link.
int ring_steps(int tp) { return 2 * (tp - 1); }

// The data part for `tokens` hidden vectors (16-bit); the link's per-direction rate is half the quoted
// both-ways figure.
double allreduce_transfer_s(const Setup& s, int tp, double tokens) {
    if (tp <= 1) return 0;
    const Device& d = *s.device;
    double per_direction_gbs = has_gpu_link(d, tp) ? d.interconnect_gbs / 2 : std::max(1.0, d.host_link_gbs);
    double bytes = static_cast<double>(ring_steps(tp)) / tp * tokens * s.model->hidden * 2.0;
    return bytes / (per_direction_gbs * 1e9);
}

// The fixed latency of a step's all-reduces: two per layer (after attention, after the MLP).
double allreduces_per_step(const Model& m, int tp) { return tp > 1 ? 2.0 * m.layers : 0.0; }
double allreduce_latency_s(const Setup& s, int tp) {
    return allreduces_per_step(*s.model, tp) * ring_steps(tp) * calibration_of(s).serving.allreduce_step_latency_us * 1e-6;
}

// The weights as the batched engines load them: the checkpoint, its experts padded to the hidden-dimension
// multiple the format's kernels take (quants.json expert_hidden_multiple: gpt-oss's 2880 becomes 3072 in vLLM's
// MXFP4 MoE; llm-d's H100 logs load gpt-oss-20b in 13.47 GiB, gpt-oss-120b in 64.38, files of 12.8 and 60.8).
double loaded_weight_bytes(const Model& m, const Quant& q) {
    const int multiple = q.expert_hidden_multiple;
    if (multiple <= 0 || m.hidden <= 0) return weight_bytes(m, q);
    const double padded = static_cast<double>((m.hidden + multiple - 1) / multiple * multiple) / m.hidden;
    return weight_bytes(m, q) + expert_weight_bytes(m, q) * (padded - 1);
}

// The weights one GPU of the group reads for a pass over `tokens` tokens (MoE: the experts they touch,
// routed independently: a fitted overlap of the batch's routes, 0.58 on the 711 rows of early 2026, fitted
// each user's speed better in sample but not out of it, 20.5 % both ways, and total throughput 13.1 % ->
// 14.3 %; 0.39 on the 828 with 2026's PR tables, each user's speed 24.5 % -> 24.4 %, total 14.5 % -> 16.1 %),
// inside the matmuls at a fitted share of the memory's rate.
double weight_read_s(const Setup& s, int tp, int tokens) {
    return decode_weight_bytes(*s.model, *s.quant, tokens) / tp / (s.device->bandwidth_gbs * 1e9 * calibration_of(s).serving.bandwidth_efficiency);
}

// The fixed cost of one step of a tensor-parallel group: the scheduler's own, each further GPU's worker given
// the batch and heard back from, and on ROCm a cost per layer (ServingFit::rocm_layer_step_us). Without the ROCm
// cost, on the 1,098 rows of December 2026, the model was 1.2-1.3x faster than AMD's runs at a few users and
// AMD's per-user speed 20.1 % off out of sample; tried while each benchmark run's end was counted as steady
// users, it took SGLang's total throughput to 24.6 %. One cost for any group size fitted each user's speed
// worse out of sample (21.7 % against 20.5 %; on AMD GPUs 26.8 % against 20.9 %). A cost per running request
// as well (the scheduler's bookkeeping: 17 us fitted) fitted each user's speed worse out of sample, 20.9 %, and
// total throughput 14.5 %; SGLang's alone was fitted to nothing. On the 828 rows with 2026's PR tables it fitted
// 16 us and a better loss, but TensorRT-LLM's runs of hundreds of requests (a C++ runtime) came out 31 % slow;
// a step cost of SGLang's own came out as vLLM's.
double step_fixed_s(const Setup& s, int tp) {
    const ServingFit& k = calibration_of(s).serving;
    const double rocm_layers_ms = s.device->backend == "rocm" ? k.rocm_layer_step_us * 1e-3 * s.model->layers : 0;
    return (k.step_overhead_ms + k.group_step_overhead_ms * (tp - 1) + rocm_layers_ms) * 1e-3;
}

}  // namespace

std::optional<long> model_age_days(const Setup& s) {
    if (!s.model->release_day || !s.as_of_day) return std::nullopt;
    return std::max(0L, s.as_of_day - s.model->release_day);  // a day before the release asks for day one
}

double young_kernel_factor(const Setup& s) {
    std::optional<long> age = model_age_days(s);
    if (!age) return 1;
    return 1 + calibration_of(s).serving.young_kernel_slowdown * std::exp(-static_cast<double>(*age) / calibration::kKernelTuningDays);
}

namespace {

long mean_depth(const ServingLoad& load) { return load.input_tokens + load.output_tokens / 2; }

Setup slots_setup(const Setup& s, const ServingLoad& load, int slots) {
    Setup t = s;
    t.concurrency = std::max(1, slots);
    t.context = load.input_tokens + load.output_tokens;
    return t;
}

bool slots_fit(const Setup& s, const ServingLoad& load, int slots) {
    Fit f = estimate_fit(slots_setup(s, load, slots)).fit;
    return f == Fit::RunsWell || f == Fit::Tight;
}

// Step and prompt-token times of `running` sequences on one replica.
struct StepTimes {
    double step_s = 0, prefill_token_s = 0;
    BatchedStepParts parts;
};

// `prompt_batch`: the tokens a prompt's matmuls share (MoE: how many tokens each touched expert gets).
StepTimes batched_times(const Setup& s, const ServingPlan& plan, const ServingLoad& load, int running, double prompt_batch) {
    const Model& m = *s.model;
    const ServingFit& k = calibration_of(s).serving;
    const int tp = plan.tp;
    const double depth = static_cast<double>(mean_depth(load));
    const double nameplate = s.device->bandwidth_gbs * 1e9;
    // The weights are read inside the step's matmuls, at a fitted share of the memory's rate; the paged
    // attention kernels stream each request's cache at the nameplate rate, as prefill streams weights (a
    // fitted share for the cache fitted well in sample but was not pinned down by the sources left in:
    // total throughput out of sample 28 % against 18 % at nameplate).
    const double weight_bytes = decode_weight_bytes(m, *s.quant, running) / tp;
    const double cache_bytes = running * sequence_cache_bytes(m, mean_depth(load), s.kv, tp);
    double t_mem = weight_read_s(s, tp, running) + cache_bytes / nameplate;
    const double matmul_rate = batched_peak_tflops(s) * 1e12 * k.compute_efficiency * k.compute_factor(matmul_kernels(s));
    const double attention_rate = attention_peak_tflops(s) * 1e12 * k.compute_efficiency;
    // A checkpoint that narrows only its experts (gpt-oss's MXFP4) multiplies the rest in 16 bits: on FP4 tensor
    // cores, its attention projections, router and head at the BF16 rate. Out of sample (the 1,051 rows of
    // December 2026's second collection) each user's speed 18.9 -> 18.4 %, total throughput 15.1 -> 15.2 %.
    const double sixteen_bit_flops = 2.0 * sixteen_bit_active_params(m, *s.quant);
    const double format_flops = 2.0 * m.active_params_b * 1e9 - sixteen_bit_flops;
    const double sixteen_bit_rate = s.device->fp16_tflops * 1e12 * k.compute_efficiency;
    // One token's compute time at `context` cached tokens, its matmuls over `batch` tokens (MoE: each expert's share).
    auto token_compute_s = [&](double batch, double context) {
        return ((format_flops / matmul_rate + sixteen_bit_flops / sixteen_bit_rate) * moe_batch_factor(s, batch) +
                attention_flops_at(m, context) / attention_rate) / tp;
    };
    // The expert-tile padding (moe_batch_factor) is applied to all of a MoE token's matmuls, not only to
    // the routed experts' small ones it describes. Restricting it to the routed experts raised the fit's
    // loss (in sample +1.3 %; total throughput out of sample 13.1 % -> 13.8 %, SGLang's per-user speed
    // 21.2 % -> 23.6 %): at high batch the data shows more MoE cost than the routed padding alone gives.
    double t_compute = running * token_compute_s(running, depth);
    const double allreduces = allreduces_per_step(m, tp);
    double t_links = allreduce_latency_s(s, tp) + allreduces * allreduce_transfer_s(s, tp, running);
    StepTimes t;
    // A step's reads and its matmuls add up rather than overlap: fitted as (mem^p + compute^p)^(1/p)
    // on the serving measurements, p goes to 1. A young model's kernels stretch the whole step (stretching
    // only the reads and matmuls, not the fixed costs, fitted each user's speed worse out of sample).
    const double tuned_s = t_mem + t_compute + t_links + step_fixed_s(s, tp);
    const double young = young_kernel_factor(s);
    t.parts = {weight_bytes / kGiB, cache_bytes / kGiB, t_mem, t_compute, t_links, step_fixed_s(s, tp), (young - 1) * tuned_s, tp};
    t.step_s = tuned_s * young;
    // A prompt token's share of its chunk's all-reduces: the data only (the chunk pays the latency once).
    t.prefill_token_s = young * (token_compute_s(prompt_batch, load.input_tokens / 2.0) + allreduces * allreduce_transfer_s(s, tp, 1));
    return t;
}

// A prefill pass of `tokens` prompt tokens run on its own (SGLang), beyond its tokens' matmuls: the
// weights they touch, the step's fixed cost and its all-reduces' latency.
double prefill_pass_fixed_s(const Setup& s, int tp, int tokens) {
    return (weight_read_s(s, tp, std::max(1, tokens)) + allreduce_latency_s(s, tp) + step_fixed_s(s, tp)) * young_kernel_factor(s);
}

// A burst (Arrivals::Burst) on one replica, its share of the users' requests taken in order: request k gets a
// sequence when one is free (at once for the first `running`, else when request k - running has answered),
// then its prompt is processed after the prompts before it, `service` seconds each; it answers `answer_s` later.
// Identical requests thus go in waves when a wave's prompts take less time than an answer, in a steady flow
// otherwise. The mean, over the burst, of the moment each prompt is done; `makespan`: when the last answer is.
double burst_mean_prefill_end(int users, int replicas, int running, double service, double answer_s, double* makespan) {
    const int n = (users + replicas - 1) / replicas, sequences = std::max(1, running);
    std::vector<double> answered(static_cast<size_t>(sequences));  // ring: when each sequence is free again
    double prefill_free = 0, sum = 0, last = 0;
    for (int k = 0; k < n; ++k) {
        double& slot = answered[static_cast<size_t>(k % sequences)];
        const double prompt_done = std::max(k < sequences ? 0.0 : slot, prefill_free) + service;
        prefill_free = prompt_done;
        slot = prompt_done + answer_s;
        last = std::max(last, slot);
        sum += prompt_done;
    }
    if (makespan) *makespan = last;
    return sum / n;
}

StepTimes slots_times(const Setup& s, const ServingLoad& load, int running) {
    Setup t = slots_setup(s, load, running);
    Estimate e = estimate_fit(t);
    Speed sp = speed(t, e, load.input_tokens, mean_depth(load));
    StepTimes out;
    if (sp.decode_tps <= 0 || sp.prefill_tps <= 0) return out;
    out.step_s = 1.0 / sp.decode_tps;
    out.prefill_token_s = 1.0 / sp.prefill_tps;
    return out;
}

}  // namespace

double run_busy_share(long prompts, int running, double range_ratio) {
    if (prompts <= 0 || running < 1) return 1;
    // Lengths in units of the mean, in the order sent: evenly spread quantiles, shuffled by the golden ratio's
    // sequence (deterministic, and as even as a long random draw). A sequence takes the next request when free.
    // The last answers' steps are counted as full ones: the SGLang cookbook's GLM-4.6 run on eight B200 (80
    // prompts, 16 at a time) gave an output rate of 0.856 of its 16 users' speed, this 0.83; with steps shrinking
    // as the batch empties (its MoE reads fewer experts), 0.91.
    const double high = 2 / (1 + range_ratio), low = range_ratio * high;
    const double golden = 0.6180339887498949;
    std::vector<double> free_at(static_cast<size_t>(std::min<long>(running, prompts)), 0.0);  // min-heap
    double end = 0, work = 0;
    for (long k = 0; k < prompts; ++k) {
        const double length = low + (high - low) * std::fmod((static_cast<double>(k) + 0.5) * golden, 1.0);
        std::pop_heap(free_at.begin(), free_at.end(), std::greater<>());
        free_at.back() += length;
        work += length;
        end = std::max(end, free_at.back());
        std::push_heap(free_at.begin(), free_at.end(), std::greater<>());
    }
    return end > 0 ? work / running / end : 1;
}

ServingPlan plan_serving(const Setup& s, ServingEngine engine, int tp, const ServingLoad& load, int batch_limit,
                         double memory_fraction) {
    ServingPlan p;
    p.engine = engine;
    const Device& d = *s.device;
    const Model& m = *s.model;
    const long tokens = load.input_tokens + load.output_tokens;
    if (engine == ServingEngine::LlamaCppSlots) {
        // One llama-server over all the setup's GPUs (layer split); each slot holds input + output tokens.
        p.tp = std::max(1, s.gpus);
        p.replicas = 1;
        p.engine_batch_limit = batch_limit > 0 ? batch_limit : calibration::kMaxSlots;
        p.max_batched_tokens = calibration::kSlotsBatchTokens;
        Setup one = slots_setup(s, load, 1);
        Memory mem = memory_needed(one);
        p.weights_gib = mem.weights / p.tp;
        p.reserve_gib = (mem.compute + mem.runtime) / p.tp;
        p.kv_gib_per_sequence = (mem.kv_cache + mem.recurrent_state) / p.tp;
        p.held_tokens = tokens;  // a slot keeps its whole context from the start
        p.kv_pool_gib = std::max(0.0, usable_gib(one) / p.tp - p.weights_gib - p.reserve_gib);
        p.fits = slots_fit(s, load, 1);
        if (!p.fits) return p;
        int lo = 1, hi = p.engine_batch_limit;  // largest slot count that stays on the GPU
        while (lo < hi) {
            int mid = lo + (hi - lo + 1) / 2;
            if (slots_fit(s, load, mid)) lo = mid;
            else hi = mid - 1;
        }
        p.max_sequences = lo;
        return p;
    }
    const int gpus = std::max(1, s.gpus);
    // Asked for no group size, a server whose GPU link joins only a few of its cards (an NVLink bridge) runs
    // one bridged group per replica where that holds the model, rather than one group over PCIe.
    const int bridged = d.interconnect_gpus;
    if (tp <= 0 && bridged > 1 && gpus > bridged && gpus % bridged == 0) {
        ServingPlan grouped = plan_serving(s, engine, bridged, load, batch_limit, memory_fraction);
        if (grouped.fits) return grouped;
    }
    // The memory a GPU reports to the engine, whose share it takes: a card's VRAM less the driver's part.
    const double visible_gib = can_offload(d) ? usable_gib(d, 1) : d.memory_gib;
    p.tp = std::clamp(tp > 0 ? tp : gpus, 1, gpus);
    p.replicas = std::max(1, gpus / p.tp);
    p.weights_gib = loaded_weight_bytes(m, *s.quant) / p.tp / kGiB;
    if (engine == ServingEngine::Sglang) {
        // SGLang's share of memory holds the weights and the KV pool; activations and graphs take the rest.
        const calibration::SglangDefaults sg = calibration::sglang_defaults(d.memory_gib, p.tp);
        p.engine_batch_limit = batch_limit > 0 ? batch_limit : calibration::kSglangRequestLimit;
        p.max_batched_tokens = sg.chunk_tokens;
        p.memory_fraction = memory_fraction > 0 ? memory_fraction : sg.memory_fraction;
        p.reserve_gib = visible_gib * (1 - p.memory_fraction);
        p.kv_pool_gib = std::max(0.0, visible_gib * p.memory_fraction - p.weights_gib);
    } else {
        const bool large = d.memory_gib >= calibration::kLargeGpuGib && !names_a100(d);
        p.engine_batch_limit = batch_limit > 0 ? batch_limit : (large ? calibration::kBatchedSeqLimitLarge : calibration::kBatchedSeqLimit);
        p.max_batched_tokens = large ? calibration::kBatchedTokensLarge : calibration::kBatchedTokens;
        p.memory_fraction = memory_fraction > 0 ? memory_fraction : calibration::kBatchedMemoryFraction;
        // The larger of a full scheduler step's activations and the sampler's working set for every sequence,
        // and the memory outside torch (calibration::kSamplerBytesPerLogit).
        const double activations = compute_bytes(m, p.max_batched_tokens, 0) / p.tp;
        const double sampler = static_cast<double>(p.engine_batch_limit) * m.vocab * calibration::kSamplerBytesPerLogit;
        p.reserve_gib = std::max(activations, sampler) / kGiB + (p.tp > 1 ? calibration::kBatchedGroupNonTorchGib : calibration::kBatchedNonTorchGib);
        p.kv_pool_gib = std::max(0.0, visible_gib * p.memory_fraction - p.weights_gib - p.reserve_gib);
    }
    p.kv_gib_per_sequence = sequence_cache_bytes(m, tokens, s.kv, p.tp) / kGiB;
    p.fits = p.kv_gib_per_sequence > 0 && p.kv_pool_gib >= p.kv_gib_per_sequence;
    // Paged KV: blocks are taken as a sequence grows, so the pool holds sequences at their mean
    // occupancy (prompt + half the answer); one at full length must still fit.
    p.held_tokens = mean_depth(load);
    const double held_gib = sequence_cache_bytes(m, p.held_tokens, s.kv, p.tp) / kGiB;
    if (p.fits)
        p.max_sequences = static_cast<int>(std::min<double>(p.engine_batch_limit, std::floor(p.kv_pool_gib / held_gib)));
    return p;
}

ServingPoint serve_at(const Setup& s, const ServingPlan& plan, const ServingLoad& load, int users) {
    ServingPoint pt;
    pt.users = std::max(1, users);
    if (!plan.fits || plan.max_sequences < 1) return pt;
    const int per_replica = (pt.users + plan.replicas - 1) / plan.replicas;
    const int admitted = std::min(per_replica, plan.max_sequences);
    const bool own_passes = plan.engine == ServingEngine::Sglang;
    // Continuous batching: while the running sequences decode, the prompts of the requests that
    // replace them are processed too (chunked prefill), input/output tokens per answer token.
    // vLLM: a step holds at most max_batched_tokens tokens, decodes first: once the replacement prompts
    // fill that budget, fewer sequences decode and the rest wait for their prompt (32K-token prompts on an
    // A100: about 6 decode beside each 2048-token chunk, whatever the number of users). SGLang's passes
    // have a budget of their own: every request memory admits decodes, and the prompts take the time they take.
    const double prompt_per_answer = static_cast<double>(load.input_tokens) / std::max(1L, load.output_tokens);
    const double steady_decoding = plan.max_batched_tokens / (prompt_per_answer + 1);
    pt.prompt_bound = !own_passes && admitted > steady_decoding;
    pt.running = pt.prompt_bound ? std::max(1, static_cast<int>(steady_decoding)) : admitted;
    // The prompt tokens a step has room for beside the running sequences' decodes (SGLang: a pass's).
    const double chunk = std::max(1, plan.max_batched_tokens - (own_passes ? 0 : pt.running));
    // SGLang (--enable-mixed-chunk off by default) runs the arrived prompts in a pass of their own before
    // the next decode step, and the decodes wait. Requests arrive as answers complete; one pass takes all
    // that arrived (a chunk at most), so fewer arrivals than one per step mean a pass every few steps.
    const double answer_tokens = static_cast<double>(std::max(1L, load.output_tokens));
    auto passes_of = [&](double arrivals_per_step) {
        const double tokens = arrivals_per_step * load.input_tokens;
        const double per_step = std::max(std::min(1.0, arrivals_per_step), tokens / chunk);
        return std::pair{per_step, per_step > 0 ? tokens / per_step : 0.0};  // passes per decode step, tokens per pass
    };
    // The tokens a prompt's matmuls share: SGLang's pass; vLLM's step, a whole prompt (or what room is left)
    // beside the running decodes.
    const auto running_passes = passes_of(pt.running / answer_tokens);  // the replacements of all running requests
    const double prompt_batch = own_passes ? running_passes.second
                                           : pt.running + (pt.prompt_bound ? chunk : std::min<double>(load.input_tokens, chunk));
    StepTimes t = is_batched(plan.engine) ? batched_times(s, plan, load, pt.running, prompt_batch) : slots_times(s, load, pt.running);
    if (t.step_s <= 0) return pt;
    pt.step_s = t.step_s;
    pt.prefill_token_s = t.prefill_token_s;
    pt.parts = t.parts;
    // Prompt tokens per decode step: a full chunk while prompts queue; else the replacements of the running
    // sequences. A request's TPOT carries the prompts that join while it decodes: the other running
    // sequences' replacements. Its own prompt came before its first token (TTFT), so one sequence alone sees none.
    pt.step_prompt_tokens = pt.prompt_bound ? chunk : pt.running * prompt_per_answer;
    const double user_prompt_tokens = pt.prompt_bound ? chunk : (pt.running - 1) * prompt_per_answer;
    // Each SGLang pass reads the weights its tokens touch and pays the step's fixed costs again. A request's
    // own prompt came before its first token: its TPOT carries the other running requests' passes.
    auto passes_s = [&](std::pair<double, double> passes) {
        auto [per_step, tokens] = passes;
        if (!own_passes || per_step <= 0) return 0.0;
        return per_step * prefill_pass_fixed_s(s, plan.tp, static_cast<int>(std::ceil(tokens)));
    };
    pt.prefill_pass_s = passes_s(running_passes);
    const double effective_step = t.step_s + pt.prefill_pass_s + pt.step_prompt_tokens * t.prefill_token_s;
    pt.per_user_tps = 1.0 / (t.step_s + passes_s(passes_of((pt.running - 1) / answer_tokens)) + user_prompt_tokens * t.prefill_token_s);
    const int served = std::min(pt.users, pt.running * plan.replicas);
    // A benchmark run of every user's share of its prompts: the last answers end one by one (run_busy_share). A
    // burst's output rate is its makespan's (below).
    const long replica_prompts = (load.prompts + plan.replicas - 1) / plan.replicas;
    const double busy = pt.users <= served && load.arrivals != Arrivals::Burst
                            ? run_busy_share(replica_prompts, std::max(1, served / plan.replicas), load.length_range_ratio)
                            : 1;
    pt.total_tps = served / effective_step * busy;
    // A new prompt is processed in chunks (vLLM: beside the running sequences; SGLang: in passes of its
    // own), after the prompts that arrived before it: requests arrive as answers complete, so prefill is a
    // queue (M/D/1: wait = rho S / 2 (1 - rho)). Identical requests arriving together wait for a share of
    // the cohort's other prompts (ServingFit::cohort_wait_share; vllm bench's fixed lengths, against this
    // model's TTFT: llm-d, Vultr and vLLM's recipes waited 0.33-0.63 of (running - 1) single prompts; the
    // SGLang cookbook's sampled lengths 0.04).
    const double chunk_s = own_passes ? prefill_pass_fixed_s(s, plan.tp, static_cast<int>(chunk)) + chunk * t.prefill_token_s
                                      : t.step_s + chunk * t.prefill_token_s;
    const double service = load.input_tokens * chunk_s / chunk;
    const double beyond_prefill = effective_step + calibration_of(s).serving.first_token_ms * 1e-3;
    if (load.arrivals == Arrivals::Burst) {
        // Its output rate is every answer over the time until the last is done: the first prompts' queue and the
        // last wave's tail included, not the steady rate of `served` running requests.
        double makespan = 0;
        pt.ttft_s = burst_mean_prefill_end(pt.users, plan.replicas, pt.running, service, load.output_tokens * effective_step, &makespan) + beyond_prefill;
        if (makespan > 0) pt.total_tps = static_cast<double>(pt.users) * load.output_tokens / makespan;
        return pt;
    }
    const double completions = served / (load.output_tokens * effective_step);  // requests finished per second
    const double rho = std::min(0.95, completions * service);
    const double wait = load.arrivals == Arrivals::Together ? (pt.running - 1) * service * calibration_of(s).serving.cohort_wait_share
                                                            : rho * service / (2 * (1 - rho));
    double ttft = service + wait + beyond_prefill;
    // A user sends the next request when an answer ends: each request waits for its first token, then
    // decodes, so by Little's law the output rate is the users' answers over that cycle, not every one of them
    // decoding at every step. The measured runs keep it: the Vultr cookbook's Nemotron Nano runs at 8-32 users
    // had an output rate of 0.93 of users x each one's speed, and users x answer / (TTFT + answer / speed)
    // within 2 % of it. An offline run's or a queue's next request takes a finished place at once.
    if (!load.queued && pt.users <= served)
        pt.total_tps = served * load.output_tokens / (ttft + load.output_tokens / pt.per_user_tps) * busy;
    // More users than running slots: the rest queue for a whole answer of a running request.
    if (pt.users > served) ttft += static_cast<double>(pt.users - served) / served * (ttft + load.output_tokens * effective_step);
    pt.ttft_s = ttft;
    return pt;
}

bool use_batched_serving(const Setup& s, const ServingLoad& load, int users, Speed& sp, ServingPoint* point) {
    if (users <= 1 || default_serving_engine(s) != ServingEngine::Batched) return false;
    ServingPlan plan = plan_serving(s, ServingEngine::Batched, 0, load);
    ServingPoint p = serve_at(s, plan, load, users);
    if (p.per_user_tps <= 0) return false;
    sp.decode_tps = p.per_user_tps;
    sp.aggregate_tps = p.total_tps;
    sp.ttft_s = p.ttft_s;
    if (point) *point = p;
    return true;
}

ServingPoint capacity(const Setup& s, const ServingPlan& plan, const ServingLoad& load, double target_tps, double target_ttft_s) {
    ServingPoint none;
    if (!plan.fits || plan.max_sequences < 1) return none;
    auto meets = [&](const ServingPoint& p) { return p.per_user_tps >= target_tps && p.ttft_s <= target_ttft_s; };
    int lo = 0, hi = plan.max_sequences * plan.replicas;  // speed per user falls and TTFT grows with users
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (meets(serve_at(s, plan, load, mid))) lo = mid;
        else hi = mid - 1;
    }
    if (lo == 0) return none;
    return serve_at(s, plan, load, lo);
}

}  // namespace runwell
