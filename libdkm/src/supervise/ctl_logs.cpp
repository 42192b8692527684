// dkm's commands on logs and a program's terminal, as supervisorctl's: tail, maintail and
// fg. Logs are read here, from the files the supervisor (or the services file) names;
// Ctrl-C ends a follow as it ends supervisorctl's, with exit status 0.
#include <dkm/supervise/client.hpp>

#include "client_support.hpp"
#include "control_socket.hpp"
#include "ctl_messages.hpp"
#include "log_tail.hpp"
#include "namespecs.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/process.hpp>
#include <dkm/supervise/services_file.hpp>

#include <cstdio>

namespace dkm::supervise {

namespace {

using namespace std::chrono_literals;

/// The log of `name` on `channel`: from the supervisor, else from the services file.
/// Empty when the program has none; nothing when there is no such program.
std::optional<std::string> log_path(const InstallLayout& layout, const std::string& name, const std::string& channel) {
  FdGuard fd{connect_control_socket(layout.control_socket())};
  if (fd.fd >= 0) {
    auto resp = ask(fd.fd, Request{Command::kStatus, {name}}, 30s);
    auto list = statuses_of(resp);
    if (list.size() != 1 || !names_one_process(name)) return std::nullopt;
    return channel == "stdout" ? list.front().stdout_log : list.front().stderr_log;
  }
  auto file = load_services_file(layout, service_base_environment(layout, current_environment()));
  for (const auto& [key, cfg] : file.programs) {
    if (namespec(group_of(cfg), process_of(cfg)) != name) continue;
    return (channel == "stdout" || cfg.redirect_stderr ? cfg.stdout_log.path : cfg.stderr_log.path).string();
  }
  return std::nullopt;
}

/// Prints the end of `path` as `options` say, following it until Ctrl-C with `follow`.
int print_log(const fs::path& path, const TailOptions& options, const std::string& who) {
  std::error_code ec;
  if (path.empty() || (!options.follow && !fs::exists(path, ec))) {
    out(who + ": ERROR (no log file)\n");
    return kExitFailure;
  }
  if (!options.follow) {
    std::fflush(stdout);
    tail_log(path, TailStart{options.lines, options.bytes}, false, 1);
    if (!options.lines) out("\n");  // supervisorctl prints the bytes, then a newline
    return kExitOk;
  }
  out("==> Press Ctrl-C to exit <==\n");
  std::fflush(stdout);
  fs::create_directories(path.parent_path(), ec);  // the supervisor has not run yet
  InterruptWatch interrupt;
  tail_log(path, TailStart{options.lines, kFollowHead}, true, 1, interrupt.fd());  // -n LINES, else 1024 bytes
  out("\n");
  return kExitOk;
}

}  // namespace

int dkm_tail(const InstallLayout& layout, const std::string& name, const TailOptions& options) {
  auto path = log_path(layout, name, options.channel);
  if (!path) {
    out(name + ": ERROR (no such process name)\n");
    return kExitFailure;
  }
  return print_log(*path, options, name);
}

int dkm_maintail(const InstallLayout& layout, const TailOptions& options) {
  return print_log(layout.supervisor_log(), options, "dkm");
}

}  // namespace dkm::supervise
