#pragma once
// The metric set one simulated host sends: what a real collectd, run on the installer's
// rendered collectd.conf, sent to a carbon listener (the `capture` command writes it).
// The file is the last line collectd sent for each metric, host node and all:
//
//   # dkm-capacity capture: host-node invalid_bench_capture
//   # ... (how it was captured)
//   collectd.invalid_bench_capture.cpu.0.percent.user 1.2
//   collectd.invalid_bench_capture.swap.percent.used nan
//
// A simulated host sends the same lines with its own node in place of the captured one.
// Lines whose value is "nan" are sent too, as collectd sends them; go-carbon refuses them
// (a parse error, counted in its tcp.errors) and stores no point for them.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace dkm::capacity {

/// One metric of the set: its path after "collectd.NODE." and the value collectd sent last.
struct CapturedMetric {
  std::string suffix;  ///< e.g. cpu.0.percent.user
  std::string value;   ///< as collectd wrote it (a number or "nan")

  /// True when go-carbon stores a point for this value (not NaN).
  bool stored() const {
    char* end = nullptr;
    double v = std::strtod(value.c_str(), &end);
    return end != value.c_str() && *end == '\0' && !std::isnan(v);
  }
};

/// What one host sends each interval.
struct MetricSet {
  std::string host_node;                 ///< the captured host's node (collectd.NODE.*)
  std::vector<CapturedMetric> metrics;   ///< in name order

  /// How many metrics go-carbon stores (whisper files per host).
  size_t stored_count() const {
    size_t n = 0;
    for (const auto& m : metrics) n += m.stored() ? 1 : 0;
    return n;
  }
};

/// The header line naming the captured host node.
inline constexpr const char* kCaptureHeader = "# dkm-capacity capture: host-node ";

/// Builds a metric set from plaintext lines ("path value timestamp") received from collectd
/// reporting as `host_node`: the last value of each path, a number when any was one.
/// Throws Error when a line names another host or no line names this one.
inline MetricSet metric_set_from_lines(const std::vector<std::string>& lines, const std::string& host_node) {
  std::string prefix = "collectd." + host_node + ".";
  std::map<std::string, std::string> last;  // suffix -> value
  for (const auto& line : lines) {
    std::vector<std::string> fields = split(trim(line), ' ');
    if (fields.size() != 3) continue;
    if (fields[0].rfind(prefix, 0) != 0)
      throw Error("capture: a line from another host than collectd." + host_node + ": " + line);
    std::string suffix = fields[0].substr(prefix.size());
    CapturedMetric seen{suffix, fields[1]};
    auto it = last.find(suffix);
    // Keep the latest numeric value: a rate's first sample is "nan" and later ones are not.
    if (it == last.end() || seen.stored() || !CapturedMetric{suffix, it->second}.stored()) last[suffix] = fields[1];
  }
  if (last.empty()) throw Error("capture: collectd sent no metric for collectd." + host_node);
  MetricSet set{host_node, {}};
  for (const auto& [suffix, value] : last) set.metrics.push_back({suffix, value});
  return set;
}

/// The capture file's text: the header, `comment` lines, then one "path value" line per metric.
inline std::string format_metric_set(const MetricSet& set, const std::vector<std::string>& comment) {
  std::string out = kCaptureHeader + set.host_node + "\n";
  for (const auto& line : comment) out += "# " + line + "\n";
  for (const auto& m : set.metrics) out += "collectd." + set.host_node + "." + m.suffix + " " + m.value + "\n";
  return out;
}

/// Reads a capture file; throws UsageError naming the file and line when it is not one.
inline MetricSet load_metric_set(const fs::path& file) {
  std::vector<std::string> lines = split(read_file(file), '\n');
  if (lines.empty() || lines[0].rfind(kCaptureHeader, 0) != 0)
    throw UsageError(file.string() + ":1: not a capture file (run `dkm_capacity capture`)");
  MetricSet set{lines[0].substr(std::string(kCaptureHeader).size()), {}};
  std::string prefix = "collectd." + set.host_node + ".";
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = trim(lines[i]);
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string> fields = split(line, ' ');
    if (fields.size() != 2 || fields[0].rfind(prefix, 0) != 0)
      throw UsageError(at_line(file.string(), static_cast<long>(i + 1), "expected '" + prefix + "PATH VALUE'"));
    set.metrics.push_back({fields[0].substr(prefix.size()), fields[1]});
  }
  if (set.metrics.empty()) throw UsageError(file.string() + ": no metric");
  return set;
}

/// The host name of simulated host `index`.
inline std::string simulated_host_fqdn(size_t index) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "h%05zu.bench.invalid", index);
  return buf;
}

/// The host part of simulated host `index`'s names as an agent migrated from the original
/// dkumonitor writes it: the reversed FQDN with its dots kept ("invalid.bench.h00042").
inline std::string simulated_dotted_host(size_t index) {
  std::vector<std::string> labels = split(simulated_host_fqdn(index), '.');
  std::reverse(labels.begin(), labels.end());
  return join(labels, ".");
}

/// The node of simulated host `index`, as our agent writes it: the reversed FQDN with "_"
/// for dots ("invalid_bench_h00042").
inline std::string simulated_host_node(size_t index) {
  std::vector<std::string> labels = split(simulated_host_fqdn(index), '.');
  std::reverse(labels.begin(), labels.end());
  return join(labels, "_");
}

}  // namespace dkm::capacity
