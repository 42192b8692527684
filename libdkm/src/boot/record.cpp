// What install-boot wrote, kept so that uninstall-boot removes exactly that and
#include <dkm/boot/record.hpp>

#include "image_root.hpp"
#include "systemd.hpp"
#include "sysv.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/boot/init_system.hpp>
#include <dkm/boot/target.hpp>

#include <nettle/sha2.h>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dkm::boot {

namespace {

/// The sha256 of `content`, in lower-case hex.
std::string sha256_hex(std::string_view content) {
  sha256_ctx ctx;
  sha256_init(&ctx);
  sha256_update(&ctx, content.size(), reinterpret_cast<const uint8_t*>(content.data()));
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(&ctx, sizeof digest, digest);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (uint8_t byte : digest) {
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 0xf];
  }
  return hex;
}

/// A JSON object of strings, as a map (absent: empty, a record of an earlier dkmadmin).
std::map<std::string, std::string> string_map(const nlohmann::json& json, const char* key) {
  std::map<std::string, std::string> out;
  if (json.contains(key))
    for (const auto& [k, v] : json.at(key).items()) out[k] = v.get<std::string>();
  return out;
}

}  // namespace

fs::path service_file(InitSystem init, const std::string& service) {
  return init == InitSystem::systemd ? systemd_unit_path(service) : sysv_script_path(service);
}

std::vector<std::pair<fs::path, fs::path>> service_links(InitSystem init, const std::string& service) {
  if (init == InitSystem::systemd) return {{systemd_wants_link(service), systemd_unit_path(service)}};
  return sysv_runlevel_links(service);
}

void merge_created_dirs(std::vector<fs::path>& list, const std::vector<fs::path>& more) {
  // A parent is a prefix of its children, so the set's order puts parents first.
  std::set<std::string> all;
  for (const auto& p : list) all.insert(p.string());
  for (const auto& p : more) all.insert(p.string());
  list.assign(all.begin(), all.end());
}

void note_written_file(BootRecord& record, const fs::path& file, std::string_view content) {
  if (std::find(record.files.begin(), record.files.end(), file) == record.files.end()) record.files.push_back(file);
  record.sha256[file.string()] = sha256_hex(content);
}

void note_made_link(BootRecord& record, const fs::path& link, const fs::path& target) {
  if (std::find(record.links.begin(), record.links.end(), link) == record.links.end()) record.links.push_back(link);
  record.link_targets[link.string()] = target.string();
}

bool file_as_written(const BootRecord& record, const fs::path& file, std::string_view content) {
  // install-boot writes one file, whatever else a record lists.
  if (file != service_file(record.init, record.service)) return false;
  if (auto sum = record.sha256.find(file.string()); sum != record.sha256.end()) return sha256_hex(content) == sum->second;
  return record.sha256.empty() && marked_home(std::string(content)) == record.home;
}

bool link_as_written(const BootRecord& record, const fs::path& link, const fs::path& target) {
  auto links = service_links(record.init, record.service);
  if (std::find(links.begin(), links.end(), std::make_pair(link, target)) == links.end()) return false;
  if (auto made = record.link_targets.find(link.string()); made != record.link_targets.end())
    return target == made->second;
  return record.link_targets.empty();
}

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
          {"written_by", record.written_by},
          {"sha256", record.sha256},
          {"link_targets", record.link_targets}};
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
    record.sha256 = string_map(json, "sha256");
    record.link_targets = string_map(json, "link_targets");
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
  ImageRoot image(root);
  std::optional<std::string> text = image.read_file(boot_record_path(service));
  if (!text) return std::nullopt;
  return boot_record_from_json(*text, image.host(boot_record_path(service)).string());
}

void write_boot_record(const fs::path& root, const BootRecord& record) {
  ImageRoot(root).write_file(boot_record_path(record.service), to_json(record).dump(2) + "\n", 0644);
}

std::vector<BootRecord> list_boot_records(const fs::path& root) {
  std::vector<BootRecord> records;
  ImageRoot image(root);
  std::optional<DirHandle> dir = image.open_dir(boot_records_dir());
  if (!dir) return records;
  std::vector<std::string> services;
  for (const fs::path name : dir->names())
    if (name.extension() == ".json" && name.string().front() != '.') services.push_back(name.stem().string());
  std::sort(services.begin(), services.end());
  for (const auto& service : services)
    if (auto record = read_boot_record(root, service)) records.push_back(*record);
  return records;
}

}  // namespace dkm::boot
