// Properties that must hold for every catalog model on a spread of devices:
// monotone physics and finite numbers. Catch2 GENERATE walks the whole catalog.
#include <cmath>

#include <nlohmann/json.hpp>

#include "support.hpp"

#include "runwell/advice.hpp"

using namespace runwell;

namespace {
const char* kDevices[] = {"rtx-3060-12gb", "rtx-4090", "h100-sxm", "apple-m2-ultra-128gb", "apple-m4-16gb",
                          "mi100", "desktop-ddr5-6000-2ch", "ryzen-ai-max-plus-395-128gb"};

int fit_rank(Fit f) {  // higher is better
    switch (f) {
        case Fit::RunsWell: return 3;
        case Fit::Tight: return 2;
        case Fit::Offload: return 1;
        default: return 0;
    }
}

Device with(const Device& d, double memory_factor, double bandwidth_factor) {
    Device out = d;
    out.memory_gib *= memory_factor;
    out.bandwidth_gbs *= bandwidth_factor;
    return out;
}
}  // namespace

TEST_CASE("more memory never makes a setup fit worse; more bandwidth never decodes slower; grades follow") {
    const Catalog& c = test::catalog();
    for (const Model& m : c.models) {
        for (const char* id : kDevices) {
            Setup s = test::setup(m.id, id, "Q4_K_M", std::min(8192L, m.max_context));
            Device bigger = with(*s.device, 2.0, 1.0), faster = with(*s.device, 1.0, 2.0);
            Setup sb = s, sf = s;
            sb.device = &bigger;
            sf.device = &faster;
            Estimate e = estimate_fit(s), eb = estimate_fit(sb), ef = estimate_fit(sf);
            INFO(m.id << " on " << id);
            CHECK(fit_rank(eb.fit) >= fit_rank(e.fit));
            CHECK(eb.safe_context >= e.safe_context);
            CHECK(speed(sf, ef, 1000, 1000).decode_tps >= speed(s, e, 1000, 1000).decode_tps);
            const Workload& w = *c.workload("chat");
            double base_score = grade_workload(s, w, *c.mode("balanced")).score;
            CHECK(grade_workload(sb, w, *c.mode("balanced")).score >= base_score - 1e-9);
            CHECK(grade_workload(sf, w, *c.mode("balanced")).score >= base_score - 1e-9);
        }
    }
}

TEST_CASE("longer context never needs less memory; bigger quants never need less") {
    const Catalog& c = test::catalog();
    // q2 is "bigger" than q1 when no part of the model is stored with fewer bits.
    auto bigger = [](const Quant& a, const Quant& b) {
        return !a.experts_only && !b.experts_only && b.bpw_body >= a.bpw_body && b.bpw_embed >= a.bpw_embed &&
               b.bpw_output >= a.bpw_output;
    };
    for (const Model& m : c.models) {
        INFO(m.id);
        Setup s = test::setup(m.id, "h100-sxm", "Q4_K_M", 1024);
        double previous = 0;
        for (long ctx = 1024; ctx <= m.max_context; ctx *= 4) {
            s.context = ctx;
            double total = memory_needed(s).total();
            CHECK(total >= previous);
            previous = total;
        }
        for (const Quant& a : c.quants)
            for (const Quant& b : c.quants)
                if (bigger(a, b)) CHECK(weight_bytes(m, b) >= weight_bytes(m, a));
    }
}

TEST_CASE("no NaN or infinity ever leaves the core") {
    const Catalog& c = test::catalog();
    for (const Model& m : c.models) {
        for (const char* id : kDevices) {
            for (const char* q : {"Q2_K", "Q4_K_M", "Q8_0", "BF16"}) {
                nlohmann::json req = {{"model", m.id}, {"hardware", id}, {"quant", q}, {"mode", "scale-out"}};
                std::string out = test::engine().call(req.dump());
                INFO(m.id << " " << id << " " << q);
                CHECK(out.find("NaN") == std::string::npos);
                CHECK(out.find("null") == std::string::npos);
                CHECK(out.find("inf") == std::string::npos);
                auto r = nlohmann::json::parse(out);
                CHECK(r["ok"] == true);
            }
        }
    }
}
