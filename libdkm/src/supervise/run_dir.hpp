#pragma once
// DIR/run as the supervisor and `dkm stop` use it: opened once, and every file of theirs
// in it (dkm.lock, dkm.pid, dkm.sock, dkm.log, dkm.procs, NAME.pid, NAME.log) reached
// from that handle with O_NOFOLLOW (core's DirHandle). Run as root, run/ itself must be
// root's: a run/ that is a link another account planted, or that leads to a directory
// another account owns, is refused; root never writes through it (SECURITY.md).
// Implementation: libdkm/src/supervise/run_dir.cpp.

#include <dkm/core/dir_handle.hpp>
#include <dkm/core/install_layout.hpp>

#include <string>
#include <vector>

namespace dkm::supervise {

/// Opens DIR/run (creating it first when `create` and it is missing). Throws Error naming
/// it when it cannot, or, running as root, when it or the link to it is another account's.
DirHandle open_run_dir(const InstallLayout& layout, bool create);

/// The names of the services' pid files in run/ (NAME.pid; dkm.pid left out).
std::vector<std::string> service_pid_file_names(const DirHandle& run);

}  // namespace dkm::supervise
