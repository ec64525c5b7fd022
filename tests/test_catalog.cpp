#include "support.hpp"
#include <nlohmann/json.hpp>

using runwell::load_catalog;
using namespace runwell;

namespace {
// A minimal valid catalog; each error test breaks one thing in it.
std::string models_json(const std::string& extra_model_fields = "", const std::string& attention_extra = "") {
    return R"({"models":[{"id":"m","default":true,"name":"M","params_b":8,"layers":32,"hidden":4096,"vocab":32000,"max_context":8192,)"
           R"("attention":{"kind":"gqa","heads":32,"kv_heads":8,"head_dim":128)" + attention_extra + R"(},"source":["https://example.org/m"])" +
           extra_model_fields + "}]}";
}
const std::string kHardware =
    R"({"hardware":[{"id":"g","default":true,"name":"G","vendor":"V","kind":"discrete_gpu","backend":"cuda","cuda_compute_capability":8.9,"memory_gib":24,"bandwidth_gbs":1000,"fp16_tflops":100,"source":["https://example.org/g"]}]})";
const std::string kQuants =
    R"({"quants":[{"id":"Q4_K_M","name":"Q4_K_M","family":"gguf","bits":4,"bpw_body":4.8,"bpw_embed":4.5,"bpw_output":6.5625,"kld":0.03,"runtimes":["llama.cpp"],"source":["s"]},)"
    R"({"id":"F16","name":"F16","family":"gguf","bits":16,"bpw_body":16,"bpw_embed":16,"bpw_output":16,"kld":0,"runtimes":["llama.cpp"],"source":["s"]}]})";
const std::string kRest =
    R"({"workloads":[{"id":"chat","default":true,"name":"Chat","why":"w","prompt_tokens":1000,"output_tokens":300,"context_tokens":8192,"decode_target_tps":15,"ttft_target_s":2,"quality_weight":0.5}],)"
    R"("as_of":"2026-12-03","availability":[{"model":"m","runtimes":[{"runtime":"llama.cpp","since":"b1","source":"https://example.org/pr"}],"downloads":[]}],)"
    R"("modes":[{"id":"balanced","default":true,"name":"Balanced","description":"d","concurrency":1,"weights":{"decode":0.3,"ttft":0.2,"context":0.2,"quality":0.3}}]})";

const std::string kCalibration =
    R"({"calibration":{"provenance":["test"],"backends":{"cuda":{"bandwidth_efficiency":0.9,"layer_overhead_us":30,)"
    R"("prefill_efficiency":0.5,"gpu_hop_ms":0.3,"decode_rows":10,"prefill_rows":10}},"bandwidth_saturation_gbs":3000,"hbm_bandwidth_factor":1,)"
    R"("compute_saturation_tflops":300,"moe_layer_factor":0.5,"overhead_bandwidth_exponent":0,"linear_layer_factors":{"gated_delta":1},"linear_prefill_us":{},"host_bandwidth_efficiency":0.35,)"
    R"("attention_flops_weight":1,"moe_expert_tokens":32,"memory_band_pct":1,)"
    R"("bands":[{"quantity":"decode","arch":"*","backend":"*","pct":20,"rows":100,"sources":10}]}})";

runwell::CatalogLoad load_with(const std::string& models, const std::string& hardware = kHardware,
                               const std::string& quants = kQuants, const std::string& rest = kRest,
                               const std::string& calibration = kCalibration) {
    return load_catalog({{"models.json", models}, {"hardware.json", hardware}, {"quants.json", quants}, {"rest.json", rest},
                         {"calibration.json", calibration}});
}

bool has_problem(const runwell::CatalogLoad& l, const std::string& code, const std::string& path_part) {
    for (const auto& p : l.problems)
        if (p.code == code && p.path.find(path_part) != std::string::npos) return true;
    return false;
}
}  // namespace

