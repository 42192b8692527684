// dkm's commands on the configuration, as supervisorctl's: reread, avail, add, remove,
// update and reload.
#include <dkm/supervise/client.hpp>

#include "client_support.hpp"
#include "control_socket.hpp"
#include "ctl_messages.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/process.hpp>
#include <dkm/supervise/services_file.hpp>

namespace dkm::supervise {

namespace {

using namespace std::chrono_literals;

/// A connection to the running supervisor; -1 (after saying so) when none runs.
int connect_or_say(const InstallLayout& layout) {
  int fd = connect_control_socket(layout.control_socket());
  if (fd < 0) out(not_running_message(layout));
  return fd;
}

/// Sends a request that re-reads the services file: an error answer is the file's fault
/// (exit 2, nothing changed), named by the supervisor.
nlohmann::json ask_reading(int fd, const Request& req) {
  nlohmann::json resp = call_control(fd, req, 24h);
  if (!resp.value("ok", false)) throw UsageError(resp.value("error", std::string("?")) + " (nothing changed)");
  if (resp.contains("warnings"))
    for (const auto& w : resp["warnings"]) err("dkm: warning: " + w.get<std::string>());
  return resp;
}

/// The groups a re-read found, from its answer.
ConfigChanges changes_of(const nlohmann::json& resp) {
  ConfigChanges c;
  c.added = resp.value("added", std::vector<std::string>{});
  c.changed = resp.value("changed", std::vector<std::string>{});
  c.removed = resp.value("removed", std::vector<std::string>{});
  return c;
}

/// add or remove.
int group_order(const InstallLayout& layout, Command command, const std::vector<std::string>& groups) {
  FdGuard fd{connect_or_say(layout)};
  if (fd.fd < 0) return kExitNotRunning;
  if (groups.empty()) return kExitOk;  // supervisorctl does nothing either
  CtlReport report = report_outcomes(outcomes_of(ask(fd.fd, Request{command, groups}, 60s)));
  out(report.text);
  return report.exit_code;
}

}  // namespace

int dkm_reread(const InstallLayout& layout) {
  FdGuard fd{connect_or_say(layout)};
  if (fd.fd < 0) return kExitNotRunning;
  out(reread_lines(changes_of(ask_reading(fd.fd, Request{Command::kReread}))));
  return kExitOk;
}

int dkm_avail(const InstallLayout& layout) {
  FdGuard fd{connect_or_say(layout)};
  if (fd.fd < 0) return kExitNotRunning;
  auto resp = ask(fd.fd, Request{Command::kAvail}, 30s);
  for (const auto& j : resp["programs"]) out(avail_line(j.get<ConfigInfo>()) + "\n");
  return kExitOk;
}

int dkm_add(const InstallLayout& layout, const std::vector<std::string>& groups) {
  return group_order(layout, Command::kAdd, groups);
}

int dkm_remove(const InstallLayout& layout, const std::vector<std::string>& groups) {
  return group_order(layout, Command::kRemove, groups);
}

int dkm_update(const InstallLayout& layout, const std::vector<std::string>& groups) {
  FdGuard fd{connect_control_socket(layout.control_socket())};
  if (fd.fd < 0) {
    // Nothing runs: check the file `dkm start` will read.
    auto file = load_services_file(layout, service_base_environment(layout, current_environment()));
    for (const auto& w : file.warnings) err("dkm: warning: " + w);
    out("dkm: the supervisor is not running; " + file.path.string() + " is valid and `dkm start` will use it\n");
    return kExitOk;
  }
  auto resp = ask_reading(fd.fd, Request{Command::kUpdate, request_names(groups)});
  int code = kExitOk;
  for (const auto& g : resp.value("unknown", std::vector<std::string>{})) {
    out("ERROR: no such group: " + g + "\n");
    code = kExitFailure;
  }
  out(update_lines(changes_of(resp)));
  return code;
}

int dkm_reload(const InstallLayout& layout) {
  FdGuard fd{connect_or_say(layout)};
  if (fd.fd < 0) return kExitNotRunning;
  ask_reading(fd.fd, Request{Command::kReload});
  out("Restarted supervisord\n");
  return kExitOk;
}

}  // namespace dkm::supervise
