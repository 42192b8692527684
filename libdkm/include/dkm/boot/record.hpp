#pragma once
// What install-boot wrote, kept so that uninstall-boot removes exactly that and
// status-boot can tell what is installed: ROOT/var/lib/dkumonitor/boot/SERVICE.json.
// Implementation: libdkm/src/boot/record.cpp.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/boot/init_system.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace dkm::boot {

/// How a boot service was enabled, so uninstall-boot disables it the same way.
enum class EnableMethod { none, systemctl, update_rc_d, chkconfig, links };

/// "none", "systemctl", "update-rc.d", "chkconfig" or "links".
std::string to_string(EnableMethod method);

/// The inverse of to_string(EnableMethod); throws Error on anything else.
EnableMethod parse_enable_method(const std::string& text);

/// One installed boot service. Paths are as the booted system sees them.
struct BootRecord {
  std::string service;                 ///< "dkumonitor" or "dkumonitor.NAME"
  std::string instance;                ///< NAME, empty for the default instance
  InitSystem init = InitSystem::sysv;  ///< what it was written for
  fs::path home;                       ///< the install directory it starts
  std::string user;                    ///< the account dkm runs as
  std::vector<fs::path> files;         ///< files written (the unit or the script)
  std::vector<fs::path> links;         ///< symlinks made by install-boot itself (enable under --root)
  std::vector<fs::path> created_dirs;  ///< directories that did not exist before, parents first
  EnableMethod enabled_by = EnableMethod::none;  ///< how it was enabled
  std::string written_by;              ///< "dkmadmin VERSION"
};

/// The directory of the records, as the booted system sees it.
inline fs::path boot_records_dir() { return "/var/lib/dkumonitor/boot"; }

/// The record file of `service`, as the booted system sees it.
inline fs::path boot_record_path(const std::string& service) { return boot_records_dir() / (service + ".json"); }

/// The record as JSON.
nlohmann::json to_json(const BootRecord& record);

/// Parses a record; throws Error naming `origin` when it is not one.
BootRecord boot_record_from_json(const std::string& text, const std::string& origin);

/// The record of `service` under `root`, if there is one.
std::optional<BootRecord> read_boot_record(const fs::path& root, const std::string& service);

/// Writes the record of its service under `root` (atomically; the directory exists).
inline void write_boot_record(const fs::path& root, const BootRecord& record) {
  write_file_atomic(under_root(root, boot_record_path(record.service)), to_json(record).dump(2) + "\n", 0644);
}

/// Every record under `root`, by service name.
std::vector<BootRecord> list_boot_records(const fs::path& root);

}  // namespace dkm::boot
