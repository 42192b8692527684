// Reload: a new services file applied to the running services, and removal.
#include "state_machine.hpp"

#include <dkm/core/strings.hpp>

namespace dkm::supervise {

std::string reload_summary(const ReloadResult& r) {
  auto list = [](const std::vector<std::string>& v) { return v.empty() ? std::string("none") : join(v, ", "); };
  return "added " + list(r.added) + "; changed " + list(r.changed) + "; removed " + list(r.removed);
}

ReloadResult StateMachine::reload(const ServicesFile& file) {
  ReloadResult r;
  r.warnings = file.warnings;
  for (auto& [name, s] : services_) {
    if (s->removed || file.programs.count(name)) continue;
    r.removed.push_back(name);
    s->remove_after_stop = true;
    s->start_after_stop = false;
    if (is_active_state(s->state)) stop(*s);
    else s->removed = true;
  }
  for (const auto& name : file.start_order()) {
    const ProgramConfig& cfg = file.programs.at(name);
    auto it = services_.find(name);
    if (it == services_.end() || it->second->removed) {
      if (it != services_.end()) continue;  // still stopping under its old definition
      r.added.push_back(name);
      add(cfg);
      if (cfg.autostart) start(*services_.at(name));
      continue;
    }
    Service& s = *it->second;
    if (s.cfg == cfg && !s.next_config) continue;
    r.changed.push_back(name);
    if (is_active_state(s.state)) {
      s.next_config = cfg;
      s.start_after_stop = true;
      stop(s);
    } else {
      s.cfg = cfg;
    }
  }
  return r;
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
