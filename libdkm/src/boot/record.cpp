// What install-boot wrote, kept so that uninstall-boot removes exactly that and
#include <dkm/boot/record.hpp>

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/boot/init_system.hpp>

#include <nlohmann/json.hpp>
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace dkm::boot {

std::string to_string(EnableMethod method) {
  switch (method) {
    case EnableMethod::systemctl: return "systemctl";
    case EnableMethod::update_rc_d: return "update-rc.d";
    case EnableMethod::chkconfig: return "chkconfig";
    case EnableMethod::links: return "links";
    case EnableMethod::none: break;
  }
  return "none";
}

EnableMethod parse_enable_method(const std::string& text) {
  for (auto method : {EnableMethod::none, EnableMethod::systemctl, EnableMethod::update_rc_d,
                      EnableMethod::chkconfig, EnableMethod::links})
    if (to_string(method) == text) return method;
  throw Error("unknown enable method '" + text + "'");
}

nlohmann::json to_json(const BootRecord& record) {
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

BootRecord boot_record_from_json(const std::string& text, const std::string& origin) {
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

std::optional<BootRecord> read_boot_record(const fs::path& root, const std::string& service) {
  fs::path file = under_root(root, boot_record_path(service));
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::nullopt;
  return boot_record_from_json(read_file(file), file.string());
}

std::vector<BootRecord> list_boot_records(const fs::path& root) {
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
