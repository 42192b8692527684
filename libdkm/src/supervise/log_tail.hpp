#pragma once
// `dkm tail [-f] [-n N] NAME`: the last lines of a service's log, then (with -f) what is
// appended, across rotations (NAME.log renamed to NAME.log.1 and a new NAME.log
// created) and truncations. inotify says when to look; nothing is polled.
// Implementation: libdkm/src/supervise/log_tail.cpp.

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

/// Where the last `count` lines of the open file `fd` start (reads backwards in blocks).
off_t last_lines_offset(int fd, std::size_t count);

/// Writes the last `lines` lines of `path` to `out_fd`; with `follow`, keeps writing what
/// is appended until the output is closed. Throws Error when the file cannot be read.
void tail_log(const fs::path& path, std::size_t lines, bool follow, int out_fd);

}  // namespace dkm::supervise
