// Fit status, offload placement, safe context and grades on real catalog setups.
#include <nlohmann/json.hpp>

#include "support.hpp"

#include "runwell/advice.hpp"

using namespace runwell;

TEST_CASE("an 8B model at Q4_K_M runs well on a 24 GB GPU") {
    Estimate e = estimate_fit(test::setup("llama-3.1-8b-instruct", "rtx-4090", "Q4_K_M"));
    CHECK(e.fit == Fit::RunsWell);
    CHECK(e.placement.kind == OffloadKind::None);
    // weights 4.6 + KV 1.0 + buffers < 0.85 x 23.6 GiB usable
    CHECK(e.memory.total() < 8.0);
}

TEST_CASE("a dense 70B at Q4_K_M on one 24 GB GPU needs layer offload") {
    Setup s = test::setup("llama-3.1-70b-instruct", "rtx-4090", "Q4_K_M");
    s.host_ram_gib = 64;
    Estimate e = estimate_fit(s);
    REQUIRE(e.fit == Fit::Offload);
    CHECK(e.placement.kind == OffloadKind::Layers);
    // ~42 GiB needed, ~23.6 usable: about 45-55 % of the weights go to the host.
    CHECK(e.placement.offload_fraction == Approx(0.5).margin(0.08));
    CHECK(e.placement.gpu_layers > 30);
    CHECK(e.placement.gpu_layers < 50);
    CHECK(e.placement.host_ram_needed_gib > e.placement.cpu_weight_gib);
}

TEST_CASE("an MoE that does not fit offloads experts first") {
    // Qwen3-30B-A3B Q8_0 (~30 GiB) on a 16 GB card: attention stays on the GPU (--n-cpu-moe).
    Setup s = test::setup("qwen3-30b-a3b", "rtx-4080", "Q8_0");
    Estimate e = estimate_fit(s);
    REQUIRE(e.fit == Fit::Offload);
    CHECK(e.placement.kind == OffloadKind::Experts);
    CHECK(e.placement.cpu_expert_layers > 0);
    CHECK(e.placement.gpu_layers == s.model->layers);
}

TEST_CASE("offload is refused when host RAM cannot hold the rest, and on unified memory") {
    Setup s = test::setup("llama-3.1-405b-instruct", "rtx-4090", "Q4_K_M");
    s.host_ram_gib = 32;
    CHECK(estimate_fit(s).fit == Fit::WontRun);
    Setup mac = test::setup("llama-3.1-405b-instruct", "apple-m2-ultra-128gb", "Q4_K_M");
    mac.host_ram_gib = 1024;  // ignored: a Mac has one memory pool
    Estimate e = estimate_fit(mac);
    CHECK(e.fit == Fit::WontRun);
    CHECK(e.safe_context == 0);
}

TEST_CASE("tight means above 85 % of usable memory but within it") {
    // Find the context where Llama-3.1-8B F16 (~15 GiB of weights) crosses 85 % of a 24 GB card.
    Setup s = test::setup("llama-3.1-8b-instruct", "rtx-4090", "F16", 8192);
    CHECK(estimate_fit(s).fit == Fit::RunsWell);
    s.context = 49152;  // +6 GiB of cache: ~21.4 GiB of 23.75
    Estimate e = estimate_fit(s);
    CHECK(e.memory.total() > 0.85 * e.usable_gib);
    CHECK(e.fit == Fit::Tight);
}

TEST_CASE("safe context keeps 10 % headroom and stops at the model's limit") {
    Setup s = test::setup("llama-3.1-8b-instruct", "rtx-4080", "Q4_K_M");
    Estimate e = estimate_fit(s);
    REQUIRE(e.safe_context > 8192);
    REQUIRE(e.safe_context < s.model->max_context);
    Setup at = s;
    at.context = e.safe_context;
    CHECK(memory_needed(at).total() <= 0.90 * e.usable_gib);
    at.context = e.safe_context + 512;
    CHECK(memory_needed(at).total() > 0.90 * e.usable_gib);
    Estimate big = estimate_fit(test::setup("llama-3.2-1b-instruct", "h200", "Q8_0"));
    CHECK(big.safe_context == 131072);
}

