#include "graphite_client.hpp"

#include <curl/curl.h>

#include <chrono>
#include <mutex>

namespace dkm::capacity {

namespace {

size_t append_body(char* data, size_t size, size_t count, void* target) {
  static_cast<std::string*>(target)->append(data, size * count);
  return size * count;
}

std::string form_encode(CURL* curl, const FormFields& fields) {
  std::string out;
  for (const auto& [key, value] : fields) {
    char* escaped = curl_easy_escape(curl, value.c_str(), static_cast<int>(value.size()));
    if (!out.empty()) out += '&';
    out += key + "=" + escaped;
    curl_free(escaped);
  }
  return out;
}

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

GraphiteClient::GraphiteClient(int port, long timeout_seconds) : port_(port), timeout_seconds_(timeout_seconds) {
  global_init_once();
  curl_ = curl_easy_init();
}

GraphiteClient::~GraphiteClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpAnswer GraphiteClient::post(const std::string& path, const FormFields& fields) {
  CURL* curl = static_cast<CURL*>(curl_);
  HttpAnswer answer;
  std::string url = "http://127.0.0.1:" + std::to_string(port_) + path;
  std::string body = form_encode(curl, fields);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout_seconds_);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // Grafana accepts gzip
  auto t0 = std::chrono::steady_clock::now();
  CURLcode code = curl_easy_perform(curl);
  answer.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (code != CURLE_OK) {
    answer.error = curl_easy_strerror(code);
    return answer;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  return answer;
}

std::set<std::string> GraphiteClient::find(const std::string& pattern) {
  HttpAnswer answer = post("/metrics/find", {{"query", pattern}, {"format", "json"}});
  std::set<std::string> out;
  if (answer.status != 200) return out;
  auto doc = nlohmann::json::parse(answer.body, nullptr, false);
  if (!doc.is_array()) return out;
  for (const auto& node : doc)
    if (node.is_object() && node.contains("id") && node["id"].is_string()) out.insert(node["id"].get<std::string>());
  return out;
}

std::vector<std::string> GraphiteClient::expand(const std::string& pattern) {
  HttpAnswer answer = post("/metrics/expand", {{"query", pattern}, {"format", "json"}});
  std::vector<std::string> out;
  if (answer.status != 200) return out;
  auto doc = nlohmann::json::parse(answer.body, nullptr, false);
  if (!doc.is_object() || !doc.contains("results") || !doc["results"].is_array()) return out;
  for (const auto& path : doc["results"])
    if (path.is_string()) out.push_back(path.get<std::string>());
  return out;
}

nlohmann::json GraphiteClient::render(const std::vector<std::string>& targets, const std::string& from,
                                      const std::string& until) {
  FormFields fields;
  for (const auto& target : targets) fields.emplace_back("target", target);
  fields.insert(fields.end(), {{"from", from}, {"until", until}, {"format", "json"}});
  HttpAnswer answer = post("/render", fields);
  if (answer.status != 200) return nlohmann::json::value_t::discarded;
  return nlohmann::json::parse(answer.body, nullptr, false);
}

std::set<std::string> series_with_points(const nlohmann::json& render) {
  std::set<std::string> out;
  if (!render.is_array()) return out;
  for (const auto& series : render) {
    if (!series.is_object()) continue;
    for (const auto& point : series.value("datapoints", nlohmann::json::array())) {
      if (point.is_array() && !point.empty() && !point[0].is_null()) {
        out.insert(series.value("target", std::string()));
        break;
      }
    }
  }
  return out;
}

}  // namespace dkm::capacity
