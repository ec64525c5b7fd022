// libFuzzer target: the CLI's flag parser. Input bytes split at NUL into argv words; the
// request it builds must always serialise and get one JSON answer with "ok".
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../../core/cli/args.hpp"
#include "fuzz_engine.hpp"
#include "runwell/api.hpp"


extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<std::string> args(1);
    for (size_t i = 0; i < size; ++i) {
        if (data[i] == 0) args.emplace_back();
        else args.back() += static_cast<char>(data[i]);
    }
    nlohmann::json req = {{"op", size % 2 ? "estimate" : "rank"}};
    bool as_json = false;
    std::string error;
    if (!runwell::cli::build_request(args, req, as_json, error)) {
        if (error.empty()) __builtin_trap();
        return 0;
    }
    auto answer = nlohmann::json::parse(fuzz_engine().call(runwell::cli::request_text(req)), nullptr, false);
    if (answer.is_discarded() || !answer.contains("ok")) __builtin_trap();
    return 0;
}
