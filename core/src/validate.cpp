// Boundaries for untrusted text: JSON size and nesting, and the character sets of
// strings that may reach a run command, a file name or a terminal.
#include <cstdint>

#include "json_reader.hpp"

namespace runwell::detail {

std::string json_bounds_problem(const std::string& text, size_t max_bytes, size_t max_depth) {
    if (text.size() > max_bytes)
        return "too large: " + std::to_string(text.size()) + " bytes, at most " + std::to_string(max_bytes) + " are read";
    size_t depth = 0;
    bool in_string = false, escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > max_depth) return "nested deeper than " + std::to_string(max_depth) + " levels";
        } else if ((c == ']' || c == '}') && depth > 0) --depth;
    }
    return {};
}

json parse_bounded(const std::string& text, std::string& problem, size_t max_bytes) {
    problem = json_bounds_problem(text, max_bytes);
    if (!problem.empty()) return json(json::value_t::discarded);
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded()) problem = "not valid JSON";
    return j;
}

bool is_id(const std::string& s, bool allow_upper) {
    if (s.empty() || s.size() > 80) return false;
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                  (allow_upper && c >= 'A' && c <= 'Z');
        if (!ok) return false;
    }
    return s.front() != '-' && s.front() != '.';  // never an option or a hidden/relative path
}

bool is_hf_repo(const std::string& s) {
    // Hub rule: owner and name of [A-Za-z0-9._-], not starting with '-' or '.', at most 96 characters each.
    size_t slash = s.find('/');
    if (slash == std::string::npos || s.find('/', slash + 1) != std::string::npos) return false;
    auto part_ok = [](const std::string& p) {
        if (p.empty() || p.size() > 96 || p.front() == '-' || p.front() == '.' || p.find("..") != std::string::npos) return false;
        for (char c : p)
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'))
                return false;
        return true;
    };
    return part_ok(s.substr(0, slash)) && part_ok(s.substr(slash + 1));
}

bool is_display_text(const std::string& s, size_t max_bytes) {
    if (s.size() > max_bytes) return false;
    for (size_t i = 0; i < s.size();) {
        auto b = static_cast<unsigned char>(s[i]);
        uint32_t cp;
        size_t len;
        if (b < 0x80) { cp = b; len = 1; }
        else if ((b & 0xE0) == 0xC0) { cp = b & 0x1F; len = 2; }
        else if ((b & 0xF0) == 0xE0) { cp = b & 0x0F; len = 3; }
        else if ((b & 0xF8) == 0xF0) { cp = b & 0x07; len = 4; }
        else return false;
        if (i + len > s.size()) return false;
        for (size_t k = 1; k < len; ++k) {
            auto cb = static_cast<unsigned char>(s[i + k]);
            if ((cb & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cb & 0x3F);
        }
        bool control = cp < 0x20 || (cp >= 0x7F && cp < 0xA0);
        bool bidi = (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F;
        bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF));
        if (control || bidi || overlong || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

}  // namespace runwell::detail
