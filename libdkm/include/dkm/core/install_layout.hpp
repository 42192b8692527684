#pragma once
// Where things are in an install directory (DIR) and how a front end finds DIR.
// Shared by installer (writes it), dkm (runs it) and dkmadmin (boots it).
//
//   DIR/conf/            rendered configs; conf/services.ini is dkm's services file
//   DIR/bin/dkm          -> BUNDLE/bin/dkm         DIR/bin/dkmadmin -> BUNDLE/bin/dkmadmin
//   DIR/bin/env          KEY=VALUE lines: DKM_HOME, DKM_BUNDLE, DKM_VERSION, DKM_INSTALL_TYPE, DKM_PORT
//   DIR/storage/         whisper files, Grafana's database and plugins
//   DIR/run/             dkm.pid, dkm.sock, dkm.log, NAME.pid, NAME.log
//   DIR/static -> BUNDLE/static              DIR/lib -> BUNDLE/lib
//   DIR/dashboards -> BUNDLE/dashboards      (Grafana's dashboards provider reads it)
// Implementation: libdkm/src/core/install_layout.cpp.

#include <dkm/core/files.hpp>

#include <map>
#include <string>

namespace dkm {

/// The paths of one install directory.
class InstallLayout {
 public:
  /// A layout rooted at `root` (made absolute, not required to exist).
  explicit InstallLayout(const fs::path& root);

  /// DIR itself.
  const fs::path& root() const { return root_; }
  /// DIR/conf: rendered configuration, never touched by updates.
  fs::path conf() const { return root_ / "conf"; }
  /// DIR/bin: links to the bundle's front ends and the environment file.
  fs::path bin() const { return root_ / "bin"; }
  /// DIR/storage: persistent data, never touched by updates.
  fs::path storage() const { return root_ / "storage"; }
  /// DIR/run: pid files, sockets, logs.
  fs::path run() const { return root_ / "run"; }
  /// DIR/static: link to the bundle's Grafana assets.
  fs::path static_link() const { return root_ / "static"; }
  /// DIR/lib: link to the bundle's lib/ (collectd plugins).
  fs::path lib_link() const { return root_ / "lib"; }
  /// DIR/dashboards: link to the bundle's dashboards (provisioned into Grafana).
  fs::path dashboards_link() const { return root_ / "dashboards"; }
  /// DIR/conf/services.ini: dkm's services file (supervisord syntax).
  fs::path services_file() const { return conf() / "services.ini"; }
  /// DIR/bin/env: the environment file.
  fs::path env_file() const { return bin() / "env"; }
  /// DIR/run/dkm.sock: the supervisor's control socket (0600).
  fs::path control_socket() const { return run() / "dkm.sock"; }
  /// DIR/run/dkm.pid: the supervisor's pid file.
  fs::path supervisor_pid_file() const { return run() / "dkm.pid"; }
  /// DIR/run/dkm.log: the supervisor's own log.
  fs::path supervisor_log() const { return run() / "dkm.log"; }

  /// True when DIR holds an install (its environment file exists).
  bool holds_install() const;

 private:
  fs::path root_;
};

/// The same install named by its canonical path (links and ".." resolved): whichever
/// path names it, one install has one supervisor, one socket and one marker. Unchanged
/// when DIR does not exist.
InstallLayout canonical_install(const InstallLayout& layout);

/// Parses an environment file: KEY=VALUE lines, '#' comments, values optionally in
/// single or double quotes (the subset systemd's EnvironmentFile= and sh both read).
std::map<std::string, std::string> parse_env_file(const std::string& text, const std::string& name);

/// Renders an environment file that parse_env_file() reads back.
std::string render_env_file(const std::map<std::string, std::string>& vars);

/// Finds DIR for a front end: `explicit_dir` (a -d flag) if given, else $DKM_HOME,
/// else the directory above the bin/ that `argv0` was invoked through (symlinks
/// not resolved: DIR/bin/dkm points into the bundle). Throws when none holds an install.
InstallLayout find_install(const std::string& explicit_dir, const std::string& argv0);

}  // namespace dkm
