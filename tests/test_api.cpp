// The JSON entry point shared by the CLI, batch mode and the wasm module.
#include <nlohmann/json.hpp>

#include "support.hpp"
#include "runwell/bench.hpp"
#include "runwell/search.hpp"
#include "../core/src/text.hpp"

using runwell::Catalog;
using runwell::SearchKind;
using runwell::search_catalog;

using nlohmann::json;

namespace {
json call(const std::string& request) {
    json r = json::parse(test::engine().call(request), nullptr, false);
    REQUIRE_FALSE(r.is_discarded());
    return r;
}
std::string error_code(const std::string& request) {
    json r = call(request);
    REQUIRE(r["ok"] == false);
    return r["error"]["code"].get<std::string>();
}
}  // namespace

TEST_CASE("an estimate carries every section of the result page") {
    json r = call(R"({"model":"kimi-linear-48b-a3b-instruct","hardware":"l40","quant":"Q4_K_M"})");
    REQUIRE(r["ok"] == true);
    for (const char* key : {"summary", "fit", "fit_label", "memory_gib", "offload", "decode_tps", "prefill_tps", "ttft_s",
                            "safe_context", "workloads", "quants", "best_quant", "limits", "improvements", "commands", "curve",
                            "faq", "formula", "error_band", "grade"}) {
        INFO(key);
        CHECK(r.contains(key));
    }
    CHECK(r["workloads"].size() == 5);
    // The memory parts add up to the total.
    const json& m = r["memory_gib"];
    double parts = m["weights"].get<double>() + m["kv_cache"].get<double>() + m["recurrent_state"].get<double>() +
                   m["compute"].get<double>() + m["runtime"].get<double>();
    CHECK(parts == Approx(m["total"].get<double>()).margin(0.02));
    int best = 0;
    for (const json& q : r["quants"]) best += q["best"].get<bool>();
    CHECK(best == 1);
}

TEST_CASE("bad requests get a clear error code, never a crash") {
    CHECK(error_code("{") == "bad_json");
    CHECK(error_code("[1,2]") == "wrong_type");
    CHECK(error_code(R"({"op":"explode"})") == "unknown_op");
    CHECK(error_code(R"({"hardware":"l40"})") == "missing_field");
    CHECK(error_code(R"({"model":"no-such-model","hardware":"l40"})") == "unknown_model");
    CHECK(error_code(R"({"model":"qwen3-8b","hardware":"no-such-gpu"})") == "unknown_hardware");
    CHECK(error_code(R"({"model":"qwen3-8b","hardware":"l40","quant":"Q9_X"})") == "unknown_quant");
    CHECK(error_code(R"({"model":"qwen3-8b","hardware":"l40","mode":"warp"})") == "unknown_mode");
    CHECK(error_code(R"({"model":"qwen3-8b","hardware":"l40","kv":"f8"})") == "unknown_kv");
    CHECK(error_code(R"({"model":"qwen3-8b","hardware":"l40","context":-5})") == "out_of_range");
    CHECK(error_code(R"({"model":"qwen3-8b","hardware":"l40","context":1e300})") == "out_of_range");
    CHECK(error_code(R"({"model":"qwen3-8b","hardware":"l40","context":"8k"})") == "wrong_type");
    CHECK(error_code(R"({"model":"qwen3-8b","hardware":"l40","context":10000000})") == "context_too_long");
    CHECK(error_code(R"({"model":"qwen3-8b","hardware":"l40","gpus":0})") == "out_of_range");
    CHECK(error_code(R"({"model":"qwen3-8b","hardware":"l40","colour":"red"})") == "unknown_key");
    CHECK(error_code(R"({"model":7,"hardware":"l40"})") == "wrong_type");
}

