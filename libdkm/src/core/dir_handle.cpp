// A directory reached through a handle opened once; its entries never through a link.
#include <dkm/core/dir_handle.hpp>

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <utility>

namespace dkm {

namespace {

/// Why opening `name` without following a link failed, for a message.
std::string open_failure(int err, const fs::path& shown, bool directory) {
  if (err == ELOOP) return shown.string() + " is a link; it is not followed here: make it a real " +
                           (directory ? std::string("directory") : std::string("file"));
  if (err == ENOTDIR && directory) return shown.string() + " is not a directory (or is a link)";
  return shown.string() + ": cannot open: " + errno_text(err);
}

}  // namespace

DirHandle DirHandle::open(const fs::path& path, bool follow_last) {
  int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow_last ? 0 : O_NOFOLLOW);
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) throw Error(open_failure(errno, path, true));
  return DirHandle(fd, path);
}

DirHandle& DirHandle::operator=(DirHandle&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

DirHandle::~DirHandle() {
  if (fd_ >= 0) ::close(fd_);
}

struct stat DirHandle::status() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) throw Error(path_.string() + ": cannot stat: " + errno_text());
  return st;
}

std::optional<struct stat> DirHandle::entry_status(const std::string& name) const {
  struct stat st {};
  if (::fstatat(fd_, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return st;
  if (errno == ENOENT) return std::nullopt;
  throw Error(shown(name).string() + ": cannot stat: " + errno_text());
}

DirHandle DirHandle::subdir(const std::string& name) const {
  int fd = ::openat(fd_, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) throw Error(open_failure(errno, shown(name), true));
  return DirHandle(fd, shown(name));
}

std::string DirHandle::read_file(const std::string& name) const {
  // O_NONBLOCK: a FIFO planted there does not hang the reader; it is refused below.
  int fd = ::openat(fd_, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw Error(open_failure(errno, shown(name), false));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(shown(name).string() + " is not a regular file");
  }
  std::string out;
  char buf[1 << 14];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      throw Error(shown(name).string() + ": cannot read: " + errno_text(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

std::optional<fs::path> DirHandle::read_symlink(const std::string& name) const {
  char buf[PATH_MAX];
  ssize_t n = ::readlinkat(fd_, name.c_str(), buf, sizeof buf);
  if (n < 0) return std::nullopt;
  return fs::path(std::string(buf, static_cast<size_t>(n)));
}

bool DirHandle::remove(const std::string& name) const {
  if (::unlinkat(fd_, name.c_str(), 0) == 0) return true;
  if (errno == ENOENT) return false;
  throw Error(shown(name).string() + ": cannot remove: " + errno_text());
}

}  // namespace dkm
