// A directory opened once, its files reached only through it.
#include <dkm/core/dir_handle.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <utility>

namespace dkm {

DirHandle::DirHandle(const fs::path& path, bool follow_link) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow_link ? 0 : O_NOFOLLOW));
  if (fd_ >= 0) return;
  int err = errno;
  struct stat st {};
  if (!follow_link && (err == ELOOP || err == ENOTDIR) && ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
    throw Error(path.string() + ": is a symbolic link, not a directory");
  throw Error(path.string() + ": cannot open directory: " + errno_text(err));
}

DirHandle::DirHandle(DirHandle&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

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

fs::path DirHandle::through(std::string_view name) const {
  return fs::path("/proc/self/fd/" + std::to_string(fd_)) / std::string(name);
}

struct stat DirHandle::status() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) throw Error(path_.string() + ": cannot stat: " + errno_text());
  return st;
}

int DirHandle::open_file(std::string_view name, int flags, mode_t mode) const {
  return ::openat(fd_, std::string(name).c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
}

std::optional<std::string> DirHandle::read_file(std::string_view name) const {
  int fd = open_file(name, O_RDONLY | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  std::optional<std::string> out;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) out.emplace();
  char buf[65536];
  while (out) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) out.reset();
    if (n <= 0) break;
    out->append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

void DirHandle::write_file_atomic(std::string_view name, std::string_view content, mode_t mode, Sync sync) const {
  std::string target(name);
  std::string tmp = temp_sibling(target).filename().string();
  int fd = open_file(tmp, O_WRONLY | O_CREAT | O_EXCL, mode);
  if (fd < 0) throw Error((path_ / target).string() + ": cannot write: " + errno_text());
  // The umask may have narrowed the mode; the caller asked for exactly this one.
  if (!write_all(fd, content) || ::fchmod(fd, mode) != 0 || (sync == Sync::kYes && ::fsync(fd) != 0)) {
    int err = errno;
    ::close(fd);
    ::unlinkat(fd_, tmp.c_str(), 0);
    throw Error((path_ / target).string() + ": cannot write: " + errno_text(err));
  }
  ::close(fd);
  if (::renameat(fd_, tmp.c_str(), fd_, target.c_str()) != 0) {
    int err = errno;
    ::unlinkat(fd_, tmp.c_str(), 0);
    throw Error((path_ / target).string() + ": cannot write: " + errno_text(err));
  }
}

bool DirHandle::rename(std::string_view from, std::string_view to) const {
  return ::renameat(fd_, std::string(from).c_str(), fd_, std::string(to).c_str()) == 0;
}

bool DirHandle::remove(std::string_view name) const { return ::unlinkat(fd_, std::string(name).c_str(), 0) == 0; }

std::vector<std::string> DirHandle::names() const {
  std::vector<std::string> out;
  int fd = ::openat(fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* dir = fd < 0 ? nullptr : ::fdopendir(fd);
  if (!dir) {
    if (fd >= 0) ::close(fd);
    return out;
  }
  while (dirent* e = ::readdir(dir)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(n);
  }
  ::closedir(dir);
  return out;
}

DirHandle DirHandle::adopt(int fd, fs::path path) {
  DirHandle dir;
  dir.fd_ = fd;
  dir.path_ = std::move(path);
  return dir;
}

DirHandle DirHandle::subdir(std::string_view name) const {
  int fd = open_file(name, O_RDONLY | O_DIRECTORY);
  if (fd >= 0) return adopt(fd, *this / name);
  int err = errno;
  auto st = entry_status(name);
  if (st && S_ISLNK(st->st_mode)) throw Error((*this / name).string() + ": is a symbolic link, not a directory");
  throw Error((*this / name).string() + ": cannot open directory: " + errno_text(err));
}

std::optional<struct stat> DirHandle::entry_status(std::string_view name) const {
  struct stat st {};
  if (::fstatat(fd_, std::string(name).c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return std::nullopt;
  return st;
}

std::optional<fs::path> DirHandle::read_symlink(std::string_view name) const {
  char buf[PATH_MAX];
  ssize_t n = ::readlinkat(fd_, std::string(name).c_str(), buf, sizeof buf);
  if (n < 0) return std::nullopt;
  return fs::path(std::string(buf, static_cast<size_t>(n)));
}

void DirHandle::replace_symlink(std::string_view name, const fs::path& target) const {
  replace_symlink_at(fd_, std::string(name), target, *this / name);
}

}  // namespace dkm
