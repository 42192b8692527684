#pragma once
// What the dashboards' `real` tests ask a real carbonapi (and see of a real go-carbon):
// Grafana's calls (/metrics/find, /metrics/expand, /render in JSON) over HTTP, and the
// whisper files go-carbon wrote.

#include "installer_fixture.hpp"
#include "grafana_variables.hpp"

#include <dkm/core/install_layout.hpp>

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace dkm::test {

/// Percent-encodes a query-string value (a Graphite target or pattern).
inline std::string url_encode(const std::string& text) {
  char* escaped = curl_easy_escape(nullptr, text.c_str(), static_cast<int>(text.size()));
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

/// carbonapi's JSON answer to GET `path`; a discarded document unless it answers 200.
inline nlohmann::json carbonapi_get(int port, const std::string& path) {
  int status = 0;
  std::string body = http_get(port, path, &status);
  if (status != 200) return nlohmann::json::value_t::discarded;
  return nlohmann::json::parse(body, nullptr, false);
}

/// carbonapi's /metrics/find: the "text" of each answer (empty on no match, whatever the status).
inline std::vector<std::string> carbonapi_find(int port, const std::string& pattern) {
  nlohmann::json doc = carbonapi_get(port, "/metrics/find?format=json&query=" + url_encode(pattern));
  std::vector<std::string> out;
  for (const auto& node : doc.is_array() ? doc : nlohmann::json::array())
    if (node.is_object() && node.contains("text")) out.push_back(node["text"].get<std::string>());
  return out;
}

/// carbonapi's /metrics/expand: the "results" (empty on no match, whatever the status).
inline std::vector<std::string> carbonapi_expand(int port, const std::string& pattern) {
  nlohmann::json doc = carbonapi_get(port, "/metrics/expand?query=" + url_encode(pattern));
  std::vector<std::string> out;
  if (!doc.is_object() || !doc.contains("results") || !doc["results"].is_array()) return out;
  for (const auto& path : doc["results"])
    if (path.is_string()) out.push_back(path.get<std::string>());
  return out;
}

/// Grafana's view of a carbonapi on 127.0.0.1:port.
inline GraphiteMetricsApi carbonapi_metrics_api(int port) {
  return {[port](const std::string& q) { return carbonapi_find(port, q); },
          [port](const std::string& q) { return carbonapi_expand(port, q); }};
}

/// carbonapi's /render in JSON over the last `from` (a Graphite time); a discarded document on failure.
inline nlohmann::json carbonapi_render(int port, const std::string& target, const std::string& from = "-10min") {
  return carbonapi_get(port, "/render?format=json&from=" + from + "&target=" + url_encode(target));
}

/// The number of non-null points in a /render answer.
inline size_t points_in(const nlohmann::json& render) {
  size_t n = 0;
  if (!render.is_array()) return 0;
  for (const auto& series : render)
    for (const auto& point : series.value("datapoints", nlohmann::json::array()))
      if (point.is_array() && !point.empty() && !point[0].is_null()) ++n;
  return n;
}

/// The metrics go-carbon has written: every whisper file under storage/whisper, as a path.
inline std::set<std::string> whisper_metric_names(const dkm::InstallLayout& layout) {
  std::set<std::string> names;
  fs::path root = layout.storage() / "whisper";
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator(); ++it) {
    if (it->path().extension() != ".wsp") continue;
    std::string name = it->path().lexically_relative(root).replace_extension().string();
    std::replace(name.begin(), name.end(), '/', '.');
    names.insert(name);
  }
  return names;
}

}  // namespace dkm::test
