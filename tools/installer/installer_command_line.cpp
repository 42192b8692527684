// The installer's command line.
#include "installer_command_line.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>

#include <sstream>

namespace dkm::installer {

namespace {

using cli::Value;

std::vector<cli::Option> installer_flags() {
  return {
      {"directory,d", Value::kText, "DIR",
       "The install directory (mandatory). Created if absent; must not hold an install yet (see -u)."},
      {"port,p", Value::kText, "PORT",
       "First of the ten ports the install uses (mandatory except with -u): Grafana on PORT, carbon "
       "(plaintext, TCP and UDP) on PORT+1, carbonapi on PORT+2, go-carbon's carbonserver on PORT+3, "
       "PORT+4 to PORT+9 reserved for internal listeners."},
      {"type,t", Value::kText, "TYPE",
       "Install type: all (default), agent, server, backend, frontend, backend-agent or relay (see below)."},
      {"update,u", Value::kNone, "",
       "Update mode: relink DIR/bin, DIR/static, DIR/lib and DIR/dashboards to this bundle and "
       "refresh DIR/bin/env. Takes only -d (and --dry-run); conf/ and storage/ are left untouched. On an install "
       "made by the original dkumonitor, migrates it in place (see below)."},
      {"dry-run", Value::kNone, "",
       "With -u: print what the update or migration would do (kept, converted, carried, not carried, "
       "removed) and change nothing; exit status 2 when it would be refused."},
      {"new-metric-names", Value::kNone, "",
       "With -u, migrating an original install: collectd writes the host name as one node "
       "(collectd.domain_example_host...), as new installs do, instead of the original's dotted names "
       "(collectd.domain.example.host...); the host's history stays under the old names."},
      {"carbon-listen", Value::kText, "IP",
       "IP address go-carbon's plaintext receiver (TCP and UDP) listens on (a relay install's carbon-c-relay, "
       "too). Default 0.0.0.0."},
      {"carbonapi-listen", Value::kText, "IP", "IP address carbonapi listens on. Default 0.0.0.0."},
      {"carbonserver-listen", Value::kText, "IP[:PORT]",
       "Address of go-carbon's carbonserver, which carbonapi reads. Default 127.0.0.1:PORT+3; give a reachable "
       "address when another host's carbonapi reads this backend."},
      {"backends", Value::kText, "HOST:PORT,...",
       "The go-carbon carbonserver endpoints carbonapi queries and merges, comma-separated (default: this "
       "install's own, 127.0.0.1:PORT+3). The list replaces the default: name this host's own too to keep "
       "reading it. On a frontend install it adds carbonapi (PORT+2), which Grafana then reads: a query front."},
      {"carbon-backends", Value::kText, "HOST[:PORT],...",
       "Relay installs (mandatory there, refused elsewhere): the go-carbon backends carbon-c-relay shards the "
       "metrics over by consistent hashing (fnv1a_ch), comma-separated; each receives carbon plaintext on PORT+1 "
       "(or :PORT). Agents then send to the relay (--carbon-server RELAY)."},
      {"carbon-server", Value::kText, "HOST[:PORT]",
       "The remote server of an agent or frontend install. Agent: collectd sends to HOST on PORT+1 "
       "(or :PORT), a go-carbon backend. Frontend: Grafana reads carbonapi at HOST on PORT+2 (or :PORT); "
       "not with --backends. Default 127.0.0.1."},
      {"hostname", Value::kText, "FQDN",
       "Host name collectd reports, reversed (host.example.domain gives domain.example.host). "
       "Default: this host's fully qualified name, as `hostname -f` prints it."},
      {"system-collectd", Value::kNone, "", "Run the collectd found in PATH with the system's plugins instead of the bundle's."},
      {"dss-home", Value::kText, "DIR",
       "A DSS data directory on this host (DIP_HOME, absolute; repeatable): collectd reports its backend, JEK, FEK "
       "and CAK processes apart, as dss_KIND-LABEL (LABEL: DIR with '/' written '_'), matching `java -Ddku.KIND "
       "... -cp DIR/bin:` as DSS's own collectd does. Without it: dss_KIND, every DSS process of the host together.",
       /*repeatable=*/true},
      {"expected-hosts", Value::kText, "N",
       "Installs with go-carbon: the number of monitored hosts whose metrics it will store (1 to 1000000; default "
       "100). go-carbon's cache, carbonserver's index and the disk figure of the summary are sized for them, "
       "along with the machine's cores and memory; each sized value is explained in conf/go-carbon.conf and "
       "conf/carbonapi.yaml."},
      {"help,h", Value::kNone, "", "Print this help and exit."},
      {"version", Value::kNone, "", "Print the version and exit."},
  };
}

/// The usage text around the flags' table ("{options}").
std::string usage_template() {
  std::ostringstream out;
  out << "Usage: installer -d DIR -p PORT [-t TYPE] [options]\n"
         "       installer -u -d DIR [--dry-run] [--new-metric-names]\n\n"
         "Installs the dkumonitor bundle this installer belongs to into DIR, for one install\n"
         "type, or (-u) points an existing install at this bundle. Writing is all-or-nothing:\n"
         "on any error DIR is left as it was. Bad input exits with status 2.\n\n"
         "{options}\nInstall types:\n";
  for (const auto& type : install::install_types()) {
    std::string name = type.name;
    name.resize(15, ' ');
    out << "  " << name << type.summary << "\n                 services: " << join(type.services, ", ")
        << (type.name == "frontend" ? " (and carbonapi with --backends)" : "") << "\n";
  }
  out << "\nMigrating an install of the original dkumonitor (0.0.x: bin/env-default, conf/supervisord.conf,\n"
         "pyenv/): installer -u -d DIR [--dry-run] [--new-metric-names]. Stop it first (DIR/bin/dkm stop).\n"
         "Its type, ports, listen addresses, servers and collectd host name are read from its configs;\n"
         "storage/ is kept byte for byte; conf/ becomes conf.orig-VERSION/; the settings that map are\n"
         "carried, and the summary says what was and what was not.\n"
         "\nResult in DIR: conf/ (rendered configs, yours to edit, never touched by -u), bin/ (dkm,\n"
         "dkmadmin, env), storage/ (whisper files, Grafana's database), run/ (pids, sockets, logs),\n"
         "static, lib and dashboards (links into the bundle). Start with DIR/bin/dkm start.\n"
         "Grafana's admin password is generated, printed once, and kept in DIR/conf/grafana.ini (0600).\n";
  return out.str();
}

}  // namespace

const cli::Program& installer_program() {
  static const cli::Program program{"installer", {}, {{"", usage_template(), installer_flags(), true}}, " (see --help)",
                                    /*abbreviations=*/false};
  return program;
}

std::string installer_usage() { return cli::help_text(installer_program(), installer_program().commands.front()); }

InstallerRequest parse_installer_command_line(const std::vector<std::string>& args) {
  cli::Invocation inv = cli::parse(installer_program(), args);
  InstallerRequest request;
  request.help = inv.has("help");
  request.version = inv.has("version");
  if (request.help || request.version) return request;
  if (!inv.operands.empty())
    throw UsageError("unexpected argument '" + inv.operands.front() + "' (every value follows its flag; see --help)");
  install::GivenFlags given;
  for (const auto& flag : installer_flags()) {
    std::string name = flag.names.substr(0, flag.names.find(','));
    if (!inv.has(name)) continue;
    if (flag.value == Value::kNone) given.emplace(name, "");
    else if (!flag.repeatable) given.emplace(name, inv.text(name));
    else
      for (const auto& text : inv.texts(name)) given.emplace(name, text);
  }
  request.options = install::check_install_flags(given);
  return request;
}

}  // namespace dkm::installer
