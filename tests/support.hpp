// Shared by the test files: the bundled catalog, loaded once, and small helpers.
#pragma once
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "runwell/api.hpp"
#include "runwell/catalog.hpp"
#include "runwell/estimate.hpp"

namespace test {

inline std::vector<std::pair<std::string, std::string>> bundled_files() {
    std::vector<runwell::Problem> problems;
    auto files = runwell::read_catalog_dir(RUNWELL_DATA_DIR, problems);
    REQUIRE(problems.empty());
    return files;
}

inline const runwell::Catalog& catalog() {
    static const runwell::CatalogLoad load = runwell::load_catalog(bundled_files());
    return load.catalog;
}

inline const runwell::Engine& engine() {
    static const runwell::Engine e = [] {
        runwell::Engine x;
        x.load(bundled_files());
        return x;
    }();
    return e;
}

inline runwell::Setup setup(const std::string& model, const std::string& device, const std::string& quant, long context = 8192) {
    runwell::Setup s;
    s.calibration = &catalog().calibration;
    s.model = catalog().model(model);
    s.device = catalog().device(device);
    s.quant = catalog().quant(quant);
    s.context = context;
    REQUIRE(s.model);
    REQUIRE(s.device);
    REQUIRE(s.quant);
    return s;
}

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// data/calibration.json as JSON, for a test to change and load with Engine::set_calibration.
inline nlohmann::json bundled_calibration() {
    std::string text;
    std::vector<runwell::Problem> problems;
    REQUIRE(runwell::read_text_file(RUNWELL_DATA_DIR "/calibration.json", text, problems));
    return nlohmann::json::parse(text);
}

// data/calibration.json with the bands of one quantity replaced by `bands` (a test's own choice).
inline nlohmann::json calibration_with_bands(const std::string& quantity, const nlohmann::json& bands) {
    nlohmann::json c = bundled_calibration();
    nlohmann::json& all = c["calibration"]["bands"];
    for (auto it = all.begin(); it != all.end();) it = (*it)["quantity"] == quantity ? all.erase(it) : it + 1;
    for (const nlohmann::json& b : bands) all.push_back(b);
    return c;
}

// `engine` loaded with the bundled catalog and calibration_with_bands(quantity, bands); that calibration.
inline nlohmann::json load_with_bands(runwell::Engine& engine, const std::string& quantity, const nlohmann::json& bands) {
    REQUIRE(engine.load(bundled_files()).empty());
    nlohmann::json chosen = calibration_with_bands(quantity, bands);
    REQUIRE(engine.set_calibration(chosen.dump()).empty());
    return chosen;
}

// The bundled engine's answer to `request` asked as `op` (a JSON request in, the parsed answer out).
inline nlohmann::json call(nlohmann::json request, const char* op) {
    request["op"] = op;
    return nlohmann::json::parse(engine().call(request.dump()));
}

}  // namespace test
