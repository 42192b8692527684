// The installer's flags, checked: install types, directory, ports, addresses, backends.
#include <dkm/install/options.hpp>

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/install/hostnames.hpp>
#include <dkm/install/sizing.hpp>

#include <algorithm>
#include <cctype>
#include <climits>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace dkm::install {

const std::vector<std::string>& all_services() {
  static const std::vector<std::string> services{"go-carbon", "carbonapi", "grafana", "collectd", "carbon-c-relay"};
  return services;
}

const std::vector<InstallType>& install_types() {
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

const InstallType& find_install_type(const std::string& name, const std::string& flag) {
  for (const auto& type : install_types())
    if (type.name == name) return type;
  std::vector<std::string> names;
  for (const auto& type : install_types()) names.push_back(type.name);
  throw UsageError(flag + ": unknown install type '" + name + "' (expected one of: " + join(names, ", ") + ")");
}

std::vector<std::string> install_services(const InstallType& type, bool query_front) {
  std::vector<std::string> out;
  for (const auto& service : all_services())
    if (type.has(service) || (query_front && type.name == "frontend" && service == "carbonapi")) out.push_back(service);
  return out;
}

std::string flag_name(const std::string& long_name) {
  static const std::vector<std::pair<std::string, std::string>> shorts{
      {"directory", "-d"}, {"port", "-p"}, {"type", "-t"}, {"update", "-u"}};
  for (const auto& [l, s] : shorts)
    if (l == long_name) return s + "/--" + l;
  return "--" + long_name;
}

std::string path_problem(const std::string& path) {
  if (path.size() >= PATH_MAX) return "it is " + std::to_string(path.size()) + " characters long, more than a path may have";
  for (const auto& name : split(path, '/'))
    if (name.size() > NAME_MAX)
      return "its name '" + name + "' is " + std::to_string(name.size()) + " characters long, more than the " +
             std::to_string(NAME_MAX) + " a file name may have";
  for (char c : path) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || std::string_view("/._-+@,:=~").find(c) != std::string_view::npos;
    if (!ok) {
      std::string shown = std::isprint(static_cast<unsigned char>(c)) ? std::string(1, c) : "\\x" + std::to_string(static_cast<unsigned char>(c));
      return "it contains '" + shown + "', which the configs cannot carry (use letters, digits and / . _ - + @ , : = ~)";
    }
  }
  return {};
}

