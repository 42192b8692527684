#pragma once
// manifest.json: what a bundle is made of. Every component (version, source, resolved
// commit or sha256, license, license files) and every file of the bundle with its sha256,
// so a host can verify an install and a reviewer can tell two bundles apart.
// Implementation: libdkm/src/pack/manifest.cpp.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/pack/archive.hpp>
#include <dkm/pack/sha256.hpp>

#include "source_record.hpp"

#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <set>
#include <string>
#include <vector>

namespace dkm::pack {

/// One file of a staged tree.
struct FileRecord {
  std::string path;     ///< relative to the tree, '/'-separated
  std::string sha256;   ///< content digest (of the link text for a symbolic link)
  std::string sha1;     ///< content digest for SPDX
  uint64_t size = 0;    ///< bytes
  bool executable = false;
  std::string link;     ///< symbolic link target, empty for regular files
};

/// One component in the manifest: its source record and the bundle files it contributed.
struct ManifestComponent {
  SourceRecord record;
  std::vector<std::string> license_files;  ///< bundle-relative copies (licenses/NAME/...)
  std::vector<std::string> files;          ///< bundle-relative files it staged
};

/// Every file (and symbolic link) of a tree except the `exclude`d relative paths, sorted, with digests.
std::vector<FileRecord> describe_tree(const fs::path& root, const std::set<std::string>& exclude = {});

/// What the manifest describes.
struct ManifestInput {
  std::string name;                            ///< bundle name
  std::string version;                         ///< bundle version
  int64_t source_date_epoch = 0;               ///< the instant stamped on the bundle
  std::vector<ManifestComponent> components;   ///< in bundle order
  std::vector<FileRecord> files;               ///< every file except manifest.json itself
};

/// A component's entry: name, version, license, source (type, url, tag or branch, commit or
/// sha256; empty fields left out), its license files and files in the bundle. No path of
/// the build machine appears, so the manifest does not depend on where it was built.
nlohmann::json manifest_component_json(const ManifestComponent& c);

/// The manifest as JSON: {name, version, source_date_epoch, components[], files[]}.
nlohmann::json manifest_json(const ManifestInput& in);

}  // namespace dkm::pack
