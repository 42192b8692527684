#pragma once
// `dkm tail`, `maintail` and `fg`: the end of a log (its last bytes, as supervisorctl
// reads it, or its last lines), then (following) what is appended, across rotations
// (NAME.log renamed to NAME.log.1 and a new NAME.log created) and truncations. inotify
// says when to look; nothing is polled. A LogFollower is one followed file for a
// caller's own poll loop (fg follows two logs and its input at once).
// Implementation: libdkm/src/supervise/log_tail.cpp.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>

namespace dkm::supervise {

/// Where the last `count` lines of the open file `fd` start (reads backwards in blocks).
off_t last_lines_offset(int fd, std::size_t count);

/// Where to start reading a log: its last `lines` lines when given, else its last `bytes` bytes.
struct TailStart {
  std::optional<std::size_t> lines;
  std::size_t bytes = 1600;
};

/// The offset of the open file `fd` that `start` means.
off_t start_offset(int fd, const TailStart& start);

/// One log file followed by name, across rotations and truncations.
class LogFollower {
 public:
  /// Opens `path` at `start` (an absent file is waited for) and watches its directory.
  /// Throws Error when the directory cannot be watched.
  LogFollower(fs::path path, const TailStart& start);
  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;
  ~LogFollower();

  /// The descriptor to poll for input; call on_ready() when it is readable.
  int watch_fd() const { return watch_; }
  /// Copies what the file holds from where it stands to `out_fd`; false when the output is gone.
  bool copy_new(int out_fd);
  /// Reads the watch's events and copies what is new, following the name; false when
  /// the output is gone.
  bool on_ready(int out_fd);

 private:
  bool follow_name(int out_fd);

  fs::path path_;
  std::string name_;
  int fd_ = -1;
  int watch_ = -1;
};

/// Writes the end of `path` that `start` means to `out_fd`; with `follow`, keeps writing
/// what is appended until the output is closed or `stop_fd` (when >= 0) is readable.
/// Throws Error when the file cannot be read (without `follow`, when it is absent).
void tail_log(const fs::path& path, const TailStart& start, bool follow, int out_fd, int stop_fd = -1);

}  // namespace dkm::supervise
