#pragma once
// How Grafana 12's Graphite data source fills a dashboard's query variables, reproduced
// for the tests (Grafana itself cannot run here):
//
// 1. metricFindQuery (public/app/plugins/datasource/graphite/datasource.ts): the
//    variable's query object {queryType, target} with queryType "Default"; a target
//    written `expand(PATTERN)` asks /metrics/expand and gets every matching path whole,
//    any other asks /metrics/find and gets the last node ("text") of each match, the
//    distinct names only (carbonapi's findTreejson). Variables already resolved are
//    written into the target first, several values as `{a,b}`.
// 2. metricNamesToVariableValues (public/app/features/variables/query/operator utils):
//    each answer goes through the variable's regex (stringToJsRegex: "/body/flags", or a
//    bare pattern matched whole); named groups `value` and `text` pick both, else the
//    first capture group does, else the whole answer stays; answers the regex does not
//    match are dropped, and options are unique by value.
//
// The Graphite side is a GraphiteMetricsApi: over the metric names a carbon test double
// received (metrics_api_over), or over a real carbonapi (the `real` tests).

#include "js_regex.hpp"

#include "dashboard.hpp"
#include "graphite_glob.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace dkm::test {

/// One answer of metricFindQuery (Grafana's MetricFindValue).
struct MetricFindValue {
  std::string text;                  ///< what the answer says
  std::optional<std::string> value;  ///< its value when it has one apart from text
};

/// One option of a variable: what the picker shows and what `$name` becomes.
struct VariableOption {
  std::string text;   ///< the label in the picker
  std::string value;  ///< the value written into queries
};

/// The two Graphite endpoints a query variable reads.
struct GraphiteMetricsApi {
  /// /metrics/find?query=Q: the "text" of each answer (a node name), in answer order.
  std::function<std::vector<std::string>(const std::string&)> find;
  /// /metrics/expand?query=Q: the "results", every matching path whole, sorted.
  std::function<std::vector<std::string>(const std::string&)> expand;
};

/// The Graphite API over a set of metric names, answering as go-carbon and carbonapi do.
inline GraphiteMetricsApi metrics_api_over(const std::set<std::string>& names) {
  GraphiteMetricsApi api;
  api.find = [&names](const std::string& query) {
    std::set<std::string> texts;  // carbonapi keeps one answer per node name
    for (const auto& path : dkm::test::GraphiteGlob(query).find(names))
      texts.insert(path.substr(path.rfind('.') == std::string::npos ? 0 : path.rfind('.') + 1));
    return std::vector<std::string>(texts.begin(), texts.end());
  };
  api.expand = [&names](const std::string& query) {
    auto found = dkm::test::GraphiteGlob(query).find(names);
    return std::vector<std::string>(found.begin(), found.end());
  };
  return api;
}

/// Grafana's metricNamesToVariableValues without the sort: `items` through `regex`.
/// Throws Error when a capture group the value comes from did not take part (Grafana
/// would then list an option whose value is undefined).
inline std::vector<VariableOption> metric_names_to_variable_values(const std::string& regex,
                                                                   const std::vector<MetricFindValue>& items) {
  std::optional<JsRegex> re;
  if (!regex.empty()) re = string_to_js_regex(regex);
  std::vector<VariableOption> options;
  auto add = [&](const std::optional<std::string>& text, const std::optional<std::string>& value) {
    if (!text || !value) throw Error("regex " + regex + ": a capture group gave no value (undefined in Grafana)");
    options.push_back({*text, *value});
  };
  for (const auto& item : items) {
    std::optional<std::string> text = item.text, value = item.value ? item.value : item.text;
    if (re) {
      std::vector<JsMatch> matches;  // getAllMatches: one match, or every one with the g flag
      size_t last_index = 0;
      for (;;) {
        auto m = re->exec(*value, last_index);
        if (!m) break;
        matches.push_back(*m);
        if (!re->global() || !m->groups[0] || m->groups[0]->empty()) break;
      }
      if (matches.empty()) continue;
      auto non_empty = [](const std::optional<std::string>& s) { return s && !s->empty(); };
      auto value_group = std::find_if(matches.begin(), matches.end(), [&](auto& m) { return non_empty(m.group("value")); });
      auto text_group = std::find_if(matches.begin(), matches.end(), [&](auto& m) { return non_empty(m.group("text")); });
      bool first_match = matches.front().groups.size() > 1;  // every match has the same number of groups
      if (value_group != matches.end() || text_group != matches.end()) {
        value = value_group != matches.end() ? value_group->group("value") : text_group->group("text");
        text = text_group != matches.end() ? text_group->group("text") : value_group->group("value");
      } else if (first_match && matches.size() > 1) {
        for (const auto& m : matches) add(m.groups[1], m.groups[1]);
        continue;
      } else if (first_match) {
        text = value = matches.front().groups[1];
      }
    }
    add(text, value);
  }
  std::vector<VariableOption> unique;  // uniqBy(options, 'value'): the first of each value stays
  for (const auto& option : options)
    if (std::none_of(unique.begin(), unique.end(), [&](auto& u) { return u.value == option.value; }))
      unique.push_back(option);
  return unique;
}

