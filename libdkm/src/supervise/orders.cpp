// supervisorctl's orders on programs, answered in supervisord's terms.
#include "orders.hpp"

#include "status_format.hpp"

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstring>

namespace dkm::supervise {

namespace {

/// supervisord's RUNNING_STATES (a program queued to start counts as starting).
bool running(const Service& s) {
  return s.state == ServiceState::kStarting || s.state == ServiceState::kRunning ||
         s.state == ServiceState::kBackoff || s.queued;
}

/// supervisord's SIGNALLABLE_STATES, with a process to signal.
bool signallable(const Service& s) {
  return s.pid != 0 && (s.state == ServiceState::kStarting || s.state == ServiceState::kRunning ||
                        s.state == ServiceState::kStopping);
}

/// The stop outcomes of a restart (or a stop) for the picks; the names of those to stop.
std::vector<std::string> stop_picks(const StateMachine& machine, const std::vector<Pick>& picks, Order& order) {
  std::vector<std::string> to_stop;
  for (const auto& p : picks) {
    if (p.error != Fault::kSuccess) {
      order.outcomes.push_back(p.outcome(Command::kStop, p.error));
      continue;
    }
    const Service& s = *machine.find(p.service);
    bool stopping = s.state == ServiceState::kStopping;  // already on its way: wait for it too
    if (!running(s) && !stopping) {
      if (p.named) order.outcomes.push_back(p.outcome(Command::kStop, Fault::kNotRunning));
      continue;
    }
    to_stop.push_back(p.service);
    if (order.action == Command::kStop) order.waits.push_back({p.service, order.outcomes.size()});
    order.outcomes.push_back(p.outcome(Command::kStop, Fault::kSuccess));
  }
  return to_stop;
}

/// How a start of `s` went, now that it settled (or the order timed out).
Outcome start_outcome(const StateMachine& machine, const std::string& service, const Order& order, bool timed_out) {
  const Service* s = machine.find(service);
  Outcome o{Command::kStart, service, service, Fault::kAbnormalTermination, ""};
  if (!s) return o;
  o.name = process_of(s->cfg);
  o.group = group_of(s->cfg);
  bool waited = order.timeout > 0;
  bool on_its_way = s->state == ServiceState::kStarting || (s->queued && !is_active_state(s->state));
  if (s->state == ServiceState::kRunning) {
    o.fault = Fault::kSuccess;
  } else if (!waited && on_its_way) {
    o.fault = Fault::kNotWaited;
  } else if (timed_out && (on_its_way || s->state == ServiceState::kBackoff)) {
    o.fault = Fault::kTimedOut;
    std::string state = s->queued && !is_active_state(s->state) ? "queued" : state_name(s->state);
    o.detail = "still " + state + " after " + std::to_string(static_cast<long>(order.timeout)) + " s";
    std::string description = describe_status(machine.status(*s));
    if (!description.empty()) o.detail += ": " + description;
  } else if (s->state == ServiceState::kFatal || s->state == ServiceState::kBackoff) {
    o.fault = Fault::kSpawnError;
  }
  return o;
}

/// Upper case.
std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Order order_start(StateMachine& machine, Processes& processes, const std::vector<Pick>& picks,
                  const StartOptions& options) {
  const bool restart = options.restart;
  Order order{Command::kStart, {}, {}, options.timeout, {}};
  if (restart) stop_picks(machine, picks, order);
  std::vector<std::string> to_start, stop_only;
  for (const auto& p : picks) {
    if (p.error != Fault::kSuccess) {
      order.outcomes.push_back(p.outcome(Command::kStart, p.error));
      continue;
    }
    const Service& s = *machine.find(p.service);
    if (!restart && running(s)) {
      if (options.launched) order.waits.push_back({p.service, order.outcomes.size()});  // its autostart's
      if (options.launched) order.outcomes.push_back(p.outcome(Command::kStart, Fault::kSuccess));
      else if (p.named) order.outcomes.push_back(p.outcome(Command::kStart, Fault::kAlreadyStarted));
      else order.waits.push_back({p.service, Order::kSilent});  // `start all` still waits for it
      continue;
    }
    if (auto problem = processes.command_problem(s.cfg)) {
      order.outcomes.push_back(p.outcome(Command::kStart, problem->fault));
      if (restart && (running(s) || s.state == ServiceState::kStopping)) stop_only.push_back(p.service);
      continue;
    }
    to_start.push_back(p.service);
    order.waits.push_back({p.service, order.outcomes.size()});
    order.outcomes.push_back(p.outcome(Command::kStart, Fault::kSuccess));
  }
  machine.start_by_priority(to_start, restart);
  if (!stop_only.empty()) machine.stop_by_priority(stop_only);
  return order;
}

Order order_stop(StateMachine& machine, const std::vector<Pick>& picks) {
  Order order{Command::kStop, {}, {}, 0, {}};
  order.longest = machine.stop_by_priority(stop_picks(machine, picks, order));
  return order;
}

bool order_settled(const StateMachine& machine, const Order& order) {
  return std::all_of(order.waits.begin(), order.waits.end(), [&](const Order::Wait& w) {
    return order.action == Command::kStop ? machine.stop_settled(w.service) : machine.start_settled(w.service);
  });
}

std::vector<Outcome> order_outcomes(const StateMachine& machine, const Order& order, bool timed_out) {
  std::vector<Outcome> out = order.outcomes;
  for (const auto& w : order.waits) {
    if (order.action == Command::kStop) {
      if (!timed_out || machine.stop_settled(w.service)) continue;
      Outcome& o = out[w.outcome];
      o.fault = Fault::kFailed;
      o.detail = namespec(o.group, o.name) + ": ERROR (still STOPPING)";
      continue;
    }
    Outcome o = start_outcome(machine, w.service, order, timed_out);
    if (w.outcome != Order::kSilent) out[w.outcome] = o;
    else if (o.fault != Fault::kSuccess && o.fault != Fault::kNotWaited) out.push_back(o);
  }
  return out;
}

std::optional<int> signal_number(std::string_view text) {
  std::string name = upper(text);
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) name.pop_back();
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.front()))) name.erase(0, 1);
  if (!name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    if (name.size() > 3) return std::nullopt;
    int n = std::stoi(name);
    // Linux's signals: 1-31 and the real-time ones (32 and 33 belong to the C library).
    if (n >= 1 && n < NSIG && n != 32 && n != 33) return n;
    return std::nullopt;
  }
  if (name.rfind("SIG", 0) == 0) name.erase(0, 3);
  if (name == "RTMIN") return SIGRTMIN;
  if (name == "RTMAX") return SIGRTMAX;
  if (name == "CLD") return SIGCHLD;
  if (name == "POLL") return SIGIO;
  if (name == "IOT") return SIGABRT;
  for (int n = 1; n < 32; ++n)
    if (const char* abbrev = ::sigabbrev_np(n); abbrev && name == abbrev) return n;
  return std::nullopt;
}

