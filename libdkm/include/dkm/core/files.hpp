#pragma once
// Reading and writing files and putting finished work in place, atomically: whatever is
// written goes to a temporary sibling first and is renamed into place when complete, so a
// crash never leaves half a file, half a directory or a missing link.
// Implementation: libdkm/src/core/files.cpp.

#include <dkm/core/error.hpp>

#include <sys/types.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <string_view>

namespace dkm {

namespace fs = std::filesystem;

/// The text of strerror(err) for messages.
std::string errno_text(int err = errno);

/// Writes all of `content` to the descriptor `fd` (short writes and EINTR retried);
/// false, errno set, when it cannot.
bool write_all(int fd, std::string_view content);

/// Reads a whole file; throws Error naming the path when it cannot.
std::string read_file(const fs::path& path);

/// A fresh name for a temporary sibling of `target` (same directory, so rename is atomic).
fs::path temp_sibling(const fs::path& target);

/// Writes `content` to `path` atomically with permission bits `mode` (the umask aside).
void write_file_atomic(const fs::path& path, std::string_view content, mode_t mode = 0644);

/// Writes atomically only when the content differs; returns whether it wrote.
/// Keeps modification times still for tools (ninja) that look at them.
bool write_file_if_changed(const fs::path& path, std::string_view content, mode_t mode = 0644);

/// Puts the finished directory `finished` at `target` in one step: renamed there, or,
/// when `target` exists, exchanged with it (renameat2 RENAME_EXCHANGE) and the old one
/// removed. Readers see the old tree or the new one, never neither. Both must be on one
/// file system. Throws Error naming `target`; `finished` is then left as it was.
void publish_directory(const fs::path& finished, const fs::path& target);

/// Makes `link` a symbolic link to `target` in one step (a new link beside it, renamed
/// over it), whatever `link` was. Throws Error naming `link`.
void replace_symlink(const fs::path& link, const fs::path& target);

/// replace_symlink() for `link` relative to the directory handle `dir` (or AT_FDCWD),
/// `shown` in messages.
void replace_symlink_at(int dir, const fs::path& link, const fs::path& target, const fs::path& shown);

}  // namespace dkm
