// Reading the catalog from a folder, for the native CLI, tests and tools. The browser
// fetches the same files itself; this object file is not linked into the module.
#include <fstream>
#include <sstream>

#include "runwell/catalog.hpp"

namespace runwell {

std::vector<std::pair<std::string, std::string>> read_catalog_dir(const std::string& dir, std::vector<Problem>& problems) {
    std::vector<std::pair<std::string, std::string>> files;
    for (const char* name : {"models.json", "hardware.json", "quants.json", "workloads.json", "modes.json"}) {
        std::ifstream in(dir + "/" + name, std::ios::binary);
        if (!in) {
            problems.push_back({"missing_file", dir + "/" + name, "cannot read the file"});
            continue;
        }
        std::ostringstream text;
        text << in.rdbuf();
        files.emplace_back(name, text.str());
    }
    return files;
}

}  // namespace runwell
