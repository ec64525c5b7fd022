// Reading the catalog from a folder, for the native CLI, tests and tools. The browser
// fetches the same files itself; this object file is not linked into the module.
#include <filesystem>
#include <fstream>

#include "runwell/catalog.hpp"

namespace runwell {

bool read_text_file(const std::string& path, std::string& text, std::vector<Problem>& problems) {
    namespace fs = std::filesystem;
    // Our files are at most a few MB; a larger one is not one of ours (and /dev/zero or a FIFO never ends).
    constexpr std::uintmax_t kMaxFileBytes = 64u << 20;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        problems.push_back({"missing_file", path, "not a regular file that can be read"});
        return false;
    }
    std::uintmax_t size = fs::file_size(path, ec);
    if (ec || size > kMaxFileBytes) {
        problems.push_back({"too_large", path, "larger than " + std::to_string(kMaxFileBytes >> 20) + " MiB"});
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    text.assign(static_cast<size_t>(size), '\0');
    if (!in || !in.read(text.data(), static_cast<std::streamsize>(size))) {
        problems.push_back({"missing_file", path, "cannot read the file"});
        return false;
    }
    return true;
}

std::vector<std::pair<std::string, std::string>> read_catalog_dir(const std::string& dir, std::vector<Problem>& problems) {
    std::vector<std::pair<std::string, std::string>> files;
    for (const char* name : kCatalogFiles) {
        std::string text;
        if (read_text_file(dir + "/" + name, text, problems)) files.emplace_back(name, std::move(text));
    }
    return files;
}

}  // namespace runwell
