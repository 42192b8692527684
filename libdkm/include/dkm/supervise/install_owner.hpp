#pragma once
// dkm's part of the privilege rule (SECURITY.md): run as root, dkm acts only on an
// install that root owns. Another account's install is its owner's to run: its files
// (services.ini, bin/env), its links (run/) and its processes are that account's say-so,
// so root refuses rather than start, stop or signal anything on its behalf, and says how
// to run the same command as the owner. DKM_ALLOW_ROOT=1 lets root run its own install,
// never another account's.
// Implementation: libdkm/src/supervise/install_owner.cpp.

#include <dkm/core/install_layout.hpp>

#include <string>
#include <vector>

namespace dkm::supervise {

/// Running as root, throws UsageError (exit 2) when DIR, bin/, bin/env, conf/,
/// conf/services.ini or run/ (the link or what it leads to) belongs to another account,
/// with the command to run instead: sudo -u OWNER DIR/bin/dkm ARGS (`args`: dkm's
/// arguments as given).
void refuse_another_accounts_install(const InstallLayout& layout, const std::vector<std::string>& args);

}  // namespace dkm::supervise
