#pragma once
// The world the supervisor's state machine drives, behind four narrow interfaces (as
// ninja's Builder drives a CommandRunner and a DiskInterface): the machine itself makes
// no system call, so tests/unit/supervise/ runs it against fakes, on a fake clock.
//
//   Processes  start a service's main process, signal it, ask whether its group lives;
//              check its command, clear its logs, write to its standard input
//   Timers     the clock and one-shot timers (the event loop's; a fake one in tests)
//   Probes     one readiness attempt at a time; the outcome comes back as an event
//   EventLog   what happened, for run/dkm.log
//
// Header only (interfaces): the real ones are service_processes.hpp, event_loop.hpp,
// probes.hpp and supervisor_log.hpp; the fakes, tests/support/fake_supervisor_world.hpp.

#include "control_protocol.hpp"
#include <dkm/supervise/services_file.hpp>

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace dkm::supervise {

/// The clock every deadline of the supervisor uses.
using Clock = std::chrono::steady_clock;
/// A timer, for cancelling it; 0 is no timer.
using TimerId = std::uint64_t;

/// Why a program's command cannot be run, in supervisord's words.
struct CommandProblem {
  Fault fault = Fault::kNoFile;  ///< kNoFile or kNotExecutable
  std::string message;           ///< "can't find command '/x'", "command at '/x' is not executable"
};

/// Starting and signalling services' processes.
class Processes {
 public:
  virtual ~Processes() = default;
  /// Starts the main process of `cfg` leading a process group of its own, its output
  /// going to its logs; returns its pid. Throws Error when it cannot start.
  virtual pid_t spawn(const ProgramConfig& cfg) = 0;
  /// The main process of `cfg` was reaped.
  virtual void reaped(const ProgramConfig& cfg) = 0;
  /// The service `name` was dropped (a reload removed it).
  virtual void forget(const std::string& name) = 0;
  /// Sends `signal` to `pid`, or to the process group it leads when `group`.
  virtual void signal(pid_t pid, int signal, bool group) = 0;
  /// True while any process is in process group `pgid`.
  virtual bool group_alive(pid_t pgid) = 0;
  /// Why the command of `cfg` cannot run (supervisord checks it before a start), or nothing.
  virtual std::optional<CommandProblem> command_problem(const ProgramConfig& cfg) = 0;
  /// Empties the log files of `cfg` (supervisorctl's clear); false when one cannot be.
  virtual bool clear_logs(const ProgramConfig& cfg) = 0;
  /// Queues `data` for the standard input of the live process of service `name`; false
  /// when it has none or its input is closed.
  virtual bool write_stdin(const std::string& name, std::string_view data) = 0;
};

/// The clock and one-shot timers.
class Timers {
 public:
  virtual ~Timers() = default;
  /// The time deadlines are measured on.
  virtual Clock::time_point now() const = 0;
  /// Wall-clock seconds since the epoch, for what `dkm status` shows as a date.
  virtual std::int64_t wall_clock() const = 0;
  /// Calls `callback` once after `delay`; returns an id for cancel().
  virtual TimerId after(Clock::duration delay, std::function<void()> callback) = 0;
  /// Cancels a timer; unknown or fired ids (and 0) are ignored.
  virtual void cancel(TimerId id) = 0;
};

/// Readiness probes (`ready = tcp:HOST:PORT | command ...`).
class Probes {
 public:
  virtual ~Probes() = default;
  /// Starts one attempt of `cfg.ready`; its outcome comes back through the callback the
  /// machine gave (at once, or later from the event loop).
  virtual void attempt(const ProgramConfig& cfg) = 0;
  /// Abandons the attempt running for `name`, if any: its outcome never comes.
  virtual void abandon(const std::string& name) = 0;
  /// True when no attempt runs a process (shutdown waits for them).
  virtual bool idle() const = 0;
};

/// The supervisor's log.
class EventLog {
 public:
  virtual ~EventLog() = default;
  /// An INFO line.
  virtual void info(std::string_view message) = 0;
  /// A WARN line.
  virtual void warn(std::string_view message) = 0;
  /// An ERRO line.
  virtual void error(std::string_view message) = 0;
};

}  // namespace dkm::supervise
