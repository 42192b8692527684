#pragma once
// Nearest-rank percentiles of the benchmark's timings.

#include <algorithm>
#include <cmath>
#include <vector>

namespace dkm::capacity {

/// The p-th percentile (0-100) of `values`, nearest rank; 0 when empty.
inline double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

}  // namespace dkm::capacity
