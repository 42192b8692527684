// The control protocol between dkm and its supervisor: requests, responses, start-up reports.
#include "control_protocol.hpp"

#include "program_reader.hpp"
#include "service_state.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <set>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace dkm::supervise {

namespace {

constexpr Command kCommands[] = {Command::kStatus, Command::kStart,  Command::kStop,   Command::kRestart,
                                 Command::kPid,    Command::kSignal, Command::kClear,  Command::kStdin,
                                 Command::kReread, Command::kAvail,  Command::kAdd,    Command::kRemove,
                                 Command::kUpdate, Command::kReload, Command::kReopenLogs, Command::kVersion,
                                 Command::kShutdown};

constexpr std::pair<Fault, const char*> kFaultNames[] = {
    {Fault::kSuccess, "success"},         {Fault::kBadName, "bad_name"},
    {Fault::kBadGroup, "bad_group"},      {Fault::kNoFile, "no_file"},
    {Fault::kNotExecutable, "not_executable"}, {Fault::kAlreadyStarted, "already_started"},
    {Fault::kSpawnError, "spawn_error"},  {Fault::kAbnormalTermination, "abnormal_termination"},
    {Fault::kNotRunning, "not_running"},  {Fault::kBadSignal, "bad_signal"},
    {Fault::kFailed, "failed"},           {Fault::kStillRunning, "still_running"},
    {Fault::kAlreadyAdded, "already_added"}, {Fault::kTimedOut, "timed_out"},
    {Fault::kNotWaited, "not_waited"}};

/// A short string field of a request; `limit` bytes at most.
std::string string_field(const nlohmann::json& v, const std::string& key, std::size_t limit) {
  if (!v.is_string()) throw ProtocolError("\"" + key + "\" is not a string");
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() > limit) throw ProtocolError("\"" + key + "\" is too long");
  return s;
}

/// Reads the "names" field.
std::vector<std::string> names_field(const nlohmann::json& v) {
  if (!v.is_array()) throw ProtocolError("\"names\" is not an array");
  if (v.size() > kMaxRequestNames) throw ProtocolError("too many names");
  std::vector<std::string> names;
  for (const auto& n : v) {
    if (!n.is_string() || !is_service_name(n.get_ref<const std::string&>()))
      throw ProtocolError("\"names\" holds something that is not a service name");
    names.push_back(n.get<std::string>());
  }
  return names;
}

/// Reads one field of a request into `r`.
void read_field(const std::string& key, const nlohmann::json& v, Request& r, bool& have_command) {
  if (key == "command") {
    const std::string s = string_field(v, key, 1024);
    auto it = std::find_if(std::begin(kCommands), std::end(kCommands), [&](Command c) { return s == command_name(c); });
    if (it == std::end(kCommands)) throw ProtocolError("unknown command \"" + s.substr(0, 64) + "\"");
    r.command = *it;
    have_command = true;
  } else if (key == "names") {
    r.names = names_field(v);
  } else if (key == "timeout") {
    if (!v.is_number()) throw ProtocolError("\"timeout\" is not a number");
    double t = v.get<double>();
    if (!(t >= 0 && t <= kMaxRequestTimeout)) throw ProtocolError("\"timeout\" is out of range (0 to 86400 seconds)");
    r.timeout = t;
  } else if (key == "signal") {
    r.signal = string_field(v, key, 64);
  } else if (key == "data") {
    r.data = string_field(v, key, kMaxStdinBytes);
  } else if (key == "launched") {
    if (!v.is_boolean()) throw ProtocolError("\"launched\" is not a boolean");
    r.launched = v.get<bool>();
  } else {
    throw ProtocolError("unknown field \"" + key.substr(0, 64) + "\"");
  }
}

}  // namespace

const char* command_name(Command c) {
  switch (c) {
    case Command::kStatus: return "status";
    case Command::kStart: return "start";
    case Command::kStop: return "stop";
    case Command::kRestart: return "restart";
    case Command::kPid: return "pid";
    case Command::kSignal: return "signal";
    case Command::kClear: return "clear";
    case Command::kStdin: return "stdin";
    case Command::kReread: return "reread";
    case Command::kAvail: return "avail";
    case Command::kAdd: return "add";
    case Command::kRemove: return "remove";
    case Command::kUpdate: return "update";
    case Command::kReload: return "reload";
    case Command::kReopenLogs: return "reopenlogs";
    case Command::kVersion: return "version";
    case Command::kShutdown: return "shutdown";
  }
  return "?";
}

bool is_service_name(std::string_view name) {
  // supervisorctl's names: NAME, GROUP:PROCESS, or GROUP:* (GROUP:) for a whole group.
  if (name.empty() || name.size() > 255) return false;
  size_t colon = name.find(':');
  if (colon == std::string_view::npos) return is_valid_name(name);
  std::string_view process = name.substr(colon + 1);
  return is_valid_name(name.substr(0, colon)) && (process.empty() || process == "*" || is_valid_name(process));
}