TEST_CASE("inline models and devices are estimated like catalog entries") {
    // The catalog's Llama-3.1-8B written out inline must give the same numbers.
    json inline_req = {
        {"model", {{"params_b", 8.03}, {"layers", 32}, {"hidden", 4096}, {"vocab", 128256}, {"max_context", 131072},
                   {"attention", {{"kind", "gqa"}, {"heads", 32}, {"kv_heads", 8}, {"head_dim", 128}}}}},
        {"hardware", {{"kind", "discrete_gpu"}, {"backend", "cuda"}, {"memory_gib", 24}, {"bandwidth_gbs", 1008}, {"fp16_tflops", 330.3}}},
        {"quant", "Q4_K_M"}, {"context", 8192}};
    json a = call(inline_req.dump());
    json b = call(R"({"model":"llama-3.1-8b-instruct","hardware":"rtx-4090","quant":"Q4_K_M","context":8192})");
    REQUIRE(a["ok"] == true);
    CHECK(a["memory_gib"]["total"] == b["memory_gib"]["total"]);
    CHECK(a["decode_tps"] == b["decode_tps"]);
    CHECK(a["model"]["name"] == "Custom model");
    // An inline entry is validated like the catalog: the path names the bad field.
    json bad = call(R"({"model":{"params_b":-1,"layers":32,"hidden":4096,"vocab":1,"max_context":4096,"attention":{"kind":"gqa","heads":32,"kv_heads":8,"head_dim":128}},"hardware":"l40"})");
    REQUIRE(bad["ok"] == false);
    CHECK(bad["error"]["path"] == "model.params_b");
}

TEST_CASE("ranking lists only models that run, best first") {
    json r = call(R"({"op":"rank","hardware":"rtx-4090","mode":"interactive","workload":"coding"})");
    REQUIRE(r["ok"] == true);
    REQUIRE(r["models"].size() > 10);
    // Grades never rise down the list; within a grade, parameters never rise.
    std::string order = "SABCDF";
    size_t previous_grade = 0;
    double previous_params = 1e9;
    for (const json& m : r["models"]) {
        CHECK(m["fit"] != "wont_run");
        size_t g = order.find(m["grade"].get<std::string>());
        CHECK(g >= previous_grade);
        if (g != previous_grade) previous_params = 1e9;
        CHECK(m["params_b"].get<double>() <= previous_params);
        previous_grade = g;
        previous_params = m["params_b"].get<double>();
    }
}

TEST_CASE("the catalog op lists every entry for the pickers") {
    json r = call(R"({"op":"catalog"})");
    CHECK(r["models"].size() == test::catalog().models.size());
    CHECK(r["hardware"].size() == test::catalog().devices.size());
}

TEST_CASE("an engine without a catalog answers with an error") {
    runwell::Engine empty;
    json r = json::parse(empty.call(R"({"op":"catalog"})"));
    CHECK(r["error"]["code"] == "no_catalog");
    auto problems = empty.load({{"x.json", "{"}});
    CHECK_FALSE(problems.empty());
    CHECK_FALSE(empty.ready());
}

