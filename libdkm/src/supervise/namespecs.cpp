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
void pick_one(const StateMachine& machine, const std::string& spec, std::vector<Pick>& out) {
  auto colon = spec.find(':');
  const std::string group = spec.substr(0, colon);
  const std::string process = colon == std::string::npos ? spec : spec.substr(colon + 1);
  const bool whole_group = colon != std::string::npos && (process.empty() || process == "*");
  auto found = machine.matching(spec);
  for (const auto& service : found) add_pick(out, *machine.find(service), !whole_group);
  if (found.empty())
    out.push_back(Pick{"", !whole_group, whole_group ? Fault::kBadGroup : Fault::kBadName, whole_group ? group : process,
                       group});
}

}  // namespace

std::string group_of(const ProgramConfig& cfg) { return cfg.group.empty() ? cfg.name : cfg.group; }

std::string process_of(const ProgramConfig& cfg) { return cfg.process_name.empty() ? cfg.name : cfg.process_name; }

std::vector<Pick> pick(const StateMachine& machine, const std::vector<std::string>& specs) {
  std::vector<Pick> out;
  if (specs.empty() || std::find(specs.begin(), specs.end(), "all") != specs.end()) {
    std::vector<std::string> unknown;
    for (const auto& service : machine.select({}, unknown)) add_pick(out, *machine.find(service), false);
    return out;
  }
  for (const auto& spec : specs) pick_one(machine, spec, out);
  return out;
}

}  // namespace dkm::supervise
