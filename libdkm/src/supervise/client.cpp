// The client side of dkm: one function per command, talking to the supervisor.
#include <dkm/supervise/client.hpp>

#include "client_support.hpp"
#include "control_socket.hpp"
#include "ctl_messages.hpp"
#include "launch.hpp"
#include "leftovers.hpp"
#include "log_tail.hpp"
#include "run_dir.hpp"
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

/// Stops processes a killed supervisor left (all, or those of `names`), holding the lock.
/// Returns false when a supervisor is starting or stopping meanwhile (the caller retries).
bool stop_leftovers_without_supervisor(const InstallLayout& layout, const std::vector<std::string>& names) {
  std::error_code ec;
  if (!fs::is_directory(layout.run(), ec)) return true;
  DirHandle run = open_run_dir(layout, false);
  auto lock = try_supervisor_lock(run);
  if (!lock) return false;
  FdGuard guard{*lock};
  std::map<std::string, ProgramConfig> configs;
  try {
    configs = load_services_file(layout, service_base_environment(layout, current_environment())).programs;
  } catch (const Error&) {
    // Stop with the defaults (SIGTERM, 10 s) rather than leave processes running.
  }
  auto leftovers = find_leftovers(layout, run);
  if (!names.empty()) {
    std::vector<Leftover> chosen;
    for (const auto& l : leftovers)
      if (std::find(names.begin(), names.end(), l.service) != names.end()) chosen.push_back(l);
    leftovers = chosen;
  }
  stop_leftovers(run, leftovers, configs, [](const std::string& line) { err("dkm: " + line); });
  remove_pid_files(run, names);
  if (names.empty()) {
    run.remove(layout.supervisor_pid_file().filename().string());
    run.remove(kControlSocket);
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
  auto resp = ask(fd.fd, Request{Command::kStatus, request_names(names)}, 30s);
  int code = kExitOk;
  for (const auto& o : outcomes_of(resp)) {
    out(outcome_line(o) + "\n");
    code = kExitStatusUnknown;
  }
  auto list = statuses_of(resp);
  out(format_status_lines(list));
  // supervisorctl: 3 once one of them is stopped (STOPPED, EXITED, FATAL), even after an unknown name.
  for (const auto& s : list)
    if (is_stopped_state(s.state)) code = kExitStatusNotRunning;
  return code;
}

int dkm_start(const InstallLayout& layout, const std::vector<std::string>& names, double timeout, bool restart) {
  SupervisorConnection conn = connect_or_start_supervisor(layout);
  FdGuard fd{conn.fd};
  for (const auto& w : conn.warnings) err("dkm: warning: " + w);
  Request req{restart ? Command::kRestart : Command::kStart, request_names(names), timeout};
  req.launched = conn.started;
  auto resp = ask(fd.fd, req, std::chrono::milliseconds(static_cast<long long>(timeout * 1000)) + 60s);
  CtlReport report = report_outcomes(outcomes_of(resp));
  out(report.text);
  return report.exit_code;
}

namespace {

/// Stops every service and ends the supervisor (also what a killed one left); prints
/// `done` once it has.
int stop_everything(const InstallLayout& layout, const std::string& done) {
  auto deadline = std::chrono::steady_clock::now() + 5min;
  for (;;) {
    FdGuard fd{connect_control_socket(layout.control_socket())};
    if (fd.fd >= 0) {
      auto resp = ask(fd.fd, Request{Command::kShutdown}, 24h);
      pid_t pid = resp.value("supervisor_pid", 0);
      if (pid > 0) wait_for_exit(pid, 60s);
      out(done);
      return kExitOk;
    }
    if (stop_leftovers_without_supervisor(layout, {})) {
      out(not_running_message(layout));
      return kExitOk;
    }
    // A supervisor holds the lock without answering: it is starting or stopping.
    if (std::chrono::steady_clock::now() > deadline) throw Error("the supervisor neither answers nor ends");
    std::this_thread::sleep_for(50ms);
  }
}

/// Sends an order on programs to the running supervisor and reports its outcomes as
/// supervisorctl does; exit 7 when no supervisor runs.
int order(const InstallLayout& layout, Request req) {
  FdGuard fd{connect_control_socket(layout.control_socket())};
  if (fd.fd < 0) {
    out(not_running_message(layout));
    return kExitNotRunning;
  }
  CtlReport report = report_outcomes(outcomes_of(ask(fd.fd, req, 24h)));
  out(report.text);
  return report.exit_code;
}

}  // namespace

int dkm_stop(const InstallLayout& layout, const std::vector<std::string>& names) {
  if (names.empty()) return stop_everything(layout, "dkm: stopped every service and the supervisor\n");
  auto deadline = std::chrono::steady_clock::now() + 5min;
  for (;;) {
    FdGuard fd{connect_control_socket(layout.control_socket())};
    if (fd.fd < 0) {
      if (stop_leftovers_without_supervisor(layout, request_names(names))) {
        out(not_running_message(layout));
        return kExitOk;
      }
      // A supervisor holds the lock without answering: it is starting or stopping.
      if (std::chrono::steady_clock::now() > deadline) throw Error("the supervisor neither answers nor ends");
      std::this_thread::sleep_for(50ms);
      continue;
    }
    CtlReport report = report_outcomes(outcomes_of(ask(fd.fd, Request{Command::kStop, request_names(names)}, 24h)));
    out(report.text);
    return report.exit_code;
  }
}

int dkm_shutdown(const InstallLayout& layout) { return stop_everything(layout, "Shut down\n"); }

int dkm_signal(const InstallLayout& layout, const std::string& signal, const std::vector<std::string>& names) {
  Request req{Command::kSignal, request_names(names)};
  req.signal = signal;
  return order(layout, req);
}

int dkm_clear(const InstallLayout& layout, const std::vector<std::string>& names) {
  return order(layout, Request{Command::kClear, request_names(names)});
}

int dkm_pid(const InstallLayout& layout, const std::vector<std::string>& names) {
  FdGuard fd{connect_control_socket(layout.control_socket())};
  if (fd.fd < 0) {
    out(not_running_message(layout));
    return kExitNotRunning;
  }
  if (names.empty()) {
    out(std::to_string(ask(fd.fd, Request{Command::kPid}, 30s).value("supervisor_pid", 0L)) + "\n");
    return kExitOk;
  }
  if (request_names(names).empty()) {  // `pid all`: every pid, exit 0 whatever they are
    for (const auto& s : statuses_of(ask(fd.fd, Request{Command::kPid}, 30s))) out(std::to_string(s.pid) + "\n");
    return kExitOk;
  }
  ::close(fd.fd);
  fd.fd = -1;
  int code = kExitOk;
  for (const auto& name : names) {  // one answer per name, in order, as supervisorctl's
    FdGuard one{connect_control_socket(layout.control_socket())};
    if (one.fd < 0) throw Error("the supervisor went away");
    auto list = statuses_of(ask(one.fd, Request{Command::kPid, {name}}, 30s));
    if (list.size() != 1 || !names_one_process(name)) {
      out("No such process " + name + "\n");
      code = kExitFailure;
      continue;
    }
    out(std::to_string(list.front().pid) + "\n");
    if (list.front().pid == 0) code = kExitNotRunning;
  }
  return code;
}

int dkm_reopenlogs(const InstallLayout& layout) {
  FdGuard fd{connect_control_socket(layout.control_socket())};
  if (fd.fd < 0) {
    out(not_running_message(layout));
    return kExitNotRunning;
  }
  ask(fd.fd, Request{Command::kReopenLogs}, 30s);
  out("dkm: reopened the log files\n");
  return kExitOk;
}

int dkm_version(const InstallLayout& layout) {
  FdGuard fd{connect_control_socket(layout.control_socket())};
  if (fd.fd < 0) {
    out(not_running_message(layout));
    return kExitNotRunning;
  }
  out(ask(fd.fd, Request{Command::kVersion}, 30s).value("version", std::string("?")) + "\n");
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
      auto resp = ask(fd.fd, Request{Command::kStatus, {name}}, 30s);
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
