// Which programs a request's names mean: NAME, GROUP:NAME, GROUP:* and `all`.
#include "namespecs.hpp"

#include <algorithm>

namespace dkm::supervise {

namespace {

/// Adds a pick of `service` unless one is there already.
void add_pick(std::vector<Pick>& out, const Service& s, bool named) {
  auto same = [&](const Pick& p) { return p.service == s.cfg.name; };
  if (std::find_if(out.begin(), out.end(), same) != out.end()) return;
  out.push_back(Pick{s.cfg.name, named, Fault::kSuccess, process_of(s.cfg), group_of(s.cfg)});
}

/// The picks of one name that is not `all`.
void pick_one(const StateMachine& machine, const std::vector<std::string>& by_priority, const std::string& spec,
              std::vector<Pick>& out) {
  auto colon = spec.find(':');
  const std::string group = spec.substr(0, colon);
  const std::string process = colon == std::string::npos ? spec : spec.substr(colon + 1);
  const bool whole_group = colon != std::string::npos && (process.empty() || process == "*");
  bool found = false;
  for (const auto& service : by_priority) {
    const Service& s = *machine.find(service);
    if (group_of(s.cfg) != group || (!whole_group && process_of(s.cfg) != process)) continue;
    found = true;
    add_pick(out, s, !whole_group);
  }
  if (!found)
    out.push_back(Pick{"", !whole_group, whole_group ? Fault::kBadGroup : Fault::kBadName, whole_group ? group : process,
                       group});
}

}  // namespace

std::string group_of(const ProgramConfig& cfg) { return cfg.name; }

std::string process_of(const ProgramConfig& cfg) { return cfg.name; }

std::vector<Pick> pick(const StateMachine& machine, const std::vector<std::string>& specs) {
  std::vector<std::string> unknown;
  const std::vector<std::string> by_priority = machine.select({}, unknown);
  std::vector<Pick> out;
  if (specs.empty() || std::find(specs.begin(), specs.end(), "all") != specs.end()) {
    for (const auto& service : by_priority) add_pick(out, *machine.find(service), false);
    return out;
  }
  for (const auto& spec : specs) pick_one(machine, by_priority, spec, out);
  return out;
}

}  // namespace dkm::supervise
