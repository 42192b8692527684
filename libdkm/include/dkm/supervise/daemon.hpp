#pragma once
// Running one install's supervisor as a process: the lock that makes it the only one
// (run/dkm.lock, held for its whole life, released by the kernel even on SIGKILL), the
// pid file, the leftovers of a supervisor that died, the control socket, and the
// start-up report to the client that spawned it (StartupReport lines on a pipe: its pid,
// warnings, then ready, busy or an error).
// Implementation: libdkm/src/supervise/daemon.cpp.

#include <dkm/core/install_layout.hpp>

#include <string>

namespace dkm::supervise {

/// How `dkm supervise` runs.
struct SuperviseOptions {
  bool daemon = false;  ///< detached: stdout/stderr into run/dkm.log, no echo
  int notify_fd = -1;   ///< start-up report for the spawning client; -1: none
  std::string version;  ///< what `dkm version` reports (the front end's)
};

/// Runs the supervisor of `layout` in this process until it is shut down; the exit code.
int run_supervisor(const InstallLayout& layout, const SuperviseOptions& options);

}  // namespace dkm::supervise
