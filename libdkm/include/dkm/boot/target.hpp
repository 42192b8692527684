#pragma once
// What a boot service starts: one install directory, as one account, under one
// service name. Both the systemd unit and the SysV script are rendered from it.

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
inline fs::path marked_home(const std::string& text) {
  size_t pos = text.find(std::string("\n") + std::string(kHomeMarker));
  if (pos == std::string::npos) {
    if (text.rfind(kHomeMarker, 0) != 0) return {};
    pos = 0;
  } else {
    ++pos;
  }
  pos += kHomeMarker.size();
  return text.substr(pos, text.find('\n', pos) - pos);
}

/// Throws UsageError when `path` holds a character that a unit file or an init script
/// cannot carry safely (control characters, double quote, backslash).
inline void check_bootable_path(const fs::path& path, const std::string& what) {
  for (char c : path.string()) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '"' || c == '\\')
      throw UsageError(what + " '" + path.string() +
                       "': holds a control character, '\"' or '\\', which a boot service cannot carry; "
                       "use a directory without them");
  }
}

/// Renders a mustache template whose values are already quoted for their target
/// language (so nothing is HTML-escaped).
inline std::string render_boot_template(const std::string& text, const kainjow::mustache::data& values) {
  kainjow::mustache::mustache tmpl(text);
  if (!tmpl.is_valid()) throw Error("boot template: " + tmpl.error_message());
  tmpl.set_custom_escape([](const std::string& s) { return s; });
  return tmpl.render(values);
}

}  // namespace dkm::boot
