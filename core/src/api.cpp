#include "runwell/api.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "present.hpp"
#include "request.hpp"
#include "runwell/advice.hpp"
#include "runwell/calibration.hpp"
#include "runwell/fit.hpp"
#include "runwell/import.hpp"
#include "runwell/search.hpp"

namespace runwell {

using namespace detail;

std::vector<Problem> Engine::load(const std::vector<std::pair<std::string, std::string>>& named_texts) {
    CatalogLoad result = load_catalog(named_texts);
    if (result.ok()) {
        catalog_ = std::move(result.catalog);
        loaded_ = true;
    }
    return result.problems;
}


namespace {
// An answer as text. Input is quoted only in valid UTF-8 (utf8_prefix), but should an invalid byte still
// reach a message, it is replaced rather than thrown on (the API never throws).
std::string answer_text(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// A serving question: the setup, the engine and its grouping, the load and the targets
// (defaults: the workload's prompt, answer, speed and TTFT targets; the setup's default engine).
bool read_serving(const Catalog& catalog, ObjectReader& r, Resolved& resolved, ServingRequest& q, json& error) {
    std::vector<Problem>& problems = r.problems();
    std::string engine = r.str("engine", false);
    q.tensor_parallel = static_cast<int>(r.integer("tensor_parallel", 1, 1024, false, 0));
    q.batch_limit = static_cast<int>(r.integer("max_sequences", 1, 100000, false, 0));
    q.memory_fraction = r.num("memory_fraction", 0.05, 1, false, 0);
    long input = r.integer("input_tokens", 1, 10'000'000, false, 0), output = r.integer("output_tokens", 1, 1'000'000, false, 0);
    q.target_tps = r.num("target_tps", 0.01, 1e6, false, 0);
    q.target_ttft_s = r.num("target_ttft_s", 0.01, 3600, false, 0);
    q.users = static_cast<int>(r.integer("users", 1, 1'000'000, false, 0));
    q.load.queued = r.boolean("at_memory_limit", false);
    q.load_users = static_cast<int>(r.integer("load_users", 1, 100'000'000, false, 0));
    const std::string arrivals = r.str("arrivals", false);
    // Bounded: the run's end is played request by request (run_busy_share).
    q.load.prompts = r.integer("prompts", 1, 100'000, false, 0);
    q.load.length_range_ratio = r.num("length_range_ratio", 0, 1, false, 1);
    if (!parse_setup(catalog, r, resolved, error, true, true)) return false;
    r.finish();
    if (!problems.empty()) { error = problems_response(problems); return false; }
    Setup& s = resolved.setup;
    const Workload& w = *resolved.workload;
    q.load.input_tokens = input > 0 ? input : w.prompt_tokens;
    q.load.output_tokens = output > 0 ? output : w.output_tokens;
    if (q.target_tps == 0) q.target_tps = w.decode_target_tps;
    if (q.target_ttft_s == 0) q.target_ttft_s = w.ttft_target_s;
    if (q.load.input_tokens + q.load.output_tokens > s.model->max_context) {
        error = error_response("context_too_long", "input + output tokens exceed the model's limit of " + std::to_string(s.model->max_context), "input_tokens");
        return false;
    }
    if (arrivals == "together") q.load.arrivals = Arrivals::Together;
    else if (arrivals == "burst") q.load.arrivals = Arrivals::Burst;
    else if (!arrivals.empty() && arrivals != "random") {
        error = error_response("unknown_value", "arrivals must be random, together or burst, got '" + arrivals + "'", "arrivals");
        return false;
    }
    // No quant named: the one the estimate of this setup shows (its mode's best), so the plan matches the page.
    if (!s.quant) s.quant = default_quant(catalog, quant_table(catalog, s, w, *resolved.mode));
    if (engine.empty() || engine == "auto") q.engine = default_serving_engine(s);
    else if (engine == "llama.cpp") q.engine = ServingEngine::LlamaCppSlots;
    else if (engine == "batched") q.engine = ServingEngine::Batched;
    else if (engine == "sglang") q.engine = ServingEngine::Sglang;
    else { error = error_response("unknown_value", "engine must be auto, llama.cpp, batched or sglang, got '" + engine + "'", "engine"); return false; }
    if (!engine_runs(q.engine, s)) {
        error = error_response("engine_unsupported", std::string(to_string(q.engine)) + " does not serve " + s.quant->id + " on " + s.device->name +
                                                         (is_batched(q.engine) ? " (the batched engines load FP8, NVFP4, MXFP4, INT4 or BF16 checkpoints on CUDA and ROCm GPUs)" : ""),
                               "engine");
        return false;
    }
    return true;
}
}  // namespace

std::string Engine::call(const std::string& request_json) const {
    if (!loaded_) return answer_text(error_response("no_catalog", "the catalog is not loaded"));
    std::string why;
    json req = detail::parse_bounded(request_json, why);
    if (req.is_discarded()) return answer_text(error_response("bad_json", "the request is " + why));
    if (!req.is_object()) return answer_text(error_response("wrong_type", "the request must be a JSON object"));
    std::vector<Problem> problems;
    ObjectReader r(req, "", problems);
    std::string op = r.str("op", false);
    if (!problems.empty()) return answer_text(problems_response(problems));
    if (op.empty()) op = "estimate";
    json out;
    if (op == "catalog") {
        out = catalog_response(catalog_);
    } else if (op == "meta") {
        out = meta_json(catalog_);
        out["ok"] = true;
    } else if (op == "import_config") {
        const json* config = r.object("config", true);
        // The Hugging Face repository the config came from (import by repo id): it names the model.
        std::string repo = r.str("repo", false);
        r.finish();
        if (!problems.empty()) return answer_text(problems_response(problems));
        if (!repo.empty() && !is_hf_repo(repo))
            return answer_text(error_response("bad_id", kHfRepoRule, "repo"));
        ImportedModel imported = model_from_hf_config(config->is_string() ? config->get<std::string>() : config->dump());
        if (imported.model && !repo.empty()) {
            imported.model->hf_repo = repo;
            imported.model->name = repo.substr(repo.find('/') + 1);
        }
        out = import_response(catalog_, imported);
    } else if (op == "search") {
        std::string kind = r.str("kind", true), q = r.str("q", true);
        long limit = r.integer("limit", 1, 100, false, 8);
        r.finish();
        if (!problems.empty()) return answer_text(problems_response(problems));
        if (kind != "model" && kind != "hardware") return answer_text(error_response("unknown_value", "kind must be model or hardware", "kind"));
        json matches = json::array();
        for (const SearchMatch& m : search_catalog(catalog_, kind == "model" ? SearchKind::Model : SearchKind::Device, q, static_cast<size_t>(limit)))
            matches.push_back({{"id", m.id}, {"name", m.name}});
        out = {{"ok", true}, {"matches", matches}};
    } else if (op == "hf_config_path") {
        // Where a repository's config.json is, below the Hub's address: built from a validated id only.
        std::string repo = r.str("repo", true);
        r.finish();
        if (!problems.empty()) return answer_text(problems_response(problems));
        if (!is_hf_repo(repo))
            return answer_text(error_response("bad_id", kHfRepoRule, "repo"));
        out = {{"ok", true}, {"repo", repo}, {"path", repo + "/resolve/main/config.json"}};
    } else if (op == "devices") {
        Resolved resolved;
        json error;
        long limit = r.integer("limit", 1, 100000, false, 100000);
        if (!parse_setup(catalog_, r, resolved, error, true, false)) return answer_text(error);
        r.finish();
        if (!problems.empty()) return answer_text(problems_response(problems));
        out = devices_response(catalog_, resolved, limit);
    } else if (op == "check") {
        Resolved resolved;
        json error;
        std::string bench = r.str("bench", true);
        if (!parse_setup(catalog_, r, resolved, error, true, true)) return answer_text(error);
        r.finish();
        if (!problems.empty()) return answer_text(problems_response(problems));
        out = check_response(catalog_, resolved, read_llama_bench(bench));
    } else if (op == "serve") {
        Resolved resolved;
        json error;
        ServingRequest q;
        if (!read_serving(catalog_, r, resolved, q, error)) return answer_text(error);
        out = serving_json(catalog_, resolved, q);
        out["ok"] = true;
    } else if (op == "predict") {
        Resolved resolved;
        json error;
        if (!parse_setup(catalog_, r, resolved, error, true, true)) return answer_text(error);
        r.finish();
        if (!problems.empty()) return answer_text(problems_response(problems));
        out = predict_response(catalog_, resolved);
    } else if (op == "estimate" || op == "rank") {
        Resolved resolved;
        json error;
        long limit = r.integer("limit", 1, 100000, false, 100000);
        if (!parse_setup(catalog_, r, resolved, error, op == "estimate", true)) return answer_text(error);
        r.finish();
        if (!problems.empty()) return answer_text(problems_response(problems));
        out = op == "estimate" ? estimate_response(catalog_, resolved) : rank_response(catalog_, resolved, limit);
    } else {
        return answer_text(error_response("unknown_op", "op must be estimate, serve, predict, check, rank, devices, catalog, meta, search, import_config or hf_config_path, got '" + op + "'", "op"));
    }
    return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string Engine::import_gguf(const std::string& bytes, double file_size) const {
    if (!loaded_) return answer_text(error_response("no_catalog", "the catalog is not loaded"));
    return import_response(catalog_, model_from_gguf(bytes, file_size)).dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace runwell

namespace runwell {

std::vector<Problem> Engine::set_calibration(const std::string& calibration_json) {
    std::vector<Problem> problems;
    Calibration c = read_calibration_json(calibration_json, problems);
    if (problems.empty()) catalog_.calibration = std::move(c);
    return problems;
}

namespace {
json calibration_json(const Calibration& c) {
    json backends = json::object();
    for (const auto& [id, b] : c.backends)
        backends[id] = {{"bandwidth_efficiency", round_to(b.bandwidth_efficiency, 4)}, {"layer_overhead_us", round_to(b.layer_overhead_us, 2)},
                        {"prefill_efficiency", round_to(b.prefill_efficiency, 4)}, {"prefill_token_tile", round_to(b.prefill_token_tile, 1)},
                        {"gpu_hop_ms", round_to(b.gpu_hop_ms, 4)},
                        {"decode_rows", b.decode_rows}, {"prefill_rows", b.prefill_rows}};
    json linear = json::object(), kernels = json::object();
    for (const auto& [kind, f] : c.linear_layer_factors) linear[kind] = round_to(f, 4);
    json linear_prefill = json::object();
    for (const auto& [kind, us] : c.linear_prefill_us) linear_prefill[kind] = round_to(us, 3);
    for (const auto& [kernel, f] : c.prefill_kernel_factors) kernels[kernel] = round_to(f, 4);
    json serving_formats = json::object();
    for (const auto& [format, f] : c.serving.format_compute_factors) serving_formats[format] = round_to(f, 4);
    json bands = json::array();
    for (const ErrorBand& e : c.bands)
        bands.push_back({{"quantity", e.quantity}, {"arch", e.arch}, {"backend", e.backend}, {"pct", e.pct}, {"rows", e.rows},
                         {"sources", e.sources}});
    return {{"provenance", c.provenance}, {"backends", backends},
            {"bandwidth_saturation_gbs", round_to(c.bandwidth_saturation_gbs, 1)}, {"hbm_bandwidth_factor", round_to(c.hbm_bandwidth_factor, 4)}, {"compute_saturation_tflops", round_to(c.compute_saturation_tflops, 2)},
            {"moe_layer_factor", round_to(c.moe_layer_factor, 4)}, {"overhead_bandwidth_exponent", round_to(c.overhead_bandwidth_exponent, 4)},
            {"linear_layer_factors", linear}, {"linear_prefill_us", linear_prefill}, {"prefill_kernel_factors", kernels},
            {"host_bandwidth_efficiency", round_to(c.host_bandwidth_efficiency, 4)}, {"attention_flops_weight", round_to(c.attention_flops_weight, 4)},
            {"moe_expert_tokens", round_to(c.moe_expert_tokens, 3)},
            {"serving", {{"bandwidth_efficiency", round_to(c.serving.bandwidth_efficiency, 4)}, {"compute_efficiency", round_to(c.serving.compute_efficiency, 4)},
                         {"step_overhead_ms", round_to(c.serving.step_overhead_ms, 3)},
                         {"group_step_overhead_ms", round_to(c.serving.group_step_overhead_ms, 3)}, {"rocm_layer_step_us", round_to(c.serving.rocm_layer_step_us, 2)},
                         {"allreduce_step_latency_us", round_to(c.serving.allreduce_step_latency_us, 2)}, {"first_token_ms", round_to(c.serving.first_token_ms, 1)},
                         {"young_kernel_slowdown", round_to(c.serving.young_kernel_slowdown, 4)}, {"cohort_wait_share", round_to(c.serving.cohort_wait_share, 4)},
                         {"format_compute_factors", serving_formats},
                         {"rows", c.serving.rows}}}, {"memory_band_pct", c.memory_band_pct}, {"bands", bands}};
}
}  // namespace

std::string Engine::fit(const std::string& rows_jsonl, const std::string& only) const {
    if (!loaded_) return answer_text(error_response("no_catalog", "the catalog is not loaded"));
    Calibration trial = catalog_.calibration;
    struct Row {
        std::unique_ptr<Resolved> setup;
        Estimate estimate;
        long prompt = 512, depth = 0;
        bool decode = true;
        double measured = 0, weight = 1;
        std::string serving;  // serving_total_tps | serving_user_tps | serving_ttft; empty: a single-stream row
        ServingRequest request;
        ServingPlan plan;
    };
    std::vector<Row> rows;
    size_t line_no = 0;
    for (size_t start = 0; start < rows_jsonl.size();) {
        size_t end = rows_jsonl.find('\n', start);
        std::string line = rows_jsonl.substr(start, end == std::string::npos ? std::string::npos : end - start);
        start = end == std::string::npos ? rows_jsonl.size() : end + 1;
        ++line_no;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        std::string where = "line " + std::to_string(line_no);
        std::string why;
        json row = detail::parse_bounded(line, why);
        if (row.is_discarded() || !row.is_object()) return answer_text(error_response("bad_json", where + ": " + (why.empty() ? "expected an object" : why)));
        std::vector<Problem> problems;
        ObjectReader outer(row, where, problems);
        const json* request = outer.object("request", true);
        std::string quantity = outer.str("quantity");
        Row r;
        r.measured = outer.num("measured", 1e-6, 1e9);
        r.weight = outer.num("weight", 0, 1e6, false, 1);
        outer.finish();
        if (!problems.empty()) return answer_text(problems_response(problems));
        if (!is_one_of(quantity, kFitQuantities)) return answer_text(error_response("unknown_value", where + ": quantity must be " + one_of_text(kFitQuantities)));
        r.decode = quantity == "decode";
        r.setup = std::make_unique<Resolved>();
        ObjectReader inner(*request, where + ".request", problems);
        if (quantity.rfind("serving_", 0) == 0) {
            // A serving row: the same request the harness sends as "serve".
            r.serving = quantity;
            inner.str("op", false);
            json error;
            if (!read_serving(catalog_, inner, *r.setup, r.request, error)) {
                error["error"]["message"] = where + ": " + error["error"]["message"].get<std::string>();
                return answer_text(error);
            }
            r.setup->setup.calibration = &trial;
            r.plan = plan_serving(r.setup->setup, r.request.engine, r.request.tensor_parallel, r.request.load, r.request.batch_limit,
                                  r.request.memory_fraction);
            rows.push_back(std::move(r));
            continue;
        }
        inner.str("op", false);  // the same request the harness sends as "predict"
        json error;
        if (!parse_setup(catalog_, inner, *r.setup, error, true, true)) {
            error["error"]["message"] = where + ": " + error["error"]["message"].get<std::string>();
            return answer_text(error);
        }
        inner.finish();
        if (!problems.empty()) return answer_text(problems_response(problems));
        Setup& s = r.setup->setup;
        if (!s.quant) return answer_text(error_response("missing_field", where + ": a fitted row names its quant", "quant"));
        s.calibration = &trial;
        r.estimate = estimate_fit(s);
        if (r.setup->prompt_tokens > 0) r.prompt = r.setup->prompt_tokens;
        if (r.setup->depth >= 0) r.depth = r.setup->depth;
        rows.push_back(std::move(r));
    }
    if (rows.empty()) return answer_text(error_response("missing_field", "no rows to fit"));

    // Robust loss: weighted |log(predicted / measured)| (a median fit); a setup the estimator
    // says cannot run, although it was measured, costs as much as a 20x error.
    const double kNoRun = std::log(20.0);
    auto row_loss = [&](const Row& r) {
        double predicted = 0;
        if (!r.serving.empty()) {
            ServingPoint p = serve_at(r.setup->setup, r.plan, r.request.load, requested_users(r.plan, r.request));
            predicted = r.serving == "serving_total_tps" ? p.total_tps : r.serving == "serving_user_tps" ? p.per_user_tps : p.ttft_s;
        } else {
            Speed sp = speed(r.setup->setup, r.estimate, r.prompt, r.depth);
            predicted = r.decode ? sp.decode_tps : sp.prefill_tps;
        }
        return r.weight * (predicted > 0 ? std::abs(std::log(predicted / r.measured)) : kNoRun);
    };
    // TTFTs inform only the first-token latency (below): under load they hang on how the benchmark client
    // sends its prompts, which the model does not know (57 % off out of sample). Fitted on with the speeds,
    // their misses bent the speeds' constants: left out of the TensorRT-LLM tables, FP4's compute share
    // followed DeepSeek-R1's 4x-underestimated TTFTs down to 0.32, and those tables came out 20 % off, not 12 %.
    auto loss = [&] {
        double sum = 0;
        for (const Row& r : rows)
            if (r.serving != "serving_ttft") sum += row_loss(r);
        return sum;
    };

    // Which constants the rows inform: counts per backend and per kind of row.
    std::map<std::string, int> decode_rows, prefill_rows, multi_gpu_rows, linear_decode, linear_prefill, kernel_prefill;
    int moe_decode = 0, moe_prefill = 0, offload_decode = 0, decode_total = 0, prefill_total = 0, hbm_decode = 0;
    int serving_rows = 0, serving_tp_rows = 0, serving_dated_rows = 0, serving_rocm_rows = 0;
    std::map<std::string, int> serving_format_rows;
    for (const Row& r : rows) {
        const Setup& s = r.setup->setup;
        if (!r.serving.empty()) {
            ++serving_rows;
            if (r.plan.tp > 1) ++serving_tp_rows;
            if (model_age_days(s)) ++serving_dated_rows;
            if (s.device->backend == "rocm") ++serving_rocm_rows;
            ++serving_format_rows[std::string(matmul_kernels(s))];
            continue;
        }
        std::string b(runtime_backend(s));
        if (r.decode) {
            ++decode_rows[b];
            ++decode_total;
            if (s.gpus > 1) ++multi_gpu_rows[b];
            if (has_hbm(*s.device)) ++hbm_decode;
            if (s.model->moe) ++moe_decode;
            if (s.model->attention.linear_layers > 0) ++linear_decode[s.model->attention.linear_kind];
            if (r.estimate.placement.kind != OffloadKind::None) ++offload_decode;
        } else {
            ++prefill_rows[b];
            ++prefill_total;
            ++kernel_prefill[std::string(prefill_kernel(*s.quant))];
            if (s.model->moe) ++moe_prefill;
            if (s.model->attention.linear_layers > 0) ++linear_prefill[s.model->attention.linear_kind];
        }
    }
    // Every constant the rows inform is fitted from the same starting guess, so the result depends
    // on the rows alone; constants no row informs keep the loaded (prior) value.
    constexpr int kMinRows = 5;
    std::vector<FitParameter> params;
    auto asked = [&](const std::string& name) { return name.rfind(only, 0) == 0; };  // every name when `only` is empty
    auto add = [&](const std::string& name, double* value, double lo, double hi, double start) {
        if (!asked(name)) return;  // not asked for: kept as loaded
        *value = start;
        params.push_back({name, value, lo, hi});
    };
    for (const auto& [b, n] : decode_rows) {
        if (n < kMinRows) continue;
        BackendFit& f = trial.backends[b];
        add(b + ".bandwidth_efficiency", &f.bandwidth_efficiency, 0.2, 1.3, 0.8);
        add(b + ".layer_overhead_us", &f.layer_overhead_us, 0, 3000, 50);
        if (multi_gpu_rows[b] >= 3) add(b + ".gpu_hop_ms", &f.gpu_hop_ms, 0, 30, 0.3);
        else f.gpu_hop_ms = catalog_.calibration.backend(b).gpu_hop_ms;
    }
    for (const auto& [b, n] : prefill_rows) {
        if (n < kMinRows) continue;
        BackendFit& f = trial.backends[b];
        if ((!decode_rows.count(b) || decode_rows[b] < kMinRows) && asked(b + ".")) f = catalog_.calibration.backend(b);
        add(b + ".prefill_efficiency", &f.prefill_efficiency, 0.01, 2, 0.5);
        if (double tile = kernel_token_tile(b); tile > 0) f.prefill_token_tile = tile;
        else add(b + ".prefill_token_tile", &f.prefill_token_tile, 8, 4096, 128);
    }
    if (decode_total >= kMinRows) {
        add("bandwidth_saturation_gbs", &trial.bandwidth_saturation_gbs, 300, 1e5, 3000);
        add("overhead_bandwidth_exponent", &trial.overhead_bandwidth_exponent, 0, 2, 0.5);
    }
    if (moe_decode >= kMinRows) add("moe_layer_factor", &trial.moe_layer_factor, 0, 5, 0.5);
    if (hbm_decode >= 3) add("hbm_bandwidth_factor", &trial.hbm_bandwidth_factor, 0.3, 1.5, 1);
    for (const auto& [kind, n] : linear_decode)
        add("linear_layer_factors." + kind, &trial.linear_layer_factors[kind], 0, 100, 2);  // one scalar: one row informs it
    for (const auto& [kind, n] : linear_prefill)
        add("linear_prefill_us." + kind, &trial.linear_prefill_us[kind], 0, 1000, 10);
    if (offload_decode >= 3) add("host_bandwidth_efficiency", &trial.host_bandwidth_efficiency, 0.05, 1.5, 0.35);
    if (prefill_total >= kMinRows) {
        add("compute_saturation_tflops", &trial.compute_saturation_tflops, 10, 1e4, 300);
        add("attention_flops_weight", &trial.attention_flops_weight, 0.01, 10, 1);
    }
    if (moe_prefill >= kMinRows) add("moe_expert_tokens", &trial.moe_expert_tokens, 0, 512, 32);
    // The prompt-kernel families with a factor of their own (kFactoredPrefillKernels), where rows show them.
    for (const auto& [kernel, n] : kernel_prefill)
        if (is_one_of(kernel, kFactoredPrefillKernels) && n >= kMinRows) add("prefill_kernel_factors." + kernel, &trial.prefill_kernel_factors[kernel], 0.1, 10, 1);
    if (serving_rows >= kMinRows) {
        // Batched steps are large kernels: no more than the device's peaks (the bounds are physics).
        add("serving.bandwidth_efficiency", &trial.serving.bandwidth_efficiency, 0.1, 1.0, 0.8);
        add("serving.compute_efficiency", &trial.serving.compute_efficiency, 0.02, 1.0, 0.5);
        add("serving.step_overhead_ms", &trial.serving.step_overhead_ms, 0, 100, 2);
        if (serving_tp_rows >= 3) {
            add("serving.allreduce_step_latency_us", &trial.serving.allreduce_step_latency_us, 0, 1000, 2);
            add("serving.group_step_overhead_ms", &trial.serving.group_step_overhead_ms, 0, 100, 0.5);
        }
        if (serving_rocm_rows >= kMinRows) add("serving.rocm_layer_step_us", &trial.serving.rocm_layer_step_us, 0, 500, 20);
        // How much slower a new model's kernels are: from the rows whose run day and model release are known.
        // Without it, runs within a month of a release were 0.61x the model's speed per user and runs a year
        // on 1.27x (the constants fitted between them), and each user's speed out of sample was 23.7 % off.
        if (serving_dated_rows >= kMinRows) add("serving.young_kernel_slowdown", &trial.serving.young_kernel_slowdown, 0, 10, 0.5);
        // The share of compute_efficiency of each matrix format with kernels of its own, where rows show it.
        // BF16 and CUDA's FP8 share compute_efficiency itself (a factor for FP8 as well took the fit to the
        // efficiency's bound, and total throughput out of sample from 18 % to 23 %). An FP4 path reaches
        // at most its 4x peak: a share above 1 there is not physics.
        for (const auto& [format, n] : serving_format_rows)
            if (is_one_of(format, kFactoredMatmulKernels) && n >= kMinRows)
                add("serving.format_compute_factors." + format, &trial.serving.format_compute_factors[format], 0.1, format == "fp4" ? 1 : 2, 1);
    }
    trial.serving.rows = serving_rows > 0 ? serving_rows : catalog_.calibration.serving.rows;
    // The first-token latency starts from the same guess whatever was loaded, so the fit depends on the rows alone.
    std::vector<const Row*> alone;
    for (const Row& r : rows)
        if (r.serving == "serving_ttft" && requested_users(r.plan, r.request) == 1) alone.push_back(&r);
    const bool fit_latency = asked("serving.first_token_ms") && static_cast<int>(alone.size()) >= kMinRows;
    if (fit_latency) trial.serving.first_token_ms = 50;
    std::vector<const Row*> cohorts;  // TTFTs of identical requests arriving together, several at once
    for (const Row& r : rows)
        if (r.serving == "serving_ttft" && r.request.load.arrivals == Arrivals::Together && requested_users(r.plan, r.request) > 1) cohorts.push_back(&r);
    const bool fit_cohort = asked("serving.cohort_wait_share") && static_cast<int>(cohorts.size()) >= kMinRows;
    if (fit_cohort) trial.serving.cohort_wait_share = 0.5;
    double total = minimise(params, loss);
    // One TTFT constant fitted on its own rows, after the speeds (no TTFT informs them).
    auto fit_on = [&](FitParameter p, const std::vector<const Row*>& on) {
        std::vector<FitParameter> one{p};
        minimise(one, [&] {
            double sum = 0;
            for (const Row* r : on) sum += row_loss(*r);
            return sum;
        });
        params.push_back(one.front());
    };
    // The first-token latency is what a request alone waits beyond its prefill and one step, so it is fitted
    // on the TTFTs of single requests only. Fitted with every TTFT it stood in for the queueing the model
    // underestimates under load (171 ms; TTFT out of sample 60.6 % -> 70.5 %).
    if (fit_latency) fit_on({"serving.first_token_ms", &trial.serving.first_token_ms, 0, 2000}, alone);
    // How far a benchmark's cohort stays in step: on those TTFTs only, after the latency (0.5, the FIFO cohort,
    // overshot InferenceX's and vLLM's recipes' runs 1.4-1.7x and widened TTFT's 80th percentile from 96 % to 134 %).
    if (fit_cohort) fit_on({"serving.cohort_wait_share", &trial.serving.cohort_wait_share, 0, 1}, cohorts);
    if (decode_total + prefill_total > 0)  // a serving-only fit leaves the single-stream evidence as it was
        for (auto& [b, f] : trial.backends) {
            if (!asked(b + ".")) continue;  // a backend not asked for keeps its own
            f.decode_rows = decode_rows.count(b) ? decode_rows[b] : 0;
            f.prefill_rows = prefill_rows.count(b) ? prefill_rows[b] : 0;
        }
    json fitted = json::array();
    for (const FitParameter& p : params) fitted.push_back(p.name);
    json out = {{"ok", true}, {"calibration", calibration_json(trial)}, {"loss", total}, {"rows", rows.size()}, {"fitted", fitted}};
    return out.dump(1, ' ', false, json::error_handler_t::replace);
}

}  // namespace runwell
