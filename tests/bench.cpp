// runwell_bench: timings printed for scripts/bench (native and, built with
// Emscripten, under Node). Targets live in scripts/bench, not in tests.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "runwell/advice.hpp"
#include "runwell/api.hpp"

namespace {
using Clock = std::chrono::steady_clock;

// Runs fn n times, returns microseconds per call; `sink` keeps the optimiser honest.
template <class F>
double per_call_us(int n, F fn) {
    auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) fn();
    return std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / n;
}
volatile double sink = 0;
}  // namespace

int main(int argc, char** argv) {
    std::string dir = argc > 1 ? argv[1] : RUNWELL_DATA_DIR;
    std::vector<runwell::Problem> problems;
    auto files = runwell::read_catalog_dir(dir, problems);
    runwell::Engine engine;
    double load_us = per_call_us(5, [&] { engine.load(files); });
    if (!engine.ready()) { std::fprintf(stderr, "bench: catalog did not load\n"); return 1; }
    const runwell::Catalog& c = engine.catalog();

    runwell::Setup s;
    s.model = c.model("kimi-linear-48b-a3b-instruct");
    s.device = c.device("l40");
    s.quant = c.quant("Q4_K_M");
    s.context = 8192;
    double estimate_us = per_call_us(20000, [&] {
        runwell::Estimate e = runwell::estimate_fit(s);
        sink = sink + runwell::speed(s, e, 1000, 1150).decode_tps;
    });
    const std::string request = R"({"model":"kimi-linear-48b-a3b-instruct","hardware":"l40","quant":"Q4_K_M"})";
    double response_us = per_call_us(50, [&] { sink = sink + static_cast<double>(engine.call(request).size()); });
    double rank_ms = per_call_us(10, [&] {
        sink = sink + static_cast<double>(runwell::rank_models(c, s, *c.workload("chat"), *c.mode("balanced")).size());
    }) / 1000;
    long cells = 0;
    auto t0 = Clock::now();
    for (const auto& m : c.models)
        for (const auto& d : c.devices)
            for (const auto& q : c.quants)
                for (const auto& w : c.workloads) {
                    runwell::Setup t = s;
                    t.model = &m;
                    t.device = &d;
                    t.quant = &q;
                    sink = sink + runwell::grade_workload(t, w, *c.mode("balanced")).score;
                    ++cells;
                }
    double matrix_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    std::printf("catalog_load_ms %.3f\n", load_us / 1000);
    std::printf("estimate_us %.3f\n", estimate_us);
    std::printf("full_response_us %.1f\n", response_us);
    std::printf("rank_catalog_ms %.3f\n", rank_ms);
    std::printf("matrix_ms %.1f\n", matrix_ms);
    std::printf("matrix_cells %ld\n", cells);
    return sink < 0 ? 1 : 0;
}
