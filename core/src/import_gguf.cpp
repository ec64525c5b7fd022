// GGUF header -> Model + the file's own precision. Reads only the metadata and
// the tensor table (never tensor data), bounds-checks every length, and asks
// for more bytes when the header does not fit in what it was given.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <set>

#include "runwell/import.hpp"
#include "text.hpp"

namespace runwell {

namespace {
constexpr uint64_t kMaxTensors = 1'000'000;
constexpr uint64_t kMaxKv = 100'000;
constexpr uint64_t kMaxString = 1u << 26;      // 64 MiB
constexpr uint64_t kMaxArray = 100'000'000;
constexpr size_t kMaxHeaderBytes = 64u << 20;  // the largest header read; real ones (vocabulary + merges) take a few MiB

// ggml_type -> (values per block, bytes per block), from ggml-common.h.
bool block_size(uint32_t type, double& values, double& bytes) {
    static const std::map<uint32_t, std::pair<double, double>> sizes = {
        {0, {1, 4}},     {1, {1, 2}},     {2, {32, 18}},   {3, {32, 20}},   {6, {32, 22}},  {7, {32, 24}},
        {8, {32, 34}},   {9, {32, 36}},   {10, {256, 84}}, {11, {256, 110}}, {12, {256, 144}}, {13, {256, 176}},
        {14, {256, 210}}, {15, {256, 292}}, {16, {256, 66}}, {17, {256, 74}}, {18, {256, 98}}, {19, {256, 50}},
        {20, {32, 18}},  {21, {256, 110}}, {22, {256, 82}}, {23, {256, 136}}, {24, {1, 1}},   {25, {1, 2}},
        {26, {1, 4}},    {27, {1, 8}},    {28, {1, 8}},    {29, {256, 56}}, {30, {1, 2}},   {34, {256, 54}},
        {35, {256, 66}}, {39, {32, 17}}};
    auto it = sizes.find(type);
    if (it == sizes.end()) return false;
    values = it->second.first;
    bytes = it->second.second;
    return true;
}

class Reader {
public:
    explicit Reader(const std::string& b) : data_(b) {}
    bool ok = true;        // false once a read ran past the end
    bool corrupt = false;  // a length beyond any real file
    size_t pos = 0;

