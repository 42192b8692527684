// The lock that makes a supervisor the only one of its install.
#include "supervisor_lock.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace dkm::supervise {

std::optional<int> try_supervisor_lock(const DirHandle& run) {
  int fd = run.open_file(kSupervisorLock, O_RDWR | O_CREAT, 0600);
  if (fd < 0 && errno == ELOOP) throw Error((run / kSupervisorLock).string() + ": is a symbolic link: not opened");
  if (fd < 0) throw Error((run / kSupervisorLock).string() + ": cannot open: " + errno_text());
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return fd;
  int err = errno;
  ::close(fd);
  if (err == EWOULDBLOCK) return std::nullopt;
  throw Error((run / kSupervisorLock).string() + ": cannot lock: " + errno_text(err));
}

}  // namespace dkm::supervise
