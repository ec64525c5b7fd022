// The serving model: memory plans from model configs, how speed is shared as users grow, the
// capacity answer, and the serve API's refusals.
#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "runwell/serving.hpp"
#include "support.hpp"

using nlohmann::json;
using runwell::ServingEngine;
using runwell::ServingLoad;

namespace {
json serve(const json& request) { return test::call(request, "serve"); }

// The codes of a result's caveats, in their order.
std::vector<std::string> caveat_codes(const json& r) {
    std::vector<std::string> out;
    for (const json& c : r["caveats"]) out.push_back(c["code"]);
    return out;
}

// Total output throughput of one tensor-parallel copy over `gpus` GPUs at maximum load (as many requests
// as the memory holds), with an 8-bit cache: how TensorRT-LLM's performance overview measures.
double total_tps_at_max_load(const char* model, const char* device, const char* quant, int gpus, int input, int output) {
    json r = serve({{"op", "serve"}, {"model", model}, {"hardware", device}, {"quant", quant}, {"gpus", gpus},
                    {"tensor_parallel", gpus}, {"engine", "batched"}, {"input_tokens", input}, {"output_tokens", output},
                    {"kv", "q8_0"}, {"at_memory_limit", true}});
    INFO(model << " on " << gpus << "x " << device << ", " << input << "/" << output << ": " << r.dump());
    REQUIRE(r["ok"] == true);
    return r["point"]["total_tps"].get<double>();
}
}  // namespace

TEST_CASE("the KV pool holds sequences as the model's config says") {
    // Llama 3.1 8B (config.json: 32 layers, 8 KV heads of 128): 2 x 32 x 8 x 128 x 2 B = 128 KiB per
    // token at 16 bits, so a 1000 + 1000-token request holds 250 MiB. Tolerance 0.5 %.
    runwell::Setup s = test::setup("llama-3.1-8b-instruct", "h100-sxm", "FP8");
    ServingLoad load{1000, 1000};
    auto plan = runwell::plan_serving(s, ServingEngine::Batched, 1, load);
    REQUIRE(plan.fits);
    CHECK(plan.kv_gib_per_sequence == Approx(250.0 / 1024).epsilon(0.005));
    // The pool is what the engine's 90 % share of the memory the GPU reports leaves after weights and reserve.
    CHECK(plan.kv_pool_gib == Approx(runwell::usable_gib(*s.device, 1) * 0.9 - plan.weights_gib - plan.reserve_gib).epsilon(1e-9));
    // Paged: a running request holds its prompt and half its answer on average, 1500 tokens = 187.5 MiB.
    CHECK(plan.held_tokens == 1500);
    CHECK(plan.max_sequences == std::min(plan.engine_batch_limit, static_cast<int>(plan.kv_pool_gib / (187.5 / 1024))));

    // Tensor parallel splits KV heads; a GPU never holds less than one head (8 heads: 1/8 at TP 16).
    s.gpus = 16;
    auto tp4 = runwell::plan_serving(s, ServingEngine::Batched, 4, load);
    auto tp16 = runwell::plan_serving(s, ServingEngine::Batched, 16, load);
    CHECK(tp4.kv_gib_per_sequence == Approx(plan.kv_gib_per_sequence / 4).epsilon(1e-9));
    CHECK(tp16.kv_gib_per_sequence == Approx(plan.kv_gib_per_sequence / 8).epsilon(1e-9));
    CHECK(tp4.replicas == 4);
    // An MLA latent is replicated on every GPU of the group (DeepSeek V3: one 576-wide latent per layer).
    runwell::Setup ds = test::setup("deepseek-v3", "h200", "FP8");
    ds.gpus = 8;
    auto one = runwell::plan_serving(ds, ServingEngine::Batched, 8, load);
    CHECK(one.kv_gib_per_sequence == Approx(runwell::kv_cache_bytes(*ds.model, 2000, runwell::KvType::F16) / runwell::calibration::kGiB).epsilon(1e-9));
}

TEST_CASE("vLLM's KV pool is the one its startup logs print") {
    // llm-d's vLLM logs on one H100 80GB (79.18 GiB reported), --gpu-memory-utilization 0.9, engine defaults
    // (measurements/memory/vllm_kv_pool.csv): "Available KV cache memory" 51.38 GiB for Llama 3.1 8B in BF16,
    // 50.28 GiB for gpt-oss-20b, 34.49 GiB per GPU for Qwen3-32B over two; Llama 3.3 70B in FP8 on one failed to
    // start (-1.44 GiB). Tolerance 3 %: the weights as loaded differ from the checkpoint by up to 0.7 GiB.
    ServingLoad load{1024, 128};
    struct Logged { const char* model; const char* quant; int tp; double kv_gib; };
    for (Logged l : {Logged{"llama-3.1-8b-instruct", "BF16", 1, 51.38}, Logged{"gpt-oss-20b", "MXFP4_BF16", 1, 50.28},
                     Logged{"qwen3-32b", "BF16", 2, 34.49}}) {
        CAPTURE(l.model);
        runwell::Setup s = test::setup(l.model, "h100-sxm", l.quant);
        s.gpus = l.tp;
        auto plan = runwell::plan_serving(s, ServingEngine::Batched, l.tp, load);
        CHECK(plan.kv_pool_gib == Approx(l.kv_gib).epsilon(0.03));
    }
    runwell::Setup big = test::setup("llama-3.3-70b-instruct", "h100-sxm", "FP8");
    CHECK_FALSE(runwell::plan_serving(big, ServingEngine::Batched, 1, load).fits);
    // vLLM's MXFP4 MoE kernels pad gpt-oss's 2880-wide experts to 3072: the same logs load gpt-oss-20b in
    // 13.47 GiB (the checkpoint's 12.8 GiB) and gpt-oss-120b in 64.38 GiB, which leaves no pool at the default
    // share (vLLM issue 23278: -2.14 GiB, the engine did not start). Tolerance 1 %.
    runwell::Setup small = test::setup("gpt-oss-20b", "h100-sxm", "MXFP4_BF16");
    CHECK(runwell::plan_serving(small, ServingEngine::Batched, 1, load).weights_gib == Approx(13.47).epsilon(0.01));
    runwell::Setup oss = test::setup("gpt-oss-120b", "h100-sxm", "MXFP4_BF16");
    auto oss_plan = runwell::plan_serving(oss, ServingEngine::Batched, 1, load);
    CHECK(oss_plan.weights_gib == Approx(64.38).epsilon(0.01));
    CHECK_FALSE(oss_plan.fits);
}

TEST_CASE("more users share a step: each gets less, all get more, until the memory is full") {
    for (const char* device : {"h100-sxm", "mi300x", "l40s"}) {
        runwell::Setup s = test::setup("llama-3.1-8b-instruct", device, "FP8");
        ServingLoad load{1000, 300};
        auto plan = runwell::plan_serving(s, ServingEngine::Batched, 1, load);
        REQUIRE(plan.fits);
        runwell::ServingPoint previous = runwell::serve_at(s, plan, load, 1);
        for (int users = 2; users <= plan.max_sequences; users *= 2) {
            auto p = runwell::serve_at(s, plan, load, users);
            CHECK(p.per_user_tps <= previous.per_user_tps);
            CHECK(p.total_tps >= previous.total_tps);
            previous = p;
        }
        // Past the memory the rest wait: a longer first token, and the throughput of every running request
        // decoding (a finished place takes a queued request at once, with no user's wait for a first token), no more
        // with a longer queue.
        auto full = runwell::serve_at(s, plan, load, plan.max_sequences);
        auto queued = runwell::serve_at(s, plan, load, plan.max_sequences * 2);
        CHECK(queued.running == plan.max_sequences);
        CHECK(queued.total_tps >= full.total_tps);
        CHECK(queued.total_tps <= 1.01 * queued.running * queued.per_user_tps);
        CHECK(runwell::serve_at(s, plan, load, plan.max_sequences * 4).total_tps == Approx(queued.total_tps));
        CHECK(queued.ttft_s > 2 * full.ttft_s);
    }
}

TEST_CASE("capacity is the most users that all meet the targets") {
    runwell::Setup s = test::setup("llama-3.3-70b-instruct", "h100-sxm", "FP8");
    s.gpus = 4;
    ServingLoad load{2000, 500};
    auto plan = runwell::plan_serving(s, ServingEngine::Batched, 4, load);
    REQUIRE(plan.fits);
    const double target = 20, ttft = 3;
    auto cap = runwell::capacity(s, plan, load, target, ttft);
    REQUIRE(cap.users > 0);
    CHECK(cap.per_user_tps >= target);
    CHECK(cap.ttft_s <= ttft);
    if (cap.users < plan.max_sequences * plan.replicas) {
        auto more = runwell::serve_at(s, plan, load, cap.users + 1);
        CHECK((more.per_user_tps < target || more.ttft_s > ttft));
    }
    // An unreachable target: nobody.
    CHECK(runwell::capacity(s, plan, load, 1e5, ttft).users == 0);
}

TEST_CASE("llama.cpp slots: the setup's GPUs, its own memory rule, fewer slots when the context is long") {
    runwell::Setup s = test::setup("kimi-linear-48b-a3b-instruct", "l40", "Q4_K_M");
    auto short_plan = runwell::plan_serving(s, ServingEngine::LlamaCppSlots, 0, {1000, 300});
    auto long_plan = runwell::plan_serving(s, ServingEngine::LlamaCppSlots, 0, {100000, 1000});
    REQUIRE(short_plan.fits);
    REQUIRE(long_plan.fits);
    CHECK(long_plan.max_sequences < short_plan.max_sequences);
    // One slot more than the plan no longer fits on the GPU (checked by the estimator itself).
    runwell::Setup more = s;
    more.concurrency = long_plan.max_sequences + 1;
    more.context = 101000;
    auto fit = runwell::estimate_fit(more).fit;
    CHECK((fit == runwell::Fit::Offload || fit == runwell::Fit::WontRun));
}

