#pragma once
// A handle on one process (pidfd_open): a signal sent through it reaches that process or
// none, never another that was given its pid after it died, and it becomes readable when
// the process exits (an event loop can watch it). Kernels without pidfds (before 5.3) get
// kill() and /proc instead, with the start time checked just before.
// Implementation: libdkm/src/core/pidfd.cpp.

#include <sys/types.h>

#include <cstdint>

namespace dkm {

/// A process held by its pidfd.
class PidFd {
 public:
  PidFd() = default;
  /// Takes hold of `pid` if it still is the process that started at `starttime` (ticks
  /// after boot, /proc/PID/stat); otherwise (gone, or its pid reused) holds nothing.
  PidFd(pid_t pid, std::uint64_t starttime);
  PidFd(PidFd&& other) noexcept;
  PidFd& operator=(PidFd&& other) noexcept;
  PidFd(const PidFd&) = delete;
  PidFd& operator=(const PidFd&) = delete;
  ~PidFd();

  /// True when it holds the process (even if it has exited since).
  bool held() const { return pid_ > 0; }
  /// The process's pid, 0 when none is held.
  pid_t pid() const { return pid_; }
  /// The descriptor to watch for the exit (readable once it exited); -1 without pidfds.
  int fd() const { return fd_; }
  /// Sends `signal` to the process; false when it is gone (or was never held).
  bool signal(int signal) const;
  /// True once the process has exited (a zombie has).
  bool exited() const;

 private:
  void reset();

  pid_t pid_ = 0;
  int fd_ = -1;
  std::uint64_t starttime_ = 0;
};

}  // namespace dkm
