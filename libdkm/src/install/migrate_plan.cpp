// Planning a migration: see migrate_plan.hpp. The carried settings are in migrate_carry.cpp.
#include <dkm/install/migrate_plan.hpp>

#include <dkm/core/strings.hpp>
#include <dkm/install/addresses.hpp>
#include <dkm/install/hostnames.hpp>
#include <dkm/install/options.hpp>

#include <algorithm>
#include <sstream>

namespace dkm::install {

namespace {

const std::vector<std::string>& original_programs() {
  static const std::vector<std::string> names{"go-carbon", "carbonapi", "grafana-server", "collectd"};
  return names;
}

std::string conf_path(const OriginalInstall& o, const std::string& rel) { return (o.dir / "conf" / rel).string(); }

std::string human_bytes(std::uint64_t bytes) {
  std::ostringstream out;
  if (bytes >= (1ull << 30)) out << (bytes >> 20) / 1024.0 << " GiB";
  else if (bytes >= (1ull << 20)) out << bytes / (1024.0 * 1024.0) << " MiB";
  else out << bytes / 1024.0 << " KiB";
  return out.str();
}

/// The port a listener of the original has, checked against the plan; a note when it strays.
void check_port(const std::optional<ListenAddress>& listen, int planned, const std::string& what, MigrationPlan& out) {
  if (!listen || listen->port == planned) return;
  out.not_carried.push_back({what + " port " + std::to_string(listen->port),
                             listen->where + " is not on the port plan: the migrated install listens on " +
                                 std::to_string(planned) + "; whatever sent to " + std::to_string(listen->port) +
                                 " must change"});
}

/// -t, the listen flags, --backends: what the original's go-carbon and carbonapi configs say.
void add_server_args(const OriginalInstall& o, const InstallType& type, const PortPlan& ports,
                     std::vector<std::string>& args, MigrationPlan& out) {
  if (type.has("go-carbon")) {
    std::string ip = o.carbon_tcp ? o.carbon_tcp->ip : "0.0.0.0";
    args.insert(args.end(), {"--carbon-listen", ip});
    out.converted.push_back({"carbon", host_port(ip, ports.carbon()) + " TCP and UDP, as go-carbon.conf [tcp] listen said"});
    check_port(o.carbon_tcp, ports.carbon(), "go-carbon [tcp]", out);
    check_port(o.carbon_udp, ports.carbon(), "go-carbon [udp]", out);
    if (o.carbon_udp && o.carbon_tcp && o.carbon_udp->ip != o.carbon_tcp->ip)
      out.not_carried.push_back({"go-carbon [udp] listen " + o.carbon_udp->ip,
                                 "UDP now listens where TCP does, " + ip + " (one address for both)"});
    if (o.carbonserver) {
      bool inside = o.carbonserver->port >= ports.base() && o.carbonserver->port <= ports.last();
      int port = inside ? ports.carbonserver() : o.carbonserver->port;
      if (inside) check_port(o.carbonserver, ports.carbonserver(), "go-carbon [carbonserver]", out);
      args.insert(args.end(), {"--carbonserver-listen", host_port(o.carbonserver->ip, port)});
      out.converted.push_back({"carbonserver", host_port(o.carbonserver->ip, port) + ", as go-carbon.conf said"});
    }
    if (o.tags_enabled)
      out.not_carried.push_back({"go-carbon [tags] enabled", "the bundle runs no tag database: tagged series are not indexed"});
  }
  if (type.has("carbonapi")) {
    std::string ip = o.carbonapi ? o.carbonapi->ip : "0.0.0.0";
    args.insert(args.end(), {"--carbonapi-listen", ip});
    out.converted.push_back({"carbonapi", host_port(ip, ports.carbonapi()) + ", as carbonapi.yml listen said"});
    check_port(o.carbonapi, ports.carbonapi(), "carbonapi", out);
    std::vector<std::string> backends;
    for (const auto& url : o.carbonapi_backends) backends.push_back(url.substr(url.find("://") == std::string::npos ? 0 : url.find("://") + 3));
    for (auto& b : backends)
      if (!b.empty() && b.back() == '/') b.pop_back();
    std::string own = "127.0.0.1:" + std::to_string(ports.carbonserver());
    if (!backends.empty() && !(backends.size() == 1 && backends[0] == own)) {
      args.insert(args.end(), {"--backends", join(backends, ",")});
      out.converted.push_back({"carbonapi backends", join(backends, ", ") + ", as carbonapi.yml upstreams.backends said"});
    }
    if (o.carbonapi_other_upstreams)
      out.not_carried.push_back({"carbonapi.yml upstreams", "only its `backends` list is read; the rest (backendsv2, "
                                                            "zippers...) is in " + out.conf_orig + "/carbonapi.yml"});
  }
}

/// --hostname, --system-collectd, and an agent's --carbon-server: what collectd's config says.
void add_collectd_args(const OriginalInstall& o, const InstallType& type, const PortPlan& ports, const MigrationFacts& facts,
                       std::vector<std::string>& args, MigrationPlan& out) {
  if (!type.has("collectd")) return;
  std::string name = o.collectd_hostname;  // reversed already, as collectd reports it
  if (name.empty()) {
    name = facts.host.fqdn;  // no Hostname: collectd used the FQDN as it is
    out.notes.push_back({"collectd host name", "collectd.conf names none: the original reported this host's FQDN, " + name});
  } else if (std::string why = hostname_problem(name); !why.empty()) {
    throw UsageError(at_line(conf_path(o, "collectd.conf"), o.collectd_hostname_line,
                             "Hostname '" + name + "' is not a host name this bundle's collectd accepts: " + why));
  }
  args.insert(args.end(), {"--hostname", reverse_hostname(name)});  // the installer reverses it back
  out.converted.push_back({"collectd host name", name + ", as collectd.conf said"});
  if (o.system_collectd) {
    args.push_back("--system-collectd");
    out.converted.push_back({"collectd program", "the system's collectd (found in PATH), as supervisord.conf ran it"});
  }
  if (type.name != "agent") return;
  Endpoint target{o.collectd_target_host, o.collectd_target_port.value_or(ports.carbon())};
  args.insert(args.end(), {"--carbon-server", target.port == ports.carbon() ? target.host : target.str()});
  out.converted.push_back({"carbon server", target.str() + ", where collectd.d/write_graphite.conf sent"});
  if (o.collectd_nodes > 1)
    out.not_carried.push_back({"write_graphite Nodes", std::to_string(o.collectd_nodes - 1) +
                                                           " more than the first: the migrated collectd sends to one server"});
}

/// A frontend's --carbon-server: the URL of the datasource the original provisioned.
void add_frontend_args(const OriginalInstall& o, const InstallType& type, const PortPlan& ports,
                       std::vector<std::string>& args, MigrationPlan& out) {
  if (type.name != "frontend") return;
  std::string url = o.grafana_datasource_url;
  std::string rest = url.substr(url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
  rest = rest.substr(0, rest.find('/'));
  Endpoint server;
  try {
    server = parse_destination(rest, ports.carbonapi(), "datasource url");
  } catch (const UsageError&) {
    out.not_carried.push_back({"Grafana's datasource url '" + url + "'", "not an http://HOST:PORT URL: Grafana reads 127.0.0.1"});
    return;
  }
  args.insert(args.end(), {"--carbon-server", server.port == ports.carbonapi() ? server.host : server.str()});
  out.converted.push_back({"carbon server", server.str() + " (carbonapi), where Grafana's provisioned datasource read"});
}

/// The summary's lines about what is kept, moved and removed.
void list_kept_moved_removed(const OriginalInstall& o, const MigrationFacts& facts, MigrationPlan& out) {
  out.kept.push_back({"storage/", "byte for byte: " + std::to_string(facts.whisper_files) + " whisper files (" +
                                      human_bytes(facts.whisper_bytes) + ")" +
                                      (facts.grafana_database ? ", Grafana's database, plugins and sessions" : "")});
  fs::path rel = o.whisper_dir.lexically_relative(o.dir / "storage");
  if (rel.empty() || *rel.begin() == "..")
    out.kept.push_back({o.whisper_dir.string(), "the whisper tree, read where it is"});
  out.kept.push_back({"run/", "the original's logs"});
  out.moved.push_back({"conf/", out.conf_orig + "/ (as it was)"});
  if (o.env_default) out.moved.push_back({"bin/env-default", out.conf_orig + "/env-default"});
  if (o.env_site) out.moved.push_back({"bin/env-site", out.conf_orig + "/env-site"});
  if (o.has_pyenv) out.removed.push_back({"pyenv/", "the original's Python 2.7 virtualenv (supervisord)"});
  for (const auto& link : o.links)
    out.removed.push_back({link, link == "bin/dkumonitor" ? "link to the original's bin/dkm"
                                                          : "link into the original's bundle; this bundle's takes its place"});
  if (o.dashboards_dir)
    out.removed.push_back({"dashboards/", "a directory" + std::string(o.dashboard_files.empty() ? " (no dashboard)" : " (its dashboards carried)") +
                                              "; a link to this bundle's dashboards takes its place"});
  if (!o.recorded_home.empty() && o.recorded_home.lexically_normal() != o.dir)
    out.notes.push_back({"install directory", "installed as " + o.recorded_home.string() + ", migrated in " + o.dir.string()});
  for (const auto& b : facts.boot)
    out.notes.push_back({"boot service " + b.service, b.file.string() + " (the original's) starts " + (o.dir / "bin/dkm").string() +
                                                        ", now this bundle's dkm; replace it with this bundle's: " +
                                                        (o.dir / "bin/dkmadmin").string() + " install-boot" +
                                                        (b.service == "dkumonitor" ? "" : " --name " + b.service.substr(11)) +
                                                        " (as root)"});
}

/// Grafana's admin password and secret key: the old ones when a database exists (they
/// are what it was made with), else generated ones, which seed a new database.
void choose_grafana_secrets(const OriginalInstall& o, const MigrationFacts& facts, MigrationPlan& out) {
  if (!out.plan.has("grafana")) return;
  if (!facts.grafana_database) {
    out.plan.admin_password = facts.admin_password;
    out.plan.secret_key = facts.secret_key;
    out.generated_grafana_secrets = true;
    return;
  }
  auto old = [&](const char* key, const std::string& fallback) {
    if (const IniEntry* e = o.grafana_ini->entry("security", key)) return e->value;
    if (o.grafana_defaults)
      if (const IniEntry* e = o.grafana_defaults->entry("security", key)) return e->value;
    return fallback;
  };
  // go-ini reads a value holding '#' or ';' only between triple quotes.
  auto ini_value = [](const std::string& v) { return v.find_first_of("#;") == std::string::npos ? v : "\"\"\"" + v + "\"\"\""; };
  out.plan.admin_password = ini_value(old("admin_password", "admin"));
  out.plan.secret_key = ini_value(old("secret_key", ""));
}

/// What becomes of this host's metric names: continued (dots kept), or one node from now on.
void note_metric_names(MigrationPlan& out, const MigrationOptions& options) {
  if (!out.plan.has("collectd")) return;
  std::string dotted = "collectd." + collectd_host_node(out.plan.collectd_hostname, true) + ".*";
  std::string node = "collectd." + collectd_host_node(out.plan.collectd_hostname) + ".*";
  if (!options.new_metric_names)
    out.notes.push_back({"metric names", "collectd keeps the original's, " + dotted + " (the host name's dots kept): "
                                         "new points continue this host's history. --new-metric-names writes " + node +
                                         " instead, as new installs do"});
  else
    out.notes.push_back({"metric names", "WARNING: collectd now writes " + node + " (--new-metric-names); this host's "
                                         "history stays under " + dotted + ", readable but not continued"});
}

}  // namespace

std::pair<const InstallType*, std::string> original_install_type(const OriginalInstall& o) {
  auto runs = [&](const char* name) { return o.programs.count(name) > 0; };
  bool go = runs("go-carbon") && runs("carbonapi"), grafana = runs("grafana-server"), collectd = runs("collectd");
  std::vector<std::string> known;
  for (const auto& p : original_programs())
    if (runs(p.c_str())) known.push_back(p);
  std::string said = "conf/supervisord.conf runs " + (known.empty() ? std::string("nothing") : join(known, ", "));
  const char* name = nullptr;
  if (go && grafana && collectd) name = "all";
  else if (go && grafana) name = "server";
  else if (go && collectd) name = "backend-agent";
  else if (go) name = "backend";
  else if (grafana && !collectd && !runs("go-carbon") && !runs("carbonapi")) name = "frontend";
  else if (collectd && !grafana && !runs("go-carbon") && !runs("carbonapi")) {
    if (is_loopback(o.collectd_target_host))
      return {&find_install_type("backend-agent"),
              said + " only, as the original installer wrote every backend-agent install, and collectd sends to this "
                     "host (" + o.collectd_target_host + "): a backend-agent, whose go-carbon and carbonapi now run too"};
    name = "agent";
  }
  if (!name)
    throw UsageError((o.dir / "conf/supervisord.conf").string() + " runs " + join(known, ", ") +
                     ", which is none of the original's install types (all, agent, server, backend, frontend, "
                     "backend-agent); give it the [program:...] sections of one, then migrate again");
  return {&find_install_type(name), said};
}

int original_port_base(const OriginalInstall& o) {
  std::optional<int> base;
  std::string where;
  if (o.grafana_port) base = *o.grafana_port, where = conf_path(o, "grafana.ini") + " [server] http_port";
  else if (o.carbon_tcp) base = o.carbon_tcp->port - 1, where = o.carbon_tcp->where;
  else if (o.carbonapi) base = o.carbonapi->port - 2, where = o.carbonapi->where;
  else if (o.carbonserver) base = o.carbonserver->port - 3, where = o.carbonserver->where;
  if (!base)
    throw UsageError(conf_path(o, "grafana.ini") + " names no [server] http_port, and go-carbon.conf and carbonapi.yml "
                     "no listener: the port plan of the original install cannot be told");
  if (*base < 1 || *base + kPortSpan - 1 > 65535)
    throw UsageError(where + ": PORT " + std::to_string(*base) + " leaves no room for the ten ports of the plan");
  return *base;
}

MigrationPlan plan_migration(const OriginalInstall& o, const MigrationOptions& options, const MigrationFacts& facts,
                             const Bundle& bundle) {
  MigrationPlan out;
  out.original = o;
  out.conf_orig = "conf.orig-" + o.version;
  auto [type, why] = original_install_type(o);
  PortPlan ports(original_port_base(o));
  out.converted.push_back({"install type", type->name + ": " + why});
  out.converted.push_back({"ports", std::to_string(ports.base()) + "-" + std::to_string(ports.last()) + ": Grafana " +
                                        std::to_string(ports.grafana()) + ", carbon " + std::to_string(ports.carbon()) +
                                        ", carbonapi " + std::to_string(ports.carbonapi()) + ", carbonserver " +
                                        std::to_string(ports.carbonserver()) + " (the original's plan)"});
  std::vector<std::string> args{"-d", o.dir.string(), "-p", std::to_string(ports.base()), "-t", type->name};
  add_server_args(o, *type, ports, args, out);
  add_collectd_args(o, *type, ports, facts, args, out);
  add_frontend_args(o, *type, ports, args, out);
  out.install_args = args;
  InstallOptions opt;
  try {
    opt = check_install_flags(given_flags(args));
  } catch (const UsageError& e) {
    throw UsageError("the original install's settings (" + (o.dir / "conf").string() + ") do not make an install of "
                     "this bundle: " + e.what());
  }
  out.plan = make_plan(opt, facts.host, "", "");
  out.plan.interval = o.collectd_interval.value_or(kCollectInterval);
  if (out.plan.interval < 1 || out.plan.interval > 86400)
    throw UsageError(conf_path(o, "collectd.conf") + ": Interval " + std::to_string(out.plan.interval) + " is not 1 to 86400 s");
  if (out.plan.has("collectd"))
    out.converted.push_back({"collectd interval", std::to_string(out.plan.interval) + " s, as collectd.conf said (new "
                                                  "installs: " + std::to_string(kCollectInterval) + " s)"});
  if (out.plan.has("grafana"))
    out.notes.push_back({"Grafana's datasource", "the original's DkuCarbonAPI stays in Grafana's database (dashboards "
                                                 "that name it still work); the bundle's \"dkumonitor\" (" +
                                                 out.plan.carbonapi_url + ") is provisioned as the default"});
  out.plan.dotted_host_names = out.plan.has("collectd") && !options.new_metric_names;
  out.plan.whisper_dir = o.whisper_dir;
  out.plan.grafana_data_dir = o.grafana_data_dir;
  out.plan.grafana_plugins_dir = o.grafana_plugins_dir;
  choose_grafana_secrets(o, facts, out);

  out.conf = render_conf(out.plan, bundle.templates());
  for (auto& entry : out.conf)  // what render_conf made 0600 for a password like "admin" is not secret
    if (entry.kind == TreeEntry::kFile)
      entry.mode = entry.path == "conf/grafana.ini" ||
                           (out.plan.secret_key.size() >= 8 && entry.content.find(out.plan.secret_key) != std::string::npos)
                       ? 0600 : 0644;
  out.env = env_vars(out.plan.layout, bundle, facts.bundle_version, type->name, ports.base());
  for (auto& entry : out.conf)
    if (entry.path == "conf/grafana.ini")
      entry.content = carry_grafana_settings(entry.content, o, facts.grafana_database, out.conf_orig, out);
  carry_collectd_files(o, facts.collectd_plugins, out);
  carry_env_site(o, out);
  carry_storage_and_dashboards(o, out);
  note_other_conf_files(o, out);
  list_kept_moved_removed(o, facts, out);
  note_metric_names(out, options);
  return out;
}

}  // namespace dkm::install
