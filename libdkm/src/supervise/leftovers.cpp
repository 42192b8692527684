// Which processes are the leftovers of a killed supervisor: proven by the processes
// themselves (marker or recorded start time, and the owner's uid), never by a pid file.
#include "leftovers.hpp"

namespace dkm::supervise {

std::vector<Leftover> select_leftovers(const std::vector<ProcessFacts>& processes,
                                       const std::vector<TrackedProcess>& recorded, uid_t owner,
                                       const std::set<pid_t>& exclude) {
  std::map<pid_t, const TrackedProcess*> records;
  for (const auto& r : recorded) records[r.pid] = &r;
  std::map<pid_t, const ProcessFacts*> eligible;  // the owner's, not excluded
  for (const auto& p : processes)
    if (p.real_uid == owner && p.effective_uid == owner && !exclude.count(p.pid)) eligible[p.pid] = &p;

  std::map<pid_t, std::string> found;  // pid -> service
  for (const auto& [pid, p] : eligible) {
    auto r = records.find(pid);
    bool recorded_here = r != records.end() && r->second->starttime == p->starttime;
    if (!p->marked && !recorded_here) continue;
    found[pid] = recorded_here && !r->second->service.empty() ? r->second->service : p->service;
  }
  // Descendants go with their ancestors, until no process is added.
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [pid, p] : eligible) {
      if (found.count(pid)) continue;
      auto parent = found.find(p->ppid);
      if (parent == found.end()) continue;
      found[pid] = parent->second;
      grew = true;
    }
  }
  std::vector<Leftover> out;
  for (const auto& [pid, service] : found) out.push_back({pid, eligible.at(pid)->starttime, service});
  return out;
}

}  // namespace dkm::supervise
