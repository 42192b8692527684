#pragma once
// The commands of `dkm`, supervisorctl's words over the control socket. Each prints
// what supervisorctl would print and returns the exit code supervisorctl 4 uses:
//   0 success; 1 failure or unknown name (start, stop, pid); 2 bad input (services file);
//   3 status: a service (or the supervisor) is not running; 4 status: unknown name;
//   7 the service or supervisor is not running (start failures, pid, reopenlogs).
// Implementation: libdkm/src/supervise/client.cpp.

#include <dkm/core/install_layout.hpp>

#include <string>
#include <vector>

namespace dkm::supervise {

/// Exit codes of `dkm` beyond dkm::ExitCode (supervisorctl's LSB codes).
enum DkmExitCode : int {
  kExitStatusNotRunning = 3,  ///< status: one asked for is not RUNNING, or no supervisor
  kExitStatusUnknown = 4,     ///< status: no such service
  kExitNotRunning = 7,        ///< start failed or timed out; pid of a stopped service
};

/// Seconds `dkm start` and `dkm restart` wait for RUNNING unless -t says otherwise.
inline constexpr double kDefaultStartTimeout = 90;

/// `dkm status [NAME...|all]`.
int dkm_status(const InstallLayout& layout, const std::vector<std::string>& names);
/// `dkm start [NAME...|all]`: starts the supervisor if needed, waits up to `timeout`
/// seconds for RUNNING (0: does not wait); `restart` stops running ones first.
int dkm_start(const InstallLayout& layout, const std::vector<std::string>& names, double timeout, bool restart);
/// `dkm stop [NAME...|all]`; no name: stops everything and ends the supervisor.
int dkm_stop(const InstallLayout& layout, const std::vector<std::string>& names);
/// `dkm pid [NAME...|all]`.
int dkm_pid(const InstallLayout& layout, const std::vector<std::string>& names);
/// `dkm reload`: the supervisor re-reads the services file and applies what changed.
int dkm_reload(const InstallLayout& layout);
/// `dkm reopenlogs`.
int dkm_reopenlogs(const InstallLayout& layout);
/// `dkm tail [-f] [-n N] NAME [stdout|stderr]`.
int dkm_tail(const InstallLayout& layout, const std::string& name, const std::string& channel, std::size_t lines,
             bool follow);
/// `dkm run NAME`: runs one service in the foreground (exec), without the supervisor.
int dkm_run(const InstallLayout& layout, const std::string& name);

}  // namespace dkm::supervise
