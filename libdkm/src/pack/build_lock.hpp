#pragma once
// One dkmpack run per build directory at a time. The lock (flock on BUILD/.lock) is held
// through a file descriptor that ninja, the steps and their programs inherit, so a killed
// dkmpack whose builds still run keeps the directory locked until they end.
// Implementation: libdkm/src/pack/build_lock.cpp.

#include <dkm/core/files.hpp>

#include <unistd.h>

namespace dkm::pack {

/// An exclusive lock on a build directory for the lifetime of the object.
class BuildLock {
 public:
  /// Locks `lock_file` (created) or throws Error naming the directory and the holder.
  explicit BuildLock(const fs::path& lock_file);
  BuildLock(const BuildLock&) = delete;
  BuildLock& operator=(const BuildLock&) = delete;
  ~BuildLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  int fd_ = -1;
};

}  // namespace dkm::pack