TEST_CASE("serve API: the plan, the curve, a command that matches it, and clear refusals") {
    json r = serve({{"model", "llama-3.3-70b-instruct"}, {"hardware", "h100-sxm"}, {"gpus", 8}, {"tensor_parallel", 4},
                    {"quant", "FP8"}, {"workload", "chat"}, {"load_users", 5000}});
    REQUIRE(r["ok"] == true);
    CHECK(r["engine"] == "batched");
    CHECK(r["plan"]["replicas"] == 2);
    const std::string cmd = r["command"]["text"];
    CHECK(cmd.find("--tensor-parallel-size 4 --data-parallel-size 2 --max-num-seqs " + std::to_string(r["capacity"]["running"].get<int>())) != std::string::npos);
    CHECK(cmd.find("--quantization fp8") != std::string::npos);
    const int users = r["capacity"]["users"];
    REQUIRE(users > 0);
    CHECK(r["for_load"]["setups"] == (5000 + users - 1) / users);
    CHECK(r["curve"].size() >= 5);

    // The batched engines do not load GGUF K-quants or run on a Mac; FP8 needs FP8 tensor cores (CDNA3's FNUZ
    // encoding counts), NVFP4 NVIDIA's FP4 ones (quants.json tensor_format and vendor; hardware.json tensor_formats).
    // vLLM alone runs FP8 weight-only from compute capability 7.5 (an A100: 8.0), and says so; not on a V100 (7.0).
    CHECK(serve({{"model", "qwen3-8b"}, {"hardware", "apple-m4-max-40c-128gb"}, {"quant", "BF16"}, {"engine", "batched"}})["error"]["code"] == "engine_unsupported");
    json a100 = serve({{"model", "qwen3-8b"}, {"hardware", "a100-80gb"}, {"quant", "FP8"}, {"engine", "batched"}});
    REQUIRE(a100["ok"] == true);
    CHECK(a100["caveats"][0]["code"] == "weight_only");
    CHECK(serve({{"model", "qwen3-8b"}, {"hardware", "a100-80gb"}, {"quant", "FP8"}, {"engine", "sglang"}})["error"]["code"] == "engine_unsupported");
    CHECK(serve({{"model", "qwen3-8b"}, {"hardware", "v100-32gb"}, {"quant", "FP8"}, {"engine", "batched"}})["error"]["code"] == "engine_unsupported");
    CHECK(serve({{"model", "qwen3-8b"}, {"hardware", "mi300x"}, {"quant", "FP8"}, {"engine", "batched"}})["ok"] == true);
    CHECK(serve({{"model", "deepseek-r1"}, {"hardware", "h100-sxm"}, {"gpus", 8}, {"quant", "NVFP4"}, {"engine", "batched"}})["error"]["code"] == "engine_unsupported");
    CHECK(serve({{"model", "deepseek-r1"}, {"hardware", "mi355x"}, {"gpus", 8}, {"quant", "NVFP4"}, {"engine", "batched"}})["error"]["code"] == "engine_unsupported");
    CHECK(serve({{"model", "deepseek-r1"}, {"hardware", "b200"}, {"gpus", 8}, {"quant", "NVFP4"}, {"engine", "batched"}})["ok"] == true);
    CHECK(serve({{"model", "qwen3-8b"}, {"hardware", "rtx-4090"}, {"engine", "vllm; rm -rf /"}})["error"]["code"] == "unknown_value");
    CHECK(serve({{"model", "qwen3-8b"}, {"hardware", "rtx-4090"}, {"tensor_parallel", -3}})["error"]["code"] == "out_of_range");
    CHECK(serve({{"model", "qwen3-8b"}, {"hardware", "rtx-4090"}, {"input_tokens", 10000000}})["error"]["code"] == "context_too_long");
    // A GGUF quant is served by llama.cpp's slots by default.
    json gguf = serve({{"model", "qwen3-8b"}, {"hardware", "rtx-4090"}, {"quant", "Q4_K_M"}, {"users", 4}});
    REQUIRE(gguf["ok"] == true);
    CHECK(gguf["engine"] == "llama.cpp");
    CHECK(gguf["point"]["running"] == 4);
    CHECK(gguf["command"]["text"].get<std::string>().find("-np ") != std::string::npos);
}

TEST_CASE("scale-out mode results carry the serving plan for Kimi Linear on the first page's devices") {
    for (const char* device : {"apple-m2-ultra-128gb", "mi100", "l40", "v100-32gb", "rtx-pro-4500-blackwell"}) {
        json r = test::call({{"model", "kimi-linear-48b-a3b-instruct"}, {"hardware", device}, {"mode", "scale-out"}}, "estimate");
        REQUIRE(r["ok"] == true);
        if (!r["runs"].get<bool>()) continue;
        INFO(device);
        REQUIRE(r.contains("serving"));
        const json& sv = r["serving"];
        CHECK(sv["capacity"]["users"].get<int>() >= 0);
        CHECK(sv["point"]["users"] == 16);
        if (sv["capacity"]["users"].get<int>() > 0) {
            CHECK(sv["capacity"]["per_user_tps"].get<double>() >= sv["load"]["target_tps"].get<double>());
            CHECK(!sv["command"].is_null());
        }
    }
}

TEST_CASE("modes of many users grade a batched engine's checkpoint with the batched engine's figures") {
    // An FP8 checkpoint on an H100 is served by vLLM-class engines: the light-API and scale-out results
    // (headline, workload table) are the serve API's point at the mode's users for the same load.
    for (const char* mode : {"light-api", "scale-out"}) {
        INFO(mode);
        json r = test::call({{"model", "llama-3.1-8b-instruct"}, {"hardware", "h100-sxm"}, {"quant", "FP8"}, {"mode", mode},
                             {"workload", "chat"}}, "estimate");
        REQUIRE(r["ok"] == true);
        CHECK(r["speed_engine"]["id"] == "batched");
        const int users = r["query"]["concurrency"];
        json plan = serve({{"model", "llama-3.1-8b-instruct"}, {"hardware", "h100-sxm"}, {"quant", "FP8"}, {"workload", "chat"},
                           {"engine", "batched"}, {"users", users}, {"input_tokens", r["prompt_tokens"]},
                           {"output_tokens", r["serving"]["load"]["output_tokens"]}});
        REQUIRE(plan["ok"] == true);
        // Both are rounded to 0.1 tok/s and 0.01 s / 1 ms for display.
        CHECK(r["decode_tps"].get<double>() == Approx(plan["point"]["per_user_tps"].get<double>()).margin(0.051));
        CHECK(r["ttft_s"].get<double>() == Approx(plan["point"]["ttft_s"].get<double>()).margin(0.006));
        // Its bands are the serving model's, not single-stream llama.cpp's.
        CHECK(r["error_band"]["decode_pct"] == plan["error_band"]["user_tps_pct"]);
        CHECK(r["error_band"]["prefill_pct"] == plan["error_band"]["ttft_pct"]);
        for (const json& w : r["workloads"])
            if (w["id"] == "chat" && w["context"] == r["query"]["context"]) CHECK(w["decode_tps"] == r["decode_tps"]);
    }
    // A GGUF file on the same GPU is llama.cpp's: parallel slots, the single-stream physics at that concurrency.
    json gguf = test::call({{"model", "llama-3.1-8b-instruct"}, {"hardware", "h100-sxm"}, {"quant", "Q4_K_M"}, {"mode", "scale-out"}}, "estimate");
    REQUIRE(gguf["ok"] == true);
    CHECK(gguf["speed_engine"]["id"] == "llama.cpp");
    // One user (interactive) is a single stream whatever the checkpoint.
    json one = test::call({{"model", "llama-3.1-8b-instruct"}, {"hardware", "h100-sxm"}, {"quant", "FP8"}, {"mode", "interactive"}}, "estimate");
    CHECK(one["speed_engine"]["id"] == "llama.cpp");
}

TEST_CASE("measured anchors: a large model's step pays for its reads and its matmuls") {
    // measurements/serving/serving.csv, TensorRT-LLM performance overview: Llama 3.1 405B FP8 on
    // eight GPUs (TP 8), 128 input / 2048 output tokens at maximum load: 4,340 total tok/s on H100 SXM,
    // 5,348 on H200. At that load the weights and the matmuls take similar time; the earlier model (a
    // step as long as the longer of the two, every sequence at full length) predicted +30 % and +34 %.
    // Tolerance: ±25 %.
    for (auto [device, measured] : {std::pair{"h100-sxm", 4340.0}, std::pair{"h200", 5348.0}}) {
        CAPTURE(device);
        CHECK(total_tps_at_max_load("llama-3.1-405b-instruct", device, "FP8", 8, 128, 2048) == Approx(measured).epsilon(0.25));
    }
}

TEST_CASE("measured anchors: an FP8 checkpoint's long prompts attend in 16 bits, unless the cache is 8-bit on OCP FP8 tensor cores") {
    // measurements/serving/serving_vllm_sglang.csv, gpustack's performance lab (2025-11-13): 100 prompts of 32,000
    // tokens sent at once to Qwen3-14B on one H100 SXM, 100-token answers. Output rate: 31.09 tok/s for the FP8
    // checkpoint (SGLang 0.5.5.post1), 25.48 for BF16 (vLLM 0.11.0): 1.22x, where the H100's FP8 matrix peak is
    // 2x its BF16 one (data/hardware.json) and the model said 2.0x while attention ran at the weights' rate.
    // The two runs are on different engines, so the checks are only that the model lands nearer the measured ratio
    // and clearly short of the peak's (attention is over a quarter of these prompts' FLOPs: 40 layers of 40 heads
    // of 128 dimensions at 16K tokens deep, against 14.8 B weights, models.json).
    auto point = [](const char* quant, const char* device, const char* kv, int users) {
        json r = serve({{"op", "serve"}, {"model", "qwen3-14b"}, {"hardware", device}, {"quant", quant}, {"engine", "batched"},
                        {"input_tokens", 32000}, {"output_tokens", 100}, {"users", users}, {"arrivals", "burst"}, {"kv", kv}});
        INFO(quant << " on " << device << ", cache " << kv << ": " << r.dump());
        REQUIRE(r["ok"] == true);
        return r["point"];
    };
    const double measured = 31.09 / 25.48, fp8_peak_ratio = 2.0;
    const double ratio = point("FP8", "h100-sxm", "f16", 100)["total_tps"].get<double>() /
                         point("BF16", "h100-sxm", "f16", 100)["total_tps"].get<double>();
    CAPTURE(ratio);
    CHECK(ratio > 1.0);
    CHECK(std::abs(ratio - measured) < std::abs(fp8_peak_ratio - measured));
    CHECK(ratio < 0.9 * fp8_peak_ratio);
    // An 8-bit cache on the H100's OCP FP8 tensor cores attends in FP8 (FlashAttention-3, TensorRT-LLM): one
    // 32K-token prompt is done sooner. CDNA3's fp8_fnuz attends in 16 bits either way: the cache's width changes
    // only what the decode steps read, not the prompt's time.
    auto ttft = [&](const char* device, const char* kv) { return point("FP8", device, kv, 1)["ttft_s"].get<double>(); };
    CHECK(ttft("h100-sxm", "q8_0") < 0.95 * ttft("h100-sxm", "f16"));
    CHECK(ttft("mi300x", "q8_0") == Approx(ttft("mi300x", "f16")).epsilon(0.02));
}

TEST_CASE("measured anchors: vLLM runs an FP8 checkpoint on A100s weight-only, and the result says so") {
    // measurements/serving/vendor_blogs_2026_12.csv, gpustack's GLM-4.x A100 page (commit 7ae332aa): GLM-4.6-FP8 on
    // eight A100 SXM 80GB, `vllm serve zai-org/GLM-4.6-FP8 -tp 8` (v0.11.0, 2025-10-15), 1000 ShareGPT prompts sent
    // at once (214,465 input and 199,904 generated tokens: 214 / 200 each): 1345.12 output tok/s. SGLang 0.5.3
    // failed to load it there. Tolerance: the band the API shows with it.
    json r = serve({{"model", "glm-4.6"}, {"hardware", "a100-80gb"}, {"quant", "FP8"}, {"gpus", 8}, {"tensor_parallel", 8},
                    {"engine", "batched"}, {"input_tokens", 214}, {"output_tokens", 200}, {"users", 1000},
                    {"arrivals", "burst"}, {"as_of", "2025-10-15"}});
    REQUIRE(r["ok"] == true);
    INFO(r.dump());
    const double measured = 1345.12;
    CHECK(std::abs(r["point"]["total_tps"].get<double>() - measured) / measured <= r["error_band"]["total_tps_pct"].get<double>() / 100);
    const std::vector<std::string> codes = caveat_codes(r);
    CHECK(std::find(codes.begin(), codes.end(), "weight_only") != codes.end());
    CHECK(serve({{"model", "glm-4.6"}, {"hardware", "a100-80gb"}, {"quant", "FP8"}, {"gpus", 8}, {"tensor_parallel", 8},
                 {"engine", "sglang"}})["error"]["code"] == "engine_unsupported");
}

