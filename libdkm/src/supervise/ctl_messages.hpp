#pragma once
// supervisorctl's words and exit codes for what the supervisor answered: one line per
// outcome ("a: started", "b: ERROR (spawn error)", "ERROR: no such process/group: c"),
// reread's and update's summaries, avail's table. supervisorctl 4.2.5 sets its exit
// status from each failing result in turn (the last one wins), ignoring "already
// started" for start and "not running" for stop; these rules are its own
// (supervisor/supervisorctl.py), kept here without any system call.
// Implementation: libdkm/src/supervise/ctl_messages.cpp.

#include "control_protocol.hpp"

#include <string>
#include <vector>

namespace dkm::supervise {

/// What a list of outcomes prints and the exit code it leaves.
struct CtlReport {
  std::string text;   ///< lines, each ending with a newline
  int exit_code = 0;  ///< supervisorctl's
};

/// supervisorctl's line for one outcome, without the newline (a start that timed out
/// adds the last lines of the program's log, indented, below it).
std::string outcome_line(const Outcome& o);

/// The exit code once `o` is reported, `current` before it.
int exit_code_after(int current, const Outcome& o);

/// The lines of `outcomes` in order and the exit code they leave, from `exit_code`.
CtlReport report_outcomes(const std::vector<Outcome>& outcomes, int exit_code = 0);

/// What a configuration re-read found, by group.
struct ConfigChanges {
  std::vector<std::string> added, changed, removed;
};

/// reread's lines: "g: available", "g: changed", "g: disappeared" sorted by name, or
/// "No config updates to processes".
std::string reread_lines(const ConfigChanges& changes);

/// update's lines for what it applied: each removed group "stopped" then "removed
/// process group", each changed one "stopped" then "updated process group", each added
/// one "added process group".
std::string update_lines(const ConfigChanges& applied);

/// avail's line for one program: name, "in use" or "avail", "auto" or "manual",
/// GROUP_PRIORITY:PRIORITY, in supervisorctl's columns.
std::string avail_line(const ConfigInfo& info);

}  // namespace dkm::supervise
