#pragma once
// The control protocol between `dkm` and its supervisor: one JSON object per line
// over DIR/run/dkm.sock, one request and one response per connection.
//
//   request   {"command": "start", "names": ["grafana"], "timeout": 90}
//   response  {"ok": true, "supervisor_pid": 123, "services": [{"name": ..., "state": ...}, ...],
//              "unknown": ["typo"], "messages": ["..."]}
//             {"ok": false, "error": "what was wrong"}
//
// Requests are size-limited and checked field by field: anything else gets an error
// response, never a crash (tests/fuzz holds a libFuzzer target for parse_request).

#include <dkm/supervise/service_state.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace dkm::supervise {

/// Largest request accepted, newline included.
inline constexpr std::size_t kMaxRequestBytes = 64 * 1024;
/// Most names one request may carry.
inline constexpr std::size_t kMaxRequestNames = 1024;
/// Longest timeout a request may ask for, in seconds (one day).
inline constexpr double kMaxRequestTimeout = 86400;

/// A request that is not valid; the message says why.
class ProtocolError : public std::runtime_error {
 public:
  /// Builds the error.
  explicit ProtocolError(const std::string& message) : std::runtime_error(message) {}
};

/// What a client asks the supervisor to do.
enum class Command { kStatus, kStart, kStop, kRestart, kPid, kReload, kReopenLogs, kShutdown };

/// The protocol's name of a command.
inline const char* command_name(Command c) {
  switch (c) {
    case Command::kStatus: return "status";
    case Command::kStart: return "start";
    case Command::kStop: return "stop";
    case Command::kRestart: return "restart";
    case Command::kPid: return "pid";
    case Command::kReload: return "reload";
    case Command::kReopenLogs: return "reopenlogs";
    case Command::kShutdown: return "shutdown";
  }
  return "?";
}

/// One request.
struct Request {
  Command command = Command::kStatus;
  std::vector<std::string> names;  ///< empty: every service
  double timeout = 0;              ///< start/restart: seconds to wait for RUNNING (0: do not wait)

  /// Equal when both ask the same.
  bool operator==(const Request&) const = default;
};

/// True when `name` could be a service name (the services file enforces the same).
inline bool is_service_name(std::string_view name) {
  if (name.empty() || name.size() > 255 || name.front() == '.') return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') return false;
  return true;
}

/// Parses one request line (the trailing newline optional). Throws ProtocolError.
inline Request parse_request(std::string_view line) {
  if (line.size() > kMaxRequestBytes) throw ProtocolError("request too large (limit " + std::to_string(kMaxRequestBytes) + " bytes)");
  nlohmann::json j;
  try {
    // A request is flat: refuse nesting early, before a deep document is built.
    j = nlohmann::json::parse(line.begin(), line.end(), [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
      if (depth > 2) throw ProtocolError("request nested too deeply");
      return true;
    });
  } catch (const nlohmann::json::exception& e) {
    throw ProtocolError(std::string("request is not JSON: ") + e.what());
  }
  if (!j.is_object()) throw ProtocolError("request is not a JSON object");
  Request r;
  bool have_command = false;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    const auto& v = it.value();
    if (key == "command") {
      if (!v.is_string()) throw ProtocolError("\"command\" is not a string");
      const auto& s = v.get_ref<const std::string&>();
      bool found = false;
      for (auto c : {Command::kStatus, Command::kStart, Command::kStop, Command::kRestart, Command::kPid,
                     Command::kReload, Command::kReopenLogs, Command::kShutdown}) {
        if (s == command_name(c)) {
          r.command = c;
          found = true;
        }
      }
      if (!found) throw ProtocolError("unknown command \"" + s.substr(0, 64) + "\"");
      have_command = true;
    } else if (key == "names") {
      if (!v.is_array()) throw ProtocolError("\"names\" is not an array");
      if (v.size() > kMaxRequestNames) throw ProtocolError("too many names");
      for (const auto& n : v) {
        if (!n.is_string() || !is_service_name(n.get_ref<const std::string&>()))
          throw ProtocolError("\"names\" holds something that is not a service name");
        r.names.push_back(n.get<std::string>());
      }
    } else if (key == "timeout") {
      if (!v.is_number()) throw ProtocolError("\"timeout\" is not a number");
      double t = v.get<double>();
      if (!(t >= 0 && t <= kMaxRequestTimeout)) throw ProtocolError("\"timeout\" is out of range (0 to 86400 seconds)");
      r.timeout = t;
    } else {
      throw ProtocolError("unknown field \"" + key.substr(0, 64) + "\"");
    }
  }
  if (!have_command) throw ProtocolError("request has no \"command\"");
  return r;
}

/// A JSON value as one protocol line; bytes that are not UTF-8 (a log tail) become U+FFFD.
inline std::string json_line(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

/// The request as one line, newline included.
inline std::string render_request(const Request& r) {
  nlohmann::json j{{"command", command_name(r.command)}};
  if (!r.names.empty()) j["names"] = r.names;
  if (r.timeout > 0) j["timeout"] = r.timeout;
  return json_line(j);
}

/// One service as the supervisor reports it.
struct ServiceStatus {
  std::string name;
  ServiceState state = ServiceState::kUnknown;
  long pid = 0;              ///< 0 when there is no process
  double uptime = 0;         ///< seconds since the process started (while it has one)
  std::int64_t since = 0;    ///< wall clock (epoch seconds) of the last state change; 0 never started
  std::string detail;        ///< why it exited, the spawn error, or the probe it waits for
  std::string stdout_log;    ///< empty when discarded
  std::string stderr_log;    ///< equal to stdout_log when shared
  std::string log_tail;      ///< last lines of its log (start failures only)
};

/// ServiceStatus -> JSON.
inline void to_json(nlohmann::json& j, const ServiceStatus& s) {
  j = nlohmann::json{{"name", s.name}, {"state", state_name(s.state)}, {"pid", s.pid},
                     {"uptime", s.uptime}, {"since", s.since}, {"detail", s.detail},
                     {"stdout_log", s.stdout_log}, {"stderr_log", s.stderr_log}};
  if (!s.log_tail.empty()) j["log_tail"] = s.log_tail;
}

/// JSON -> ServiceStatus (missing fields keep their defaults).
inline void from_json(const nlohmann::json& j, ServiceStatus& s) {
  s.name = j.value("name", "");
  s.state = state_from_name(j.value("state", "UNKNOWN"));
  s.pid = j.value("pid", 0L);
  s.uptime = j.value("uptime", 0.0);
  s.since = j.value("since", std::int64_t{0});
  s.detail = j.value("detail", "");
  s.stdout_log = j.value("stdout_log", "");
  s.stderr_log = j.value("stderr_log", "");
  s.log_tail = j.value("log_tail", "");
}

/// {"ok": false, "error": message} as one line.
inline std::string error_response(const std::string& message) {
  return json_line(nlohmann::json{{"ok", false}, {"error", message}});
}

}  // namespace dkm::supervise