TEST_CASE("one user on an FP8 checkpoint without FP8 tensor cores: vLLM's command alone, and the weight-only caveat") {
    // vLLM runs it weight-only from compute capability 7.5 (quants.json FP8); SGLang does not load it there.
    json r = test::call({{"model", "qwen3-8b"}, {"hardware", "rtx-3090"}, {"quant", "FP8"}}, "estimate");
    REQUIRE(r["ok"] == true);
    std::vector<std::string> runtimes;
    for (const json& c : r["commands"]) runtimes.push_back(c["runtime"]);
    CHECK(runtimes == std::vector<std::string>{"vllm"});
    REQUIRE(r["caveats"].size() == 1);
    CHECK(r["caveats"][0]["code"] == "weight_only");
    // With FP8 tensor cores both engines load it, and nothing is said.
    json ada = test::call({{"model", "qwen3-8b"}, {"hardware", "rtx-4090"}, {"quant", "FP8"}}, "estimate");
    REQUIRE(ada["ok"] == true);
    CHECK(ada["commands"].size() == 2);
    CHECK(ada["caveats"].empty());
}

TEST_CASE("measured anchors: FP4 checkpoints reach a share of the FP4 matrix peak") {
    // measurements/serving/serving.csv, TensorRT-LLM performance overview: Llama 3.1 405B NVFP4 on four
    // B200 (TP 4) at maximum load: 8,020 total tok/s at 128 input / 2048 output tokens, 6,244 at 500 / 2000.
    // With the FP4 path at its full 4x FP16 peak (serving.format_compute_factors.fp4 = 1) the model predicted +36 % and
    // +51 %; these rows are among those the share is fitted on (data/calibration.json), so this
    // anchors the mechanism, and docs/accuracy.md gives the out-of-sample figures. Tolerance: ±25 %.
    for (auto [input, output, measured] : {std::tuple{128, 2048, 8020.0}, std::tuple{500, 2000, 6244.0}}) {
        CAPTURE(input, output);
        CHECK(total_tps_at_max_load("llama-3.1-405b-instruct", "b200", "NVFP4", 4, input, output) == Approx(measured).epsilon(0.25));
    }
}

TEST_CASE("gpt-oss's BF16 tensors multiply at the BF16 rate, where FP4 tensor cores take its experts") {
    // OpenAI's gpt-oss model card (arXiv 2508.10925, table 1): gpt-oss-120b's attention holds 0.96 B parameters,
    // gpt-oss-20b's 0.64 B; each unembeds with a 201,088 x 2,880 table (0.58 B). Those and the router are what a
    // token multiplies outside its experts, kept in BF16 by the checkpoint (quants.json MXFP4_BF16).
    // Tolerance: 2 % (the router's and the norms' few parameters, the card's rounding).
    const double unembedding = 201088.0 * 2880;
    for (auto [model, attention] : {std::pair{"gpt-oss-120b", 0.96e9}, std::pair{"gpt-oss-20b", 0.64e9}}) {
        CAPTURE(model);
        runwell::Setup s = test::setup(model, "b200", "MXFP4_BF16");
        CHECK(runwell::sixteen_bit_active_params(*s.model, *s.quant) == Approx(attention + unembedding).epsilon(0.02));
    }
    // A format that narrows all of a checkpoint's body keeps none of it in 16 bits, nor may an export that can
    // narrow its attention too (AMD's MXFP4 exports).
    runwell::Setup nvfp4 = test::setup("deepseek-r1", "b200", "NVFP4"), amd = test::setup("qwen3.5-397b-a17b", "mi355x", "MXFP4_MOE");
    CHECK(runwell::sixteen_bit_active_params(*nvfp4.model, *nvfp4.quant) == 0);
    CHECK(runwell::sixteen_bit_active_params(*amd.model, *amd.quant) == 0);

    // One 32,000-token prompt, compute-bound: on a B200 (FP4 tensor cores) it takes longer than it would with the
    // BF16 tensors at the FP4 rate (the same catalog without rest_in_16_bits); on an H200, which multiplies
    // everything in BF16 anyway, the same.
    auto files = test::bundled_files();
    for (auto& [name, text] : files)
        if (name == "quants.json") {
            const std::string flag = "\"rest_in_16_bits\": true, ";
            REQUIRE(text.find(flag) != std::string::npos);
            text.erase(text.find(flag), flag.size());
        }
    runwell::Engine narrowed;
    REQUIRE(narrowed.load(files).empty());
    auto ttft = [](const runwell::Engine& e, const char* device) {
        json request = {{"op", "serve"}, {"model", "gpt-oss-120b"}, {"hardware", device}, {"quant", "MXFP4_BF16"}, {"engine", "batched"},
                        {"input_tokens", 32000}, {"output_tokens", 100}, {"users", 1}};
        json r = json::parse(e.call(request.dump()));
        INFO(r.dump());
        REQUIRE(r["ok"] == true);
        return r["point"]["ttft_s"].get<double>();
    };
    CHECK(ttft(test::engine(), "b200") > 1.05 * ttft(narrowed, "b200"));
    CHECK(ttft(test::engine(), "h200") == Approx(ttft(narrowed, "h200")).epsilon(1e-9));
}

TEST_CASE("measured anchors: a small model's step is mostly its requests' caches, streamed at the memory's rate") {
    // measurements/serving/serving.csv, TensorRT-LLM performance overview: Llama 3.1 8B FP8 on one GPU,
    // 128 input / 2048 output tokens at maximum load: 22,714 total tok/s on an H100 SXM, 26,221 on an H200.
    // Hundreds of requests' caches outweigh the 8 GB of weights. With the caches read at the weights'
    // fitted share of the bandwidth the model predicted -31 % and -20 %. Tolerance: ±25 %.
    for (auto [device, measured] : {std::pair{"h100-sxm", 22714.0}, std::pair{"h200", 26221.0}}) {
        CAPTURE(device);
        CHECK(total_tps_at_max_load("llama-3.1-8b-instruct", device, "FP8", 1, 128, 2048) == Approx(measured).epsilon(0.25));
    }
}

TEST_CASE("several sequences on llama.cpp's slots show the slots check's band, never the single stream's narrower one") {
    // A calibration whose llama.cpp slots band (llama-batched-bench rows, never fitted) is this test's
    // own choice, 93 %, wider than any single-stream class's and than the batched engines' per-user speed bands.
    runwell::Engine engine;
    test::load_with_bands(
        engine, "slots_decode_tps", {{{"quantity", "slots_decode_tps"}, {"arch", "*"}, {"backend", "*"}, {"pct", 93}, {"rows", 90}, {"sources", 1}}});
    auto call = [&](json q, const char* op) { q["op"] = op; return json::parse(engine.call(q.dump())); };
    auto kimi = [](const json& extra) {
        json q = {{"model", "kimi-linear-48b-a3b-instruct"}, {"hardware", "l40"}};
        q.update(extra);
        return q;
    };

    // Scale-out on a GGUF: llama.cpp's slots, 16 sequences at once.
    json many = call(kimi({{"mode", "scale-out"}}), "estimate");
    REQUIRE(many["ok"] == true);
    INFO(many["error_band"].dump());
    CHECK(many["error_band"]["decode_pct"] == 93);
    CHECK(many["error_band"]["evidence"].get<std::string>().find("llama-batched-bench") != std::string::npos);
    // One user: the class's own band, not the slots'.
    json one = call(kimi({{"mode", "interactive"}}), "estimate");
    REQUIRE(one["ok"] == true);
    CHECK(one["error_band"]["decode_pct"] != 93);
    CHECK(one["error_band"]["evidence"].get<std::string>().find("llama-batched-bench") == std::string::npos);

    // The serve op: the slots band for llama.cpp's speeds (no TTFT band), the batched engines' own otherwise.
    json slots = call(kimi({{"engine", "llama.cpp"}, {"input_tokens", 1000}, {"output_tokens", 500}}), "serve");
    REQUIRE(slots["ok"] == true);
    CHECK(slots["error_band"]["user_tps_pct"] == 93);
    CHECK(slots["error_band"]["total_tps_pct"] == 93);
    CHECK(slots["error_band"]["ttft_pct"] == 0);
    CHECK(slots["error_band"]["checked_against"] == "llama_batched_bench");
    json batched = call({{"model", "llama-3.1-8b-instruct"}, {"hardware", "h100-sxm"}, {"quant", "FP8"}, {"engine", "batched"},
                         {"input_tokens", 1000}, {"output_tokens", 500}}, "serve");
    REQUIRE(batched["ok"] == true);
    CHECK(batched["error_band"]["checked_against"] == "batched_serving");
    CHECK(batched["error_band"]["user_tps_pct"] != 93);
}

TEST_CASE("a request's time per token carries the prompts that join while it decodes, not its own") {
    // Llama 3.1 8B FP8 on an H100, 8000-token prompts and 200-token answers (40 prompt tokens per answer
    // token): alone, a request's steps are pure decode (its prompt was before its first token); among
    // others, each step also carries a share of the prompts of the requests that replace them.
    runwell::Setup s = test::setup("llama-3.1-8b-instruct", "h100-sxm", "FP8");
    ServingLoad load{8000, 200};
    auto plan = runwell::plan_serving(s, ServingEngine::Batched, 1, load);
    REQUIRE(plan.fits);
    auto alone = runwell::serve_at(s, plan, load, 1);
    CHECK(alone.per_user_tps == Approx(1.0 / alone.step_s).epsilon(1e-9));
    auto shared = runwell::serve_at(s, plan, load, 8);
    REQUIRE(shared.running == 8);
    CHECK(shared.per_user_tps < 1.0 / shared.step_s);
    // All requests together also pay for their own prompts: less than 8 requests' decode speed.
    CHECK(shared.total_tps < shared.running * shared.per_user_tps);
}

TEST_CASE("measured anchors: a request alone in the memory decodes at the single stream's pace") {
    // measurements/serving/serving_vllm_sglang.csv (gpustack performance lab, 2025-11-13): Qwen3-32B BF16 on one
    // A100 SXM 80GB, 100 requests of 32,000 + 100 tokens sent at once. The 64 GB of weights leave room for one
    // such request at a time, so each decodes alone: mean TPOT 67.87 ms (14.7 tok/s) with vLLM v0.11.0, 47.37 ms
    // (21.1 tok/s) with TensorRT-LLM 1.2.0rc1. When a request's time per token also carried its own prompt the
    // model said 3.8 tok/s (-74 %). Tolerance: from 25 % below the slower engine to 25 % above the faster.
    json r = serve({{"op", "serve"}, {"model", "qwen3-32b"}, {"hardware", "a100-80gb"}, {"quant", "BF16"}, {"engine", "batched"},
                    {"input_tokens", 32000}, {"output_tokens", 100}, {"users", 100}});
    REQUIRE(r["ok"] == true);
    INFO(r["point"].dump());
    CHECK(r["plan"]["max_sequences"] == 1);
    CHECK(r["point"]["per_user_tps"].get<double>() >= 0.75 * 1000 / 67.87);
    CHECK(r["point"]["per_user_tps"].get<double>() <= 1.25 * 1000 / 47.37);
}

