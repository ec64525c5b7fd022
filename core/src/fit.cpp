#include "runwell/fit.hpp"

#include <algorithm>
#include <cmath>

namespace runwell {

namespace {
constexpr int kGridPoints = 24;
constexpr int kGoldenSteps = 16;
}  // namespace

namespace {
// Positions on the search scale (log; a floor for parameters that may be 0).
double to_scale(const FitParameter& p, double v) { return std::log(std::max(v, p.hi * 1e-4)); }
double from_scale(const FitParameter& p, double x) { return std::clamp(std::exp(x), std::max(p.lo, p.hi * 1e-4), p.hi); }

// Pattern move (Powell): coordinate sweeps zig-zag along narrow valleys of coupled constants,
// so after each sweep search along the sweep's overall displacement too.
double pattern_move(std::vector<FitParameter>& params, const std::vector<double>& start, double best,
                    const std::function<double()>& loss) {
    std::vector<double> end(params.size()), dir(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
        end[i] = to_scale(params[i], *params[i].value);
        dir[i] = end[i] - start[i];
    }
    auto at = [&](double t) {
        for (size_t i = 0; i < params.size(); ++i) *params[i].value = from_scale(params[i], end[i] + t * dir[i]);
        return loss();
    };
    double best_t = 0;
    for (double t : {0.5, 1.0, 2.0, 4.0}) {
        double l = at(t);
        if (l < best) { best = l; best_t = t; }
    }
    at(best_t);
    return best;
}
}  // namespace

double minimise(std::vector<FitParameter>& params, const std::function<double()>& loss, int max_sweeps) {
    double best = loss();
    for (int sweep = 0; sweep < max_sweeps; ++sweep) {
        const double before = best;
        std::vector<double> start;
        for (const FitParameter& p : params) start.push_back(to_scale(p, *p.value));
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
        best = pattern_move(params, start, best, loss);
        if (before - best <= 1e-7 * std::max(1.0, before)) break;
    }
    return best;
}

}  // namespace runwell
