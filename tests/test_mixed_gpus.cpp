// Mixed GPUs in one llama.cpp server: the request's list of cards, how the layers and memory split,
// speeds against published mixed-GPU measurements, the command, and refusals.
#include <nlohmann/json.hpp>

#include "support.hpp"

using nlohmann::json;

namespace {
json estimate(const json& request) { return test::call(request, "estimate"); }
}  // namespace

TEST_CASE("a list of identical cards is the identical-GPU setup it names") {
    // Same fit, memory and speeds as "gpus": 2 (the special case stays what it was).
    json two = estimate({{"model", "llama-3.1-70b-instruct"}, {"hardware", "rtx-3090"}, {"gpus", 2}, {"quant", "Q4_K_M"}, {"context", 8192}});
    json list = estimate({{"model", "llama-3.1-70b-instruct"}, {"hardware", "rtx-3090,rtx-3090"}, {"quant", "Q4_K_M"}, {"context", 8192}});
    REQUIRE(two["ok"] == true);
    REQUIRE(list["ok"] == true);
    CHECK(list["fit"] == two["fit"]);
    CHECK(list["memory_gib"]["usable"].get<double>() == Approx(two["memory_gib"]["usable"].get<double>()).epsilon(1e-9));
    CHECK(list["decode_tps"].get<double>() == Approx(two["decode_tps"].get<double>()).epsilon(1e-9));
    CHECK(list["prefill_tps"].get<double>() == Approx(two["prefill_tps"].get<double>()).epsilon(1e-9));
}

TEST_CASE("mixed cards: memory adds up, layers split by memory or by --tensor-split, each card holds its share") {
    json r = estimate({{"model", "qwen3-32b"}, {"hardware", "rtx-3090,rtx-3060-12gb"}, {"quant", "Q4_K_M"}, {"context", 8192}});
    REQUIRE(r["ok"] == true);
    const json& cards = r["gpu_cards"];
    REQUIRE(cards.size() == 2);
    // Usable memory is the sum of each card's own rule (24 and 12 GB cards).
    CHECK(r["memory_gib"]["usable"].get<double>() == Approx(cards[0]["usable_gib"].get<double>() + cards[1]["usable_gib"].get<double>()).epsilon(1e-3));
    CHECK(cards[0]["share"].get<double>() + cards[1]["share"].get<double>() == Approx(1).epsilon(1e-3));
    CHECK(cards[0]["share"].get<double>() == Approx(2.0 / 3).epsilon(0.02));  // by memory: 24 : 12
    double held = cards[0]["memory_gib"].get<double>() + cards[1]["memory_gib"].get<double>();
    CHECK(held == Approx(r["memory_gib"]["total"].get<double>()).epsilon(0.01));
    if (r["fit"] == "runs_well")
        for (const json& c : cards) CHECK(c["memory_gib"].get<double>() <= c["usable_gib"].get<double>());
    CHECK(r["hardware_label"] == "GeForce RTX 3090 24GB + GeForce RTX 3060 (12GB)");

    json split = estimate({{"model", "qwen3-32b"}, {"hardware", "rtx-3090,rtx-3060-12gb"}, {"quant", "Q4_K_M"}, {"context", 8192}, {"tensor_split", "3,1"}});
    REQUIRE(split["ok"] == true);
    CHECK(split["gpu_cards"][0]["share"].get<double>() == Approx(0.75).epsilon(1e-3));
    // More of the layers on the faster card (936 vs 360 GB/s): faster decode.
    CHECK(split["decode_tps"].get<double>() > r["decode_tps"].get<double>());
    std::string cmd = split["commands"][0]["text"];
    CHECK(cmd.find("--tensor-split 75,25 --main-gpu 0") != std::string::npos);
    CHECK(cmd.find("# GPU 0 = GeForce RTX 3090 24GB, GPU 1 = GeForce RTX 3060 (12GB)") != std::string::npos);
}

