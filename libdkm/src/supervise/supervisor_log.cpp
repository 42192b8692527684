// The supervisor's own log, in supervisord's format.
#include "supervisor_log.hpp"

#include <dkm/core/error.hpp>

#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <string>

namespace dkm::supervise {

SupervisorLog::SupervisorLog(LogTarget target, bool echo, bool own_std_fds, const DirHandle* dir)
    : log_(std::make_unique<RotatingLog>(std::move(target), dir)), echo_(echo), own_std_fds_(own_std_fds) {
  adopt_std_fds();
}

void SupervisorLog::reopen() {
  try {
    log_->reopen();
  } catch (const Error&) {
  }
  adopt_std_fds();
}

void SupervisorLog::line(const char* level, std::string_view message) {
  timeval tv{};
  ::gettimeofday(&tv, nullptr);
  tm local{};
  ::localtime_r(&tv.tv_sec, &local);
  char stamp[64];
  std::size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &local);
  std::snprintf(stamp + n, sizeof stamp - n, ",%03d ", static_cast<int>(tv.tv_usec / 1000));
  std::string text = std::string(stamp) + level + " " + std::string(message) + "\n";
  int before = log_->fd();
  log_->write(text);
  if (log_->fd() != before) adopt_std_fds();  // rotated: follow the new file
  if (echo_) (void)!::write(2, text.data(), text.size());
}

void SupervisorLog::adopt_std_fds() {
  if (!own_std_fds_ || log_->fd() < 0) return;
  ::dup2(log_->fd(), 1);
  ::dup2(log_->fd(), 2);
}

}  // namespace dkm::supervise
