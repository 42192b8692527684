// The client side of dkm: one function per command, talking to the supervisor.
#include <dkm/supervise/client.hpp>

#include "control_socket.hpp"
#include "launch.hpp"
#include "leftovers.hpp"
#include "log_tail.hpp"
#include "status_format.hpp"
#include "supervisor_lock.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/proc_info.hpp>
#include <dkm/core/process.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/supervise/services_file.hpp>

#include "control_protocol.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

namespace dkm::supervise {

namespace {

using namespace std::chrono_literals;

/// Writes text to stdout in one go (no iostreams on the hot path of `dkm status`).
void out(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }
/// Writes a line to stderr.
void err(const std::string& text) {
  std::fflush(stdout);
  std::fputs((text + "\n").c_str(), stderr);
}

/// "all" anywhere means every service: the protocol's empty list.
std::vector<std::string> request_names(const std::vector<std::string>& names) {
  for (const auto& n : names)
    if (n == "all") return {};
  return names;
}

/// Closes a descriptor when leaving a scope.
struct FdGuard {
  int fd;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
};

/// Sends a request and returns the response; an error response becomes an Error.
nlohmann::json ask(int fd, const Request& req, std::chrono::milliseconds timeout) {
  nlohmann::json resp = call_control(fd, req, timeout);
  if (!resp.value("ok", false)) throw Error("the supervisor refused the request: " + resp.value("error", std::string("?")));
  return resp;
}

std::vector<ServiceStatus> statuses_of(const nlohmann::json& resp) {
  std::vector<ServiceStatus> list;
  if (resp.contains("services"))
    for (const auto& j : resp["services"]) list.push_back(j.get<ServiceStatus>());
  return list;
}

/// supervisorctl's message for a name that matches nothing: "GROUP: ERROR (no such group)"
/// for GROUP:* (or GROUP:), "NAME: ERROR (no such process)" otherwise.
std::string unknown_name_message(const std::string& name) {
  size_t colon = name.find(':');
  if (colon != std::string::npos && (colon + 1 == name.size() || name.substr(colon + 1) == "*"))
    return name.substr(0, colon) + ": ERROR (no such group)\n";
  return name + ": ERROR (no such process)\n";
}

/// Prints supervisorctl's message for each unknown name; true when there was one.
bool report_unknown(const nlohmann::json& resp) {
  bool any = false;
  if (resp.contains("unknown"))
    for (const auto& n : resp["unknown"]) {
      out(unknown_name_message(n.get<std::string>()));
      any = true;
    }
  return any;
}

std::string not_running_message(const InstallLayout& layout) {
  return "dkm: the supervisor is not running (" + layout.root().string() + ")\n";
}

/// Stops processes a killed supervisor left (all, or those of `names`), holding the lock.
/// Returns false when a supervisor is starting or stopping meanwhile (the caller retries).
bool stop_leftovers_without_supervisor(const InstallLayout& layout, const std::vector<std::string>& names) {
  std::error_code ec;
  if (!fs::is_directory(layout.run(), ec)) return true;
  auto lock = try_supervisor_lock(layout);
  if (!lock) return false;
  FdGuard guard{*lock};
  std::map<std::string, ProgramConfig> configs;
  try {
    configs = load_services_file(layout, service_base_environment(layout, current_environment())).programs;
  } catch (const Error&) {
    // Stop with the defaults (SIGTERM, 10 s) rather than leave processes running.
  }
  auto leftovers = find_leftovers(layout);
  if (!names.empty()) {
    std::vector<Leftover> chosen;
    for (const auto& l : leftovers)
      if (std::find(names.begin(), names.end(), l.service) != names.end()) chosen.push_back(l);
    leftovers = chosen;
  }
  stop_leftovers(layout, leftovers, configs, [](const std::string& line) { err("dkm: " + line); });
  if (names.empty()) {
    ::unlink(layout.supervisor_pid_file().c_str());
    ::unlink(layout.control_socket().c_str());
  }
  return true;
}

}  // namespace

int dkm_status(const InstallLayout& layout, const std::vector<std::string>& names) {
  FdGuard fd{connect_control_socket(layout.control_socket())};
  if (fd.fd < 0) {
    out(not_running_message(layout));
    return kExitStatusNotRunning;
  }
  auto resp = ask(fd.fd, Request{Command::kStatus, request_names(names), 0}, 30s);
  bool unknown = report_unknown(resp);
  auto list = statuses_of(resp);
  out(format_status_lines(list));
  if (unknown) return kExitStatusUnknown;
  for (const auto& s : list)
    if (s.state != ServiceState::kRunning) return kExitStatusNotRunning;
  return kExitOk;
}

int dkm_start(const InstallLayout& layout, const std::vector<std::string>& names, double timeout, bool restart) {
  SupervisorConnection conn = connect_or_start_supervisor(layout);
  FdGuard fd{conn.fd};
  for (const auto& w : conn.warnings) err("dkm: warning: " + w);
  Request req{restart ? Command::kRestart : Command::kStart, request_names(names), timeout};
  auto resp = ask(fd.fd, req, std::chrono::milliseconds(static_cast<long long>(timeout * 1000)) + 60s);
  int code = report_unknown(resp) ? kExitFailure : kExitOk;
  bool timed_out = resp.value("timed_out", false);
  for (const auto& s : statuses_of(resp)) {
    if (s.state == ServiceState::kRunning) {
      out(s.name + ": " + (restart ? "restarted" : "started") + "\n");
      continue;
    }
    if (timeout <= 0 && s.state == ServiceState::kStarting) {
      out(s.name + ": starting\n");
      continue;
    }
    code = kExitNotRunning;
    std::string why = state_name(s.state);
    std::string description = describe_status(s);
    if (timed_out && !is_stopped_state(s.state))
      why = "still " + why + " after " + std::to_string(static_cast<long>(timeout)) + " s";
    if (!description.empty()) why += ": " + description;
    out(s.name + ": ERROR (" + why + ")\n");
    if (!s.log_tail.empty()) {
      out("  last lines of " + s.stdout_log + ":\n");
      for (const auto& line : split(s.log_tail, '\n'))
        if (!line.empty()) out("    " + line + "\n");
    }
  }
  return code;
}

int dkm_stop(const InstallLayout& layout, const std::vector<std::string>& names) {
  auto deadline = std::chrono::steady_clock::now() + 5min;
  for (;;) {
    FdGuard fd{connect_control_socket(layout.control_socket())};
    if (fd.fd < 0) {
      std::vector<std::string> wanted = request_names(names);
      if (stop_leftovers_without_supervisor(layout, wanted)) {
        out(not_running_message(layout));
        return kExitOk;
      }
      // A supervisor holds the lock without answering: it is starting or stopping.
      if (std::chrono::steady_clock::now() > deadline) throw Error("the supervisor neither answers nor ends");
      std::this_thread::sleep_for(50ms);
      continue;
    }
    if (names.empty()) {
      auto resp = ask(fd.fd, Request{Command::kShutdown, {}, 0}, 24h);
      pid_t pid = resp.value("supervisor_pid", 0);
      if (pid > 0) wait_for_exit(pid, 60s);
      out("dkm: stopped every service and the supervisor\n");
      return kExitOk;
    }
    auto resp = ask(fd.fd, Request{Command::kStop, request_names(names), 0}, 24h);
    int code = report_unknown(resp) ? kExitFailure : kExitOk;
    for (const auto& s : statuses_of(resp)) out(s.name + ": stopped\n");
    return code;
  }
}

int dkm_pid(const InstallLayout& layout, const std::vector<std::string>& names) {
  FdGuard fd{connect_control_socket(layout.control_socket())};
  if (fd.fd < 0) {
    out(not_running_message(layout));
    return kExitNotRunning;
  }
  auto resp = ask(fd.fd, Request{Command::kPid, request_names(names), 0}, 30s);
  if (names.empty()) {
    out(std::to_string(resp.value("supervisor_pid", 0L)) + "\n");
    return kExitOk;
  }
  int code = kExitOk;
  if (resp.contains("unknown"))
    for (const auto& n : resp["unknown"]) {
      out("No such process " + n.get<std::string>() + "\n");
      code = kExitFailure;
    }
  for (const auto& s : statuses_of(resp)) {
    out(std::to_string(s.pid) + "\n");
    if (s.pid == 0 && code == kExitOk) code = kExitNotRunning;
  }
  return code;
}

int dkm_reload(const InstallLayout& layout) {
  FdGuard fd{connect_control_socket(layout.control_socket())};
  if (fd.fd < 0) {
    auto file = load_services_file(layout, service_base_environment(layout, current_environment()));
    for (const auto& w : file.warnings) err("dkm: warning: " + w);
    out("dkm: the supervisor is not running; " + file.path.string() + " is valid and `dkm start` will use it\n");
    return kExitOk;
  }
  nlohmann::json resp = call_control(fd.fd, Request{Command::kReload, {}, 0}, 24h);
  if (!resp.value("ok", false)) throw UsageError("reload failed, nothing changed: " + resp.value("error", std::string("?")));
  for (const auto& w : resp["warnings"]) err("dkm: warning: " + w.get<std::string>());
  bool any = false;
  for (const char* what : {"added", "changed", "removed"})
    for (const auto& n : resp[what]) {
      out(n.get<std::string>() + ": " + what + "\n");
      any = true;
    }
  if (!any) out("dkm: no changes\n");
  return kExitOk;
}

int dkm_reopenlogs(const InstallLayout& layout) {
  FdGuard fd{connect_control_socket(layout.control_socket())};
  if (fd.fd < 0) {
    out(not_running_message(layout));
    return kExitNotRunning;
  }
  ask(fd.fd, Request{Command::kReopenLogs, {}, 0}, 30s);
  out("dkm: reopened the log files\n");
  return kExitOk;
}

int dkm_tail(const InstallLayout& layout, const std::string& name, const std::string& channel, std::size_t lines,
             bool follow) {
  if (channel != "stdout" && channel != "stderr") throw UsageError("tail: '" + channel + "' is neither stdout nor stderr");
  std::string path;
  bool known = false;
  {
    FdGuard fd{connect_control_socket(layout.control_socket())};
    if (fd.fd >= 0) {
      auto resp = ask(fd.fd, Request{Command::kStatus, {name}, 0}, 30s);
      for (const auto& s : statuses_of(resp)) {
        known = true;
        path = channel == "stdout" ? s.stdout_log : s.stderr_log;
      }
    } else {
      auto file = load_services_file(layout, service_base_environment(layout, current_environment()));
      if (auto it = file.programs.find(name); it != file.programs.end()) {
        known = true;
        const ProgramConfig& cfg = it->second;
        path = (channel == "stdout" || cfg.redirect_stderr ? cfg.stdout_log.path : cfg.stderr_log.path).string();
      }
    }
  }
  if (!known) {
    out(name + ": ERROR (no such process)\n");
    return kExitFailure;
  }
  if (path.empty()) {
    out(name + ": ERROR (its " + channel + " is not logged: " + channel + "_logfile is NONE)\n");
    return kExitFailure;
  }
  std::fflush(stdout);
  std::error_code ec;
  if (follow) fs::create_directories(fs::path(path).parent_path(), ec);  // the supervisor has not run yet
  tail_log(path, lines, follow, 1);
  return kExitOk;
}

int dkm_run(const InstallLayout& layout, const std::string& name) {
  auto env = service_base_environment(layout, current_environment());
  auto file = load_services_file(layout, env);
  auto it = file.programs.find(name);
  if (it == file.programs.end()) {
    out(name + ": ERROR (no such process)\n");
    return kExitFailure;
  }
  const ProgramConfig& cfg = it->second;
  {
    FdGuard fd{connect_control_socket(layout.control_socket())};
    if (fd.fd >= 0) {
      auto resp = ask(fd.fd, Request{Command::kStatus, {name}, 0}, 30s);
      for (const auto& s : statuses_of(resp))
        if (s.pid != 0)
          throw Error(name + " is running under the supervisor (pid " + std::to_string(s.pid) +
                      "); stop it first: dkm stop " + name);
    }
  }
  for (const auto& [k, v] : cfg.environment) env[k] = v;
  if (cfg.umask) ::umask(*cfg.umask);
  fs::path program = resolve_program(cfg.command[0], env.count("PATH") ? env["PATH"] : "/usr/local/bin:/usr/bin:/bin");
  if (::chdir(cfg.directory.c_str()) != 0) throw Error("cannot enter directory " + cfg.directory.string() + ": " + errno_text());
  err("dkm: running " + name + " in the foreground: " + cfg.command_text);
  // The one process start outside core's spawn_process(): `dkm run` becomes the service
  // (exec without fork, so signals and the exit status are the program's own), which
  // Boost.Process, a starter of children, does not do.
  std::vector<std::string> args = cfg.command, env_strings = environment_strings(env);
  std::vector<char*> argp, envp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  ::execve(program.c_str(), argp.data(), envp.data());
  throw Error("cannot run " + program.string() + ": " + errno_text());
}

}  // namespace dkm::supervise