TEST_CASE("the bundled catalog loads without a single problem") {
    auto load = load_catalog(test::bundled_files());
    for (const auto& p : load.problems) UNSCOPED_INFO(p.path << ": " << p.message);
    REQUIRE(load.ok());
    CHECK(load.catalog.models.size() >= 60);
    CHECK(load.catalog.devices.size() >= 80);
}

TEST_CASE("the devices and the model the product is judged on are in the catalog") {
    const auto& c = test::catalog();
    for (const char* id : {"apple-m2-ultra-128gb", "mi100", "l40", "v100-32gb", "rtx-pro-4500-blackwell"}) {
        INFO(id);
        REQUIRE(c.device(id));
    }
    CHECK(c.device("apple-m2-ultra-128gb")->memory_gib == 128);
    const runwell::Model* kimi = c.model("kimi-linear-48b-a3b-instruct");
    REQUIRE(kimi);
    // Published config: 27 layers, 7 MLA (full attention) + 20 KDA (linear), 256 experts, 8 active, ~3B active.
    CHECK(kimi->attention.kind == runwell::AttentionKind::Mla);
    CHECK(kimi->attention.full_layers == 7);
    CHECK(kimi->attention.linear_layers == 20);
    REQUIRE(kimi->moe);
    CHECK(kimi->moe->experts == 256);
    CHECK(kimi->active_params_b == Approx(3.0));
}

TEST_CASE("every catalog entry cites a source") {
    const auto& c = test::catalog();
    for (const auto& m : c.models) { INFO(m.id); CHECK_FALSE(m.source.empty()); }
    for (const auto& d : c.devices) { INFO(d.id); CHECK_FALSE(d.source.empty()); }
    for (const auto& q : c.quants) { INFO(q.id); CHECK_FALSE(q.source.empty()); }
}

TEST_CASE("the required quantizations are present with sensible bits") {
    for (const char* id : {"Q2_K", "Q3_K_S", "Q3_K_M", "Q4_K_S", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "IQ4_XS", "MXFP4", "NVFP4", "FP8", "BF16", "F16"}) {
        INFO(id);
        const runwell::Quant* q = test::catalog().quant(id);
        REQUIRE(q);
        // llama.cpp block structs: no preset stores less than its nominal bits.
        CHECK(q->bpw_body >= q->bits - 0.1);
        CHECK(q->bpw_body <= 16.0);
    }
}

TEST_CASE("a minimal catalog is valid, so each broken variant below fails for its own reason") {
    REQUIRE(load_with(models_json()).ok());
}

TEST_CASE("malformed JSON is reported with the file name") {
    auto l = load_with(R"({"models":[{"id":)");
    CHECK(has_problem(l, "bad_json", "models.json"));
}

TEST_CASE("unknown keys are reported with their path") {
    auto l = load_with(models_json(R"(,"paramz":3)"));
    CHECK(has_problem(l, "unknown_key", "models.json:models[0].paramz"));
    auto l2 = load_with(models_json("", R"(,"windw":4096)"));
    CHECK(has_problem(l2, "unknown_key", "models[0].attention.windw"));
}

TEST_CASE("missing fields are reported") {
    auto l = load_with(R"({"models":[{"id":"m","default":true,"name":"M","layers":32,"hidden":4096,"vocab":32000,"max_context":8192,"attention":{"kind":"gqa","heads":32,"kv_heads":8,"head_dim":128},"source":["s"]}]})");
    CHECK(has_problem(l, "missing_field", "models[0].params_b"));
}

