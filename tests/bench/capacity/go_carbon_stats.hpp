#pragma once
// go-carbon's own metrics, as its collector sends them every [common] metric-interval to
// [common] metric-endpoint (the benchmark points it at its own listener):
// "carbon.agents.HOST.MODULE.NAME value timestamp" (go-carbon v0.19.1, carbon/collector.go).
// Counters are reset at each report (SendAndSubstract), so a window's total is the sum of
// the reports in it; gauges are read as they are. The ones used here:
//   tcp.metricsReceived      points parsed by the plaintext TCP receiver     (counter)
//   tcp.errors               lines refused (a "nan" value is one)           (counter)
//   cache.size               points in memory, not yet written               (gauge)
//   cache.metrics            metrics with points in memory                   (gauge)
//   cache.overflow           points dropped: cache over max-size = LOST       (counter)
//   cache.queueWriteoutTime  seconds the last write-out queue took to drain  (gauge)
//   persister.committedPoints, persister.updateOperations, persister.created (counters)

#include <dkm/core/strings.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace dkm::capacity {

/// One report of one of go-carbon's metrics.
struct StatSample {
  int64_t timestamp = 0;
  double value = 0;
};

/// Every report received, by "MODULE.NAME" (the part after carbon.agents.HOST.).
using GoCarbonSeries = std::map<std::string, std::vector<StatSample>>;

/// Parses plaintext lines into series; lines that are not go-carbon's own are skipped.
inline GoCarbonSeries parse_go_carbon_stats(const std::vector<std::string>& lines) {
  GoCarbonSeries out;
  const std::string prefix = "carbon.agents.";
  for (const auto& line : lines) {
    std::vector<std::string> fields = split(trim(line), ' ');
    if (fields.size() != 3 || fields[0].rfind(prefix, 0) != 0) continue;
    size_t host_end = fields[0].find('.', prefix.size());  // go-carbon writes the host's dots as "_"
    if (host_end == std::string::npos) continue;
    out[fields[0].substr(host_end + 1)].push_back(
        {std::atoll(fields[2].c_str()), std::strtod(fields[1].c_str(), nullptr)});
  }
  return out;
}

/// The reports of `key` with from < timestamp <= to.
inline std::vector<StatSample> samples_between(const GoCarbonSeries& series, const std::string& key, int64_t from,
                                               int64_t to) {
  std::vector<StatSample> out;
  auto it = series.find(key);
  if (it == series.end()) return out;
  for (const auto& s : it->second)
    if (s.timestamp > from && s.timestamp <= to) out.push_back(s);
  return out;
}

/// A counter's total over (from, to].
inline double counter_total(const GoCarbonSeries& series, const std::string& key, int64_t from, int64_t to) {
  double sum = 0;
  for (const auto& s : samples_between(series, key, from, to)) sum += s.value;
  return sum;
}

/// A gauge over a window: first, last and largest report, and the trend (per second, by
/// least squares over the reports).
struct GaugeSummary {
  double first = 0, last = 0, max = 0, slope_per_second = 0;
  size_t reports = 0;
};

/// Summarises a gauge's reports over (from, to].
inline GaugeSummary gauge_summary(const GoCarbonSeries& series, const std::string& key, int64_t from, int64_t to) {
  std::vector<StatSample> s = samples_between(series, key, from, to);
  GaugeSummary g;
  g.reports = s.size();
  if (s.empty()) return g;
  g.first = s.front().value;
  g.last = s.back().value;
  double mean_t = 0, mean_v = 0;
  for (const auto& x : s) {
    g.max = std::max(g.max, x.value);
    mean_t += static_cast<double>(x.timestamp);
    mean_v += x.value;
  }
  mean_t /= static_cast<double>(s.size());
  mean_v /= static_cast<double>(s.size());
  double cov = 0, var = 0;
  for (const auto& x : s) {
    double dt = static_cast<double>(x.timestamp) - mean_t;
    cov += dt * (x.value - mean_v);
    var += dt * dt;
  }
  g.slope_per_second = var > 0 ? cov / var : 0;
  return g;
}

/// The latest report of `key`, or `fallback` when there is none.
inline double latest(const GoCarbonSeries& series, const std::string& key, double fallback = -1) {
  auto it = series.find(key);
  return it == series.end() || it->second.empty() ? fallback : it->second.back().value;
}

}  // namespace dkm::capacity
