#pragma once
// uninstall-boot: disables a boot service and removes what install-boot wrote for it,
// as it wrote it. A boot record is no licence to delete: a file is removed only when it
// is the service's unit or script with the content recorded (its sha256), a link only
// when it is one install-boot makes with the text recorded; anything else is left and
// named. Paths are resolved inside --root (image_root.hpp).
// Implementation: libdkm/src/boot/uninstall.cpp.

#include <dkm/boot/commands.hpp>
#include <dkm/boot/record.hpp>
#include <dkm/core/install_layout.hpp>

#include <optional>
#include <ostream>

namespace dkm::boot {

/// Disables and removes what `record` lists and install-boot wrote, then the record,
/// then the directories it created that are now empty. Directories still in use by
/// another instance are handed over to that instance's record, so the last uninstall
/// removes them.
void remove_boot_service(const BootRecord& record, const BootOptions& options, BootCommands& commands,
                         std::ostream& out);

/// Disables and removes the boot service named by `options.instance`. `layout`, when
/// known, must be the install the service starts (unless --force). Returns false when
/// no such service is installed (nothing to do).
bool uninstall_boot(const std::optional<InstallLayout>& layout, const BootOptions& options, BootCommands& commands,
                    std::ostream& out);

}  // namespace dkm::boot
