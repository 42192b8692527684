#pragma once
// The supervisor's own log (DIR/run/dkm.log): one timestamped line per event, in
// supervisord's format ("2024-05-01 12:00:00,123 INFO spawned: 'carbon' with pid 42").
// It is the state machine's EventLog.
// Implementation: libdkm/src/supervise/supervisor_log.cpp.

#include "rotating_log.hpp"
#include "seams.hpp"

#include <memory>
#include <string_view>

namespace dkm::supervise {

/// Timestamped lines into a rotating file, optionally echoed on stderr.
class SupervisorLog : public EventLog {
 public:
  /// Writes to `target` (through `dir`, DIR/run's handle, when the file is in it);
  /// `echo` copies each line to stderr (foreground `dkm supervise`); `own_std_fds` points
  /// this process's stdout and stderr at the file (daemon mode).
  SupervisorLog(LogTarget target, bool echo, bool own_std_fds, const DirHandle* dir = nullptr);

  void info(std::string_view message) override { line("INFO", message); }
  void warn(std::string_view message) override { line("WARN", message); }
  void error(std::string_view message) override { line("ERRO", message); }

  /// Reopens the file (reopenlogs, SIGUSR2).
  void reopen();

 private:
  void line(const char* level, std::string_view message);
  void adopt_std_fds();

  std::unique_ptr<RotatingLog> log_;
  bool echo_;
  bool own_std_fds_;
};

}  // namespace dkm::supervise
