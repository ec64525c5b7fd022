// Presentation: results as the API's JSON (stable codes, rounded numbers) and prose.
// The physics is in estimate/advice; nothing here computes a figure of its own.
#pragma once
#include "request.hpp"
#include "runwell/bench.hpp"
#include "runwell/import.hpp"

namespace runwell::detail {

// Rounded for display and for stable JSON; the physics keeps full precision.
double round_to(double v, int decimals);

json estimate_response(const Catalog& c, Resolved& r);
// Only the speed of one setup at a given prompt and depth (the accuracy harness's question).
json predict_response(const Catalog& c, Resolved& r);
// The user's llama-bench rows against the estimate for the same setup.
json check_response(const Catalog& c, Resolved& r, const std::vector<BenchRow>& bench);
json rank_response(const Catalog& c, Resolved& r, long limit);
json devices_response(const Catalog& c, Resolved& r, long limit);
json import_response(const Catalog& c, const ImportedModel& imported);
json catalog_response(const Catalog& c);
// The API's vocabulary (defaults, query keys, enums) so that no page defines its own.
json meta_json(const Catalog& c);

}  // namespace runwell::detail
