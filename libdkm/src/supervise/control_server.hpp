#pragma once
// The supervisor's end of the control socket: accepts connections (when full, idle ones
// make room or the new client hears that the supervisor is busy: admission.hpp), reads
// one request line from each (within a deadline and a size limit), refuses a peer of
// another uid once its request is read (so it gets the answer, not a reset), and writes
// the reply.
// What a request means is the handler's business (requests.cpp).
// Implementation: libdkm/src/supervise/control_server.cpp.

#include "admission.hpp"
#include "event_loop.hpp"
#include "seams.hpp"

#include <dkm/core/files.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace dkm::supervise {

/// A connection must send its request within this time.
inline constexpr auto kRequestDeadline = std::chrono::seconds(5);

/// A connection, for replying to it.
using ConnectionId = std::uint64_t;

/// Connections on the control socket.
class ControlServer {
 public:
  /// Gets each request line (newline taken off) of an allowed peer.
  using Handler = std::function<void(ConnectionId, const std::string& line)>;

  /// Serves `listen_fd` (owned from now on); -1 serves nothing.
  ControlServer(EventLoop& loop, EventLog& log, int listen_fd, Handler handler);
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;
  ~ControlServer();

  /// Sends `text` and closes the connection once it is written.
  void reply(ConnectionId id, const std::string& text);
  /// True while the connection is open (its client has not gone away).
  bool connected(ConnectionId id) const { return conns_.count(id) > 0; }
  /// Stops accepting (the caller removes the socket file, so new clients find no supervisor).
  void close_listener();
  /// True while some reply is not written yet.
  bool output_pending() const;

 private:
  struct Connection {
    int fd = -1;
    std::string in, out;
    bool request_done = false;
    bool close_after_write = false;
    uid_t uid = static_cast<uid_t>(-1);  ///< the peer's uid
    long refused_uid = -1;  ///< the peer's uid when it is not allowed to give orders
    TimerId timer = 0;
  };
  void on_accept();
  bool make_room(int fd, uid_t uid);
  void on_connection(ConnectionId id, std::uint32_t events);
  bool read_request(Connection& c, ConnectionId id);
  void request_complete(ConnectionId id);
  void flush(ConnectionId id);
  void drop(ConnectionId id);

  EventLoop& loop_;
  EventLog& log_;
  int listen_fd_;
  Handler handler_;
  std::map<ConnectionId, Connection> conns_;
  ConnectionId next_id_ = 0;
};

}  // namespace dkm::supervise
