#include "dashboard_load.hpp"

// Dashboards are read by the tests' parser and their variables resolved by the tests'
// reproduction of Grafana (tests/support/grafana_variables.hpp), as the dashboard tests do.
#include <dashboard.hpp>
#include <grafana_variables.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <thread>

namespace dkm::capacity {

namespace {

/// "/panels/3/targets/0" -> "/panels/3": the JSON pointer of the target's panel.
std::string panel_pointer(const std::string& target_where) {
  return target_where.substr(0, target_where.rfind("/targets/"));
}

/// The Graphite API of Grafana's variable resolution over carbonapi, noting each query.
test::GraphiteMetricsApi recording_api(GraphiteClient& client, std::vector<std::pair<std::string, std::string>>& queries) {
  test::GraphiteMetricsApi api;
  api.find = [&](const std::string& query) {
    queries.emplace_back("/metrics/find", query);
    std::set<std::string> texts;  // carbonapi keeps one answer per node name
    for (const auto& path : client.find(query)) texts.insert(path.substr(path.rfind('.') + 1));
    return std::vector<std::string>(texts.begin(), texts.end());
  };
  api.expand = [&](const std::string& query) {
    queries.emplace_back("/metrics/expand", query);
    return client.expand(query);
  };
  return api;
}

/// True when the panel at `pointer` ("/panels/3/panels/0") sits in a collapsed row.
bool in_collapsed_row(const nlohmann::json& doc, const std::string& pointer) {
  size_t nested = pointer.find("/panels/", 1);
  if (nested == std::string::npos) return false;
  const nlohmann::json& row = doc.at(nlohmann::json::json_pointer(pointer.substr(0, nested)));
  return row.value("collapsed", false);
}

/// Series in a /render JSON answer, counted without parsing it (answers reach hundreds of
/// MB at 1,000 hosts, and parsing them here would add to the time measured).
size_t count_series(const std::string& body) {
  size_t n = 0;
  for (size_t at = body.find("\"target\":"); at != std::string::npos; at = body.find("\"target\":", at + 9)) ++n;
  return n;
}

/// Grafana's "-6h" from a dashboard's "now-6h".
std::string grafana_from(const nlohmann::json& doc) {
  std::string from = doc.value("/time/from"_json_pointer, std::string("now-6h"));
  return from.rfind("now", 0) == 0 ? from.substr(3) : from;
}

}  // namespace

DashboardRequests dashboard_requests(const fs::path& file, GraphiteClient& client) {
  std::string text = read_file(file);
  test::Dashboard dashboard = test::parse_dashboard(text, file.filename().string());
  nlohmann::json doc = nlohmann::json::parse(text);
  DashboardRequests out;
  out.file = file.filename().string();
  out.title = dashboard.title;
  out.from = grafana_from(doc);
  std::map<std::string, std::string> values;
  try {
    values = test::selected_values(
        test::resolve_dashboard_variables(dashboard, recording_api(client, out.variable_queries)));
  } catch (const Error& e) {
    out.skipped = e.what();
    return out;
  }
  std::map<std::string, size_t> panel_index;  // pointer -> index in out.panels
  for (const auto& target : dashboard.targets) {
    std::string pointer = panel_pointer(target.where);
    if (in_collapsed_row(doc, pointer)) {
      ++out.collapsed_targets;
      continue;
    }
    auto [it, added] = panel_index.emplace(pointer, out.panels.size());
    if (added) {
      const nlohmann::json& panel = doc.at(nlohmann::json::json_pointer(pointer));
      int width = panel.value("/gridPos/w"_json_pointer, 24);
      out.panels.push_back({target.panel, {}, width * 1920 / 24});
    }
    out.panels[it->second].targets.push_back(test::expand_variables(target.expression, values));
  }
  return out;
}

DashboardLoad load_dashboard(const DashboardRequests& dashboard, int port, int parallel) {
  DashboardLoad load;
  load.panel_seconds.assign(dashboard.panels.size(), 0);
  load.panel_series.assign(dashboard.panels.size(), 0);
  load.panel_bytes.assign(dashboard.panels.size(), 0);
  std::mutex mutex;
  auto t0 = std::chrono::steady_clock::now();
  auto record = [&](const HttpAnswer& answer) {
    std::lock_guard<std::mutex> lock(mutex);
    load.bytes += answer.body.size();
    if (answer.status == 200) return;
    ++load.errors;
    if (load.first_error.empty())
      load.first_error = answer.status ? "HTTP " + std::to_string(answer.status) + ": " + answer.body.substr(0, 200)
                                       : answer.error;
  };
  {
    GraphiteClient client(port);
    for (const auto& [path, query] : dashboard.variable_queries) record(client.post(path, {{"query", query}}));
  }
  std::atomic<size_t> next{0};
  auto worker = [&] {
    GraphiteClient client(port);
    for (size_t i; (i = next++) < dashboard.panels.size();) {
      const PanelRequest& panel = dashboard.panels[i];
      FormFields fields;
      for (const auto& target : panel.targets) fields.emplace_back("target", target);
      fields.insert(fields.end(), {{"from", dashboard.from},
                                   {"until", "now"},
                                   {"format", "json"},
                                   {"maxDataPoints", std::to_string(panel.max_data_points)}});
      HttpAnswer answer = client.post("/render", fields);
      record(answer);
      size_t series = count_series(answer.body);
      std::lock_guard<std::mutex> lock(mutex);
      load.panel_seconds[i] = answer.seconds;
      load.panel_series[i] = series;
      load.panel_bytes[i] = answer.body.size();
      load.series += series;
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, parallel); ++t) threads.emplace_back(worker);
  for (auto& thread : threads) thread.join();
  load.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return load;
}

DashboardFigures time_dashboard(const DashboardRequests& dashboard, int port, size_t runs) {
  DashboardFigures figures;
  figures.title = dashboard.title;
  figures.skipped = dashboard.skipped;
  if (!dashboard.skipped.empty()) return figures;
  std::vector<double> totals;
  std::vector<std::vector<double>> per_panel(dashboard.panels.size());
  DashboardLoad last;
  for (size_t run = 0; run < runs; ++run) {
    // Start at the next whole second: a new absolute time range for go-carbon's render cache.
    auto now = std::chrono::system_clock::now();
    std::this_thread::sleep_until(std::chrono::ceil<std::chrono::seconds>(now) + std::chrono::milliseconds(5));
    DashboardLoad load = load_dashboard(dashboard, port);
    totals.push_back(load.seconds);
    for (size_t i = 0; i < per_panel.size(); ++i) per_panel[i].push_back(load.panel_seconds[i]);
    last = load;
    figures.series = load.series;
    figures.bytes = load.bytes;
    figures.errors += load.errors;
    if (figures.first_error.empty()) figures.first_error = load.first_error;
  }
  figures.runs = runs;
  figures.first = totals.empty() ? 0 : totals.front();
  figures.p50 = percentile(totals, 50);
  figures.p95 = percentile(totals, 95);
  figures.max = percentile(totals, 100);
  for (size_t i = 0; i < per_panel.size(); ++i)
    figures.panels.push_back({dashboard.panels[i].title, dashboard.panels[i].targets.size(), last.panel_series[i],
                              last.panel_bytes[i], percentile(per_panel[i], 50), percentile(per_panel[i], 95)});
  return figures;
}

}  // namespace dkm::capacity
