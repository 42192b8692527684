#pragma once
// The monitoring stack's own metrics in the dashboards tests: go-carbon's
// (carbon.agents.HOST.*) and carbonapi's (carbon.api.HOST.*), which the "Monitoring
// stack" dashboard and the stack's alert rules read; the provisioned alert rules; and
// the knob the `real` tests turn so that the stack reports every second, not every minute.

#include "alert_evaluation.hpp"
#include "dashboard_checks.hpp"
#include "dashboards_fixture.hpp"

#include <regex>
#include <string>
#include <vector>

namespace dkm::test {

/// The Monitoring stack dashboard's uid.
inline const std::string kStackDashboardUid = "dkumonitor-stack";

/// The alert rules file as shipped (it has no value to fill in: the installer renders it as is).
inline fs::path shipped_alert_rules_file() {
  return source_dir() / "dist" / "templates" / "grafana" / "grafana" / "provisioning" / "alerting" /
         "dkumonitor-alerts.yaml";
}

/// True when every series a Graphite target reads is one of the stack's own metrics
/// (carbon.*): only a real go-carbon and carbonapi send those.
inline bool reads_stack_metrics(const std::string& target) {
  for (const auto& path : dkm::test::graphite_series_paths(target))
    if (path.rfind("carbon.", 0) != 0) return false;
  return true;
}

/// The shipped rules that read the stack's own metrics, and the rule watching the
/// whisper storage's disk: the rules the Monitoring stack brought.
inline std::vector<AlertRuleQuery> stack_alert_rules() {
  std::vector<AlertRuleQuery> out;
  for (auto& rule : alert_rule_queries(YAML::LoadFile(shipped_alert_rules_file().string())))
    if (reads_stack_metrics(rule.target) || rule.uid == "dkumonitor-disk-full") out.push_back(rule);
  return out;
}

namespace detail {

inline void replace_once(const fs::path& file, const std::regex& pattern, const std::string& replacement) {
  std::string text = read_file(file);
  if (!std::regex_search(text, pattern)) throw Error(file.string() + ": the line to change is not there");
  write_file_atomic(file, std::regex_replace(text, pattern, replacement, std::regex_constants::format_first_only));
}

}  // namespace detail

/// Makes an installed go-carbon and carbonapi report their own metrics every second
/// instead of every minute, and go-carbon store them at that step (per-interval counts,
/// such as cache.overflow, would otherwise overwrite each other within a minute's slot).
inline void report_stack_metrics_every_second(const dkm::InstallLayout& layout) {
  detail::replace_once(layout.conf() / "go-carbon.conf", std::regex("\nmetric-interval = \"1m0s\"\n"),
                       "\nmetric-interval = \"1s\"\n");
  detail::replace_once(layout.conf() / "carbonapi.yaml", std::regex("\n  interval: \"60s\"\n"),
                       "\n  interval: \"1s\"\n");
  detail::replace_once(layout.conf() / "storage-schemas.conf",
                       std::regex("(\\[carbon\\]\npattern = [^\n]*\nretentions = )[^\n]*"), "$011s:1h");
}

}  // namespace dkm::test
