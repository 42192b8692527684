#pragma once
// The installer's command line: install types and their services, the flags, and
// every check that can be made before touching the disk. Bad input is a UsageError
// (exit 2) whose message names the flag at fault.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/runtime/addresses.hpp>
#include <dkm/runtime/dss_homes.hpp>
#include <dkm/runtime/hostnames.hpp>
#include <dkm/runtime/ports.hpp>

#include <boost/program_options.hpp>

#include <algorithm>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace dkm::runtime {

/// The services an install can run; also the names of their [program:NAME] sections
/// and of their template directories under templates/.
inline const std::vector<std::string>& all_services() {
  static const std::vector<std::string> services{"go-carbon", "carbonapi", "grafana", "collectd", "carbon-c-relay"};
  return services;
}

/// One install type (`-t`): its name, what it is for, and its services.
struct InstallType {
  std::string name;                   ///< the -t value
  std::string summary;                ///< one line for --help
  std::vector<std::string> services;  ///< subset of all_services(), in that order

  /// True when this type runs `service`.
  bool has(const std::string& service) const {
    return std::find(services.begin(), services.end(), service) != services.end();
  }
};

/// Every install type, the default (`all`) first.
inline const std::vector<InstallType>& install_types() {
  static const std::vector<InstallType> types{
      {"all", "everything on one host: metrics servers, Grafana and collectd", {"go-carbon", "carbonapi", "grafana", "collectd"}},
      {"agent", "collectd only, sending to a server (--carbon-server)", {"collectd"}},
      {"server", "metrics servers and Grafana, no collectd", {"go-carbon", "carbonapi", "grafana"}},
      {"backend", "metrics servers only (go-carbon and carbonapi)", {"go-carbon", "carbonapi"}},
      {"frontend", "Grafana only, reading a server's carbonapi (--carbon-server); with --backends, a query front: "
                   "Grafana and its own carbonapi over those backends", {"grafana"}},
      {"backend-agent", "metrics servers and collectd, no Grafana", {"go-carbon", "carbonapi", "collectd"}},
      {"relay", "carbon-c-relay only: one carbon address for agents, sharded over go-carbon backends "
                "(--carbon-backends) by consistent hashing", {"carbon-c-relay"}},
  };
  return types;
}

/// The install type named `name`; throws UsageError naming `flag` and the valid names.
inline const InstallType& find_install_type(const std::string& name, const std::string& flag = "-t/--type") {
  for (const auto& type : install_types())
    if (type.name == name) return type;
  std::vector<std::string> names;
  for (const auto& type : install_types()) names.push_back(type.name);
  throw UsageError(flag + ": unknown install type '" + name + "' (expected one of: " + join(names, ", ") + ")");
}

/// The services an install of `type` runs, in all_services() order: the type's own, plus
/// carbonapi for a frontend that queries backends itself (`--backends`, a query front).
inline std::vector<std::string> install_services(const InstallType& type, bool query_front) {
  std::vector<std::string> out;
  for (const auto& service : all_services())
    if (type.has(service) || (query_front && type.name == "frontend" && service == "carbonapi")) out.push_back(service);
  return out;
}

