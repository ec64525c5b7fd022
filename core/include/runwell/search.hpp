// Forgiving search over the catalog, as people type: case, spaces and punctuation do not
// matter ("qwen3 30b" finds Qwen3-30B-A3B, "rtx4090" and "4090" find the RTX 4090).
#pragma once
#include <string>
#include <vector>

#include "runwell/catalog.hpp"

namespace runwell {

enum class SearchKind { Model, Device };

struct SearchMatch {
    std::string id;
    std::string name;
    double score = 0;  // higher is better
};

// Every query word must match a word of the entry (name, id, repository, vendor, size) or a run of
// its letters; best first. An empty query matches nothing.
std::vector<SearchMatch> search_catalog(const Catalog& c, SearchKind kind, const std::string& query, size_t limit);

}  // namespace runwell
