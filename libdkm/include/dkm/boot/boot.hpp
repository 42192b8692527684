#pragma once
// dkmadmin's work: install-boot, uninstall-boot and status-boot for one install
// directory. install-boot writes a systemd unit or a SysV init script, enables it, and
// records every file (with its sha256), link and directory it made; uninstall-boot
// disables and removes what the record lists, as it was written (uninstall.hpp).
// Everything is checked before anything is written, and every path is resolved inside
// --root (image_root.hpp). This header gathers the commands' own headers.
// Implementation: libdkm/src/boot/boot.cpp (install-boot).

#include <dkm/boot/commands.hpp>
#include <dkm/boot/init_system.hpp>
#include <dkm/boot/plan_target.hpp>
#include <dkm/boot/record.hpp>
#include <dkm/boot/status.hpp>
#include <dkm/boot/target.hpp>
#include <dkm/boot/uninstall.hpp>
#include <dkm/core/install_layout.hpp>

#include <ostream>

namespace dkm::boot {

/// Writes, records and enables the boot service of `layout`; returns its record.
/// Bad input (see plan_boot_target, plus a name taken by another install without
/// --force, an install path systemd cannot run, a missing --root, a link inside --root
/// that leads out of it, no privileges) throws UsageError before anything is written.
BootRecord install_boot(const InstallLayout& layout, const BootOptions& options, BootCommands& commands,
                        std::ostream& out);

}  // namespace dkm::boot
