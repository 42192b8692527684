// A program's output to syslog, line by line.
#include "syslog_lines.hpp"

#include <syslog.h>

namespace dkm::supervise {

SyslogLines::SyslogLines(std::string process, std::function<void(const std::string&)> emit)
    : process_(std::move(process)), emit_(std::move(emit)) {
  if (!emit_) emit_ = [](const std::string& message) { ::syslog(LOG_USER | LOG_INFO, "%s", message.c_str()); };
}

void SyslogLines::write(std::string_view chunk) {
  // As supervisord: each chunk as it was read, its trailing newlines dropped, one message a line.
  while (!chunk.empty() && chunk.back() == '\n') chunk.remove_suffix(1);
  if (chunk.empty()) return;
  for (std::size_t start = 0;;) {
    std::size_t nl = chunk.find('\n', start);
    emit_(process_ + " " + std::string(chunk.substr(start, nl == std::string_view::npos ? nl : nl - start)));
    if (nl == std::string_view::npos) return;
    start = nl + 1;
  }
}

}  // namespace dkm::supervise
