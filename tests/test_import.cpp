// Bring-your-own-model parsers: config.json files of several architectures, written
// from the published configs, checked against the published parameter counts; and
// GGUF headers generated here byte by byte.
#include <cstring>

#include <nlohmann/json.hpp>

#include "support.hpp"

#include "runwell/import.hpp"

using namespace runwell;

namespace {
Model imported(const std::string& config) {
    ImportedModel r = model_from_hf_config(config);
    for (const auto& p : r.problems) UNSCOPED_INFO(p.code << ": " << p.message);
    REQUIRE(r.model);
    return *r.model;
}
std::string problem(const ImportedModel& r) { return r.problems.empty() ? "" : r.problems.front().code; }
}  // namespace

TEST_CASE("config.json: dense GQA (Llama-3.1-8B, published 8.03B)") {
    Model m = imported(R"({"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":4096,"intermediate_size":14336,
      "num_hidden_layers":32,"num_attention_heads":32,"num_key_value_heads":8,"vocab_size":128256,"max_position_embeddings":131072,
      "tie_word_embeddings":false,"rope_theta":500000.0,"torch_dtype":"bfloat16"})");
    CHECK(m.params_b == Approx(8.03).epsilon(0.01));
    CHECK(m.attention.kind == AttentionKind::Gqa);
    CHECK(kv_bytes_per_token(m, KvType::F16) == Approx(131072));  // same as the catalog entry
    CHECK_FALSE(m.moe);
}

TEST_CASE("config.json: MoE (Qwen3-30B-A3B, published 30.5B total, 3.3B active)") {
    Model m = imported(R"({"model_type":"qwen3_moe","hidden_size":2048,"intermediate_size":6144,"moe_intermediate_size":768,
      "num_hidden_layers":48,"num_attention_heads":32,"num_key_value_heads":4,"head_dim":128,"num_experts":128,
      "num_experts_per_tok":8,"vocab_size":151936,"max_position_embeddings":40960,"tie_word_embeddings":false})");
    CHECK(m.params_b == Approx(30.53).epsilon(0.02));
    CHECK(m.active_params_b == Approx(3.34).epsilon(0.05));
    REQUIRE(m.moe);
    CHECK(m.moe->experts == 128);
    CHECK(m.moe->active_experts == 8);
}

TEST_CASE("config.json: MLA + MoE (DeepSeek-V3, published 671B total, 37B active)") {
    Model m = imported(R"({"model_type":"deepseek_v3","hidden_size":7168,"intermediate_size":18432,"moe_intermediate_size":2048,
      "num_hidden_layers":61,"num_attention_heads":128,"num_key_value_heads":128,"q_lora_rank":1536,"kv_lora_rank":512,
      "qk_rope_head_dim":64,"qk_nope_head_dim":128,"v_head_dim":128,"n_routed_experts":256,"n_shared_experts":1,
      "num_experts_per_tok":8,"first_k_dense_replace":3,"vocab_size":129280,"max_position_embeddings":163840,"tie_word_embeddings":false})");
    CHECK(m.params_b == Approx(671).epsilon(0.02));
    CHECK(m.active_params_b == Approx(37).epsilon(0.06));
    CHECK(m.attention.kind == AttentionKind::Mla);
    CHECK(kv_bytes_per_token(m, KvType::F16) == Approx(70272));  // 61 x 576 x 2, as the ik_llama log
}

TEST_CASE("config.json: sliding window in a multimodal wrapper (Gemma 3 12B, 11.77B text parameters)") {
    Model m = imported(R"({"architectures":["Gemma3ForConditionalGeneration"],"model_type":"gemma3",
      "text_config":{"model_type":"gemma3_text","hidden_size":3840,"intermediate_size":15360,"num_hidden_layers":48,
      "num_attention_heads":16,"num_key_value_heads":8,"head_dim":256,"vocab_size":262208,"sliding_window":1024,
      "sliding_window_pattern":6,"max_position_embeddings":131072},"vision_config":{"hidden_size":1152}})");
    CHECK(m.params_b == Approx(11.77).epsilon(0.03));
    CHECK(m.tied_embeddings);  // Gemma's default: the output head is the embedding table
    CHECK(m.attention.window == 1024);
    CHECK(m.attention.window_layers == 40);  // 5 local : 1 global
    CHECK(m.attention.full_layers == 8);
    // The catalog entry of the same model agrees with its imported config on what is tied,
    // so both give the same decode speed (tolerance 3 %: the catalog's params come from the card).
    Setup imported_setup = test::setup("gemma-3-12b-it", "rtx-4090", "Q4_K_M");
    const Model* catalog_model = imported_setup.model;
    CHECK(catalog_model->tied_embeddings == m.tied_embeddings);
    imported_setup.model = &m;
    Setup catalog_setup = test::setup("gemma-3-12b-it", "rtx-4090", "Q4_K_M");
    double a = speed(imported_setup, estimate_fit(imported_setup), 512, 1024).decode_tps;
    double b = speed(catalog_setup, estimate_fit(catalog_setup), 512, 1024).decode_tps;
    CHECK(a == Approx(b).epsilon(0.03));
}