TEST_CASE("long prompts fill each step's token budget: past that point more users wait, none decodes faster or slower") {
    // vLLM schedules the running requests' decode tokens first and fills the rest of a step's
    // max_num_batched_tokens (2048 on an A100) with prompt chunks. With 32,000-token prompts per
    // 100-token answer the replacements alone would need far more than a step holds, so the prompts
    // queue: 100 or 200 users decode the same few requests at the same pace, and only wait longer.
    runwell::Setup s = test::setup("gpt-oss-20b", "a100-80gb", "MXFP4_BF16");
    ServingLoad load{32000, 100};
    auto plan = runwell::plan_serving(s, ServingEngine::Batched, 1, load);
    REQUIRE(plan.fits);
    REQUIRE(plan.max_batched_tokens == 2048);
    REQUIRE(plan.max_sequences >= 50);  // the memory would hold dozens of such requests
    auto some = runwell::serve_at(s, plan, load, 100);
    auto more = runwell::serve_at(s, plan, load, 200);
    CHECK(some.prompt_bound);
    CHECK(some.running < 50);
    CHECK(more.running == some.running);
    CHECK(more.per_user_tps == Approx(some.per_user_tps).epsilon(1e-9));
    CHECK(more.total_tps == Approx(some.total_tps).epsilon(1e-9));
    CHECK(more.ttft_s > some.ttft_s);
    // Short prompts never fill it: every user the memory holds decodes.
    ServingLoad chat{500, 500};
    auto chat_plan = runwell::plan_serving(s, ServingEngine::Batched, 1, chat);
    auto chatting = runwell::serve_at(s, chat_plan, chat, 64);
    CHECK_FALSE(chatting.prompt_bound);
    CHECK(chatting.running == 64);
}

TEST_CASE("measured anchors: with prompts queued, each user's token waits for a full chunk of prompt") {
    // measurements/serving/serving_vllm_sglang.csv (gpustack performance lab, vLLM v0.11.0): gpt-oss-20b on
    // one H100 SXM, 100 requests of 32,000 + 100 tokens sent at once: mean TPOT 239.44 ms, 4.18 tok/s. The
    // memory holds all 100, but each 8192-token step has room for the decodes of about 25 beside a prompt
    // chunk. When every admitted request was taken to decode beside its replacement's prompt the model said
    // 2.0 tok/s (-52 %). Tolerance ±49 % (the serving band of MXFP4 checkpoints on CUDA, per-user speed).
    json r = serve({{"op", "serve"}, {"model", "gpt-oss-20b"}, {"hardware", "h100-sxm"}, {"quant", "MXFP4_BF16"}, {"engine", "batched"},
                    {"input_tokens", 32000}, {"output_tokens", 100}, {"users", 100}});
    REQUIRE(r["ok"] == true);
    INFO(r["point"].dump());
    CHECK(r["point"]["prompt_bound"] == true);
    CHECK(r["point"]["per_user_tps"].get<double>() == Approx(1000 / 239.44).epsilon(0.49));
}

TEST_CASE("a few decoding sequences touch a few of a MoE's experts: the padding does not grow with the expert count") {
    // One token runs on its `active` experts whatever the model's expert count: Llama 4 Maverick (1 of 128)
    // and DeepSeek V3 (8 of 256) pad it alike. The earlier rule spread a lone token over all experts, and
    // Maverick's factor came out 32x DeepSeek's.
    runwell::Setup maverick = test::setup("llama-4-maverick-17b-128e-instruct", "mi300x", "BF16");
    runwell::Setup deepseek = test::setup("deepseek-v3", "mi300x", "FP8");
    CHECK(runwell::moe_batch_factor(maverick, 1) == Approx(runwell::moe_batch_factor(deepseek, 1)).epsilon(1e-9));
    // A large batch touches every expert: more tokens per expert, less padding.
    CHECK(runwell::moe_batch_factor(maverick, 8192) < runwell::moe_batch_factor(maverick, 1));

    // measurements/serving/sglang_cookbook_trtllm.csv (SGLang cookbook, v0.5.9): Maverick BF16 on eight MI300X
    // (TP 8), one request at a time: mean TPOT 5.95 ms, 168 tok/s. The earlier rule said 13 tok/s (-92 %).
    // Tolerance ±50 %: the fitted step cost of an eight-GPU group (data/calibration.json, serving.step_overhead_ms
    // and group_step_overhead_ms) is longer than this model's whole measured step, so the model stays slow here.
    json r = serve({{"op", "serve"}, {"model", "llama-4-maverick-17b-128e-instruct"}, {"hardware", "mi300x"}, {"quant", "BF16"},
                    {"gpus", 8}, {"tensor_parallel", 8}, {"engine", "sglang"}, {"input_tokens", 610}, {"output_tokens", 422}, {"users", 1}});
    REQUIRE(r["ok"] == true);
    INFO(r["point"].dump());
    CHECK(r["point"]["per_user_tps"].get<double>() == Approx(1000 / 5.95).epsilon(0.5));
}

TEST_CASE("measured anchors: CDNA3's FP8 matmuls reach a smaller share of their peak than CUDA's, its BF16 ones do not") {
    // measurements/serving/vendor_docs.csv (AMD ROCm blog, Jan 2025): Llama 3.1 405B FP8 (FP8 cache) on eight
    // MI300X, vLLM 0.6.7.dev (256 sequences at most before 0.8) at maximum load, 2048 input / 2048 output tokens:
    // 1,999 output tok/s. At CUDA's share of the MI300X's FP8 peak (2.6 PFLOPS, 1.3x an H100's) the model says
    // 2,851 (+43 %). The check: nearer the run than that, and within the band the API shows. (The blog's 70B run
    // at 128 / 2048 tokens was this anchor while it was planned with 1,024 sequences, which its vLLM did not run:
    // at 256 it does not tell the shares apart, -21 % at ROCm's and -16 % at CUDA's.)
    json r = serve({{"op", "serve"}, {"model", "llama-3.1-405b-instruct"}, {"hardware", "mi300x"}, {"quant", "FP8"}, {"gpus", 8},
                    {"tensor_parallel", 8}, {"engine", "batched"}, {"input_tokens", 2048}, {"output_tokens", 2048}, {"kv", "q8_0"},
                    {"max_sequences", 256}, {"as_of", "2025-01-29"}, {"at_memory_limit", true}});
    REQUIRE(r["ok"] == true);
    INFO(r["point"].dump());
    const double fp8 = r["point"]["total_tps"].get<double>(), fp8_measured = 1999, at_cuda_share = 2851;
    CHECK(std::abs(fp8 - fp8_measured) < std::abs(at_cuda_share - fp8_measured));
    CHECK(std::abs(fp8 - fp8_measured) / fp8_measured <= r["error_band"]["total_tps_pct"].get<double>() / 100);

    // measurements/serving/sglang_cookbook_trtllm.csv (SGLang cookbook, v0.5.7): ERNIE 4.5 21B-A3B BF16 on one MI300X,
    // 100 concurrent requests of 500 / 505 tokens on average (the run's printed totals over 500 prompts, lengths
    // drawn by bench_serving at its default range ratio): 3,792 output tok/s. At the FNUZ FP8 share of the compute
    // efficiency the model said 2,666 (-30 %). The check: nearer the run than that, and within the band the API
    // shows. (It was within ±25 % until the second December 2026 collection's single requests on B200 and H200
    // brought the fitted step cost from 2.4 to 1.8 ms: +25.05 %.)
    json bf16 = serve({{"op", "serve"}, {"model", "ernie-4.5-21b-a3b"}, {"hardware", "mi300x"}, {"quant", "BF16"},
                       {"engine", "sglang"}, {"input_tokens", 500}, {"output_tokens", 505}, {"users", 100},
                       {"prompts", 500}, {"length_range_ratio", 0}});
    REQUIRE(bf16["ok"] == true);
    INFO(bf16["point"].dump());
    const double ernie = bf16["point"]["total_tps"].get<double>(), ernie_measured = 3792, at_fnuz_share = 2666;
    CHECK(std::abs(ernie - ernie_measured) < std::abs(at_fnuz_share - ernie_measured));
    CHECK(std::abs(ernie - ernie_measured) / ernie_measured <= bf16["error_band"]["total_tps_pct"].get<double>() / 100);
}

TEST_CASE("measured anchors: CDNA4's OCP FP8 matmuls run at ROCm's FP8 share, not CUDA's") {
    // measurements/serving/amd_serving.csv (llm-d's MI355X performance reference, vLLM 0.15.1, April 2026):
    // Llama 3.3 70B FP8 (FP8 cache) on eight MI355X, 128 requests at once of 1024 prompt tokens, answering 128
    // (output over total throughput: 2,985 of 26,853 tok/s): 2,985 output tok/s, 39.2 ms a token (25.5 tok/s
    // each). At CUDA's share of the MI355X's FP8 peak the model says 3,600 (+21 %) and 33.7 (+32 %); 4,555 and 35.7
    // before each user's wait for a first token was counted. The check: nearer the run than that, and within the
    // band the API shows.
    json r = serve({{"op", "serve"}, {"model", "llama-3.3-70b-instruct"}, {"hardware", "mi355x"}, {"quant", "FP8"}, {"gpus", 8},
                    {"tensor_parallel", 8}, {"engine", "batched"}, {"input_tokens", 1024}, {"output_tokens", 128}, {"kv", "q8_0"},
                    {"users", 128}, {"arrivals", "together"}, {"as_of", "2026-04-22"}});
    REQUIRE(r["ok"] == true);
    INFO(r["point"].dump());
    const double total = r["point"]["total_tps"].get<double>(), total_measured = 2985, total_at_cuda_share = 3600;
    const double user = r["point"]["per_user_tps"].get<double>(), user_measured = 25.5, user_at_cuda_share = 33.7;
    CHECK(std::abs(total - total_measured) < std::abs(total_at_cuda_share - total_measured));
    CHECK(std::abs(user - user_measured) < std::abs(user_at_cuda_share - user_measured));
    CHECK(std::abs(total - total_measured) / total_measured <= r["error_band"]["total_tps_pct"].get<double>() / 100);
    CHECK(std::abs(user - user_measured) / user_measured <= r["error_band"]["user_tps_pct"].get<double>() / 100);
}

