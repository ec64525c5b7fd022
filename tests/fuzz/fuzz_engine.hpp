// The bundled catalog loaded once for a fuzz target; a broken catalog stops the run at once.
#pragma once
#include <vector>

#include "runwell/api.hpp"

inline const runwell::Engine& fuzz_engine() {
    static const runwell::Engine e = [] {
        runwell::Engine x;
        std::vector<runwell::Problem> problems;
        auto files = runwell::read_catalog_dir(RUNWELL_DATA_DIR, problems);
        if (!problems.empty() || !x.load(files).empty()) __builtin_trap();
        return x;
    }();
    return e;
}
