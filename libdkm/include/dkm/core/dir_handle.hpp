#pragma once
// A directory opened once, and the files in it reached only from that handle (openat,
// renameat, unlinkat, always O_NOFOLLOW): a link planted in the directory is never
// followed, and a rename or a link swapped in for the directory after it was opened
// changes nothing. What a process running as root writes in a directory another account
// could write goes through one of these (SECURITY.md, the privilege rule).
// Implementation: libdkm/src/core/dir_handle.cpp.

#include <dkm/core/files.hpp>

#include <sys/stat.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dkm {

/// An open directory and the files in it.
class DirHandle {
 public:
  DirHandle() = default;
  /// Opens the directory `path`; a link there is followed only when `follow_link`.
  /// Throws Error naming `path` (a link not to follow: "is a symbolic link").
  DirHandle(const fs::path& path, bool follow_link);
  DirHandle(DirHandle&& other) noexcept;
  DirHandle& operator=(DirHandle&& other) noexcept;
  DirHandle(const DirHandle&) = delete;
  DirHandle& operator=(const DirHandle&) = delete;
  ~DirHandle();

  /// True when a directory is open.
  bool is_open() const { return fd_ >= 0; }
  /// The descriptor (O_DIRECTORY, close-on-exec).
  int fd() const { return fd_; }
  /// The path it was opened by, for messages.
  const fs::path& path() const { return path_; }
  /// path()/name, for messages.
  fs::path operator/(std::string_view name) const { return path_ / std::string(name); }
  /// "/proc/self/fd/N/name": a path that goes through this handle, for calls that take
  /// only a path (bind, connect).
  fs::path through(std::string_view name) const;
  /// The directory's own stat (owner, mode).
  struct stat status() const;

  /// Opens `name` with `flags` (O_NOFOLLOW and O_CLOEXEC added); -1 with errno set.
  int open_file(std::string_view name, int flags, mode_t mode = 0644) const;
  /// Reads `name`; nothing when it does not exist, is a link or cannot be read.
  std::optional<std::string> read_file(std::string_view name) const;
  /// Whether a write is flushed to the disk before it replaces the old file.
  enum class Sync { kYes, kNo };
  /// Writes `name` atomically with mode `mode` (a temporary file renamed over it: a link
  /// at `name` is replaced, never written through). Sync::kNo skips the fsync, for a file
  /// that means nothing after a reboot (readers still see the old content or the new).
  /// Throws Error naming the file.
  void write_file_atomic(std::string_view name, std::string_view content, mode_t mode = 0644,
                         Sync sync = Sync::kYes) const;
  /// Renames `from` to `to` inside the directory; false (errno set) when it cannot.
  bool rename(std::string_view from, std::string_view to) const;
  /// Removes the file or link `name` (never what a link points to); false when it was not there.
  bool remove(std::string_view name) const;
  /// The names in the directory, "." and ".." left out.
  std::vector<std::string> names() const;

  /// Adopts `fd`, an open directory, named `path` in messages.
  static DirHandle adopt(int fd, fs::path path);
  /// The subdirectory `name`, never reached through a link. Throws Error naming it (a
  /// link: "is a symbolic link").
  DirHandle subdir(std::string_view name) const;
  /// The status of `name`, a link not followed; nothing when there is no such entry.
  std::optional<struct stat> entry_status(std::string_view name) const;
  /// The text of the link `name`; nothing when it is absent or no link.
  std::optional<fs::path> read_symlink(std::string_view name) const;
  /// Makes `name` a link to `target` in one step (a new link renamed over it).
  void replace_symlink(std::string_view name, const fs::path& target) const;

 private:
  int fd_ = -1;
  fs::path path_;
};

}  // namespace dkm
