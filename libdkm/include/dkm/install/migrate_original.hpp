#pragma once
// What an install made by the original dkumonitor (bash installer, Python 2.7
// virtualenv, supervisord; versions 0.0.3 and 0.0.4) holds, read from its files:
//
//   DIR/bin/env-default      DKUMONITOR_ROOT="BUNDLE", DKUMONITOR_HOME="DIR"
//   DIR/bin/env-site         the admin's own shell lines
//   DIR/bin/dkm, dkumonitor, dkmadmin -> BUNDLE/bin/...      DIR/static, DIR/lib -> BUNDLE/...
//   DIR/pyenv/               the virtualenv supervisord ran in
//   DIR/conf/supervisord.conf  [program:go-carbon|carbonapi|grafana-server|collectd] by install
//                            type; socket run/svd.sock, pid file run/svd.pid
//   DIR/conf/go-carbon.conf  TOML, paths relative to DIR (supervisord ran it there)
//   DIR/conf/carbonapi.yml, grafana.ini ([paths] data = storage), collectd.conf,
//   collectd.d/*.conf, storage-schemas.conf, defaults.ini, telegraf.conf,
//   grafana.d/provisioning/{datasources,dashboards}/*.yml
//   DIR/storage/             whisper/, grafana.db, plugins/, sessions/, collectd/
//   DIR/dashboards/          a directory the old Grafana provisioned dashboards from
//
// Every config is rendered by the original installer whatever the install type; only
// supervisord.conf's programs differ. Reading is pure: the files come in through
// OriginalFiles, so tests hand in texts. Errors are UsageError naming FILE:LINE.
// Implementation: libdkm/src/install/migrate_original.cpp.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/install/migrate_ini.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dkm::install {

/// The files of one directory, read for the migration.
class OriginalFiles {
 public:
  virtual ~OriginalFiles() = default;
  /// The text of DIR/rel; nullopt when there is no such file. Throws UsageError naming
  /// the file when it exists but cannot be read.
  virtual std::optional<std::string> read(const fs::path& rel) const = 0;
  /// The names in directory DIR/rel, sorted; empty when it is not a directory.
  virtual std::vector<std::string> list(const fs::path& rel) const = 0;
  /// True when DIR/rel exists (a link counts, even dangling).
  virtual bool exists(const fs::path& rel) const = 0;
  /// True when DIR/rel is a directory (not a link to one).
  virtual bool is_directory(const fs::path& rel) const = 0;
  /// The target of the link DIR/rel; empty when it is not a link.
  virtual fs::path link_target(const fs::path& rel) const = 0;
};

/// OriginalFiles over a real directory.
class DiskOriginalFiles : public OriginalFiles {
 public:
  /// Reads under `dir`.
  explicit DiskOriginalFiles(fs::path dir) : dir_(std::move(dir)) {}
  std::optional<std::string> read(const fs::path& rel) const override;
  std::vector<std::string> list(const fs::path& rel) const override;
  bool exists(const fs::path& rel) const override;
  bool is_directory(const fs::path& rel) const override;
  fs::path link_target(const fs::path& rel) const override;

 private:
  fs::path dir_;
};

/// A listen address as a config writes it: "IP:PORT", ":PORT", "[::]:PORT", "localhost:PORT".
struct ListenAddress {
  std::string ip;     ///< canonical IP; a wildcard for "" and "*"; 127.0.0.1 for localhost
  int port = 0;       ///< the port
  std::string where;  ///< FILE:LINE or FILE (key), for messages
};

/// A file of the original install (a collectd.d file, a dashboard).
struct OriginalFile {
  std::string name;  ///< file name, e.g. "nginx.conf"
  std::string text;  ///< content
};

/// Everything the migration takes from an original install, as its files say it.
struct OriginalInstall {
  fs::path dir;                        ///< DIR
  std::string version;                 ///< "0.0.4" (from the bundle's directory name), or "unknown"
  fs::path old_bundle;                 ///< DKUMONITOR_ROOT
  fs::path recorded_home;              ///< DKUMONITOR_HOME (DIR when it was installed there)
  std::set<std::string> programs;      ///< supervisord.conf's [program:NAME] names
  bool system_collectd = false;        ///< collectd's program runs the system's (`dkumonitor run collectd`)

