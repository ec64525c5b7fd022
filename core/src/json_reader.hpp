// A strict, no-throw reader over one JSON object: every get records what it
// consumed, so finish() can report unknown keys; wrong types, missing fields
// and out-of-range numbers become Problems with a path instead of exceptions.
#pragma once
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runwell/catalog.hpp"

namespace runwell::detail {

using json = nlohmann::json;

class ObjectReader {
public:
    ObjectReader(const json& object, std::string path, std::vector<Problem>& problems)
        : obj_(object), path_(std::move(path)), problems_(problems) {
        if (!obj_.is_object()) fail("wrong_type", path_, "expected a JSON object");
    }

    bool valid() const { return obj_.is_object(); }
    std::vector<Problem>& problems() { return problems_; }
    const std::string& path() const { return path_; }
    bool has(const std::string& key) const { return valid() && obj_.find(key) != obj_.end(); }

    std::string str(const std::string& key, bool required = true) {
        const json* v = take(key, required);
        if (!v) return {};
        if (!v->is_string()) { fail("wrong_type", at(key), "expected a string"); return {}; }
        std::string s = v->get<std::string>();
        if (required && s.empty()) fail("empty_value", at(key), "must not be empty");
        return s;
    }

    // A finite number in [lo, hi]; `fallback` when absent and not required.
    double num(const std::string& key, double lo, double hi, bool required = true, double fallback = 0) {
        const json* v = take(key, required);
        if (!v) return fallback;
        if (!v->is_number()) { fail("wrong_type", at(key), "expected a number"); return fallback; }
        double d = v->get<double>();
        if (!std::isfinite(d) || d < lo || d > hi) {
            fail("out_of_range", at(key), "must be between " + fmt(lo) + " and " + fmt(hi) + ", got " + fmt(d));
            return fallback;
        }
        return d;
    }

    long integer(const std::string& key, long lo, long hi, bool required = true, long fallback = 0) {
        const json* v = has(key) ? &obj_.at(key) : nullptr;
        if (v && v->is_number() && v->get<double>() != std::floor(v->get<double>())) {
            take(key, required);
            fail("wrong_type", at(key), "expected a whole number");
            return fallback;
        }
        return static_cast<long>(num(key, static_cast<double>(lo), static_cast<double>(hi), required,
                                     static_cast<double>(fallback)));
    }

    bool boolean(const std::string& key, bool fallback) {
        const json* v = take(key, false);
        if (!v) return fallback;
        if (!v->is_boolean()) { fail("wrong_type", at(key), "expected true or false"); return fallback; }
        return v->get<bool>();
    }

    std::vector<std::string> strings(const std::string& key, bool required = true) {
        std::vector<std::string> out;
        const json* v = take(key, required);
        if (!v) return out;
        if (!v->is_array()) { fail("wrong_type", at(key), "expected an array of strings"); return out; }
        for (size_t i = 0; i < v->size(); ++i) {
            if (!(*v)[i].is_string()) { fail("wrong_type", at(key) + "[" + std::to_string(i) + "]", "expected a string"); continue; }
            out.push_back((*v)[i].get<std::string>());
        }
        if (required && out.empty()) fail("empty_value", at(key), "must list at least one entry");
        return out;
    }

    // A nested object, or nullptr when absent and optional.
    const json* object(const std::string& key, bool required) { return take(key, required); }

    void finish() {
        if (!valid()) return;
        for (auto it = obj_.begin(); it != obj_.end(); ++it)
            if (!seen_.count(it.key())) fail("unknown_key", at(it.key()), "unknown key");
    }

    void fail(const std::string& code, const std::string& where, const std::string& message) {
        problems_.push_back({code, where, message});
    }
    std::string at(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

    static std::string fmt(double d) {
        if (std::isnan(d)) return "NaN";
        if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
        std::string s = std::to_string(d);
        while (s.find('.') != std::string::npos && (s.back() == '0' || s.back() == '.')) {
            bool dot = s.back() == '.';
            s.pop_back();
            if (dot) break;
        }
        return s;
    }

private:
    const json* take(const std::string& key, bool required) {
        seen_.insert(key);
        if (!valid()) return nullptr;
        auto it = obj_.find(key);
        if (it == obj_.end() || it->is_null()) {
            if (required) fail("missing_field", at(key), "required field is missing");
            return nullptr;
        }
        return &*it;
    }

    const json& obj_;
    std::string path_;
    std::vector<Problem>& problems_;
    std::set<std::string> seen_;
};

// Untrusted JSON is parsed only after a linear scan bounds its size and nesting,
// so nothing later (dump, destruction, readers) recurses deeper than this.
constexpr size_t kMaxJsonDepth = 64;
constexpr size_t kMaxRequestBytes = 8u << 20;  // a config.json is ~2 KB, the catalog ~200 KB
// Empty when `text` may be parsed; otherwise the reason (a stable message).
std::string json_bounds_problem(const std::string& text, size_t max_bytes = kMaxRequestBytes, size_t max_depth = kMaxJsonDepth);
// Parses within those bounds; `problem` is set (and a discarded value returned) when out of bounds or not JSON.
json parse_bounded(const std::string& text, std::string& problem, size_t max_bytes = kMaxRequestBytes);

// Strings that reach run commands, file names or a terminal: a closed character set.
bool is_id(const std::string& s, bool allow_upper = false);          // [a-z0-9._-]{1,80} (quant ids also A-Z)
bool is_hf_repo(const std::string& s);                               // owner/name as the Hugging Face Hub allows
inline constexpr const char* kHfRepoRule = "a Hugging Face repository is owner/name of A-Z, a-z, 0-9, '-', '.' and '_'";
bool is_display_text(const std::string& s, size_t max_bytes = 300);  // UTF-8, no control or bidi-override characters

// A date field, "YYYY-MM-DD" or absent: its text, and its day (parse_day; 0 when absent, or bad_date).
long read_day(ObjectReader& r, const std::string& key, std::string& text);

// Entry readers shared by the catalog loader and by inline query entries.
Model read_model(ObjectReader& r, bool catalog_entry);
Device read_device(ObjectReader& r, bool catalog_entry);
Quant read_quant(ObjectReader& r, bool catalog_entry);

}  // namespace runwell::detail
