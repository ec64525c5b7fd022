// Number formatting shared by the prose of results (summaries, advice, FAQ).
#pragma once
#include <cstdio>
#include <string>

namespace runwell::detail {

// A number with a fixed count of decimals, locale-independent ("12.5").
inline std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

}  // namespace runwell::detail
