#pragma once
// Processes a supervisor left behind when it was killed (SIGKILL, OOM): its services
// keep running without anyone reading their output. The next supervisor (or `dkm stop`)
// finds them through run/NAME.pid and the marker every service carries in its
// environment (DKM_SUPERVISOR_RUN=DIR/run), and stops them, so a service never runs twice.
// Implementation: libdkm/src/supervise/leftovers.cpp.

#include <dkm/core/files.hpp>
#include <dkm/core/install_layout.hpp>
#include <dkm/core/proc_info.hpp>
#include <dkm/supervise/services_file.hpp>

#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace dkm::supervise {

/// The environment variable every service of an install carries (its value: DIR/run).
inline constexpr const char* kServiceMarker = "DKM_SUPERVISOR_RUN";

/// The marker entry of an install, "DKM_SUPERVISOR_RUN=DIR/run".
inline std::string service_marker(const InstallLayout& layout) {
  return std::string(kServiceMarker) + "=" + layout.run().string();
}

/// A process of the install that no supervisor watches.
struct Leftover {
  pid_t pid = 0;
  std::string service;  ///< from its pid file or SUPERVISOR_GROUP_NAME:SUPERVISOR_PROCESS_NAME; may be empty
};

/// The service pid files of run/ (NAME.pid, not dkm.pid) as name -> path.
std::map<std::string, fs::path> service_pid_files(const InstallLayout& layout);

/// Finds the live processes of the install's services that no supervisor watches.
/// Call it only while holding the supervisor lock (or knowing no supervisor runs).
std::vector<Leftover> find_leftovers(const InstallLayout& layout);

/// Stops leftovers: each service's stopsignal (to its process group when it leads one),
/// SIGKILL after its stopwaitsecs; waits with pidfds, not by polling. Removes the stale
/// pid files. `log` receives one line per action.
void stop_leftovers(const InstallLayout& layout, const std::vector<Leftover>& leftovers,
                           const std::map<std::string, ProgramConfig>& configs,
                           const std::function<void(const std::string&)>& log);

}  // namespace dkm::supervise