TEST_CASE("wrong types and out-of-range numbers are reported") {
    auto l = load_with(R"({"models":[{"id":"m","default":true,"name":"M","params_b":"8","layers":-3,"hidden":4096.5,"vocab":32000,"max_context":8192,"attention":{"kind":"gqa","heads":32,"kv_heads":8,"head_dim":128},"source":["s"]}]})");
    CHECK(has_problem(l, "wrong_type", "params_b"));
    CHECK(has_problem(l, "out_of_range", "layers"));
    CHECK(has_problem(l, "wrong_type", "hidden"));
    auto bad_hw = R"({"hardware":[{"id":"g","default":true,"name":"G","vendor":"V","kind":"discrete_gpu","backend":"cuda","memory_gib":24,"bandwidth_gbs":-5,"fp16_tflops":1e300,"source":["s"]}]})";
    auto l2 = load_with(models_json(), bad_hw);
    CHECK(has_problem(l2, "out_of_range", "bandwidth_gbs"));
    CHECK(has_problem(l2, "out_of_range", "fp16_tflops"));
}

TEST_CASE("duplicate ids are reported, also across files") {
    std::string two = R"({"hardware":[)" + kHardware.substr(13, kHardware.size() - 15) + "," + kHardware.substr(13, kHardware.size() - 15) + "]}";
    auto l = load_with(models_json(), two);
    CHECK(has_problem(l, "duplicate_id", "hardware[1].id"));
}

TEST_CASE("unknown enumerations and dangling references are reported") {
    auto hw = R"({"hardware":[{"id":"g","default":true,"name":"G","vendor":"V","kind":"quantum","backend":"warp","memory_gib":24,"bandwidth_gbs":1000,"fp16_tflops":100,"source":["s"]}]})";
    auto l = load_with(models_json(), hw);
    CHECK(has_problem(l, "unknown_value", "kind"));
    CHECK(has_problem(l, "unknown_value", "backend"));
    // The estimator falls back to Q4_K_M; a catalog without it is unusable.
    auto only_f16 = R"({"quants":[{"id":"F16","name":"F16","family":"gguf","bits":16,"bpw_body":16,"bpw_embed":16,"bpw_output":16,"kld":0,"runtimes":["llama.cpp"],"source":["s"]}]})";
    CHECK(has_problem(load_with(models_json(), kHardware, only_f16), "dangling_reference", "quants"));
}

TEST_CASE("inconsistent architectures are reported") {
    auto l = load_with(models_json("", R"(,"full_layers":30,"window":4096,"window_layers":10)"));
    CHECK(has_problem(l, "inconsistent", "models[0].attention"));
    auto moe = load_with(models_json(R"(,"active_params_b":9,"moe":{"experts":8,"active_experts":16})"));
    CHECK(has_problem(moe, "inconsistent", "active_experts"));
    CHECK(has_problem(moe, "inconsistent", "active_params_b"));
}

TEST_CASE("every list names exactly one default entry") {
    std::string two_modes = kRest;
    two_modes.replace(two_modes.rfind("]}"), 2,
                      R"(,{"id":"other","default":true,"name":"O","description":"d","concurrency":1,"weights":{"decode":1,"ttft":0,"context":0,"quality":0}}]})");
    CHECK(has_problem(load_with(models_json(), kHardware, kQuants, two_modes), "inconsistent", "modes"));
    std::string no_default = kHardware;
    no_default.replace(no_default.find(R"("default":true,)"), 15, "");
    CHECK(has_problem(load_with(models_json(), no_default), "inconsistent", "hardware"));
    // An inline device in a request is not a catalog entry: "default" is not a field of it.
    auto r = nlohmann::json::parse(test::engine().call(R"({"model":"llama-3.1-8b-instruct","hardware":{"default":true,"kind":"cpu","backend":"cpu","memory_gib":8,"bandwidth_gbs":50,"fp16_tflops":1}})"));
    CHECK(r["error"]["code"] == "unknown_key");
}