TEST_CASE("Kimi Linear 48B-A3B fits every device it is judged on at Q4_K_M") {
    for (const char* dev : {"apple-m2-ultra-128gb", "mi100", "l40", "v100-32gb", "rtx-pro-4500-blackwell"}) {
        INFO(dev);
        Estimate e = estimate_fit(test::setup("kimi-linear-48b-a3b-instruct", dev, "Q4_K_M"));
        // 48B x ~4.8 bits = ~27 GiB of weights; its cache is tiny (8 KB/token), so 32 GB cards fit.
        CHECK(e.memory.weights == Approx(27).margin(1.5));
        CHECK(e.fit != Fit::WontRun);
        CHECK(e.memory.kv_cache < 0.1);
    }
}

TEST_CASE("grades never exceed what the fit allows") {
    const Catalog& c = test::catalog();
    const Mode& mode = *c.mode("balanced");
    for (const Workload& w : c.workloads) {
        INFO(w.id);
        Setup off = test::setup("llama-3.1-70b-instruct", "rtx-4090", "Q4_K_M");
        off.host_ram_gib = 128;
        WorkloadResult r = grade_workload(off, w, mode);
        REQUIRE(r.estimate.fit == Fit::Offload);  // ~40 GiB of weights on a 24 GB card with 128 GiB of host RAM
        CHECK(r.score <= 64.0);
        Setup none = test::setup("llama-3.1-405b-instruct", "rtx-3060-12gb", "BF16");
        WorkloadResult f = grade_workload(none, w, mode);
        CHECK(f.estimate.fit == Fit::WontRun);
        CHECK(f.grade == "F");
    }
}

TEST_CASE("the best quant for a roomy device is near-lossless and the fastest of the near-equal ones") {
    const Catalog& c = test::catalog();
    Setup s = test::setup("llama-3.1-8b-instruct", "h100-sxm", "Q4_K_M");
    QuantTable t = quant_table(c, s, *c.workload("chat"), *c.mode("balanced"));
    REQUIRE(t.best >= 0);
    const QuantOption& best = t.options[t.best];
    // Everything fits at >2,000 GB/s: quality decides, so nothing below Q5_K_M (KLD 0.011)...
    CHECK(best.quant->kld <= 0.011);
    double top = 0, bf16_tps = 0;
    for (const QuantOption& o : t.options) {
        top = std::max(top, o.score);
        if (o.quant->id == "BF16") bf16_tps = o.decode_tps;
    }
    // ...but among scores within half a point of the top, the fastest wins over BF16.
    CHECK(best.score >= top - 0.5);
    CHECK(best.decode_tps > bf16_tps);
    // And on a 8 GB card a 14B must drop to a small quant or offload.
    Setup small = test::setup("qwen3-14b", "rtx-4060", "Q4_K_M");
    QuantTable ts = quant_table(c, small, *c.workload("chat"), *c.mode("balanced"));
    REQUIRE(ts.best >= 0);
    CHECK(ts.options[ts.best].quant->bpw_body < 6.0);
}

TEST_CASE("MLX and vLLM formats apply only where their runtime runs") {
    const Catalog& c = test::catalog();
    CHECK(quant_applies(*c.quant("MLX_4BIT"), *c.device("apple-m4-max-40c-128gb")));
    CHECK_FALSE(quant_applies(*c.quant("MLX_4BIT"), *c.device("rtx-4090")));
    CHECK(quant_applies(*c.quant("FP8"), *c.device("h100-sxm")));
    // Volta (compute capability 7.0) has no FP8 tensor cores and is below the 7.5 vLLM's FP8 Marlin kernels need.
    CHECK_FALSE(quant_applies(*c.quant("FP8"), *c.device("v100-32gb")));
    CHECK_FALSE(quant_applies(*c.quant("FP8"), *c.device("tesla-p40")));
    CHECK_FALSE(quant_applies(*c.quant("NVFP4"), *c.device("rtx-4090")));  // needs Blackwell
    // Capabilities come from the catalog, not the release year: Ampere has no FP8 tensor cores, even the
    // RTX 3090 Ti of 2022 (NVIDIA Ampere GA102 whitepaper: tensor cores FP16/BF16/TF32/INT8/INT4), but vLLM
    // runs FP8 checkpoints on it weight-only (compute capability 8.6; Turing's 7.5 too: the T4).
    for (const char* weight_only : {"rtx-3090-ti", "rtx-3090", "a100-80gb", "t4"}) {
        CAPTURE(weight_only);
        CHECK(quant_applies(*c.quant("FP8"), *c.device(weight_only)));
        CHECK(runwell::runs_weight_only(*c.quant("FP8"), *c.device(weight_only)));
        CHECK_FALSE(runwell::batched_engine_runs(*c.quant("FP8"), *c.device(weight_only), "sglang"));
    }
    CHECK(quant_applies(*c.quant("FP8"), *c.device("rtx-4060")));
    CHECK_FALSE(runwell::runs_weight_only(*c.quant("FP8"), *c.device("rtx-4060")));  // its own FP8 tensor cores
    CHECK(quant_applies(*c.quant("NVFP4"), *c.device("rtx-5090")));
    CHECK_FALSE(quant_applies(*c.quant("NVFP4"), *c.device("mi355x")));  // FP4 hardware, but NVFP4 is NVIDIA's format
    CHECK(quant_applies(*c.quant("Q4_K_M"), *c.device("apple-m2-ultra-128gb")));
}

