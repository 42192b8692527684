#pragma once
// What install-boot wrote, kept so that uninstall-boot removes exactly that and
// status-boot can tell what is installed: ROOT/var/lib/dkumonitor/boot/SERVICE.json.
// Implementation: libdkm/src/boot/record.cpp.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/boot/init_system.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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
  std::map<std::string, std::string> sha256;        ///< file -> sha256 of what was written (hex)
  std::map<std::string, std::string> link_targets;  ///< link -> the text it was made with
};

/// Where install-boot writes the unit (systemd) or init script (SysV) of `service`, as
/// the booted system sees it.
fs::path service_file(InitSystem init, const std::string& service);

/// The links install-boot makes itself to enable `service` when no systemctl,
/// update-rc.d or chkconfig is run (under --root): link and link text.
std::vector<std::pair<fs::path, fs::path>> service_links(InitSystem init, const std::string& service);

/// Adds `more` to the directories `list` (a record's created_dirs), each once, parents first.
void merge_created_dirs(std::vector<fs::path>& list, const std::vector<fs::path>& more);

/// Adds `file`, written with `content`, to the record, with its sha256.
void note_written_file(BootRecord& record, const fs::path& file, std::string_view content);

/// Adds the link `link`, made with the text `target`, to the record.
void note_made_link(BootRecord& record, const fs::path& link, const fs::path& target);

/// True when `file` of `record`, found holding `content`, is as install-boot wrote it:
/// the service's unit or script (service_file()), with the recorded sha256; in a record
/// of an earlier dkmadmin (no sha256), naming the record's install in its home marker.
bool file_as_written(const BootRecord& record, const fs::path& file, std::string_view content);

/// True when the link `link` of `record`, found with text `target`, is as install-boot
/// made it: one of service_links(), with the recorded text (an earlier record has none).
bool link_as_written(const BootRecord& record, const fs::path& link, const fs::path& target);

/// The directory of the records, as the booted system sees it.
inline fs::path boot_records_dir() { return "/var/lib/dkumonitor/boot"; }

/// The record file of `service`, as the booted system sees it.
inline fs::path boot_record_path(const std::string& service) { return boot_records_dir() / (service + ".json"); }

/// The record as JSON.
nlohmann::json to_json(const BootRecord& record);

/// Parses a record; throws Error naming `origin` when it is not one.
BootRecord boot_record_from_json(const std::string& text, const std::string& origin);

/// The record of `service` under `root`, if there is one (resolved inside `root`).
std::optional<BootRecord> read_boot_record(const fs::path& root, const std::string& service);

/// Writes the record of its service under `root` (atomically; the directory exists),
/// resolved inside `root`.
void write_boot_record(const fs::path& root, const BootRecord& record);

/// Every record under `root`, by service name.
std::vector<BootRecord> list_boot_records(const fs::path& root);

}  // namespace dkm::boot
