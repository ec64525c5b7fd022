// Properties that must hold for every catalog model on a spread of devices:
// monotone physics and finite numbers. Catch2 GENERATE walks the whole catalog.
#include <cmath>
#include <cstring>
#include <map>

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

TEST_CASE("more memory never makes a setup fit worse, more bandwidth never decodes slower, and grades follow") {
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

TEST_CASE("longer context never needs less memory, and bigger quants never need less") {
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

namespace {
// nlohmann writes a NaN or an infinity as null: a null anywhere in an answer is a
// non-finite number that escaped. Sizes, speeds and times are never negative.
void check_numbers(const nlohmann::json& node, const std::string& path) {
    INFO(path);
    CHECK_FALSE(node.is_null());
    if (node.is_object())
        for (auto it = node.begin(); it != node.end(); ++it) check_numbers(it.value(), path + "." + it.key());
    if (node.is_array())
        for (size_t i = 0; i < node.size(); ++i) check_numbers(node[i], path + "[" + std::to_string(i) + "]");
    if (node.is_number_float() || node.is_number_integer()) {
        for (const char* unit : {"_tps", "_gib", "_s", "_tokens", "_context"})
            if (path.size() > std::strlen(unit) && path.compare(path.size() - std::strlen(unit), std::string::npos, unit) == 0)
                CHECK(node.get<double>() >= 0);
    }
}
}  // namespace

TEST_CASE("every number that leaves the core is finite, and sizes, speeds and times are not negative") {
    const Catalog& c = test::catalog();
    for (const Model& m : c.models) {
        for (const char* id : kDevices) {
            for (const char* q : {"Q2_K", "Q4_K_M", "Q8_0", "BF16"}) {
                nlohmann::json req = {{"model", m.id}, {"hardware", id}, {"quant", q}, {"mode", "scale-out"}};
                auto r = nlohmann::json::parse(test::engine().call(req.dump()));
                INFO(m.id << " " << id << " " << q);
                REQUIRE(r["ok"] == true);
                check_numbers(r, "");
            }
        }
    }
}

TEST_CASE("one classification: a setup that does not run is F everywhere, and rank agrees with estimate") {
    const Catalog& c = test::catalog();
    const auto call = [](const nlohmann::json& req) { return nlohmann::json::parse(test::engine().call(req.dump())); };
    long checked_wont_run = 0, checked_ranked = 0;
    for (const char* device : {"rtx-4060", "rtx-4090", "apple-m4-16gb", "mi100"}) {
        for (long context : {4096L, 32768L, 131072L}) {
            for (double host_ram : {0.0, 64.0}) {
                nlohmann::json setup = {{"hardware", device}, {"context", context}, {"mode", "balanced"}, {"workload", "coding"}};
                if (c.device(device)->kind != DeviceKind::Unified) setup["host_ram_gib"] = host_ram;
                nlohmann::json ranked_req = setup;
                ranked_req["op"] = "rank";
                auto ranked = call(ranked_req);
                REQUIRE(ranked["ok"] == true);
                std::map<std::string, nlohmann::json> rank_of;
                for (const auto& row : ranked["models"]) rank_of[row["id"]] = row;
                for (const Model& m : c.models) {
                    if (context > m.max_context) continue;
                    nlohmann::json req = setup;
                    req["model"] = m.id;
                    auto r = call(req);
                    INFO(m.id << " on " << device << " at " << context << " tokens, host RAM " << host_ram);
                    REQUIRE(r["ok"] == true);
                    if (r["fit"] == "wont_run") {
                        ++checked_wont_run;
                        CHECK(r["grade"] == "F");
                        CHECK(r["runs"] == false);
                        CHECK(r["commands"].empty());
                        CHECK(r["offload"]["kind"] == "none");
                        CHECK(rank_of.count(m.id) == 0);  // rank lists only what runs at this setup
                    }
                    for (const auto& w : r["workloads"]) {
                        CHECK(w["context"] == context);  // the user's context, for every workload
                        if (w["fit"] == "wont_run") CHECK(w["grade"] == "F");
                        if (w["id"] == "coding") CHECK(w["grade"] == r["grade"]);
                    }
                    if (rank_of.count(m.id)) {
                        // The same setup with rank's best quant: estimate says the same grade and fit.
                        ++checked_ranked;
                        const auto& row = rank_of[m.id];
                        req["quant"] = row["best_quant"];
                        auto same = call(req);
                        CHECK(same["grade"] == row["grade"]);
                        CHECK(same["fit"] == row["fit"]);
                        CHECK(same["best_quant"] == row["best_quant"]);
                    }
                }
            }
        }
    }
    // Both branches were exercised on this catalog.
    CHECK(checked_wont_run > 50);
    CHECK(checked_ranked > 50);
}
