#pragma once
// The real Probes of the state machine, one attempt at a time per service:
//   tcp:HOST:PORT   a non-blocking connect whose outcome the event loop learns from
//                   EPOLLOUT; nothing is sent and the connection is closed at once;
//   command ARGS    the command in a process group of its own, with the service's
//                   directory and environment; ready when it exits 0.
// Implementation: libdkm/src/supervise/probes.cpp.

#include "event_loop.hpp"
#include "seams.hpp"
#include "service_processes.hpp"

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>

namespace dkm::supervise {

/// Time a TCP probe's connect may take.
inline constexpr auto kProbeConnectTimeout = std::chrono::seconds(1);
/// Time a probe command may run before it counts as failed.
inline constexpr auto kProbeCommandTimeout = std::chrono::seconds(10);

/// Readiness attempts, reported through `report(name, ready)`.
class ReadinessProbes : public Probes {
 public:
  using Report = std::function<void(const std::string& name, bool ready)>;

  /// Probe commands get the environment `processes` gives services.
  ReadinessProbes(EventLoop& loop, EventLog& log, const ServiceProcesses& processes);
  ~ReadinessProbes() override;

  /// Where outcomes go (the state machine's probe_finished).
  void set_report(Report report) { report_ = std::move(report); }

  void attempt(const ProgramConfig& cfg) override;
  void abandon(const std::string& name) override;
  bool idle() const override { return commands_.empty(); }

  /// A child was reaped; false when it was no probe command.
  bool process_exited(pid_t pid, int status);

 private:
  struct Socket {
    int fd = -1;
    TimerId timeout = 0;
  };
  struct Command {
    std::string name;
    TimerId timeout = 0;
  };
  void attempt_tcp(const ProgramConfig& cfg);
  void attempt_command(const ProgramConfig& cfg);
  void close_socket(const std::string& name);

  EventLoop& loop_;
  EventLog& log_;
  const ServiceProcesses& processes_;
  Report report_;
  std::map<std::string, Socket> sockets_;  ///< service -> connect in progress
  std::map<pid_t, Command> commands_;      ///< probe command pid -> its service
};

}  // namespace dkm::supervise