TEST_CASE("fit recovers the serving constants, ROCm's FP8 share and layer cost and the first-token latency among them") {
    // Rows predicted under chosen constants (this test's own choice); a fit from the usual starting guess must
    // find them again. ROCm's FP8 kernels (the MI300X's FNUZ) at half CUDA's compute share, and 30 us more a layer in
    // each of its steps; H100 and MI300X rows at several loads;
    // a first token 120 ms after a request's prefill and step, found from the TTFTs of single requests; a new
    // model's steps 2.5x as long on its release day, found from the runs dated then; identical long-prompt
    // requests arriving together, each waiting for 0.4 of the cohort's other prompts, found from their TTFTs.
    runwell::Engine engine;
    REQUIRE(engine.load(test::bundled_files()).empty());
    json chosen = test::bundled_calibration();
    json& serving = chosen["calibration"]["serving"];
    serving["bandwidth_efficiency"] = 0.7;
    serving["compute_efficiency"] = 0.5;
    serving["format_compute_factors"] = {{"rocm_fp8", 0.5}};
    serving["first_token_ms"] = 120;
    serving["young_kernel_slowdown"] = 1.5;
    serving["cohort_wait_share"] = 0.4;
    serving["rocm_layer_step_us"] = 30;
    REQUIRE(engine.set_calibration(chosen.dump()).empty());
    // Llama 3.1 and Qwen3-30B-A3B were released on these days (data/models.json); the 16-user runs are dated
    // then, the others a year on.
    const std::map<std::string, std::pair<const char*, const char*>> days = {{"llama-3.1-8b-instruct", {"2024-07-23", "2025-07-23"}},
                                                                             {"llama-3.1-70b-instruct", {"2024-07-23", "2025-07-23"}},
                                                                             {"qwen3-30b-a3b", {"2025-04-29", "2026-04-29"}}};
    std::string rows;
    for (const char* model : {"llama-3.1-8b-instruct", "llama-3.1-70b-instruct", "qwen3-30b-a3b"})
        for (const char* hw : {"h100-sxm", "mi300x"})
            for (int users : {1, 16, 512})
                // Long prompts make the compute show on both GPUs (the H100's alone tells compute_efficiency apart).
                for (auto [input, output] : {std::pair{128, 2048}, std::pair{8000, 200}}) {
                    json req = {{"op", "serve"}, {"model", model}, {"hardware", hw}, {"quant", "FP8"}, {"gpus", 2}, {"tensor_parallel", 2},
                                {"engine", "batched"}, {"input_tokens", input}, {"output_tokens", output}, {"users", users},
                                {"as_of", users == 16 ? days.at(model).first : days.at(model).second},
                                {"arrivals", input == 8000 ? "together" : "random"}};
                    json p = json::parse(engine.call(req.dump()));
                    REQUIRE(p["ok"] == true);
                    rows += json({{"request", req}, {"quantity", "serving_total_tps"}, {"measured", p["point"]["total_tps"]}}).dump() + "\n";
                    rows += json({{"request", req}, {"quantity", "serving_user_tps"}, {"measured", p["point"]["per_user_tps"]}}).dump() + "\n";
                    rows += json({{"request", req}, {"quantity", "serving_ttft"}, {"measured", p["point"]["ttft_s"]}}).dump() + "\n";
                }
    // The fit starts from the bundled calibration, not from the chosen constants.
    REQUIRE(engine.set_calibration(test::bundled_calibration().dump()).empty());
    json fitted = json::parse(engine.fit(rows));
    REQUIRE(fitted["ok"] == true);
    const json& got = fitted["calibration"]["serving"];
    INFO(got.dump());
    // Tolerance 5 %: the search is a grid refined by golden sections and pattern moves.
    CHECK(got["format_compute_factors"]["rocm_fp8"].get<double>() == Approx(0.5).epsilon(0.05));
    CHECK(got["compute_efficiency"].get<double>() == Approx(0.5).epsilon(0.05));
    CHECK(got["bandwidth_efficiency"].get<double>() == Approx(0.7).epsilon(0.05));
    CHECK(got["first_token_ms"].get<double>() == Approx(120).epsilon(0.05));
    CHECK(got["young_kernel_slowdown"].get<double>() == Approx(1.5).epsilon(0.05));
    CHECK(got["cohort_wait_share"].get<double>() == Approx(0.4).epsilon(0.05));
    CHECK(got["rocm_layer_step_us"].get<double>() == Approx(30).epsilon(0.05));
    CHECK(fitted["loss"].get<double>() < 0.01 * fitted["rows"].get<double>());
}

// How prompts arrive, against a measured mean TTFT (s): `fitting` is within the TTFT band it shows and nearer than
// `other`, the same setup with prompts arriving another way; the speeds do not depend on how prompts arrive.
void check_ttft_nearer(const json& fitting, const json& other, double measured) {
    REQUIRE(fitting["ok"] == true);
    REQUIRE(other["ok"] == true);
    const double band = fitting["error_band"]["ttft_pct"].get<double>() / 100;
    const double ttft = fitting["point"]["ttft_s"].get<double>(), otherwise = other["point"]["ttft_s"].get<double>();
    INFO(ttft << " s against " << otherwise << " s the other way; measured " << measured << " s, band " << band);
    CHECK(std::abs(ttft - measured) <= band * measured);
    CHECK(std::abs(ttft - measured) < std::abs(otherwise - measured));
    CHECK(fitting["point"]["per_user_tps"] == other["point"]["per_user_tps"]);
}

TEST_CASE("a benchmark's identical requests arrive together: their prompts queue as a cohort") {
    // llm-d's MI355X reference (measurements/serving: llm-d-mi355x): vllm bench, fixed 4096/4096-token requests,
    // 32 at a time on eight MI355X, Llama 3.3 70B in FP8 with an FP8 cache: mean TTFT 1,204 ms. Arriving at
    // random (real traffic), the model's prompt waits for little: 0.17 s; arriving together, behind a share of
    // the other 31 prompts. Checked within the TTFT band the result shows for it, and nearer than random arrivals.
    json req = {{"op", "serve"}, {"model", "llama-3.3-70b-instruct"}, {"hardware", "mi355x"}, {"quant", "FP8"}, {"gpus", 8},
                {"tensor_parallel", 8}, {"engine", "batched"}, {"kv", "q8_0"}, {"input_tokens", 4096}, {"output_tokens", 4096},
                {"users", 32}, {"as_of", "2026-04-22"}};
    json random = serve(req);
    req["arrivals"] = "together";
    json together = serve(req);
    check_ttft_nearer(together, random, 1.204);
    req["arrivals"] = "in a burst";
    json bad = serve(req);
    CHECK(bad["ok"] == false);
    CHECK(bad["error"]["code"] == "unknown_value");
    CHECK(bad["error"]["path"] == "arrivals");
}

TEST_CASE("a benchmark run of a set number of requests ends with its last answers one by one") {
    using runwell::run_busy_share;
    CHECK(run_busy_share(0, 16, 0) == 1);          // users who keep asking: no end
    CHECK(run_busy_share(80, 1, 0) == Approx(1));   // one sequence is never idle, whatever the lengths
    CHECK(run_busy_share(160, 16, 1) == Approx(1));  // alike answers, ten full waves
    // Alike answers, 100 on 64 sequences: two waves' time for 100 / 128 of the work. Tolerance 1e-9 (arithmetic).
    CHECK(run_busy_share(100, 64, 1) == Approx(100.0 / 128).epsilon(1e-9));
    // SGLang's bench_serving at its default range ratio 0 (lengths drawn uniformly up to the stated one), 80 prompts
    // at 16 at a time: 0.844 on average over 200 draws of a Python simulation of
    // that client (numpy randint, the first free slot takes the next prompt), 0.80-0.89 from draw to draw.
    // Tolerance ±0.04.
    CHECK(run_busy_share(80, 16, 0) == Approx(0.844).margin(0.04));
    CHECK(run_busy_share(80, 16, 0.8) > run_busy_share(80, 16, 0));  // a narrower spread ends more together
    // Through the API: bounded, and a run's output rate below the steady one.
    json req = {{"op", "serve"}, {"model", "qwen3-8b"}, {"hardware", "h100-sxm"}, {"quant", "FP8"}, {"engine", "sglang"},
                {"input_tokens", 500}, {"output_tokens", 500}, {"users", 16}};
    json steady = serve(req);
    req["prompts"] = 80;
    req["length_range_ratio"] = 0;
    json run = serve(req);
    REQUIRE(steady["ok"] == true);
    REQUIRE(run["ok"] == true);
    CHECK(run["point"]["total_tps"].get<double>() < steady["point"]["total_tps"].get<double>());
    CHECK(run["point"]["per_user_tps"] == steady["point"]["per_user_tps"]);
    req["prompts"] = 200'000;
    CHECK(serve(req)["error"]["path"] == "prompts");
    req["prompts"] = 80;
    req["length_range_ratio"] = 1.5;
    CHECK(serve(req)["error"]["path"] == "length_range_ratio");
}

TEST_CASE("measured anchors: a run's output rate over its users' speeds shows its end") {
    // measurements/serving/vendor_blogs_2026_12.csv (SGLang cookbook, GLM-4.6 BF16 on eight B200, SGLang 0.5.6.post1):
    // bench_serving at its default range ratio, 80 prompts, 16 at a time, 496 / 509 tokens on average (its printed
    // totals): 565.14 output tok/s and a mean TPOT of 24.24 ms, so an output rate over 16 users' speed of 0.856
    // (the client printed a concurrency of 13.71). Users who keep asking would keep all 16 busy. Tolerance ±0.05.
    json req = {{"op", "serve"}, {"model", "glm-4.6"}, {"hardware", "b200"}, {"quant", "BF16"}, {"gpus", 8}, {"tensor_parallel", 8},
                {"engine", "sglang"}, {"input_tokens", 496}, {"output_tokens", 509}, {"users", 16}, {"arrivals", "random"},
                {"prompts", 80}, {"length_range_ratio", 0}, {"as_of", "2025-12-14"}};
    json r = serve(req);
    REQUIRE(r["ok"] == true);
    INFO(r["point"].dump());
    const double busy = r["point"]["total_tps"].get<double>() / (16 * r["point"]["per_user_tps"].get<double>());
    CHECK(busy == Approx(0.856).margin(0.05));
}

TEST_CASE("measured anchors: users who wait for each first token do not all decode at every step") {
    // measurements/serving/vendor_docs.csv (Vultr's inference cookbook, vLLM 0.16.0, Nemotron Nano 30B FP8 on two
    // B200, vllm bench with 2,048-token prompts and 512-token answers): at 8, 16 and 32 users 1,881, 3,455 and 3,798
    // output tok/s at 3.96, 4.32 and 7.86 ms a token, an output rate of 0.931-0.933 of the users' speeds (mean
    // TTFT 152-206 ms). Counting every user as decoding at every step the model said 0.997-0.998. Tolerance
    // ±0.03 (the model's TTFT for these runs, 0.11-0.17 s, is its own).
    for (int users : {8, 16, 32}) {
        json r = serve({{"op", "serve"}, {"model", "nemotron-3-nano-30b-a3b"}, {"hardware", "b200"}, {"quant", "FP8"}, {"gpus", 2},
                        {"tensor_parallel", 2}, {"engine", "batched"}, {"input_tokens", 2048}, {"output_tokens", 512},
                        {"users", users}, {"arrivals", "together"}, {"as_of", "2026-03-11"}});
        REQUIRE(r["ok"] == true);
        INFO(users << " users: " << r["point"].dump());
        const double share = r["point"]["total_tps"].get<double>() / (users * r["point"]["per_user_tps"].get<double>());
        CHECK(share == Approx(0.932).margin(0.03));
    }
    // An offline run (every request queued in the engine, as many running as the memory holds): a finished
    // place takes the next request at once, so its running requests all decode.
    json queued = serve({{"op", "serve"}, {"model", "nemotron-3-nano-30b-a3b"}, {"hardware", "b200"}, {"quant", "FP8"},
                         {"engine", "batched"}, {"input_tokens", 2048}, {"output_tokens", 512}, {"at_memory_limit", true}});
    REQUIRE(queued["ok"] == true);
    INFO(queued["point"].dump());
    const double running_rate = queued["point"]["users"].get<double>() * queued["point"]["per_user_tps"].get<double>();
    CHECK(queued["point"]["total_tps"].get<double>() >= 0.99 * running_rate);
}

