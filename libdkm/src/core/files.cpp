// Whole files, written atomically, and finished directories and links put in place.
#include <dkm/core/files.hpp>

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

namespace dkm {

bool write_all(int fd, std::string_view content) {
  const char* p = content.data();
  size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    p += n;
    left -= static_cast<size_t>(n);
  }
  return true;
}

std::string errno_text(int err) { return std::strerror(err); }

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string() + ": cannot read: " + errno_text());
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

fs::path temp_sibling(const fs::path& target) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return target.parent_path() / ("." + target.filename().string() + ".tmp" + std::to_string(rng() % 1000000000));
}

void write_file_atomic(const fs::path& path, std::string_view content, mode_t mode) {
  fs::path tmp = temp_sibling(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) throw Error(path.string() + ": cannot write: " + errno_text());
  // The umask may have narrowed the mode; the caller asked for exactly this one.
  if (!write_all(fd, content) || ::fchmod(fd, mode) != 0 || ::fsync(fd) != 0) {
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

bool write_file_if_changed(const fs::path& path, std::string_view content, mode_t mode) {
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

void publish_directory(const fs::path& finished, const fs::path& target) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(target, ec))) {
    if (::rename(finished.c_str(), target.c_str()) != 0)
      throw Error(target.string() + ": cannot put the new directory in place: " + errno_text());
    return;
  }
  if (::renameat2(AT_FDCWD, finished.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0)
    throw Error(target.string() + ": cannot replace it with the new directory: " + errno_text());
  fs::remove_all(finished, ec);  // the old tree, now at the finished one's name
}

void replace_symlink(const fs::path& link, const fs::path& target) { replace_symlink_at(AT_FDCWD, link, target, link); }

void replace_symlink_at(int dir, const fs::path& link, const fs::path& target, const fs::path& shown) {
  fs::path tmp = temp_sibling(link);
  if (::symlinkat(target.c_str(), dir, tmp.c_str()) != 0)
    throw Error(shown.string() + ": cannot create link to " + target.string() + ": " + errno_text());
  if (::renameat(dir, tmp.c_str(), dir, link.c_str()) != 0) {
    int err = errno;
    ::unlinkat(dir, tmp.c_str(), 0);
    throw Error(shown.string() + ": cannot replace link: " + errno_text(err));
  }
}

}  // namespace dkm
