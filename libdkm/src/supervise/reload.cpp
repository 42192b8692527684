// supervisorctl's configuration orders on the running services: reread's diff, update,
// add, remove and reload (stop everything, take the new file, start again); and removal.
#include "state_machine.hpp"

#include "namespecs.hpp"

#include <dkm/core/strings.hpp>

#include <algorithm>
#include <set>

namespace dkm::supervise {

namespace {

/// The programs of `file` in group `group`, by priority.
std::vector<const ProgramConfig*> group_programs(const ServicesFile& file, const std::string& group) {
  std::vector<const ProgramConfig*> out;
  for (const auto& name : file.start_order())
    if (group_of(file.programs.at(name)) == group) out.push_back(&file.programs.at(name));
  return out;
}

/// True for a service in use: not dropped, and not stopping to be dropped.
bool in_use(const Service& s) { return !s.removed && !s.remove_after_stop; }

/// The groups of `file`, by priority, each once.
std::vector<std::string> file_groups(const ServicesFile& file) {
  std::vector<std::string> out;
  for (const auto& name : file.start_order()) {
    std::string g = group_of(file.programs.at(name));
    if (std::find(out.begin(), out.end(), g) == out.end()) out.push_back(g);
  }
  return out;
}

}  // namespace

std::string reload_summary(const ReloadResult& r) {
  auto list = [](const std::vector<std::string>& v) { return v.empty() ? std::string("none") : join(v, ", "); };
  return "added " + list(r.added) + "; changed " + list(r.changed) + "; removed " + list(r.removed);
}

bool StateMachine::group_in_use(const std::string& group) const {
  return std::any_of(services_.begin(), services_.end(),
                     [&](const auto& entry) { return in_use(*entry.second) && group_of(entry.second->cfg) == group; });
}

ReloadResult StateMachine::diff(const ServicesFile& file) const {
  ReloadResult r;
  r.warnings = file.warnings;
  std::set<std::string> in_file;
  for (const auto& group : file_groups(file)) {
    in_file.insert(group);
    if (!group_in_use(group)) {
      r.added.push_back(group);
      continue;
    }
    std::vector<const ProgramConfig*> now;
    for (const auto& [name, s] : services_)
      if (in_use(*s) && group_of(s->cfg) == group) now.push_back(s->next_config ? &*s->next_config : &s->cfg);
    auto wanted = group_programs(file, group);
    bool same = now.size() == wanted.size() && std::all_of(wanted.begin(), wanted.end(), [&](const ProgramConfig* w) {
                  return std::any_of(now.begin(), now.end(), [&](const ProgramConfig* n) { return *n == *w; });
                });
    if (!same) r.changed.push_back(group);
  }
  for (const auto& [name, s] : services_) {
    std::string group = group_of(s->cfg);
    if (in_use(*s) && !in_file.count(group) && std::find(r.removed.begin(), r.removed.end(), group) == r.removed.end())
      r.removed.push_back(group);
  }
  return r;
}

ReloadResult StateMachine::update(const ServicesFile& file, const std::vector<std::string>& groups) {
  ReloadResult all = diff(file), r;
  r.warnings = all.warnings;
  auto wanted = [&](const std::string& g) { return groups.empty() || std::find(groups.begin(), groups.end(), g) != groups.end(); };
  for (const auto& g : all.removed) {
    if (!wanted(g)) continue;
    r.removed.push_back(g);
    for (auto& [name, s] : services_) {
      if (!in_use(*s) || group_of(s->cfg) != g) continue;
      s->remove_after_stop = true;
      s->start_after_stop = false;
      if (is_active_state(s->state)) stop(*s);
      else s->removed = true;
    }
  }
  for (const auto& g : all.changed) {
    if (!wanted(g)) continue;
    r.changed.push_back(g);
    for (auto& [name, s] : services_)  // services the group no longer has
      if (in_use(*s) && group_of(s->cfg) == g && !file.programs.count(name)) {
        s->remove_after_stop = true;
        if (is_active_state(s->state)) stop(*s);
        else s->removed = true;
      }
    for (const ProgramConfig* cfg : group_programs(file, g)) {
      auto it = services_.find(cfg->name);
      if (it != services_.end() && !in_use(*it->second)) continue;  // still stopping to be dropped
      if (it == services_.end()) {
        add(*cfg);
        if (cfg->autostart) start(*services_.at(cfg->name));
        continue;
      }
      Service& s = *it->second;
      if (s.cfg == *cfg && !s.next_config) continue;
      if (is_active_state(s.state)) {
        // dkm restarts a changed service that ran (supervisord starts it only when autostart).
        s.next_config = *cfg;
        s.start_after_stop = true;
        stop(s);
      } else {
        s.cfg = *cfg;
        if (cfg->autostart) start(s);
      }
    }
  }
  for (const auto& g : all.added)
    if (wanted(g) && add_group(file, g) == Fault::kSuccess) r.added.push_back(g);
  return r;
}

Fault StateMachine::add_group(const ServicesFile& file, const std::string& group) {
  auto programs = group_programs(file, group);
  if (programs.empty()) return Fault::kBadName;
  if (group_in_use(group)) return Fault::kAlreadyAdded;
  // A service of that name still stopping under an earlier removal keeps its place until it is gone.
  for (const ProgramConfig* cfg : programs)
    if (services_.count(cfg->name)) return Fault::kStillRunning;
  std::vector<std::string> autostart;
  for (const ProgramConfig* cfg : programs) {
    add(*cfg);
    if (cfg->autostart) autostart.push_back(cfg->name);
  }
  start_by_priority(autostart, false);
  return Fault::kSuccess;
}

Fault StateMachine::remove_group(const std::string& group) {
  if (!group_in_use(group)) return Fault::kBadName;
  for (const auto& [name, s] : services_)
    if (in_use(*s) && group_of(s->cfg) == group && (!is_stopped_state(s->state) || s->queued)) return Fault::kStillRunning;
  for (auto& [name, s] : services_)
    if (group_of(s->cfg) == group) s->removed = true;
  return Fault::kSuccess;
}

void StateMachine::restart_all(const ServicesFile& file) {
  Restart plan{file, {}};
  for (const auto& [name, s] : services_)
    if (!s->removed && (is_active_state(s->state) || s->queued) && s->state != ServiceState::kStopping)
      plan.were_running.push_back(name);
  restart_ = std::move(plan);
  batches_.clear();
  std::vector<std::string> unknown;
  stop_by_priority(select({}, unknown));
}

void StateMachine::finish_restart() {
  if (!restart_ || !all_stopped()) return;
  Restart plan = std::move(*restart_);
  restart_.reset();
  for (auto& [name, s] : services_) s->removed = true;
  erase_removed();
  std::vector<std::string> to_start;
  for (const auto& name : plan.file.start_order()) {
    const ProgramConfig& cfg = plan.file.programs.at(name);
    add(cfg);
    bool ran = std::find(plan.were_running.begin(), plan.were_running.end(), name) != plan.were_running.end();
    // dkm also starts again what ran (an install's services are autostart = false, started by `dkm start`).
    if (cfg.autostart || ran) to_start.push_back(name);
  }
  log_.info("reload: took " + plan.file.path.string() + ", starting " + std::to_string(to_start.size()) + " services");
  start_by_priority(to_start, false);
}

void StateMachine::erase_removed() {
  for (auto it = services_.begin(); it != services_.end();) {
    Service& s = *it->second;
    if (!s.removed || s.state == ServiceState::kStopping) {
      ++it;
      continue;
    }
    stop_probe(s);
    timers_.cancel(s.timer);
    for (auto l = leaders_.begin(); l != leaders_.end();) l = l->second == &s ? leaders_.erase(l) : std::next(l);
    log_.info("removed: '" + s.cfg.name + "'");
    processes_.forget(s.cfg.name);
    it = services_.erase(it);
  }
}

}  // namespace dkm::supervise
