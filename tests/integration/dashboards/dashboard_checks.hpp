#pragma once
// What the dashboards tests check, shared by the collectd, dkm and [real] cases:
// the shipped dashboards, the metric names DSS sends, and "which dashboard query
// finds nothing among these metric names".

#include "test_support.hpp"

#include <catch2/catch.hpp>

#include "dashboard.hpp"

#include <ctime>
#include <set>
#include <string>
#include <vector>

namespace dkm::test {

/// The datasource uid Grafana provisioning gives carbonapi; every panel must use it.
inline const std::string kDatasourceUid = "dkumonitor-graphite";

/// The host name collectd is installed with in these tests, and the node it becomes in
/// metric paths (write_graphite writes the dots of the host name as '_').
inline const std::string kCollectdHostname = "host.example.domain";
inline const std::string kCollectdHostNode = "domain_example_host";

/// The shipped dashboards, dist/dashboards/*.json, sorted by file name.
inline std::vector<dkm::test::Dashboard> shipped_dashboards() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(source_dir() / "dist" / "dashboards"))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::vector<dkm::test::Dashboard> out;
  for (const auto& file : files) out.push_back(dkm::test::load_dashboard(file));
  return out;
}

/// The shipped dashboard with this uid (fails the test when absent).
inline dkm::test::Dashboard shipped_dashboard(const std::string& uid) {
  for (auto& d : shipped_dashboards())
    if (d.uid == uid) return d;
  FAIL("no dashboard with uid " << uid << " in dist/dashboards");
  return {};
}

/// Metric names DSS's backend sends under its prefix, as the original product's own
/// DSS dashboards read them (github.com/dataiku/dkumonitor, dashboards/dss_backend.json).
inline const std::vector<std::string> kDssMetricSuffixes = {
    "backend.server.dku.collaboration.activeUsers",
    "backend.server.catalog.indexAll.datasets.count",
    "backend.server.catalog.indexAll.recipes",
    "backend.server.jvm.memory.heap.used",
};

/// Plaintext lines as DSS sends them with the prefix `dataiku.dss.INSTANCE`.
inline std::vector<std::string> dss_lines(const std::string& instance, long value = 42) {
  std::vector<std::string> lines;
  long now = static_cast<long>(std::time(nullptr));
  for (const auto& suffix : kDssMetricSuffixes)
    lines.push_back("dataiku.dss." + instance + "." + suffix + " " + std::to_string(value) + " " + std::to_string(now));
  return lines;
}

/// Every series of `dashboard` (variables resolved through `find`) that `exists` rejects,
/// described as "PANEL (REF): PATH"; a variable whose query finds nothing is one entry too.
inline std::vector<std::string> missing_series(const dkm::test::Dashboard& dashboard,
                                               const dkm::test::GraphiteFinder& find,
                                               const std::function<bool(const std::string&)>& exists) {
  std::map<std::string, std::string> values;
  try {
    values = dkm::test::resolve_variables(dashboard, find);
  } catch (const Error& e) {
    return {e.what()};
  }
  std::vector<std::string> missing;
  for (const auto& series : dkm::test::expanded_series(dashboard, values))
    if (!exists(series.path))
      missing.push_back(dashboard.title + " / " + series.target->panel + " (" + series.target->ref_id +
                        "): " + series.path);
  return missing;
}

/// missing_series() against a set of metric names received by a carbon stand-in.
inline std::vector<std::string> missing_series(const dkm::test::Dashboard& dashboard,
                                               const std::set<std::string>& metric_names) {
  return missing_series(
      dashboard, [&](const std::string& pattern) { return dkm::test::GraphiteGlob(pattern).find(metric_names); },
      [&](const std::string& path) { return dkm::test::GraphiteGlob(path).matches_any(metric_names); });
}

/// Number of targets and of series paths of a dashboard, for the figures a test prints.
inline size_t series_count(const dkm::test::Dashboard& dashboard) {
  size_t n = 0;
  for (const auto& target : dashboard.targets) n += dkm::test::graphite_series_paths(target.expression).size();
  return n;
}

}  // namespace dkm::test
