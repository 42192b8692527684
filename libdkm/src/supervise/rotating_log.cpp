// A log file that rotates by size.
#include "rotating_log.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace dkm::supervise {

RotatingLog::RotatingLog(LogTarget target) : target_(std::move(target)) { open(); }

RotatingLog::~RotatingLog() {
  if (fd_ >= 0) ::close(fd_);
}

void RotatingLog::write(std::string_view data) {
  const std::uint64_t max = target_.max_bytes;
  while (!data.empty()) {
    if (fd_ < 0) return;  // could not reopen after a rotation: drop rather than block
    if (max == 0 || size_ + data.size() <= max) {
      write_all(data);
      return;
    }
    std::size_t room = static_cast<std::size_t>(max - std::min(size_, max));
    std::size_t cut = 0;
    if (room > 0) {
      std::size_t nl = data.substr(0, room).rfind('\n');
      if (nl != std::string_view::npos) cut = nl + 1;
      else if (size_ == 0) cut = room;  // one line longer than a whole file
    }
    write_all(data.substr(0, cut));
    data.remove_prefix(cut);
    rotate();
  }
}

void RotatingLog::rotate() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  const fs::path& path = target_.path;
  if (target_.backups <= 0) {
    ::unlink(path.c_str());
  } else {
    for (int i = target_.backups - 1; i >= 1; --i) ::rename(rotated_name(path, i).c_str(), rotated_name(path, i + 1).c_str());
    ::rename(path.c_str(), rotated_name(path, 1).c_str());
  }
  try {
    open();
  } catch (const Error&) {
    fd_ = -1;
  }
}

void RotatingLog::reopen() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  open();
}

void RotatingLog::clear() {
  if (fd_ < 0) reopen();
  if (::ftruncate(fd_, 0) != 0) throw Error(target_.path.string() + ": cannot clear log: " + errno_text());
  size_ = 0;  // O_APPEND: the next write lands at the new end
}

void RotatingLog::open() {
  // The umask ([supervisord] umask, 022 by default) decides the mode, as for supervisord's logs.
  fd_ = ::open(target_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  if (fd_ < 0) throw Error(target_.path.string() + ": cannot open log: " + errno_text());
  struct stat st {};
  size_ = ::fstat(fd_, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

void RotatingLog::write_all(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // disk full: the service must not stall on its log
    size_ += static_cast<std::uint64_t>(n);
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace dkm::supervise