TEST_CASE("config.json: layer types list (gpt-oss-20b, 20.9B, alternating 128-token windows)") {
    nlohmann::json types = nlohmann::json::array();
    for (int i = 0; i < 24; ++i) types.push_back(i % 2 ? "full_attention" : "sliding_attention");
    nlohmann::json c = {{"model_type", "gpt_oss"}, {"hidden_size", 2880}, {"intermediate_size", 2880}, {"num_hidden_layers", 24},
                        {"num_attention_heads", 64}, {"num_key_value_heads", 8}, {"head_dim", 64}, {"num_local_experts", 32},
                        {"num_experts_per_tok", 4}, {"vocab_size", 201088}, {"sliding_window", 128}, {"layer_types", types},
                        {"max_position_embeddings", 131072}, {"tie_word_embeddings", false}};
    Model m = imported(c.dump());
    CHECK(m.params_b == Approx(20.91).epsilon(0.03));
    CHECK(m.attention.window_layers == 12);
    CHECK(m.attention.full_layers == 12);
}

TEST_CASE("config.json: hybrid linear attention (Qwen3-Next-80B-A3B, 80B)") {
    Model m = imported(R"({"model_type":"qwen3_next","hidden_size":2048,"intermediate_size":5120,"moe_intermediate_size":512,
      "shared_expert_intermediate_size":512,"num_hidden_layers":48,"num_attention_heads":16,"num_key_value_heads":2,"head_dim":256,
      "num_experts":512,"num_experts_per_tok":10,"full_attention_interval":4,"linear_num_value_heads":32,"linear_key_head_dim":128,
      "vocab_size":151936,"max_position_embeddings":262144})");
    CHECK(m.params_b == Approx(80).epsilon(0.08));  // linear-attention projections approximated as attention-sized
    CHECK(m.attention.linear_layers == 36);
    CHECK(m.attention.full_layers == 12);
    CHECK(kv_bytes_per_token(m, KvType::F16) == Approx(24576));  // the catalog's value
}

