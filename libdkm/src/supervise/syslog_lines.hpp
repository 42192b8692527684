#pragma once
// A program's output to syslog, as supervisord's `stdout_syslog = true` (or the older
// `stdout_logfile = syslog`) sends it: every chunk read from the program split into
// lines, each one "PROCESS line" at LOG_INFO of facility LOG_USER, under dkm's own name.
// Implementation: libdkm/src/supervise/syslog_lines.cpp.

#include <functional>
#include <string>
#include <string_view>

namespace dkm::supervise {

/// One program's stream to syslog.
class SyslogLines {
 public:
  /// Lines go out as "`process` line" through `emit` (default: syslog(3)).
  explicit SyslogLines(std::string process, std::function<void(const std::string&)> emit = {});

  /// Sends what the program wrote: one message per line, trailing newlines dropped.
  void write(std::string_view chunk);

 private:
  std::string process_;
  std::function<void(const std::string&)> emit_;
};

}  // namespace dkm::supervise
