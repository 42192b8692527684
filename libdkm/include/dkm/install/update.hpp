#pragma once
// Updating an install to a new bundle (`installer -u`): DIR's links into the bundle
// (bin/dkm, bin/dkmadmin, static, lib, dashboards) are replaced one by one, each
// atomically, then bin/env is rewritten atomically; a failure puts the old links back.
// conf/ and storage/ are never written.
// Implementation: libdkm/src/install/update.cpp.

#include <dkm/core/bundle_layout.hpp>
#include <dkm/core/install_layout.hpp>
#include <dkm/install/options.hpp>

#include <string>
#include <vector>

namespace dkm::install {

/// What an update did, for the summary.
struct UpdateResult {
  InstallLayout layout{"/"};  ///< the install updated
  std::string old_version;    ///< DKM_VERSION before
  std::string version;        ///< DKM_VERSION now
  fs::path old_bundle;        ///< DKM_BUNDLE before
  fs::path bundle;            ///< DKM_BUNDLE now
};

/// The services an existing install runs: its type's, and any other its services file
/// declares as [program:NAME] (a query front's carbonapi is not in the frontend type).
std::vector<std::string> installed_services(const InstallLayout& layout, const InstallType& type);

/// Points the install in `dir` at this bundle (links and bin/env); conf/ and storage/
/// are not touched. Throws UsageError when `dir` holds no install.
UpdateResult update(const fs::path& dir, const Bundle& bundle, const std::string& fallback_version);

}  // namespace dkm::install