TEST_CASE("config.json: bad input names what is wrong") {
    CHECK(problem(model_from_hf_config(R"({"model_type":"llama","hidden_size":4096,"num_hidden)")) == "bad_json");
    CHECK(problem(model_from_hf_config(R"({"model_type":"bert","hidden_size":768,"num_hidden_layers":12,"num_attention_heads":12,"vocab_size":30522})")) == "unsupported_architecture");
    CHECK(problem(model_from_hf_config(R"({"model_type":"llama","num_hidden_layers":32,"num_attention_heads":32,"vocab_size":32000})")) == "missing_field");
    CHECK(problem(model_from_hf_config(R"({"hidden_size":1e12,"num_hidden_layers":32,"num_attention_heads":32,"vocab_size":32000})")) == "out_of_range");
    CHECK(problem(model_from_hf_config("[1,2,3]")) == "wrong_type");
}

// ---- GGUF ------------------------------------------------------------------
namespace {
// Writes a GGUF v3 header: metadata and tensor table (no tensor data is needed).
class Gguf {
public:
    Gguf& kv_str(const std::string& k, const std::string& v) { key(k); u32(8); str(v); ++kv_; return *this; }
    Gguf& kv_u32(const std::string& k, uint32_t v) { key(k); u32(4); u32(v); ++kv_; return *this; }
    Gguf& kv_tokens(const std::string& k, int n) {
        key(k); u32(9); u32(8); u64(n);
        for (int i = 0; i < n; ++i) str("tok" + std::to_string(i));
        ++kv_;
        return *this;
    }
    Gguf& kv_u8_array(const std::string& k, uint64_t n) {
        key(k); u32(9); u32(0); u64(n);
        meta_.append(n, '\x01');
        ++kv_;
        return *this;
    }
    Gguf& tensor(const std::string& name, std::vector<uint64_t> dims, uint32_t type) {
        str_to(tensors_, name);
        put(tensors_, static_cast<uint32_t>(dims.size()));
        for (uint64_t d : dims) put(tensors_, d);
        put(tensors_, type);
        put(tensors_, uint64_t{0});
        ++n_tensors_;
        return *this;
    }
    std::string bytes(uint64_t claim_tensors = 0) const {
        std::string out = "GGUF";
        put(out, uint32_t{3});
        put(out, claim_tensors ? claim_tensors : n_tensors_);
        put(out, kv_);
        return out + meta_ + tensors_;
    }

private:
    template <class T> static void put(std::string& s, T v) { s.append(reinterpret_cast<const char*>(&v), sizeof v); }
    static void str_to(std::string& s, const std::string& v) { put(s, static_cast<uint64_t>(v.size())); s += v; }
    void key(const std::string& k) { str_to(meta_, k); }
    void str(const std::string& v) { str_to(meta_, v); }
    void u32(uint32_t v) { put(meta_, v); }
    void u64(uint64_t v) { put(meta_, v); }
    std::string meta_, tensors_;
    uint64_t kv_ = 0, n_tensors_ = 0;
};

// A tiny llama: 2 layers, hidden 256, 4 heads / 2 KV heads, vocab 512; F16 embeddings,
// Q4_K attention/MLP (144 bytes per 256 values), Q6_K output (210 bytes per 256).
Gguf tiny_llama() {
    Gguf g;
    g.kv_str("general.architecture", "llama").kv_str("general.name", "tiny llama").kv_u32("llama.block_count", 2)
        .kv_u32("llama.embedding_length", 256).kv_u32("llama.attention.head_count", 4).kv_u32("llama.attention.head_count_kv", 2)
        .kv_u32("llama.context_length", 4096).kv_tokens("tokenizer.ggml.tokens", 512);
    g.tensor("token_embd.weight", {256, 512}, 1).tensor("output.weight", {256, 512}, 14);
    for (int l = 0; l < 2; ++l) {
        std::string p = "blk." + std::to_string(l) + ".";
        g.tensor(p + "attn_q.weight", {256, 256}, 12).tensor(p + "attn_k.weight", {256, 128}, 12)
         .tensor(p + "attn_v.weight", {256, 128}, 12).tensor(p + "attn_output.weight", {256, 256}, 12)
         .tensor(p + "ffn_up.weight", {256, 1024}, 12).tensor(p + "ffn_gate.weight", {256, 1024}, 12)
         .tensor(p + "ffn_down.weight", {1024, 256}, 12);
    }
    return g;
}
}  // namespace

TEST_CASE("GGUF: a generated llama header gives its architecture and the file's precision") {
    std::string bytes = tiny_llama().bytes();
    ImportedModel r = model_from_gguf(bytes, 0);
    for (const auto& p : r.problems) UNSCOPED_INFO(p.code << ": " << p.message);
    REQUIRE(r.model);
    const Model& m = *r.model;
    CHECK(m.name == "tiny llama");
    CHECK(m.layers == 2);
    CHECK(m.hidden == 256);
    CHECK(m.vocab == 512);
    CHECK(m.attention.kv_heads == 2);
    CHECK(m.attention.head_dim == 64);
    CHECK(m.max_context == 4096);
    // Elements: 2 x 131072 (embed, output) + 2 layers x (65536 + 2 x 32768 + 65536 + 3 x 262144) = 2,228,224.
    CHECK(m.params_b * 1e9 == Approx(2228224));
    REQUIRE(r.quant);
    CHECK(r.quant->bpw_body == Approx(4.5));    // Q4_K: 144 B x 8 / 256
    CHECK(r.quant->bpw_embed == Approx(16));
    CHECK(r.quant->bpw_output == Approx(6.5625));  // Q6_K: 210 B x 8 / 256
    // The weights formula applied to the imported model and precision gives back the tensor bytes.
    CHECK(weight_bytes(m, *r.quant) == Approx(r.file_weight_bytes).epsilon(1e-6));
}

TEST_CASE("GGUF: experts become an MoE") {
    Gguf g;
    g.kv_str("general.architecture", "qwen3moe").kv_u32("qwen3moe.block_count", 1).kv_u32("qwen3moe.embedding_length", 256)
        .kv_u32("qwen3moe.attention.head_count", 4).kv_u32("qwen3moe.expert_count", 8).kv_u32("qwen3moe.expert_used_count", 2);
    g.tensor("token_embd.weight", {256, 512}, 8).tensor("blk.0.attn_q.weight", {256, 256}, 8)
     .tensor("blk.0.ffn_up_exps.weight", {256, 512, 8}, 8).tensor("blk.0.ffn_down_exps.weight", {512, 256, 8}, 8);
    ImportedModel r = model_from_gguf(g.bytes(), 0);
    REQUIRE(r.model);
    REQUIRE(r.model->moe);
    CHECK(r.model->moe->experts == 8);
    CHECK(r.model->moe->expert_params_b * 1e9 == Approx(2.0 * 256 * 512 * 8));
    // Active: embeddings + attention + 2 of 8 experts (the published convention, as config.json).
    CHECK(r.model->active_params_b * 1e9 == Approx(131072 + 65536 + 2.0 * 256 * 512 * 2));
}

TEST_CASE("GGUF: truncated, foreign and damaged files are refused with a reason") {
    std::string bytes = tiny_llama().bytes();
    ImportedModel cut = model_from_gguf(bytes.substr(0, bytes.size() / 2), 0);
    CHECK(problem(cut) == "truncated");
    CHECK(cut.bytes_needed > static_cast<long>(bytes.size() / 2));
    CHECK(problem(model_from_gguf("PK\x03\x04 this is a zip file", 0)) == "not_gguf");
    CHECK(problem(model_from_gguf("", 0)) == "truncated");
    CHECK(problem(model_from_gguf(tiny_llama().bytes(1ull << 40), 0)) == "corrupt");
    // A tensor table describing far more data than the file's size.
    CHECK(problem(model_from_gguf(bytes, 1000)) == "corrupt");
    Gguf odd = tiny_llama();
    odd.tensor("blk.9.weird.weight", {256}, 99);
    CHECK(problem(model_from_gguf(odd.bytes(), 0)) == "unsupported_tensor_type");
    Gguf nameless;
    nameless.kv_u32("llama.block_count", 2).tensor("token_embd.weight", {256, 512}, 1);
    CHECK(problem(model_from_gguf(nameless.bytes(), 0)) == "missing_field");
}

TEST_CASE("imported models are estimated through the API like catalog entries") {
    std::string bytes = tiny_llama().bytes();
    auto imp = nlohmann::json::parse(test::engine().import_gguf(bytes, 0));
    REQUIRE(imp["ok"] == true);
    nlohmann::json req = {{"model", imp["model"]}, {"hardware", "rtx-4090"}, {"quant", imp["quant"]}};
    auto r = nlohmann::json::parse(test::engine().call(req.dump()));
    INFO(r.dump());
    REQUIRE(r["ok"] == true);
    CHECK(r["fit"] == "runs_well");
    auto cfg = nlohmann::json::parse(test::engine().call(R"({"op":"import_config","config":"{\"hidden_size\":4096"})"));
    CHECK(cfg["ok"] == false);
    CHECK(cfg["error"]["code"] == "bad_json");
}

TEST_CASE("GGUF: absurd dimensions are refused, not cast (libFuzzer regression)") {
    // Found by fuzz_import: a block_count of 2^32 - 1 used to be cast to int (undefined behaviour).
    Gguf g = tiny_llama();
    g.kv_u32("llama.block_count", 0xFFFFFFFFu);  // a second key with the same name overrides the first
    auto r = nlohmann::json::parse(test::engine().import_gguf(g.bytes(), 0));
    CHECK(r["ok"] == false);
    CHECK(r["error"]["message"].get<std::string>().find("impossible model") != std::string::npos);
}

TEST_CASE("GGUF: unused metadata is skipped, not stored, and the header size is bounded (amplification reproduction)") {
    // 40,000 small uint8 arrays (~40 MB) under keys the importer does not use: before the fix each
    // value was kept as a double (8x); now they are skipped and the model still reads.
    Gguf g = tiny_llama();
    for (int i = 0; i < 40000; ++i) g.kv_u8_array("junk." + std::to_string(i), 1000);
    ImportedModel r = model_from_gguf(g.bytes(), 0);
    REQUIRE(r.model);
    CHECK(r.model->layers == 2);
    // A header past 64 MiB is refused outright instead of asking for ever more bytes.
    Gguf huge = tiny_llama();
    for (int i = 0; i < 70; ++i) huge.kv_u8_array("junk." + std::to_string(i), 1u << 20);
    std::string bytes = huge.bytes();
    ImportedModel cut = model_from_gguf(bytes.substr(0, 65u << 20), 0);
    CHECK(problem(cut) == "too_large");
    ImportedModel partial = model_from_gguf(bytes.substr(0, 8u << 20), 0);
    CHECK(problem(partial) == "truncated");
    CHECK(partial.bytes_needed <= (64 << 20));
}