/// Graphite's metricFindQuery for a query variable (queryType "Default"), with the
/// values of the variables before it. Throws UsageError for what Grafana answers another
/// way (Value or Metric Name queries, tags(), tag_values()).
inline std::vector<MetricFindValue> graphite_metric_find_query(const dkm::test::DashboardVariable& variable,
                                                               const std::map<std::string, std::string>& values,
                                                               const GraphiteMetricsApi& api) {
  if (!variable.query_type.empty() && variable.query_type != "Default")
    throw UsageError("variable '" + variable.name + "': queryType " + variable.query_type + " is not reproduced here");
  static const std::regex tags_call(R"(^(tag_values|tags)\(.*\)$)"), expand_call(R"(^expand\((.*)\)$)");
  std::smatch m;
  if (std::regex_match(variable.query, tags_call))
    throw UsageError("variable '" + variable.name + "': tag queries are not reproduced here");
  bool use_expand = std::regex_match(variable.query, m, expand_call);
  std::string query = dkm::test::expand_variables(use_expand ? m[1].str() : variable.query, values);
  std::vector<MetricFindValue> out;
  for (const auto& text : use_expand ? api.expand(query) : api.find(query)) out.push_back({text, std::nullopt});
  return out;
}

/// A variable's options and what it expands to with every option selected.
struct ResolvedVariable {
  std::vector<VariableOption> options;  ///< the picker's options
  std::string all;                      ///< `$name` with all of them selected (or the first, when single-valued)
};

/// Resolves a dashboard's variables in order, as Grafana does on load, with every option
/// of a multi-value or "All" variable selected. Throws Error naming the dashboard, the
/// variable and the query when a query variable ends with no option.
inline std::map<std::string, ResolvedVariable> resolve_dashboard_variables(const dkm::test::Dashboard& dashboard,
                                                                           const GraphiteMetricsApi& api) {
  std::map<std::string, ResolvedVariable> resolved;
  std::map<std::string, std::string> values;
  for (const auto& variable : dashboard.variables) {
    ResolvedVariable r;
    if (variable.type == "query") {
      r.options = metric_names_to_variable_values(variable.regex, graphite_metric_find_query(variable, values, api));
      if (r.options.empty())
        throw Error(dashboard.name + ": variable '" + variable.name + "': query '" +
                    dkm::test::expand_variables(variable.query, values) + "' (regex '" + variable.regex +
                    "') gives no option");
    } else if (variable.type == "custom") {
      for (const auto& option : split(variable.query, ',')) {
        std::string value(trim(option));
        r.options.push_back({value, value});
      }
    } else {
      r.options.push_back({variable.query, variable.query});
    }
    std::vector<std::string> selected;
    for (const auto& option : r.options) selected.push_back(option.value);
    if (!variable.multi && !variable.include_all) selected.resize(1);
    r.all = variable.include_all && !variable.all_value.empty() ? variable.all_value
                                                                 : dkm::test::graphite_value_list(selected);
    values[variable.name] = r.all;
    resolved[variable.name] = r;
  }
  return resolved;
}

/// The `$name` values of resolve_dashboard_variables, for expand_variables.
inline std::map<std::string, std::string> selected_values(const std::map<std::string, ResolvedVariable>& resolved) {
  std::map<std::string, std::string> out;
  for (const auto& [name, r] : resolved) out[name] = r.all;
  return out;
}

}  // namespace dkm::test
