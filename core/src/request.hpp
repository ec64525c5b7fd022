// Request parsing: a JSON request into a Setup with its mode and workload, inline entries
// validated like catalog ones, and the error answers (stable codes) of a bad request.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "json_reader.hpp"
#include "runwell/catalog.hpp"
#include "runwell/estimate.hpp"

namespace runwell::detail {

// Inline entries (custom models/devices) live as long as one request.
struct Resolved {
    Setup setup;
    const Mode* mode = nullptr;
    const Workload* workload = nullptr;
    long prompt_tokens = 0;  // 0: the workload's
    long depth = -1;         // decode depth; -1: middle of the workload's answer
    bool context_given = false;  // the request named a context (else: the workload's)
    std::unique_ptr<Model> own_model;
    std::unique_ptr<Device> own_device;
    std::unique_ptr<Quant> own_quant;
};

// A custom precision without a published KL divergence gets one from the catalog's GGUF quants.
double estimated_kld(const Catalog& c, double bpw);
json error_response(const std::string& code, const std::string& message, const std::string& path = "");
json problems_response(const std::vector<Problem>& problems);
// Reads the setup fields of a request; false with `error` set when one is bad.
bool parse_setup(const Catalog& c, ObjectReader& r, Resolved& out, json& error, bool model_required, bool hardware_required);

}  // namespace runwell::detail
