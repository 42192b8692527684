#pragma once
// What the install, the update and the migration share about an install directory.
// Implementation: libdkm/src/install/install.cpp.

#include <dkm/core/files.hpp>
#include <dkm/install/plan.hpp>

#include <string>
#include <vector>

namespace dkm::install {

/// Throws UsageError naming `flag` unless this process may create entries in directory `dir`.
void require_writable(const fs::path& dir, const std::string& flag, const fs::path& target);

/// The top-level names an install owns in DIR.
const std::vector<std::string>& owned_names();

/// Creates one tree entry under `root` (a staging directory).
void materialize(const fs::path& root, const TreeEntry& entry);

}  // namespace dkm::install