namespace {

/// The value of a given flag.
const std::string& value(const GivenFlags& given, const char* name) { return given.find(name)->second; }

/// Every value of a repeatable flag, in the order given.
std::vector<std::string> values(const GivenFlags& given, const char* name) {
  std::vector<std::string> out;
  for (auto [it, end] = given.equal_range(name); it != end; ++it) out.push_back(it->second);
  return out;
}

/// -d: absolute, normalised, not the root, and writable into every config.
fs::path check_directory(const GivenFlags& given) {
  if (!given.count("directory")) throw UsageError("-d/--directory is missing: say where to install (see --help)");
  const std::string& dir = value(given, "directory");
  if (trim(dir).empty()) throw UsageError("-d/--directory: the directory name is empty");
  fs::path directory = fs::absolute(dir).lexically_normal();
  if (!directory.has_filename()) directory = directory.parent_path();
  if (directory == directory.root_path())
    throw UsageError("-d/--directory: '" + dir + "' is the root directory; give a directory of its own");
  if (std::string why = path_problem(directory.string()); !why.empty())
    throw UsageError("-d/--directory: '" + directory.string() + "': " + why);
  return directory;
}

/// A flag that does nothing for this install type is a mistake worth reporting.
void check_flags_fit_type(const GivenFlags& given, const InstallOptions& opt, bool query_front) {
  const InstallType& type = *opt.type;
  auto require_service = [&](const char* flag, const std::string& service, const std::string& what) {
    if (given.count(flag) && !opt.runs(service))
      throw UsageError(flag_name(flag) + " " + what + ", but a " + type.name + " install runs no " + service +
                       " (its services: " + join(opt.services, ", ") + ")" +
                       (type.name == "frontend" && service == "carbonapi" ? "; a frontend runs carbonapi when given --backends"
                                                                           : ""));
  };
  if (given.count("carbon-listen") && !opt.runs("carbon-c-relay"))
    require_service("carbon-listen", "go-carbon", "sets go-carbon's listening address");
  require_service("carbon-backends", "carbon-c-relay", "lists the backends carbon-c-relay shards over");
  if (opt.runs("carbon-c-relay") && !given.count("carbon-backends"))
    throw UsageError("--carbon-backends is missing: a relay install needs the go-carbon backends it shards the metrics "
                     "over (HOST[:PORT],...; see --help)");
  require_service("carbonserver-listen", "go-carbon", "sets go-carbon's carbonserver address");
  require_service("carbonapi-listen", "carbonapi", "sets carbonapi's listening address");
  require_service("backends", "carbonapi", "lists the backends carbonapi reads");
  require_service("hostname", "collectd", "names the host in collectd's metrics");
  require_service("system-collectd", "collectd", "chooses the collectd to run");
  require_service("dss-home", "collectd", "names DSS data directories whose processes collectd watches");
  require_service("expected-hosts", "go-carbon", "sizes go-carbon for the hosts whose metrics it stores");
  if (given.count("carbon-server") && type.name != "agent" && type.name != "frontend")
    throw UsageError("--carbon-server points an agent or frontend install at a remote server; a " + type.name +
                     " install uses its own (use -t agent or -t frontend)");
  if (given.count("carbon-server") && query_front)
    throw UsageError("--carbon-server and --backends both say what a frontend's Grafana reads: --carbon-server a remote "
                     "carbonapi, --backends the backends of a carbonapi of its own; give one of them");
}

/// The listen addresses, carbonserver's port included.
void resolve_listeners(const GivenFlags& given, InstallOptions& opt) {
  opt.carbon_listen = given.count("carbon-listen") ? parse_ip(value(given, "carbon-listen"), "--carbon-listen") : to_ip("0.0.0.0");
  opt.carbonapi_listen =
      given.count("carbonapi-listen") ? parse_ip(value(given, "carbonapi-listen"), "--carbonapi-listen") : to_ip("0.0.0.0");
  opt.carbonserver_listen = to_ip("127.0.0.1");
  opt.carbonserver_port = opt.ports->carbonserver();
  if (!given.count("carbonserver-listen")) return;
  Endpoint e = parse_endpoint(value(given, "carbonserver-listen"), opt.ports->carbonserver(), "--carbonserver-listen");
  opt.carbonserver_listen = parse_ip(e.host, "--carbonserver-listen");
  opt.carbonserver_port = e.port;
  int offset = e.port - opt.ports->base();
  if (offset >= 0 && offset < kPortSpan && e.port != opt.ports->carbonserver())
    throw UsageError("--carbonserver-listen: port " + std::to_string(e.port) + " is PORT+" + std::to_string(offset) +
                     ", planned for another listener; carbonserver belongs on PORT+3 (" +
                     std::to_string(opt.ports->carbonserver()) + ") or outside the ten ports");
}

/// --backends: carbonserver endpoints, each once, none of this install's other ports.
std::vector<Endpoint> parse_backends(const std::string& list, const InstallOptions& opt) {
  std::vector<Endpoint> backends;
  for (const auto& item : split(list, ',')) {
    if (trim(item).empty()) throw UsageError("--backends: empty entry in '" + list + "'");
    Endpoint backend = parse_destination(item, 0, "--backends");
    for (const auto& known : backends)
      if (same_endpoint(known, backend))
        throw UsageError("--backends: " + backend.str() + " is listed twice (carbonapi would ask it twice)");
    if (is_loopback(backend.host) && backend.port != opt.carbonserver_port) {
      int offset = backend.port - opt.ports->base();
      if (offset >= 0 && offset < kPortSpan)
        throw UsageError("--backends: " + backend.str() + " is this install's own PORT+" + std::to_string(offset) +
                         ", not its carbonserver (" + std::to_string(opt.carbonserver_port) +
                         "); a backend is read on its carbonserver port, PORT+3");
    }
    backends.push_back(backend);
  }
  return backends;
}

/// --carbon-backends: go-carbon carbon endpoints (PORT+1 unless told), each once, not this install.
std::vector<Endpoint> parse_carbon_backends(const std::string& list, const InstallOptions& opt) {
  std::vector<Endpoint> backends;
  for (const auto& item : split(list, ',')) {
    if (trim(item).empty()) throw UsageError("--carbon-backends: empty entry in '" + list + "'");
    Endpoint backend = parse_destination(item, opt.ports->carbon(), "--carbon-backends");
    for (const auto& known : backends)
      if (same_endpoint(known, backend))
        throw UsageError("--carbon-backends: " + backend.str() +
                         " is listed twice (consistent hashing would give it twice the share)");
    int offset = backend.port - opt.ports->base();
    if (is_loopback(backend.host) && offset >= 0 && offset < kPortSpan)
      throw UsageError("--carbon-backends: " + backend.str() + " is this install's own PORT+" + std::to_string(offset) +
                       (offset == 1 ? ", where the relay itself listens: it would send every metric to itself"
                                    : ", not a go-carbon") +
                       "; give the backends' addresses");
    backends.push_back(backend);
  }
  return backends;
}

}  // namespace

