#pragma once
// Starting the supervisor from a client: `dkm` runs itself as `dkm supervise --daemon`,
// detached (a session of its own, no controlling terminal, init as its parent), and waits
// for its start-up report. Two clients racing both end up talking to the same one.
// Implementation: libdkm/src/supervise/launch.cpp.

#include <dkm/core/install_layout.hpp>

#include <string>
#include <vector>

namespace dkm::supervise {

/// A connection to the install's supervisor, and whether this call started it.
struct SupervisorConnection {
  int fd = -1;
  bool started = false;
  std::vector<std::string> warnings;  ///< reported by a supervisor started now
};

/// Connects to the supervisor, starting it detached when none runs. Throws Error (with
/// the supervisor's exit code: 2 for a bad services file) when it cannot start.
SupervisorConnection connect_or_start_supervisor(const InstallLayout& layout);

}  // namespace dkm::supervise