Request parse_request(std::string_view line) {
  if (line.size() > kMaxRequestBytes) throw ProtocolError("request too large (limit " + std::to_string(kMaxRequestBytes) + " bytes)");
  nlohmann::json j;
  std::set<std::string> keys;
  try {
    // A request is flat: refuse nesting early, before a deep document is built. A key
    // given twice is refused too: the parser would keep its last value, so that
    // {"command":"status","command":"shutdown"} would read as a shutdown.
    auto check = [&keys](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
      if (depth > 2) throw ProtocolError("request nested too deeply");
      if (event == nlohmann::json::parse_event_t::key && depth == 1 && !keys.insert(parsed.get<std::string>()).second)
        throw ProtocolError("key \"" + parsed.get<std::string>().substr(0, 64) + "\" given twice");
      return true;
    };
    j = nlohmann::json::parse(line.begin(), line.end(), check);
  } catch (const nlohmann::json::exception& e) {
    throw ProtocolError(std::string("request is not JSON: ") + e.what());
  }
  if (!j.is_object()) throw ProtocolError("request is not a JSON object");
  Request r;
  bool have_command = false;
  for (auto it = j.begin(); it != j.end(); ++it) read_field(it.key(), it.value(), r, have_command);
  if (!have_command) throw ProtocolError("request has no \"command\"");
  return r;
}

std::string render_request(const Request& r) {
  nlohmann::json j{{"command", command_name(r.command)}};
  if (!r.names.empty()) j["names"] = r.names;
  if (r.timeout > 0) j["timeout"] = r.timeout;
  if (!r.signal.empty()) j["signal"] = r.signal;
  if (!r.data.empty()) j["data"] = r.data;
  if (r.launched) j["launched"] = true;
  return json_line(j);
}

const char* fault_name(Fault f) {
  for (const auto& [fault, name] : kFaultNames)
    if (fault == f) return name;
  return "failed";
}

Fault fault_from_name(std::string_view name) {
  for (const auto& [fault, text] : kFaultNames)
    if (name == text) return fault;
  return Fault::kFailed;
}

void to_json(nlohmann::json& j, const Outcome& o) {
  j = nlohmann::json{{"action", command_name(o.action)}, {"name", o.name}, {"group", o.group}, {"fault", fault_name(o.fault)}};
  if (!o.detail.empty()) j["detail"] = o.detail;
  if (!o.log_tail.empty()) {
    j["log_path"] = o.log_path;
    j["log_tail"] = o.log_tail;
  }
}

void from_json(const nlohmann::json& j, Outcome& o) {
  std::string action = j.value("action", "");
  for (Command c : kCommands)
    if (action == command_name(c)) o.action = c;
  o.name = j.value("name", "");
  o.group = j.value("group", o.name);
  o.fault = fault_from_name(j.value("fault", ""));
  o.detail = j.value("detail", "");
  o.log_path = j.value("log_path", "");
  o.log_tail = j.value("log_tail", "");
}

void to_json(nlohmann::json& j, const ConfigInfo& c) {
  j = nlohmann::json{{"name", c.name},           {"group", c.group},
                     {"in_use", c.in_use},       {"autostart", c.autostart},
                     {"group_priority", c.group_priority}, {"priority", c.priority}};
}

void from_json(const nlohmann::json& j, ConfigInfo& c) {
  c.name = j.value("name", "");
  c.group = j.value("group", c.name);
  c.in_use = j.value("in_use", false);
  c.autostart = j.value("autostart", true);
  c.group_priority = j.value("group_priority", 999);
  c.priority = j.value("priority", 999);
}

void to_json(nlohmann::json& j, const ServiceStatus& s) {
  j = nlohmann::json{{"name", s.name}, {"group", s.group}, {"state", state_name(s.state)}, {"pid", s.pid},
                     {"uptime", s.uptime}, {"since", s.since}, {"detail", s.detail},
                     {"stdout_log", s.stdout_log}, {"stderr_log", s.stderr_log}};
}

void from_json(const nlohmann::json& j, ServiceStatus& s) {
  s.name = j.value("name", "");
  s.group = j.value("group", "");
  if (s.group.empty()) s.group = s.name;
  s.state = state_from_name(j.value("state", "UNKNOWN"));
  s.pid = j.value("pid", 0L);
  s.uptime = j.value("uptime", 0.0);
  s.since = j.value("since", std::int64_t{0});
  s.detail = j.value("detail", "");
  s.stdout_log = j.value("stdout_log", "");
  s.stderr_log = j.value("stderr_log", "");
}

namespace {

constexpr std::pair<StartupReport::Kind, const char*> kReportNames[] = {
    {StartupReport::Kind::kPid, "pid"},     {StartupReport::Kind::kWarning, "warning"},
    {StartupReport::Kind::kReady, "ready"}, {StartupReport::Kind::kBusy, "busy"},
    {StartupReport::Kind::kError, "error"}};

}  // namespace

std::string render_startup_report(const StartupReport& report) {
  nlohmann::json j;
  for (const auto& [kind, name] : kReportNames)
    if (kind == report.kind) j["report"] = name;
  if (report.kind == StartupReport::Kind::kPid || report.kind == StartupReport::Kind::kReady) j["pid"] = report.pid;
  if (report.kind == StartupReport::Kind::kError) j["exit_code"] = report.exit_code;
  if (report.kind == StartupReport::Kind::kWarning || report.kind == StartupReport::Kind::kError)
    j["message"] = report.message;
  return json_line(j);
}

StartupReport parse_startup_report(std::string_view line) {
  nlohmann::json j = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
  if (!j.is_object() || !j.contains("report") || !j["report"].is_string())
    throw ProtocolError("not a start-up report: " + std::string(line.substr(0, 200)));
  StartupReport report;
  const auto& name = j["report"].get_ref<const std::string&>();
  bool known = false;
  for (const auto& [kind, text] : kReportNames)
    if (name == text) {
      report.kind = kind;
      known = true;
    }
  if (!known) throw ProtocolError("unknown start-up report \"" + name.substr(0, 64) + "\"");
  report.pid = j.value("pid", 0L);
  report.exit_code = j.value("exit_code", 0);
  report.message = j.value("message", std::string());
  return report;
}

}  // namespace dkm::supervise
