// The one entry point shared by the CLI, the batch mode and the WebAssembly
// module: a JSON request in, a JSON response out, never an exception.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "runwell/catalog.hpp"

namespace runwell {

// The setup fields a page keeps in its URL (the rest of a request has API-only uses).
inline constexpr const char* kQueryKeys[] = {"model", "hardware", "quant", "context", "gpus", "host_ram_gib", "gpu_memory_gib", "kv", "mode", "workload", "tensor_split"};

// The serving planner's own fields ("op": "serve"), kept in the page's URL beside the setup's.
inline constexpr const char* kServeKeys[] = {"engine", "tensor_parallel", "target_tps", "target_ttft_s", "load_users"};

class Engine {
public:
    // Replaces the catalog; returns every problem found (the old catalog is kept on failure).
    std::vector<Problem> load(const std::vector<std::pair<std::string, std::string>>& named_texts);
    bool ready() const { return loaded_; }
    const Catalog& catalog() const { return catalog_; }

    // Request: {"op": "estimate" | "rank" | "devices" | "catalog" | "import_config", ...}; see README "Query format".
    // Response: {"ok": true, ...} or {"ok": false, "error": {"code", "message", "path"}}.
    std::string call(const std::string& request_json) const;

    // The first bytes of a .gguf file -> {"ok", "model": inline spec, "quant": the file's precision}
    // or an error; "bytes_needed" asks for a longer read when the header did not fit.
    std::string import_gguf(const std::string& bytes, double file_size) const;

    // Replaces the fitted constants (a trial calibration file while fitting, `runwell --calibration`).
    std::vector<Problem> set_calibration(const std::string& calibration_json);

    // Fits the calibration constants to measurements by calling the estimator itself.
    // rows_jsonl: one {"request": {an estimate request with quant, prompt_tokens, depth},
    // "quantity": "decode" | "prefill", "measured": tok/s, "weight": w} per line.
    // Returns {"ok": true, "calibration": {...}, "loss", "rows"}: the catalog's calibration with
    // every constant that the rows inform re-fitted (bands and provenance kept for the harness to set).
    // `only`: fit just the constants whose name starts with it (e.g. "cpu." for one backend's own),
    // the others kept as loaded.
    std::string fit(const std::string& rows_jsonl, const std::string& only = "") const;

private:
    Catalog catalog_;
    bool loaded_ = false;
};

}  // namespace runwell
