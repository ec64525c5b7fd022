// Shared by the test files: the bundled catalog, loaded once, and small helpers.
#pragma once
#include <string>

#include <catch2/catch.hpp>

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

}  // namespace test
