#pragma once
// An install of the ORIGINAL dkumonitor (0.0.3, 0.0.4), written by the test as the
// original's bash installer makes one, from the facts of its installer and templates
// (github.com/dataiku/dkumonitor: scripts/installer, templates/*.j2, conf/, bin/dkm),
// never copied from them. Where the content does not matter to the migration the files
// are abridged, in the same formats and with every setting the migration reads:
//
//   bin/env-default (DKUMONITOR_ROOT, DKUMONITOR_HOME), bin/env-site (empty), links
//   bin/dkm, bin/dkumonitor, bin/dkmadmin into the bundle, static and lib links,
//   pyenv/, run/install.log, dashboards/ (an empty directory: the installer's copy of
//   the dashboards was commented out), storage/;
//   conf/: supervisord.conf (tests/support/original_supervisord.hpp: socket run/svd.sock,
//   programs by install type, a backend-agent's collectd only), go-carbon.conf (TOML; whisper in
//   storage/whisper, hash-filenames = true; carbon on PORT+1, carbonserver on
//   127.0.0.1:PORT+3), carbonapi.yml (PORT+2, upstreams.backends), grafana.ini
//   ([paths] data = storage, plugins = storage/plugins, fixed secret key), collectd.conf
//   (Hostname = the reversed FQDN, Interval 300, AutoLoadPlugin true), collectd.d/
//   (write_graphite with PreserveSeparator true: the host keeps its dots in metric
//   names), storage-schemas.conf (5m:30d,1h:1y), defaults.ini, telegraf.conf and the
//   Grafana provisioning files. Every config is rendered whatever the install type.
//
// The old bundle (dkumonitor-VERSION/) holds STAND-INS: bin/dkm runs Debian's real
// supervisord on the install's own supervisord.conf (start, stop, status), as the
// original's ran Python 2.7's; the programs it supervises are sleeping stand-ins.

#include "installer_fixture.hpp"
#include "original_supervisord.hpp"

#include <dkm/install/hostnames.hpp>

#include <string>

namespace dkm::test {

/// How the original installer was run.
struct OriginalSpec {
  std::string version = "0.0.4";                ///< 0.0.3 or 0.0.4 (they differ in collectd.d/disk.conf)
  std::string type = "all";                     ///< -t
  int port = 27600;                             ///< -p
  std::string hostname = "host.example.domain"; ///< --hostname (an FQDN; collectd gets it reversed)
  std::string carbon_server;                    ///< --carbon-server ("" = 127.0.0.1)
  std::string carbon_listen = "0.0.0.0";        ///< -l/--carbon-listen
  std::string carbonapi_listen = "0.0.0.0";     ///< --carbonapi-listen
};

/// A spec of `version` and `type`, the other settings as the original's defaults.
inline OriginalSpec original_spec(const std::string& version, const std::string& type) {
  OriginalSpec spec;
  spec.version = version;
  spec.type = type;
  return spec;
}

/// The reversed host name, as the original's collectd.conf has it: domain.example.host.
inline std::string original_collectd_hostname(const OriginalSpec& spec) { return dkm::install::reverse_hostname(spec.hostname); }

/// The original's bundle dkumonitor-VERSION/ (stand-ins) in `parent`; returns its path.
inline fs::path write_original_bundle(const fs::path& parent, const std::string& version) {
  fs::path root = parent / ("dkumonitor-" + version);
  for (const char* d : {"bin", "static", "lib/collectd", "lib/python", "templates", "conf", "dashboards"})
    fs::create_directories(root / d);
  write_file_atomic(root / "bin/dkm", R"SH(#!/bin/sh
# STAND-IN for the original dkumonitor's bin/dkm (bash, running Python 2.7's supervisord
# from DIR/pyenv): its commands, on Debian's supervisord with the install's supervisord.conf.
BINDIR=$(cd "$(dirname "$0")" && pwd)
. "$BINDIR/env-default"
. "$BINDIR/env-site"
export DKUMONITOR_ROOT DKUMONITOR_HOME
conf="$DKUMONITOR_HOME/conf/supervisord.conf"
case "$1" in
  start) exec /usr/bin/supervisord -c "$conf" ;;
  stop)
    pid=$(cat "$DKUMONITOR_HOME/run/svd.pid" 2>/dev/null) || exit 0
    /usr/bin/supervisorctl -c "$conf" shutdown
    for i in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || exit 0
      sleep 0.1
    done
    exit 1 ;;
  status) exec /usr/bin/supervisorctl -c "$conf" status ;;
  run) exec sleep 100000 ;;  # STAND-IN for go-carbon, carbonapi, grafana-server
  *) echo "Usage: dkm (start | stop | status | restart | reopenlogs)" >&2; exit 1 ;;
