#pragma once
// The boot services the original dkumonitor's `dkmadmin install-boot [-name NAME]`
// wrote, as root, for an install: a systemd unit /usr/lib/systemd/system/SERVICE.service
// ("Dku monitor process control", User=, ExecStart=DIR/bin/dkm start) enabled with
// `systemctl enable`, or a SysV script /etc/init.d/SERVICE (DKU_MONITOR_HOME=DIR,
// DKU_MONITOR_USER=USER), not enabled. SERVICE is "dkumonitor" or "dkumonitor.NAME",
// the names this dkmadmin gives too.
//
// After a migration DIR/bin/dkm is this bundle's dkm, so such a service still starts
// the install; `dkmadmin install-boot` replaces it with this one's (sandboxed, with a
// pid file and a record), and `status-boot` tells it apart. Only a regular file owned by
// root, whose text is the original's and names this DIR, is ever taken for one: a file
// the install's account could have planted is not acted on.
// Implementation: libdkm/src/boot/original_boot.cpp.

#include <dkm/core/files.hpp>
#include <dkm/boot/init_system.hpp>

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace dkm::boot {

class BootCommands;
struct BootOptions;

/// A boot service written by the original dkumonitor.
struct OriginalBootService {
  std::string service;  ///< "dkumonitor" or "dkumonitor.NAME"
  InitSystem init = InitSystem::systemd;  ///< what it was written for
  fs::path file;        ///< the unit or script, as the booted system sees it
  fs::path home;        ///< the install it starts
  std::string user;     ///< the account it runs dkm as
};

/// Where the original's dkmadmin wrote the unit of `service`, as the booted system sees it.
fs::path original_systemd_unit_path(const std::string& service);

/// Reads the text of a unit or script; nullopt when it is not one the original wrote.
std::optional<OriginalBootService> parse_original_boot_file(const std::string& text, InitSystem init,
                                                            const fs::path& file, const std::string& service);

/// The original's boot services under `root` that start the install in `home` (as the
/// booted system sees it), by service name.
std::vector<OriginalBootService> find_original_boot_services(const fs::path& root, const fs::path& home);

/// What install-boot does to the original's services of an install: takes them away
/// before writing its own, and puts them back when it fails.
class OriginalBootTakeover {
 public:
  /// Nothing to take over.
  OriginalBootTakeover() = default;
  /// For the services `originals` of the install install-boot writes `service` for.
  /// Throws UsageError when one has another name than `service` (two services would
  /// start the install) unless `force`.
  OriginalBootTakeover(std::vector<OriginalBootService> originals, const std::string& service, bool force);

  /// True when `host_file` (the file install-boot writes) is the original's, to be replaced.
  bool replaces(const fs::path& root, const fs::path& host_file) const;
  /// Disables the original's unit and moves it aside (its script is kept in memory):
  /// from here, install-boot's own file may be written.
  void take_away(const BootOptions& options, BootCommands& commands, std::ostream& out);
  /// install-boot failed: the original's services come back as they were.
  void restore(const BootOptions& options, BootCommands& commands) noexcept;
  /// install-boot succeeded: what was moved aside is removed.
  void finish(const BootOptions& options, std::ostream& out);

 private:
  struct Taken {
    OriginalBootService original;
    fs::path aside;        ///< where a unit was moved (empty: not moved)
    std::string text;      ///< a script's text, to write back
    bool disabled = false; ///< `systemctl disable` ran
  };
  std::vector<OriginalBootService> originals_;
  std::vector<Taken> taken_;
};

/// status-boot's lines for the original's services `originals` (only the one of
/// `instance` when `by_name`); empty when there is none.
std::string describe_original_boot_services(const std::vector<OriginalBootService>& originals, const fs::path& root,
                                            const std::string& instance = "", bool by_name = false);

}  // namespace dkm::boot
