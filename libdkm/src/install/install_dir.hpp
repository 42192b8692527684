#pragma once
// What the install and the update both check of an install directory.
// Implementation: libdkm/src/install/install.cpp.

#include <dkm/core/files.hpp>

#include <string>
#include <vector>

namespace dkm::install {

/// Throws UsageError naming `flag` unless this process may create entries in directory `dir`.
void require_writable(const fs::path& dir, const std::string& flag, const fs::path& target);

/// The top-level names an install owns in DIR.
const std::vector<std::string>& owned_names();

}  // namespace dkm::install
