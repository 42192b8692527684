// The control protocol between dkm and its supervisor: requests, responses, start-up reports.
#include "control_protocol.hpp"

#include "program_reader.hpp"
#include "service_state.hpp"

#include <nlohmann/json.hpp>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace dkm::supervise {

const char* command_name(Command c) {
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

std::string render_request(const Request& r) {
  nlohmann::json j{{"command", command_name(r.command)}};
  if (!r.names.empty()) j["names"] = r.names;
  if (r.timeout > 0) j["timeout"] = r.timeout;
  return json_line(j);
}

void to_json(nlohmann::json& j, const ServiceStatus& s) {
  j = nlohmann::json{{"name", s.name}, {"state", state_name(s.state)}, {"pid", s.pid},
                     {"uptime", s.uptime}, {"since", s.since}, {"detail", s.detail},
                     {"stdout_log", s.stdout_log}, {"stderr_log", s.stderr_log}};
  if (!s.log_tail.empty()) j["log_tail"] = s.log_tail;
}

void from_json(const nlohmann::json& j, ServiceStatus& s) {
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
