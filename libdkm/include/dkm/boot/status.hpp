#pragma once
// status-boot: what is installed to start an install (or an instance) at boot, read
// from the boot records, the files they list and the init system.
// Implementation: libdkm/src/boot/status.cpp.

#include <dkm/boot/commands.hpp>
#include <dkm/core/install_layout.hpp>

#include <optional>
#include <ostream>

namespace dkm::boot {

/// Status of boot services: installed and complete, none installed, or installed with parts missing.
enum BootStatus : int { kBootInstalled = 0, kBootBroken = 1, kBootNotInstalled = 3 };

/// Prints what is installed for `layout` (or, with a name, for that instance) and
/// returns a BootStatus.
int status_boot(const std::optional<InstallLayout>& layout, const BootOptions& options, BootCommands& commands,
                std::ostream& out);

}  // namespace dkm::boot
