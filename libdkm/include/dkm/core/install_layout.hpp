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

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>

#include <unistd.h>

#include <cstdlib>
#include <map>
#include <string>

namespace dkm {

/// The paths of one install directory.
class InstallLayout {
 public:
  /// A layout rooted at `root` (made absolute, not required to exist).
  explicit InstallLayout(const fs::path& root) : root_(fs::absolute(root).lexically_normal()) {
    if (!root_.has_filename()) root_ = root_.parent_path();  // "DIR/" names DIR
  }

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
  bool holds_install() const {
    std::error_code ec;
    return fs::is_regular_file(env_file(), ec);
  }

 private:
  fs::path root_;
};

/// Parses an environment file: KEY=VALUE lines, '#' comments, values optionally in
/// single or double quotes (the subset systemd's EnvironmentFile= and sh both read).
inline std::map<std::string, std::string> parse_env_file(const std::string& text, const std::string& name) {
  std::map<std::string, std::string> vars;
  long line_no = 0;
  for (const auto& raw : split(text, '\n')) {
    ++line_no;
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0)
      throw Error(at_line(name, line_no, "expected KEY=VALUE"));
    std::string key(trim(line.substr(0, eq)));
    std::string_view value = trim(line.substr(eq + 1));
    std::string out;
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
      // shell_quote's form: 'a'"'"'b' for a'b
      std::string_view inner = value.substr(1, value.size() - 2);
      for (size_t i = 0; i < inner.size(); ++i) {
        if (inner.compare(i, 5, "'\"'\"'") == 0) {
          out += '\'';
          i += 4;
        } else {
          out += inner[i];
        }
      }
    } else if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      out = std::string(value.substr(1, value.size() - 2));
    } else {
      out = std::string(value);
    }
    vars[key] = out;
  }
  return vars;
}

/// Renders an environment file that parse_env_file() reads back.
inline std::string render_env_file(const std::map<std::string, std::string>& vars) {
  std::string out = "# Written by the dkumonitor installer; refreshed by `installer -u`.\n";
  for (const auto& [k, v] : vars) out += k + "=" + shell_quote(v) + "\n";
  return out;
}

/// Finds DIR for a front end: `explicit_dir` (a -d flag) if given, else $DKM_HOME,
/// else the directory above the bin/ that `argv0` was invoked through (symlinks
/// not resolved: DIR/bin/dkm points into the bundle). Throws when none holds an install.
inline InstallLayout find_install(const std::string& explicit_dir, const std::string& argv0) {
  if (!explicit_dir.empty()) return InstallLayout(explicit_dir);
  if (const char* home = std::getenv("DKM_HOME"); home && *home) return InstallLayout(home);
  fs::path invoked = argv0;
  if (argv0.find('/') == std::string::npos) {
    const char* path_var = std::getenv("PATH");
    for (const auto& dir : split(path_var ? path_var : "", ':')) {
      fs::path candidate = fs::path(dir.empty() ? "." : dir) / argv0;
      if (::access(candidate.c_str(), X_OK) == 0) {
        invoked = candidate;
        break;
      }
    }
  }
  fs::path bin_dir = fs::absolute(invoked).lexically_normal().parent_path();
  InstallLayout guess(bin_dir.parent_path());
  if (bin_dir.filename() == "bin" && guess.holds_install()) return guess;
  throw UsageError("cannot tell which install to use: run DIR/bin/" + fs::path(argv0).filename().string() +
                   ", set DKM_HOME=DIR, or pass -d DIR");
}

}  // namespace dkm
