#pragma once
// What the bundle says about each component it contains: name, version, where its source
// came from (type, URL, ref, resolved commit or archive sha256) and its license. The engine
// records it after a component's install step in BUILD/NAME/source.json; assembly reads it
// for the manifest, the SBOM and licenses/.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace dkm::pack {

/// One component of the bundle, as built.
struct ComponentRecord {
  std::string name;                     ///< recipe name
  std::string version;                  ///< recipe version
  std::string source_type;              ///< "git", "archive" or "path"
  std::string url;                      ///< git URL, archive URL or local path
  std::string ref;                      ///< tag, branch or commit asked for (git)
  std::string commit;                   ///< resolved commit (git), empty otherwise
  std::string sha256;                   ///< archive checksum (archive), empty otherwise
  std::string license;                  ///< SPDX expression
  std::vector<fs::path> license_files;  ///< absolute paths in the source tree
};

/// The fields of a record as JSON (license_files as given).
inline nlohmann::json to_json(const ComponentRecord& c) {
  nlohmann::json source = {{"type", c.source_type}, {"url", c.url}};
  if (!c.ref.empty()) source["ref"] = c.ref;
  if (!c.commit.empty()) source["commit"] = c.commit;
  if (!c.sha256.empty()) source["sha256"] = c.sha256;
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : c.license_files) files.push_back(f.generic_string());
  return {{"name", c.name}, {"version", c.version}, {"source", source}, {"license", c.license}, {"license_files", files}};
}

/// Reads a component record (source.json). Accepts the source fields nested under "source"
/// or at the top level; throws Error naming the file and the field at fault.
inline ComponentRecord read_component_record(const fs::path& path) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(path.string() + ": not valid JSON: " + e.what());
  }
  if (!j.is_object()) throw Error(path.string() + ": expected a JSON object");
  const nlohmann::json& src = j.contains("source") && j["source"].is_object() ? j["source"] : j;
  auto text = [&](const nlohmann::json& obj, const char* key, bool required) -> std::string {
    if (!obj.contains(key) || obj[key].is_null()) {
      if (required) throw Error(path.string() + ": missing field '" + key + "'");
      return {};
    }
    if (!obj[key].is_string()) throw Error(path.string() + ": field '" + key + "' must be a string");
    return obj[key].get<std::string>();
  };
  ComponentRecord c;
  c.name = text(j, "name", true);
  c.version = text(j, "version", true);
  c.source_type = text(src, "type", false);
  c.url = text(src, "url", false);
  c.ref = text(src, "ref", false);
  c.commit = text(src, "commit", false);
  c.sha256 = text(src, "sha256", false);
  c.license = text(j, "license", false);
  if (j.contains("license_files")) {
    if (!j["license_files"].is_array()) throw Error(path.string() + ": field 'license_files' must be an array");
    for (const auto& f : j["license_files"]) {
      if (!f.is_string()) throw Error(path.string() + ": field 'license_files' must hold strings");
      c.license_files.emplace_back(f.get<std::string>());
    }
  }
  return c;
}

}  // namespace dkm::pack