/// Everything the command line asked for, checked.
struct InstallOptions {
  bool help = false;                     ///< --help: print usage, do nothing
  bool version = false;                  ///< --version: print the version, do nothing
  bool update = false;                   ///< -u: relink an existing install to this bundle (or migrate an original one)
  bool dry_run = false;                  ///< --dry-run (with -u): print what it would do, change nothing
  bool new_metric_names = false;         ///< --new-metric-names (with -u, migrating): collectd's host as one node
  fs::path directory;                    ///< -d: the install directory (absolute, normalised)
  std::optional<PortPlan> ports;         ///< -p: the port plan (install mode only)
  const InstallType* type = nullptr;     ///< -t: the install type (install mode only)
  std::vector<std::string> services;     ///< what the install runs (install_services: the type's, maybe carbonapi)
  IpAddress carbon_listen;               ///< --carbon-listen: go-carbon's plaintext TCP/UDP address
  IpAddress carbonapi_listen;            ///< --carbonapi-listen: carbonapi's address
  IpAddress carbonserver_listen;         ///< --carbonserver-listen: go-carbon's carbonserver address
  int carbonserver_port = 0;             ///< --carbonserver-listen's port (default PORT+3)
  std::optional<std::string> hostname;   ///< --hostname: FQDN to reverse for collectd (default: this host's)
  bool system_collectd = false;          ///< --system-collectd: collectd from PATH, system plugins
  std::optional<Endpoint> carbon_server; ///< --carbon-server: remote server (port 0 = the plan's)
  std::vector<Endpoint> backends;        ///< --backends: carbonserver endpoints carbonapi reads (default: local)
  std::vector<Endpoint> carbon_backends; ///< --carbon-backends: go-carbon carbon endpoints a relay shards over
  std::vector<DssHome> dss_homes;        ///< --dss-home: DSS data directories whose processes collectd tells apart
};

/// Characters a path may hold to be written unquoted into every config format the
/// bundle renders (INI, TOML, YAML, collectd, supervisord commands split on spaces).
inline std::string path_problem(const std::string& path) {
  for (char c : path) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || std::string_view("/._-+@,:=~").find(c) != std::string_view::npos;
    if (!ok) {
      std::string shown = std::isprint(static_cast<unsigned char>(c)) ? std::string(1, c) : "\\x" + std::to_string(static_cast<unsigned char>(c));
      return "it contains '" + shown + "', which the configs cannot carry (use letters, digits and / . _ - + @ , : = ~)";
    }
  }
  return {};
}

/// The flags of the installer, for Boost.Program_options and --help.
inline boost::program_options::options_description installer_flags() {
  namespace po = boost::program_options;
  po::options_description desc("Options");
  desc.add_options()
      ("directory,d", po::value<std::string>()->value_name("DIR"),
       "The install directory (mandatory). Created if absent; must not hold an install yet (see -u).")
      ("port,p", po::value<std::string>()->value_name("PORT"),
       "First of the ten ports the install uses (mandatory except with -u): Grafana on PORT, carbon "
       "(plaintext, TCP and UDP) on PORT+1, carbonapi on PORT+2, go-carbon's carbonserver on PORT+3, "
       "PORT+4 to PORT+9 reserved for internal listeners.")
      ("type,t", po::value<std::string>()->value_name("TYPE"),
       "Install type: all (default), agent, server, backend, frontend, backend-agent or relay (see below).")
      ("update,u", "Update mode: relink DIR/bin, DIR/static, DIR/lib and DIR/dashboards to this bundle and "
       "refresh DIR/bin/env. Takes only -d (and --dry-run); conf/ and storage/ are left untouched. On an install "
       "made by the original dkumonitor, migrates it in place (see below).")
      ("dry-run", "With -u: print what the update or migration would do (kept, converted, carried, not carried, "
       "removed) and change nothing; exit status 2 when it would be refused.")
      ("new-metric-names", "With -u, migrating an original install: collectd writes the host name as one node "
       "(collectd.domain_example_host...), as new installs do, instead of the original's dotted names "
       "(collectd.domain.example.host...); the host's history stays under the old names.")
      ("carbon-listen", po::value<std::string>()->value_name("IP"),
       "IP address go-carbon's plaintext receiver (TCP and UDP) listens on (a relay install's carbon-c-relay, "
       "too). Default 0.0.0.0.")
      ("carbonapi-listen", po::value<std::string>()->value_name("IP"),
       "IP address carbonapi listens on. Default 0.0.0.0.")
      ("carbonserver-listen", po::value<std::string>()->value_name("IP[:PORT]"),
       "Address of go-carbon's carbonserver, which carbonapi reads. Default 127.0.0.1:PORT+3; give a reachable "
       "address when another host's carbonapi reads this backend.")
      ("backends", po::value<std::string>()->value_name("HOST:PORT,..."),
       "The go-carbon carbonserver endpoints carbonapi queries and merges, comma-separated (default: this "
       "install's own, 127.0.0.1:PORT+3). The list replaces the default: name this host's own too to keep "
       "reading it. On a frontend install it adds carbonapi (PORT+2), which Grafana then reads: a query front.")
      ("carbon-backends", po::value<std::string>()->value_name("HOST[:PORT],..."),
       "Relay installs (mandatory there, refused elsewhere): the go-carbon backends carbon-c-relay shards the "
       "metrics over by consistent hashing (fnv1a_ch), comma-separated; each receives carbon plaintext on PORT+1 "
       "(or :PORT). Agents then send to the relay (--carbon-server RELAY).")
      ("carbon-server", po::value<std::string>()->value_name("HOST[:PORT]"),
       "The remote server of an agent or frontend install. Agent: collectd sends to HOST on PORT+1 "
       "(or :PORT), a go-carbon backend. Frontend: Grafana reads carbonapi at HOST on PORT+2 (or :PORT); "
       "not with --backends. Default 127.0.0.1.")
      ("hostname", po::value<std::string>()->value_name("FQDN"),
       "Host name collectd reports, reversed (host.example.domain gives domain.example.host). "
       "Default: this host's fully qualified name, as `hostname -f` prints it.")
      ("system-collectd", "Run the collectd found in PATH with the system's plugins instead of the bundle's.")
      ("dss-home", po::value<std::vector<std::string>>()->value_name("DIR"),
       "A DSS data directory on this host (DIP_HOME, absolute; repeatable): collectd reports its backend, JEK, FEK "
       "and CAK processes apart, as dss_KIND-LABEL (LABEL: DIR with '/' written '_'), matching `java -Ddku.KIND "
       "... -cp DIR/bin:` as DSS's own collectd does. Without it: dss_KIND, every DSS process of the host together.")
      ("help,h", "Print this help and exit.")
      ("version", "Print the version and exit.");
  return desc;
}

