#pragma once
// What install-boot wrote, kept so that uninstall-boot removes exactly that and
// status-boot can tell what is installed: ROOT/var/lib/dkumonitor/boot/SERVICE.json.

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
inline std::string to_string(EnableMethod method) {
  switch (method) {
    case EnableMethod::systemctl: return "systemctl";
    case EnableMethod::update_rc_d: return "update-rc.d";
    case EnableMethod::chkconfig: return "chkconfig";
    case EnableMethod::links: return "links";
    case EnableMethod::none: break;
  }
  return "none";
}

/// The inverse of to_string(EnableMethod); throws Error on anything else.
inline EnableMethod parse_enable_method(const std::string& text) {
  for (auto method : {EnableMethod::none, EnableMethod::systemctl, EnableMethod::update_rc_d,
                      EnableMethod::chkconfig, EnableMethod::links})
    if (to_string(method) == text) return method;
  throw Error("unknown enable method '" + text + "'");
}

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
inline nlohmann::json to_json(const BootRecord& record) {
  auto strings = [](const std::vector<fs::path>& paths) {
    std::vector<std::string> out;
    for (const auto& p : paths) out.push_back(p.string());
    return out;
  };
  return {{"service", record.service},
          {"instance", record.instance},
          {"init", to_string(record.init)},
          {"home", record.home.string()},
          {"user", record.user},
          {"files", strings(record.files)},
          {"links", strings(record.links)},
          {"created_dirs", strings(record.created_dirs)},
          {"enabled_by", to_string(record.enabled_by)},
          {"written_by", record.written_by}};
}

/// Parses a record; throws Error naming `origin` when it is not one.
inline BootRecord boot_record_from_json(const std::string& text, const std::string& origin) {
  try {
    auto json = nlohmann::json::parse(text);
    auto paths = [&](const char* key) {
      std::vector<fs::path> out;
      for (const auto& p : json.at(key)) out.emplace_back(p.get<std::string>());
      return out;
    };
    BootRecord record;
    record.service = json.at("service").get<std::string>();
    record.instance = json.at("instance").get<std::string>();
    record.init = parse_init_system(json.at("init").get<std::string>(), "init");
    record.home = json.at("home").get<std::string>();
    record.user = json.at("user").get<std::string>();
    record.files = paths("files");
    record.links = paths("links");
    record.created_dirs = paths("created_dirs");
    record.enabled_by = parse_enable_method(json.at("enabled_by").get<std::string>());
    record.written_by = json.value("written_by", "");
    // Only paths install-boot itself writes may be listed: a record is not a way to
    // have uninstall-boot delete anything else.
    auto allowed = [](const fs::path& p) {
      std::string s = p.lexically_normal().string();
      return p.is_absolute() && s.find("/../") == std::string::npos &&
             (s.rfind("/etc/", 0) == 0 || s.rfind("/var/lib/dkumonitor", 0) == 0);
    };
    for (const auto* list : {&record.files, &record.links})
      for (const auto& p : *list)
        if (!allowed(p)) throw Error("lists '" + p.string() + "', which install-boot never writes");
    for (const auto& p : record.created_dirs)
      if (!p.is_absolute() || p.lexically_normal() != p || p == "/") throw Error("lists directory '" + p.string() + "'");
    return record;
  } catch (const nlohmann::json::exception& e) {
    throw Error(origin + ": not a boot record: " + e.what());
  } catch (const Error& e) {
    throw Error(origin + ": not a boot record: " + e.what());
  }
}

/// The record of `service` under `root`, if there is one.
inline std::optional<BootRecord> read_boot_record(const fs::path& root, const std::string& service) {
  fs::path file = under_root(root, boot_record_path(service));
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::nullopt;
  return boot_record_from_json(read_file(file), file.string());
}

/// Writes the record of its service under `root` (atomically; the directory exists).
inline void write_boot_record(const fs::path& root, const BootRecord& record) {
  write_file_atomic(under_root(root, boot_record_path(record.service)), to_json(record).dump(2) + "\n", 0644);
}

/// Every record under `root`, by service name.
inline std::vector<BootRecord> list_boot_records(const fs::path& root) {
  std::vector<BootRecord> records;
  fs::path dir = under_root(root, boot_records_dir());
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return records;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".json" && entry.path().filename().string().front() != '.')
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) records.push_back(boot_record_from_json(read_file(file), file.string()));
  return records;
}

}  // namespace dkm::boot