  std::optional<int> grafana_port;     ///< grafana.ini [server] http_port
  std::string grafana_http_addr;       ///< grafana.ini [server] http_addr ("" = every address)
  fs::path grafana_data_dir;           ///< [paths] data, absolute (DIR/storage)
  fs::path grafana_plugins_dir;        ///< [paths] plugins, absolute (DIR/storage/plugins)
  std::optional<IniDocument> grafana_ini;  ///< the whole grafana.ini, for the carried settings
  std::optional<IniDocument> grafana_defaults;  ///< conf/defaults.ini, what the old Grafana fell back on
  std::string grafana_datasource_url; ///< the provisioned datasource's url (a frontend's server)

  std::optional<ListenAddress> carbon_tcp, carbon_udp, carbonserver;  ///< go-carbon's listeners
  fs::path whisper_dir;                ///< [whisper] data-dir, absolute
  fs::path schemas_file;               ///< [whisper] schemas-file, absolute
  fs::path aggregation_file;           ///< [whisper] aggregation-file, absolute; empty when unset
  bool tags_enabled = false;           ///< [tags] enabled

  std::optional<ListenAddress> carbonapi;     ///< carbonapi.yml listen
  std::vector<std::string> carbonapi_backends;  ///< carbonapi.yml upstreams.backends (URLs)
  bool carbonapi_other_upstreams = false;     ///< upstreams it names another way (backendsv2...)

  std::string collectd_hostname;       ///< collectd.conf Hostname (reversed FQDN, dots kept); empty when unset
  long collectd_hostname_line = 0;     ///< its line in collectd.conf
  std::optional<int> collectd_interval;  ///< collectd.conf Interval
  std::string collectd_target_host;    ///< write_graphite's first Node Host
  std::optional<int> collectd_target_port;  ///< its Port
  int collectd_nodes = 0;              ///< write_graphite Nodes found (the new install sends to one)
  std::vector<OriginalFile> collectd_files;        ///< conf/collectd.d/*.conf, every one

  std::optional<std::string> storage_schemas;      ///< the schemas file's text
  std::optional<std::string> storage_aggregation;  ///< the aggregation file's text
  std::optional<std::string> env_default;          ///< bin/env-default's text
  std::optional<std::string> env_site;             ///< bin/env-site's text
  std::vector<std::string> conf_files;             ///< every file under conf/, relative to conf/
  std::vector<OriginalFile> dashboard_files;       ///< the dashboards/ directory's *.json files
  bool dashboards_dir = false;                     ///< dashboards/ is a directory (not a link)
  std::vector<std::string> links;                  ///< the original's links present: bin/dkm, static...
  std::vector<std::string> bin_other;              ///< other entries of bin/ (the admin's own), kept there
  bool has_pyenv = false;                          ///< DIR/pyenv exists
};

/// The files the original installer writes into conf/ (every install type), relative to conf/.
const std::vector<std::string>& original_conf_files();

/// The collectd.d files the original installer writes (copied or rendered).
const std::vector<std::string>& original_collectd_files();

/// The original's links into its bundle, relative to DIR.
const std::vector<std::string>& original_links();

/// True when DIR looks like an original install (bin/env-default or conf/supervisord.conf
/// with the original's socket), whatever else is wrong with it.
bool looks_like_original_install(const OriginalFiles& files);

/// Reads an original install. Throws UsageError naming the file (and line) for a file
/// that is missing, unreadable or does not parse.
OriginalInstall read_original_install(const OriginalFiles& files, const fs::path& dir);

/// Parses a listen address of `where` ("IP:PORT", ":PORT", "[v6]:PORT", "localhost:PORT").
ListenAddress parse_listen_address(const std::string& text, const std::string& where);

/// The version of an original bundle from its directory name (dkumonitor-0.0.4 gives
/// "0.0.4"); "unknown" when the name says none.
std::string original_version_of(const fs::path& bundle);

}  // namespace dkm::install
