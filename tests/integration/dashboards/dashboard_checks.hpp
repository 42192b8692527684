#pragma once
// What the dashboards tests check, shared by the collectd, dkm, DSS and [real] cases:
// the shipped dashboards, "which dashboard query finds
// nothing among these metric names" and "how many targets read something".

#include "dss_processes.hpp"
#include "grafana_variables.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include "dashboard.hpp"

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

/// Every series of `dashboard` (variables resolved as Grafana does, every option
/// selected) that `exists` rejects, described as "TITLE / PANEL (REF): PATH"; a
/// variable that ends with no option is one entry too.
inline std::vector<std::string> missing_series(const dkm::test::Dashboard& dashboard, const GraphiteMetricsApi& api,
                                               const std::function<bool(const std::string&)>& exists) {
  std::map<std::string, std::string> values;
  try {
    values = selected_values(resolve_dashboard_variables(dashboard, api));
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
  return missing_series(dashboard, metrics_api_over(metric_names),
                        [&](const std::string& path) { return dkm::test::GraphiteGlob(path).matches_any(metric_names); });
}

/// How many of a dashboard's targets read at least one series, and which read none.
struct TargetCoverage {
  size_t with_data = 0;            ///< targets reading at least one received series
  size_t total = 0;                ///< every target
  std::vector<std::string> empty;  ///< "PANEL (REF)" of the others
  std::string error;               ///< why the variables did not resolve, if they did not

  /// with_data / total.
  double share() const { return total ? static_cast<double>(with_data) / static_cast<double>(total) : 0; }
};

/// The targets of `dashboard` (variables resolved as Grafana does, every option selected)
/// that read at least one of `names`: what a panel shows rather than "No data".
inline TargetCoverage target_coverage(const dkm::test::Dashboard& dashboard, const std::set<std::string>& names) {
  TargetCoverage coverage;
  coverage.total = dashboard.targets.size();
  std::map<std::string, std::string> values;
  try {
    values = selected_values(resolve_dashboard_variables(dashboard, metrics_api_over(names)));
  } catch (const Error& e) {
    coverage.error = e.what();
  }
  for (const auto& target : dashboard.targets) {
    bool data = false;
    if (coverage.error.empty())
      for (const auto& path : dkm::test::graphite_series_paths(dkm::test::expand_variables(target.expression, values)))
        data = data || dkm::test::GraphiteGlob(path).matches_any(names);
    if (data) ++coverage.with_data;
    else coverage.empty.push_back(target.panel + " (" + target.ref_id + ")");
  }
  return coverage;
}

/// Number of targets and of series paths of a dashboard, for the figures a test prints.
inline size_t series_count(const dkm::test::Dashboard& dashboard) {
  size_t n = 0;
  for (const auto& target : dashboard.targets) n += dkm::test::graphite_series_paths(target.expression).size();
  return n;
}

}  // namespace dkm::test