namespace {
std::vector<Command> commands_for(const Setup& s, const Estimate& e) {
    const Catalog& c = test::catalog();
    return run_commands(c, s, e, c.availability_of(s.model->id));
}
}  // namespace

TEST_CASE("run commands carry the estimate's offload flags") {
    Setup s = test::setup("llama-3.1-70b-instruct", "rtx-4090", "Q4_K_M");
    s.host_ram_gib = 64;
    Estimate e = estimate_fit(s);
    auto cmds = commands_for(s, e);
    REQUIRE_FALSE(cmds.empty());
    CHECK(cmds[0].text().find("-ngl " + std::to_string(e.placement.gpu_layers)) != std::string::npos);
    CHECK(cmds[0].text().find("-c 8192") != std::string::npos);
    Setup moe = test::setup("qwen3-30b-a3b", "rtx-4080", "Q8_0");
    Estimate em = estimate_fit(moe);
    CHECK(commands_for(moe, em)[0].text().find("--n-cpu-moe " + std::to_string(em.placement.cpu_expert_layers)) != std::string::npos);
    // vLLM is offered only for a full GPU fit of a format it serves.
    for (const Command& c : cmds) CHECK(c.runtime != "vllm");
    Setup mac = test::setup("qwen3-8b", "apple-m4-max-40c-128gb", "MLX_4BIT");
    bool has_mlx = false;
    for (const Command& c : commands_for(mac, estimate_fit(mac))) has_mlx |= c.runtime == "mlx";
    CHECK(has_mlx);
}

TEST_CASE("vLLM serves NVFP4 from a pre-quantized checkpoint, never by quantizing a 16-bit one") {
    // vLLM's modelopt_fp4 method reads an NVIDIA ModelOpt export (its hf_quant_config.json); given the original
    // BF16 repo it fails to load. The checkpoint named here is availability.json's (TensorRT-LLM's DeepSeek-R1 blog).
    auto vllm_text = [](const Setup& s) {
        for (const Command& c : commands_for(s, estimate_fit(s)))
            if (c.runtime == "vllm") return c.text();
        return std::string();
    };
    Setup r1 = test::setup("deepseek-r1", "b200", "NVFP4");
    r1.gpus = 8;
    std::string text = vllm_text(r1);
    INFO(text);
    CHECK(text.find("vllm serve nvidia/DeepSeek-R1-FP4 ") != std::string::npos);
    CHECK(text.find("--quantization") == std::string::npos);
    // No NVFP4 checkpoint of Llama 3.3 70B in the catalog: no vLLM command rather than one that cannot load.
    CHECK(vllm_text(test::setup("llama-3.3-70b-instruct", "b200", "NVFP4")).empty());
    // FP8 is quantized by vLLM as it loads the original repo.
    CHECK(vllm_text(test::setup("llama-3.3-70b-instruct", "b200", "FP8")).find("--quantization fp8") != std::string::npos);
}