TEST_CASE("dates are calendar days: a model's release, a runtime's date and the day the catalog was checked") {
    // Days since 1970-01-01 as GNU date gives them (date -d 2026-12-03 +%s, / 86400).
    CHECK(runwell::parse_day("1970-01-01") == 0L);
    CHECK(runwell::parse_day("2026-12-03") == 20790L);
    CHECK(runwell::parse_day("2024-02-29") == 19782L);  // a leap day
    for (const char* bad : {"2026-02-29", "2026-13-01", "2026-04-31", "2026-1-05", "2026-01-05 ", "1969-12-31", "2026 (unverified)", ""}) {
        INFO(bad);
        CHECK_FALSE(runwell::parse_day(bad));
    }
    CHECK(load_with(models_json(R"(,"release":"2026-04-02")")).ok());
    CHECK(has_problem(load_with(models_json(R"x(,"release":"2026 (unverified)")x")), "bad_date", "release"));
    std::string bad_runtime_date = kRest;
    bad_runtime_date.replace(bad_runtime_date.find(R"("since":"b1")"), 12, R"("since":"b1","date":"2026-02")");
    CHECK(has_problem(load_with(models_json(), kHardware, kQuants, bad_runtime_date), "bad_date", "date"));
    std::string no_day = kRest;
    no_day.replace(no_day.find(R"("as_of":"2026-12-03",)"), 21, "");
    CHECK(has_problem(load_with(models_json(), kHardware, kQuants, no_day), "missing_section", "as_of"));
    CHECK(test::catalog().as_of_day == runwell::parse_day("2026-12-03"));  // data/availability.json
}

TEST_CASE("a model's checkpoint names a catalog quant") {
    // kQuants has Q4_K_M and F16: a checkpoint in F16 is one of them, one in FP8 is not.
    CHECK(load_with(models_json(R"(,"checkpoint":"F16")")).ok());
    CHECK(has_problem(load_with(models_json(R"(,"checkpoint":"FP8")")), "dangling_reference", "models.m.checkpoint"));
    CHECK(has_problem(load_with(models_json(R"(,"checkpoint":"fp8; rm -rf /")")), "bad_id", "checkpoint"));
}

TEST_CASE("a quant names the tensor-core format the batched engines need for it as one the hardware lists") {
    std::string fp8 = kQuants;
    fp8.replace(fp8.find(R"("kld":0,)"), 8, R"("kld":0,"tensor_format":"fp8","vendor":"NVIDIA",)");
    CHECK(load_with(models_json(), kHardware, fp8).ok());
    std::string unknown = kQuants;
    unknown.replace(unknown.find(R"("kld":0,)"), 8, R"("kld":0,"tensor_format":"int3",)");
    CHECK(has_problem(load_with(models_json(), kHardware, unknown), "unknown_value", "tensor_format"));
}

TEST_CASE("a CUDA device states its compute capability, no other device has one, weight-only runtimes are the quant's own, and a bridge's group size or a 16-bit rest needs what it describes") {
    std::string none = kHardware;
    none.replace(none.find(R"("cuda_compute_capability":8.9,)"), 30, "");
    CHECK(has_problem(load_with(models_json(), none), "missing_field", "hardware[0].cuda_compute_capability"));
    std::string rocm = kHardware;
    rocm.replace(rocm.find(R"("backend":"cuda")"), 16, R"("backend":"rocm")");
    CHECK(has_problem(load_with(models_json(), rocm), "inconsistent", "hardware[0].cuda_compute_capability"));
    // A bridge's group size needs the bridge.
    std::string bridged = kHardware;
    bridged.replace(bridged.find(R"("cuda_compute_capability":8.9,)"), 30, R"("cuda_compute_capability":8.9,"interconnect_gpus":2,)");
    CHECK(has_problem(load_with(models_json(), bridged), "inconsistent", "hardware[0].interconnect_gpus"));

    auto fp8_with = [](const std::string& fields) {
        std::string q = kQuants;
        q.replace(q.find(R"("kld":0,)"), 8, R"("kld":0,)" + fields);
        return q;
    };
    CHECK(load_with(models_json(), kHardware, fp8_with(R"("tensor_format":"fp8","weight_only_runtimes":["llama.cpp"],"weight_only_min_compute_capability":7.5,)")).ok());
    CHECK(has_problem(load_with(models_json(), kHardware, fp8_with(R"("tensor_format":"fp8","weight_only_runtimes":["vllm"],"weight_only_min_compute_capability":7.5,)")),
                      "inconsistent", "weight_only_runtimes[0]"));  // F16's runtimes are llama.cpp's alone
    CHECK(has_problem(load_with(models_json(), kHardware, fp8_with(R"("tensor_format":"fp8","weight_only_runtimes":["llama.cpp"],)")),
                      "missing_field", "weight_only_min_compute_capability"));
    CHECK(has_problem(load_with(models_json(), kHardware, fp8_with(R"("weight_only_runtimes":["llama.cpp"],"weight_only_min_compute_capability":7.5,)")),
                      "inconsistent", "weight_only_runtimes"));  // every GPU runs a quant without a tensor format
    // A 16-bit rest is a fact about an experts-only format's other tensors.
    CHECK(load_with(models_json(), kHardware, fp8_with(R"("experts_only":true,"rest_in_16_bits":true,)")).ok());
    CHECK(has_problem(load_with(models_json(), kHardware, fp8_with(R"("rest_in_16_bits":true,)")), "inconsistent", "rest_in_16_bits"));
}

