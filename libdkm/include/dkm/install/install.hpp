#pragma once
// Installing a bundle into a directory, all-or-nothing: every check first (bundle, DIR,
// collectd, host name), then the whole tree is rendered in memory (plan.hpp), written into
// a temporary directory beside DIR (or inside DIR when DIR already exists), and put in
// place. Any failure removes what was staged: DIR is left as it was.
// Updating an install is update.hpp's; the summaries printed after either, summary.hpp's.
// Implementation: libdkm/src/install/install.cpp.

#include <dkm/core/bundle_layout.hpp>
#include <dkm/install/options.hpp>
#include <dkm/install/plan.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dkm::install {

/// What an install did, for the summary.
struct InstallResult {
  InstallPlan plan;     ///< the settings written
  std::string version;  ///< the bundle's version
  fs::path bundle;      ///< the bundle linked
  std::optional<DiskNeed> disk{};          ///< the expected hosts' whisper files (installs with go-carbon)
  std::optional<std::uint64_t> disk_free{};  ///< bytes free for them on the whisper directory's file system
};

/// The disk the plan's expected hosts take, under its rendered conf/storage-schemas.conf;
/// nothing for an install without go-carbon.
std::optional<DiskNeed> plan_disk_need(const InstallPlan& plan, const std::vector<TreeEntry>& tree);

/// Finds the host facts an install needs: this host's name, and collectd in PATH when asked.
HostFacts find_host_facts(const InstallOptions& opt);

/// The plugin directory a system collectd was built with (`collectd -h`), or empty.
fs::path system_collectd_plugin_dir(const fs::path& collectd);

/// Checks that every plugin the rendered collectd config loads exists as PLUGIN.so.
void check_collectd_plugins(const std::vector<TreeEntry>& tree, const InstallPlan& plan, const Bundle& bundle);

/// Installs this bundle into opt.directory. Throws UsageError (bad input) or Error
/// (the bundle or the system); in both cases nothing is left behind.
InstallResult install_bundle(const InstallOptions& opt, const Bundle& bundle, const std::string& fallback_version);

}  // namespace dkm::install