int parse_expected_hosts(const std::string& text, int most) {
  std::string_view t = trim(text);
  bool digits = !t.empty() && t.size() <= 9 && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
  int hosts = digits ? std::stoi(std::string(t)) : 0;
  if (!digits || hosts < 1 || hosts > most)
    throw UsageError("--expected-hosts: '" + text + "' is not a number of hosts from 1 to " + std::to_string(most) +
                     " (the hosts whose metrics this install stores)");
  return hosts;
}

GivenFlags given_flags(const std::vector<std::string>& args) {
  static const std::map<std::string, std::string> short_names = {{"-d", "directory"}, {"-p", "port"}, {"-t", "type"},
                                                                 {"-u", "update"}};
  static const std::set<std::string> switches = {"update", "system-collectd", "dry-run", "new-metric-names"};
  GivenFlags given;
  for (size_t i = 0; i < args.size(); ++i) {
    auto known = short_names.find(args[i]);
    std::string name = known != short_names.end() ? known->second
                       : args[i].rfind("--", 0) == 0 ? args[i].substr(2)
                                                     : throw UsageError("'" + args[i] + "' is no installer flag");
    if (switches.count(name)) {
      given.emplace(name, "");
      continue;
    }
    if (i + 1 == args.size()) throw UsageError(flag_name(name) + " needs a value");
    given.emplace(name, args[++i]);
  }
  return given;
}

InstallOptions check_install_flags(const GivenFlags& given) {
  InstallOptions opt;
  opt.update = given.count("update") > 0;
  opt.directory = check_directory(given);
  if (opt.update) {
    for (const auto& [name, v] : given) {
      if (name == "update" || name == "directory" || name == "dry-run" || name == "new-metric-names") continue;
      throw UsageError("-u/--update takes only -d/--directory (and --dry-run, --new-metric-names): " + flag_name(name) +
                       " is not allowed in update mode (an update never changes conf/)");
    }
    opt.dry_run = given.count("dry-run") > 0;
    opt.new_metric_names = given.count("new-metric-names") > 0;
    return opt;
  }
  for (const char* only_update : {"dry-run", "new-metric-names"})
    if (given.count(only_update))
      throw UsageError(flag_name(only_update) + " goes with -u/--update (updating or migrating an install)");
  if (!given.count("port")) throw UsageError("-p/--port is missing: give the first of the ten ports to use (see --help)");
  opt.ports = parse_port_plan(value(given, "port"));
  opt.type = &find_install_type(given.count("type") ? value(given, "type") : "all");
  bool query_front = opt.type->name == "frontend" && given.count("backends");
  opt.services = install_services(*opt.type, query_front);
  check_flags_fit_type(given, opt, query_front);
  resolve_listeners(given, opt);
  if (given.count("backends")) opt.backends = parse_backends(value(given, "backends"), opt);
  if (given.count("carbon-backends")) opt.carbon_backends = parse_carbon_backends(value(given, "carbon-backends"), opt);
  if (given.count("hostname")) {
    check_hostname(value(given, "hostname"), "--hostname");
    opt.hostname = value(given, "hostname");
  }
  opt.system_collectd = given.count("system-collectd") > 0;
  if (given.count("dss-home")) opt.dss_homes = parse_dss_homes(values(given, "dss-home"), path_problem);
  if (given.count("carbon-server")) opt.carbon_server = parse_destination(value(given, "carbon-server"), -1, "--carbon-server");
  if (given.count("expected-hosts")) opt.expected_hosts = parse_expected_hosts(value(given, "expected-hosts"), kMaxExpectedHosts);
  return opt;
}

}  // namespace dkm::install