TEST_CASE("a model without runtime support entries, or a download of an unknown quant, is refused") {
    std::string no_support = kRest;
    no_support.replace(no_support.find(R"("model":"m")"), 11, R"("model":"x")");
    auto l = load_with(models_json(), kHardware, kQuants, no_support);
    CHECK(has_problem(l, "missing_availability", "availability"));  // model m has none now
    CHECK(has_problem(l, "dangling_reference", "availability[0].model"));  // and x is not a model
    std::string bad_download = kRest;
    bad_download.replace(bad_download.find(R"("downloads":[])"), 14,
                         R"("downloads":[{"format":"gguf","repo":"org/m-GGUF","quant":"Q9_X","source":"https://example.org/f"}])");
    CHECK(has_problem(load_with(models_json(), kHardware, kQuants, bad_download), "dangling_reference", "downloads[0].quant"));
    std::string not_https = kRest;
    not_https.replace(not_https.find("https://example.org/pr"), 22, "javascript:alert(1)");
    CHECK(has_problem(load_with(models_json(), kHardware, kQuants, not_https), "bad_text", "runtimes[0].source"));
}

TEST_CASE("every catalog model says which runtimes run it, each with a source") {
    const Catalog& c = test::catalog();
    for (const Model& m : c.models) {
        INFO(m.id);
        const Availability* a = c.availability_of(m.id);
        REQUIRE(a);
        CHECK(a->runtime("llama.cpp"));
        for (const RuntimeSupport& r : a->runtimes) CHECK(r.source.rfind("https://", 0) == 0);
    }
}

TEST_CASE("bad ids and missing sections are reported") {
    auto l = load_with(R"({"models":[]})");
    CHECK(has_problem(l, "missing_section", "models"));
    std::string upper = models_json();
    upper.replace(upper.find(R"("id":"m")"), 8, R"("id":"M <b>")");
    CHECK(has_problem(load_with(upper), "bad_id", "models[0].id"));
    // The fitted constants are part of the catalog: without them nothing can be estimated.
    CHECK(has_problem(load_with(models_json(), kHardware, kQuants, kRest, "{}"), "missing_section", "calibration"));
}

TEST_CASE("calibration: strict fields and the band of the narrowest class with enough rows") {
    std::string bad = kCalibration;
    const std::string overhead = "\"layer_overhead_us\":30";
    bad.replace(bad.find(overhead), overhead.size(), "\"layer_overhead_us\":-1");
    CHECK(has_problem(load_with(models_json(), kHardware, kQuants, kRest, bad), "out_of_range", "calibration.backends.cuda.layer_overhead_us"));
    std::string unknown = kCalibration;
    unknown.replace(unknown.find("\"cuda\":{"), 8, "\"opencl\":{");
    CHECK(has_problem(load_with(models_json(), kHardware, kQuants, kRest, unknown), "unknown_value", "calibration.backends.opencl"));
    // A factor keyed by a family the code does not have (the name CDNA3's FP8 share had before it became rocm_fp8,
    // a misspelt layer kind) is refused rather than never looked up.
    auto with = [&](const std::string& from, const std::string& to) {
        std::string text = kCalibration;
        text.replace(text.find(from), from.size(), to);
        return load_with(models_json(), kHardware, kQuants, kRest, text);
    };
    CHECK(has_problem(with("\"memory_band_pct\":1,", "\"memory_band_pct\":1,\"serving\":{\"bandwidth_efficiency\":0.8,\"compute_efficiency\":0.5,"
                           "\"step_overhead_ms\":2,\"group_step_overhead_ms\":0.4,\"rocm_layer_step_us\":0,\"allreduce_step_latency_us\":2,\"first_token_ms\":80,"
                           "\"cohort_wait_share\":0.3,\"young_kernel_slowdown\":0.8,\"format_compute_factors\":{\"fp8_fnuz\":0.5},\"rows\":10},"),
                      "unknown_value", "calibration.serving.format_compute_factors.fp8_fnuz"));
    CHECK(has_problem(with("{\"gated_delta\":1}", "{\"gated_delta\":1,\"gated-delta\":1}"), "unknown_value", "calibration.linear_layer_factors.gated-delta"));
    CHECK(has_problem(with("\"moe_expert_tokens\":32,", "\"moe_expert_tokens\":32,\"prefill_kernel_factors\":{\"kquant\":1.1},"),
                      "unknown_value", "calibration.prefill_kernel_factors.kquant"));
    CHECK(with("\"moe_expert_tokens\":32,", "\"moe_expert_tokens\":32,\"prefill_kernel_factors\":{\"legacy\":1.1},").problems.empty());
    runwell::Calibration c;
    c.bands = {{"decode", "*", "*", 20, 500, 40}, {"decode", "hybrid", "*", 60, 40, 9}, {"decode", "*", "rocm", 30, 50, 6},
               {"decode", "hybrid", "rocm", 45, 3, 2}, {"decode", "dense", "cuda", 12, 200, 20}, {"decode", "moe", "cuda", 5, 30, 1}};
    CHECK(c.band("decode", "dense", "cuda").pct == 12);    // its own class
    CHECK(c.band("decode", "hybrid", "rocm").pct == 60);   // 3 rows: the widest of its own (45) and its parents
    CHECK(c.band("decode", "hybrid", "rocm").rows == 3);   // and the evidence it really has
    CHECK(c.band("decode", "moe", "metal").pct == 20);     // no parent with rows: all decode rows
    c.bands.push_back({"decode", "moe", "metal", 90, 2, 1});
    CHECK(c.band("decode", "moe", "cuda").pct == 20);      // 30 rows but one source: not a band of its own
    CHECK(c.band("decode", "moe", "metal").pct == 90);     // its own few rows are wider than every parent
    // A layer kind with no rows on a backend: its architecture's class there is a parent too, so the
    // kind's rows elsewhere (or another kind's here) never make it narrower.
    c.bands.push_back({"decode", "hybrid", "cuda", 11, 8, 3});
    c.bands.push_back({"decode", "hybrid/gated_delta", "*", 25, 20, 6});
    CHECK(c.band("decode", "hybrid/gated_delta", "cuda").pct == 25);  // widest of the kind anywhere (25) and hybrid on cuda (11)
    c.bands.push_back({"decode", "hybrid/kda", "cuda", 9, 8, 3});
    CHECK(c.band("decode", "hybrid/kda", "cuda").pct == 9);           // enough rows of its own
}
