// Bring your own model: a Hugging Face config.json or the header of a .gguf
// file becomes a Model (and, for GGUF, the file's own bits per weight), so it
// is estimated exactly like a catalog entry. No exceptions; problems are values.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "runwell/catalog.hpp"

namespace runwell {

// Dimensions read from files are untrusted doubles: NaN, negative or huge values
// become 0 or 10^9 (both rejected later by validation) instead of undefined casts.
inline int to_dim(double v) {
    if (!(v > 0)) return 0;
    return v > 1e9 ? 1'000'000'000 : static_cast<int>(v);
}

struct ImportedModel {
    std::optional<Model> model;
    std::optional<Quant> quant;          // GGUF only: the file's measured precision
    std::vector<Problem> problems;       // empty when model is set
    std::vector<std::string> notes;      // assumptions made (e.g. "sliding window treated as full attention")
    double file_weight_bytes = 0;        // GGUF only: sum of tensor sizes
    long bytes_needed = 0;               // GGUF only: the header is longer than the bytes given; read this many
};

// config.json text (the object itself, or one with "text_config" for multimodal models).
ImportedModel model_from_hf_config(const std::string& config_json);

// The first bytes of a .gguf file (the header: metadata and tensor table). `file_size`
// is the whole file's size, used only for a plausibility check.
ImportedModel model_from_gguf(const std::string& bytes, double file_size);

}  // namespace runwell