TEST_CASE("a burst of every prompt at once: the first prompts queue behind each other, the rest for a free sequence") {
    // gpustack's performance lab (measurements/serving: gpustack-perf-lab, qwen3-235b-a22b/h100.md): vllm bench with
    // no concurrency cap sent 500 requests of 4,000 tokens at once to vLLM 0.11.0 on eight H100, Qwen3-235B-A22B in
    // BF16; the answers averaged 185 tokens; mean TTFT 47.81 s. Planned as 500 users that keep asking (the rest
    // queue a whole answer each time) the wait is about twice that; as one burst it is checked within the TTFT
    // band the result shows, and nearer.
    json req = {{"op", "serve"}, {"model", "qwen3-235b-a22b"}, {"hardware", "h100-sxm"}, {"quant", "BF16"}, {"gpus", 8},
                {"tensor_parallel", 8}, {"engine", "batched"}, {"input_tokens", 4000}, {"output_tokens", 185},
                {"users", 500}, {"as_of", "2025-11-12"}};
    json users = serve(req);
    req["arrivals"] = "burst";
    json burst = serve(req);
    check_ttft_nearer(burst, users, 47.81);
    // Its output rate is every answer over the time the burst takes, below the steady rate of as many users that
    // keep asking: checked against the run's 931.21 tok/s within the band the result shows.
    const double burst_rate = burst["point"]["total_tps"].get<double>();
    CHECK(burst_rate < users["point"]["total_tps"].get<double>());
    CHECK(burst_rate == Approx(931.21).epsilon(burst["error_band"]["total_tps_pct"].get<double>() / 100));
    // Fewer requests than sequences: no one waits for a sequence, only for the prompts before theirs.
    req["users"] = 2;
    json two = serve(req);
    req["users"] = 1;
    json one = serve(req);
    REQUIRE(two["ok"] == true);
    REQUIRE(one["ok"] == true);
    CHECK(two["point"]["ttft_s"].get<double>() > one["point"]["ttft_s"].get<double>());
}

TEST_CASE("vLLM keeps its small-GPU defaults on an A100, whatever its memory") {
    // vLLM tests/engine/test_arg_utils.py test_defaults_with_usage_context: on a GPU of 70 GiB or more whose
    // name does not contain "a100", the API server runs 1024 sequences and 8192 tokens a step; else 256 and 2048.
    ServingLoad load{1000, 200};
    auto a100 = runwell::plan_serving(test::setup("qwen3-8b", "a100-80gb", "BF16"), ServingEngine::Batched, 1, load);
    auto h100 = runwell::plan_serving(test::setup("qwen3-8b", "h100-sxm", "BF16"), ServingEngine::Batched, 1, load);
    CHECK(a100.engine_batch_limit == 256);
    CHECK(a100.max_batched_tokens == 2048);
    CHECK(h100.engine_batch_limit == 1024);
    CHECK(h100.max_batched_tokens == 8192);
}

TEST_CASE("a batched engine's band is its checkpoint format's where that has evidence, and INT4 experts say their kernels vary") {
    // Bands of this test's own choice: FP8 on CUDA ±25 % on plenty of rows, INT4_BF16 on CUDA ±300 % from
    // one source (thin), CUDA as a whole ±40 %, everything ±45 %.
    runwell::Engine engine;
    test::load_with_bands(
        engine, "serving_user_tps", {{{"quantity", "serving_user_tps"}, {"arch", "*"}, {"backend", "*"}, {"pct", 45}, {"rows", 120}, {"sources", 5}},
                             {{"quantity", "serving_user_tps"}, {"arch", "*"}, {"backend", "cuda"}, {"pct", 40}, {"rows", 90}, {"sources", 4}},
                             {{"quantity", "serving_user_tps"}, {"arch", "FP8"}, {"backend", "cuda"}, {"pct", 25}, {"rows", 40}, {"sources", 4}},
                             {{"quantity", "serving_user_tps"}, {"arch", "INT4_BF16"}, {"backend", "cuda"}, {"pct", 300}, {"rows", 8}, {"sources", 1}}});
    auto answer = [&](const char* model, const char* quant, const char* device = "h200") {
        json est = json::parse(engine.call(json({{"model", model}, {"hardware", device}, {"gpus", 8}, {"quant", quant}, {"mode", "scale-out"}}).dump()));
        REQUIRE(est["ok"] == true);
        REQUIRE(est["speed_engine"]["id"] != "llama.cpp");
        return est;
    };
    CHECK(answer("deepseek-r1", "FP8")["error_band"]["decode_pct"] == 25);
    CHECK(answer("qwen3-235b-a22b", "FP8")["error_band"]["decode_pct"] == 25);
    json kimi = answer("kimi-k2.5", "INT4_BF16");
    CHECK(kimi["error_band"]["decode_pct"] == 300);  // thin, and wider than its parents: its own
    // What the engine downloads: the model's own repo, in the INT4 experts it is published in (models.json).
    CHECK(kimi["download"]["repo"] == "moonshotai/Kimi-K2.5");
    CHECK(kimi["download"]["quant"] == "INT4_BF16");
    bool says_kernels = false;
    for (const json& c : kimi["caveats"])
        says_kernels |= c["code"] == "young_kernels" && c["text"].get<std::string>().find("INT4_BF16") != std::string::npos;
    CHECK(says_kernels);
    // An NVFP4 checkpoint has no class of its own here: CUDA's.
    CHECK(answer("deepseek-r1", "NVFP4", "b200")["error_band"]["decode_pct"] == 40);
}

TEST_CASE("a batched engine's figures show their backend's serving band, and thin evidence never narrows it") {
    // Bands of this test's own choice, for the FP8 checkpoints it asks about: CUDA ±30 % on plenty of rows,
    // ROCm ±77 % on enough, the pooled ±45 %.
    runwell::Engine engine;
    json chosen = test::load_with_bands(
        engine, "serving_user_tps", {{{"quantity", "serving_user_tps"}, {"arch", "*"}, {"backend", "*"}, {"pct", 45}, {"rows", 120}, {"sources", 5}},
                             {{"quantity", "serving_user_tps"}, {"arch", "FP8"}, {"backend", "cuda"}, {"pct", 30}, {"rows", 90}, {"sources", 4}},
                             {{"quantity", "serving_user_tps"}, {"arch", "FP8"}, {"backend", "rocm"}, {"pct", 77}, {"rows", 30}, {"sources", 3}}});
    json& bands = chosen["calibration"]["bands"];
    auto user_band = [&](const char* device) {
        json q = {{"op", "serve"}, {"model", "llama-3.1-70b-instruct"}, {"hardware", device}, {"quant", "FP8"}, {"gpus", 2},
                  {"engine", "batched"}, {"input_tokens", 1000}, {"output_tokens", 500}};
        json r = json::parse(engine.call(q.dump()));
        REQUIRE(r["ok"] == true);
        return r["error_band"]["user_tps_pct"].get<int>();
    };
    CHECK(user_band("h100-sxm") == 30);
    CHECK(user_band("mi300x") == 77);
    // The same in the light-API mode's estimate, whose headline decode is the batched engine's.
    json est = json::parse(engine.call(json({{"model", "llama-3.1-70b-instruct"}, {"hardware", "mi300x"}, {"quant", "FP8"},
                                             {"mode", "scale-out"}}).dump()));
    REQUIRE(est["ok"] == true);
    REQUIRE(est["speed_engine"]["id"] != "llama.cpp");
    CHECK(est["error_band"]["decode_pct"] == 77);

    auto codes_on = [&](const char* device) {
        json est = json::parse(engine.call(json({{"model", "llama-3.1-70b-instruct"}, {"hardware", device}, {"quant", "FP8"},
                                                 {"mode", "scale-out"}}).dump()));
        REQUIRE(est["ok"] == true);
        return caveat_codes(est);
    };
    auto says_few = [](const std::vector<std::string>& codes) {
        return std::find(codes.begin(), codes.end(), "few_serving_measurements") != codes.end();
    };
    CHECK_FALSE(says_few(codes_on("mi300x")));

    // ROCm's band from one source is thin: the wider of its own and the pooled one, never its own narrower
    // one, and the result says the evidence is thin.
    bands.back() = {{"quantity", "serving_user_tps"}, {"arch", "FP8"}, {"backend", "rocm"}, {"pct", 20}, {"rows", 30}, {"sources", 1}};
    REQUIRE(engine.set_calibration(chosen.dump()).empty());
    CHECK(user_band("mi300x") == 45);
    CHECK(says_few(codes_on("mi300x")));
    CHECK_FALSE(says_few(codes_on("h100-sxm")));
}

TEST_CASE("a mode's many users on a batched engine: what limits the setup is the engine's step, not one GPU's single stream") {
    // Llama 3.3 70B FP8 on eight MI300X in the scale-out mode: the speeds are the batched engine's (tensor
    // parallel over 8 GPUs), so the limit must quote that step. The single-stream note said "Each token reads
    // 66 GiB of weights" against one GPU's bandwidth, while the engine splits them eight ways.
    json r = test::call({{"model", "llama-3.3-70b-instruct"}, {"hardware", "mi300x"}, {"quant", "FP8"}, {"gpus", 8}, {"mode", "scale-out"}},
                        "estimate");
    REQUIRE(r["ok"] == true);
    REQUIRE(r["speed_engine"]["id"] == "batched");
    const json* step = nullptr;
    for (const json& n : r["limits"])
        for (const char* code : {"bandwidth", "compute", "gpu_links", "step_overhead"})
            if (n["code"] == code) step = &n;
    REQUIRE(step != nullptr);
    const std::string text = (*step)["detail"];
    INFO(text);
    // Weights per GPU against the same answer's memory figure over the 8 GPUs. Tolerance 10 %: a step reads every
    // matrix but the input embedding table (about 1 % of this model).
    auto number_before = [&](const std::string& tail) {
        size_t end = text.find(tail);
        REQUIRE(end != std::string::npos);
        size_t start = text.rfind(' ', end - 1) + 1;
        return std::stod(text.substr(start, end - start));
    };
    CHECK(number_before(" GiB of weights per GPU") == Approx(r["memory_gib"]["weights"].get<double>() / 8).epsilon(0.10));
    CHECK(text.find("split over 8 GPUs") != std::string::npos);
    // The quoted terms add up to the engine's step (the serving point's step_ms); each is rounded to 0.1 ms.
    double sum = number_before(" ms at ") + number_before(" ms, the all-reduces") + number_before(" ms and the engine") +
                 number_before(" ms. With the prompts");
    CHECK(sum == Approx(r["serving"]["point"]["step_ms"].get<double>()).margin(0.3));
    CHECK(text.find("for a model this new") == std::string::npos);  // Llama 3.3 came out in 2024
}