std::vector<Outcome> order_signal(const StateMachine& machine, Processes& processes, const std::vector<Pick>& picks,
                                  const std::string& signal) {
  std::optional<int> number = signal_number(signal);
  std::vector<Outcome> out;
  for (const auto& p : picks) {
    if (p.error != Fault::kSuccess) {
      out.push_back(p.outcome(Command::kSignal, p.error));
      continue;
    }
    const Service& s = *machine.find(p.service);
    if (!p.named && !signallable(s)) continue;
    if (!number) out.push_back(p.outcome(Command::kSignal, Fault::kBadSignal));
    else if (!signallable(s)) out.push_back(p.outcome(Command::kSignal, Fault::kNotRunning));
    else {
      // To the program's process, as supervisord does (a stop goes to its group).
      processes.signal(s.pid, *number, false);
      out.push_back(p.outcome(Command::kSignal, Fault::kSuccess));
    }
  }
  return out;
}

std::vector<Outcome> order_clear(const StateMachine& machine, Processes& processes, const std::vector<Pick>& picks) {
  std::vector<Outcome> out;
  for (const auto& p : picks) {
    if (p.error != Fault::kSuccess) out.push_back(p.outcome(Command::kClear, p.error));
    else out.push_back(p.outcome(Command::kClear, processes.clear_logs(machine.find(p.service)->cfg) ? Fault::kSuccess : Fault::kFailed));
  }
  return out;
}

Outcome order_stdin(const StateMachine& machine, Processes& processes, const Pick& pick, const std::string& data) {
  if (pick.error != Fault::kSuccess) return pick.outcome(Command::kStdin, pick.error == Fault::kBadGroup ? Fault::kBadName : pick.error);
  const Service& s = *machine.find(pick.service);
  if (s.pid == 0 || s.state == ServiceState::kStopping) return pick.outcome(Command::kStdin, Fault::kNotRunning);
  return pick.outcome(Command::kStdin, processes.write_stdin(pick.service, data) ? Fault::kSuccess : Fault::kNoFile);
}

}  // namespace dkm::supervise
