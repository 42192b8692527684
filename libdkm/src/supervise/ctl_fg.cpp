// `dkm fg NAME`: a running program in the foreground, as supervisorctl's fg: its output
// (the end of its logs, then what it writes) on this terminal, each line typed sent to
// its standard input; end of input or Ctrl-C leaves it running.
#include <dkm/supervise/client.hpp>

#include "client_support.hpp"
#include "control_socket.hpp"
#include "ctl_messages.hpp"
#include "log_tail.hpp"

#include <dkm/core/error.hpp>

#include <poll.h>

#include <cstdio>
#include <memory>

namespace dkm::supervise {

namespace {

using namespace std::chrono_literals;

/// Sends one line to the program; false (after saying why) when fg must end.
bool send_line(const InstallLayout& layout, const std::string& name, const std::string& line) {
  FdGuard fd{connect_control_socket(layout.control_socket())};
  if (fd.fd < 0) throw Error("the supervisor went away");
  Request req{Command::kStdin, {name}};
  req.data = line;
  auto outcomes = outcomes_of(ask(fd.fd, req, 30s));
  Fault fault = outcomes.empty() ? Fault::kFailed : outcomes.front().fault;
  if (fault != Fault::kSuccess) {
    out(fault == Fault::kNotRunning ? "Process got killed\n" : "ERROR: " + outcome_line(outcomes.front()) + "\n");
    return false;
  }
  FdGuard again{connect_control_socket(layout.control_socket())};
  auto list = again.fd < 0 ? std::vector<ServiceStatus>{} : statuses_of(ask(again.fd, Request{Command::kStatus, {name}}, 30s));
  if (list.size() != 1 || list.front().state != ServiceState::kRunning) {
    out("Process got killed\n");
    return false;
  }
  return true;
}

/// Reads what was typed and sends each whole line (at end of input, the rest too);
/// false when fg ends.
bool forward_input(const InstallLayout& layout, const std::string& name, std::string& typed) {
  char buf[4096];
  ssize_t n = ::read(0, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  bool eof = n <= 0;
  if (!eof) typed.append(buf, static_cast<std::size_t>(n));
  if (eof && !typed.empty() && typed.back() != '\n') typed += '\n';  // raw_input() returns a last partial line
  for (std::size_t nl; (nl = typed.find('\n')) != std::string::npos;) {
    std::string line = typed.substr(0, nl + 1);
    typed.erase(0, nl + 1);
    if (!send_line(layout, name, line)) return false;
  }
  return !eof;
}

/// The program `name` as the supervisor reports it; nothing (after saying why) when fg
/// cannot attach to it.
std::optional<ServiceStatus> running_program(int fd, const std::string& name) {
  auto resp = ask(fd, Request{Command::kStatus, {name}}, 30s);
  auto list = statuses_of(resp);
  if (list.size() != 1 || !names_one_process(name)) {
    out("ERROR: bad process name supplied\n");
    return std::nullopt;
  }
  if (list.front().state != ServiceState::kRunning) {
    out("ERROR: process not running\n");
    return std::nullopt;
  }
  return list.front();
}

}  // namespace

int dkm_fg(const InstallLayout& layout, const std::string& name) {
  std::optional<ServiceStatus> program;
  {
    FdGuard fd{connect_control_socket(layout.control_socket())};
    if (fd.fd < 0) {
      out(not_running_message(layout));
      return kExitNotRunning;
    }
    program = running_program(fd.fd, name);
    if (!program) return kExitFailure;
  }
  out("==> Press Ctrl-C to exit <==\n");
  std::fflush(stdout);
  std::vector<std::unique_ptr<LogFollower>> logs;
  for (const std::string& path : {program->stdout_log, program->stderr_log})
    if (!path.empty() && (logs.empty() || path != program->stdout_log))
      logs.push_back(std::make_unique<LogFollower>(path, TailStart{std::nullopt, kFollowHead}));
  for (auto& log : logs) log->copy_new(1);
  InterruptWatch interrupt;
  std::string typed;
  for (bool attached = true; attached;) {
    std::vector<pollfd> fds{{0, POLLIN, 0}, {interrupt.fd(), POLLIN, 0}};
    for (auto& log : logs) fds.push_back({log->watch_fd(), POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) break;
    if (fds[1].revents) break;
    for (std::size_t i = 0; i < logs.size(); ++i)
      if (fds[i + 2].revents & POLLIN) logs[i]->on_ready(1);
    if (fds[0].revents) attached = forward_input(layout, name, typed);
  }
  out("Exiting foreground\n");
  return kExitOk;
}

}  // namespace dkm::supervise
