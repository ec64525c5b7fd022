// Hugging Face config.json -> Model. Parameter counts are rebuilt from the
// dimensions (embedding, attention, dense or MoE MLP per layer), so the result
// can be checked against the published totals.
#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "json_reader.hpp"
#include "runwell/import.hpp"

namespace runwell {

namespace {
using json = nlohmann::json;

// Reads a positive number under any of the given keys (configs name things differently).
double number(const json& c, std::initializer_list<const char*> keys, double fallback = 0) {
    for (const char* k : keys) {
        auto it = c.find(k);
        if (it != c.end() && it->is_number() && std::isfinite(it->get<double>()) && it->get<double>() > 0) return it->get<double>();
    }
    return fallback;
}

bool flag(const json& c, const char* key, bool fallback) {
    auto it = c.find(key);
    return it != c.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

std::string text(const json& c, const char* key) {
    auto it = c.find(key);
    return it != c.end() && it->is_string() ? it->get<std::string>() : "";
}

// Counts entries of a "layer_types"-style list equal to `value`.
int count_layers(const json& c, const char* key, const std::string& value) {
    auto it = c.find(key);
    if (it == c.end() || !it->is_array()) return -1;
    int n = 0;
    for (const auto& v : *it) n += v.is_string() && v.get<std::string>() == value;
    return n;
}
}  // namespace

ImportedModel model_from_hf_config(const std::string& config_json) {
    ImportedModel out;
    auto fail = [&](const std::string& code, const std::string& path, const std::string& message) {
        out.problems.push_back({code, path, message});
        return out;
    };
    std::string why;
    json root = detail::parse_bounded(config_json, why);
    if (root.is_discarded()) return fail("bad_json", "config.json", why == "not valid JSON" ? "not valid JSON (is the file complete?)" : why);
    if (!root.is_object()) return fail("wrong_type", "config.json", "expected a JSON object");
    const json& c = root.contains("text_config") && root["text_config"].is_object() ? root["text_config"] : root;
    std::string type = text(c, "model_type").empty() ? text(root, "model_type") : text(c, "model_type");

    const double hidden = number(c, {"hidden_size", "d_model", "n_embd"});
    const double layers = number(c, {"num_hidden_layers", "n_layer", "num_layers"});
    const double heads = number(c, {"num_attention_heads", "n_head"});
    const double vocab = number(c, {"vocab_size"}, number(root, {"vocab_size"}));
    if (!hidden) return fail("missing_field", "config.json.hidden_size", "no hidden_size: not a decoder-only transformer config runwell understands");
    if (!layers) return fail("missing_field", "config.json.num_hidden_layers", "no num_hidden_layers");
    if (!heads) return fail("missing_field", "config.json.num_attention_heads", "no num_attention_heads");
    if (!vocab) return fail("missing_field", "config.json.vocab_size", "no vocab_size");
    if (hidden > 1e6 || layers > 4096 || heads > 4096 || vocab > 1e7)
        return fail("out_of_range", "config.json", "dimensions beyond any real model (hidden, layers, heads or vocab)");
    if (type.find("bert") != std::string::npos || type == "t5" || type == "whisper" || flag(c, "is_encoder_decoder", false))
        return fail("unsupported_architecture", "config.json.model_type", "'" + type + "' is not a decoder-only LLM");

    const double kv_heads = number(c, {"num_key_value_heads", "n_head_kv"}, heads);
    const double head_dim = number(c, {"head_dim"}, hidden / heads);
    const double inter = number(c, {"intermediate_size", "ffn_hidden_size", "n_inner"}, 4 * hidden);
    // Transformers' Gemma configs tie the output head to the embeddings by default; most others do not.
    const bool tied = flag(c, "tie_word_embeddings", flag(root, "tie_word_embeddings", type.rfind("gemma", 0) == 0));

    Model m;
    m.id = "custom";
    m.name = text(root, "_name_or_path").empty() ? "Custom " + (type.empty() ? std::string("model") : type) : text(root, "_name_or_path");
    m.layers = to_dim(layers);
    m.hidden = to_dim(hidden);
    m.vocab = to_dim(vocab);
    m.tied_embeddings = tied;
    m.max_context = static_cast<long>(std::clamp(number(c, {"max_position_embeddings", "n_positions", "seq_length"}, 4096), 256.0, 1e8));
    m.source = {"config.json"};

    // Attention: MLA (DeepSeek, Kimi), GQA/MHA otherwise.
    Attention& a = m.attention;
    a.heads = to_dim(heads);
    const double kv_lora = number(c, {"kv_lora_rank"});
    double attn_params;
    if (kv_lora > 0) {
        a.kind = AttentionKind::Mla;
        a.kv_lora_rank = to_dim(kv_lora);
        a.rope_dim = to_dim(number(c, {"qk_rope_head_dim"}, 64));
        double nope = number(c, {"qk_nope_head_dim"}, 128), v = number(c, {"v_head_dim"}, 128), q_lora = number(c, {"q_lora_rank"});
        double q = q_lora > 0 ? hidden * q_lora + q_lora * heads * (nope + a.rope_dim) : hidden * heads * (nope + a.rope_dim);
        attn_params = q + hidden * (kv_lora + a.rope_dim) + kv_lora * heads * (nope + v) + heads * v * hidden;
    } else {
        a.kind = kv_heads < heads ? AttentionKind::Gqa : AttentionKind::Mha;
        a.kv_heads = to_dim(kv_heads);
        a.head_dim = to_dim(head_dim);
        attn_params = hidden * heads * head_dim * 2 + hidden * kv_heads * head_dim * 2;
    }
    a.full_layers = m.layers;

    // Layers that do not grow with context: sliding windows and linear attention.
    const double window = number(c, {"sliding_window"});
    int sliding = count_layers(c, "layer_types", "sliding_attention");
    int linear = count_layers(c, "layer_types", "linear_attention");
    if (sliding < 0 && window > 0) {
        if (type == "gemma2") sliding = m.layers / 2;
        else if (type.rfind("gemma3", 0) == 0) sliding = m.layers - m.layers / std::max(1, to_dim(number(c, {"sliding_window_pattern"}, 6)));
        else if (type == "gpt_oss") sliding = m.layers / 2;
        else if (flag(c, "use_sliding_window", type == "mistral")) sliding = m.layers;  // every layer windowed
        else sliding = 0;
    }
    if (linear < 0 && number(c, {"full_attention_interval"}) > 0)  // Qwen3-Next: one full layer every N
        linear = m.layers - m.layers / std::max(1, to_dim(number(c, {"full_attention_interval"})));
    if (c.contains("linear_attn_config") && c["linear_attn_config"].is_object()) {  // Kimi Linear
        const json& l = c["linear_attn_config"];
        if (l.contains("full_attn_layers") && l["full_attn_layers"].is_array())
            linear = m.layers - to_dim(l["full_attn_layers"].size());
    }
    if (sliding > 0 && window > 0) {
        a.window = to_dim(std::min(window, 1e8));
        a.window_layers = std::min(sliding, m.layers);
        a.full_layers -= a.window_layers;
    }
    if (linear > 0) {
        a.linear_layers = std::min(linear, a.full_layers);
        a.linear_kind = c.contains("linear_attn_config") ? "kda" : "gated_delta";  // Kimi Linear's KDA, else Qwen3-Next-style
        a.full_layers -= a.linear_layers;
        // Recurrent state per linear layer ~ heads x head_dim^2 values, kept in f32 as llama.cpp
        // does (catalog.hpp); 128-dim heads if unstated.
        double hd = number(c, {"linear_key_head_dim"}, 128), vh = number(c, {"linear_num_value_heads"}, heads);
        a.linear_state_mib = a.linear_layers * vh * hd * hd * 4 / (1024.0 * 1024.0);
        out.notes.push_back("linear-attention state estimated as heads x head_dim^2 per layer");
    }
    if (a.full_layers + a.window_layers + a.linear_layers == 0) a.full_layers = 1;

    // MLP: dense, or routed experts (+ shared experts) after the first dense layers.
    const double experts = number(c, {"num_local_experts", "num_experts", "n_routed_experts"});
    const double active = number(c, {"num_experts_per_tok", "num_experts_per_token", "moe_topk"});
    const double embed = vocab * hidden * (tied ? 1 : 2);
    // "Active" parameters follow the common published convention (Qwen, DeepSeek): everything
    // but the experts a token does not use, embeddings included.
    double total = embed, active_total = embed;
    if (experts > 1 && active > 0) {
        const double moe_inter = number(c, {"moe_intermediate_size", "expert_intermediate_size"}, inter);
        const double shared = number(c, {"n_shared_experts", "num_shared_experts"}) * moe_inter +
                              number(c, {"shared_expert_intermediate_size"});
        const double dense_layers = std::min(layers, number(c, {"first_k_dense_replace"}));
        const double moe_layers = layers - dense_layers;
        const double expert = 3 * hidden * moe_inter;
        const double per_moe_layer_fixed = attn_params + 3 * hidden * shared + hidden * experts;  // + router
        total += dense_layers * (attn_params + 3 * hidden * inter) + moe_layers * (per_moe_layer_fixed + experts * expert);
        active_total += dense_layers * (attn_params + 3 * hidden * inter) + moe_layers * (per_moe_layer_fixed + active * expert);
        Moe moe;
        moe.experts = to_dim(experts);
        moe.active_experts = to_dim(std::min(active, experts));
        moe.shared_experts = to_dim(number(c, {"n_shared_experts", "num_shared_experts"}));
        moe.expert_params_b = moe_layers * experts * expert / 1e9;
        m.moe = moe;
    } else {
        total += layers * (attn_params + 3 * hidden * inter);
        active_total = total;
    }
    m.params_b = total / 1e9;
    m.active_params_b = std::min(m.params_b, active_total / 1e9);
    if (m.moe && m.active_params_b >= m.params_b) m.moe.reset();
    if (m.params_b < 1e-4 || m.params_b > 20000)
        return fail("out_of_range", "config.json", "the dimensions give " + std::to_string(m.params_b) + "B parameters");
    out.model = m;
    return out;
}

}  // namespace runwell