TEST_CASE("a serving plan that names no quant plans the quant the estimate shows") {
    // The page asks both without a quant; the plan used to fall back to Q4_K_M on llama.cpp's slots while
    // the estimate above it showed gpt-oss's own MXFP4 checkpoint on a batched engine.
    json setup = {{"model", "gpt-oss-120b"}, {"hardware", "h100-sxm"}, {"gpus", 2}, {"mode", "scale-out"}};
    json est = test::call(setup, "estimate");
    json plan = test::call(setup, "serve");
    REQUIRE(est["ok"] == true);
    REQUIRE(plan["ok"] == true);
    CHECK(plan["quant"] == est["quant"]["id"]);
    CHECK(plan["engine"] == "batched");
}

TEST_CASE("SGLang takes its own defaults: a prefill pass's tokens and its memory share by the GPU's memory") {
    // python/sglang/srt/server_args.py, _handle_gpu_memory_settings: --chunked-prefill-size 2048 on GPUs under
    // 35 GB (A10, 4090), 4096 under 60 GB (A100 40GB, L40), 8192 under 160 GB (H100, H200), 16384 above
    // (B200, MI300); at least 10 GiB left outside --mem-fraction-static on GPUs over 60 GiB.
    ServingLoad load{1000, 200};
    for (auto [device, chunk] : {std::pair{"rtx-4090", 2048}, std::pair{"l40", 4096}, std::pair{"h100-sxm", 8192},
                                 std::pair{"h200", 8192}, std::pair{"b200", 16384}, std::pair{"mi300x", 16384}}) {
        CAPTURE(device);
        runwell::Setup s = test::setup("qwen3-8b", device, "BF16");
        auto plan = runwell::plan_serving(s, ServingEngine::Sglang, 1, load);
        CHECK(plan.max_batched_tokens == chunk);
        // The weights, the pool and what SGLang keeps outside its share fill the memory the GPU reports.
        CHECK(plan.weights_gib + plan.kv_pool_gib + plan.reserve_gib == Approx(runwell::usable_gib(*s.device, 1)).epsilon(1e-9));
        if (s.device->memory_gib > 60) CHECK(s.device->memory_gib * (1 - plan.memory_fraction) >= 10.0 - 1e-9);
    }
}

TEST_CASE("SGLang runs the joining prompts in passes of their own: the decodes wait, and pay most when answers are short") {
    // Same step, same requests: vLLM puts the prompts in the decode steps, SGLang (--enable-mixed-chunk off,
    // its default) runs them in passes that read the weights and pay a step's fixed costs again.
    runwell::Setup s = test::setup("llama-3.1-70b-instruct", "h100-sxm", "FP8");
    s.gpus = 4;
    auto run = [&](ServingEngine engine, ServingLoad load, int users) {
        auto plan = runwell::plan_serving(s, engine, 4, load);
        REQUIRE(plan.fits);
        return runwell::serve_at(s, plan, load, users);
    };
    // Alone, a request sees no one's prompt: both engines decode it at the same pace.
    auto vllm_alone = run(ServingEngine::Batched, {1000, 1000}, 1), sglang_alone = run(ServingEngine::Sglang, {1000, 1000}, 1);
    CHECK(sglang_alone.per_user_tps == Approx(vllm_alone.per_user_tps).epsilon(1e-9));
    // 64 users: a request joins every 1000 / 64 steps, and each pass holds the decodes up.
    auto vllm = run(ServingEngine::Batched, {1000, 1000}, 64), sglang = run(ServingEngine::Sglang, {1000, 1000}, 64);
    REQUIRE(vllm.running == 64);
    REQUIRE(sglang.running == 64);
    CHECK(sglang.prefill_pass_s > 0);
    CHECK(sglang.per_user_tps < vllm.per_user_tps);
    // Eight times longer answers: an eighth of the passes per step.
    auto sglang_long = run(ServingEngine::Sglang, {1000, 8000}, 64);
    CHECK(sglang_long.prefill_pass_s < sglang.prefill_pass_s / 4);
}

TEST_CASE("measured anchors: SGLang's prefill passes slow each user when short answers bring many prompts") {
    // measurements/serving/sglang_cookbook_trtllm.csv (SGLang cookbook, v0.5.6.post1, default flags): DeepSeek-R1-0528
    // FP8 on eight B200 (TP 8), 100 concurrent requests of 1000 / 1000 tokens: mean TPOT 40.11 ms, 24.9 tok/s per user.
    // The model says 33.7 tok/s (+35 %, outside the 32 % band it shows): InferenceX's tuned SGLang 0.5.12 runs of the
    // same model on the same GPUs are 1.1-1.3x the model, these default-flag ones 0.7-1.0x, and the fit sits between.
    // What holds is the engine's shape: planned as a vLLM-class engine (prompts inside the decode steps) the same
    // request decodes faster still, further from the run.
    auto ask = [&](const char* engine) {
        json r = serve({{"op", "serve"}, {"model", "deepseek-r1"}, {"hardware", "b200"}, {"quant", "FP8"}, {"gpus", 8},
                        {"tensor_parallel", 8}, {"engine", engine}, {"input_tokens", 1000}, {"output_tokens", 1000}, {"users", 100}});
        REQUIRE(r["ok"] == true);
        INFO(r["point"].dump());
        return r["point"]["per_user_tps"].get<double>();
    };
    const double measured = 1000 / 40.11;
    const double sglang = ask("sglang");
    CHECK(std::abs(sglang - measured) < std::abs(ask("batched") - measured));
}

TEST_CASE("serve API: SGLang is an engine of its own, with its command and its label") {
    json r = serve({{"model", "llama-3.3-70b-instruct"}, {"hardware", "h100-sxm"}, {"gpus", 8}, {"tensor_parallel", 4},
                    {"quant", "FP8"}, {"workload", "chat"}, {"engine", "sglang"}});
    REQUIRE(r["ok"] == true);
    CHECK(r["engine"] == "sglang");
    CHECK(r["engine_label"] == "SGLang");
    CHECK(r["engine_how"].get<std::string>().find("passes of their own") != std::string::npos);
    // Every engine that serves this setup, each with the label the page shows.
    std::vector<std::string> ids;
    for (const json& e : r["engines"]) {
        ids.push_back(e["id"]);
        CHECK(!e["label"].get<std::string>().empty());
    }
    CHECK(ids == std::vector<std::string>{"batched", "sglang"});
    // The command: SGLang's launcher on the plan's grouping, the FP8 quantization of the 16-bit repo as it loads,
    // its memory share and prefill chunk left to the defaults the plan models; each argument a word of its own.
    REQUIRE(r["command"].is_object());
    CHECK(r["command"]["runtime"] == "sglang");
    const json& argv = r["command"]["argv"].back();
    const std::vector<std::string> head(argv.begin(), argv.begin() + 5);
    CHECK(head == std::vector<std::string>{"python3", "-m", "sglang.launch_server", "--model-path", "meta-llama/Llama-3.3-70B-Instruct"});
    const std::string cmd = r["command"]["text"];
    CHECK(cmd.find("--tp-size 4 --dp-size 2 --max-running-requests " + std::to_string(r["capacity"]["running"].get<int>())) != std::string::npos);
    CHECK(cmd.find("--quantization fp8") != std::string::npos);
    CHECK(cmd.find("--mem-fraction-static") == std::string::npos);
    // SGLang serves what the batched engines serve, nothing else.
    CHECK(serve({{"model", "qwen3-8b"}, {"hardware", "rtx-4090"}, {"quant", "Q4_K_M"}, {"engine", "sglang"}})["error"]["code"] == "engine_unsupported");
    json bad = serve({{"model", "qwen3-8b"}, {"hardware", "rtx-4090"}, {"engine", "sglang2"}});
    CHECK(bad["error"]["code"] == "unknown_value");
    CHECK(bad["error"]["message"].get<std::string>().find("sglang") != std::string::npos);
}

TEST_CASE("a MoE's prompt tokens are padded at the batch they run in, not at the step's budget") {
    // 2000-token prompts for 20-token answers on an H100 (vLLM, 8192 tokens a step): 4 users send one prompt
    // at a time, which runs beside their decodes; 200 users fill every step with prompt chunks. Each touched
    // expert's matmul pads its tokens to the kernel's tile, so fewer tokens per expert cost more per token.
    // A dense model's prompt tokens cost the same either way. Same prompt length: same attention work.
    ServingLoad load{2000, 20};
    auto prompt_token_s = [&](const char* model, int users) {
        runwell::Setup s = test::setup(model, "h100-sxm", "FP8");
        auto plan = runwell::plan_serving(s, ServingEngine::Batched, 1, load);
        REQUIRE(plan.fits);
        auto p = runwell::serve_at(s, plan, load, users);
        INFO(model << " at " << users << " users: running " << p.running << ", prompt-bound " << p.prompt_bound);
        REQUIRE(p.prompt_bound == (users > 100));
        return p.prefill_token_s;
    };
    CHECK(prompt_token_s("qwen3-30b-a3b", 4) > 1.1 * prompt_token_s("qwen3-30b-a3b", 200));  // clearly more, not rounding
    CHECK(prompt_token_s("llama-3.1-8b-instruct", 4) == Approx(prompt_token_s("llama-3.1-8b-instruct", 200)).epsilon(1e-9));
}

TEST_CASE("each GPU of a tensor-parallel group adds to a step's fixed cost") {
    // Every worker of the group is handed the step's batch and heard back from (serving.group_step_overhead_ms):
    // the same model split over more GPUs reads less per GPU but pays more per step.
    runwell::Setup s = test::setup("llama-3.3-70b-instruct", "h100-sxm", "FP8");
    s.gpus = 8;
    ServingLoad load{1000, 500};
    auto step = [&](int tp) {
        auto plan = runwell::plan_serving(s, ServingEngine::Batched, tp, load);
        REQUIRE(plan.fits);
        return runwell::serve_at(s, plan, load, 1).parts;
    };
    auto two = step(2), eight = step(8);
    CHECK(eight.overhead_s > two.overhead_s);
    CHECK(eight.weight_gib_per_gpu < two.weight_gib_per_gpu);
}

TEST_CASE("AMD's MXFP4 exports of a MoE model run where FP4 tensor cores multiply them, from the published checkpoint") {
    const json request = {{"model", "qwen3.5-397b-a17b"}, {"quant", "MXFP4_MOE"}, {"gpus", 4}, {"tensor_parallel", 4},
                          {"engine", "sglang"}, {"input_tokens", 8192}, {"output_tokens", 1024}, {"users", 4}};
    json mi355x = request, mi300x = request;
    mi355x["hardware"] = "mi355x";
    mi300x["hardware"] = "mi300x";  // CDNA3: FP8 tensor cores, no FP4
    json r = serve(mi355x);
    REQUIRE(r["ok"] == true);
    // data/availability.json records AMD's export (https://huggingface.co/amd/Qwen3.5-397B-A17B-MXFP4).
    CHECK(r["command"]["text"].get<std::string>().find("--model-path amd/Qwen3.5-397B-A17B-MXFP4 ") != std::string::npos);
    // measurements/serving/pr_tables_2026.csv, InferenceX PR #3311 baseline (SGLang 0.5.19, 4x MI355X, 8k/1k,
    // 4 concurrent requests): TPOT 7.86 ms, 127 tok/s per user; within the serving class's band the API shows
    // (±25 % when this was written; +27 % against a ±46 % band since the second December 2026 collection).
    const double measured = 1000 / 7.86;
    CHECK(std::abs(r["point"]["per_user_tps"].get<double>() - measured) / measured <= r["error_band"]["user_tps_pct"].get<double>() / 100);
    CHECK(serve(mi300x)["error"]["code"] == "engine_unsupported");
}

