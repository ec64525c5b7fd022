// Catalog types and the strict loader. Everything here is plain data: the
// physics lives in estimate.hpp, so a model from a config.json or a device
// typed in by a user is estimated exactly like a catalog entry.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runwell/calibration.hpp"

namespace runwell {

// One problem found while reading input: a stable code, where it is, what is wrong.
struct Problem {
    std::string code;     // e.g. "unknown_key", "missing_field", "out_of_range"
    std::string path;     // e.g. "models[3].attention.kv_heads"
    std::string message;  // human readable
};

enum class DeviceKind { DiscreteGpu, DatacenterGpu, Unified, Cpu };
enum class AttentionKind { Mha, Gqa, Mla };

struct Attention {
    AttentionKind kind = AttentionKind::Gqa;
    int heads = 0;
    int kv_heads = 0;          // MHA/GQA layers that grow with context
    int head_dim = 0;
    int kv_lora_rank = 0;      // MLA latent cache width
    int rope_dim = 0;          // MLA decoupled RoPE key width
    int full_layers = 0;       // layers whose cache grows with the whole context
    int window = 0;            // sliding-window / chunk size in tokens
    int window_layers = 0;     // layers capped at `window`
    int window_kv_heads = 0;   // 0 = same as kv_heads
    int window_head_dim = 0;   // 0 = same as head_dim
    int linear_layers = 0;     // linear-attention / SSM layers (fixed state)
    std::string linear_kind;   // their kind: gated_delta (Qwen3-Next, Qwen3.5), kda (Kimi Linear), mamba2, short_conv
    double linear_state_mib = 0;  // their total recurrent state per sequence, in f32 (llama.cpp keeps r/s states in f32)
};

struct Moe {
    int experts = 0;
    int active_experts = 0;
    int shared_experts = 0;
    double expert_params_b = 0;  // routed expert parameters when published; 0 = derive
};

// A calendar date "YYYY-MM-DD" as days since 1970-01-01; nullopt for any other text or a day the
// calendar lacks (2026-02-30).
std::optional<long> parse_day(std::string_view text);

struct Model {
    std::string id, name, hf_repo, release, license;
    long release_day = 0;  // `release` as days since 1970-01-01; 0: not known (an imported config)
    // The quant hf_repo publishes its weights in (gpt-oss: MXFP4 experts; DeepSeek: FP8): what a batched
    // engine loads from that repo. BF16 unless models.json says otherwise.
    std::string checkpoint = "BF16";
    double params_b = 0;         // total parameters, billions
    double active_params_b = 0;  // read per token (== params_b for dense)
    int layers = 0, hidden = 0, vocab = 0;
    bool tied_embeddings = false;
    long max_context = 0;
    Attention attention;
    std::optional<Moe> moe;
    std::vector<std::string> source;
    std::string notes;
    bool is_default = false;  // the catalog's starting choice (exactly one model has it)
};

struct Device {
    std::string id, name, vendor, backend, memory_type;
    DeviceKind kind = DeviceKind::DiscreteGpu;
    double memory_gib = 0;      // nameplate memory ("24 GB" cards hold 24 GiB)
    double bandwidth_gbs = 0;   // theoretical peak, 1e9 B/s
    double fp16_tflops = 0;     // dense matrix throughput used for prefill
    // Matrix throughput of a dedicated path today's runtimes use for prefill (Apple M5 GPU
    // neural accelerators: llama.cpp Metal tensor API since #16634, MLX >= 0.30); 0 = none.
    double accelerated_fp16_tflops = 0;
    double host_link_gbs = 0;   // PCIe/C2C to host memory (GPUs only), each direction
    // GPU-to-GPU link of a multi-GPU server (NVLink, Infinity Fabric), per GPU, both directions
    // together as vendors quote it; 0 = none (GPUs talk over PCIe).
    double interconnect_gbs = 0;
    // The most GPUs that link joins (NVLink bridges: pairs of H100 NVL, up to four H200 NVL); a larger
    // group's all-reduces go over PCIe. 0: every GPU of the server (NVSwitch, a fully connected fabric).
    int interconnect_gpus = 0;
    std::optional<double> usable_gib;  // measured override of the usable-memory rule
    // Low-precision matrix formats in hardware: fp8 (OCP E4M3/E5M2), fp8_fnuz (CDNA3's own FP8 encoding,
    // no OCP FP8: its 8-bit matmuls run on ROCm-only kernels), fp4 (NVFP4/MXFP4).
    std::vector<std::string> tensor_formats;
    // NVIDIA's CUDA compute capability (developer.nvidia.com/cuda-gpus), required of every CUDA device: the
    // kernels a runtime has for it (vLLM's FP8 Marlin needs 7.5). 0 on other backends.
    double cuda_compute_capability = 0;
    int release_year = 0;
    double price_usd = 0, tdp_w = 0;
    std::vector<std::string> source;
    std::string notes;
    bool is_default = false;
};

struct Quant {
    // family: gguf (llama.cpp files), mlx, fp (FP8/FP4 checkpoints the batched engines load) or int
    // (integer weight-only checkpoints they load, e.g. compressed-tensors W4A16: multiplied in 16 bits).
    std::string id, name, family;
    double bits = 0;          // nominal bits shown to the user
    double bpw_body = 0;      // bits per weight of the repeating layers
    double bpw_embed = 0;     // token embedding table
    double bpw_output = 0;    // output head (lm_head)
    double kld = 0;           // KL divergence vs 16-bit (quality)
    bool experts_only = false;  // only MoE expert tensors use bpw_body; the rest bpw_output
    // experts_only: the rest is also multiplied in 16 bits, not in tensor_format (gpt-oss's checkpoint keeps
    // attention, router and head in BF16); false where an export may narrow it too.
    bool rest_in_16_bits = false;
    // A checkpoint format whose expert tensors this one stores unchanged (llama.cpp's MXFP4 GGUF repacks
    // gpt-oss's MXFP4 blocks): for a model released in that format, no loss (advice kld_of).
    std::string experts_as;
    // The batched engines load this checkpoint only where the tensor cores multiply its format (a Device's
    // tensor_formats; fp8 also takes CDNA3's fp8_fnuz) and, for a vendor's own format, only on that vendor's
    // GPUs. Empty: any GPU they run on (16-bit matmuls, or weights unpacked to 16 bits for them).
    std::string tensor_format;  // "", fp8 or fp4
    std::string vendor;         // "" or the one vendor (NVFP4: NVIDIA)
    // Where the tensor cores lack tensor_format, these runtimes still load it on a CUDA GPU of at least this
    // compute capability, weight-only: the weights stay in the format, the matmuls unpack them to 16 bits
    // (vLLM's FP8 Marlin, W8A16, on Turing and Ampere).
    std::vector<std::string> weight_only_runtimes;
    double weight_only_min_compute_capability = 0;
    // The batched engines' kernels for this format take the experts' hidden dimension in multiples of this
    // and pad the loaded expert weights to it (0: loaded as stored).
    int expert_hidden_multiple = 0;
    std::vector<std::string> runtimes;
    std::vector<std::string> source;
    std::string notes;
};

// A checkpoint the batched engines (vLLM, SGLang) load, rather than a llama.cpp or MLX file.
inline bool is_batched_checkpoint(const Quant& q) { return q.family == "fp" || q.family == "int"; }

struct Workload {
    std::string id, name, why;
    long prompt_tokens = 0, output_tokens = 0, context_tokens = 0;
    double decode_target_tps = 0, ttft_target_s = 0, quality_weight = 0;
    bool is_default = false;
};

struct ModeWeights { double decode = 0, ttft = 0, context = 0, quality = 0; };

struct Mode {
    std::string id, name, description;
    int concurrency = 1;
    ModeWeights weights;
    bool is_default = false;
};

// Which runtimes run a model, since when, and where its files are published
// (data/availability.json; every entry cites its source).
struct RuntimeSupport {
    std::string runtime;    // llama.cpp, ollama, lmstudio, mlx, vllm, sglang
    bool supported = true;  // false: the runtime does not run this architecture (evidence in source)
    std::string since;      // first release that runs it (b7957, v0.28.4), "" when not established
    std::string date;       // YYYY-MM-DD of that change, "" when not established
    std::string source;     // the PR, commit or release note
    std::string notes;
};

struct Download {
    std::string format;   // gguf, mlx, or hf (a pre-quantized checkpoint the batched engines load)
    std::string repo;     // Hugging Face owner/name
    std::string quant;    // catalog quant id the files hold
    std::string file;     // the file (first shard when split), "" when not seen
    double size_gb = 0;   // as published (1e9 bytes), 0 when not seen
    bool split = false;   // several shards (Ollama cannot pull those from Hugging Face)
    std::string source;   // where the file was seen
};

struct Availability {
    std::string model;
    std::vector<RuntimeSupport> runtimes;
    std::vector<Download> downloads;
    const RuntimeSupport* runtime(std::string_view id) const;
    // The published download of a quant in a format, the first listed (best source) when several.
    const Download* download(std::string_view format, std::string_view quant) const;
};

struct Catalog {
    std::vector<Model> models;
    std::vector<Device> devices;
    std::vector<Quant> quants;
    std::vector<Workload> workloads;
    std::vector<Mode> modes;
    Calibration calibration;  // data/calibration.json
    bool has_calibration = false;
    std::vector<Availability> availability;  // data/availability.json
    // The day availability.json's runtime support was last checked (days since 1970-01-01): the day the
    // estimates are for, unless a request names another ("as_of").
    long as_of_day = 0;

