#pragma once
// The commands of `dkm`, supervisorctl's words over the control socket. Each prints
// what supervisorctl 4.2.5 would print (ctl_messages.hpp) and returns the exit code it
// uses: 0 success; 1 failure or unknown name; 2 bad input (services file; start of
// GROUP:* with no such group); 3 status: a program is stopped (or no supervisor);
// 4 status: unknown name; 7 a program or the supervisor is not running.
// Implementation: libdkm/src/supervise/client.cpp (programs), ctl_config.cpp
// (configuration), ctl_logs.cpp (tail, maintail), ctl_fg.cpp (fg).

#include <dkm/core/install_layout.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace dkm::supervise {

/// Exit codes of `dkm` beyond dkm::ExitCode (supervisorctl's LSB codes).
enum DkmExitCode : int {
  kExitStatusNotRunning = 3,  ///< status: one asked for is stopped (STOPPED, EXITED, FATAL), or no supervisor
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
/// `dkm shutdown`: stops everything and ends the supervisor ("Shut down").
int dkm_shutdown(const InstallLayout& layout);
/// `dkm signal SIG NAME...|all`.
int dkm_signal(const InstallLayout& layout, const std::string& signal, const std::vector<std::string>& names);
/// `dkm clear NAME...|all`: empties the programs' logs.
int dkm_clear(const InstallLayout& layout, const std::vector<std::string>& names);
/// `dkm pid [NAME...|all]`.
int dkm_pid(const InstallLayout& layout, const std::vector<std::string>& names);
/// `dkm reread`: the supervisor re-reads the services file and says what changed.
int dkm_reread(const InstallLayout& layout);
/// `dkm avail`: every program of the file read last, in use or not.
int dkm_avail(const InstallLayout& layout);
/// `dkm add GROUP...`: activates groups of the file read last.
int dkm_add(const InstallLayout& layout, const std::vector<std::string>& groups);
/// `dkm remove GROUP...`: drops stopped groups.
int dkm_remove(const InstallLayout& layout, const std::vector<std::string>& groups);
/// `dkm update [GROUP...|all]`: re-reads the services file and applies what changed.
int dkm_update(const InstallLayout& layout, const std::vector<std::string>& groups);
/// `dkm reload`: re-reads the services file, stops everything and starts it again.
int dkm_reload(const InstallLayout& layout);
/// `dkm reopenlogs`.
int dkm_reopenlogs(const InstallLayout& layout);
/// `dkm version`: the running supervisor's version.
int dkm_version(const InstallLayout& layout);

/// What `dkm tail` and `dkm maintail` print.
struct TailOptions {
  std::string channel = "stdout";   ///< tail: stdout or stderr
  std::size_t bytes = 1600;         ///< the last bytes (supervisorctl's -BYTES)
  std::optional<std::size_t> lines; ///< dkm's -n: the last lines instead
  bool follow = false;              ///< -f: then what is appended, until Ctrl-C
};
/// `dkm tail [-f|-BYTES|-n LINES] NAME [stdout|stderr]`.
int dkm_tail(const InstallLayout& layout, const std::string& name, const TailOptions& options);
/// `dkm maintail [-f|-BYTES|-n LINES]`: the supervisor's own log.
int dkm_maintail(const InstallLayout& layout, const TailOptions& options);
/// `dkm fg NAME`: the program in the foreground (its output here, its input from here).
int dkm_fg(const InstallLayout& layout, const std::string& name);
/// `dkm run NAME`: runs one service in the foreground (exec), without the supervisor.
int dkm_run(const InstallLayout& layout, const std::string& name);

}  // namespace dkm::supervise
