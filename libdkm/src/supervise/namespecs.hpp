#pragma once
// Which programs a request's names mean, as supervisorctl reads them: NAME (the process
// NAME of the group NAME: a plain [program:NAME]), GROUP:NAME, GROUP:* (every process of
// GROUP; GROUP: too) and `all`. A program named by itself gets its errors reported ("not
// running"); one reached through `all` or GROUP:* is skipped when the order does not
// concern it, as supervisord's startAllProcesses skips a running program.
// Implementation: libdkm/src/supervise/namespecs.cpp.

#include "state_machine.hpp"

#include "control_protocol.hpp"

#include <string>
#include <vector>

namespace dkm::supervise {

/// One program a request reaches, or a name that reaches none.
struct Pick {
  std::string service;         ///< the state machine's name of it; empty when `error` says why not
  bool named = false;          ///< named by itself (NAME, GROUP:NAME), not through `all` or GROUP:*
  Fault error = Fault::kSuccess;  ///< kBadName or kBadGroup when it names nothing
  std::string name, group;     ///< the process and group as supervisorctl shows them

  /// An outcome of `action` for this pick.
  Outcome outcome(Command action, Fault fault, std::string detail = "") const {
    return Outcome{action, name, group, fault, std::move(detail)};
  }
};

/// The group of a program (its own name for a plain [program:x]).
std::string group_of(const ProgramConfig& cfg);
/// The process name of a program within its group.
std::string process_of(const ProgramConfig& cfg);

/// The programs `specs` name, in order: each name's programs (a group's as listed) once;
/// an empty list or `all` among them means every program, by priority.
std::vector<Pick> pick(const StateMachine& machine, const std::vector<std::string>& specs);

}  // namespace dkm::supervise
