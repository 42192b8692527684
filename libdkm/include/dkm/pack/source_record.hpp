#pragma once
// BUILD/NAME/source.json: what was built for a component, written by its install step.
// The bundle's manifest and license collection read it.
//
//   {
//     "name": "go-carbon", "version": "0.19.1", "license": "MIT",
//     "license_files": ["/abs/BUILD/go-carbon/src/LICENSE.md"],
//     "recipe": "/abs/recipes/go-carbon.toml",
//     "source": {"type": "git", "url": "https://…", "tag": "v0.19.1", "branch": "", "commit": "<40 hex>",
//                "sha256": "", "path": "", "override": false, "patches": ["/abs/…/0001-x.patch"]},
//     "install_dir": "/abs/BUILD/go-carbon/install"
//   }
//
// source.commit is the resolved commit (git), source.sha256 the verified digest (archive);
// source.override is true when --source NAME=PATH replaced the recipe's source.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace dkm::pack {

/// The content of BUILD/NAME/source.json.
struct SourceRecord {
  std::string name;
  std::string version;
  std::string license;
  std::vector<fs::path> license_files;  ///< absolute, inside the source tree
  fs::path recipe;                      ///< the recipe file
  std::string type;                     ///< "git", "archive" or "path"
  std::string url;                      ///< git or archive URL from the recipe
  std::string tag;
  std::string branch;
  std::string commit;                   ///< git: the commit built
  std::string sha256;                   ///< archive: the digest verified
  fs::path path;                        ///< path: the directory copied
  bool override = false;                ///< --source NAME=PATH replaced the recipe's source
  std::vector<fs::path> patches;        ///< applied, in order
  fs::path install_dir;                 ///< BUILD/NAME/install

  /// What identifies the bytes built: the commit (git), the sha256 (archive) or the directory (path).
  std::string revision() const { return type == "git" ? commit : type == "archive" ? sha256 : path.string(); }
};

/// The record as JSON.
inline nlohmann::json to_json(const SourceRecord& r) {
  auto paths = [](const std::vector<fs::path>& v) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& p : v) a.push_back(p.string());
    return a;
  };
  return {{"name", r.name},
          {"version", r.version},
          {"license", r.license},
          {"license_files", paths(r.license_files)},
          {"recipe", r.recipe.string()},
          {"source",
           {{"type", r.type},
            {"url", r.url},
            {"tag", r.tag},
            {"branch", r.branch},
            {"commit", r.commit},
            {"sha256", r.sha256},
            {"path", r.path.string()},
            {"override", r.override},
            {"patches", paths(r.patches)}}},
          {"install_dir", r.install_dir.string()}};
}

/// Reads BUILD/NAME/source.json; throws Error naming the file when it is missing or malformed.
inline SourceRecord read_source_record(const fs::path& file) {
  SourceRecord r;
  try {
    nlohmann::json j = nlohmann::json::parse(read_file(file));
    r.name = j.at("name").get<std::string>();
    r.version = j.at("version").get<std::string>();
    r.license = j.at("license").get<std::string>();
    for (const auto& p : j.at("license_files")) r.license_files.emplace_back(p.get<std::string>());
    r.recipe = j.at("recipe").get<std::string>();
    const auto& s = j.at("source");
    r.type = s.at("type").get<std::string>();
    r.url = s.at("url").get<std::string>();
    r.tag = s.at("tag").get<std::string>();
    r.branch = s.at("branch").get<std::string>();
    r.commit = s.at("commit").get<std::string>();
    r.sha256 = s.at("sha256").get<std::string>();
    r.path = s.at("path").get<std::string>();
    r.override = s.at("override").get<bool>();
    for (const auto& p : s.at("patches")) r.patches.emplace_back(p.get<std::string>());
    r.install_dir = j.at("install_dir").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(file.string() + ": malformed source record: " + e.what());
  }
  return r;
}

/// Writes BUILD/NAME/source.json atomically.
inline void write_source_record(const fs::path& file, const SourceRecord& r) {
  write_file_atomic(file, to_json(r).dump(2) + "\n");
}

}  // namespace dkm::pack
