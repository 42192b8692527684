#pragma once
// The lock that makes a supervisor the only one of its install: DIR/run/dkm.lock, held
// for the supervisor's whole life and released by the kernel even on SIGKILL. Opened
// through run/'s handle, never through a link planted there.
// Implementation: libdkm/src/supervise/supervisor_lock.cpp.

#include <dkm/core/dir_handle.hpp>

#include <optional>

namespace dkm::supervise {

/// The lock file's name in DIR/run: whoever holds it is the install's supervisor.
inline constexpr const char* kSupervisorLock = "dkm.lock";

/// Takes the supervisor lock in `run` without waiting; the descriptor to keep, or nothing when held.
std::optional<int> try_supervisor_lock(const DirHandle& run);

}  // namespace dkm::supervise
