#pragma once
// supervisorctl's orders on programs, as supervisord's RPC interface answers them: start,
// stop and restart (answered once the programs have settled), signal, clear and writing
// to a program's standard input (answered at once). Each gives one Outcome per program
// in supervisord's terms (supervisor/rpcinterface.py):
//   start    a program named by itself that is STARTING, RUNNING or BACKOFF: "already
//            started"; one whose command is missing or not executable: "no such file",
//            "file is not executable" (checked first, nothing starts); once it settles:
//            RUNNING "started", FATAL "spawn error", stopped otherwise "abnormal termination"
//   stop     a program named by itself that is not STARTING, RUNNING or BACKOFF: "not running"
//   signal   one that is not STARTING, RUNNING or STOPPING: "not running"; a signal that
//            does not exist: "bad signal name"
// Programs reached through `all` or GROUP:* that an order does not concern are skipped.
// dkm's own: a start waits through the program's retries (supervisord answers at the
// first failed attempt), and for at most the request's timeout.
// No system call here: the machine and the Processes seam do the work (unit-tested on fakes).
// Implementation: libdkm/src/supervise/orders.cpp.

#include "namespecs.hpp"
#include "seams.hpp"
#include "state_machine.hpp"

#include "control_protocol.hpp"

#include <chrono>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace dkm::supervise {

/// An order in flight: outcomes known now, and the programs whose outcome is known once
/// they settle.
struct Order {
  /// A program the order waits for.
  struct Wait {
    std::string service;
    std::size_t outcome = kSilent;  ///< the outcome it decides; kSilent: reported only if it fails
  };
  static constexpr std::size_t kSilent = std::numeric_limits<std::size_t>::max();

  Command action = Command::kStart;  ///< kStart (restart included) or kStop
  std::vector<Outcome> outcomes;
  std::vector<Wait> waits;
  double timeout = 0;                ///< start: seconds it may wait
  std::chrono::seconds longest{0};   ///< stop: the longest the stops may take
};

/// How a start goes.
struct StartOptions {
  bool restart = false;   ///< stop the running ones first and report them "stopped"
  double timeout = 0;     ///< how long the start waits (words the outcomes of one that timed out)
  bool launched = false;  ///< the supervisor was started for this order: a program its autostart
                          ///< began is reported as started by it, not "already started"
};

/// Starts the picked programs by priority.
Order order_start(StateMachine& machine, Processes& processes, const std::vector<Pick>& picks,
                  const StartOptions& options);
/// Stops the picked programs by priority.
Order order_stop(StateMachine& machine, const std::vector<Pick>& picks);
/// True when every program the order waits for has settled.
bool order_settled(const StateMachine& machine, const Order& order);
/// The outcomes of an order, those of the programs it waited for decided now;
/// `timed_out` when its deadline passed first.
std::vector<Outcome> order_outcomes(const StateMachine& machine, const Order& order, bool timed_out);

/// Sends the signal `signal` (a name, with or without SIG, or a number) to the picked programs.
std::vector<Outcome> order_signal(const StateMachine& machine, Processes& processes, const std::vector<Pick>& picks,
                                  const std::string& signal);
/// Empties the picked programs' logs.
std::vector<Outcome> order_clear(const StateMachine& machine, Processes& processes, const std::vector<Pick>& picks);
/// Writes `data` to the standard input of the one picked program.
Outcome order_stdin(const StateMachine& machine, Processes& processes, const Pick& pick, const std::string& data);

/// A signal as supervisord's `signal` command takes it: "HUP", "sighup", "SIGHUP" or "1".
std::optional<int> signal_number(std::string_view text);

}  // namespace dkm::supervise
