#pragma once
// Reading and writing whole files. Writes are atomic: a temporary file beside the
// target, flushed to disk, then renamed over it, so a crash never leaves half a file.

#include <dkm/core/error.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>

namespace dkm {

namespace fs = std::filesystem;

/// The text of strerror(errno) for messages.
inline std::string errno_text(int err = errno) { return std::strerror(err); }

/// Reads a whole file; throws Error naming the path when it cannot.
inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string() + ": cannot read: " + errno_text());
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

/// A fresh name for a temporary sibling of `target` (same directory, so rename is atomic).
inline fs::path temp_sibling(const fs::path& target) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return target.parent_path() / ("." + target.filename().string() + ".tmp" + std::to_string(rng() % 1000000000));
}

/// Writes `content` to `path` atomically with permission bits `mode`.
inline void write_file_atomic(const fs::path& path, std::string_view content, mode_t mode = 0644) {
  fs::path tmp = temp_sibling(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) throw Error(path.string() + ": cannot write: " + errno_text());
  const char* p = content.data();
  size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw Error(path.string() + ": cannot write: " + errno_text(err));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  // The umask may have narrowed the mode; the caller asked for exactly this one.
  if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    throw Error(path.string() + ": cannot write: " + errno_text(err));
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw Error(path.string() + ": cannot write: " + errno_text(err));
  }
}

/// Writes atomically only when the content differs; returns whether it wrote.
/// Keeps modification times still for tools (ninja) that look at them.
inline bool write_file_if_changed(const fs::path& path, std::string_view content, mode_t mode = 0644) {
  std::error_code ec;
  if (fs::exists(path, ec)) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in && buffer.str() == content) return false;
  }
  write_file_atomic(path, content, mode);
  return true;
}

}  // namespace dkm
