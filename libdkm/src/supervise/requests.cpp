// What a control request on programs means: orders to the state machine (orders.cpp),
// answered at once or once what the request waits for has happened (its waiter).
#include "supervisor.hpp"

#include "namespecs.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

namespace dkm::supervise {

namespace {

using namespace std::chrono_literals;

/// The last `count` lines of a file (its last 8 KiB at most).
std::string file_tail(const fs::path& path, std::size_t count) {
  if (path.empty()) return {};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  off_t size = ::lseek(fd, 0, SEEK_END);
  off_t start = size > 8192 ? size - 8192 : 0;
  std::string text(static_cast<std::size_t>(size - start), '\0');
  ssize_t n = ::pread(fd, text.data(), text.size(), start);
  ::close(fd);
  text.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return last_lines(text, count);
}

/// Requests a shutting-down or restarting supervisor still answers.
bool only_asks(Command c) { return c == Command::kStatus || c == Command::kPid || c == Command::kVersion || c == Command::kAvail; }

}  // namespace

void Supervisor::handle(ConnectionId id, const std::string& line) {
  Request req;
  try {
    req = parse_request(line);
  } catch (const ProtocolError& e) {
    log_.warn(std::string("rejected a control request: ") + e.what());
    server_.reply(id, error_response(e.what()));
    return;
  }
  if (machine_.shutting_down() && !only_asks(req.command)) {
    server_.reply(id, error_response("the supervisor is shutting down"));
    return;
  }
  if (machine_.restarting() && !only_asks(req.command) && req.command != Command::kShutdown) {
    server_.reply(id, error_response("the supervisor is restarting its services (reload)"));
    return;
  }
  dispatch(id, req);
}

void Supervisor::dispatch(ConnectionId id, const Request& req) {
  switch (req.command) {
    case Command::kStatus:
    case Command::kPid: return handle_status(id, req);
    case Command::kStart:
    case Command::kRestart: return handle_start(id, req);
    case Command::kStop: return handle_stop(id, req);
    case Command::kSignal:
      return server_.reply(id, outcomes_reply(order_signal(machine_, processes_, pick(machine_, req.names), req.signal)));
    case Command::kClear: return server_.reply(id, outcomes_reply(order_clear(machine_, processes_, pick(machine_, req.names))));
    case Command::kStdin: {
      auto picks = pick(machine_, req.names);
      if (picks.size() != 1) return server_.reply(id, error_response("stdin takes one program"));
      return server_.reply(id, outcomes_reply({order_stdin(machine_, processes_, picks.front(), req.data)}));
    }
    case Command::kReread: return handle_reread(id);
    case Command::kAvail: return handle_avail(id);
    case Command::kAdd:
    case Command::kRemove: return handle_add_remove(id, req);
    case Command::kUpdate: return handle_update(id, req);
    case Command::kReload: return handle_reload(id);
    case Command::kReopenLogs:
      reopen_logs();
      return server_.reply(id, json_line(nlohmann::json{{"ok", true}, {"supervisor_pid", ::getpid()}}));
    case Command::kVersion:
      return server_.reply(id, json_line(nlohmann::json{{"ok", true}, {"supervisor_pid", ::getpid()}, {"version", version_}}));
    case Command::kShutdown: return handle_shutdown(id);
  }
}

void Supervisor::handle_status(ConnectionId id, const Request& req) {
  std::vector<std::string> names;
  std::vector<Outcome> unknown;
  for (const auto& p : pick(machine_, req.names)) {
    if (p.error != Fault::kSuccess) unknown.push_back(p.outcome(req.command, p.error));
    else names.push_back(p.service);
  }
  if (req.names.empty()) names = machine_.listing();  // supervisorctl's order: by group, then process
  server_.reply(id, services_reply(names, unknown));
}

void Supervisor::handle_start(ConnectionId id, const Request& req) {
  auto order = std::make_shared<Order>(order_start(machine_, processes_, pick(machine_, req.names),
                                                   StartOptions{req.command == Command::kRestart, req.timeout, req.launched}));
  if (req.timeout <= 0) {
    server_.reply(id, outcomes_reply(order_outcomes(machine_, *order, false)));
    return;
  }
  add_waiter(
      id, std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(req.timeout)),
      [this, order] { return order_settled(machine_, *order); },
      [this, order](bool timed_out) { return outcomes_reply(with_log_tails(order_outcomes(machine_, *order, timed_out))); });
}

std::vector<Outcome> Supervisor::with_log_tails(std::vector<Outcome> outcomes) const {
  for (auto& o : outcomes) {
    const Service* s = o.fault == Fault::kTimedOut ? machine_.find(namespec(o.group, o.name)) : nullptr;
    if (!s) continue;
    o.log_path = s->cfg.stdout_log.path.string();
    o.log_tail = file_tail(s->cfg.stdout_log.path, 10);
    if (!s->cfg.redirect_stderr && s->cfg.stderr_log.path != s->cfg.stdout_log.path)
      o.log_tail += file_tail(s->cfg.stderr_log.path, 10);
  }
  return outcomes;
}

void Supervisor::handle_stop(ConnectionId id, const Request& req) {
  auto order = std::make_shared<Order>(order_stop(machine_, pick(machine_, req.names)));
  add_waiter(
      id, order->longest + 30s, [this, order] { return order_settled(machine_, *order); },
      [this, order](bool timed_out) { return outcomes_reply(order_outcomes(machine_, *order, timed_out)); });
}

void Supervisor::handle_shutdown(ConnectionId id) {
  begin_shutdown();
  add_waiter(
      id, std::chrono::hours(24), [this] { return machine_.all_stopped() && probes_.idle(); },
      [](bool) { return json_line(nlohmann::json{{"ok", true}, {"supervisor_pid", ::getpid()}}); });
}

std::string Supervisor::services_reply(const std::vector<std::string>& names, const std::vector<Outcome>& unknown) const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& n : names)
    if (const Service* s = machine_.find(n)) list.push_back(machine_.status(*s));
  return json_line(nlohmann::json{{"ok", true}, {"supervisor_pid", ::getpid()}, {"services", list}, {"results", unknown}});
}

std::string Supervisor::outcomes_reply(const std::vector<Outcome>& outcomes) const {
  return json_line(nlohmann::json{{"ok", true}, {"supervisor_pid", ::getpid()}, {"results", outcomes}});
}

void Supervisor::add_waiter(ConnectionId conn, Clock::duration timeout, std::function<bool()> done,
                            std::function<std::string(bool)> reply) {
  std::uint64_t id = ++next_waiter_;
  Waiter w{conn, 0, std::move(done), std::move(reply)};
  w.timer = loop_.after(timeout, [this, id] {
    auto it = waiters_.find(id);
    if (it == waiters_.end()) return;
    Waiter gone = std::move(it->second);
    waiters_.erase(it);
    server_.reply(gone.conn, gone.reply(true));
  });
  waiters_.emplace(id, std::move(w));
}

void Supervisor::check_waiters() {
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    if (!server_.connected(it->second.conn)) {  // the client went away
      loop_.cancel(it->second.timer);
      it = waiters_.erase(it);
      continue;
    }
    if (!it->second.done()) {
      ++it;
      continue;
    }
    Waiter w = std::move(it->second);
    it = waiters_.erase(it);
    loop_.cancel(w.timer);
    server_.reply(w.conn, w.reply(false));
  }
}

void Supervisor::fail_waiters(const std::string& message) {
  for (auto& [id, w] : waiters_) {
    loop_.cancel(w.timer);
    server_.reply(w.conn, error_response(message));
  }
  waiters_.clear();
}

}  // namespace dkm::supervise
