// The end of a log, then what is appended to it, across rotations.
#include "log_tail.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

namespace dkm::supervise {

namespace {

/// Copies what is left of `fd` to `out_fd`; false when the output is gone.
bool copy_to_end(int fd, int out_fd) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = ::write(out_fd, buf + off, static_cast<std::size_t>(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      off += w;
    }
  }
}

/// True when a batch of inotify events concerns the file `name` (or some were lost).
bool concerns(const char* events, std::size_t size, const std::string& name) {
  bool relevant = false;
  for (const char* p = events; p < events + size;) {
    const auto* ev = reinterpret_cast<const inotify_event*>(p);
    if ((ev->len > 0 && name == ev->name) || (ev->mask & IN_Q_OVERFLOW)) relevant = true;
    p += sizeof(inotify_event) + ev->len;
  }
  return relevant;
}

/// The open file `fd` of `path` was rotated away: copies what is left of it, then the
/// files rotated after it. When several rotations happened since the last look, the files
/// in between are NAME.log.k-1 ... NAME.log.1, where NAME.log.k is what the open file
/// became. False when the output is gone.
bool copy_rotated(const fs::path& path, int fd, const struct stat& open_file, int out_fd) {
  // The writer may have added to the old file between the last copy and its rename:
  // once renamed it is complete, so copy what is left now.
  if (!copy_to_end(fd, out_fd)) return false;
  int became = 0;
  for (int k = 1; k <= 1000; ++k) {
    struct stat rotated {};
    if (::stat((path.string() + "." + std::to_string(k)).c_str(), &rotated) != 0) break;
    if (rotated.st_ino == open_file.st_ino && rotated.st_dev == open_file.st_dev) {
      became = k;
      break;
    }
  }
  for (int k = became - 1; k >= 1; --k) {
    int missed = ::open((path.string() + "." + std::to_string(k)).c_str(), O_RDONLY | O_CLOEXEC);
    if (missed < 0) continue;
    bool ok = copy_to_end(missed, out_fd);
    ::close(missed);
    if (!ok) return false;
  }
  return true;
}

}  // namespace

off_t last_lines_offset(int fd, std::size_t count) {
  off_t end = ::lseek(fd, 0, SEEK_END);
  if (end <= 0 || count == 0) return end < 0 ? 0 : end;
  char block[8192];
  off_t pos = end;
  std::size_t newlines = 0;
  bool first = true;
  while (pos > 0) {
    off_t start = pos > static_cast<off_t>(sizeof block) ? pos - static_cast<off_t>(sizeof block) : 0;
    ssize_t n = ::pread(fd, block, static_cast<std::size_t>(pos - start), start);
    if (n <= 0) break;
    for (ssize_t i = n - 1; i >= 0; --i) {
      // A final newline ends the last line; it does not start one.
      if (block[i] == '\n' && !(first && start + i == end - 1) && ++newlines == count) return start + i + 1;
    }
    first = false;
    pos = start;
  }
  return 0;
}

off_t start_offset(int fd, const TailStart& start) {
  if (start.lines) return last_lines_offset(fd, *start.lines);
  off_t end = ::lseek(fd, 0, SEEK_END);
  if (end < 0) return 0;
  return end > static_cast<off_t>(start.bytes) ? end - static_cast<off_t>(start.bytes) : 0;
}

LogFollower::LogFollower(fs::path path, const TailStart& start) : path_(std::move(path)), name_(path_.filename().string()) {
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ >= 0) ::lseek(fd_, start_offset(fd_, start), SEEK_SET);
  watch_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (watch_ < 0) {
    int err = errno;
    if (fd_ >= 0) ::close(fd_);
    throw Error("inotify: " + errno_text(err));
  }
  fs::path dir = path_.parent_path().empty() ? fs::path(".") : path_.parent_path();
  if (::inotify_add_watch(watch_, dir.c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
                                                   IN_CLOSE_WRITE | IN_ATTRIB) < 0) {
    int err = errno;
    ::close(watch_);
    if (fd_ >= 0) ::close(fd_);
    throw Error(dir.string() + ": cannot watch: " + errno_text(err));
  }
}

LogFollower::~LogFollower() {
  if (fd_ >= 0) ::close(fd_);
  ::close(watch_);
}

bool LogFollower::copy_new(int out_fd) { return fd_ < 0 || copy_to_end(fd_, out_fd); }

bool LogFollower::on_ready(int out_fd) {
  alignas(inotify_event) char events[16384];
  bool relevant = false;
  for (ssize_t n; (n = ::read(watch_, events, sizeof events)) > 0;)
    relevant |= concerns(events, static_cast<std::size_t>(n), name_);
  return !relevant || follow_name(out_fd);
}

bool LogFollower::follow_name(int out_fd) {
  // Whatever happened to the name, what was written to the open file comes first.
  if (fd_ >= 0 && !copy_to_end(fd_, out_fd)) return false;
  struct stat by_name {}, open_file {};
  bool exists = ::stat(path_.c_str(), &by_name) == 0;
  if (fd_ >= 0) ::fstat(fd_, &open_file);
  if (fd_ >= 0 && exists && by_name.st_ino == open_file.st_ino && by_name.st_dev == open_file.st_dev) {
    if (by_name.st_size < ::lseek(fd_, 0, SEEK_CUR)) {  // truncated in place
      ::lseek(fd_, 0, SEEK_SET);
      return copy_to_end(fd_, out_fd);
    }
    return true;
  }
  // Rotated or removed: the name now means a new file (or nothing yet); what the old
  // one became and the files rotated after it come first.
  if (fd_ >= 0) {
    bool output_gone = !copy_rotated(path_, fd_, open_file, out_fd);
    ::close(fd_);
    fd_ = -1;
    if (output_gone) return false;
  }
  fd_ = exists ? ::open(path_.c_str(), O_RDONLY | O_CLOEXEC) : -1;
  return copy_new(out_fd);
}

void tail_log(const fs::path& path, const TailStart& start, bool follow, int out_fd, int stop_fd) {
  if (!follow) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(path.string() + ": cannot read: " + errno_text());
    ::lseek(fd, start_offset(fd, start), SEEK_SET);
    copy_to_end(fd, out_fd);
    ::close(fd);
    return;
  }
  LogFollower follower(path, start);
  if (!follower.copy_new(out_fd)) return;
  for (;;) {
    // Output first: a reader that went away ends the tail even while the log is quiet.
    pollfd fds[3] = {{follower.watch_fd(), POLLIN, 0}, {out_fd, 0, 0}, {stop_fd, POLLIN, 0}};
    if (::poll(fds, stop_fd >= 0 ? 3 : 2, -1) < 0 && errno != EINTR) return;
    if ((fds[1].revents & (POLLERR | POLLHUP)) || (stop_fd >= 0 && fds[2].revents)) return;
    if ((fds[0].revents & POLLIN) && !follower.on_ready(out_fd)) return;
  }
}

}  // namespace dkm::supervise