/// The --help text.
inline std::string installer_usage() {
  std::ostringstream out;
  out << "Usage: installer -d DIR -p PORT [-t TYPE] [options]\n"
         "       installer -u -d DIR [--dry-run] [--new-metric-names]\n\n"
         "Installs the dkumonitor bundle this installer belongs to into DIR, for one install\n"
         "type, or (-u) points an existing install at this bundle. Writing is all-or-nothing:\n"
         "on any error DIR is left as it was. Bad input exits with status 2.\n\n"
      << installer_flags() << "\nInstall types:\n";
  for (const auto& type : install_types()) {
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

namespace detail {

/// Wraps Boost.Program_options' errors into UsageError (they name the flag already).
inline boost::program_options::variables_map parse_flags(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::variables_map vm;
  const po::options_description flags = installer_flags();  // parsed_options points into it
  try {
    po::parsed_options parsed = po::command_line_parser(args)
                                    .options(flags)
                                    .style(po::command_line_style::unix_style ^ po::command_line_style::allow_guessing)
                                    .run();
    for (const auto& extra : po::collect_unrecognized(parsed.options, po::include_positional))
      throw UsageError("unexpected argument '" + extra + "' (every value follows its flag; see --help)");
    po::store(parsed, vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(e.what() + std::string(" (see --help)"));
  }
  return vm;
}

/// The flag's name as users type it: "-p/--port" for flags with a short form.
inline std::string flag_name(const std::string& long_name) {
  static const std::vector<std::pair<std::string, std::string>> shorts{
      {"directory", "-d"}, {"port", "-p"}, {"type", "-t"}, {"update", "-u"}};
  for (const auto& [l, s] : shorts)
    if (l == long_name) return s + "/--" + l;
  return "--" + long_name;
}

}  // namespace detail

/// Parses and checks the installer's arguments (without argv[0]). Checks values and
/// their combinations; the directory's state is checked by the installer itself.
inline InstallOptions parse_install_options(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::variables_map vm = detail::parse_flags(args);
  InstallOptions opt;
  opt.help = vm.count("help") > 0;
  opt.version = vm.count("version") > 0;
  if (opt.help || opt.version) return opt;
  auto text = [&](const char* name) { return vm[name].as<std::string>(); };

  opt.update = vm.count("update") > 0;
  if (!vm.count("directory")) throw UsageError("-d/--directory is missing: say where to install (see --help)");
  std::string dir = text("directory");
  if (trim(dir).empty()) throw UsageError("-d/--directory: the directory name is empty");
  opt.directory = fs::absolute(dir).lexically_normal();
  if (!opt.directory.has_filename()) opt.directory = opt.directory.parent_path();
  if (opt.directory == opt.directory.root_path())
    throw UsageError("-d/--directory: '" + dir + "' is the root directory; give a directory of its own");
  if (std::string why = path_problem(opt.directory.string()); !why.empty())
    throw UsageError("-d/--directory: '" + opt.directory.string() + "': " + why);

  if (opt.update) {
    for (const auto& [name, value] : vm) {
      if (name == "update" || name == "directory" || name == "dry-run" || name == "new-metric-names" ||
          value.defaulted())
        continue;
      throw UsageError("-u/--update takes only -d/--directory (and --dry-run, --new-metric-names): " +
                       detail::flag_name(name) + " is not allowed in update mode (an update never changes conf/)");
    }
    opt.dry_run = vm.count("dry-run") > 0;
    opt.new_metric_names = vm.count("new-metric-names") > 0;
    return opt;
  }
  for (const char* only_update : {"dry-run", "new-metric-names"})
    if (vm.count(only_update))
      throw UsageError(detail::flag_name(only_update) + " goes with -u/--update (updating or migrating an install)");

  if (!vm.count("port")) throw UsageError("-p/--port is missing: give the first of the ten ports to use (see --help)");
  opt.ports = parse_port_plan(text("port"));
  opt.type = &find_install_type(vm.count("type") ? text("type") : "all");
  const InstallType& type = *opt.type;

  bool query_front = type.name == "frontend" && vm.count("backends");
  opt.services = install_services(type, query_front);
  auto runs = [&](const std::string& service) {
    return std::find(opt.services.begin(), opt.services.end(), service) != opt.services.end();
  };

  // A flag that does nothing for this install type is a mistake worth reporting.
  auto require_service = [&](const char* flag, const std::string& service, const std::string& what) {
    if (vm.count(flag) && !runs(service))
      throw UsageError(detail::flag_name(flag) + " " + what + ", but a " + type.name + " install runs no " + service +
                       " (its services: " + join(opt.services, ", ") + ")" +
                       (type.name == "frontend" && service == "carbonapi" ? "; a frontend runs carbonapi when given --backends"
                                                                           : ""));
  };
  if (vm.count("carbon-listen") && !runs("carbon-c-relay"))
    require_service("carbon-listen", "go-carbon", "sets go-carbon's listening address");
  require_service("carbon-backends", "carbon-c-relay", "lists the backends carbon-c-relay shards over");
  if (runs("carbon-c-relay") && !vm.count("carbon-backends"))
    throw UsageError("--carbon-backends is missing: a relay install needs the go-carbon backends it shards the metrics "
                     "over (HOST[:PORT],...; see --help)");
  require_service("carbonserver-listen", "go-carbon", "sets go-carbon's carbonserver address");
  require_service("carbonapi-listen", "carbonapi", "sets carbonapi's listening address");
  require_service("backends", "carbonapi", "lists the backends carbonapi reads");
  require_service("hostname", "collectd", "names the host in collectd's metrics");
  require_service("system-collectd", "collectd", "chooses the collectd to run");
  require_service("dss-home", "collectd", "names DSS data directories whose processes collectd watches");
  if (vm.count("carbon-server") && type.name != "agent" && type.name != "frontend")
    throw UsageError("--carbon-server points an agent or frontend install at a remote server; a " + type.name +
                     " install uses its own (use -t agent or -t frontend)");
  if (vm.count("carbon-server") && query_front)
    throw UsageError("--carbon-server and --backends both say what a frontend's Grafana reads: --carbon-server a remote "
                     "carbonapi, --backends the backends of a carbonapi of its own; give one of them");

  opt.carbon_listen = vm.count("carbon-listen") ? parse_ip(text("carbon-listen"), "--carbon-listen") : to_ip("0.0.0.0");
  opt.carbonapi_listen =
      vm.count("carbonapi-listen") ? parse_ip(text("carbonapi-listen"), "--carbonapi-listen") : to_ip("0.0.0.0");
  opt.carbonserver_listen = to_ip("127.0.0.1");
  opt.carbonserver_port = opt.ports->carbonserver();
  if (vm.count("carbonserver-listen")) {
    Endpoint e = parse_endpoint(text("carbonserver-listen"), opt.ports->carbonserver(), "--carbonserver-listen");
    opt.carbonserver_listen = parse_ip(e.host, "--carbonserver-listen");
    opt.carbonserver_port = e.port;
    int offset = e.port - opt.ports->base();
    if (offset >= 0 && offset < kPortSpan && e.port != opt.ports->carbonserver())
      throw UsageError("--carbonserver-listen: port " + std::to_string(e.port) + " is PORT+" + std::to_string(offset) +
                       ", planned for another listener; carbonserver belongs on PORT+3 (" +
                       std::to_string(opt.ports->carbonserver()) + ") or outside the ten ports");
  }
  if (vm.count("backends")) {
    for (const auto& item : split(text("backends"), ',')) {
      if (trim(item).empty()) throw UsageError("--backends: empty entry in '" + text("backends") + "'");
      Endpoint backend = parse_destination(item, 0, "--backends");
      for (const auto& known : opt.backends)
        if (same_endpoint(known, backend))
          throw UsageError("--backends: " + backend.str() + " is listed twice (carbonapi would ask it twice)");
      if (is_loopback(backend.host) && backend.port != opt.carbonserver_port) {
        int offset = backend.port - opt.ports->base();
        if (offset >= 0 && offset < kPortSpan)
          throw UsageError("--backends: " + backend.str() + " is this install's own PORT+" + std::to_string(offset) +
                           ", not its carbonserver (" + std::to_string(opt.carbonserver_port) +
                           "); a backend is read on its carbonserver port, PORT+3");
      }
      opt.backends.push_back(backend);
    }
  }
  if (vm.count("carbon-backends")) {
    for (const auto& item : split(text("carbon-backends"), ',')) {
      if (trim(item).empty()) throw UsageError("--carbon-backends: empty entry in '" + text("carbon-backends") + "'");
      Endpoint backend = parse_destination(item, opt.ports->carbon(), "--carbon-backends");
      for (const auto& known : opt.carbon_backends)
        if (same_endpoint(known, backend))
          throw UsageError("--carbon-backends: " + backend.str() +
                           " is listed twice (consistent hashing would give it twice the share)");
      int offset = backend.port - opt.ports->base();
      if (is_loopback(backend.host) && offset >= 0 && offset < kPortSpan)
        throw UsageError("--carbon-backends: " + backend.str() + " is this install's own PORT+" + std::to_string(offset) +
                         (offset == 1 ? ", where the relay itself listens: it would send every metric to itself"
                                      : ", not a go-carbon") +
                         "; give the backends' addresses");
      opt.carbon_backends.push_back(backend);
    }
  }
  if (vm.count("hostname")) {
    check_hostname(text("hostname"), "--hostname");
    opt.hostname = text("hostname");
  }
  opt.system_collectd = vm.count("system-collectd") > 0;
  if (vm.count("dss-home")) opt.dss_homes = parse_dss_homes(vm["dss-home"].as<std::vector<std::string>>(), path_problem);
  if (vm.count("carbon-server")) opt.carbon_server = parse_destination(text("carbon-server"), -1, "--carbon-server");
  return opt;
}

}  // namespace dkm::runtime
