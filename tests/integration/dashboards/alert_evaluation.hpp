#pragma once
// A TEST DOUBLE of Grafana's alert evaluation (Grafana cannot be built here), for the
// shape every provisioned dkumonitor rule has: query A, a Graphite target over the last
// relativeTimeRange.from seconds; B reduces each series of A (last, sum, count, mean,
// min or max, non-numbers dropped: mode dropNN); C compares each reduced value with a
// threshold (gt or lt). As Grafana's server-side expressions do (pkg/expr/mathexp): an
// empty series reduces to NaN with last, mean, min and max, to 0 with sum and count, and
// no comparison with NaN holds. The rule fires for a series when C holds.

#include <dkm/core/error.hpp>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace dkm::test {

/// One provisioned rule, as far as its evaluation goes.
struct AlertRuleQuery {
  std::string uid, title;
  std::string target;     ///< A's Graphite target
  int from_seconds = 0;   ///< A's relativeTimeRange.from
  std::string reducer;    ///< B's reducer
  std::string evaluator;  ///< C's evaluator type: gt or lt
  double threshold = 0;   ///< C's evaluator parameter
};

/// The rule's queries, read from its provisioning YAML (anchors already resolved by the
/// parser). Throws Error naming the rule when it has another shape.
inline AlertRuleQuery alert_rule_query(const YAML::Node& rule) {
  AlertRuleQuery q;
  q.uid = rule["uid"].as<std::string>("");
  q.title = rule["title"].as<std::string>("");
  auto by_ref = [&](const std::string& ref) {
    for (const auto& d : rule["data"])
      if (d["refId"].as<std::string>("") == ref) return d;
    throw Error("alert rule " + q.uid + ": no query " + ref);
  };
  YAML::Node a = by_ref("A"), b = by_ref("B"), c = by_ref("C");
  if (rule["condition"].as<std::string>("") != "C" || b["model"]["type"].as<std::string>("") != "reduce" ||
      b["model"]["expression"].as<std::string>("") != "A" || c["model"]["type"].as<std::string>("") != "threshold" ||
      c["model"]["expression"].as<std::string>("") != "B")
    throw Error("alert rule " + q.uid + ": not the A (Graphite), B (reduce A), C (threshold B) shape");
  q.target = a["model"]["target"].as<std::string>();
  q.from_seconds = a["relativeTimeRange"]["from"].as<int>();
  q.reducer = b["model"]["reducer"].as<std::string>();
  if (b["model"]["settings"]["mode"].as<std::string>("") != "dropNN")
    throw Error("alert rule " + q.uid + ": reduce mode other than dropNN");
  YAML::Node evaluator = c["model"]["conditions"][0]["evaluator"];
  q.evaluator = evaluator["type"].as<std::string>();
  q.threshold = evaluator["params"][0].as<double>();
  return q;
}

/// Every rule of a provisioning file, in order.
inline std::vector<AlertRuleQuery> alert_rule_queries(const YAML::Node& doc) {
  std::vector<AlertRuleQuery> out;
  for (const auto& group : doc["groups"])
    for (const auto& rule : group["rules"]) out.push_back(alert_rule_query(rule));
  return out;
}

/// B's reduction of one series' values (nulls already dropped).
inline double reduce_values(const std::string& reducer, const std::vector<double>& v) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (reducer == "count") return static_cast<double>(v.size());
  if (reducer == "sum") {
    double sum = 0;
    for (double x : v) sum += x;
    return sum;
  }
  if (v.empty()) return nan;
  if (reducer == "last") return v.back();
  if (reducer == "min") return *std::min_element(v.begin(), v.end());
  if (reducer == "max") return *std::max_element(v.begin(), v.end());
  if (reducer == "mean") return reduce_values("sum", v) / static_cast<double>(v.size());
  throw Error("reducer " + reducer + " is not reproduced here");
}

/// One series of a rule, evaluated: its name (Grafana's "name" label), B's value and C.
struct AlertInstance {
  std::string series;
  double value = 0;
  bool firing = false;
};

/// Evaluates a rule over a /render answer (format=json) to its query A.
inline std::vector<AlertInstance> evaluate_alert_rule(const AlertRuleQuery& rule, const nlohmann::json& render) {
  if (!render.is_array()) throw Error("alert rule " + rule.uid + ": its query failed: " + rule.target);
  std::vector<AlertInstance> out;
  for (const auto& series : render) {
    std::vector<double> values;
    for (const auto& point : series.value("datapoints", nlohmann::json::array()))
      if (point.is_array() && !point.empty() && point[0].is_number()) values.push_back(point[0].get<double>());
    AlertInstance instance{series.value("target", ""), reduce_values(rule.reducer, values), false};
    if (rule.evaluator == "gt") instance.firing = instance.value > rule.threshold;
    else if (rule.evaluator == "lt") instance.firing = instance.value < rule.threshold;
    else throw Error("evaluator " + rule.evaluator + " is not reproduced here");
    out.push_back(instance);
  }
  return out;
}

/// True when the rule fires for at least one series.
inline bool any_firing(const std::vector<AlertInstance>& instances) {
  return std::any_of(instances.begin(), instances.end(), [](const AlertInstance& i) { return i.firing; });
}

}  // namespace dkm::test
