#pragma once
// A log file that rotates by size: NAME.log -> NAME.log.1 -> ... -> NAME.log.N.
// A file never grows past max_bytes; a write that does not fit is cut at its last
// newline that fits (mid-line only when a single line is longer than a file).
// A file of DIR/run is opened and rotated through the supervisor's handle of run/, never
// through a link planted there; another file, when the supervisor runs as root, is not
// opened if it is a link (SECURITY.md).
// Implementation: libdkm/src/supervise/rotating_log.cpp.

#include <dkm/core/dir_handle.hpp>
#include <dkm/supervise/services_file.hpp>

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
  /// When `dir` (which outlives the log) holds the file, it is reached through that handle.
  explicit RotatingLog(LogTarget target, const DirHandle* dir = nullptr);
  RotatingLog(const RotatingLog&) = delete;
  RotatingLog& operator=(const RotatingLog&) = delete;
  ~RotatingLog();

  /// Appends `data`, rotating before the file would pass max_bytes.
  void write(std::string_view data);
  /// Renames the file to NAME.log.1 (shifting older ones, dropping the oldest) and starts a new one.
  void rotate();
  /// Closes and reopens the file (after logrotate or a user moved it away).
  void reopen();
  /// Empties the file (supervisorctl's clear); throws Error when it cannot.
  void clear();

  /// Where it writes and how it rotates.
  const LogTarget& target() const { return target_; }
  /// The current file's size as this writer knows it.
  std::uint64_t size() const { return size_; }
  /// The open descriptor (-1 when the file could not be reopened).
  int fd() const { return fd_; }

 private:
  void open();
  void write_all(std::string_view data);
  bool rename(const fs::path& from, const fs::path& to) const;
  void remove(const fs::path& path) const;

  LogTarget target_;
  const DirHandle* dir_ = nullptr;  ///< the directory handle the file is in, or none
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

}  // namespace dkm::supervise
