// supervisorctl's words and exit codes for the supervisor's answers.
#include "ctl_messages.hpp"

#include <dkm/core/strings.hpp>

#include <algorithm>
#include <cstdio>
#include <map>

namespace dkm::supervise {

namespace {

// supervisorctl's exit codes (its LSBInitExitStatuses).
constexpr int kGeneric = 1;
constexpr int kInvalidArgs = 2;
constexpr int kNotRunning = 7;

/// "(no such process)" and the like: the ERROR text of a fault, as supervisorctl's
/// _startresult, _signalresult and _clearresult word it.
std::string error_text(Fault f) {
  switch (f) {
    case Fault::kBadName: return "no such process";
    case Fault::kNoFile: return "no such file";
    case Fault::kNotExecutable: return "file is not executable";
    case Fault::kAlreadyStarted: return "already started";
    case Fault::kSpawnError: return "spawn error";
    case Fault::kAbnormalTermination: return "abnormal termination";
    case Fault::kNotRunning: return "not running";
    case Fault::kBadSignal: return "bad signal name";
    default: return "failed";
  }
}

/// What a successful order says.
const char* success_word(Command action) {
  switch (action) {
    case Command::kStop: return "stopped";
    case Command::kSignal: return "signalled";
    case Command::kClear: return "cleared";
    default: return "started";
  }
}

/// add's and remove's lines (supervisorctl's do_add, do_remove).
std::string group_order_line(const Outcome& o) {
  bool add = o.action == Command::kAdd;
  switch (o.fault) {
    case Fault::kSuccess: return o.name + (add ? ": added process group" : ": removed process group");
    case Fault::kAlreadyAdded: return "ERROR: process group already active";
    case Fault::kStillRunning: return "ERROR: process/group still running: " + o.name;
    case Fault::kBadName: return "ERROR: no such process/group: " + o.name;
    default: return "ERROR: " + (o.detail.empty() ? o.name : o.detail);
  }
}

}  // namespace

std::string outcome_line(const Outcome& o) {
  if (o.action == Command::kAdd || o.action == Command::kRemove) return group_order_line(o);
  const std::string name = namespec(o.group, o.name);
  switch (o.fault) {
    case Fault::kSuccess: return name + ": " + success_word(o.action);
    case Fault::kBadGroup: return o.group + ": ERROR (no such group)";
    case Fault::kNotWaited: return name + ": starting";
    case Fault::kTimedOut: {
      // dkm's own -t: what the log says comes with it (supervisorctl has no timeout).
      std::string text = name + ": ERROR (" + o.detail + ")";
      if (!o.log_tail.empty()) text += "\n  last lines of " + o.log_path + ":";
      for (const auto& line : split(o.log_tail, '\n'))
        if (!line.empty()) text += "\n    " + line;
      return text;
    }
    case Fault::kFailed:
      // stop and signal print the supervisor's own message (supervisorctl's FAILED case).
      if ((o.action == Command::kStop || o.action == Command::kSignal) && !o.detail.empty()) return o.detail;
      return name + ": ERROR (failed)";
    default: return name + ": ERROR (" + error_text(o.fault) + ")";
  }
}

int exit_code_after(int current, const Outcome& o) {
  switch (o.fault) {
    case Fault::kSuccess:
    case Fault::kNotWaited:
      return current;
    case Fault::kAlreadyStarted:
      return o.action == Command::kStart ? current : kGeneric;
    case Fault::kAlreadyAdded:
      return current;  // supervisorctl's add says so and carries on
    case Fault::kNotRunning:
      if (o.action == Command::kStop) return current;
      return o.action == Command::kSignal || o.action == Command::kStart ? kNotRunning : kGeneric;
    case Fault::kSpawnError:
    case Fault::kAbnormalTermination:
    case Fault::kTimedOut:
      return kNotRunning;
    case Fault::kBadGroup:
      return o.action == Command::kStart ? kInvalidArgs : kGeneric;
    default:
      return kGeneric;
  }
}

CtlReport report_outcomes(const std::vector<Outcome>& outcomes, int exit_code) {
  CtlReport r{"", exit_code};
  for (const auto& o : outcomes) {
    r.text += outcome_line(o) + "\n";
    r.exit_code = exit_code_after(r.exit_code, o);
  }
  return r;
}

std::string reread_lines(const ConfigChanges& changes) {
  std::map<std::string, std::string> lines;
  for (const auto& g : changes.added) lines[g] = "available";
  for (const auto& g : changes.changed) lines[g] = "changed";
  for (const auto& g : changes.removed) lines[g] = "disappeared";
  if (lines.empty()) return "No config updates to processes\n";
  std::string out;
  for (const auto& [group, what] : lines) out += group + ": " + what + "\n";
  return out;
}

std::string update_lines(const ConfigChanges& applied) {
  std::string out;
  for (const auto& g : applied.removed) out += g + ": stopped\n" + g + ": removed process group\n";
  for (const auto& g : applied.changed) out += g + ": stopped\n" + g + ": updated process group\n";
  for (const auto& g : applied.added) out += g + ": added process group\n";
  return out;
}

std::string avail_line(const ConfigInfo& info) {
  // supervisorctl's template: '%(name)-32s %(inuse)-9s %(autostart)-9s %(priority)s'
  char line[512];
  std::snprintf(line, sizeof line, "%-32s %-9s %-9s %d:%d", namespec(info.group, info.name).c_str(),
                info.in_use ? "in use" : "avail", info.autostart ? "auto" : "manual", info.group_priority,
                info.priority);
  return line;
}

}  // namespace dkm::supervise