esac
)SH",
                    0755);
  write_file_atomic(root / "bin/dkmadmin", "#!/bin/sh\n# STAND-IN for the original's bin/dkmadmin\nexit 1\n", 0755);
  fs::create_symlink("./dkm", root / "bin/dkumonitor");
  fs::create_symlink("./dkmadmin", root / "bin/dkumonitoradmin");
  write_file_atomic(root / "bin/collectd", "#!/bin/sh\n# STAND-IN for the original's collectd 5.8\nexec sleep 100000\n", 0755);
  for (const char* p : {"go-carbon", "carbonapi", "grafana-server"})
    write_file_atomic(root / "bin" / p, std::string("#!/bin/sh\n# STAND-IN for the original's ") + p + "\nexit 1\n", 0755);
  write_file_atomic(root / "lib/collectd/types.db", "# STAND-IN for collectd 5.8's types.db\n");
  write_file_atomic(root / "static/index.html", "<!-- STAND-IN for Grafana 5's public/ -->\n");
  return root;
}

namespace detail {

inline std::string original_go_carbon_conf(const OriginalSpec& s) {
  auto port = [&](int offset) { return std::to_string(s.port + offset); };
  return "[common]\nuser = \"dkumonitor\"\ngraph-prefix = \"carbon.agents.{host}\"\nmetric-endpoint = \"local\"\n"
         "metric-interval = \"1m0s\"\nmax-cpu = 2\n\n[whisper]\ndata-dir = \"storage/whisper\"\n"
         "schemas-file = \"conf/storage-schemas.conf\"\n# aggregation-file = \"/etc/go-carbon/storage-aggregation.conf\"\n"
         "workers = 8\nmax-updates-per-second = 0\nsparse-create = false\nflock = false\nenabled = true\n"
         "hash-filenames = true\n\n[cache]\nmax-size = 1000000\nwrite-strategy = \"max\"\n\n[udp]\nlisten = \"" +
         s.carbon_listen + ":" + port(1) + "\"\nenabled = true\nlog-incomplete = false\nbuffer-size = 0\n\n[tcp]\nlisten = \"" +
         s.carbon_listen + ":" + port(1) + "\"\nenabled = true\nbuffer-size = 0\nread-timeout = 600\n\n[pickle]\n"
         "listen = \"127.0.0.1:" + port(4) + "\"\nmax-message-size = 67108864\nenabled = false\nbuffer-size = 0\n\n"
         "[carbonlink]\nlisten = \"127.0.0.1:" + port(7) + "\"\nenabled = false\nread-timeout = \"30s\"\n\n[grpc]\n"
         "listen = \"127.0.0.1:" + port(8) + "\"\nenabled = false\n\n[tags]\nenabled = false\ntagdb-url = \"http://127.0.0.1:" +
         port(9) + "\"\ntagdb-chunk-size = 32\nlocal-dir = \"storage/graphite/tagging/\"\ntagdb-timeout = \"1s\"\n\n"
         "[carbonserver]\nlisten = \"127.0.0.1:" + port(3) + "\"\nenabled = true\nbuckets = 10\nmetrics-as-counters = false\n"
         "read-timeout = \"60s\"\nwrite-timeout = \"60s\"\nquery-cache-enabled = true\nquery-cache-size-mb = 0\n"
         "find-cache-enabled = true\ntrigram-index = true\nscan-frequency = \"5m0s\"\nmax-globs = 100\n"
         "fail-on-max-globs = false\ngraphite-web-10-strict-mode = true\ninternal-stats-dir = \"\"\n"
         "stats-percentiles = [99, 98, 95, 75, 50]\n\n[dump]\nenabled = false\npath = \"storage/graphite/dump/\"\n"
         "restore-per-second = 0\n\n[pprof]\nlisten = \"localhost:7007\"\nenabled = false\n\n[[logging]]\nlogger = \"\"\n"
         "file = \"run/go-carbon.log\"\nlevel = \"warn\"\nencoding = \"mixed\"\nencoding-time = \"iso8601\"\n"
         "encoding-duration = \"seconds\"\n";
}

inline std::string original_grafana_ini(const OriginalSpec& s) {
  return "app_mode = production\ninstance_name = ${HOSTNAME}\n\n[paths]\ndata = storage\nlogs = run\n"
         "plugins = storage/plugins\nprovisioning = conf/grafana.d/provisioning\n\n[server]\nprotocol = http\n"
         "http_addr =\nhttp_port = " + std::to_string(s.port) + "\ndomain = localhost\nenforce_domain = false\n"
         "root_url = %(protocol)s://%(domain)s:%(http_port)s/\nrouter_logging = false\nstatic_root_path = static\n"
         "enable_gzip = false\ncert_file =\ncert_key =\nsocket = run/grafana.sock\n\n[database]\ntype = sqlite3\n"
         "host = 127.0.0.1:3306\nname = grafana\nuser = root\npassword =\nurl =\nssl_mode = disable\npath = grafana.db\n\n"
         "[session]\nprovider = file\nprovider_config = sessions\ncookie_name = grafana_sess\n\n[analytics]\n"
         "reporting_enabled = true\ncheck_for_updates = true\n\n[security]\nadmin_user = admin\nadmin_password = admin\n"
         "secret_key = SW2YcwTIb9zpOOhoPsMm\nlogin_remember_days = 7\ndisable_gravatar = false\n\n[users]\n"
         "allow_sign_up = false\nallow_org_create = false\nauto_assign_org = true\nauto_assign_org_role = Viewer\n"
         "default_theme = dark\n\n[auth]\ndisable_login_form = false\n\n[auth.anonymous]\nenabled = false\n\n"
         "[auth.basic]\nenabled = true\n\n[smtp]\nenabled = false\nhost = localhost:25\n\n[log]\nmode = console file\n"
         "level = info\n\n[alerting]\nenabled = true\n\n[metrics]\nenabled = true\ninterval_seconds = 10\n";
}

inline std::string original_collectd_conf(const OriginalSpec& s, const fs::path& dir) {
  return "Hostname    \"" + original_collectd_hostname(s) + "\"\n#FQDNLookup   true\nBaseDir     \"" +
         (dir / "storage/collectd").string() + "\"\nPIDFile     \"" + (dir / "run/collectd.pid").string() +
         "\"\n\nPluginDir   \"" + (dir / "lib/collectd").string() + "\"\nTypesDB     \"" +
         (dir / "lib/collectd/types.db").string() + "\"\n\nAutoLoadPlugin true\nCollectInternalStats true\n"
         "Interval     300\n\n<Plugin logfile>\n\tLogLevel err\n\tFile \"" + (dir / "run/collectd.log").string() +
         "\"\n\tTimestamp true\n\tPrintSeverity true\n</Plugin>\n\nInclude \"conf/collectd.d/*.conf\"\n";
}

/// conf/collectd.d of the original: the copied files (disk.conf by version) and the rendered ones.
inline std::map<std::string, std::string> original_collectd_d(const OriginalSpec& s) {
  std::string disk = s.version == "0.0.3" ? "\tDisk \"/^[hs]d[a-f][0-9]?$/\"\n"
                                          : "\tDisk \"/^[hsm]d[a-f]?[0-9]?$/\"\n\tDisk \"/^nvme[0-9]n[0-9]$/\"\n";
  std::string host = s.carbon_server.empty() ? "127.0.0.1" : s.carbon_server;
  return {
      {"cpu.conf", "<Plugin cpu>\n  ReportByCpu true\n  ReportByState true\n  ValuesPercentage true\n"
                   "  ReportNumCpu true\n  ReportGuestState true\n  SubtractGuestState true\n</Plugin>\n"},
      {"disk.conf", "<Plugin disk>\n" + disk + "\tIgnoreSelected false\n</Plugin>\n"},
      {"interface.conf", "<Plugin interface>\n\tInterface \"lo\"\n\tIgnoreSelected true\n\tReportInactive false\n</Plugin>\n"},
      {"load.conf", "<Plugin load>\n  ReportRelative true\n</Plugin>\n"},
      {"memory.conf", "<Plugin memory>\n\tValuesAbsolute true\n\tValuesPercentage true\n</Plugin>\n"},
      {"processes.conf", "<Plugin processes>\n\tCollectFileDescriptor true\n\tCollectContextSwitch true\n"
                         "  <ProcessMatch \"dss_backend\" \".*java -Ddku\\.backend .*\">\n    CollectFileDescriptor false\n"
                         "  </ProcessMatch>\n</Plugin>\n"},
      {"swap.conf", "<Plugin swap>\n  ReportBytes true\n  ReportByDevice true\n  ValuesAbsolute true\n"
                    "  ValuesPercentage true\n  ReportIO true\n</Plugin>\n"},
      {"df.conf", "<Plugin \"df\">\n  FSType \"devtmpfs\"\n  FSType \"tmpfs\"\n  IgnoreSelected true\n"
                  "  ValuesAbsolute true\n  ValuesPercentage true\n  ReportByDevice true\n</Plugin>\n"},
      {"write_graphite.conf", "<Plugin write_graphite>\n  <Node \"example\">\n    Host \"" + host + "\"\n    Port \"" +
                                  std::to_string(s.port + 1) + "\"\n    Protocol \"tcp\"\n    ReconnectInterval 0\n"
                                  "    LogSendErrors true\n    Prefix \"collectd.\"\n    StoreRates true\n"
                                  "    AlwaysAppendDS false\n    EscapeCharacter \"_\"\n    SeparateInstances true\n"
                                  "    PreserveSeparator true\n    DropDuplicateFields false\n  </Node>\n</Plugin>\n"},
  };
}

}  // namespace detail

