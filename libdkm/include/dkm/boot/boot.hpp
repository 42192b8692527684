#pragma once
// dkmadmin's work: install-boot, uninstall-boot and status-boot for one install
// directory. install-boot writes a systemd unit or a SysV init script, enables it, and
// records every file, link and directory it made; uninstall-boot disables and removes
// exactly what the record lists. Everything is checked before anything is written.
// Implementation: libdkm/src/boot/boot.cpp, status_boot.cpp (status-boot).

#include <dkm/boot/init_system.hpp>
#include <dkm/boot/record.hpp>
#include <dkm/boot/target.hpp>
#include <dkm/core/install_layout.hpp>
#include <dkm/core/process.hpp>

#include <sys/types.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace dkm::boot {

/// The programs boot services are enabled with (systemctl, update-rc.d, chkconfig):
/// the one part of the machine behind an interface, so that the logic can be tested
/// on a machine where systemd is not running.
class BootCommands {
 public:
  virtual ~BootCommands() = default;
  /// The path of `program` when this machine has it, else empty.
  virtual fs::path locate(const std::string& program) = 0;
  /// Runs argv (argv[0] as returned by locate()) to completion.
  virtual RunResult run(const std::vector<std::string>& argv) = 0;
};

/// Runs `argv` (argv[0] a program's name, found by commands.locate()) and says so on
/// `out`; throws Error naming the command and its output when it is missing or fails.
void run_checked(BootCommands& commands, std::vector<std::string> argv, std::ostream& out);

/// The real programs of this machine, looked up in PATH and the sbin directories.
class SystemBootCommands : public BootCommands {
 public:
  /// Finds `program` in PATH, then /usr/sbin, /sbin, /usr/bin and /bin (a user's PATH
  /// often lacks the sbin directories where update-rc.d and chkconfig live).
  fs::path locate(const std::string& program) override;
  /// Runs argv with its output captured.
  RunResult run(const std::vector<std::string>& argv) override { return run_process(argv); }
};

/// What install-boot, uninstall-boot and status-boot are asked to do.
struct BootOptions {
  fs::path root = "/";              ///< where files go (--root), absolute
  bool offline = false;             ///< --root given: write files only, run no systemctl/update-rc.d/chkconfig
  std::string instance;             ///< --name
  std::string user;                 ///< --user; empty = the owner of DIR
  std::optional<InitSystem> init;   ///< --init; empty = detect
  bool force = false;               ///< --force: replace a service of the same name for another DIR
  std::string written_by = "dkmadmin";  ///< recorded in the record
};

/// Throws UsageError unless this process may change the boot configuration of `options.root`.
void require_boot_privileges(const BootOptions& options, const std::string& command);

/// Checks the install and the options and works out what the boot service starts.
/// Throws UsageError (nothing written) for a bad name, a directory without an install,
/// an unknown account, or an install owned by root without --user.
BootTarget plan_boot_target(const InstallLayout& layout, const BootOptions& options);

/// The directories of `layout` that dkm writes but `uid` does not own (dkm would fail
/// at boot there), as a warning to print; empty when there is none.
std::string ownership_warning(const InstallLayout& layout, uid_t uid, const std::string& user);

/// Disables and removes what `record` lists, then the record, then the directories it
/// created that are now empty. Directories still in use by another instance are handed
/// over to that instance's record, so the last uninstall removes them.
void remove_boot_service(const BootRecord& record, const BootOptions& options, BootCommands& commands,
                                std::ostream& out);

/// Writes, records and enables the boot service of `layout`; returns its record.
/// Bad input (see plan_boot_target, plus a name taken by another install without
/// --force, a missing --root, no privileges) throws UsageError before anything is written.
BootRecord install_boot(const InstallLayout& layout, const BootOptions& options, BootCommands& commands,
                               std::ostream& out);

/// Disables and removes the boot service named by `options.instance`. `layout`, when
/// known, must be the install the service starts (unless --force). Returns false when
/// no such service is installed (nothing to do).
bool uninstall_boot(const std::optional<InstallLayout>& layout, const BootOptions& options,
                           BootCommands& commands, std::ostream& out);

/// Status of boot services: installed and complete, none installed, or installed with parts missing.
enum BootStatus : int { kBootInstalled = 0, kBootBroken = 1, kBootNotInstalled = 3 };

/// Prints what is installed for `layout` (or, with a name, for that instance) and
/// returns a BootStatus.
int status_boot(const std::optional<InstallLayout>& layout, const BootOptions& options, BootCommands& commands,
                       std::ostream& out);

}  // namespace dkm::boot
