// Fitting the calibration constants by calling the estimator itself: the
// harness (scripts/accuracy) never recomputes physics, it asks `runwell fit`.
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace runwell {

// One constant to fit, in [lo, hi]; searched on a log scale (0 is tried too when lo is 0).
struct FitParameter {
    std::string name;
    double* value = nullptr;
    double lo = 0, hi = 0;
};

// Coordinate descent: each parameter in turn takes the best of a log-spaced grid in its
// range, refined by golden-section search around it; sweeps repeat until the loss stops
// falling. Deterministic. Returns the final loss.
double minimise(std::vector<FitParameter>& params, const std::function<double()>& loss, int max_sweeps = 40);

}  // namespace runwell