/// Writes DIR as the original installer makes it (no runtime data yet: see
/// original_runtime.hpp), linked to `bundle` (write_original_bundle).
inline void write_original_install(const fs::path& dir, const fs::path& bundle, const OriginalSpec& s) {
  for (const char* d : {"run", "conf/collectd.d", "conf/grafana.d/provisioning/datasources",
                        "conf/grafana.d/provisioning/dashboards", "storage", "bin", "dashboards"})
    fs::create_directories(dir / d);
  write_file_atomic(dir / "run/install.log", "[+] 2019-10-01 10:00:00 - Check requirements\n[+] 2019-10-01 10:00:09 - Done\n");
  write_file_atomic(dir / "bin/env-site", "");
  write_file_atomic(dir / "bin/env-default",
                    "DKUMONITOR_ROOT=\"" + bundle.string() + "\"\nDKUMONITOR_HOME=\"" + dir.string() + "\"\n");
  // The virtualenv (STAND-IN content: Python 2.7 is not on this machine).
  fs::create_directories(dir / "pyenv/bin");
  fs::create_directories(dir / "pyenv/lib/python2.7/site-packages/supervisor");
  write_file_atomic(dir / "pyenv/bin/activate", "# STAND-IN for virtualenv's activate\n");
  write_file_atomic(dir / "pyenv/bin/python2.7", "#!/bin/sh\n# STAND-IN for Python 2.7\nexit 1\n", 0755);
  fs::create_symlink("python2.7", dir / "pyenv/bin/python");
  write_file_atomic(dir / "pyenv/lib/python2.7/sitecustomize.py",
                    "import site, pkg_resources\nsite.addsitedir('" + (bundle / "lib/python").string() + "')\n");
  write_file_atomic(dir / "pyenv/lib/python2.7/site-packages/supervisor/__init__.py", "# STAND-IN\n");

  fs::path conf = dir / "conf";
  for (const auto& [name, text] : detail::original_collectd_d(s)) write_file_atomic(conf / "collectd.d" / name, text);
  write_file_atomic(conf / "storage-schemas.conf", "[dataiku]\npattern = ^dataiku.*$\nretentions = 5m:30d,1h:1y\n\n"
                                                   "[carbon]\npattern = ^carbon.*$\nretentions = 5m:30d,1h:1y\n\n"
                                                   "[telegraf]\npattern = ^telegraf.*$\nretentions = 5m:30d,1h:1y\n\n"
                                                   "[collect]\npattern = ^collectd.*$\nretentions = 5m:30d,1h:1y\n\n"
                                                   "[others]\npattern = ^.*$\nretentions = 5m:30d,1h:1y\n");
  write_file_atomic(conf / "defaults.ini", "# STAND-IN for Grafana 5's conf/defaults.ini, abridged\n"
                                           "[security]\nadmin_user = admin\nadmin_password = admin\n"
                                           "secret_key = SW2YcwTIb9zpOOhoPsMm\n");
  write_file_atomic(conf / "supervisord.conf", original_supervisord_conf(s.type));
  write_file_atomic(conf / "go-carbon.conf", detail::original_go_carbon_conf(s));
  write_file_atomic(conf / "carbonapi.yml", "listen: \"" + s.carbonapi_listen + ":" + std::to_string(s.port + 2) +
                                                "\"\nconcurency: 20\ncache:\n   # Type of caching\n   type: \"null\"\n"
                                                "upstreams:\n  backends:\n    - \"http://127.0.0.1:" +
                                                std::to_string(s.port + 3) + "\"\nlogger:\n  - logger: \"\"\n    file: \"" +
                                                (dir / "run/carbonapi.log").string() + "\" \n    level: \"warn\"\n");
  write_file_atomic(conf / "grafana.ini", detail::original_grafana_ini(s));
  write_file_atomic(conf / "collectd.conf", detail::original_collectd_conf(s, dir));
  std::string server = s.carbon_server.empty() ? "127.0.0.1" : s.carbon_server;
  write_file_atomic(conf / "grafana.d/provisioning/datasources/defaultsources.yml",
                    "apiVersion: 1\ndatasources:\n- name: DkuCarbonAPI\n  type: graphite\n  access: proxy\n  orgId: 1\n"
                    "  url:  \"http://" + server + ":" + std::to_string(s.port + 2) + "\"\n  isDefault: true\n  editable: true\n");
  write_file_atomic(conf / "grafana.d/provisioning/dashboards/defaultdashboards.yml",
                    "apiVersion: 1\nproviders:\n- name: 'default'\n  orgId: 1\n  folder: ''\n  type: file\n"
                    "  disableDeletion: true\n  editable: true\n  options:\n    path: \"" + (dir / "dashboards").string() + "\"");
  write_file_atomic(conf / "telegraf.conf", "# abridged: the original's telegraf settings\n[agent]\n  interval = \"10s\"\n");

  fs::create_symlink(bundle / "static", dir / "static");
  fs::create_symlink(bundle / "lib", dir / "lib");
  fs::create_symlink(bundle / "bin/dkm", dir / "bin/dkm");
  fs::create_symlink(bundle / "bin/dkm", dir / "bin/dkumonitor");
  fs::create_symlink(bundle / "bin/dkmadmin", dir / "bin/dkmadmin");
}