TEST_CASE("mixed cards against published llama.cpp measurements, within the band the result shows") {
    // measurements/mixed/mixed_gpu.csv. Decode (tg) as published; the tolerance is the decode band
    // the result itself displays (error_band.decode_pct).
    struct Case {
        const char* source;
        json request;
        double measured_tps;
    };
    const Case cases[] = {
        // r/LocalLLaMA "Building LocalLlama Machine - Episode 3" (3090 + two 3060s, default split). The
        // 70B runs fully on the GPUs there, which 40 GB of 8 GB 3060s could not hold: the 12 GB cards.
        // "Q4" and "Q8" as posted: Q4_K_M and Q8_0.
        {"reddit-ep3-3090-2x3060", {{"model", "deepseek-r1-distill-llama-70b"}, {"hardware", "rtx-3090,rtx-3060-12gb,rtx-3060-12gb"}, {"quant", "Q4_K_M"}, {"context", 4096}}, 10.3},
        {"reddit-ep3-3090-2x3060", {{"model", "qwen3-32b"}, {"hardware", "rtx-3090,rtx-3060-12gb,rtx-3060-12gb"}, {"quant", "Q8_0"}, {"context", 4096}}, 13.0},
        // PurrBytes-Solutions/JAIDoc AI-MODELS.md: llama-bench, RTX 3090 + RTX 3060 12GB, -ts 8/2,
        // q8_0 cache, fa 1, Qwen3.5-35B-A3B Q5_K_M, tg256 = 108.04 (ub 2048; 107.9-109.3 across batch sizes).
        {"jaidoc-3090-3060", {{"model", "qwen3.5-35b-a3b"}, {"hardware", "rtx-3090,rtx-3060-12gb"}, {"quant", "Q5_K_M"}, {"kv", "q8_0"},
                              {"tensor_split", "8,2"}, {"context", 8192}, {"depth", 128}}, 108.04},
    };
    for (const Case& c : cases) {
        INFO(c.source << " " << c.request.dump());
        json r = estimate(c.request);
        REQUIRE(r["ok"] == true);
        REQUIRE(r["runs"] == true);
        CHECK(r["offload"]["percent"].get<double>() == 0);  // all on the GPUs, as measured
        double band = r["error_band"]["decode_pct"].get<double>() / 100.0;
        CHECK(std::abs(r["decode_tps"].get<double>() / c.measured_tps - 1) <= band);
    }
}

TEST_CASE("a 70B Q4_K_M on a 3090 and a 3060: per-card memory, offload, a decode speed and the split command") {
    json r = estimate({{"model", "llama-3.1-70b-instruct"}, {"hardware", "rtx-3090,rtx-3060-12gb"}, {"quant", "Q4_K_M"}, {"context", 8192}, {"host_ram_gib", 64}});
    REQUIRE(r["ok"] == true);
    CHECK(r["fit"] == "offload");  // ~42 GiB of weights do not fit 35.5 GiB of VRAM
    CHECK(r["gpu_cards"].size() == 2);
    CHECK(r["decode_tps"].get<double>() > 0);
    std::string cmd = r["commands"][0]["text"];
    CHECK(cmd.find("--tensor-split 67,33 --main-gpu 0") != std::string::npos);
    CHECK(cmd.find("--split-mode layer") != std::string::npos);
    CHECK(cmd.find("-ngl " + std::to_string(r["offload"]["gpu_layers"].get<int>())) != std::string::npos);
}

TEST_CASE("mixed-GPU requests that cannot be: clear codes, nothing runs") {
    auto code = [](json request) {
        request["model"] = "qwen3-8b";
        return estimate(request)["error"]["code"].get<std::string>();
    };
    CHECK(code({{"hardware", "rtx-3090,no-such-gpu"}}) == "unknown_hardware");
    CHECK(code({{"hardware", "rtx-3090,rx-7900-xtx"}}) == "mixed_backends");
    CHECK(code({{"hardware", "rtx-3090,apple-m4-max-40c-128gb"}}) == "out_of_range");
    CHECK(code({{"hardware", "rtx-3090,rtx-3060-12gb"}, {"gpus", 2}}) == "out_of_range");
    CHECK(code({{"hardware", "rtx-3090,rtx-3060-12gb"}, {"tensor_split", "3"}}) == "out_of_range");
    CHECK(code({{"hardware", "rtx-3090,rtx-3060-12gb"}, {"tensor_split", "3,1;rm -rf /"}}) == "out_of_range");
    CHECK(code({{"hardware", "rtx-3090,rtx-3060-12gb"}, {"tensor_split", json::array({3, -1})}}) == "out_of_range");
    CHECK(code({{"hardware", "rtx-3090,rtx-3090,rtx-3090,rtx-3090,rtx-3090,rtx-3090,rtx-3090,rtx-3090,rtx-3090"}}) == "out_of_range");
    CHECK(code({{"hardware", "rtx-3090,,rtx-3060-12gb"}}) == "unknown_hardware");
}

