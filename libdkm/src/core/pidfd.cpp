// A process held by its pidfd.
#include <dkm/core/pidfd.hpp>

#include <dkm/core/proc_info.hpp>

#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <utility>

namespace dkm {

namespace {

/// True when `pid` is the process that started at `starttime` and has not exited.
bool same_live_process(pid_t pid, std::uint64_t starttime) {
  auto st = read_proc_stat(pid);
  return st && st->starttime == starttime && st->state != 'Z' && st->state != 'X';
}

}  // namespace

PidFd::PidFd(pid_t pid, std::uint64_t starttime) : starttime_(starttime) {
  if (pid <= 0) return;
  fd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd_ < 0 && errno != ENOSYS) return;  // gone already
  // Checked after the pidfd is open: if the pid was reused before, the start time differs.
  if (!same_live_process(pid, starttime)) {
    reset();
    return;
  }
  pid_ = pid;
}

PidFd::PidFd(PidFd&& other) noexcept
    : pid_(std::exchange(other.pid_, 0)), fd_(std::exchange(other.fd_, -1)), starttime_(other.starttime_) {}

PidFd& PidFd::operator=(PidFd&& other) noexcept {
  if (this != &other) {
    reset();
    pid_ = std::exchange(other.pid_, 0);
    fd_ = std::exchange(other.fd_, -1);
    starttime_ = other.starttime_;
  }
  return *this;
}

PidFd::~PidFd() { reset(); }

void PidFd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  pid_ = 0;
}

bool PidFd::signal(int signal) const {
  if (pid_ <= 0) return false;
  if (fd_ >= 0) return ::syscall(SYS_pidfd_send_signal, fd_, signal, nullptr, 0) == 0;
  return same_live_process(pid_, starttime_) && ::kill(pid_, signal) == 0;
}

bool PidFd::exited() const {
  if (pid_ <= 0) return true;
  if (fd_ < 0) return !same_live_process(pid_, starttime_);
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

}  // namespace dkm
