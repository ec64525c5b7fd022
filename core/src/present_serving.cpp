// The serving answers: a capacity plan (users at a target speed, total throughput, TTFT under
// load, devices for a load) and the curve against concurrency, as the API's JSON.
#include <algorithm>
#include <cmath>

#include "present.hpp"
#include "runwell/advice.hpp"
#include "runwell/serving.hpp"
#include "text.hpp"

namespace runwell::detail {

namespace {

json point_json(const ServingPoint& p) {
    return {{"users", p.users}, {"running", p.running}, {"per_user_tps", round_to(p.per_user_tps, 1)},
            {"total_tps", round_to(p.total_tps, 0)}, {"ttft_s", round_to(p.ttft_s, 3)}, {"step_ms", round_to(p.step_s * 1e3, 2)},
            {"prompt_bound", p.prompt_bound}, {"step_prompt_tokens", round_to(p.step_prompt_tokens, 0)},
            {"prefill_pass_ms", round_to(p.prefill_pass_s * 1e3, 2)}};
}

// The command that serves the plan: the catalog's run command for the engine, with the
// plan's sequences per replica and each sequence's context.
json plan_command(const Catalog& c, const Resolved& r, const ServingPlan& plan, const ServingRequest& q, int sequences) {
    Setup s = r.setup;
    if (q.quant) s.quant = q.quant;
    s.context = q.load.input_tokens + q.load.output_tokens;
    s.concurrency = std::max(1, sequences);
    s.tensor_parallel = is_batched(plan.engine) ? plan.tp : 0;
    Estimate e = estimate_fit(s);
    if (is_batched(plan.engine)) e.placement = Placement{};  // the batched engines keep everything on the GPUs
    const Availability* where = r.own_model ? nullptr : c.availability_of(s.model->id);
    const char* runtime = plan.engine == ServingEngine::Batched ? "vllm" : plan.engine == ServingEngine::Sglang ? "sglang" : "llama.cpp";
    for (const Command& cmd : run_commands(c, s, e, where))
        if (cmd.runtime == runtime) {
            json argv = json::array();
            for (const ShellLine& line : cmd.lines) argv.push_back(line.argv());
            return {{"runtime", cmd.runtime}, {"label", cmd.label}, {"text", cmd.text()}, {"argv", argv}};
        }
    return nullptr;
}

}  // namespace

std::string engine_label(ServingEngine e) {
    switch (e) {
        case ServingEngine::Batched: return "vLLM-class batched engine (vLLM, TensorRT-LLM)";
        case ServingEngine::Sglang: return "SGLang";
        case ServingEngine::LlamaCppSlots: break;
    }
    return "llama.cpp server, parallel slots";
}

// Where an engine puts the prompts of the requests that join: what sets its speeds apart.
std::string engine_how(ServingEngine e) {
    if (e == ServingEngine::Sglang)
        return "continuous batching shares each decode step between the running requests; the prompts of the requests that "
               "join are processed in prefill passes of their own between the steps, while the decodes wait.";
    return "continuous batching shares each decode step between the running requests; their prompts are processed in the same steps.";
}

int requested_users(const ServingPlan& plan, const ServingRequest& q) {
    return q.load.queued ? plan.max_sequences * plan.replicas : q.users;
}

std::vector<ServingEngine> engines_for(const Setup& s) {
    std::vector<ServingEngine> out;
    for (ServingEngine e : kServingEngines)
        if (engine_runs(e, s)) out.push_back(e);
    return out;
}

json serving_json(const Catalog& c, const Resolved& r, const ServingRequest& q) {
    Setup s = r.setup;
    if (q.quant) s.quant = q.quant;
    ServingPlan plan = plan_serving(s, q.engine, q.tensor_parallel, q.load, q.batch_limit, q.memory_fraction);
    // The batched engines' figures are checked against batched-serving measurements; llama.cpp's slots
    // reuse the single-stream physics, checked (never fitted) against llama-batched-bench decode speeds
    // of several sequences: that band covers both speeds, and nothing checks their TTFT.
    const Calibration& cal = calibration_of(s);
    const bool batched = is_batched(plan.engine);
    const ErrorBand slots_band = cal.band("slots_decode_tps", "*", "*");
    const ErrorBand total_band = batched ? serving_band(s, "serving_total_tps") : slots_band;
    const ErrorBand user_band = batched ? serving_band(s, "serving_user_tps") : slots_band;
    const ErrorBand ttft_band = batched ? serving_band(s, "serving_ttft") : ErrorBand{};
    json j = {{"engine", std::string(to_string(plan.engine))}, {"engine_label", engine_label(plan.engine)},
              {"engine_how", engine_how(plan.engine)}, {"quant", s.quant->id},
              {"load", {{"input_tokens", q.load.input_tokens}, {"output_tokens", q.load.output_tokens},
                        {"target_tps", q.target_tps}, {"target_ttft_s", q.target_ttft_s}}},
              {"plan", {{"gpus", std::max(1, s.gpus)}, {"tensor_parallel", plan.tp}, {"replicas", plan.replicas},
                        {"memory_fraction", plan.memory_fraction}, {"weights_gib", round_to(plan.weights_gib, 2)},
                        {"reserve_gib", round_to(plan.reserve_gib, 2)}, {"kv_pool_gib", round_to(plan.kv_pool_gib, 2)},
                        {"kv_gib_per_sequence", round_to(plan.kv_gib_per_sequence, 3)}, {"held_tokens", plan.held_tokens},
                        {"max_sequences", plan.max_sequences},
                        {"engine_batch_limit", plan.engine_batch_limit}, {"max_batched_tokens", plan.max_batched_tokens},
                        {"fits", plan.fits}}},
              {"error_band", {{"total_tps_pct", total_band.pct}, {"user_tps_pct", user_band.pct}, {"ttft_pct", ttft_band.pct},
                              {"rows", total_band.rows}, {"sources", total_band.sources},
                              {"checked_against", batched ? "batched_serving" : "llama_batched_bench"}}}};
    json engines = json::array();
    for (ServingEngine e : engines_for(s)) engines.push_back({{"id", std::string(to_string(e))}, {"label", engine_label(e)}});
    j["engines"] = engines;
    j["caveats"] = batched ? batched_engine_caveats(s, plan.tp) : json::array();
    if (!plan.fits) {
        j["capacity"] = point_json(ServingPoint{});
        j["curve"] = json::array();
        j["summary"] = "The weights and one " + std::to_string(q.load.input_tokens + q.load.output_tokens) +
                       "-token request do not fit in " + engine_label(plan.engine) + " on this setup.";
        return j;
    }
    ServingPoint cap = capacity(s, plan, q.load, q.target_tps, q.target_ttft_s);
    j["capacity"] = point_json(cap);
    if (q.users > 0 || q.load.queued) j["point"] = point_json(serve_at(s, plan, q.load, requested_users(plan, q)));
    // Users double up to twice what the memory holds (where the queue starts to show).
    json curve = json::array();
    const int most = plan.max_sequences * plan.replicas;
    for (int users = 1; users <= 2 * most; users *= 2) {
        curve.push_back(point_json(serve_at(s, plan, q.load, users)));
        if (users > most) break;
    }
    j["curve"] = curve;
    const int sequences = cap.users > 0 ? std::max(1, cap.running) : 1;
    j["command"] = plan_command(c, r, plan, q, sequences);
    if (q.load_users > 0) {
        // Copies of this setup a target number of users needs, each serving the capacity above.
        int copies = cap.users > 0 ? (q.load_users + cap.users - 1) / cap.users : 0;
        j["for_load"] = {{"users", q.load_users}, {"setups", copies}, {"gpus", copies * std::max(1, s.gpus)}};
    }
    std::string who = std::to_string(cap.users) + (cap.users == 1 ? " user" : " users");
    j["summary"] = cap.users == 0
                       ? "Not one user gets " + fixed(q.target_tps, 0) + " tok/s with a first token within " +
                             fixed(q.target_ttft_s, 1) + " s on this setup."
                       : who + " at " + fixed(q.target_tps, 0) + "+ tok/s each (" + fixed(cap.per_user_tps, 0) +
                             "), " + fixed(cap.total_tps, 0) + " tok/s in total, first token in " + fixed(cap.ttft_s, 1) +
                             " s, with " + engine_label(plan.engine) + ".";
    return j;
}

}  // namespace runwell::detail