TEST_CASE("vLLM loads a model's own checkpoint as published, never with a --quantization that contradicts it") {
    // vLLM's _verify_quantization (vllm/config/model.py) raises "Quantization method specified in the model
    // config (mxfp4) does not match the quantization method specified in the `quantization` argument (fp8)"
    // for `vllm serve openai/gpt-oss-120b --quantization fp8`, the line this product used to print.
    // Checkpoint formats: models.json "checkpoint" (gpt-oss MXFP4 experts, DeepSeek FP8, Kimi K2.5 INT4 experts).
    const Catalog& c = test::catalog();
    auto vllm_text = [](Setup s, int gpus) {
        s.gpus = gpus;
        for (const Command& cmd : commands_for(s, estimate_fit(s)))
            if (cmd.runtime == "vllm") return cmd.text();
        return std::string();
    };
    std::string oss = vllm_text(test::setup("gpt-oss-120b", "h100-sxm", "MXFP4_BF16"), 2);
    INFO(oss);
    CHECK(oss.find("vllm serve openai/gpt-oss-120b ") != std::string::npos);
    CHECK(oss.find("--quantization") == std::string::npos);
    CHECK(vllm_text(test::setup("gpt-oss-120b", "h100-sxm", "FP8"), 2).empty());
    std::string r1 = vllm_text(test::setup("deepseek-r1", "h200", "FP8"), 8);
    CHECK(r1.find("vllm serve deepseek-ai/DeepSeek-R1 ") != std::string::npos);
    CHECK(r1.find("--quantization") == std::string::npos);
    CHECK(vllm_text(test::setup("deepseek-r1", "h200", "BF16"), 8).empty());  // its repo holds no BF16 weights
    std::string kimi = vllm_text(test::setup("kimi-k2.5", "h200", "INT4_BF16"), 8);
    CHECK(kimi.find("vllm serve moonshotai/Kimi-K2.5 ") != std::string::npos);
    CHECK(kimi.find("--quantization") == std::string::npos);

    // The formats a scale-out plan may pick are those with weights to load: gpt-oss is never offered FP8,
    // a BF16 model is (quantized as vLLM loads it).
    auto offered = [&](const char* model, const char* quant) {
        Setup s = test::setup(model, "h100-sxm", "Q4_K_M");
        s.gpus = 8;
        for (const QuantOption& o : quant_table(c, s, *c.workload("chat"), *c.mode("scale-out")).options)
            if (o.quant->id == quant) return true;
        return false;
    };
    CHECK_FALSE(offered("gpt-oss-120b", "FP8"));
    CHECK(offered("gpt-oss-120b", "MXFP4_BF16"));
    CHECK(offered("qwen3-235b-a22b", "FP8"));
    CHECK_FALSE(offered("qwen3-235b-a22b", "MXFP4_BF16"));
}

TEST_CASE("several streams share one llama.cpp server: the total context and one slot each") {
    Setup s = test::setup("qwen3-8b", "rtx-4090", "Q4_K_M", 8192);
    s.concurrency = 4;
    std::string text = commands_for(s, estimate_fit(s))[0].text();
    CHECK(text.find("-c 32768 -np 4") != std::string::npos);  // 4 x 8192 tokens, llama-server splits -c over -np slots
}

TEST_CASE("commands follow the runtimes that run the model and download what the catalog records") {
    const Catalog& c = test::catalog();
    // Kimi Linear: a bartowski GGUF per quant (data/availability.json), llama.cpp since b7957 (PR #18755).
    Setup kimi = test::setup("kimi-linear-48b-a3b-instruct", "l40", "Q4_K_M", 8192);
    auto cmds = commands_for(kimi, estimate_fit(kimi));
    REQUIRE_FALSE(cmds.empty());
    CHECK(cmds[0].text().find("-hf bartowski/moonshotai_Kimi-Linear-48B-A3B-Instruct-GGUF:Q4_K_M") != std::string::npos);
    CHECK(cmds[0].text().find("llama.cpp b7957") != std::string::npos);
    // A runtime marked unsupported gets no command (a copy of the entry, flipped).
    Availability no_ollama = *c.availability_of("qwen3-8b");
    for (RuntimeSupport& r : no_ollama.runtimes)
        if (r.runtime == "ollama") r.supported = false;
    Setup qwen = test::setup("qwen3-8b", "rtx-4090", "Q4_K_M");
    for (const Command& cmd : run_commands(c, qwen, estimate_fit(qwen), &no_ollama)) CHECK(cmd.runtime != "ollama");
    // A model with no recorded GGUF keeps a local file and says so.
    Availability none = *c.availability_of("qwen3-8b");
    none.downloads.clear();
    std::string local = run_commands(c, qwen, estimate_fit(qwen), &none)[0].text();
    CHECK(local.find("-m qwen3-8b-Q4_K_M.gguf") != std::string::npos);
    CHECK(local.find("no public GGUF") != std::string::npos);
}

