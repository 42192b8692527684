#pragma once
// A log file that rotates by size: NAME.log -> NAME.log.1 -> ... -> NAME.log.N.
// A file never grows past max_bytes; a write that does not fit is cut at its last
// newline that fits (mid-line only when a single line is longer than a file).

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/supervise/services_file.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>

namespace dkm::supervise {

/// The name of rotated file number `n` of `path` (NAME.log.n).
inline fs::path rotated_name(const fs::path& path, int n) { return fs::path(path.string() + "." + std::to_string(n)); }

/// Appends to one log file, rotating it by size.
class RotatingLog {
 public:
  /// Opens (creates) `target.path` for appending; throws Error naming it when it cannot.
  explicit RotatingLog(LogTarget target) : target_(std::move(target)) { open(); }
  RotatingLog(const RotatingLog&) = delete;
  RotatingLog& operator=(const RotatingLog&) = delete;
  ~RotatingLog() {
    if (fd_ >= 0) ::close(fd_);
  }

  /// Appends `data`, rotating before the file would pass max_bytes.
  void write(std::string_view data) {
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

  /// Renames the file to NAME.log.1 (shifting older ones, dropping the oldest) and starts a new one.
  void rotate() {
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

  /// Closes and reopens the file (after logrotate or a user moved it away).
  void reopen() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    open();
  }

  /// Where it writes and how it rotates.
  const LogTarget& target() const { return target_; }
  /// The current file's size as this writer knows it.
  std::uint64_t size() const { return size_; }
  /// The open descriptor (-1 when the file could not be reopened).
  int fd() const { return fd_; }

 private:
  void open() {
    fd_ = ::open(target_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) throw Error(target_.path.string() + ": cannot open log: " + errno_text());
    struct stat st {};
    size_ = ::fstat(fd_, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  }

  void write_all(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // disk full: the service must not stall on its log
      size_ += static_cast<std::uint64_t>(n);
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  LogTarget target_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

}  // namespace dkm::supervise
