// Orders that span services: which ones a request means (supervisorctl's names), and
// starting or stopping them by priority, a group of equal priority once the group before
// it has settled.
#include "state_machine.hpp"

#include <algorithm>
#include <tuple>

namespace dkm::supervise {

std::vector<std::string> StateMachine::listing() const {
  std::vector<const Service*> all;
  for (const auto& [name, s] : services_)
    if (!s->removed) all.push_back(s.get());
  // supervisorctl lists by group, then process: "solo" before "web:back".
  std::sort(all.begin(), all.end(), [](const Service* a, const Service* b) {
    return std::tie(a->cfg.group, a->cfg.process_name) < std::tie(b->cfg.group, b->cfg.process_name);
  });
  std::vector<std::string> out;
  for (const Service* s : all) out.push_back(s->cfg.name);
  return out;
}

std::vector<std::string> StateMachine::matching(const std::string& spec) const {
  // supervisorctl's names: GROUP:* (or GROUP:) is a whole group, GROUP:PROCESS one of
  // its processes, and NAME alone is NAME:NAME (a program whose group bears its name).
  size_t colon = spec.find(':');
  std::string group = spec.substr(0, colon);
  std::string process = colon == std::string::npos ? spec : spec.substr(colon + 1);
  bool whole_group = colon != std::string::npos && (process.empty() || process == "*");
  std::vector<std::string> out;
  for (const auto& name : listing()) {
    const ProgramConfig& cfg = services_.at(name)->cfg;
    if (cfg.group == group && (whole_group || cfg.process_name == process)) out.push_back(name);
  }
  return out;
}

std::vector<std::string> StateMachine::select(const std::vector<std::string>& names,
                                              std::vector<std::string>& unknown) const {
  std::vector<std::string> out;
  if (names.empty()) {
    out = listing();
    std::stable_sort(out.begin(), out.end(), [this](const std::string& a, const std::string& b) {
      return services_.at(a)->cfg.rank() < services_.at(b)->cfg.rank();
    });
    return out;
  }
  for (const auto& spec : names) {
    auto found = matching(spec);
    if (found.empty()) unknown.push_back(spec);
    for (auto& name : found)
      if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
  }
  return out;
}

std::vector<std::vector<std::string>> StateMachine::priority_groups(const std::vector<std::string>& names,
                                                                    bool highest_first) const {
  std::vector<const Service*> list;
  for (const auto& n : names) list.push_back(find(n));
  std::stable_sort(list.begin(), list.end(), [highest_first](const Service* a, const Service* b) {
    return highest_first ? a->cfg.rank() > b->cfg.rank() : a->cfg.rank() < b->cfg.rank();
  });
  std::vector<std::vector<std::string>> groups;
  std::pair<int, int> last;
  for (const Service* s : list) {
    if (groups.empty() || s->cfg.rank() != last) groups.emplace_back();
    groups.back().push_back(s->cfg.name);
    last = s->cfg.rank();
  }
  return groups;
}

void StateMachine::start_by_priority(const std::vector<std::string>& names, bool restart) {
  // What a service sends to (collectd to go-carbon) is listening before it starts.
  Batch batch{false, priority_groups(names, false)};
  for (std::size_t g = 0; g < batch.groups.size(); ++g) {
    for (const auto& name : batch.groups[g]) {
      Service& s = *services_.at(name);
      bool now = g == 0;
      if (restart && is_active_state(s.state)) {
        s.start_after_stop = now;
        stop(s);
      } else if (now) {
        start(s);
        continue;
      } else if (s.state == ServiceState::kStarting || s.state == ServiceState::kRunning) {
        continue;  // already on its way: nothing to queue
      }
      s.queued = !now;
    }
  }
  if (batch.groups.size() > 1) batches_.push_back(std::move(batch));
}

std::chrono::seconds StateMachine::stop_by_priority(const std::vector<std::string>& names) {
  // Highest first: collectd's last metrics reach go-carbon before it stops.
  Batch batch{true, priority_groups(names, true)};
  int longest = 0;
  for (std::size_t g = 0; g < batch.groups.size(); ++g) {
    int group_longest = 0;
    for (const auto& name : batch.groups[g]) {
      Service& s = *services_.at(name);
      s.start_after_stop = false;
      group_longest = std::max(group_longest, s.cfg.stopwaitsecs);
      // Only a live process waits for its turn; the rest (BACKOFF, ...) stop at once.
      if (g == 0 || (s.state != ServiceState::kStarting && s.state != ServiceState::kRunning)) stop(s);
      else s.queued = true;
    }
    longest += group_longest;
  }
  if (batch.groups.size() > 1) batches_.push_back(std::move(batch));
  return std::chrono::seconds(longest);
}

void StateMachine::advance_batches() {
  for (auto b = batches_.begin(); b != batches_.end();) {
    auto settled = [this, &b](const std::string& n) { return b->stopping ? stop_settled(n) : start_turn_over(n); };
    while (b->next < b->groups.size() &&
           std::all_of(b->groups[b->next - 1].begin(), b->groups[b->next - 1].end(), settled)) {
      for (const auto& name : b->groups[b->next]) {
        auto it = services_.find(name);
        if (it == services_.end() || it->second->removed || !it->second->queued) continue;
        it->second->queued = false;
        if (b->stopping) stop(*it->second);
        else start(*it->second);
      }
      ++b->next;
    }
    b = b->next >= b->groups.size() ? batches_.erase(b) : std::next(b);
  }
}

void StateMachine::start_autostart() {
  std::vector<std::string> unknown, autostart;
  for (const auto& name : select({}, unknown))
    if (services_.at(name)->cfg.autostart) autostart.push_back(name);
  start_by_priority(autostart, false);
  advance_batches();  // a first group with startsecs = 0 is RUNNING already
}

void StateMachine::shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  restart_.reset();
  batches_.clear();
  stop_by_priority(names());
}

void StateMachine::settle() {
  erase_removed();
  finish_restart();
  advance_batches();
}

}  // namespace dkm::supervise
