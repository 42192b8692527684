#pragma once
// What a boot service starts: one install directory, as one account, under one
// service name. Both the systemd unit and the SysV script are rendered from it.
// Implementation: libdkm/src/boot/target.cpp.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/boot/init_system.hpp>

#include <kainjow/mustache.hpp>

#include <sys/types.h>

#include <string>
#include <vector>

namespace dkm::boot {

/// Everything a unit or init script needs to know, in the booted system's paths.
struct BootTarget {
  std::string instance;           ///< --name, empty for the default instance
  fs::path home;                  ///< DIR as the booted system sees it
  std::string user;               ///< the account dkm runs as
  uid_t uid = 0;                  ///< its uid (in the booted system's accounts)
  bool run_as_root = false;       ///< the account is root (dkm then needs DKM_ALLOW_ROOT=1)
  std::string install_owner;      ///< the account that owns DIR (another than `user` only with --user)
  std::vector<fs::path> writable; ///< what dkm writes: DIR, plus storage/run/conf when they lead elsewhere
  bool under_home = false;        ///< DIR, its bundle or a writable path lies in /home, /root or /run/user
  bool under_tmp = false;         ///< one of them lies in /tmp or /var/tmp (PrivateTmp= would hide it)

  /// "dkumonitor" or "dkumonitor.NAME".
  std::string service() const { return boot_service_name(instance); }
  /// DIR/bin/dkm as the booted system sees it.
  fs::path dkm() const { return home / "bin" / "dkm"; }
  /// DIR/bin/dkmadmin as the booted system sees it.
  fs::path dkmadmin() const { return home / "bin" / "dkmadmin"; }
  /// DIR/run/dkm.pid as the booted system sees it.
  fs::path pid_file() const { return home / "run" / "dkm.pid"; }
  /// " --name NAME" for messages and comments, empty for the default instance.
  std::string name_flag() const { return instance.empty() ? "" : " --name " + instance; }
};

/// The line that marks which install a unit or script starts; install-boot reads it
/// back to tell a reinstall from a name collision.
inline constexpr std::string_view kHomeMarker = "# dkumonitor-home: ";

/// The install a unit or script written by install-boot starts (its home marker);
/// empty when the text has none.
fs::path marked_home(const std::string& text);

/// Throws UsageError when `path` holds a character that a unit file or an init script
/// cannot carry safely (control characters, double quote, backslash).
void check_bootable_path(const fs::path& path, const std::string& what);

/// Renders a mustache template whose values are already quoted for their target
/// language (so nothing is HTML-escaped).
std::string render_boot_template(const std::string& text, const kainjow::mustache::data& values);

}  // namespace dkm::boot