TEST_CASE("fit recovers the constants that generated its rows") {
    // Rows predicted under chosen constants (the expected values below are this test's own
    // choice, not the catalog's); a fit from the usual starting guess must find them again.
    runwell::Engine engine;
    REQUIRE(engine.load(test::bundled_files()).empty());
    json chosen = test::bundled_calibration();
    auto& cuda = chosen["calibration"]["backends"]["cuda"];
    cuda["bandwidth_efficiency"] = 0.7;
    cuda["layer_overhead_us"] = 80;
    cuda["prefill_efficiency"] = 0.3;
    cuda["prefill_token_tile"] = 128;  // the kernel's (below)
    auto& rocm = chosen["calibration"]["backends"]["rocm"];
    rocm["bandwidth_efficiency"] = 0.6;
    rocm["layer_overhead_us"] = 120;
    rocm["prefill_efficiency"] = 0.25;
    rocm["prefill_token_tile"] = 64;
    REQUIRE(engine.set_calibration(chosen.dump()).empty());
    std::string rows;
    for (const char* model : {"llama-3.1-8b-instruct", "qwen3-8b", "llama-3.1-70b-instruct", "gemma-3-12b-it", "qwen2.5-14b-instruct", "llama-3.2-1b-instruct"})
        for (const char* hw : {"rtx-4090", "rtx-3090", "l40", "a100-80gb", "h100-sxm", "rtx-5090", "dgx-spark", "rtx-4060",
                               "rx-7900-xtx", "mi100", "radeon-ai-pro-r9700", "rx-9070-xt", "rx-7600", "mi300x"})
            for (const char* quantity : {"decode", "prefill"}) {
                json req = {{"op", "predict"}, {"model", model}, {"hardware", hw}, {"quant", "Q4_K_M"}, {"context", 4096},
                            {"prompt_tokens", 512}, {"depth", 0}};
                json p = json::parse(engine.call(req.dump()));
                REQUIRE(p["ok"] == true);
                if (p["fit"] == "wont_run") continue;
                rows += json({{"request", req}, {"quantity", quantity}, {"measured", p[std::string(quantity) + "_tps"]}}).dump() + "\n";
            }
    json fitted = json::parse(engine.fit(rows));
    REQUIRE(fitted["ok"] == true);
    // Tolerance 5 %: the search is a grid refined by golden sections and pattern moves, and the
    // saturation and device-speed terms trade off slightly with these across devices (those with
    // little bandwidth for their compute tell the token tile from the efficiency). The rows
    // themselves are reproduced within 1 % on average (loss = sum of |log error| over the rows).
    for (auto [backend, bandwidth, overhead, prefill] : {std::tuple{"cuda", 0.7, 80.0, 0.3}, {"rocm", 0.6, 120.0, 0.25}}) {
        const json& got = fitted["calibration"]["backends"][backend];
        INFO(backend << ": " << got.dump());
        CHECK(got["bandwidth_efficiency"].get<double>() == Approx(bandwidth).epsilon(0.05));
        CHECK(got["layer_overhead_us"].get<double>() == Approx(overhead).epsilon(0.05));
        CHECK(got["prefill_efficiency"].get<double>() == Approx(prefill).epsilon(0.05));
    }
    CHECK(fitted["calibration"]["backends"]["rocm"]["prefill_token_tile"].get<double>() == Approx(64).epsilon(0.05));
    // CUDA's tile is the quantized matmul's 128 tokens (llama.cpp mmq.cuh, get_mmq_x_max_host on
    // tensor-core GPUs): a fact the fit keeps, not a constant it moves.
    CHECK(fitted["calibration"]["backends"]["cuda"]["prefill_token_tile"].get<double>() == 128);
    CHECK(fitted["loss"].get<double>() < 0.01 * fitted["rows"].get<double>());
}

TEST_CASE("a fit asked for one backend's constants leaves every other constant as loaded") {
    // measurements/cpu.csv: EPYC 9B14 (12-channel DDR5-4800), llama.cpp CPU backend, tg128 / pp512.
    runwell::Engine engine;
    REQUIRE(engine.load(test::bundled_files()).empty());
    std::string rows;
    for (auto [model, quant, quantity, tps] : {std::tuple{"qwen3-30b-a3b", "Q4_K_M", "decode", 59.78}, {"gpt-oss-120b", "MXFP4", "decode", 49.31},
                                              {"qwen3-30b-a3b", "Q4_K_M", "prefill", 325.44}, {"gpt-oss-120b", "MXFP4", "prefill", 205.86}})
        rows += json({{"request", {{"op", "predict"}, {"model", model}, {"hardware", "epyc-9004-12ch"}, {"quant", quant}, {"context", 4096},
                                   {"prompt_tokens", 512}, {"depth", 0}}},
                      {"quantity", quantity}, {"measured", tps}}).dump() + "\n";
    for (int i = 0; i < 2; ++i) rows += rows;  // five or more rows inform a backend's constants
    json all = json::parse(engine.fit(rows)), cpu_only = json::parse(engine.fit(rows, "cpu."));
    REQUIRE(all["ok"] == true);
    REQUIRE(cpu_only["ok"] == true);
    // Fitting everything moves shared constants too; asked for "cpu." only the CPU's own move.
    CHECK(all["fitted"].size() > cpu_only["fitted"].size());
    for (const json& name : cpu_only["fitted"]) CHECK(name.get<std::string>().rfind("cpu.", 0) == 0);
    json as_loaded = json::parse(engine.fit(rows, "no-such-constant."))["calibration"];  // nothing fitted
    json cpu_fit = cpu_only["calibration"];
    CHECK(cpu_fit["backends"]["cpu"] != as_loaded["backends"]["cpu"]);
    cpu_fit["backends"].erase("cpu");
    as_loaded["backends"].erase("cpu");
    CHECK(cpu_fit == as_loaded);
}

