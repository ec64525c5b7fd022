// Reading the catalog from a folder, for the native CLI, tests and tools. The browser
// fetches the same files itself; this object file is not linked into the module.
#include <filesystem>
#include <fstream>

#include "runwell/catalog.hpp"

namespace runwell {

std::vector<std::pair<std::string, std::string>> read_catalog_dir(const std::string& dir, std::vector<Problem>& problems) {
    namespace fs = std::filesystem;
    // The whole catalog is ~200 KB; a larger file is not one of ours (and /dev/zero or a FIFO never ends).
    constexpr std::uintmax_t kMaxFileBytes = 8u << 20;
    std::vector<std::pair<std::string, std::string>> files;
    for (const char* name : {"models.json", "hardware.json", "quants.json", "workloads.json", "modes.json"}) {
        const std::string path = dir + "/" + name;
        std::error_code ec;
        if (!fs::is_regular_file(path, ec)) {
            problems.push_back({"missing_file", path, "not a regular file that can be read"});
            continue;
        }
        std::uintmax_t size = fs::file_size(path, ec);
        if (ec || size > kMaxFileBytes) {
            problems.push_back({"too_large", path, "larger than " + std::to_string(kMaxFileBytes >> 20) + " MiB: not a catalog file"});
            continue;
        }
        std::ifstream in(path, std::ios::binary);
        std::string text(static_cast<size_t>(size), '\0');
        if (!in || !in.read(text.data(), static_cast<std::streamsize>(size))) {
            problems.push_back({"missing_file", path, "cannot read the file"});
            continue;
        }
        files.emplace_back(name, std::move(text));
    }
    return files;
}

}  // namespace runwell
