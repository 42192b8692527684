// What a control request on the configuration means: reread (read the services file and
// say what changed), avail, add and remove (a group of the file read last), update (read
// and apply) and reload (read, stop everything, start again). A file that does not parse
// changes nothing; the answer names its line.
#include "supervisor.hpp"

#include "namespecs.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <unistd.h>

#include <algorithm>

namespace dkm::supervise {

namespace {

/// The reply of reread and update: what changed, by group.
std::string changes_reply(const ReloadResult& r, const std::vector<std::string>& unknown = {}) {
  return json_line(nlohmann::json{{"ok", true},           {"supervisor_pid", ::getpid()}, {"added", r.added},
                                  {"changed", r.changed}, {"removed", r.removed},        {"warnings", r.warnings},
                                  {"unknown", unknown}});
}

}  // namespace

Supervisor::Config Supervisor::read_config() const {
  Config c;
  c.env = service_base_environment(layout_, startup_env_);
  ExpansionContext ctx = expansion_context(layout_);
  ctx.env = c.env;
  c.file = parse_services_file(read_file(services_path_), services_path_, ctx);
  return c;
}

void Supervisor::take_config(Config config) {
  config_ = std::move(config);
  processes_.set_base_environment(config_.env);
}

ReloadResult Supervisor::update(const std::vector<std::string>& groups) {
  take_config(read_config());
  return machine_.update(config_.file, groups);
}

void Supervisor::handle_reread(ConnectionId id) {
  try {
    config_ = read_config();  // applied by a later add or update (the environment too)
  } catch (const Error& e) {
    log_.error(std::string("reread failed: ") + e.what());
    server_.reply(id, error_response(e.what()));
    return;
  }
  server_.reply(id, changes_reply(machine_.diff(config_.file)));
}

void Supervisor::handle_avail(ConnectionId id) {
  std::vector<ConfigInfo> list;
  for (const auto& [name, cfg] : config_.file.programs) {
    std::string group = group_of(cfg);
    list.push_back(ConfigInfo{process_of(cfg), group, machine_.group_in_use(group), cfg.autostart, cfg.group_priority,
                              cfg.priority});
  }
  // supervisord sorts them by process name.
  std::stable_sort(list.begin(), list.end(), [](const ConfigInfo& a, const ConfigInfo& b) { return a.name < b.name; });
  server_.reply(id, json_line(nlohmann::json{{"ok", true}, {"supervisor_pid", ::getpid()}, {"programs", list}}));
}

void Supervisor::handle_add_remove(ConnectionId id, const Request& req) {
  bool add = req.command == Command::kAdd;
  if (add) processes_.set_base_environment(config_.env);
  std::vector<Outcome> outcomes;
  for (const auto& group : req.names) {
    Fault f = add ? machine_.add_group(config_.file, group) : machine_.remove_group(group);
    outcomes.push_back(Outcome{req.command, group, group, f, ""});
    if (f == Fault::kSuccess) log_.info(std::string(add ? "added" : "removed") + " process group '" + group + "'");
  }
  server_.reply(id, outcomes_reply(outcomes));
}

void Supervisor::handle_update(ConnectionId id, const Request& req) {
  std::vector<std::string> groups, unknown;
  bool all = req.names.empty() || std::find(req.names.begin(), req.names.end(), "all") != req.names.end();
  Config read;
  try {
    read = read_config();
  } catch (const Error& e) {
    log_.error(std::string("update failed, nothing changed: ") + e.what());
    server_.reply(id, error_response(e.what()));
    return;
  }
  if (!all) {
    ReloadResult known = machine_.diff(read.file);
    for (const auto& g : req.names) {
      bool exists = machine_.group_in_use(g) || std::count(known.added.begin(), known.added.end(), g);
      (exists ? groups : unknown).push_back(g);
    }
    if (groups.empty()) groups.push_back("");  // none of them: touch nothing
  }
  take_config(std::move(read));
  ReloadResult r = machine_.update(config_.file, groups);
  log_.info("update: " + reload_summary(r));
  std::vector<std::string> touched;
  for (const auto& name : machine_.names()) {
    std::string g = group_of(machine_.find(name)->cfg);
    if (std::count(r.removed.begin(), r.removed.end(), g) || std::count(r.changed.begin(), r.changed.end(), g))
      touched.push_back(name);
  }
  add_waiter(
      id, std::chrono::seconds(3600),
      [this, touched] {
        return std::none_of(touched.begin(), touched.end(), [this](const std::string& n) { return machine_.reload_pending(n); });
      },
      [r, unknown](bool) { return changes_reply(r, unknown); });
}

void Supervisor::handle_reload(ConnectionId id) {
  try {
    take_config(read_config());
  } catch (const Error& e) {
    log_.error(std::string("reload failed, nothing changed: ") + e.what());
    server_.reply(id, error_response(e.what()));
    return;
  }
  log_.info("reload: stopping every service, then starting them again from " + services_path_.string());
  for (const auto& w : config_.file.warnings) log_.warn(w);
  machine_.restart_all(config_.file);
  server_.reply(id, json_line(nlohmann::json{{"ok", true}, {"supervisor_pid", ::getpid()}, {"warnings", config_.file.warnings}}));
}

}  // namespace dkm::supervise
