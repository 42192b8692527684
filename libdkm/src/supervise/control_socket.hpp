#pragma once
// The unix socket both sides use: binding it owner-only (supervisor), connecting to it
// and making one call (client). Paths longer than sun_path go through /proc/self/fd.
// Implementation: libdkm/src/supervise/control_socket.cpp.

#include <dkm/core/dir_handle.hpp>
#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include "control_protocol.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace dkm::supervise {

/// The control socket's name in DIR/run.
inline constexpr const char* kControlSocket = "dkm.sock";

/// Creates the listening socket `name` in the directory `dir` with mode 0600 (an old
/// socket file, or a link, is replaced: call only while holding the supervisor lock).
/// Non-blocking, close-on-exec.
int listen_control_socket(const DirHandle& dir, const std::string& name);

/// Connects to the supervisor; -1 when no supervisor listens there (no file, refused).
/// Throws Error for other failures (permission denied names the socket).
int connect_control_socket(const fs::path& path);

/// Sends `request` on a connected socket and returns the response, waiting at most `timeout`.
nlohmann::json call_control(int fd, const Request& request, std::chrono::milliseconds timeout);

}  // namespace dkm::supervise
