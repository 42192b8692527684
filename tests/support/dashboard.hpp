#pragma once
// What a Grafana dashboard (JSON model) asks of Graphite: its identity, its template
// variables, every panel's targets and every datasource it refers to. With the
// variables resolved (as Grafana does: tests/support/grafana_variables.hpp), each
// target expands to the series paths that must exist in carbon for the panel to show
// anything.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>
#include "graphite_expression.hpp"
#include "graphite_glob.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dkm::test {

/// One place a dashboard names a datasource, and how it names it.
struct DatasourceRef {
  std::string where;  ///< JSON pointer of the reference, e.g. /panels/3/datasource
  std::string uid;    ///< the uid when given as {"uid": ...}; empty otherwise
  std::string text;   ///< the reference as written (JSON), for messages
};

/// A template variable (`templating.list[]`).
struct DashboardVariable {
  std::string name;       ///< used as $name, ${name} or [[name]] in targets
  std::string type;       ///< query, custom, constant, textbox, interval, datasource...
  std::string query;      ///< a Graphite find pattern for type query; the value(s) otherwise
  std::string query_type; ///< Graphite's queryType of the object form ("Default", "Value", "Metric Name")
  std::string regex;      ///< the regex the answers go through ("" or "/.../flags" or a bare pattern)
  bool multi = false;     ///< several values may be selected
  bool include_all = false;  ///< an "All" option exists
  std::string all_value;  ///< what "All" expands to; empty: every value in braces
};

/// One Graphite query of one panel.
struct DashboardTarget {
  std::string panel;       ///< the panel's title
  std::string where;       ///< JSON pointer of the target
  std::string ref_id;      ///< A, B, ...
  std::string expression;  ///< the Graphite expression as written (variables unexpanded)
};

/// The parts of a dashboard that matter to Graphite and provisioning.
struct Dashboard {
  std::string name;        ///< file name, for messages
  std::string uid;
  std::string title;
  int schema_version = 0;
  std::vector<DashboardVariable> variables;
  std::vector<DashboardTarget> targets;
  std::vector<DatasourceRef> datasources;
};

namespace detail {

inline std::string json_string(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

inline void collect_datasources(const nlohmann::json& node, const std::string& where, std::vector<DatasourceRef>& out) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      std::string child = where + "/" + it.key();
      if (it.key() == "datasource") {
        DatasourceRef ref{child, {}, it->dump()};
        if (it->is_object()) ref.uid = json_string(*it, "uid");
        out.push_back(ref);
      } else {
        collect_datasources(*it, child, out);
      }
    }
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) collect_datasources(node[i], where + "/" + std::to_string(i), out);
  }
}

inline void collect_targets(const nlohmann::json& panels, const std::string& where, std::vector<DashboardTarget>& out) {
  if (!panels.is_array()) return;
  for (size_t i = 0; i < panels.size(); ++i) {
    const auto& panel = panels[i];
    std::string panel_where = where + "/" + std::to_string(i);
    if (!panel.is_object()) continue;
    if (auto nested = panel.find("panels"); nested != panel.end())  // collapsed rows hold their panels
      collect_targets(*nested, panel_where + "/panels", out);
    auto targets = panel.find("targets");
    if (targets == panel.end() || !targets->is_array()) continue;
    for (size_t t = 0; t < targets->size(); ++t) {
      const auto& target = (*targets)[t];
      if (!target.is_object()) continue;
      // Grafana keeps the #A-resolved form in targetFull when a query refers to another.
      std::string expression = json_string(target, "targetFull");
      if (expression.empty()) expression = json_string(target, "target");
      if (expression.empty()) continue;
      out.push_back({json_string(panel, "title"), panel_where + "/targets/" + std::to_string(t),
                     json_string(target, "refId"), expression});
    }
  }
}

}  // namespace detail

