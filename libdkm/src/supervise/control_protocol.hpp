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
// A supervisor a client launches reports its start-up to it in the same JSON lines
// (StartupReport, below).
// Implementation: libdkm/src/supervise/control_protocol.cpp.

#include <nlohmann/json.hpp>

#include "service_state.hpp"

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
const char* command_name(Command c);

/// One request.
struct Request {
  Command command = Command::kStatus;
  std::vector<std::string> names;  ///< empty: every service
  double timeout = 0;              ///< start/restart: seconds to wait for RUNNING (0: do not wait)

  /// Equal when both ask the same.
  bool operator==(const Request&) const = default;
};

/// True when `name` could name services: NAME, GROUP:PROCESS or GROUP:* (the services
/// file enforces the same rule on each part).
bool is_service_name(std::string_view name);

/// Parses one request line (the trailing newline optional). Throws ProtocolError.
Request parse_request(std::string_view line);

/// A JSON value as one protocol line; bytes that are not UTF-8 (a log tail) become U+FFFD.
inline std::string json_line(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

/// The request as one line, newline included.
std::string render_request(const Request& r);

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
void to_json(nlohmann::json& j, const ServiceStatus& s);

/// JSON -> ServiceStatus (missing fields keep their defaults).
void from_json(const nlohmann::json& j, ServiceStatus& s);

/// {"ok": false, "error": message} as one line.
inline std::string error_response(const std::string& message) {
  return json_line(nlohmann::json{{"ok", false}, {"error", message}});
}

/// One line of the start-up report a supervisor launched by a client writes to it (on a
/// pipe, before the control socket answers): who reports, warnings, then how it ended.
///   {"report": "pid", "pid": 123}        {"report": "warning", "message": "..."}
///   {"report": "ready", "pid": 123}      {"report": "busy"}  (another supervisor runs)
///   {"report": "error", "exit_code": 2, "message": "..."}
struct StartupReport {
  enum class Kind { kPid, kWarning, kReady, kBusy, kError };
  Kind kind = Kind::kPid;
  long pid = 0;          ///< kPid, kReady
  int exit_code = 0;     ///< kError
  std::string message;   ///< kWarning, kError

  /// Equal when both report the same.
  bool operator==(const StartupReport&) const = default;
};

/// The report as one line, newline included.
std::string render_startup_report(const StartupReport& report);
/// Parses one report line. Throws ProtocolError.
StartupReport parse_startup_report(std::string_view line);

}  // namespace dkm::supervise
