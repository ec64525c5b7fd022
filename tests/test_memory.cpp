#include <algorithm>
// Memory formulas against hand derivations and against published measurements
// (../shared/reference: catalog_notes.md, gguf_sizes_calibration.csv, memory_obs_calibration.csv).
#include "support.hpp"

using namespace runwell;
using test::kGiB;

TEST_CASE("GQA cache per token: 2 (K,V) x layers x kv heads x head dim x 2 bytes") {
    // catalog_notes.md §5: Llama-3.1-8B 2x32x8x128x2 = 131,072 B/token -> 1 GiB at 8K.
    const Model& m = *test::catalog().model("llama-3.1-8b-instruct");
    CHECK(kv_bytes_per_token(m, KvType::F16) == Approx(131072));
    CHECK(kv_cache_bytes(m, 8192, KvType::F16) / kGiB == Approx(1.0));
    // q8_0 stores 32 values in 34 bytes (ggml-common.h): 8.5 of 16 bits.
    CHECK(kv_cache_bytes(m, 8192, KvType::Q8_0) / kGiB == Approx(8.5 / 16));
    CHECK(kv_cache_bytes(m, 8192, KvType::Q4_0) / kGiB == Approx(4.5 / 16));
}

TEST_CASE("llama.cpp load logs: LLaMA-2 KV cache at n_ctx 512") {
    // memory_obs_calibration.csv rows 1-2: "KV self size = 256.00 MiB" (7B, MHA) and 160.00 MiB (70B, GQA 8).
    CHECK(kv_cache_bytes(*test::catalog().model("llama-2-7b-chat"), 512, KvType::F16) / (1024 * 1024) == Approx(256.0));
    CHECK(kv_cache_bytes(*test::catalog().model("llama-2-70b-chat"), 512, KvType::F16) / (1024 * 1024) == Approx(160.0));
}

TEST_CASE("MLA caches the compressed latent: (kv_lora_rank + rope dim) x 2 bytes per layer") {
    // ik_llama.cpp log for DeepSeek-R1 at 32,768 ctx: "KV self size = 2196.00 MiB, c^KV (f16)"
    // = 61 layers x (512 + 64) x 2 B x 32768.
    const Model& r1 = *test::catalog().model("deepseek-r1");
    CHECK(kv_bytes_per_token(r1, KvType::F16) == Approx(70272));
    CHECK(kv_cache_bytes(r1, 32768, KvType::F16) / (1024 * 1024) == Approx(2196.0));
}

TEST_CASE("hybrid linear attention: only the MLA layers grow, the KDA state is fixed") {
    // Kimi Linear: 7 MLA layers x 576 x 2 B = 8,064 B/token (a full-MLA 27-layer model would need 31,104).
    const Model& kimi = *test::catalog().model("kimi-linear-48b-a3b-instruct");
    CHECK(kv_bytes_per_token(kimi, KvType::F16) == Approx(8064));
    Setup s = test::setup("kimi-linear-48b-a3b-instruct", "l40", "Q4_K_M", 131072);
    Memory m = memory_needed(s);
    CHECK(m.kv_cache == Approx(8064.0 * 131072 / kGiB));        // ~0.98 GiB at 128K
    // Constant: 20 KDA layers x 32 heads x 128 x 128 f32 (40 MiB) + short-conv state 20 x 3 x 3 x 4096 f32 (2.8 MiB), from the config.
    CHECK(m.recurrent_state == Approx(42.8 / 1024).epsilon(0.01));
}

TEST_CASE("sliding-window layers are capped at the window") {
    // gpt-oss-20b: 12 full layers + 12 layers with a 128-token window, 8 KV heads x 64.
    const Model& m = *test::catalog().model("gpt-oss-20b");
    double per_layer = 2.0 * 8 * 64 * 2;  // 2,048 B
    CHECK(kv_cache_bytes(m, 100000, KvType::F16) == Approx(12 * per_layer * 100000 + 12 * per_layer * 128));
    CHECK(kv_cache_bytes(m, 64, KvType::F16) == Approx(24 * per_layer * 64));
}

TEST_CASE("weights match real GGUF file sizes within 3%") {
    struct Case { const char* model; const char* quant; double gib; const char* source; };
    // gguf_sizes_calibration.csv; bytes converted to GiB where the source gives bytes.
    const Case cases[] = {
        {"llama-3-8b-instruct", "Q4_K_M", 4.58, "llama.cpp perplexity scoreboard, 4.58 GiB"},
        {"llama-3-8b-instruct", "Q3_K_M", 4018917664 / test::kGiB, "ddh0 sizes.txt, 4018917664 bytes"},
        {"llama-3-8b-instruct", "Q2_K", 3179131168 / test::kGiB, "ddh0 sizes.txt, 3179131168 bytes"},
        {"llama-3-8b-instruct", "BF16", 16068890912 / test::kGiB, "ddh0 sizes.txt, 16068890912 bytes"},
        {"llama-2-7b-chat", "Q4_0", 3.56, "llama.cpp log 'model size = 3.56 GiB'"},
        {"llama-2-7b-chat", "F16", 12.55, "llama.cpp log 'model size = 12.55 GiB'"},
        {"gpt-oss-20b", "MXFP4", 11.27, "llama-bench size column, 11.27 GiB"},
        {"gpt-oss-120b", "MXFP4", 59.02, "llama-bench size column, 59.02 GiB"},
    };
    for (const Case& c : cases) {
        INFO(c.model << " " << c.quant << " (" << c.source << ")");
        double gib = weight_bytes(*test::catalog().model(c.model), *test::catalog().quant(c.quant)) / kGiB;
        CHECK(gib == Approx(c.gib).epsilon(0.03));
    }
}

