#pragma once
// What an install writes, decided in memory before anything touches the disk: the
// resolved settings (InstallPlan), the values the templates see, and the whole tree
// of DIR (directories, rendered files with their modes, links into the bundle).
// Pure logic: the world (host name, PATH) comes in through HostFacts.
// Implementation: libdkm/src/install/plan.cpp.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/install/addresses.hpp>
#include <dkm/core/bundle_layout.hpp>
#include <dkm/install/hostnames.hpp>
#include <dkm/install/options.hpp>
#include <dkm/core/install_layout.hpp>
#include <dkm/install/machine.hpp>
#include <dkm/install/ports.hpp>
#include <dkm/install/sizing.hpp>
#include <dkm/install/templates.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dkm::install {

/// collectd's interval, in seconds; the first whisper archive has the same step.
inline constexpr int kCollectInterval = 60;

/// The node collectd's write_graphite makes of a host name in metric paths: dots
/// written '_' (EscapeCharacter "_", PreserveSeparator false), so a host is one node;
/// with `dotted` (PreserveSeparator true, the original dkumonitor's), the name as is.
std::string collectd_host_node(const std::string& hostname, bool dotted = false);

/// Facts about the host the plan depends on, found by the caller.
struct HostFacts {
  std::string fqdn;             ///< this host's fully qualified name (for collectd and the summary)
  fs::path system_collectd;     ///< collectd found in PATH (with --system-collectd)
  Machine machine{2, std::uint64_t{8} << 30};  ///< cores and memory the configs are sized for (read_machine(); tests: 2 cores, 8 GiB)
};

/// Every setting of one install: what was asked, and what it resolves to on this host.
struct InstallPlan {
  InstallOptions options;             ///< what the command line asked for (type, services, ports, listeners, ...)
  InstallLayout layout{"/"};          ///< where: options.directory
  std::vector<Endpoint> backends;     ///< carbonserver endpoints carbonapi reads: options.backends, else this install's own
  Endpoint carbon_target;             ///< where collectd sends (carbon plaintext)
  std::string carbonapi_url;          ///< Grafana's datasource URL
  std::string fqdn;                   ///< this host's name, for the summary
  std::string collectd_hostname;      ///< the reversed host name collectd reports
  fs::path system_collectd;           ///< empty: the bundle's collectd
  std::string admin_password;         ///< Grafana's initial admin password (Grafana installs only)
  std::string secret_key;             ///< Grafana's secret key (Grafana installs only)
  Machine machine;                    ///< this host's cores and memory, which the configs are sized for
  // Defaults below for a new install; a migrated original install keeps its own
  // (see migrate_plan.hpp).
  int interval = kCollectInterval;    ///< collectd's interval, in seconds
  bool dotted_host_names = false;     ///< collectd keeps the host name's dots in metric paths (the original's naming)
  fs::path whisper_dir;               ///< go-carbon's data-dir (DIR/storage/whisper)
  fs::path grafana_data_dir;          ///< Grafana's [paths] data (DIR/storage/grafana)
  fs::path grafana_plugins_dir;       ///< Grafana's [paths] plugins (DIR/storage/grafana/plugins)

  /// The install type.
  const InstallType& type() const { return *options.type; }
  /// The ten ports.
  const PortPlan& ports() const { return *options.ports; }
  /// True when this install runs `service`.
  bool has(const std::string& service) const { return options.runs(service); }
};

/// Resolves the options against the host's facts; secrets are used for Grafana installs only.
InstallPlan make_plan(const InstallOptions& opt, const HostFacts& facts, const std::string& admin_password,
                             const std::string& secret_key);

/// What the plan's configs are sized for: this machine, the expected hosts (or the
/// default), the reference host's metric count, the interval.
SizingInput sizing_input(const InstallPlan& plan);

/// The values every template sees (see dist/templates/README.md).
nlohmann::json template_values(const InstallPlan& plan);

/// One entry of an install directory, relative to DIR.
struct TreeEntry {
  enum Kind { kDirectory, kFile, kSymlink };
  fs::path path;        ///< relative to DIR
  Kind kind = kFile;    ///< what it is
  std::string content;  ///< a file's content
  mode_t mode = 0644;   ///< a file's mode
  fs::path target;      ///< a link's target (absolute, into the bundle)

  /// A directory entry.
  static TreeEntry directory(fs::path path) { return {std::move(path), kDirectory, {}, 0755, {}}; }
  /// A file entry with its content and mode.
  static TreeEntry file(fs::path path, std::string content, mode_t mode) {
    return {std::move(path), kFile, std::move(content), mode, {}};
  }
  /// A symbolic link entry.
  static TreeEntry symlink(fs::path path, fs::path target) { return {std::move(path), kSymlink, {}, 0, std::move(target)}; }
};

/// The links of DIR into the bundle (made by an install, remade by an update).
std::vector<TreeEntry> bundle_links(const Bundle& bundle);

/// The keys of the environment file, as env_vars() writes them: the only ones bin/env
/// keeps across an update.
const std::vector<std::string>& env_keys();

/// The environment file's variables for an install of `bundle` (the keys of env_keys()).
std::map<std::string, std::string> env_vars(const InstallLayout& layout, const Bundle& bundle,
                                                   const std::string& version, const std::string& type, int port);

/// Renders every template of the plan's services into conf/; a file that holds a
/// secret gets mode 0600, whatever template it came from.
std::vector<TreeEntry> render_conf(const InstallPlan& plan, const fs::path& templates_dir);

/// Data directories each service writes, under DIR.
std::vector<std::string> storage_dirs(const InstallPlan& plan);

/// The whole tree of a new install, parents before children.
std::vector<TreeEntry> plan_tree(const InstallPlan& plan, const Bundle& bundle, const std::string& version);

/// The collectd plugins a set of rendered files loads (`LoadPlugin NAME` lines).
std::vector<std::string> loaded_collectd_plugins(const std::vector<TreeEntry>& files);

}  // namespace dkm::install
