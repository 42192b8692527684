// `dkm tail [-f] [-n N] NAME`: a log's last lines, then what is appended, across rotations.
#include "log_tail.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string>
#include <string_view>

namespace dkm::supervise {

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

}  // namespace dkm::supervise

namespace dkm::supervise {

namespace {

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

}  // namespace dkm::supervise

namespace dkm::supervise {

void tail_log(const fs::path& path, std::size_t lines, bool follow, int out_fd) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && !(follow && errno == ENOENT)) throw Error(path.string() + ": cannot read: " + errno_text());
  if (fd >= 0) {
    ::lseek(fd, last_lines_offset(fd, lines), SEEK_SET);
    if (!copy_to_end(fd, out_fd) || !follow) {
      ::close(fd);
      return;
    }
  }
  int watch = ::inotify_init1(IN_CLOEXEC);
  if (watch < 0) throw Error("inotify: " + errno_text());
  fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  if (::inotify_add_watch(watch, dir.c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
                                                  IN_CLOSE_WRITE | IN_ATTRIB) < 0) {
    int err = errno;
    ::close(watch);
    if (fd >= 0) ::close(fd);
    throw Error(dir.string() + ": cannot watch: " + errno_text(err));
  }
  const std::string name = path.filename().string();
  alignas(inotify_event) char events[16384];
  for (;;) {
    // Output first: a reader that went away ends the tail even while the log is quiet.
    pollfd fds[2] = {{watch, POLLIN, 0}, {out_fd, 0, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) break;
    if (fds[1].revents & (POLLERR | POLLHUP)) break;
    if (!(fds[0].revents & POLLIN)) continue;
    ssize_t n = ::read(watch, events, sizeof events);
    if (n <= 0) continue;
    if (!concerns(events, static_cast<std::size_t>(n), name)) continue;
    // Whatever happened to the name, what was written to the open file comes first.
    if (fd >= 0 && !copy_to_end(fd, out_fd)) break;
    struct stat by_name {}, open_file {};
    bool exists = ::stat(path.c_str(), &by_name) == 0;
    if (fd >= 0) ::fstat(fd, &open_file);
    if (fd >= 0 && exists && by_name.st_ino == open_file.st_ino &&
        by_name.st_dev == open_file.st_dev) {
      if (by_name.st_size < ::lseek(fd, 0, SEEK_CUR)) {  // truncated in place
        ::lseek(fd, 0, SEEK_SET);
        if (!copy_to_end(fd, out_fd)) break;
      }
      continue;
    }
    // Rotated or removed: the name now means a new file (or nothing yet); what the old
    // one became and the files rotated after it come first.
    if (fd >= 0) {
      bool output_gone = !copy_rotated(path, fd, open_file, out_fd);
      ::close(fd);
      fd = -1;
      if (output_gone) break;
    }
    fd = exists ? ::open(path.c_str(), O_RDONLY | O_CLOEXEC) : -1;
    if (fd >= 0 && !copy_to_end(fd, out_fd)) break;
  }
  if (fd >= 0) ::close(fd);
  ::close(watch);
}

}  // namespace dkm::supervise
