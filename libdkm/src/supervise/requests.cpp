// What a control request means: orders to the state machine, answered at once or once
// what the request waits for has happened (its waiter).
#include "supervisor.hpp"

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
  if (machine_.shutting_down() && req.command != Command::kStatus && req.command != Command::kPid) {
    server_.reply(id, error_response("the supervisor is shutting down"));
    return;
  }
  switch (req.command) {
    case Command::kStatus:
    case Command::kPid:
      handle_status(id, req);
      return;
    case Command::kStart:
    case Command::kRestart:
      handle_start(id, req);
      return;
    case Command::kStop:
      handle_stop(id, req);
      return;
    case Command::kReload:
      handle_reload(id);
      return;
    case Command::kReopenLogs:
      reopen_logs();
      server_.reply(id, json_line(nlohmann::json{{"ok", true}, {"supervisor_pid", ::getpid()}}));
      return;
    case Command::kShutdown:
      handle_shutdown(id);
      return;
  }
}

void Supervisor::handle_status(ConnectionId id, const Request& req) {
  std::vector<std::string> unknown;
  auto names = req.names.empty() ? machine_.listing() : machine_.select(req.names, unknown);
  server_.reply(id, services_reply(names, unknown, false));
}

void Supervisor::handle_start(ConnectionId id, const Request& req) {
  std::vector<std::string> unknown;
  auto names = machine_.select(req.names, unknown);
  machine_.start_by_priority(names, req.command == Command::kRestart);
  if (req.timeout <= 0) {
    server_.reply(id, services_reply(names, unknown, false));
    return;
  }
  add_waiter(
      id, std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(req.timeout)),
      [this, names] {
        return std::all_of(names.begin(), names.end(), [this](const std::string& n) { return machine_.start_settled(n); });
      },
      [this, names, unknown](bool timed_out) { return services_reply(names, unknown, true, timed_out); });
}

void Supervisor::handle_stop(ConnectionId id, const Request& req) {
  std::vector<std::string> unknown;
  auto names = machine_.select(req.names, unknown);
  auto longest = machine_.stop_by_priority(names);
  add_waiter(
      id, longest + 30s,
      [this, names] {
        return std::all_of(names.begin(), names.end(), [this](const std::string& n) { return machine_.stop_settled(n); });
      },
      [this, names, unknown](bool timed_out) { return services_reply(names, unknown, false, timed_out); });
}

void Supervisor::handle_reload(ConnectionId id) {
  ReloadResult r;
  try {
    r = reload();
  } catch (const Error& e) {
    log_.error(std::string("reload failed, nothing changed: ") + e.what());
    server_.reply(id, error_response(e.what()));
    return;
  }
  log_.info("reload: " + reload_summary(r));
  std::vector<std::string> touched = r.removed;
  touched.insert(touched.end(), r.changed.begin(), r.changed.end());
  add_waiter(
      id, std::chrono::seconds(3600),
      [this, touched] {
        return std::none_of(touched.begin(), touched.end(), [this](const std::string& n) { return machine_.reload_pending(n); });
      },
      [r](bool) {
        return json_line(nlohmann::json{{"ok", true}, {"added", r.added}, {"changed", r.changed},
                                        {"removed", r.removed}, {"warnings", r.warnings}});
      });
}

void Supervisor::handle_shutdown(ConnectionId id) {
  std::vector<std::string> names = machine_.names();
  begin_shutdown();
  add_waiter(
      id, std::chrono::hours(24), [this] { return machine_.all_stopped() && probes_.idle(); },
      [this, names](bool) { return services_reply(names, {}, false); });
}

ServiceStatus Supervisor::status_with_tail(const Service& s, bool with_tail) const {
  ServiceStatus st = machine_.status(s);
  if (with_tail && s.state != ServiceState::kRunning) {
    st.log_tail = file_tail(s.cfg.stdout_log.path, 10);
    if (st.stderr_log != st.stdout_log && !s.cfg.stderr_log.path.empty())
      st.log_tail += file_tail(s.cfg.stderr_log.path, 10);
  }
  return st;
}

std::string Supervisor::services_reply(const std::vector<std::string>& names, const std::vector<std::string>& unknown,
                                       bool with_tail, bool timed_out) const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& n : names)
    if (const Service* s = machine_.find(n)) list.push_back(status_with_tail(*s, with_tail));
  nlohmann::json j{{"ok", true}, {"supervisor_pid", ::getpid()}, {"services", list}, {"unknown", unknown}};
  if (timed_out) j["timed_out"] = true;
  return json_line(j);
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
