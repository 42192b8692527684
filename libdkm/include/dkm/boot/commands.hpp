#pragma once
// What the boot commands (install-boot, uninstall-boot, status-boot) share: the options
// they are given, who may run them, and the programs they enable services with.
// Implementation: libdkm/src/boot/commands.cpp.

#include <dkm/boot/init_system.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/process.hpp>

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
  /// --force: replace a service of the same name for another DIR; run another
  /// account's install as root (--user root)
  bool force = false;
  std::string written_by = "dkmadmin";  ///< recorded in the record
};

/// Throws UsageError unless this process may change the boot configuration of `options.root`.
void require_boot_privileges(const BootOptions& options, const std::string& command);

}  // namespace dkm::boot
