#pragma once
// The root that boot files go under (/, or an image given with --root), opened once.
// Every path, a path of the booted system ("/etc/systemd/system/..."), is resolved inside
// it: under an image with openat2's RESOLVE_IN_ROOT, so that a link inside the image
// (even an absolute one) means what it will mean in the booted system and never leads out
// of the image; the last component of what is written, read or removed is never followed
// (openat/renameat/unlinkat from its directory's handle).
// Implementation: libdkm/src/boot/image_root.cpp.

#include <dkm/core/dir_handle.hpp>
#include <dkm/core/files.hpp>

#include <sys/stat.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dkm::boot {

/// A root for boot files, and the file operations install-boot and uninstall-boot make in it.
class ImageRoot {
 public:
  /// Opens `root` (an absolute directory). Throws UsageError when it is no directory.
  explicit ImageRoot(const fs::path& root);

  /// The root on this machine.
  const fs::path& root() const { return root_; }
  /// Where `path` (of the booted system) lives on this machine, for messages.
  fs::path host(const fs::path& path) const;

  /// The directory `dir`, opened inside the root; nothing when it does not exist.
  /// Throws UsageError naming it when it, or a parent, is a link that leads nowhere
  /// inside the root, or is not a directory.
  std::optional<DirHandle> open_dir(const fs::path& dir) const;
  /// The directories of `dirs` and their parents that do not exist yet, parents first.
  /// Throws UsageError as open_dir() does: a link that leads out of an image is found
  /// here, before anything is written.
  std::vector<fs::path> missing_dirs(const std::vector<fs::path>& dirs) const;
  /// Creates the directory `dir` (mode 0755) in its existing parent; nothing when it exists.
  void make_dir(const fs::path& dir) const;

  /// The status of `path`, its last component not followed; nothing when absent.
  std::optional<struct stat> status(const fs::path& path) const;
  /// The content of the regular file `file`, its last component not followed; nothing
  /// when it is absent, no regular file or unreadable.
  std::optional<std::string> read_file(const fs::path& file) const;
  /// The text of the link `link`; nothing when it is absent or no link.
  std::optional<fs::path> read_symlink(const fs::path& link) const;
  /// Writes `file` atomically (its directory exists). Throws Error naming it.
  void write_file(const fs::path& file, std::string_view content, mode_t mode) const;
  /// Makes `link` a link to `target` in one step (its directory exists).
  void replace_symlink(const fs::path& link, const fs::path& target) const;
  /// Renames `from` to `to`, two names in one directory.
  void rename(const fs::path& from, const fs::path& to) const;
  /// Removes the file or link `path` (never a directory); false when it was not there.
  bool remove(const fs::path& path) const;
  /// Removes the directory `dir` when it is empty; false when it is not (or absent).
  bool remove_empty_dir(const fs::path& dir) const;

 private:
  /// open(2) of `path` (of the booted system) resolved inside the root; -1 and errno on failure.
  int open_inside(const fs::path& path, int flags) const;
  /// The directory holding `path`; throws Error naming `path` when it does not exist.
  DirHandle parent_of(const fs::path& path) const;

  fs::path root_;
  std::optional<DirHandle> image_;  ///< the image's handle; none for "/"
};

}  // namespace dkm::boot