TEST_CASE("unified memory: the GPU share the user set is the usable memory, and discrete GPUs refuse the setting") {
    // Strix Halo 128 GB with Linux's default TTM limit, half of RAM (64 GiB): gpt-oss-120b
    // (~61 GiB of MXFP4 weights, published 63.4 GB file) no longer runs well.
    Setup s = test::setup("gpt-oss-120b", "ryzen-ai-max-plus-395-128gb", "MXFP4", 8192);
    Estimate tuned = estimate_fit(s);
    s.gpu_memory_gib = 64;
    Estimate halved = estimate_fit(s);
    CHECK(halved.usable_gib == Approx(64));
    CHECK(static_cast<int>(halved.fit) > static_cast<int>(tuned.fit));  // a worse class (RunsWell < Tight < ...)
    s.gpu_memory_gib = 1000;  // more than the machine has: capped to RAM less 2 GiB for the OS
    CHECK(estimate_fit(s).usable_gib == Approx(126));
    auto r = nlohmann::json::parse(test::engine().call(R"({"model":"qwen3-8b","hardware":"rtx-4090","gpu_memory_gib":16})"));
    CHECK(r["error"]["code"] == "out_of_range");
    CHECK(r["error"]["path"] == "gpu_memory_gib");
}

TEST_CASE("quality is measured against the weights a model was released in") {
    // gpt-oss is released with MXFP4 experts (models.json checkpoint MXFP4_BF16); llama.cpp's MXFP4 GGUF
    // repacks those blocks unchanged (PR 15091, quants.json experts_as), so it loses nothing against them,
    // while Q5_K_M re-quantizes the same weights: larger, and no better. The table used to pick Q5_K_M.
    const Catalog& c = test::catalog();
    Setup s = test::setup("gpt-oss-20b", "rtx-4090", "Q4_K_M");
    QuantTable t = quant_table(c, s, *c.workload("chat"), *c.mode("interactive"));
    REQUIRE(t.best >= 0);
    CHECK(t.options[t.best].quant->id == "MXFP4");
    CHECK(t.options[t.best].kld == 0);
    // Another MoE model keeps the MXFP4 file's own KLD (quants.json), and its own checkpoint loses nothing.
    CHECK(kld_of(*c.model("qwen3-30b-a3b"), *c.quant("MXFP4")) == c.quant("MXFP4")->kld);
    CHECK(kld_of(*c.model("deepseek-r1"), *c.quant("FP8")) == 0);
    CHECK(kld_of(*c.model("qwen3-30b-a3b"), *c.quant("FP8")) == c.quant("FP8")->kld);
}

TEST_CASE("SGLang's line loads the same weights as vLLM's: the checkpoint as published, FP8 of a 16-bit repo as it loads") {
    // SGLang's quantization docs (docs.sglang.io, advanced_features/quantization): a pre-quantized checkpoint's method is
    // read from its config ("do not add --quantization"); --quantization fp8 quantizes 16-bit weights as they load.
    auto line = [](Setup s, int gpus, const char* runtime) {
        s.gpus = gpus;
        for (const Command& cmd : commands_for(s, estimate_fit(s)))
            if (cmd.runtime == runtime) return cmd.text();
        return std::string();
    };
    std::string oss = line(test::setup("gpt-oss-120b", "h100-sxm", "MXFP4_BF16"), 2, "sglang");
    INFO(oss);
    CHECK(oss.find("python3 -m sglang.launch_server --model-path openai/gpt-oss-120b ") != std::string::npos);
    CHECK(oss.find("--tp-size 2") != std::string::npos);
    CHECK(oss.find("--quantization") == std::string::npos);
    std::string llama = line(test::setup("llama-3.3-70b-instruct", "b200", "FP8"), 1, "sglang");
    INFO(llama);
    CHECK(llama.find("--quantization fp8") != std::string::npos);
    // No NVFP4 checkpoint of Llama 3.3 70B in the catalog: neither engine gets a line.
    CHECK(line(test::setup("llama-3.3-70b-instruct", "b200", "NVFP4"), 1, "sglang").empty());
    // A GGUF file, or weights that spill to the CPU, are not SGLang's to serve.
    CHECK(line(test::setup("qwen3-8b", "rtx-4090", "Q4_K_M"), 1, "sglang").empty());
    CHECK(line(test::setup("llama-3.3-70b-instruct", "rtx-4090", "FP8"), 1, "sglang").empty());
}