    template <class T>
    T read() {
        T v{};
        if (!ok || pos + sizeof(T) > data_.size()) { ok = false; return v; }
        std::memcpy(&v, data_.data() + pos, sizeof(T));
        pos += sizeof(T);
        return v;
    }
    std::string string() {
        uint64_t n = read<uint64_t>();
        if (n > kMaxString) { corrupt = true; ok = false; return {}; }
        if (!ok || pos + n > data_.size()) { ok = false; return {}; }
        std::string s = data_.substr(pos, n);
        pos += n;
        return s;
    }
    void skip_string() {
        uint64_t n = read<uint64_t>();
        if (n > kMaxString) { corrupt = true; ok = false; return; }
        skip(n);
    }
    void skip(uint64_t n) {
        if (!ok || pos + n > data_.size()) { ok = false; return; }
        pos += n;
    }

private:
    const std::string& data_;
};

struct Value {
    double number = NAN;
    std::string text;
    uint64_t array_length = 0;
    std::vector<double> numbers;  // small numeric arrays (e.g. per-layer head counts)
};

// The metadata the importer reads: general.architecture and general.name, the
// vocabulary's length, and these per-architecture keys ("<arch>.<suffix>").
bool used_key(const std::string& key) {
    static const std::set<std::string> suffixes = {
        "block_count", "embedding_length", "context_length", "attention.head_count", "attention.head_count_kv",
        "attention.key_length", "attention.kv_lora_rank", "rope.dimension_count", "attention.sliding_window",
        "expert_count", "expert_used_count", "expert_shared_count"};
    if (key == "general.architecture" || key == "general.name" || key == "tokenizer.ggml.tokens") return true;
    size_t dot = key.find('.');
    return dot != std::string::npos && key.size() < 200 && suffixes.count(key.substr(dot + 1));
}

size_t scalar_size(uint32_t type) {
    switch (type) {
        case 0: case 1: case 7: return 1;
        case 2: case 3: return 2;
        case 4: case 5: case 6: return 4;
        case 10: case 11: case 12: return 8;
        default: return 0;
    }
}

double read_scalar(Reader& r, uint32_t type) {
    switch (type) {
        case 0: return r.read<uint8_t>();
        case 1: return r.read<int8_t>();
        case 2: return r.read<uint16_t>();
        case 3: return r.read<int16_t>();
        case 4: return r.read<uint32_t>();
        case 5: return r.read<int32_t>();
        case 6: return r.read<float>();
        case 7: return r.read<uint8_t>();
        case 10: return static_cast<double>(r.read<uint64_t>());
        case 11: return static_cast<double>(r.read<int64_t>());
        case 12: return r.read<double>();
        default: r.corrupt = true; r.ok = false; return NAN;
    }
}

// `keep`: the key is one the importer uses; other values are skipped without being stored,
// so memory stays bounded by what is needed whatever the header holds.
Value read_value(Reader& r, uint32_t type, bool keep) {
    Value v;
    if (type == 8) {
        if (keep) v.text = r.string();
        else r.skip_string();
        return v;
    }
    if (type != 9) { v.number = read_scalar(r, type); return v; }
    uint32_t item = r.read<uint32_t>();
    uint64_t n = r.read<uint64_t>();
    if (n > kMaxArray || item == 9) { r.corrupt = true; r.ok = false; return v; }
    v.array_length = n;
    if (item == 8) {  // e.g. the tokenizer's vocabulary: skipped string by string
        for (uint64_t i = 0; i < n && r.ok; ++i) r.skip_string();
        return v;
    }
    size_t size = scalar_size(item);
    if (!size) { r.corrupt = true; r.ok = false; return v; }
    if (n > (std::numeric_limits<uint64_t>::max() / 8)) { r.corrupt = true; r.ok = false; return v; }
    if (keep && n <= 4096)  // per-layer values (head counts, window flags) of the keys used
        for (uint64_t i = 0; i < n && r.ok; ++i) v.numbers.push_back(read_scalar(r, item));
    else
        r.skip(n * size);
    return v;
}
}  // namespace

ImportedModel model_from_gguf(const std::string& bytes, double file_size) {
    ImportedModel out;
    auto fail = [&](const std::string& code, const std::string& message) {
        out.problems.push_back({code, "gguf", message});
        return out;
    };
    if (bytes.size() < 4) return fail("truncated", "the file is empty or shorter than a GGUF header");
    if (bytes.compare(0, 4, "GGUF") != 0) return fail("not_gguf", "this is not a GGUF file (it does not start with 'GGUF')");
    Reader r(bytes);
    r.skip(4);
    uint32_t version = r.read<uint32_t>();
    uint64_t tensors = r.read<uint64_t>();
    uint64_t kv_count = r.read<uint64_t>();
    if (r.ok && (version < 2 || version > 3)) return fail("unsupported_version", "GGUF version " + std::to_string(version) + " (runwell reads 2 and 3)");
    if (r.ok && (tensors > kMaxTensors || kv_count > kMaxKv)) return fail("corrupt", "the header claims an impossible number of tensors or keys");

    std::map<std::string, Value> kv;
    for (uint64_t i = 0; i < kv_count && r.ok; ++i) {
        std::string key = r.string();
        uint32_t type = r.read<uint32_t>();
        if (!r.ok) break;
        bool keep = used_key(key);
        Value v = read_value(r, type, keep);
        if (keep) kv[key] = std::move(v);
    }
    // The tensor table is summed as it is read (nothing per tensor is kept).
    double elements = 0, weight_bytes = 0, expert_elements = 0, embed_elements = 0, embed_bytes = 0, output_elements = 0, output_bytes = 0;
    double vocab = 0;
    uint64_t listed = 0;
    for (uint64_t i = 0; i < tensors && r.ok; ++i) {
        std::string name = r.string();
        uint32_t dims = r.read<uint32_t>();
        if (dims > 8) { r.corrupt = true; r.ok = false; break; }
        double count = 1;
        uint64_t second_dim = 0;
        for (uint32_t d = 0; d < dims; ++d) {
            uint64_t n = r.read<uint64_t>();
            if (n > (1ull << 40)) { r.corrupt = true; r.ok = false; break; }
            if (d == 1) second_dim = n;
            count *= static_cast<double>(n);
        }
        uint32_t type = r.read<uint32_t>();
        r.read<uint64_t>();  // offset into the data section
        if (!r.ok) break;
        double values = 0, block_bytes = 0;
        if (!block_size(type, values, block_bytes))
            return fail("unsupported_tensor_type", "tensor '" + detail::utf8_prefix(name, 80) + "' uses ggml type " + std::to_string(type) + ", unknown to runwell");
        double bytes_of = count / values * block_bytes;
        ++listed;
        elements += count;
        weight_bytes += bytes_of;
        if (name.find("_exps") != std::string::npos) expert_elements += count;
        if (name == "token_embd.weight") {
            embed_elements = count;
            embed_bytes = bytes_of;
            if (dims == 2) vocab = static_cast<double>(second_dim);
        }
        if (name == "output.weight") { output_elements = count; output_bytes = bytes_of; }
    }
    if (r.corrupt) return fail("corrupt", "a length in the header is beyond any real file: the file is damaged or not GGUF");
    if (!r.ok) {
        if (bytes.size() >= kMaxHeaderBytes)
            return fail("too_large", "the header is larger than " + std::to_string(kMaxHeaderBytes >> 20) +
                                         " MiB, far beyond any real model's (tokenizers take a few MiB)");
        out.bytes_needed = static_cast<long>(std::min<double>(bytes.size() * 2.0 + (1 << 20), kMaxHeaderBytes));
        out.problems.push_back({"truncated", "gguf", "the header continues past the bytes read"});
        return out;
    }

    auto get = [&](const std::string& key) -> const Value* { auto it = kv.find(key); return it == kv.end() ? nullptr : &it->second; };
    const Value* arch_v = get("general.architecture");
    if (!arch_v || arch_v->text.empty()) return fail("missing_field", "no general.architecture in the metadata");
    const std::string arch = arch_v->text;
    auto num = [&](const std::string& key, double fallback = 0) {
        const Value* v = get(arch + "." + key);
        if (!v) return fallback;
        if (!v->numbers.empty()) {  // per-layer arrays: the largest value
            double m = 0;
            for (double x : v->numbers) m = std::max(m, x);
            return m;
        }
        return std::isfinite(v->number) ? v->number : fallback;
    };

    if (listed == 0 || elements <= 0) return fail("missing_field", "the file lists no tensors");
    if (file_size > 0 && weight_bytes > file_size * 1.01 + 1e6)
        return fail("corrupt", "the tensor table describes more data than the file holds");
    if (!vocab) vocab = get("tokenizer.ggml.tokens") ? static_cast<double>(get("tokenizer.ggml.tokens")->array_length) : 0;

    Model m;
    m.id = "custom";
    const Value* name = get("general.name");
    m.name = name && !name->text.empty() ? detail::utf8_prefix(name->text, 120) : "Custom " + arch;
    m.layers = to_dim(num("block_count"));
    m.hidden = to_dim(num("embedding_length"));
    m.vocab = to_dim(vocab);
    m.max_context = static_cast<long>(std::clamp(num("context_length", 4096), 256.0, 1e8));
    m.params_b = elements / 1e9;
    m.tied_embeddings = output_elements == 0;
    if (m.layers <= 0 || m.hidden <= 0 || m.vocab <= 0)
        return fail("missing_field", "block_count, embedding_length or the vocabulary is missing for '" + arch + "'");
    Attention& a = m.attention;
    a.heads = to_dim(num("attention.head_count"));
    if (a.heads <= 0) return fail("missing_field", arch + ".attention.head_count is missing");
    double kv_lora = num("attention.kv_lora_rank");
    if (kv_lora > 0) {
        a.kind = AttentionKind::Mla;
        a.kv_lora_rank = to_dim(kv_lora);
        a.rope_dim = to_dim(num("rope.dimension_count", 64));
    } else {
        a.kv_heads = to_dim(num("attention.head_count_kv", a.heads));
        a.head_dim = to_dim(num("attention.key_length", static_cast<double>(m.hidden) / a.heads));
        a.kind = a.kv_heads < a.heads ? AttentionKind::Gqa : AttentionKind::Mha;
        if (a.kv_heads <= 0) a.kv_heads = a.heads;
    }
    a.full_layers = m.layers;
    double window = num("attention.sliding_window");
    if (window > 0) {
        int sliding = arch == "gemma2" || arch == "gpt-oss" ? m.layers / 2 : (arch.rfind("gemma3", 0) == 0 ? m.layers - m.layers / 6 : 0);
        if (sliding > 0) {
            a.window = to_dim(window);
            a.window_layers = sliding;
            a.full_layers -= sliding;
        } else {
            out.notes.push_back("sliding window present but its layer pattern is unknown: treated as full attention (an upper bound)");
        }
    }
    double experts = num("expert_count"), used = num("expert_used_count");
    if (experts > 1 && used > 0 && expert_elements > 0) {
        Moe moe;
        moe.experts = to_dim(experts);
        moe.active_experts = to_dim(std::min(used, experts));
        moe.shared_experts = to_dim(num("expert_shared_count"));
        moe.expert_params_b = expert_elements / 1e9;
        m.moe = moe;
        m.active_params_b = (elements - expert_elements * (1 - used / experts)) / 1e9;  // as config.json: embeddings included
    } else {
        m.active_params_b = m.params_b;
    }
    m.source = {"gguf header"};

    // The file's own precision: average bits of the body, embeddings and output head.
    double body_elements = elements - embed_elements - output_elements;
    Quant q;
    q.id = "file";
    q.name = "as in the file";
    q.family = "gguf";
    q.bpw_body = body_elements > 0 ? (weight_bytes - embed_bytes - output_bytes) * 8 / body_elements : 16;
    q.bpw_embed = embed_elements > 0 ? embed_bytes * 8 / embed_elements : q.bpw_body;
    q.bpw_output = output_elements > 0 ? output_bytes * 8 / output_elements : q.bpw_embed;
    q.bits = std::round(q.bpw_body);
    q.runtimes = {"llama.cpp", "ollama", "lmstudio"};
    q.source = {"gguf header"};
    out.model = m;
    out.quant = q;
    out.file_weight_bytes = weight_bytes;
    return out;
}

}  // namespace runwell
