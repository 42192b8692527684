// Whose each process under the supervisor is, and the dkm.procs record of it.
#include "descendants.hpp"

#include <dkm/core/strings.hpp>

#include <cstdlib>
#include <optional>

namespace dkm::supervise {

namespace {

/// True when `text` is all decimal digits (and not empty).
bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

std::vector<ProcNode> subtree_of(const std::vector<ProcNode>& all, pid_t root) {
  std::multimap<pid_t, const ProcNode*> children;
  for (const auto& p : all) children.emplace(p.ppid, &p);
  std::vector<ProcNode> out;
  std::vector<pid_t> todo{root};
  while (!todo.empty() && out.size() <= all.size()) {
    pid_t parent = todo.back();
    todo.pop_back();
    for (auto [it, end] = children.equal_range(parent); it != end; ++it) {
      out.push_back(*it->second);
      todo.push_back(it->second->pid);
    }
  }
  return out;
}

std::vector<TrackedProcess> attribute_descendants(const std::vector<ProcNode>& subtree,
                                                  const std::map<pid_t, std::string>& runs,
                                                  const std::vector<TrackedProcess>& known) {
  std::map<pid_t, const ProcNode*> nodes;
  for (const auto& p : subtree) nodes[p.pid] = &p;
  std::map<pid_t, const TrackedProcess*> previous;
  for (const auto& t : known) previous[t.pid] = &t;

  // What a process tells by itself: its process group, or what it was known as.
  auto direct = [&](const ProcNode& p) -> std::optional<pid_t> {
    if (runs.count(p.pgid)) return p.pgid;
    auto k = previous.find(p.pid);
    if (k != previous.end() && k->second->starttime == p.starttime && k->second->run > 0) return k->second->run;
    return std::nullopt;
  };
  std::map<pid_t, pid_t> run_of;
  for (const auto& [pid, node] : nodes) {
    // Up the parent chain to the first process whose run is known (or to the top of the
    // subtree); everything on the way belongs to that run.
    std::vector<pid_t> chain;
    pid_t run = 0;
    for (const ProcNode* p = node; p && chain.size() <= nodes.size();) {
      if (auto o = run_of.find(p->pid); o != run_of.end()) {
        run = o->second;
        break;
      }
      chain.push_back(p->pid);
      if (auto d = direct(*p)) {
        run = *d;
        break;
      }
      auto parent = nodes.find(p->ppid);
      p = parent == nodes.end() ? nullptr : parent->second;
    }
    for (pid_t c : chain) run_of.emplace(c, run);
  }
  std::map<pid_t, std::string> service_of_run = runs;  // and the runs only `known` still remembers
  for (const auto& t : known)
    if (t.run > 0) service_of_run.emplace(t.run, t.service);
  std::vector<TrackedProcess> out;
  for (const auto& [pid, node] : nodes) {
    pid_t run = run_of[pid];
    out.push_back({pid, node->starttime, run > 0 ? service_of_run[run] : std::string(), run});
  }
  return out;
}

std::string render_procs_file(const std::vector<TrackedProcess>& processes) {
  std::string out = "# Processes of this install's services, kept by its supervisor: PID STARTTIME SERVICE\n";
  for (const auto& p : processes)
    out += std::to_string(p.pid) + " " + std::to_string(p.starttime) + " " + p.service + "\n";
  return out;
}

std::vector<TrackedProcess> parse_procs_file(std::string_view text) {
  std::vector<TrackedProcess> out;
  for (const auto& line : split(text, '\n')) {
    if (line.empty() || line.front() == '#') continue;
    auto fields = split(line, ' ');
    if (fields.size() < 2 || fields.size() > 3 || !all_digits(fields[0]) || !all_digits(fields[1])) continue;
    TrackedProcess p;
    p.pid = static_cast<pid_t>(std::strtol(fields[0].c_str(), nullptr, 10));
    p.starttime = std::strtoull(fields[1].c_str(), nullptr, 10);
    if (fields.size() == 3) p.service = fields[2];
    if (p.pid > 1) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace dkm::supervise
