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
// Implementation: libdkm/src/pack/source_record.cpp.

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
nlohmann::json to_json(const SourceRecord& r);

/// Reads BUILD/NAME/source.json; throws Error naming the file when it is missing or malformed.
SourceRecord read_source_record(const fs::path& file);

/// Writes BUILD/NAME/source.json atomically.
inline void write_source_record(const fs::path& file, const SourceRecord& r) {
  write_file_atomic(file, to_json(r).dump(2) + "\n");
}

}  // namespace dkm::pack
