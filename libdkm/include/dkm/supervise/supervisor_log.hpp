#pragma once
// The supervisor's own log (DIR/run/dkm.log): one timestamped line per event, in
// supervisord's format ("2024-05-01 12:00:00,123 INFO spawned: 'carbon' with pid 42").

#include <dkm/supervise/rotating_log.hpp>

#include <sys/time.h>
#include <unistd.h>

#include <ctime>
#include <memory>
#include <string>
#include <string_view>

namespace dkm::supervise {

/// Timestamped lines into a rotating file, optionally echoed on stderr.
class SupervisorLog {
 public:
  /// Writes to `target`; `echo` copies each line to stderr (foreground `dkm supervise`);
  /// `own_std_fds` points this process's stdout and stderr at the file (daemon mode).
  SupervisorLog(LogTarget target, bool echo, bool own_std_fds)
      : log_(std::make_unique<RotatingLog>(std::move(target))), echo_(echo), own_std_fds_(own_std_fds) {
    adopt_std_fds();
  }

  /// An INFO line.
  void info(std::string_view message) { line("INFO", message); }
  /// A WARN line.
  void warn(std::string_view message) { line("WARN", message); }
  /// An ERRO line.
  void error(std::string_view message) { line("ERRO", message); }

  /// Reopens the file (reopenlogs, SIGUSR2).
  void reopen() {
    try {
      log_->reopen();
    } catch (const Error&) {
    }
    adopt_std_fds();
  }

 private:
  void line(const char* level, std::string_view message) {
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

  void adopt_std_fds() {
    if (!own_std_fds_ || log_->fd() < 0) return;
    ::dup2(log_->fd(), 1);
    ::dup2(log_->fd(), 2);
  }

  std::unique_ptr<RotatingLog> log_;
  bool echo_;
  bool own_std_fds_;
};

}  // namespace dkm::supervise
