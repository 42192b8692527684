// The supervisor's end of the control socket.
#include "control_protocol.hpp"
#include "control_server.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace dkm::supervise {

ControlServer::ControlServer(EventLoop& loop, EventLog& log, int listen_fd, Handler handler)
    : loop_(loop), log_(log), listen_fd_(listen_fd), handler_(std::move(handler)) {
  if (listen_fd_ >= 0) loop_.watch(listen_fd_, EPOLLIN, [this](std::uint32_t) { on_accept(); });
}

ControlServer::~ControlServer() {
  for (auto& [id, c] : conns_) ::close(c.fd);
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void ControlServer::close_listener() {
  if (listen_fd_ < 0) return;
  loop_.unwatch(listen_fd_);
  ::close(listen_fd_);
  listen_fd_ = -1;
}

bool ControlServer::output_pending() const {
  for (const auto& [id, c] : conns_)
    if (!c.out.empty()) return true;
  return false;
}

void ControlServer::on_accept() {
  for (;;) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) cred.uid = static_cast<uid_t>(-1);
    bool allowed = cred.uid == ::geteuid() || cred.uid == 0;
    if (!make_room(fd, cred.uid)) continue;
    ConnectionId id = ++next_id_;
    conns_[id].fd = fd;
    conns_[id].uid = cred.uid;
    // Another user is answered (refused) once its request is read, so that it gets the
    // answer rather than a reset connection.
    if (!allowed) conns_[id].refused_uid = static_cast<long>(cred.uid);
    loop_.watch(fd, EPOLLIN | EPOLLRDHUP, [this, id](std::uint32_t events) { on_connection(id, events); });
    conns_[id].timer = loop_.after(kRequestDeadline, [this, id] {
      auto it = conns_.find(id);
      if (it == conns_.end() || it->second.request_done) return;
      it->second.timer = 0;
      it->second.request_done = true;
      reply(id, error_response("no complete request within 5 s"));
    });
    // Clients write their request right after connecting: it is usually here already.
    on_connection(id, EPOLLIN);
  }
}

bool ControlServer::make_room(int fd, uid_t uid) {
  std::vector<OpenConnection> open;
  for (const auto& [id, c] : conns_) open.push_back({id, c.uid, !c.request_done});
  Admission admission = admit(open, uid);
  if (admission.kind == Admission::Kind::kAccept) return true;
  if (admission.kind == Admission::Kind::kEvict) {
    log_.warn("the control socket is full; closing a connection that sent no request");
    conns_.at(admission.evict).request_done = true;
    reply(admission.evict, error_response("closed to make room for another client: no request was sent"));
    return true;
  }
  log_.warn("the control socket is full of requests in progress; a new client is told to come back");
  char buf[4096];  // its request, read so that it gets the answer rather than a reset connection
  while (::recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0) {}
  std::string busy = error_response("the supervisor is busy: " + std::to_string(open.size()) +
                                    " requests are in progress; try again in a moment");
  (void)!::send(fd, busy.data(), busy.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::close(fd);
  return false;
}

void ControlServer::on_connection(ConnectionId id, std::uint32_t events) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Connection& c = it->second;
  if (events & EPOLLOUT) {
    flush(id);
    if (!conns_.count(id)) return;
  }
  if (c.request_done) {
    if (events & (EPOLLHUP | EPOLLERR)) drop(id);  // the client went away while waiting
    return;
  }
  if (read_request(c, id)) request_complete(id);
}

bool ControlServer::read_request(Connection& c, ConnectionId id) {
  char buf[16384];
  for (;;) {
    ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n <= 0) {
      drop(id);
      return false;
    }
    c.in.append(buf, static_cast<std::size_t>(n));
    if (c.in.find('\n') != std::string::npos || c.in.size() > kMaxRequestBytes) break;
  }
  return c.in.find('\n') != std::string::npos || c.in.size() > kMaxRequestBytes;
}

void ControlServer::request_complete(ConnectionId id) {
  Connection& c = conns_.at(id);
  c.request_done = true;
  loop_.cancel(c.timer);
  c.timer = 0;
  loop_.modify(c.fd, 0);  // hang-ups are still reported
  size_t nl = c.in.find('\n');
  if (nl == std::string::npos || nl + 1 > kMaxRequestBytes) {
    log_.warn("rejected an oversized control request");
    reply(id, error_response("request too large (limit " + std::to_string(kMaxRequestBytes) + " bytes)"));
    return;
  }
  std::string line = c.in.substr(0, nl);
  c.in.clear();
  if (c.refused_uid >= 0) {
    log_.warn("refused a control request from uid " + std::to_string(c.refused_uid));
    reply(id, error_response("permission denied: uid " + std::to_string(c.refused_uid) +
                             " does not own this supervisor (uid " + std::to_string(::geteuid()) + ")"));
    return;
  }
  handler_(id, line);
}

void ControlServer::reply(ConnectionId id, const std::string& text) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  it->second.out += text;
  it->second.close_after_write = true;
  flush(id);
}

void ControlServer::flush(ConnectionId id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Connection& c = it->second;
  while (!c.out.empty()) {
    ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      loop_.modify(c.fd, EPOLLOUT);
      return;
    }
    if (n <= 0) {
      drop(id);
      return;
    }
    c.out.erase(0, static_cast<std::size_t>(n));
  }
  if (c.close_after_write) drop(id);
}

void ControlServer::drop(ConnectionId id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  loop_.unwatch(it->second.fd);
  ::close(it->second.fd);
  loop_.cancel(it->second.timer);
  conns_.erase(it);
}

}  // namespace dkm::supervise