/// Reads a dashboard's JSON model; `name` (the file) prefixes every error.
/// Throws UsageError when the text is not JSON or not a dashboard object.
inline Dashboard parse_dashboard(std::string_view json_text, const std::string& name) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::parse_error& e) {
    throw UsageError(name + ": not valid JSON: " + e.what());
  }
  if (!doc.is_object()) throw UsageError(name + ": a dashboard must be a JSON object");

  Dashboard dashboard;
  dashboard.name = name;
  dashboard.uid = detail::json_string(doc, "uid");
  dashboard.title = detail::json_string(doc, "title");
  if (auto it = doc.find("schemaVersion"); it != doc.end() && it->is_number_integer())
    dashboard.schema_version = it->get<int>();

  if (auto templating = doc.find("templating"); templating != doc.end() && templating->is_object()) {
    if (auto list = templating->find("list"); list != templating->end() && list->is_array()) {
      for (const auto& v : *list) {
        if (!v.is_object()) continue;
        DashboardVariable variable;
        variable.name = detail::json_string(v, "name");
        variable.type = detail::json_string(v, "type");
        if (auto q = v.find("query"); q != v.end()) {
          if (q->is_string()) {
            variable.query = q->get<std::string>();
          } else if (q->is_object()) {  // Grafana's object form: Graphite's {queryType, target, refId}
            variable.query = detail::json_string(*q, "target");
            if (variable.query.empty()) variable.query = detail::json_string(*q, "query");
            variable.query_type = detail::json_string(*q, "queryType");
          }
        }
        variable.regex = detail::json_string(v, "regex");
        variable.multi = v.value("multi", false);
        variable.include_all = v.value("includeAll", false);
        variable.all_value = detail::json_string(v, "allValue");
        dashboard.variables.push_back(variable);
      }
    }
  }

  if (auto rows = doc.find("rows"); rows != doc.end() && rows->is_array()) {  // pre-5.0 layout
    for (size_t r = 0; r < rows->size(); ++r)
      if ((*rows)[r].is_object() && (*rows)[r].contains("panels"))
        detail::collect_targets((*rows)[r]["panels"], "/rows/" + std::to_string(r) + "/panels", dashboard.targets);
  }
  if (auto panels = doc.find("panels"); panels != doc.end())
    detail::collect_targets(*panels, "/panels", dashboard.targets);
  detail::collect_datasources(doc, "", dashboard.datasources);
  return dashboard;
}

/// Reads and parses a dashboard file.
inline Dashboard load_dashboard(const fs::path& file) {
  return parse_dashboard(read_file(file), file.string());
}

/// Replaces `$name`, `${name}`, `${name:format}` and `[[name]]` by their value.
/// A reference to a variable absent from `values` is left as written.
inline std::string expand_variables(std::string_view text, const std::map<std::string, std::string>& values) {
  auto is_name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t name_start = 0, name_end = 0, ref_end = 0;
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      size_t close = text.find('}', i + 2);
      if (close != std::string_view::npos) {
        name_start = i + 2;
        name_end = text.find(':', name_start);
        if (name_end == std::string_view::npos || name_end > close) name_end = close;
        ref_end = close + 1;
      }
    } else if (text[i] == '$') {
      name_start = i + 1;
      name_end = name_start;
      while (name_end < text.size() && is_name_char(text[name_end])) ++name_end;
      ref_end = name_end;
    } else if (text.compare(i, 2, "[[") == 0) {
      size_t close = text.find("]]", i + 2);
      if (close != std::string_view::npos) {
        name_start = i + 2;
        name_end = text.find(':', name_start);
        if (name_end == std::string_view::npos || name_end > close) name_end = close;
        ref_end = close + 2;
      }
    }
    if (ref_end > i && name_end > name_start) {
      auto it = values.find(std::string(text.substr(name_start, name_end - name_start)));
      if (it != values.end()) {
        out += it->second;
        i = ref_end;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

/// How Grafana writes a selection of several values into a Graphite query: `{a,b}`.
inline std::string graphite_value_list(const std::vector<std::string>& values) {
  if (values.size() == 1) return values.front();
  return "{" + join(values, ",") + "}";
}

/// Every series path of every target, with the variables expanded, paired with its target.
struct ExpandedSeries {
  const DashboardTarget* target;  ///< the target it comes from
  std::string expression;         ///< the target's expression, variables expanded
  std::string path;               ///< one series path (a glob) read by the expression
};

/// Expands the variables in every target and lists the series paths they read.
/// Throws UsageError naming the dashboard and target when an expression does not parse.
inline std::vector<ExpandedSeries> expanded_series(const Dashboard& dashboard,
                                                   const std::map<std::string, std::string>& values) {
  std::vector<ExpandedSeries> out;
  for (const auto& target : dashboard.targets) {
    std::string expression = expand_variables(target.expression, values);
    std::vector<std::string> paths;
    try {
      paths = graphite_series_paths(expression);
    } catch (const UsageError& e) {
      throw UsageError(dashboard.name + ": " + target.where + " (panel '" + target.panel + "'): " + e.what());
    }
    for (const auto& path : paths) out.push_back({&target, expression, path});
  }
  return out;
}

}  // namespace dkm::test
