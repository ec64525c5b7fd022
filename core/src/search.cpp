#include "runwell/search.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace runwell {

namespace {
constexpr size_t kMaxQueryBytes = 200;  // a picker's text; longer input is cut, never scanned in full
constexpr size_t kMaxWords = 12;

// Lower-case ASCII words: every run of letters and digits ("Qwen3-30B-A3B" -> qwen3 30b a3b).
std::vector<std::string> words_of(const std::string& text) {
    std::vector<std::string> out;
    std::string word;
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c)) word += static_cast<char>(std::tolower(c));
        else if (!word.empty()) { out.push_back(word); word.clear(); }
    }
    if (!word.empty()) out.push_back(word);
    return out;
}

// The words an entry answers to, and the same letters without separators ("rtx4090").
struct Haystack {
    std::string name;
    std::vector<std::string> name_words;
    std::vector<std::string> words;  // the name's, then the other texts'
    std::string compact;
};

Haystack haystack(const std::string& name, const std::vector<std::string>& others) {
    Haystack h;
    h.name = name;
    h.name_words = words_of(name);
    h.words = h.name_words;
    for (const std::string& w : h.name_words) h.compact += w;
    for (const std::string& t : others)
        for (std::string& w : words_of(t)) h.words.push_back(std::move(w));
    return h;
}

std::string size_word(double value, const char* unit) {
    return std::to_string(static_cast<long>(std::lround(value))) + unit;
}

// "rtx4090" -> rtx, 4090: where letters and digits meet, people often leave out the space.
std::vector<std::string> parts_of(const std::string& word) {
    std::vector<std::string> out(1);
    for (size_t i = 0; i < word.size(); ++i) {
        if (i > 0 && std::isdigit(static_cast<unsigned char>(word[i])) != std::isdigit(static_cast<unsigned char>(word[i - 1])))
            out.emplace_back();
        out.back() += word[i];
    }
    return out;
}

bool starts_a_word(const Haystack& h, const std::string& q) {
    return std::any_of(h.words.begin(), h.words.end(), [&](const std::string& w) { return w.compare(0, q.size(), q) == 0; });
}

// 3: a whole word, 2: the start of a word (or each run of letters or digits is), 1: inside the
// letters of the name, 0: no match.
int word_score(const Haystack& h, const std::string& q) {
    if (std::find(h.words.begin(), h.words.end(), q) != h.words.end()) return 3;
    if (starts_a_word(h, q)) return 2;
    std::vector<std::string> parts = parts_of(q);
    if (parts.size() > 1 && std::all_of(parts.begin(), parts.end(), [&](const std::string& p) { return starts_a_word(h, p); })) return 2;
    return q.size() >= 2 && h.compact.find(q) != std::string::npos ? 1 : 0;
}
}  // namespace

std::vector<SearchMatch> search_catalog(const Catalog& c, SearchKind kind, const std::string& query, size_t limit) {
    std::vector<std::string> q = words_of(query.substr(0, kMaxQueryBytes));
    if (q.size() > kMaxWords) q.resize(kMaxWords);
    std::vector<std::string> q_parts;  // the query's words and their letter/digit runs, for coverage
    for (const std::string& w : q)
        for (const std::string& p : parts_of(w))
            if (p.size() >= 2) q_parts.push_back(p);
    q_parts.insert(q_parts.end(), q.begin(), q.end());
    std::vector<SearchMatch> out;
    if (q.empty()) return out;
    struct TieBreak { bool leads; double coverage; std::string released; size_t length; };
    std::vector<TieBreak> ties;
    auto consider = [&](const std::string& id, const Haystack& h, const std::string& released) {
        double score = 0;
        for (const std::string& word : q) {
            int s = word_score(h, word);
            if (s == 0) return;
            score += s;
        }
        // How much of the name the query covers, and whether it starts where the name starts:
        // "llama 70b" is Llama 3.3 70B rather than DeepSeek-R1-Distill-Llama-70B.
        // Unasked version numbers and generic suffixes say nothing about which entry is meant.
        auto asked = [&](const std::string& w) {
            return std::any_of(q_parts.begin(), q_parts.end(), [&](const std::string& x) { return w.compare(0, x.size(), x) == 0; });
        };
        std::vector<std::string> name_words;
        size_t covered = 0;
        for (const std::string& w : h.name_words) {
            bool number = std::all_of(w.begin(), w.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); });
            bool generic = w == "instruct" || w == "chat" || w == "it";
            if (asked(w)) ++covered;
            else if (number || generic) continue;
            name_words.push_back(w);
        }
        bool leads = !name_words.empty() && name_words[0].compare(0, q[0].size(), q[0]) == 0;
        out.push_back({id, h.name, score});
        ties.push_back({leads, name_words.empty() ? 0.0 : static_cast<double>(covered) / name_words.size(), released, h.name.size()});
    };
    if (kind == SearchKind::Model) {
        for (const Model& m : c.models)
            consider(m.id, haystack(m.name, {m.id, m.hf_repo, size_word(m.params_b, "b")}), m.release);
    } else {
        for (const Device& d : c.devices)
            consider(d.id, haystack(d.name, {d.id, d.vendor, d.memory_type, size_word(d.memory_gib, "gb")}),
                     std::to_string(d.release_year));
    }
    // Equal matches: the name that starts with the query, then the name the query covers most
    // ("qwen3 30b" -> Qwen3-30B-A3B before Qwen3-Coder-30B), then the newest ("llama 70b" -> Llama 3.3
    // before Llama 2), then the shorter name.
    std::vector<size_t> order(out.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        if (out[a].score != out[b].score) return out[a].score > out[b].score;
        const TieBreak &x = ties[a], &y = ties[b];
        if (x.leads != y.leads) return x.leads;
        if (std::abs(x.coverage - y.coverage) > 1e-9) return x.coverage > y.coverage;
        if (x.released != y.released) return x.released > y.released;
        return x.length < y.length;
    });
    std::vector<SearchMatch> ranked;
    for (size_t i = 0; i < order.size() && ranked.size() < limit; ++i) ranked.push_back(out[order[i]]);
    return ranked;
}

}  // namespace runwell
