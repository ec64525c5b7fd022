// Number formatting shared by the prose of results (summaries, advice, FAQ).
#pragma once
#include <cmath>
#include <cstdio>
#include <string>

namespace runwell::detail {

// A number with a fixed count of decimals, locale-independent ("12.5").
inline std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

// A token count as people read it: whole binary sizes as 8K / 128K / 1M (contexts), counts
// below 10,000 in full with a separator ("4,000"), the rest in K rounded down, so a figure
// never reads as more than it is (130,355 -> "127.2K", not "127.3K" or "128K").
inline std::string token_count(long t) {
    if (t >= 1024 && t % (1024L * 1024) == 0) return std::to_string(t / (1024L * 1024)) + "M";
    if (t >= 1024 && t % 1024 == 0) return std::to_string(t / 1024) + "K";
    if (t < 10000) return t >= 1000 ? std::to_string(t / 1000) + "," + std::string(3 - std::to_string(t % 1000).size(), '0') + std::to_string(t % 1000)
                                    : std::to_string(t);
    if (t >= 1024L * 1024) return fixed(std::floor(t / (1024.0 * 1024.0) * 10) / 10, 1) + "M";
    return fixed(std::floor(t / 1024.0 * 10) / 10, 1) + "K";
}

// At most `max_bytes` of `s`, cut at a character boundary: a quoted piece of user input must stay
// valid UTF-8 (a cut inside a multi-byte character would make the answer unserialisable).
inline std::string utf8_prefix(const std::string& s, size_t max_bytes) {
    if (s.size() <= max_bytes) return s;
    size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    return s.substr(0, cut);
}

}  // namespace runwell::detail
