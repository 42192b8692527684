#pragma once
// A directory reached through a handle opened once, and its entries reached only through
// it (openat, renameat, symlinkat with O_NOFOLLOW): a link planted inside the directory is
// never followed, and a swap of the directory itself for a link after it was opened
// changes nothing. What a command writes or reads in a directory that another account can
// change goes through here (SECURITY.md, "The privilege rule").
// Implementation: libdkm/src/core/dir_handle.cpp.

#include <dkm/core/files.hpp>

#include <sys/stat.h>

#include <optional>
#include <string>
#include <string_view>

namespace dkm {

/// An open directory (O_DIRECTORY), closed when the handle goes; `path()` names it in messages.
class DirHandle {
 public:
  /// Opens the directory `path`. With `follow_last` false, a link at its last component
  /// is refused; links in its parents are followed (they are the caller's say-so).
  /// Throws Error naming `path`.
  static DirHandle open(const fs::path& path, bool follow_last = true);

  /// Adopts `fd`, an open directory, shown as `path` in messages.
  DirHandle(int fd, fs::path path) : fd_(fd), path_(std::move(path)) {}
  DirHandle(DirHandle&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) { other.fd_ = -1; }
  DirHandle& operator=(DirHandle&& other) noexcept;
  DirHandle(const DirHandle&) = delete;
  DirHandle& operator=(const DirHandle&) = delete;
  ~DirHandle();

  /// The descriptor, for *at calls.
  int fd() const { return fd_; }
  /// The directory's path, for messages.
  const fs::path& path() const { return path_; }
  /// `name` inside it, for messages.
  fs::path shown(const fs::path& name) const { return path_ / name; }

  /// The directory's own status (fstat): its owner, its mode.
  struct stat status() const;
  /// The status of entry `name`, a link not followed (fstatat AT_SYMLINK_NOFOLLOW);
  /// nothing when there is no such entry. Throws Error on any other failure.
  std::optional<struct stat> entry_status(const std::string& name) const;

  /// The subdirectory `name`, never reached through a link: a link there throws Error
  /// saying so.
  DirHandle subdir(const std::string& name) const;
  /// The content of the regular file `name`, never read through a link. Throws Error
  /// naming it (a link, not a regular file, unreadable).
  std::string read_file(const std::string& name) const;
  /// Writes `name` atomically (a temporary beside it, renamed over it), with mode `mode`.
  void write_file_atomic(const std::string& name, std::string_view content, mode_t mode = 0644) const {
    write_file_atomic_at(fd_, name, content, mode, shown(name));
  }
  /// Makes `name` a link to `target` in one step (a new link renamed over it).
  void replace_symlink(const std::string& name, const fs::path& target) const {
    replace_symlink_at(fd_, name, target, shown(name));
  }
  /// The text of the link `name`; nothing when `name` is absent or not a link.
  std::optional<fs::path> read_symlink(const std::string& name) const;
  /// Removes the file or link `name` (never a directory); false when it was not there.
  bool remove(const std::string& name) const;

 private:
  int fd_ = -1;
  fs::path path_;
};

}  // namespace dkm