TEST_CASE("measured anchors: a request alone waits its prefill, one step and the engine's first-token latency") {
    // DeepSeek-R1 FP8 on eight B200 (TP8), one request of about 1000 prompt tokens, SGLang. Mean TTFTs: InferenceX
    // PR #3363 baseline (0.5.12, 1024 tokens) 160.36 ms (measurements/serving/pr_tables_2026.csv); SGLang cookbook
    // (0.5.6.post1, 1000 tokens) 153.00 and 125.76 ms (serving_vllm_sglang.csv). Their median is 153 ms. With the
    // single stream's 50 ms latency the model said 73 ms (-54 % of InferenceX's). Tolerance: the band the API shows
    // TTFT with; and the fitted latency must land nearer the runs than the single stream's 50 ms would.
    json r = serve({{"model", "deepseek-r1"}, {"hardware", "b200"}, {"quant", "FP8"}, {"gpus", 8}, {"tensor_parallel", 8},
                    {"engine", "sglang"}, {"input_tokens", 1024}, {"output_tokens", 1024}, {"users", 1}});
    REQUIRE(r["ok"] == true);
    const double measured = 0.153, ttft = r["point"]["ttft_s"].get<double>();
    CHECK(std::abs(ttft - measured) / measured <= r["error_band"]["ttft_pct"].get<double>() / 100);
    const double latency_s = test::bundled_calibration()["calibration"]["serving"]["first_token_ms"].get<double>() / 1000;
    CHECK(std::abs(ttft - measured) < std::abs(ttft - latency_s + 0.050 - measured));
}

TEST_CASE("measured anchors: a model released the day before runs slower on the batched engines, and the result says so") {
    // measurements/serving/sglang_cookbook_trtllm.csv (SGLang cookbook, v0.5.7, `--attention-backend triton`, run
    // 2026-01-20): GLM-4.7-Flash BF16 on one B200, released 2026-01-19 (data/models.json). Each user's speed per run
    // (1000 / mean TPOT), with the prompt and answer lengths the runs printed. Tolerance: the median measured /
    // predicted within ±25 %. As of the catalog's day (months later) the same runs come out more than 25 % slower than
    // predicted: the kernels then count as tuned.
    struct Run { int users; long input, output; double tps; };
    const Run runs[] = {{1, 610, 422, 114.29}, {16, 496, 510, 55.46}, {100, 500, 505, 31.00}, {1, 610, 4446, 91.41},
                        {16, 496, 3979, 49.12}, {64, 497, 4066, 32.78}, {1, 4194, 422, 79.18}, {16, 3750, 521, 35.88},
                        {64, 3981, 531, 17.22}};
    auto median_ratio = [&](const char* as_of) {
        std::vector<double> ratios;
        for (const Run& run : runs) {
            json q = {{"op", "serve"}, {"model", "glm-4.7-flash"}, {"hardware", "b200"}, {"quant", "BF16"}, {"engine", "sglang"},
                      {"input_tokens", run.input}, {"output_tokens", run.output}, {"users", run.users}};
            if (as_of) q["as_of"] = as_of;
            json r = serve(q);
            REQUIRE(r["ok"] == true);
            ratios.push_back(run.tps / r["point"]["per_user_tps"].get<double>());
        }
        std::sort(ratios.begin(), ratios.end());
        return ratios[std::size(runs) / 2];
    };
    CHECK(median_ratio("2026-01-20") == Approx(1).epsilon(0.25));
    CHECK(median_ratio(nullptr) < 0.75);

    // The serving plan and the estimate of a mode of many users say why, and the step's terms quote the extra time.
    json young = serve({{"op", "serve"}, {"model", "glm-4.7-flash"}, {"hardware", "b200"}, {"quant", "BF16"}, {"engine", "batched"},
                        {"users", 16}, {"as_of", "2026-01-20"}});
    REQUIRE(young["ok"] == true);
    REQUIRE(young["caveats"].size() == 1);
    CHECK(young["caveats"][0]["code"] == "young_model");
    CHECK(young["caveats"][0]["text"].get<std::string>().find("1 day before") != std::string::npos);
    CHECK(serve({{"op", "serve"}, {"model", "glm-4.7-flash"}, {"hardware", "b200"}, {"quant", "BF16"}, {"engine", "batched"},
                 {"users", 16}})["caveats"].empty());
    json estimate = test::call({{"model", "glm-4.7-flash"}, {"hardware", "b200"}, {"quant", "FP8"}, {"mode", "scale-out"}, {"as_of", "2026-01-20"}},
                               "estimate");
    REQUIRE(estimate["ok"] == true);
    REQUIRE(estimate["speed_engine"]["id"] == "batched");
    bool said = false, quoted = false;
    for (const json& c : estimate["caveats"]) said |= c["code"] == "young_model";
    for (const json& n : estimate["limits"]) quoted |= n["detail"].get<std::string>().find("for a model this new add") != std::string::npos;
    CHECK(said);
    CHECK(quoted);
}

TEST_CASE("a tensor-parallel group without a GPU link says its all-reduces go over PCIe") {
    // hardware.json: the RTX PRO 6000 Blackwell has no interconnect_gbs (PCIe only), the H100 SXM its NVLink.
    const std::vector<std::string> pcie{"pcie_tensor_parallel"};
    auto with = [](json changes) {
        json q = {{"op", "serve"}, {"model", "qwen3-235b-a22b"}, {"quant", "FP8"}, {"engine", "batched"}, {"users", 1}};
        q.update(changes);
        return serve(q);
    };
    json rtx4 = with({{"hardware", "rtx-pro-6000-blackwell"}, {"gpus", 4}, {"tensor_parallel", 4}});
    REQUIRE(rtx4["ok"] == true);
    CHECK(caveat_codes(rtx4) == pcie);
    // Two replicas of one GPU each: no group, no all-reduce.
    json replicas = with({{"model", "qwen3-30b-a3b"}, {"hardware", "rtx-pro-6000-blackwell"}, {"gpus", 2}, {"tensor_parallel", 1}});
    REQUIRE(replicas["ok"] == true);
    CHECK(caveat_codes(replicas).empty());
    json h100 = with({{"hardware", "h100-sxm"}, {"gpus", 4}, {"tensor_parallel", 4}});
    REQUIRE(h100["ok"] == true);
    CHECK(caveat_codes(h100).empty());
    // The estimate of a mode of many users on the same four cards says it too.
    json estimate = test::call({{"model", "qwen3-235b-a22b"}, {"hardware", "rtx-pro-6000-blackwell"}, {"gpus", 4}, {"quant", "FP8"}, {"mode", "scale-out"}},
                               "estimate");
    REQUIRE(estimate["ok"] == true);
    REQUIRE(estimate["speed_engine"]["id"] == "batched");
    const std::vector<std::string> said = caveat_codes(estimate);
    CHECK(std::count(said.begin(), said.end(), "pcie_tensor_parallel") == 1);
}

TEST_CASE("an NVLink bridge joins a few cards: a larger group's all-reduces go over PCIe") {
    // NVIDIA's H100 and H200 tables: the H100 NVL's bridge joins pairs of cards (600 GB/s), the H200 NVL's
    // two or four (900 GB/s per GPU); hardware.json interconnect_gpus 2 and 4.
    const std::vector<std::string> pcie{"pcie_tensor_parallel"};
    auto group = [](const char* device, int gpus, int tp) {
        json r = serve({{"op", "serve"}, {"model", "llama-3.3-70b-instruct"}, {"hardware", device}, {"quant", "FP8"}, {"engine", "batched"},
                        {"gpus", gpus}, {"tensor_parallel", tp}, {"users", 8}});
        INFO(device << " x" << gpus << ", TP " << tp << ": " << r.dump());
        REQUIRE(r["ok"] == true);
        return r;
    };
    CHECK(caveat_codes(group("h100-nvl", 2, 2)).empty());
    CHECK(caveat_codes(group("h100-nvl", 4, 4)) == pcie);
    CHECK(caveat_codes(group("h200-nvl", 4, 4)).empty());
    CHECK(caveat_codes(group("h200-nvl", 8, 8)) == pcie);
    // Over PCIe (63 GB/s each way, not the bridge's 450) each user's step waits longer for the same group.
    CHECK(group("h100-nvl", 4, 4)["point"]["per_user_tps"].get<double>() < group("h200-nvl", 4, 4)["point"]["per_user_tps"].get<double>());
    // Asked for no group size, four H100 NVL run two bridged pairs (70 GB of FP8 weights fit on a pair's 188 GB),
    // and the command says so; Llama 3.1 405B's 405 GB do not fit on a pair, so eight cards make one group over PCIe.
    auto unasked = [](const char* model, int gpus) {
        json r = serve({{"op", "serve"}, {"model", model}, {"hardware", "h100-nvl"}, {"quant", "FP8"}, {"engine", "batched"},
                        {"gpus", gpus}, {"users", 8}});
        INFO(r.dump());
        REQUIRE(r["ok"] == true);
        return r;
    };
    json pairs = unasked("llama-3.3-70b-instruct", 4);
    CHECK(pairs["plan"]["tensor_parallel"] == 2);
    CHECK(pairs["plan"]["replicas"] == 2);
    CHECK(caveat_codes(pairs).empty());
    CHECK(pairs["command"]["text"].get<std::string>().find("--tensor-parallel-size 2 --data-parallel-size 2") != std::string::npos);
    json large = unasked("llama-3.1-405b-instruct", 8);
    CHECK(large["plan"]["tensor_parallel"] == 8);
    CHECK(caveat_codes(large) == pcie);
    CHECK(large["caveats"][0]["text"].get<std::string>().find("A bridge links only 2 of these 8 GPUs") == 0);
    // The estimate of a mode of many users speaks of the group its plan runs: the pairs, over their bridges.
    json estimate = test::call({{"model", "llama-3.3-70b-instruct"}, {"hardware", "h100-nvl"}, {"gpus", 4}, {"quant", "FP8"}, {"mode", "scale-out"}},
                               "estimate");
    REQUIRE(estimate["ok"] == true);
    REQUIRE(estimate["speed_engine"]["id"] == "batched");
    CHECK(caveat_codes(estimate).empty());
}

TEST_CASE("a request names the day the engines run as a calendar date") {
    json r = serve({{"op", "serve"}, {"model", "glm-4.7-flash"}, {"hardware", "b200"}, {"quant", "BF16"}, {"as_of", "2026-02-30"}});
    CHECK(r["ok"] == false);
    CHECK(r["error"]["code"] == "bad_date");
    CHECK(r["error"]["path"] == "as_of");
}