TEST_CASE("compute buffer is in the range llama.cpp logs") {
    // memory_obs_calibration.csv: "compute buffer total size = 73.69 MiB" (LLaMA-2-7B), 148.19 MiB (70B).
    Setup s7 = test::setup("llama-2-7b-chat", "rtx-3090", "Q4_0", 512);
    Setup s70 = test::setup("llama-2-70b-chat", "a100-80gb", "Q4_0", 512);
    CHECK(memory_needed(s7).compute * 1024 == Approx(73.69).epsilon(0.3));
    CHECK(memory_needed(s70).compute * 1024 == Approx(148.19).epsilon(0.3));
}

TEST_CASE("usable memory follows the device kind") {
    const auto& c = test::catalog();
    // macOS working set (catalog_notes.md §3): 3/4 of RAM on >=64 GB Macs, 2/3 on <=32 GB.
    CHECK(usable_gib(*c.device("apple-m2-ultra-128gb"), 1) == Approx(96.0));
    CHECK(usable_gib(*c.device("apple-m1-max-32gb"), 1) == Approx(21845.34 / 1024).epsilon(0.001));  // ollama #434 log
    // Discrete GPUs keep a driver reserve; several GPUs add up; a Mac does not multiply.
    double one = usable_gib(*c.device("rtx-3090"), 1);
    CHECK(one < 24.0);
    CHECK(one > 23.0);
    CHECK(usable_gib(*c.device("rtx-3090"), 4) == Approx(4 * one));
    CHECK(usable_gib(*c.device("apple-m2-ultra-128gb"), 4) == Approx(96.0));
}

TEST_CASE("MoE routed experts follow from total and active parameters") {
    // Qwen3-30B-A3B: 30.53B total, 3.34B active, 8 of 128 experts: (30.53 - 3.34) / (1 - 8/128) = 29.0B.
    CHECK(routed_expert_params_b(*test::catalog().model("qwen3-30b-a3b")) == Approx(29.0).epsilon(0.01));
    // Where the inventory is published it wins: Kimi Linear's safetensors index, 47.11B routed.
    CHECK(routed_expert_params_b(*test::catalog().model("kimi-linear-48b-a3b-instruct")) == Approx(47.11));
    CHECK(routed_expert_params_b(*test::catalog().model("llama-3.1-8b-instruct")) == 0);
}

TEST_CASE("a tied embedding table is the output head: on the GPU and read every token") {
    // Qwen3-4B ties its embeddings (config tie_word_embeddings=True). llama.cpp duplicates the
    // table: a host copy for the lookup and the GPU copy the output matmul reads.
    Setup s = test::setup("qwen3-4b", "rtx-4090", "Q8_0");
    const double file = weight_bytes(*s.model, *s.quant);
    Memory m = memory_needed(s);
    CHECK(m.weights * test::kGiB == Approx(file).epsilon(1e-9));  // the whole file on the GPU
    CHECK(m.host_weights * test::kGiB == Approx(embedding_bytes(*s.model, *s.quant)).epsilon(1e-9));
    CHECK(decode_weight_bytes(*s.model, *s.quant, 1) == Approx(file).epsilon(1e-9));
    // An untied model reads its own output head and looks the embedding up.
    Setup u = test::setup("qwen3-8b", "rtx-4090", "Q8_0");
    CHECK(decode_weight_bytes(*u.model, *u.quant, 1) ==
          Approx(weight_bytes(*u.model, *u.quant) - embedding_bytes(*u.model, *u.quant)).epsilon(1e-9));
}

TEST_CASE("weights match the file sizes the GGUF repositories publish (data/availability.json)") {
    // Sizes as listed on Hugging Face (1e9 bytes, rounded to three digits; split files summed).
    // Robust statistics over every listed file: median within 2 %, 90 % within 5 %.
    const Catalog& c = test::catalog();
    std::vector<double> errors;
    for (const Availability& a : c.availability)
        for (const Download& d : a.downloads) {
            if (d.format != "gguf" || d.size_gb <= 0) continue;
            double estimate = weight_bytes(*c.model(a.model), *c.quant(d.quant));
            errors.push_back(std::abs(estimate / (d.size_gb * 1e9) - 1));
        }
    REQUIRE(errors.size() > 100);
    std::sort(errors.begin(), errors.end());
    CHECK(errors[errors.size() / 2] < 0.02);
    CHECK(errors[errors.size() * 9 / 10] < 0.05);
}
