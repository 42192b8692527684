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

RotatingLog::RotatingLog(LogTarget target, const DirHandle* dir) : target_(std::move(target)) {
  if (dir && dir->is_open() && target_.path.parent_path() == dir->path()) dir_ = dir;
  open();
}

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
    remove(path);
  } else {
    for (int i = target_.backups - 1; i >= 1; --i) rename(rotated_name(path, i), rotated_name(path, i + 1));
    rename(path, rotated_name(path, 1));
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
  const int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC;
  // The umask ([supervisord] umask, 022 by default) decides the mode, as for supervisord's logs.
  // Privilege rule: root appends to no file through a link (its target may be anyone's).
  fd_ = dir_ ? dir_->open_file(target_.path.filename().string(), flags, 0666)
             : ::open(target_.path.c_str(), flags | (::geteuid() == 0 ? O_NOFOLLOW : 0), 0666);
  if (fd_ < 0 && errno == ELOOP) throw Error(target_.path.string() + ": cannot open log: it is a symbolic link");
  if (fd_ < 0) throw Error(target_.path.string() + ": cannot open log: " + errno_text());
  struct stat st {};
  size_ = ::fstat(fd_, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

bool RotatingLog::rename(const fs::path& from, const fs::path& to) const {
  if (dir_) return dir_->rename(from.filename().string(), to.filename().string());
  return ::rename(from.c_str(), to.c_str()) == 0;
}

void RotatingLog::remove(const fs::path& path) const {
  if (dir_) dir_->remove(path.filename().string());
  else ::unlink(path.c_str());
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
