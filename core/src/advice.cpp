#include "runwell/advice.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>

#include "runwell/calibration.hpp"
#include "runwell/serving.hpp"
#include "text.hpp"

namespace runwell {

namespace {
using detail::fixed;
std::string gib(double v) { return fixed(v, v < 10 ? 1 : 0) + " GiB"; }
std::string tokens(long t) { return detail::token_count(t); }
// Score for reaching `value` against `target` (higher is better): 100 at the
// target, falling with the square root of the shortfall (half the speed -> 71).
double reach(double value, double target) {
    if (!(value > 0) || !(target > 0)) return 0;
    return 100.0 * std::sqrt(std::min(1.0, value / target));
}
}  // namespace

int grade_band(double score) {
    if (score >= 90) return 5;
    if (score >= 80) return 4;
    if (score >= 65) return 3;
    if (score >= 50) return 2;
    if (score >= 35) return 1;
    return 0;
}

std::string letter(double score) { return std::string(1, "FDCBAS"[grade_band(score)]); }

double kld_of(const Model& m, const Quant& q) {
    if (q.id == m.checkpoint || q.experts_as == m.checkpoint) return 0;  // a checkpoint id is never empty
    return q.kld;
}

double quality_factor(double kld) { return std::exp(-2.0 * kld); }

std::string quality_label(double kld) {
    for (const calibration::QualityLabel& l : calibration::kQualityLabels)
        if (kld < l.kld_below) return l.label;
    return calibration::kLowestQualityLabel;
}

WorkloadResult grade_workload(const Setup& base, const Workload& w, const Mode& mode, GradeContext at) {
    WorkloadResult r;
    r.workload = &w;
    Setup s = base;
    if (at == GradeContext::Workload) s.context = std::min(w.context_tokens, s.model->max_context);
    s.concurrency = mode.concurrency;
    r.context = s.context;
    r.estimate = estimate_fit(s);
    r.speed = speed(s, r.estimate, w.prompt_tokens, w.prompt_tokens + w.output_tokens / 2);
    use_batched_serving(s, {w.prompt_tokens, w.output_tokens}, mode.concurrency, r.speed);
    if (r.estimate.fit == Fit::WontRun) {
        r.grade = letter(0);
        return r;
    }
    double context_score = 100.0 * std::min(1.0, static_cast<double>(r.estimate.context_room()) / w.context_tokens);
    double quality = 100.0 * std::pow(quality_factor(kld_of(*s.model, *s.quant)), w.quality_weight);
    const ModeWeights& k = mode.weights;
    double score = k.decode * reach(r.speed.decode_tps, w.decode_target_tps) +
                   k.ttft * reach(w.ttft_target_s, r.speed.ttft_s) + k.context * context_score + k.quality * quality;
    // The grade can never say more than the fit: tight is at best A, offload at best C.
    if (r.estimate.fit == Fit::Tight) score = std::min(score, calibration::kTightScoreCap);
    if (r.estimate.fit == Fit::Offload) score = std::min(score * calibration::kOffloadScoreFactor, calibration::kOffloadScoreCap);
    r.score = std::clamp(score, 0.0, 100.0);
    r.grade = letter(r.score);
    return r;
}

bool quant_applies(const Quant& q, const Device& d) {
    for (const std::string& rt : q.runtimes) {
        if (rt == "mlx" && d.backend == "metal") return true;
        // The batched engines' checkpoints, on a GPU of its own memory (not a unified-memory box).
        if (rt == "vllm" && d.kind != DeviceKind::Unified && batched_engine_runs(q, d)) return true;
        if (rt == "llama.cpp") return q.family == "gguf";
    }
    return false;
}

QuantTable quant_table(const Catalog& c, const Setup& base, const Workload& w, const Mode& mode, GradeContext at) {
    QuantTable t;
    const Availability* where = c.availability_of(base.model->id);
    for (const Quant& q : c.quants) {
        if (!quant_applies(q, *base.device)) continue;
        if (q.experts_only && !base.model->moe) continue;  // an expert-only format has nothing to do on a dense model
        // The batched engines' formats, only where there are weights in that format to load.
        if (is_batched_checkpoint(q) && !batched_weights(*base.model, q, where)) continue;
        Setup s = base;
        s.quant = &q;
        WorkloadResult r = grade_workload(s, w, mode, at);
        QuantOption o;
        o.quant = &q;
        o.memory_gib = r.estimate.memory.total();
        o.fit = r.estimate.fit;
        o.score = r.score;
        o.grade = r.grade;
        o.decode_tps = r.speed.decode_tps;
        o.kld = kld_of(*base.model, q);
        t.options.push_back(o);
    }
    std::sort(t.options.begin(), t.options.end(),
              [](const QuantOption& a, const QuantOption& b) { return a.memory_gib < b.memory_gib; });
    double top = -1;
    for (const QuantOption& o : t.options)
        if (o.fit != Fit::WontRun) top = std::max(top, o.score);
    // Among quants within half a point of the top score, the fastest: a near-lossless Q6_K
    // decoding twice as fast beats BF16 by a rounding error of quality.
    constexpr double kNearlyEqual = 0.5;
    for (size_t i = 0; i < t.options.size(); ++i) {
        const QuantOption& o = t.options[i];
        if (o.fit == Fit::WontRun || o.score < top - kNearlyEqual) continue;
        if (t.best < 0 || o.decode_tps > t.options[t.best].decode_tps) t.best = static_cast<int>(i);
    }
    return t;
}

const Quant* default_quant(const Catalog& c, const QuantTable& t) {
    return t.best >= 0 ? t.options[t.best].quant : c.quant("Q4_K_M");
}

// Where the GPU's share of a unified memory is set, and how to give it `gib_wanted`.
std::string unified_memory_setting(const Device& d, double gib_wanted) {
    long want = static_cast<long>(gib_wanted);
    if (d.backend == "metal")
        return "macOS gives the GPU 2/3 of RAM up to 36 GB and 3/4 above; raise it until reboot with "
               "sudo sysctl iogpu.wired_limit_mb=" + std::to_string(want * 1024) + ".";
    if (d.vendor == "AMD")
        // ttm pages are 4 KiB: 262,144 per GiB. Linux maps half of RAM by default; 108 of 128 GB
        // works in practice; the BIOS and Windows VGM stop at 96 GB
        // (jeffgeerling.com/blog/2025/increasing-vram-allocation-on-amd-ai-apus-under-linux).
        return "Linux lets the GPU map half of RAM by default; raise it with the kernel parameters ttm.pages_limit=" +
               std::to_string(want * 262144) + " ttm.page_pool_size=" + std::to_string(want * 262144) +
               " (then reboot). Windows: Variable Graphics Memory in AMD Software, at most 96 GB of 128 GB.";
    return "The GPU shares the whole pool with the OS; nothing to set.";
}

namespace {
std::string ms(double seconds) { return fixed(seconds * 1000, seconds < 0.01 ? 1 : 0) + " ms"; }

// "below the 15 tok/s Chat target": where a decode speed stands against the workload's.
std::string against_decode_target(double tps, const Workload& w) {
    return std::string(tps < w.decode_target_tps ? "below" : "above") + " the " + fixed(w.decode_target_tps, 0) + " tok/s " + w.name + " target";
}

// What bounds a batched engine's decode step: its largest term, with all of them quoted (they add up).
Note batched_step_note(const Setup& s, const ServingPoint& p, const Speed& sp, const Workload& w) {
    const Device& d = *s.device;
    const BatchedStepParts& t = p.parts;
    const std::pair<double, Note> terms[] = {
        {t.memory_s, {"bandwidth", "Memory bandwidth", ""}},
        {t.compute_s, {"compute", "Matrix compute", ""}},
        {t.links_s, {"gpu_links", "GPU links", ""}},
        {t.overhead_s, {"step_overhead", "The engine's step cost", ""}},
        {t.young_s, {"young_kernels", "A new model's untuned kernels", ""}}};
    const auto* top = std::max_element(std::begin(terms), std::end(terms), [](const auto& a, const auto& b) { return a.first < b.first; });
    Note n = top->second;
    std::string split = t.tp > 1 ? " (the weights split over " + std::to_string(t.tp) + " GPUs)" : "";
    n.detail = "Each decode step of the " + std::to_string(p.running) + " running requests reads " + gib(t.weight_gib_per_gpu) +
               " of weights per GPU" + split + " and " + gib(t.cache_gib_per_gpu) + " of their caches: " + ms(t.memory_s) + " at " +
               fixed(d.bandwidth_gbs, 0) + " GB/s; their matmuls take " + ms(t.compute_s) +
               (t.tp > 1 ? ", the all-reduces between the GPUs " + ms(t.links_s) + " and the engine's step cost, more with each GPU it coordinates, "
                         : std::string(" and the engine's fixed step cost ")) +
               ms(t.overhead_s) + (kernels_young(s) ? "; the engines' kernels for a model this new add " + ms(t.young_s) : "") + ". " +
               (p.prompt_bound ? "Prompts waiting their turn fill the rest of each step's token budget (about " +
                                     tokens(static_cast<long>(p.step_prompt_tokens)) +
                                     " prompt tokens a step): more users wait longer for a first token, no more decode at once, and "
                               : "With the prompts of new requests sharing the steps, ") +
               "each user gets about " + fixed(sp.decode_tps, 1) + " tok/s, " + against_decode_target(sp.decode_tps, w) + ".";
    return n;
}
}  // namespace

std::vector<Note> limits(const Setup& s, const Estimate& e, const Speed& sp, const Workload& w, const ServingPoint* batched) {
    std::vector<Note> out;
    const Device& d = *s.device;
    double total = e.memory.total();
    if (e.fit == Fit::WontRun) {
        std::string why = can_offload(d)
                              ? "even with " + gib(e.host_usable_gib) + " of host RAM for offload"
                              : "and " + std::string(d.kind == DeviceKind::Cpu ? "system RAM" : "unified memory") +
                                    " cannot be extended by offloading";
        out.push_back({"wont_run", "Does not fit", "Needs " + gib(total) + " but " + d.name + " has " +
                                                        gib(e.usable_gib) + " usable, " + why + "."});
        return out;
    }
    if (e.fit == Fit::Offload) {
        out.push_back({"offload", "CPU offload",
                       fixed(e.placement.offload_fraction * 100, 0) + "% of the weights (" + gib(e.placement.cpu_weight_gib) +
                           (e.placement.kind == OffloadKind::Experts ? ", MoE experts" : ", whole layers") +
                           ") live in host RAM and are read at system-memory speed; they need " +
                           gib(e.placement.host_ram_needed_gib) + " of host RAM."});
    }
    if (e.over_working_set)
        out.push_back({"working_set", "Above the macOS GPU limit",
                       "Needs " + gib(total) + " but Metal recommends at most " + gib(e.usable_gib) +
                           "; llama.cpp still runs past it, slowly and at risk of swapping. Raise the limit with "
                           "sudo sysctl iogpu.wired_limit_mb=" + std::to_string(static_cast<long>((total + 2) * 1024)) + "."});
    else if (e.fit == Fit::Tight)
        out.push_back({"headroom", "Little headroom",
                       "Uses " + fixed(100 * total / e.usable_gib, 0) + "% of the usable memory; a longer context, a second app or a driver update can tip it over."});
    if (d.kind == DeviceKind::Unified)
        out.push_back({"unified_memory", "GPU share of the memory",
                       "The OS, apps and the model share " + gib(d.memory_gib) + "; this estimate lets the GPU use " + gib(e.usable_gib) +
                           (s.gpu_memory_gib > 0 ? " (your setting). " : " (the usual setting for running models; set yours in the form). ") +
                           unified_memory_setting(d, e.usable_gib)});
    if (batched) {
        out.push_back(batched_step_note(s, *batched, sp, w));
    } else if (e.fit != Fit::Offload) {
        // Decode always has a binding constraint: the bytes read per token over the bandwidth.
        double weights = decode_weight_bytes(*s.model, *s.quant, s.concurrency);
        double ceiling = d.bandwidth_gbs * 1e9 / std::max(1.0, weights + kv_cache_bytes(*s.model, w.prompt_tokens, s.kv));
        bool short_of_target = sp.decode_tps < w.decode_target_tps;
        out.push_back({"bandwidth", short_of_target ? "Memory bandwidth" : "Decode is bandwidth-bound",
                       "Each token reads " + gib(weights / calibration::kGiB) + " of weights; at " +
                           fixed(d.bandwidth_gbs, 0) + " GB/s the ceiling is " + fixed(ceiling, 0) + " tok/s and about " +
                           fixed(sp.decode_tps, 1) + " tok/s is achieved, " + against_decode_target(sp.decode_tps, w) +
                           ". A smaller quant reads fewer bytes."});
    }
    if (sp.ttft_s > w.ttft_target_s) {
        const std::string target = "the " + w.name + " target is " + fixed(w.ttft_target_s, 0) + " s.";
        if (batched)
            out.push_back({"prompt_queue", "Prompts under load",
                           "At " + std::to_string(batched->users) + " users a new request's first token comes after " + fixed(sp.ttft_s, 1) +
                               " s: its prompt shares the steps with the running requests, after the prompts queued before it; " + target});
        else
            out.push_back({"compute", "Prompt processing",
                           "A " + tokens(w.prompt_tokens) + "-token prompt takes " + fixed(sp.ttft_s, 1) + " s at " + fixed(sp.prefill_tps, 0) +
                               " tok/s (" + fixed(d.fp16_tflops, 0) + " TFLOPS); " + target});
    }
    if (e.context_room() < std::min(w.context_tokens, s.model->max_context))
        out.push_back({"context", "Context room",
                       "Only " + tokens(e.context_room()) + " tokens of context fit with headroom; " + w.name + " wants " + tokens(w.context_tokens) + "."});
    return out;
}

std::vector<Note> improvements(const Catalog& c, const Setup& s, const Estimate& e, const Workload& w,
                               const Mode& mode, const QuantTable& quants, const WorkloadResult& here) {
    std::vector<Note> out;
    const Device& d = *s.device;
    double total = e.memory.total();
    // 1. A better quant for this device.
    if (quants.best >= 0 && quants.options[quants.best].quant != s.quant) {
        const QuantOption& b = quants.options[quants.best];
        out.push_back({"quant", "Use " + b.quant->name,
                       b.quant->name + " (" + quality_label(b.kld) + " quality) needs " + gib(b.memory_gib) + " and grades " + b.grade +
                           " (" + fixed(b.score, 0) + ") for " + w.name + " here, at about " + fixed(b.decode_tps, 1) + " tok/s." +
                           (b.kld >= 0.05 ? " At this size the answers are noticeably worse than the full model's: "
                                                   "a smaller model at a higher-quality quant is often the better trade."
                                                 : "")});
    }
    // 2. Shorter context, when the context is what breaks the fit (also when it does not run at all).
    if (e.fit != Fit::RunsWell && e.safe_context > 0 && e.safe_context < s.context)
        out.push_back({"context", "Use a " + tokens(e.safe_context) + " context",
                       "At " + tokens(e.safe_context) + " tokens the cache fits with headroom on the device alone."});
    // 3. More memory: how much to run well (beyond twice the device, no upgrade of it will do).
    if (e.fit != Fit::RunsWell) {
        double need = total / calibration::kRunsWellShare - e.usable_gib;
        bool out_of_reach = need > d.memory_gib;
        out.push_back({"memory", out_of_reach ? "Needs a much larger memory pool" : "Add " + gib(need) + " of " + (can_offload(d) ? "VRAM" : "memory"),
                       "Running well needs " + gib(total / calibration::kRunsWellShare) + " usable (" + gib(total) +
                           " plus 15% headroom); " + d.name + " has " + gib(e.usable_gib) + "." +
                           (out_of_reach ? " That is more than twice this device: look at the models below, or a multi-GPU server." : "")});
        if (e.fit == Fit::WontRun && can_offload(d) && e.placement.gpu_layers > 0)
            out.push_back({"host_ram", "Add host RAM for offload",
                           "With " + gib(e.placement.host_ram_needed_gib) + " of host RAM the rest can be offloaded (slowly)."});
    }
    // 4. When it does not run or grades poorly: what runs well for the same workload on this device.
    if (e.fit == Fit::WontRun || here.score < 65) {
        int shown = 0;
        for (const RankedModel& m : rank_models(c, s, w, mode)) {
            // Only models that take the context asked for (rank caps each model at its own limit).
            if (m.model == s.model || m.model->max_context < s.context || m.result.estimate.fit != Fit::RunsWell ||
                m.result.score <= here.score)
                continue;
            out.push_back({"model", "Run " + m.model->name + " instead",
                           m.model->name + " at " + m.quant->id + " (" + quality_label(kld_of(*m.model, *m.quant)) + " quality) grades " + m.result.grade + " for " +
                               w.name + " on " + d.name + ", at about " + fixed(m.result.speed.decode_tps, 1) + " tok/s."});
            if (++shown == 2) break;
        }
    }
    // 5. Room to spare: a longer context fits.
    if (e.fit == Fit::RunsWell && e.safe_context >= 2 * s.context)
        out.push_back({"context_room", "Room for a longer context",
                       "Up to " + tokens(e.safe_context) + " tokens fit with headroom on the device alone (" + tokens(s.context) + " now)."});
    // 6. When speed or fit falls short: the catalog device with the least memory
    // that runs it well at the workload's decode target (the smallest step up).
    if (e.fit != Fit::RunsWell || here.speed.decode_tps < w.decode_target_tps) {
        const Device* best = nullptr;
        double best_tps = 0;
        for (const Device& other : c.devices) {
            if (&other == &d) continue;
            Setup t = on_card(s, other);
            WorkloadResult r = grade_workload(t, w, mode, GradeContext::Setup);
            if (r.estimate.fit != Fit::RunsWell || r.speed.decode_tps < w.decode_target_tps) continue;
            if (!best || other.memory_gib < best->memory_gib ||
                (other.memory_gib == best->memory_gib && r.speed.decode_tps > best_tps)) {
                best = &other;
                best_tps = r.speed.decode_tps;
            }
        }
        if (best)
            out.push_back({"device", "Move to " + best->name,
                           best->name + " is the smallest catalog device that runs it well at the " + w.name +
                               " target: about " + fixed(best_tps, 1) + " tok/s (" + fixed(best->bandwidth_gbs, 0) + " GB/s, " +
                               gib(best->memory_gib) + ")."});
    }
    return out;
}

std::string Command::text() const {
    std::string out;
    for (const ShellLine& l : lines) {
        if (!out.empty()) out += '\n';
        out += l.text();
    }
    return out;
}

namespace {
// Built from validated ids only (catalog.cpp: is_id), and quoted as a word anyway.
std::string gguf_file(const Setup& s) { return s.model->id + "-" + s.quant->id + ".gguf"; }

void add_kv_flags(ShellLine& l, const Setup& s) {
    if (s.kv == KvType::F16) return;
    std::string t(to_string(s.kv));
    l.args({"--cache-type-k", t, "--cache-type-v", t});
}

// A setup whose layers are split by card (mixed cards, or a split the user gave).
bool has_split(const Setup& s) { return !s.other_gpus.empty() || !s.tensor_split.empty(); }

// Each card's share of the layers in whole percent, `separator` between cards (llama-server takes
// "67,33"; llama-bench "67/33", its commas listing several runs).
std::string split_percents(const Setup& s, char separator) {
    std::string out;
    for (double share : layer_shares(s)) {
        if (!out.empty()) out += separator;
        out += fixed(share * 100, 0);
    }
    return out;
}

void add_offload_flags(ShellLine& l, const Setup& s, const Estimate& e) {
    if (!can_offload(*s.device)) return;
    const Placement& p = e.placement;
    if (p.kind == OffloadKind::Experts) l.args({"-ngl", "99", "--n-cpu-moe", std::to_string(p.cpu_expert_layers)});
    else if (p.kind == OffloadKind::Layers) l.args({"-ngl", std::to_string(p.gpu_layers)});
    else l.args({"-ngl", "99"});
    // Mixed cards: the layers split as the estimate places them (llama.cpp's default splits by free
    // memory, close to this), the output layer on the first card.
    if (has_split(s)) l.args({"--tensor-split", split_percents(s, ','), "--main-gpu", "0"});
}

// Where the weights come from: a published GGUF of the quant (by -hf repo:QUANT, downloaded by
// the runtime itself), or a local file when no public repository is recorded.
struct ModelSource {
    const Download* download = nullptr;
    std::string hf_tag;      // "owner/name:QUANT"
    std::string local_file;  // when there is no download
};

// The llama.cpp server options shared by the native and the Docker command. Several
// streams share one server: -c is the total of their contexts, -np the slots.
void add_server_options(ShellLine& l, const Setup& s, const Estimate& e, const ModelSource& from, const std::string& dir) {
    if (from.download) l.args({"-hf", from.hf_tag});
    else l.args({"-m", dir + from.local_file});
    l.args({"-c", std::to_string(s.context * std::max(1, s.concurrency))});
    if (s.concurrency > 1) l.args({"-np", std::to_string(s.concurrency)});
    add_offload_flags(l, s, e);
    // A quantized V cache needs flash attention; otherwise llama.cpp turns it on where the backend
    // has kernels for the model's attention (-fa auto, the default since the on/off/auto option).
    l.args({"-fa", s.kv == KvType::F16 ? "auto" : "on"});
    add_kv_flags(l, s);
}

std::string docker_image(const Device& d) {
    if (d.backend == "cuda") return "ghcr.io/ggml-org/llama.cpp:server-cuda";
    if (d.backend == "rocm") return "ghcr.io/ggml-org/llama.cpp:server-rocm";
    if (d.backend == "vulkan") return "ghcr.io/ggml-org/llama.cpp:server-vulkan";
    if (d.backend == "sycl") return "ghcr.io/ggml-org/llama.cpp:server-intel";
    return "ghcr.io/ggml-org/llama.cpp:server";
}

std::vector<std::string> docker_devices(const Device& d) {
    if (d.backend == "cuda") return {"--gpus", "all"};
    if (d.backend == "rocm" || d.backend == "vulkan") return {"--device", "/dev/kfd", "--device", "/dev/dri"};
    if (d.backend == "sycl") return {"--device", "/dev/dri"};
    return {};
}
// "llama.cpp b7957 (2026-02-06) or newer runs this model"; "" when the release is not established.
std::string since_text(const RuntimeSupport* r, const char* runtime_name) {
    if (!r || r->since.empty()) return "";
    return std::string(runtime_name) + " " + r->since + (r->date.empty() ? "" : " (" + r->date + ")") + " or newer runs this model";
}

bool runs_on(const RuntimeSupport* r) { return !r || r->supported; }

// A command's lines without the ones left empty (a comment with nothing to say).
std::vector<ShellLine> lines_of(std::initializer_list<ShellLine> lines) {
    std::vector<ShellLine> out;
    for (const ShellLine& l : lines)
        if (!l.empty()) out.push_back(l);
    return out;
}

// The published GGUF nearest in bits to the asked quant, when that one is not published.
const Download* nearest_download(const Catalog& c, const Availability& where, const Quant& q, const std::string& format) {
    const Download* best = nullptr;
    double best_gap = 0;
    for (const Download& d : where.downloads) {
        const Quant* dq = c.quant(d.quant);
        if (d.format != format || !dq) continue;
        double gap = std::abs(dq->bpw_body - q.bpw_body);
        if (!best || gap < best_gap) { best = &d; best_gap = gap; }
    }
    return best;
}
}  // namespace

const Download* published_download(const Catalog& c, const Availability* where, const Quant& q, bool& exact) {
    exact = false;
    if (!where || q.family != "gguf") return nullptr;
    if (const Download* d = where->download("gguf", q.id)) { exact = true; return d; }
    return nearest_download(c, *where, q, "gguf");
}

std::vector<Command> run_commands(const Catalog& c, const Setup& s, const Estimate& e, const Availability* where) {
    std::vector<Command> out;
    const Device& d = *s.device;
    const Quant& q = *s.quant;
    const std::string ctx = std::to_string(s.context);
    const RuntimeSupport* llama = where ? where->runtime("llama.cpp") : nullptr;
    if (q.family == "gguf" && runs_on(llama)) {
        bool exact = false;
        ModelSource from;
        from.download = published_download(c, where, q, exact);
        if (from.download) from.hf_tag = from.download->repo + ":" + from.download->quant;
        else from.local_file = gguf_file(s);
        ShellLine note;
        if (!from.download)
            note.comment(s.model->hf_repo.empty() || where ? "no public GGUF of this model is recorded: your " + q.id + " file, saved as " + from.local_file
                                                           : "your " + q.id + " GGUF of " + s.model->hf_repo + ", saved as " + from.local_file);
        else if (!exact)
            note.comment("no published " + q.id + " GGUF is recorded; " + from.download->quant + " is the nearest (" + from.download->repo + ")");
        ShellLine version;
        version.comment(since_text(llama, "llama.cpp"));
        ShellLine order;  // the split follows the cards' order: say which is which
        if (!s.other_gpus.empty()) {
            std::string cards;
            std::vector<const Device*> list = gpu_cards(s);
            for (size_t i = 0; i < list.size(); ++i) cards += (i ? ", GPU " : "GPU ") + std::to_string(i) + " = " + list[i]->name;
            order.comment(cards + " (the order the driver lists them; CUDA_VISIBLE_DEVICES / ROCR_VISIBLE_DEVICES can set it)");
        }
        ShellLine server;
        server.arg("llama-server");
        add_server_options(server, s, e, from, "");
        if (card_count(s) > 1) server.args({"--split-mode", "layer"});
        server.args({"--port", "8080"});
        out.push_back({"llama.cpp", "llama.cpp server", lines_of({note, version, order, server})});
        if (e.placement.kind != OffloadKind::Experts) {
            // The measurement that checks this estimate (paste its table into "Check it on your machine").
            ShellLine bench;
            bench.arg("llama-bench");
            if (from.download) bench.args({"-hf", from.hf_tag});
            else bench.args({"-m", from.local_file});
            bench.args({"-p", "512", "-n", "128", "-fa", "1"});
            if (can_offload(d)) bench.args({"-ngl", e.placement.kind == OffloadKind::Layers ? std::to_string(e.placement.gpu_layers) : "99"});
            if (has_split(s)) bench.args({"-ts", split_percents(s, '/')});
            if (s.kv != KvType::F16) bench.args({"-ctk", std::string(to_string(s.kv)), "-ctv", std::string(to_string(s.kv))});
            out.push_back({"llama-bench", "Measure it (llama-bench)", lines_of({order, bench})});
        }
        if (d.backend != "metal") {
            ShellLine docker;
            docker.args({"docker", "run", "--rm", "-it"}).args(docker_devices(d));
            // The image's llama-server downloads into its cache folder: keep that on the host.
            docker.arg("-v").literal(from.download ? kLlamaCacheMount : kCurrentFolderMount);
            docker.args({"-p", "8080:8080", docker_image(d)});
            add_server_options(docker, s, e, from, "/models/");
            docker.args({"--host", "0.0.0.0", "--port", "8080"});
            out.push_back({"docker", "llama.cpp in Docker", {docker}});
        }
        const RuntimeSupport* ollama = where ? where->runtime("ollama") : nullptr;
        // Ollama pulls single-file GGUFs from Hugging Face (hf.co/owner/name:QUANT), not split ones.
        if (runs_on(ollama) && (!from.download || !from.download->split)) {
            ShellLine modelfile, create, run, since;
            std::string base = from.download ? "hf.co/" + from.hf_tag : "./" + from.local_file;
            modelfile.args({"printf", "FROM %s\\nPARAMETER num_ctx %s\\n", base, ctx}).redirect_to("Modelfile");
            create.args({"ollama", "create", s.model->id, "-f", "Modelfile"});
            run.args({"ollama", "run", s.model->id});
            since.comment(ollama && ollama->since.empty() ? "the first Ollama release that runs this model is not established"
                                                          : since_text(ollama, "Ollama"));
            out.push_back({"ollama", "Ollama", lines_of({since, modelfile, create, run})});
        }
        ShellLine get, load;
        if (from.download) {
            get.args({"lms", "get", "https://huggingface.co/" + from.download->repo})
                .comment("pick " + from.download->quant + " when asked");
            load.comment("then load it with context length " + ctx + " in LM Studio");
            out.push_back({"lmstudio", "LM Studio (lms CLI)", {get, load}});
        } else {
            get.args({"lms", "import", from.local_file});
            load.args({"lms", "load", s.model->id, "--context-length", ctx, "--gpu",
                       e.placement.kind == OffloadKind::None ? "max" : std::to_string(1.0 - e.placement.offload_fraction).substr(0, 4)});
            out.push_back({"lmstudio", "LM Studio (lms CLI)", {get, load}});
        }
    }
    const RuntimeSupport* mlx = where ? where->runtime("mlx") : nullptr;
    if (d.backend == "metal" && !s.model->hf_repo.empty() && runs_on(mlx)) {
        ShellLine version, convert, serve;
        version.comment(since_text(mlx, "mlx-lm"));
        const Download* published = where && q.family == "mlx" ? where->download("mlx", q.id) : nullptr;
        if (published) {
            serve.args({"mlx_lm.server", "--model", published->repo, "--port", "8080"});
        } else {
            // MLX converts from the original weights; its widths are 2-6 and 8 bits (quants.csv): the nearest one.
            int bits = q.bits >= 16 ? 16 : std::clamp(static_cast<int>(std::lround(q.bits)), 2, 8);
            if (bits == 7) bits = 8;
            convert.args({"mlx_lm.convert", "--hf-path", s.model->hf_repo});
            if (bits != 16) convert.args({"-q", "--q-bits", std::to_string(bits)});
            convert.args({"--mlx-path", "./" + s.model->id + "-mlx"});
            serve.args({"mlx_lm.server", "--model", "./" + s.model->id + "-mlx", "--port", "8080"});
        }
        out.push_back({"mlx", "MLX (mlx-lm)" + std::string(q.family == "mlx" ? "" : ", nearest to " + q.id),
                       lines_of({version, convert, serve})});
    }
    // The batched engines load the model's own checkpoint, quantize a 16-bit one to FP8 as they load it, or
    // load a pre-quantized checkpoint the catalog records; with none of these there is no command (one that
    // asks for another format than the checkpoint's fails at load). Each runs the whole model on the GPUs.
    std::optional<BatchedWeights> weights = batched_weights(*s.model, q, where);
    // The engine loads this checkpoint on this GPU (its tensor cores, or vLLM's weight-only FP8 on Turing and Ampere).
    auto launchable = [&](const char* runtime, const RuntimeSupport* support) {
        return batched_engine_runs(q, d, runtime) && runs_on(support) && e.placement.kind == OffloadKind::None && weights;
    };
    const int gpus = std::max(1, s.gpus), tp = s.tensor_parallel > 0 ? std::min(s.tensor_parallel, gpus) : gpus;
    const RuntimeSupport* vllm = where ? where->runtime("vllm") : nullptr;
    if (launchable("vllm", vllm)) {
        ShellLine version, serve;
        version.comment(since_text(vllm, "vLLM"));
        serve.args({"vllm", "serve", weights->repo, "--max-model-len", ctx, "--tensor-parallel-size", std::to_string(tp)});
        if (gpus / tp > 1) serve.args({"--data-parallel-size", std::to_string(gpus / tp)});
        if (s.concurrency > 1) serve.args({"--max-num-seqs", std::to_string(s.concurrency)});
        if (weights->quantize_on_load) serve.args({"--quantization", "fp8"});
        serve.args({"--gpu-memory-utilization", fixed(calibration::kBatchedMemoryFraction, 2)});
        out.push_back({"vllm", "vLLM", lines_of({version, serve})});
    }
    // SGLang's memory share and prefill chunk are left to its own defaults, which the serving plan models
    // (calibration::sglang_defaults).
    const RuntimeSupport* sglang = where ? where->runtime("sglang") : nullptr;
    if (launchable("sglang", sglang)) {
        ShellLine version, serve;
        version.comment(since_text(sglang, "SGLang"));
        serve.args({"python3", "-m", "sglang.launch_server", "--model-path", weights->repo, "--context-length", ctx, "--tp-size", std::to_string(tp)});
        if (gpus / tp > 1) serve.args({"--dp-size", std::to_string(gpus / tp)});
        if (s.concurrency > 1) serve.args({"--max-running-requests", std::to_string(s.concurrency)});
        if (weights->quantize_on_load) serve.args({"--quantization", "fp8"});
        serve.args({"--port", "30000"});
        out.push_back({"sglang", "SGLang", lines_of({version, serve})});
    }
    return out;
}

std::vector<RankedModel> rank_models(const Catalog& c, const Setup& base, const Workload& w, const Mode& mode) {
    std::vector<RankedModel> out;
    for (const Model& m : c.models) {
        Setup s = base;
        s.model = &m;
        s.context = std::min(base.context, m.max_context);  // each model at the asked context, within its limit
        QuantTable t = quant_table(c, s, w, mode);
        if (t.best < 0) continue;
        s.quant = t.options[t.best].quant;
        out.push_back({&m, s.quant, grade_workload(s, w, mode, GradeContext::Setup)});
    }
    // Within a grade, the most capable (largest) model first: that is what a user
    // browsing "what runs on my device" is looking for.
    std::stable_sort(out.begin(), out.end(), [](const RankedModel& a, const RankedModel& b) {
        int ga = grade_band(a.result.score), gb = grade_band(b.result.score);
        if (ga != gb) return ga > gb;
        if (a.model->params_b != b.model->params_b) return a.model->params_b > b.model->params_b;
        return a.result.score > b.result.score;
    });
    return out;
}

}  // namespace runwell
