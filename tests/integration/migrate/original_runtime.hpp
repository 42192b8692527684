#pragma once
// What running an original install leaves in it, and running its stand-in bundle:
//
// - the metric names its collectd sends: Debian's real collectd run with the original's
//   own collectd.d (write_graphite with PreserveSeparator true) and its Hostname, its
//   lines caught by a CarbonRecorder on PORT+1 (the test double for go-carbon);
// - whisper files holding points under storage/whisper, made with Debian's
//   python3-whisper and the original's retentions (5m:30d,1h:1y), one per metric name;
// - Grafana's database storage/grafana.db: a STAND-IN SQLite file made with python3's
//   sqlite3 (Grafana cannot run here), with a user and an edited dashboard;
// - storage/plugins, storage/sessions, storage/collectd, as Grafana 5 and collectd make them;
// - the original's supervisord: Debian's real one, started by the stand-in bin/dkm.

#include "dashboards_fixture.hpp"
#include "original_install.hpp"

#include <ctime>
#include <set>
#include <string>
#include <vector>

namespace dkm::test {

/// Debian's python3 (the one python3-whisper is installed for, not a PATH shim).
inline const char* kDebianPython = "/usr/bin/python3";

/// The metric names the original's collectd sends for `dir` (an original install on
/// spec.port): a real collectd run, with the install's own collectd.d, every second.
inline std::set<std::string> original_collectd_metric_names(const fs::path& dir, const OriginalSpec& spec,
                                                            const fs::path& scratch) {
  fs::create_directories(scratch);
  // The original's collectd.conf with Debian's plugins and types (the bundle's were
  // collectd 5.8's) and a one-second interval; everything else as it is.
  // An agent's collectd.d sends to its server: here, to the recorder on this host.
  fs::create_directories(scratch / "collectd.d");
  for (const auto& entry : fs::directory_iterator(dir / "conf/collectd.d")) {
    std::string text = read_file(entry.path());
    if (entry.path().filename() == "write_graphite.conf" && !spec.carbon_server.empty())
      text = replace_every(text, "Host \"" + spec.carbon_server + "\"", "Host \"127.0.0.1\"");
    write_file_atomic(scratch / "collectd.d" / entry.path().filename(), text);
  }
  std::string conf = "Hostname \"" + original_collectd_hostname(spec) + "\"\nBaseDir \"" + scratch.string() +
                     "\"\nPIDFile \"" + (scratch / "collectd.pid").string() +
                     "\"\nPluginDir \"/usr/lib/collectd\"\nTypesDB \"/usr/share/collectd/types.db\"\n"
                     "AutoLoadPlugin true\nInterval 1\nInclude \"" + (scratch / "collectd.d").string() + "/*.conf\"\n";
  write_file_atomic(scratch / "collectd.conf", conf);
  CarbonRecorder carbon(spec.port + 1);
  BackgroundProcess collectd({"/usr/sbin/collectd", "-f", "-C", (scratch / "collectd.conf").string()}, scratch / "collectd.log");
  std::string load = "collectd." + original_collectd_hostname(spec) + ".load.load.relative.shortterm";
  wait_until([&] { return carbon.metric_names().size() > 20 && carbon.metric_names().count(load); },
             std::chrono::seconds(15), std::chrono::milliseconds(100));
  collectd.stop();
  return carbon.metric_names();
}

/// Creates whisper files for `names` under `whisper_dir` (metric a.b.c in a/b/c.wsp) with
/// the original's retentions, each holding `points` points, one every 5 minutes up to now,
/// value = index + 1. Returns the timestamps written (aligned on 300 s).
inline std::vector<long> write_whisper_points(const fs::path& whisper_dir, const std::vector<std::string>& names,
                                              int points = 12) {
  long now = static_cast<long>(std::time(nullptr));
  std::vector<long> stamps;
  for (int i = points; i >= 1; --i) stamps.push_back((now / 300 - i) * 300);
  std::string script =
      "import sys, whisper\n"
      "root = sys.argv[1]\n"
      "stamps = [int(s) for s in sys.argv[2].split(',')]\n"
      "for name in sys.stdin.read().split():\n"
      "    path = root + '/' + name.replace('.', '/') + '.wsp'\n"
      "    import os\n"
      "    os.makedirs(os.path.dirname(path), exist_ok=True)\n"
      "    whisper.create(path, [(300, 8640), (3600, 8760)], xFilesFactor=0.5, aggregationMethod='average')\n"
      "    whisper.update_many(path, [(t, i + 1.0) for i, t in enumerate(stamps)])\n";
  std::vector<std::string> text;
  for (long s : stamps) text.push_back(std::to_string(s));
  RunOptions options;
  options.input = join(names, "\n") + "\n";
  RunResult r = run_process({kDebianPython, "-c", script, whisper_dir.string(), join(text, ",")}, options);
  if (!r.ok()) throw Error("python3-whisper: " + r.output);
  return stamps;
}

/// storage/ as a used original install has it: Grafana's database (STAND-IN tables),
/// plugins and sessions, collectd's base directory.
inline void write_original_storage(const fs::path& dir) {
  fs::create_directories(dir / "storage/plugins/grafana-piechart-panel");
  write_file_atomic(dir / "storage/plugins/grafana-piechart-panel/plugin.json", "{\"id\": \"grafana-piechart-panel\"}\n");
  fs::create_directories(dir / "storage/sessions/a/b");
  write_file_atomic(dir / "storage/sessions/a/b/ab42", "session\n");
  fs::create_directories(dir / "storage/collectd");
  std::string script =
      "import sqlite3, sys\n"
      "db = sqlite3.connect(sys.argv[1])\n"
      "db.executescript('''\n"
      "CREATE TABLE dkm_test_stand_in (note TEXT);\n"
      "INSERT INTO dkm_test_stand_in VALUES ('STAND-IN for Grafana 5.2 database: not made by Grafana');\n"
      "CREATE TABLE user (id INTEGER PRIMARY KEY, login TEXT, email TEXT, password TEXT, salt TEXT, is_admin INTEGER);\n"
      "INSERT INTO user VALUES (1, 'admin', 'admin@localhost', 'c2f1...hashed-changed-password', 'Xy12', 1);\n"
      "INSERT INTO user VALUES (2, 'ops', 'ops@example.com', '9a0b...hashed', 'Zz34', 0);\n"
      "CREATE TABLE dashboard (id INTEGER PRIMARY KEY, slug TEXT, title TEXT, data TEXT);\n"
      "INSERT INTO dashboard VALUES (1, 'dss-system', 'DSS system, edited', '{\"panels\": []}');\n"
      "''')\n"
      "db.commit()\n";
  RunResult r = run_process({kDebianPython, "-c", script, (dir / "storage/grafana.db").string()});
  if (!r.ok()) throw Error("python3 sqlite3: " + r.output);
}

/// Runs the original's stand-in bin/dkm (Debian's supervisord) with `args`.
inline RunResult run_original_dkm(const fs::path& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv{(dir / "bin/dkm").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv);
}

/// Starts the original's supervisord and waits until every program it runs is RUNNING
/// (startsecs = 10), so that it writes nothing more into DIR while the test looks.
inline bool start_original_and_settle(const fs::path& dir) {
  if (!run_original_dkm(dir, {"start"}).ok()) return false;
  return wait_until(
      [&] {
        RunResult status = run_original_dkm(dir, {"status"});
        return status.ok() && status.output.find("RUNNING") != std::string::npos &&
               status.output.find("STARTING") == std::string::npos;
      },
      std::chrono::seconds(40), std::chrono::milliseconds(500));
}

/// Stops the original's supervisord (if it runs) when it goes out of scope.
struct StopOriginalAtEnd {
  fs::path dir;  ///< the original install
  ~StopOriginalAtEnd() {
    std::error_code ec;
    if (fs::exists(dir / "run/svd.pid", ec)) run_original_dkm(dir, {"stop"});
  }
};

/// Every regular file under `root` with its content, and every link with its target,
/// by relative path: what "DIR as it was" means to the failure tests (renames back and
/// forth change directories' times, not what they hold).
inline std::map<std::string, std::string> tree_contents(const fs::path& root) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator(); ++it) {
    std::string rel = it->path().lexically_relative(root).string();
    struct stat st {};
    ::lstat(it->path().c_str(), &st);
    std::string mode = std::to_string(st.st_mode) + ":";
    if (it->is_symlink()) out[rel] = mode + "-> " + fs::read_symlink(it->path()).string();
    else if (it->is_regular_file()) out[rel] = mode + read_file(it->path());
    else out[rel] = mode + "dir";
  }
  return out;
}

}  // namespace dkm::test
