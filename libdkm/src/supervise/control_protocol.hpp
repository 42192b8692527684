#pragma once
// The control protocol between `dkm` and its supervisor: one JSON object per line
// over DIR/run/dkm.sock, one request and one response per connection.
//
//   request   {"command": "start", "names": ["grafana", "web:*"], "timeout": 90}
//             {"command": "signal", "names": ["all"], "signal": "HUP"}
//             {"command": "start", "names": ["a"], "timeout": 90, "launched": true}
//   response  {"ok": true, "supervisor_pid": 123, "services": [{"name": ..., "state": ...}, ...]}
//             {"ok": true, "supervisor_pid": 123, "results": [{"action": "start", "name": "a",
//              "group": "a", "fault": "spawn_error", "detail": ""}, ...]}
//             {"ok": true, "added": ["g"], "changed": [], "removed": []}   (reread, update)
//             {"ok": false, "error": "what was wrong"}
// The client words each result as supervisorctl does (ctl_messages.hpp).
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
#include <utility>
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

/// What a client asks the supervisor to do: supervisorctl's commands.
enum class Command {
  kStatus, kStart, kStop, kRestart, kPid, kSignal, kClear, kStdin,  // on programs
  kReread, kAvail, kAdd, kRemove, kUpdate, kReload,                 // on the configuration
  kReopenLogs, kVersion, kShutdown                                  // on the supervisor
};

/// The protocol's name of a command.
const char* command_name(Command c);

/// Longest `data` a kStdin request may carry.
inline constexpr std::size_t kMaxStdinBytes = 16 * 1024;

/// One request.
struct Request {
  /// A status request.
  Request() = default;
  /// A request for `command` on `names`, waiting up to `timeout_` seconds.
  Request(Command command_, std::vector<std::string> names_ = {}, double timeout_ = 0)
      : command(command_), names(std::move(names_)), timeout(timeout_) {}

  Command command = Command::kStatus;
  std::vector<std::string> names;  ///< namespecs (NAME, GROUP:NAME, GROUP:*); empty: every program
  double timeout = 0;              ///< start/restart: seconds to wait for RUNNING (0: do not wait)
  std::string signal;              ///< kSignal: the signal as the user wrote it ("HUP", "SIGHUP", "1")
  std::string data;                ///< kStdin: what to write to the program's standard input
  bool launched = false;           ///< start: the client started the supervisor for it, so what
                                   ///< the supervisor's autostart began is this start's to report

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

/// How an order on one program (or group) went: supervisord's fault codes, and dkm's own
/// for a start it did not wait for.
enum class Fault {
  kSuccess,
  kBadName,              ///< no such process (or, for add/remove, no such group)
  kBadGroup,             ///< GROUP:* names no group
  kNoFile,               ///< the command's file does not exist
  kNotExecutable,        ///< the command's file cannot be executed
  kAlreadyStarted,       ///< start: it is STARTING, RUNNING or BACKOFF already
  kSpawnError,           ///< start: it gave up (FATAL)
  kAbnormalTermination,  ///< start: it stopped otherwise before it was RUNNING
  kNotRunning,           ///< stop, signal, stdin: it has no process
  kBadSignal,            ///< signal: no such signal
  kFailed,               ///< something else went wrong; `detail` says what
  kStillRunning,         ///< remove: a process of the group is not stopped
  kAlreadyAdded,         ///< add: the group is active already
  kTimedOut,             ///< start: not RUNNING within the request's timeout (dkm's -t)
  kNotWaited,            ///< start with timeout 0: spawned, not waited for
};

/// The protocol's name of a fault ("bad_name").
const char* fault_name(Fault f);
/// The fault named `name`; kFailed for anything else.
Fault fault_from_name(std::string_view name);

/// What one order on one program did, as the client reports it: supervisord's result
/// structs ({name, group, status, description}) plus the order it answers.
struct Outcome {
  /// A success of start.
  Outcome() = default;
  /// What `action` did to `name_` of `group_`.
  Outcome(Command action_, std::string name_, std::string group_, Fault fault_, std::string detail_ = "")
      : action(action_), name(std::move(name_)), group(std::move(group_)), fault(fault_), detail(std::move(detail_)) {}

  Command action = Command::kStart;  ///< kStart, kStop, kSignal, kClear, kStdin, kAdd or kRemove
  std::string name;                  ///< the process (for a group-wide error: the group)
  std::string group;                 ///< its group (== name for a plain [program:x])
  Fault fault = Fault::kSuccess;
  std::string detail;                ///< kFailed's message, kTimedOut's state and wait
  std::string log_path;              ///< kTimedOut: the program's log
  std::string log_tail;              ///< kTimedOut: its last lines, which say why it is not up

  /// Equal when both say the same.
  bool operator==(const Outcome&) const = default;
};

/// Outcome -> JSON.
void to_json(nlohmann::json& j, const Outcome& o);
/// JSON -> Outcome.
void from_json(const nlohmann::json& j, Outcome& o);

/// One program of the configuration the supervisor read last, as `avail` lists it.
struct ConfigInfo {
  std::string name;
  std::string group;
  bool in_use = false;     ///< its group is active (added)
  bool autostart = true;
  int group_priority = 999;
  int priority = 999;

  /// Equal when both say the same.
  bool operator==(const ConfigInfo&) const = default;
};

/// ConfigInfo -> JSON.
void to_json(nlohmann::json& j, const ConfigInfo& c);
/// JSON -> ConfigInfo.
void from_json(const nlohmann::json& j, ConfigInfo& c);

/// supervisorctl's name of a process: NAME when its group is its own (or not given),
/// else GROUP:NAME.
inline std::string namespec(const std::string& group, const std::string& name) {
  return group.empty() || group == name ? name : group + ":" + name;
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
  std::string group;         ///< its group (== name for a plain [program:x]; empty: the same)
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
