#pragma once
// What a boot service starts, worked out from an install directory and the options
// before anything is written: the install by its real (canonical) path, the account dkm
// runs as, and what the sandbox leaves writable. dkmadmin runs as root and the install
// is often another account's: it reads the install through paths it has resolved and
// checked, never a link the owner can move later (SECURITY.md, "The privilege rule").
// Implementation: libdkm/src/boot/plan_target.cpp.

#include <dkm/boot/commands.hpp>
#include <dkm/boot/target.hpp>
#include <dkm/core/install_layout.hpp>

#include <sys/types.h>

#include <string>

namespace dkm::boot {

/// The install in `layout` as the booted system sees it, by its real path (the links
/// on the way to it resolved): what a unit, a script and a record name.
fs::path install_home(const fs::path& root, const InstallLayout& layout);

/// True when `recorded` (a record's or a unit's home) names the install in `layout`: by
/// its real path, or by the path given (a record of an earlier dkmadmin, which wrote that).
bool names_install(const fs::path& recorded, const fs::path& root, const InstallLayout& layout);

/// Why a directory that a link of the install leads to (out of DIR) may not be made
/// writable for the account `user` (uid `uid`); empty when it may. It must be a
/// directory that the account owns; for root, the link must be root's too (another
/// account's link is that account's say-so).
std::string writable_problem(const std::string& user, uid_t uid, bool is_directory, uid_t directory_owner,
                             uid_t link_owner);

/// Checks the install and the options and works out what the boot service starts.
/// Throws UsageError (nothing written) for a bad name, a directory without an install,
/// an unknown account, an install owned by root without --user, --user root for an
/// install another account owns without --force, and a storage/, run/ or conf/ that
/// leads to a directory writable_problem() refuses.
BootTarget plan_boot_target(const InstallLayout& layout, const BootOptions& options);

/// The directories of `layout` that dkm writes but `uid` does not own (dkm would fail
/// at boot there), as a warning to print; empty when there is none.
std::string ownership_warning(const InstallLayout& layout, uid_t uid, const std::string& user);

}  // namespace dkm::boot
