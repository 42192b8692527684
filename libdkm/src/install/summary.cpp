// What the installer prints once an install or an update is done.
#include <dkm/install/summary.hpp>

#include <dkm/core/strings.hpp>
#include <dkm/install/addresses.hpp>
#include <dkm/install/collectd_metric_set.hpp>
#include <dkm/install/plan.hpp>
#include <dkm/install/sizing.hpp>

#include <sstream>

namespace dkm::install {

bool own_backend_listed(const InstallPlan& plan) {
  const IpAddress& listen = plan.options.carbonserver_listen;
  return std::any_of(plan.backends.begin(), plan.backends.end(), [&](const Endpoint& b) {
    if (b.port != plan.options.carbonserver_port) return false;
    if (listen.any()) return true;
    return is_loopback(b.host) ? is_loopback(listen.text) : b.host == listen.text;
  });
}

namespace {

/// What each more CPU, file system, disk, interface and running DSS process adds to a host's files.
std::string more_files_text(const HostShape& host) {
  auto added = [&](auto change) {
    HostShape more = host;
    change(more);
    return std::to_string(collectd_metric_count(more) - collectd_metric_count(host));
  };
  return "each more CPU adds " + added([](HostShape& h) { ++h.cpus; }) + " files, file system " +
         added([](HostShape& h) { ++h.file_systems; }) + ", disk " + added([](HostShape& h) { ++h.disks; }) +
         ", interface " + added([](HostShape& h) { ++h.interfaces; }) + ", running DSS process " +
         added([](HostShape& h) { ++h.dss_processes_running; });
}

/// What the configs were sized for and the main values; the disk the expected hosts take.
void sizing_lines(const InstallResult& r, std::ostringstream& out) {
  const InstallPlan& plan = r.plan;
  if (!plan.has("go-carbon") && !plan.has("carbonapi")) return;
  SizingInput in = sizing_input(plan);
  Sizing sized = size_install(in);
  std::vector<std::string> values, files;
  if (plan.has("go-carbon")) {
    values.push_back("go-carbon max-cpu " + sized.at("max_cpu").value + ", " + sized.at("workers").value +
                     " workers, cache " + with_separators(std::stoull(sized.at("cache_max_size").value)) + " points");
    files.push_back((plan.layout.conf() / "go-carbon.conf").string());
  }
  if (plan.has("carbonapi")) {
    values.push_back("carbonapi " + sized.at("api_per_server").value + " requests a backend, response cache off (" +
                     sized.at("api_cache_mb").value + " MiB when turned on)");
    files.push_back((plan.layout.conf() / "carbonapi.yaml").string());
  }
  out << "  sized        for " << (plan.has("go-carbon") ? describe_sizing(in) : describe_machine(in.machine)) << "\n"
      << "               " << join(values, "; ") << " (each value's reason: " << join(files, ", ") << ")\n";
  if (!r.disk) return;
  const DiskNeed& d = *r.disk;
  HostShape host = reference_host();
  out << "  disk         " << disk_size_text(d.total_bytes()) << " for " << with_separators(static_cast<std::uint64_t>(d.hosts))
      << (d.hosts == 1 ? " host" : " hosts") << " in " << plan.whisper_dir.string() << ": " << d.metrics_per_host
      << " whisper files a host of " << with_separators(d.file_bytes) << " bytes (" << d.retentions << ") = "
      << disk_size_text(d.per_host_bytes()) << " a host\n"
      << "               (a host with " << describe_host(host) << "; " << more_files_text(host) << ")\n";
  if (r.disk_free && *r.disk_free < d.total_bytes())
    out << "  warning: " << plan.whisper_dir.string() << " has " << disk_size_text(*r.disk_free) << " free, less than the "
        << disk_size_text(d.total_bytes()) << " those hosts need: put storage/ on a larger disk\n";
}

}  // namespace

std::string install_summary(const InstallResult& r) {
  const InstallPlan& plan = r.plan;
  const std::string& host = plan.fqdn.empty() ? std::string("localhost") : plan.fqdn;
  auto shown = [&](const IpAddress& ip) { return ip.any() ? host : ip.text; };
  std::ostringstream out;
  out << "dkumonitor " << r.version << " installed in " << plan.layout.root().string() << " (install type "
      << plan.type().name << ": " << join(plan.options.services, ", ") << ")\n";
  if (plan.has("grafana"))
    out << "  Grafana      http://" << host_port(host, plan.ports().grafana()) << "/  (reads "
        << plan.carbonapi_url << ")\n";
  if (plan.has("go-carbon"))
    out << "  carbon       " << host_port(shown(plan.options.carbon_listen), plan.ports().carbon())
        << "  plaintext, TCP and UDP: the Graphite server to give DSS (prefix dataiku.dss.INSTANCE)\n";
  if (plan.has("carbon-c-relay")) {
    std::vector<std::string> backends;
    for (const auto& b : plan.options.carbon_backends) backends.push_back(b.str());
    out << "  carbon       " << host_port(shown(plan.options.carbon_listen), plan.ports().carbon())
        << "  plaintext, TCP and UDP: carbon-c-relay, sharding over " << backends.size()
        << " backend(s) by consistent hashing: " << join(backends, ", ") << "\n";
  }
  if (plan.has("go-carbon")) {
    out << "  carbonserver " << host_port(plan.options.carbonserver_listen.text, plan.options.carbonserver_port);
    if (is_loopback(plan.options.carbonserver_listen.text))
      out << "  read by this host's carbonapi only (--carbonserver-listen IP lets a query front on another host read it)\n";
    else
      out << "  read by carbonapi: list it in the query front's --backends\n";
  }
  if (plan.has("carbonapi")) {
    std::vector<std::string> backends;
    for (const auto& b : plan.backends) backends.push_back(b.str());
    out << "  carbonapi    http://" << host_port(shown(plan.options.carbonapi_listen), plan.ports().carbonapi())
        << "/  Graphite API, reading " << plan.backends.size() << " backend(s): " << join(backends, ", ") << "\n";
    if (plan.has("go-carbon") && !own_backend_listed(plan))
      out << "  note: this install's own go-carbon (carbonserver " << host_port(plan.options.carbonserver_listen.text, plan.options.carbonserver_port)
          << ") is not among them: carbonapi does not read what it stores\n";
  }
  if (plan.has("collectd"))
    out << "  collectd     sends collectd." << collectd_host_node(plan.collectd_hostname) << ".* to " << plan.carbon_target.str()
        << " every " << kCollectInterval << " s"
        << (plan.system_collectd.empty() ? "" : " (system collectd " + plan.system_collectd.string() + ")") << "\n";
  sizing_lines(r, out);
  out << "  ports        " << plan.ports().base() << "-" << plan.ports().last() << " reserved\n";
  if (plan.has("grafana"))
    out << "Grafana login: admin / " << plan.admin_password << "\n"
        << "  (shown this once; kept only in " << (plan.layout.conf() / "grafana.ini").string()
        << ", mode 0600, until Grafana's first start)\n";
  out << "Start it:      " << (plan.layout.bin() / "dkm").string() << " start\n"
      << "Start at boot: " << (plan.layout.bin() / "dkmadmin").string() << " install-boot  (as root)\n";
  return out.str();
}

std::string update_summary(const UpdateResult& r) {
  std::ostringstream out;
  out << "dkumonitor install in " << r.layout.root().string() << " updated: "
      << (r.old_version.empty() ? "?" : r.old_version) << " -> " << r.version << "\n"
      << "  now running the bundle " << r.bundle.string() << "\n"
      << "  conf/ and storage/ left as they were\n";
  if (!r.dropped_env_keys.empty())
    out << "  bin/env: dropped " << join(r.dropped_env_keys, ", ") << " (it keeps only the keys the installer writes: "
        << join(env_keys(), ", ") << "; give a service a variable with environment = in conf/services.ini)\n";
  out << "Restart to use it: " << (r.layout.bin() / "dkm").string() << " restart\n";
  return out.str();
}

}  // namespace dkm::install