    const Model* model(std::string_view id) const;
    const Device* device(std::string_view id) const;
    const Quant* quant(std::string_view id) const;
    const Workload* workload(std::string_view id) const;
    const Mode* mode(std::string_view id) const;
    const Availability* availability_of(std::string_view model_id) const;  // null for inline models
    // The entries marked "default": true, one per list (the loader refuses a catalog without).
    const Model& default_model() const;
    const Device& default_device() const;
    const Workload& default_workload() const;
    const Mode& default_mode() const;
};

struct CatalogLoad {
    Catalog catalog;
    std::vector<Problem> problems;
    bool ok() const { return problems.empty(); }
};

// Each text is one JSON object holding any of the keys "models", "hardware",
// "quants", "workloads", "modes", "calibration". Every problem is reported with its path;
// a catalog with problems must not be used.
CatalogLoad load_catalog(const std::vector<std::pair<std::string, std::string>>& named_texts);

// The catalog's files in a folder (kCatalogFiles), named and
// read for load_catalog. An unreadable file is a "missing_file" problem; the rest are still read.
// A regular file of bounded size (no FIFOs, devices or huge files); false and a problem otherwise.
bool read_text_file(const std::string& path, std::string& text, std::vector<Problem>& problems);
inline constexpr const char* kCatalogFiles[] = {"models.json", "hardware.json", "quants.json", "workloads.json", "modes.json",
                                                "calibration.json", "availability.json"};
std::vector<std::pair<std::string, std::string>> read_catalog_dir(const std::string& dir, std::vector<Problem>& problems);

inline constexpr const char* kBackends[] = {"cuda", "rocm", "metal", "mlx", "vulkan", "sycl", "cpu"};
inline constexpr DeviceKind kDeviceKinds[] = {DeviceKind::DiscreteGpu, DeviceKind::DatacenterGpu, DeviceKind::Unified, DeviceKind::Cpu};
bool known_backend(std::string_view backend);
// Reads a "calibration" object (data/calibration.json, or a trial file for fitting).
Calibration read_calibration_json(const std::string& text, std::vector<Problem>& problems);
std::string_view to_string(DeviceKind kind);
std::string_view to_string(AttentionKind kind);

}  // namespace runwell