TEST_CASE("search forgives how people type (queries from issue #14) and is bounded") {
    const Catalog& c = test::catalog();
    auto top = [&](SearchKind kind, const std::string& q) {
        auto m = search_catalog(c, kind, q, 5);
        return m.empty() ? std::string() : m[0].id;
    };
    CHECK(top(SearchKind::Model, "qwen3 30b") == "qwen3-30b-a3b");
    CHECK(top(SearchKind::Model, "QWEN3-30B") == "qwen3-30b-a3b");
    CHECK(top(SearchKind::Model, "llama 70b") == "llama-3.3-70b-instruct");  // the newest of the Llama 70Bs
    CHECK(top(SearchKind::Model, "deepseek r1") == "deepseek-r1");
    CHECK(top(SearchKind::Device, "4090") == "rtx-4090");
    CHECK(top(SearchKind::Device, "rtx4090") == "rtx-4090");
    CHECK(top(SearchKind::Device, "m2 ultra 128") == "apple-m2-ultra-128gb");
    CHECK(search_catalog(c, SearchKind::Model, "zzzz qqqq", 5).empty());
    CHECK(search_catalog(c, SearchKind::Model, "", 5).empty());
    CHECK(search_catalog(c, SearchKind::Model, "llama", 3).size() == 3);
    // A huge query is cut, not scanned in full, and still answers.
    CHECK(search_catalog(c, SearchKind::Model, "llama " + std::string(1 << 20, 'x'), 5).size() <= 5);
}

TEST_CASE("token counts read as people write them and never round up past a limit") {
    using runwell::detail::token_count;
    CHECK(token_count(131072) == "128K");     // a context size: 128 x 1024
    CHECK(token_count(1048576) == "1M");
    CHECK(token_count(4000) == "4,000");      // a prompt is not "3.9K"
    CHECK(token_count(1005) == "1,005");
    CHECK(token_count(512) == "512");
    CHECK(token_count(130355) == "127.2K");   // 127.299 x 1024: down, never to "127.3K" or "128K"
    CHECK(token_count(131071) == "127.9K");   // one short of 128K stays below it
}

TEST_CASE("llama-bench tables as users paste them: tests, depths and speeds, and anything else skipped") {
    // Rows in llama-bench's markdown format (llama.cpp discussion #15013: RTX 4090, Llama 2 7B Q4_0, tg128 186.21).
    std::string text =
        "| model | size | params | backend | ngl | test | t/s |\n"
        "| --- | ---: | ---: | --- | --: | ---: | ---: |\n"
        "| llama 7B Q4_0 | 3.56 GiB | 6.74 B | CUDA | 99 | pp512 | 14000.50 ± 50.1 |\n"
        "| llama 7B Q4_0 | 3.56 GiB | 6.74 B | CUDA | 99 | tg128 | 186.21 ± 0.5 |\n"
        "| llama 7B Q4_0 | 3.56 GiB | 6.74 B | CUDA | 99 | tg128 @ d4096 | 170.00 ± 0.5 |\n"
        "build: 4d37262 (7315)\n"
        "| x | y | pp | nan |\n"
        "| llama 7B Q4_0 | 3.56 GiB | 6.74 B | CUDA | 99 | tg0 | 5 |\n";
    auto rows = runwell::read_llama_bench(text);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].prefill);
    CHECK(rows[0].tokens == 512);
    CHECK(rows[0].tps == Approx(14000.5));
    CHECK_FALSE(rows[1].prefill);
    CHECK(rows[1].tps == Approx(186.21));
    CHECK(rows[2].depth == 4096);
    CHECK(runwell::read_llama_bench(std::string(1 << 20, '|')).empty());  // bounded, no rows
    // Through the API: the measured tg128 (186.21) is within the dense-CUDA decode band.
    json r = json::parse(test::engine().call(json({{"op", "check"}, {"model", "llama-2-7b-chat"}, {"hardware", "rtx-4090"},
                                                   {"quant", "Q4_0"}, {"bench", text}}).dump()));
    REQUIRE(r["ok"] == true);
    REQUIRE(r["rows"].size() == 3);
    CHECK(r["rows"][1]["test"] == "tg128");
    CHECK(r["rows"][1]["within_band"] == true);
}

