// The root that boot files go under, every path resolved inside it.
#include "image_root.hpp"

#include <dkm/boot/init_system.hpp>
#include <dkm/core/error.hpp>

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <set>

namespace dkm::boot {

ImageRoot::ImageRoot(const fs::path& root) : root_(root) {
  if (root_ == "/") return;
  int fd = ::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw UsageError("--root " + root_.string() + ": no such directory (" + errno_text() + ")");
  image_ = DirHandle::adopt(fd, root_);
}

fs::path ImageRoot::host(const fs::path& path) const { return under_root(root_, path); }

int ImageRoot::open_inside(const fs::path& path, int flags) const {
  if (!image_) return ::open(path.c_str(), flags | O_CLOEXEC);
  fs::path relative = path.relative_path();
  open_how how{};
  how.flags = static_cast<unsigned long long>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  long fd = ::syscall(SYS_openat2, image_->fd(), relative.empty() ? "." : relative.c_str(), &how, sizeof how);
  if (fd < 0 && errno == ENOSYS)
    throw Error("--root " + root_.string() + ": this kernel has no openat2 (Linux 5.6 or later), without which "
                "install-boot cannot keep what it writes inside the image");
  return static_cast<int>(fd);
}

std::optional<DirHandle> ImageRoot::open_dir(const fs::path& dir) const {
  // Component by component: a missing directory is told apart from a link that leads
  // nowhere inside the root (which install-boot would otherwise create through).
  fs::path walked = "/";
  for (const auto& part : dir.relative_path()) {
    fs::path next = walked / part;
    int fd = open_inside(next, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
      ::close(fd);
      walked = next;
      continue;
    }
    int err = errno;
    if (err == ENOTDIR) throw UsageError(host(next).string() + " is not a directory; install-boot needs one there");
    if (err != ENOENT) throw Error(host(next).string() + ": cannot open: " + errno_text(err));
    int parent = open_inside(walked, O_RDONLY | O_DIRECTORY);
    DirHandle holder = DirHandle::adopt(parent, host(walked));
    if (parent >= 0 && holder.entry_status(part.string()))
      throw UsageError(host(next).string() + " is a link that leads nowhere inside " + root_.string() + " (to " +
                       holder.read_symlink(part.string()).value_or("?").string() +
                       "); install-boot writes only inside it: make it a directory, or a link to one there");
    return std::nullopt;
  }
  int fd = open_inside(walked, O_RDONLY | O_DIRECTORY);
  if (fd < 0) throw Error(host(dir).string() + ": cannot open: " + errno_text());
  return DirHandle::adopt(fd, host(dir));
}

std::vector<fs::path> ImageRoot::missing_dirs(const std::vector<fs::path>& dirs) const {
  std::set<std::string> missing;
  for (fs::path dir : dirs) {
    while (dir != "/" && !dir.empty() && !open_dir(dir)) {
      missing.insert(dir.string());
      dir = dir.parent_path();
    }
  }
  // A parent is a prefix of its children, so the set's order puts parents first.
  return {missing.begin(), missing.end()};
}

void ImageRoot::make_dir(const fs::path& dir) const {
  DirHandle parent = parent_of(dir);
  std::string name = dir.filename().string();
  if (::mkdirat(parent.fd(), name.c_str(), 0755) != 0 && errno != EEXIST)
    throw Error(host(dir).string() + ": cannot create directory: " + errno_text());
  // 0755 whatever the umask, set on the directory itself (never through a link).
  DirHandle made = parent.subdir(name);
  if (::fchmod(made.fd(), 0755) != 0) throw Error(host(dir).string() + ": cannot set its mode: " + errno_text());
}

std::optional<struct stat> ImageRoot::status(const fs::path& path) const {
  std::optional<DirHandle> parent = open_dir(path.parent_path());
  if (!parent) return std::nullopt;
  return parent->entry_status(path.filename().string());
}

std::optional<std::string> ImageRoot::read_file(const fs::path& file) const {
  std::optional<DirHandle> parent = open_dir(file.parent_path());
  if (!parent) return std::nullopt;
  return parent->read_file(file.filename().string());
}

std::optional<fs::path> ImageRoot::read_symlink(const fs::path& link) const {
  std::optional<DirHandle> parent = open_dir(link.parent_path());
  if (!parent) return std::nullopt;
  return parent->read_symlink(link.filename().string());
}

void ImageRoot::write_file(const fs::path& file, std::string_view content, mode_t mode) const {
  parent_of(file).write_file_atomic(file.filename().string(), content, mode);
}

void ImageRoot::replace_symlink(const fs::path& link, const fs::path& target) const {
  parent_of(link).replace_symlink(link.filename().string(), target);
}

void ImageRoot::rename(const fs::path& from, const fs::path& to) const {
  DirHandle dir = parent_of(from);
  if (to.parent_path() != from.parent_path()) throw Error(host(to).string() + ": not beside " + host(from).string());
  if (!dir.rename(from.filename().string(), to.filename().string()))
    throw Error(host(from).string() + ": cannot rename to " + host(to).string() + ": " + errno_text());
}

bool ImageRoot::remove(const fs::path& path) const {
  std::optional<DirHandle> parent = open_dir(path.parent_path());
  return parent && parent->remove(path.filename().string());
}

bool ImageRoot::remove_empty_dir(const fs::path& dir) const {
  std::optional<DirHandle> parent = open_dir(dir.parent_path());
  if (!parent) return false;
  std::string name = dir.filename().string();
  auto st = parent->entry_status(name);
  if (!st || !S_ISDIR(st->st_mode)) return false;
  return ::unlinkat(parent->fd(), name.c_str(), AT_REMOVEDIR) == 0;
}

DirHandle ImageRoot::parent_of(const fs::path& path) const {
  std::optional<DirHandle> parent = open_dir(path.parent_path());
  if (!parent) throw Error(host(path).string() + ": cannot write: its directory does not exist");
  return std::move(*parent);
}

}  // namespace dkm::boot
