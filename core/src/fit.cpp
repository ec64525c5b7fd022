#include "runwell/fit.hpp"

#include <algorithm>
#include <cmath>

namespace runwell {

namespace {
constexpr int kGridPoints = 24;
constexpr int kGoldenSteps = 16;
}  // namespace

double minimise(std::vector<FitParameter>& params, const std::function<double()>& loss, int max_sweeps) {
    double best = loss();
    for (int sweep = 0; sweep < max_sweeps; ++sweep) {
        const double before = best;
        for (FitParameter& p : params) {
            double best_value = *p.value;
            auto trial = [&](double v) {
                *p.value = v;
                double l = loss();
                if (l < best) { best = l; best_value = v; }
                return l;
            };
            // Log scale over the range; 0 is a candidate of its own when allowed.
            const double lo = std::log(std::max(p.lo, p.hi * 1e-4)), hi = std::log(p.hi);
            const double step = (hi - lo) / (kGridPoints - 1);
            if (p.lo <= 0) trial(0);
            for (int i = 0; i < kGridPoints; ++i) trial(std::exp(lo + i * step));
            if (best_value > 0) {
                // Golden-section refinement within one grid step either side of the best point.
                double x = std::log(best_value);
                double a = std::max(lo, x - step), b = std::min(hi, x + step);
                const double g = (std::sqrt(5.0) - 1) / 2;
                double c = b - g * (b - a), d = a + g * (b - a);
                double fc = trial(std::exp(c)), fd = trial(std::exp(d));
                for (int i = 0; i < kGoldenSteps; ++i) {
                    if (fc < fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = trial(std::exp(c)); }
                    else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = trial(std::exp(d)); }
                }
            }
            *p.value = best_value;
        }
        if (before - best <= 1e-7 * std::max(1.0, before)) break;
    }
    return best;
}

}  // namespace runwell