namespace {
// A fixture of tests/fixtures/bench/ without its first line ("# source: <url>").
std::string bench_fixture(const std::string& name) {
    std::string text;
    std::vector<runwell::Problem> problems;
    REQUIRE(runwell::read_text_file(std::string(RUNWELL_TEST_DIR) + "/fixtures/bench/" + name, text, problems));
    return text.substr(text.find('\n') + 1);
}
}  // namespace

TEST_CASE("llama-bench output in its other formats and llama.cpp timing lines, as published") {
    // Expected values are the numbers printed in each fixture (llama.cpp's llama-bench README at
    // 5a32f10: RTX 4080, Qwen2.5-7B Q4_K_M; JAIDoc's 3090 + 3060 table; llama.cpp issue #6476).
    auto csv = runwell::read_llama_bench(bench_fixture("csv-llama-bench-readme.txt"));
    REQUIRE(csv.size() == 2);
    CHECK((csv[0].prefill && csv[0].tokens == 512 && csv[0].tps == Approx(7285.676949)));
    CHECK((!csv[1].prefill && csv[1].tokens == 128 && csv[1].tps == Approx(119.915244)));
    auto json_rows = runwell::read_llama_bench(bench_fixture("json-llama-bench-readme.txt"));
    REQUIRE(json_rows.size() == 2);
    CHECK(json_rows[0].tps == Approx(7100.002165));
    CHECK((json_rows[1].test == "tg128" && json_rows[1].tps == Approx(118.881588)));
    auto jsonl = runwell::read_llama_bench(bench_fixture("jsonl-llama-bench-readme.txt"));
    REQUIRE(jsonl.size() == 2);
    CHECK(jsonl[0].tps == Approx(7263.609157));
    CHECK(jsonl[1].tps == Approx(119.844681));
    auto md = runwell::read_llama_bench(bench_fixture("md-llama-bench-3090-3060.txt"));
    REQUIRE(md.size() == 18);  // nine n_batch x n_ubatch pairs, pp8192 and tg256 each; the device log lines skipped
    CHECK((md[0].test == "pp8192" && md[0].tps == Approx(3487.07)));
    CHECK((md[1].test == "tg256" && md[1].tps == Approx(109.29)));
    auto timings = runwell::read_llama_bench(bench_fixture("timings-llama-print-timings-issue6476.txt"));
    REQUIRE(timings.size() == 3);  // llama-cli prompt and eval lines, the server's generation line
    CHECK((timings[0].prefill && timings[0].tokens == 15 && timings[0].tps == Approx(8.76)));
    CHECK((!timings[1].prefill && timings[1].tokens == 127 && timings[1].tps == Approx(13.34)));
    CHECK((!timings[2].prefill && timings[2].tokens == 281 && timings[2].tps == Approx(12.12)));
    // Damaged machine output: no rows, no crash.
    CHECK(runwell::read_llama_bench("[{\"n_prompt\": 512, \"n_gen\": 0, \"avg_ts\": \"nan\"}]").empty());
    CHECK(runwell::read_llama_bench("{\"n_prompt\": -5, \"n_gen\": 0, \"avg_ts\": 10}").empty());
    CHECK(runwell::read_llama_bench("n_prompt,n_gen,avg_ts\n\"512\",\"0\"\n").empty());
    CHECK(runwell::read_llama_bench("prompt eval time = 5 ms / 99999999999 tokens (1 ms per token, 1e300 tokens per second)").empty());
}