/// The systemd unit the original's `dkmadmin install-boot` wrote (as root) into
/// /usr/lib/systemd/system/dkumonitor[.NAME].service, then enabled with systemctl.
inline std::string original_systemd_unit(const fs::path& dir, const std::string& user) {
  return "[Unit]\nDescription=Dku monitor process control\nAfter=network.target\n\n[Service]\nType=forking\nUser=" + user +
         "\nExecStart=" + dir.string() + "/bin/dkm start\nTimeoutStartSec=60\nExecStop=" + dir.string() +
         "/bin/dkm stop\nTimeoutStopSec=60\nExecReload=" + dir.string() + "/bin/dkm restart\nKillMode=control-group\n"
         "Restart=on-failure\nRestartSec=50s\n\n[Install]\nWantedBy=multi-user.target";
}

/// The SysV script the original's `dkmadmin install-boot` wrote into /etc/init.d (mode 0755, not enabled).
inline std::string original_init_script(const fs::path& dir, const std::string& user) {
  return "#! /bin/sh\n### BEGIN INIT INFO\n# Provides:          dkumonitor\n# Required-Start:    $network\n"
         "# Required-Stop:     $remote_fs\n# Default-Start:     2 3 4 5\n# Default-Stop:      0 1 6\n"
         "### END INIT INFO\n\nset -e\n\nDKU_MONITOR_HOME=" + dir.string() + "\nDKU_MONITOR_USER=" + user +
         "\n\nstart() {\n        su - \"$DKU_MONITOR_USER\" -c \"$DKU_MONITOR_HOME/bin/dkm start\"\n}\n\nstop() {\n"
         "        su - \"$DKU_MONITOR_USER\" -c \"$DKU_MONITOR_HOME/bin/dkm stop\"\n}\n\ncase \"$1\" in\n"
         "        start) start ;;\n        stop) stop ;;\n        restart) stop || true; start ;;\nesac\n\nexit 0\n";
}

}  // namespace dkm::test
