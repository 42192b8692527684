#pragma once
// carbonapi's Graphite API as Grafana's Graphite datasource calls it: POST /render and
// POST /metrics/find and /metrics/expand with a form body (target=...&from=-6h&until=now&format=json&
// maxDataPoints=N). One client keeps one connection alive; use one per thread.

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace dkm::capacity {

/// One HTTP answer and how long it took.
struct HttpAnswer {
  long status = 0;       ///< 0 when no answer (connection refused, timeout)
  double seconds = 0;    ///< from sending the request to the last byte of the answer
  std::string body;
  std::string error;     ///< curl's message when status is 0
};

/// Form fields, in order (a key may repeat, as target does).
using FormFields = std::vector<std::pair<std::string, std::string>>;

/// A client of one carbonapi on 127.0.0.1.
class GraphiteClient {
 public:
  /// A client of 127.0.0.1:port; `timeout_seconds` bounds each request.
  explicit GraphiteClient(int port, long timeout_seconds = 120);
  GraphiteClient(const GraphiteClient&) = delete;
  GraphiteClient& operator=(const GraphiteClient&) = delete;
  ~GraphiteClient();

  /// POSTs `fields` form-encoded to `path` (e.g. /render).
  HttpAnswer post(const std::string& path, const FormFields& fields);

  /// /metrics/find: the full paths (ids) the pattern matches; empty when none or on error.
  std::set<std::string> find(const std::string& pattern);

  /// /metrics/expand: every path the pattern matches, whole (its "results"); empty when none or on error.
  std::vector<std::string> expand(const std::string& pattern);

  /// /render in JSON; a discarded JSON value when the answer is not a 200 with JSON.
  nlohmann::json render(const std::vector<std::string>& targets, const std::string& from,
                        const std::string& until = "now");

 private:
  void* curl_;  // CURL*, kept out of the header
  int port_;
  long timeout_seconds_;
};

/// Series of a /render answer with at least one non-null point, by their "target" name.
std::set<std::string> series_with_points(const nlohmann::json& render);

}  // namespace dkm::capacity
