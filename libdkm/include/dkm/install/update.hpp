#pragma once
// Updating an install to a new bundle (`installer -u`): DIR's links into the bundle
// (bin/dkm, bin/dkmadmin, static, lib, dashboards) are replaced one by one, each
// atomically, then bin/env is rewritten atomically; a failure puts the old links back.
// conf/ and storage/ are never written.
// Implementation: libdkm/src/install/update.cpp.

#include <dkm/core/bundle_layout.hpp>
#include <dkm/core/install_layout.hpp>
#include <dkm/install/options.hpp>

#include <map>
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
  std::vector<std::string> dropped_env_keys;  ///< lines of bin/env the installer does not write, not kept
};

/// The services an existing install runs: its type's, and any other its services file
/// declares as [program:NAME] (a query front's carbonapi is not in the frontend type).
std::vector<std::string> installed_services(const InstallLayout& layout, const InstallType& type);

/// bin/env after an update: the keys the installer writes (env_keys()) from `old`, with
/// DKM_HOME, DKM_BUNDLE and DKM_VERSION set; every other key of `old` goes to `dropped`.
std::map<std::string, std::string> updated_env(const std::map<std::string, std::string>& old, const fs::path& home,
                                               const fs::path& bundle, const std::string& version,
                                               std::vector<std::string>& dropped);

/// Throws UsageError when `dir` holds no install, or one that this process must not
/// update: run as root, DIR, bin/, bin/env, conf/ or conf/services.ini belongs to another
/// account (refuse_another_accounts_paths(): the refusal names the owner and the command
/// to run as that account); DIR/bin is a link.
void check_update_allowed(const fs::path& dir, const Bundle& bundle);

/// Points the install in `dir` at this bundle (links and bin/env, written through
/// handles of DIR and DIR/bin, never through a link planted there); conf/ and storage/
/// are not touched. Throws UsageError when `dir` holds no install or is another
/// account's (check_update_allowed()).
UpdateResult update(const fs::path& dir, const Bundle& bundle, const std::string& fallback_version);

}  // namespace dkm::install
