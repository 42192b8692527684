// One dkmpack run per build directory at a time.
#include "build_lock.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace dkm::pack {

BuildLock::BuildLock(const fs::path& lock_file) {
  fs::create_directories(lock_file.parent_path());
  // No O_CLOEXEC on purpose: children inherit the lock (see above).
  fd_ = ::open(lock_file.c_str(), O_RDWR | O_CREAT, 0644);
  if (fd_ < 0) throw Error(lock_file.string() + ": cannot open: " + errno_text());
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    std::string holder;
    try {
      holder = std::string(trim(read_file(lock_file)));
    } catch (const Error&) {
    }
    ::close(fd_);
    throw Error(lock_file.parent_path().string() + " is in use by another dkmpack run" +
                (holder.empty() ? "" : " (pid " + holder + ")") +
                ", or by a program it started that still runs (see `fuser " + lock_file.string() + "`)");
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0) (void)!::pwrite(fd_, pid.data(), pid.size(), 0);
}

}  // namespace dkm::pack
