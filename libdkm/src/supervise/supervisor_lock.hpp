#pragma once
// The lock that makes a supervisor the only one of its install: DIR/run/dkm.lock, held
// for the supervisor's whole life and released by the kernel even on SIGKILL.
// Implementation: libdkm/src/supervise/supervisor_lock.cpp.

#include <dkm/core/install_layout.hpp>

#include <optional>

namespace dkm::supervise {

/// DIR/run/dkm.lock: whoever holds it is the install's supervisor.
inline fs::path supervisor_lock_file(const InstallLayout& layout) { return layout.run() / "dkm.lock"; }

/// Takes the supervisor lock without waiting; the descriptor to keep, or nothing when held.
std::optional<int> try_supervisor_lock(const InstallLayout& layout);

}  // namespace dkm::supervise