TEST_CASE("your own measurement as a personal calibration: the ratios, the rescaled figures, a CSV row to contribute") {
    // llama.cpp discussion #15013 (RTX 4090, Llama 2 7B Q4_0): pp512 14000.5, tg128 186.21 as the user pastes them.
    const std::string bench =
        "| model | size | params | backend | ngl | test | t/s |\n"
        "| llama 7B Q4_0 | 3.56 GiB | 6.74 B | CUDA | 99 | pp512 | 14000.50 ± 50.1 |\n"
        "| llama 7B Q4_0 | 3.56 GiB | 6.74 B | CUDA | 99 | tg128 | 186.21 ± 0.5 |\n";
    json setup = {{"model", "llama-2-7b-chat"}, {"hardware", "rtx-4090"}, {"quant", "Q4_0"}};
    json check = setup;
    check["bench"] = bench;
    check["personal"] = {{"decode", 3.0}};  // a kept calibration does not bias the comparison
    json c = test::call(check, "check");
    REQUIRE(c["ok"] == true);
    // The calibration is measured / estimated of each row (one row each here).
    CHECK(c["calibration"]["decode"].get<double>() == Approx(186.21 / c["rows"][1]["predicted"].get<double>()).epsilon(0.002));
    CHECK(c["calibration"]["prefill"].get<double>() == Approx(14000.5 / c["rows"][0]["predicted"].get<double>()).epsilon(0.002));
    const std::string csv = c["csv"];
    CHECK(csv.rfind("source_url,source_kind,source_group,runtime,", 0) == 0);
    CHECK(csv.find("\"tg\",\"128\",\"0\",\"186.21\"") != std::string::npos);

    // Kept: the figures it measured change by that factor, and say so.
    json plain = estimate(setup);
    json mine = setup;
    mine["personal"] = c["calibration"];
    json calibrated = estimate(mine);
    REQUIRE(calibrated["ok"] == true);
    const double factor = c["calibration"]["decode"];
    CHECK(calibrated["decode_tps"].get<double>() == Approx(plain["decode_tps"].get<double>() * factor).epsilon(0.01));
    CHECK(calibrated["basis"]["decode"]["kind"] == "your_machine");
    CHECK(plain["basis"]["decode"]["kind"] == "class");
    CHECK(plain["basis"]["decode"]["rows"].get<int>() > 0);

    // Out of bounds or malformed: refused.
    mine["personal"] = {{"decode", 1e9}};
    CHECK(estimate(mine)["error"]["code"] == "out_of_range");
    mine["personal"] = {{"decode", 1}, {"shell", "x"}};
    CHECK(estimate(mine)["error"]["code"] == "unknown_key");
    // A custom model's name cannot turn the exported row into a spreadsheet formula.
    json hostile = check;
    hostile["model"] = {{"name", "=HYPERLINK(\"http://evil\")"}, {"params_b", 7}, {"layers", 32}, {"hidden", 4096}, {"vocab", 32000},
                        {"max_context", 4096}, {"attention", {{"kind", "gqa"}, {"heads", 32}, {"kv_heads", 32}, {"head_dim", 128}}}};
    json h = test::call(hostile, "check");
    REQUIRE(h["ok"] == true);
    CHECK(h["csv"].get<std::string>().find(",\"=HYPERLINK") == std::string::npos);
    CHECK(h["csv"].get<std::string>().find(",\"'=HYPERLINK(\"\"http://evil\"\")\"") != std::string::npos);
}
