// What an install writes, decided in memory: the plan, the templates' values, the tree of DIR.
#include <dkm/install/plan.hpp>

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/install/addresses.hpp>
#include <dkm/install/collectd_metric_set.hpp>
#include <dkm/core/bundle_layout.hpp>
#include <dkm/install/hostnames.hpp>
#include <dkm/install/options.hpp>
#include <dkm/core/install_layout.hpp>
#include <dkm/install/ports.hpp>
#include <dkm/install/templates.hpp>

#include <sys/stat.h>
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dkm::install {

std::string collectd_host_node(const std::string& hostname, bool dotted) {
  std::string node = hostname;
  if (!dotted) std::replace(node.begin(), node.end(), '.', '_');
  return node;
}

InstallPlan make_plan(const InstallOptions& opt, const HostFacts& facts, const std::string& admin_password,
                      const std::string& secret_key) {
  InstallPlan plan;
  plan.options = opt;
  if (plan.options.services.empty()) plan.options.services = opt.type->services;
  plan.layout = InstallLayout(opt.directory);
  plan.backends = opt.backends;
  if (plan.backends.empty()) plan.backends.push_back({connect_host(plan.options.carbonserver_listen), plan.options.carbonserver_port});

  // collectd sends to the remote server of an agent, else to this host's go-carbon.
  if (opt.carbon_server) {
    plan.carbon_target = *opt.carbon_server;
    if (plan.carbon_target.port == 0) plan.carbon_target.port = plan.ports().carbon();
  } else {
    plan.carbon_target = {connect_host(plan.options.carbon_listen), plan.ports().carbon()};
  }
  // Grafana reads the remote carbonapi of a frontend, else this host's (a query front's own).
  if (opt.carbon_server) {
    int port = opt.carbon_server->port ? opt.carbon_server->port : plan.ports().carbonapi();
    plan.carbonapi_url = "http://" + host_port(opt.carbon_server->host, port);
  } else {
    plan.carbonapi_url = "http://" + host_port(connect_host(plan.options.carbonapi_listen), plan.ports().carbonapi());
  }

  plan.fqdn = facts.fqdn;
  plan.machine = facts.machine;
  plan.whisper_dir = plan.layout.storage() / "whisper";
  plan.grafana_data_dir = plan.layout.storage() / "grafana";
  plan.grafana_plugins_dir = plan.grafana_data_dir / "plugins";
  std::string name = opt.hostname ? *opt.hostname : facts.fqdn;
  if (plan.has("collectd")) {
    if (std::string why = hostname_problem(name); !why.empty())
      throw UsageError("this host's name '" + name + "' is not a valid host name for collectd (" + why +
                       "): give one with --hostname");
    plan.collectd_hostname = reverse_hostname(name);
  }
  if (opt.system_collectd) plan.system_collectd = facts.system_collectd;
  if (plan.has("grafana")) {
    plan.admin_password = admin_password;
    plan.secret_key = secret_key;
  }
  return plan;
}

SizingInput sizing_input(const InstallPlan& plan) {
  SizingInput in;
  in.machine = plan.machine;
  in.hosts_given = plan.options.expected_hosts.has_value();
  in.expected_hosts = plan.options.expected_hosts.value_or(kDefaultExpectedHosts);
  in.metrics_per_host = collectd_metric_count(reference_host());
  in.interval = plan.interval;
  return in;
}

nlohmann::json template_values(const InstallPlan& plan) {
  const PortPlan& p = plan.ports();
  nlohmann::json v;
  v["install_type"] = plan.type().name;
  v["home"] = plan.layout.root().string();
  v["interval"] = plan.interval;
  v["port"] = p.base();
  v["grafana_port"] = p.grafana();
  v["carbon_port"] = p.carbon();
  v["carbonapi_port"] = p.carbonapi();
  v["carbonserver_port"] = plan.options.carbonserver_port;
  v["pickle_port"] = p.pickle();
  v["carbonlink_port"] = p.carbonlink();
  v["carbon_grpc_port"] = p.carbon_grpc();
  v["carbonserver_grpc_port"] = p.carbonserver_grpc();
  v["pprof_port"] = p.pprof();
  v["grafana_grpc_port"] = p.grafana_grpc();
  v["carbon_listen"] = host_port(plan.options.carbon_listen.text, p.carbon());
  v["carbonapi_listen"] = host_port(plan.options.carbonapi_listen.text, p.carbonapi());
  v["carbonserver_listen"] = host_port(plan.options.carbonserver_listen.text, plan.options.carbonserver_port);
  v["backends"] = nlohmann::json::array();
  for (const auto& b : plan.backends) v["backends"].push_back({{"url", "http://" + b.str()}});
  v["carbon_backends"] = nlohmann::json::array();
  for (const auto& b : plan.options.carbon_backends) v["carbon_backends"].push_back({{"address", b.str()}});
  v["carbon_target"] = plan.carbon_target.str();
  v["carbon_target_host"] = plan.carbon_target.host;
  v["carbon_target_port"] = plan.carbon_target.port;
  v["carbonapi_url"] = plan.carbonapi_url;
  v["collectd_hostname"] = plan.collectd_hostname;
  v["collectd_host_node"] = collectd_host_node(plan.collectd_hostname, plan.dotted_host_names);
  v["dotted_host_names"] = plan.dotted_host_names;
  v["whisper_dir"] = plan.whisper_dir.string();
  v["grafana_data_dir"] = plan.grafana_data_dir.string();
  v["grafana_plugins_dir"] = plan.grafana_plugins_dir.string();
  v["bundled_collectd"] = plan.system_collectd.empty();
  v["collectd_program"] = plan.system_collectd.empty() ? std::string("bundle") : plan.system_collectd.string();
  v["collectd_command"] =
      plan.system_collectd.empty() ? std::string("%(ENV_DKM_BUNDLE)s/bin/collectd") : plan.system_collectd.string();
  v["dss_process_sets"] = dss_process_sets_template_values(plan.options.dss_homes);
  v["sized"] = sizing_template_values(size_install(sizing_input(plan)));
  v["grafana_admin_password"] = plan.admin_password;
  v["grafana_secret_key"] = plan.secret_key;
  // Readiness probes: where a local client reaches each listener.
  v["go_carbon_ready"] = host_port(connect_host(plan.options.carbon_listen), p.carbon());
  v["carbon_c_relay_ready"] = v["go_carbon_ready"];  // the relay takes go-carbon's place and port
  v["carbonapi_ready"] = host_port(connect_host(plan.options.carbonapi_listen), p.carbonapi());
  v["grafana_ready"] = host_port("127.0.0.1", p.grafana());
  for (const auto& service : all_services()) {
    std::string key = service;
    for (auto& c : key)
      if (c == '-') c = '_';
    v[key] = plan.has(service);
  }
  return v;
}

std::vector<TreeEntry> bundle_links(const Bundle& bundle) {
  return {
      TreeEntry::symlink("bin/dkm", bundle.bin() / "dkm"),
      TreeEntry::symlink("bin/dkmadmin", bundle.bin() / "dkmadmin"),
      TreeEntry::symlink("static", bundle.static_dir()),
      TreeEntry::symlink("lib", bundle.lib()),
      TreeEntry::symlink("dashboards", bundle.dashboards()),
  };
}

const std::vector<std::string>& env_keys() {
  static const std::vector<std::string> keys{"DKM_HOME", "DKM_BUNDLE", "DKM_VERSION", "DKM_INSTALL_TYPE", "DKM_PORT"};
  return keys;
}

std::map<std::string, std::string> env_vars(const InstallLayout& layout, const Bundle& bundle,
                                                   const std::string& version, const std::string& type, int port) {
  return {{"DKM_HOME", layout.root().string()},
          {"DKM_BUNDLE", bundle.root().string()},
          {"DKM_VERSION", version},
          {"DKM_INSTALL_TYPE", type},
          {"DKM_PORT", std::to_string(port)}};
}

std::vector<TreeEntry> render_conf(const InstallPlan& plan, const fs::path& templates_dir) {
  nlohmann::json values = template_values(plan);
  std::vector<TreeEntry> out;
  for (const auto& t : select_templates(templates_dir, plan.options.services)) {
    fs::path rel = fs::path("conf") / t.output;
    if (t.output.filename() == ".keep") {  // an empty directory Grafana (or another) expects
      out.push_back(TreeEntry::directory(rel.parent_path()));
      continue;
    }
    std::string text = render_template(read_file(t.source), values, t.source.string());
    bool secret = (!plan.admin_password.empty() && text.find(plan.admin_password) != std::string::npos) ||
                  (!plan.secret_key.empty() && text.find(plan.secret_key) != std::string::npos);
    out.push_back(TreeEntry::file(rel, std::move(text), secret ? 0600 : 0644));
  }
  return out;
}

std::vector<std::string> storage_dirs(const InstallPlan& plan) {
  std::vector<std::string> dirs;
  if (plan.has("go-carbon")) dirs.push_back("storage/whisper");
  if (plan.has("grafana")) dirs.push_back("storage/grafana");
  if (plan.has("collectd")) dirs.push_back("storage/collectd");
  return dirs;
}

std::vector<TreeEntry> plan_tree(const InstallPlan& plan, const Bundle& bundle, const std::string& version) {
  std::vector<TreeEntry> tree;
  for (const char* dir : {"conf", "bin", "storage", "run"}) tree.push_back(TreeEntry::directory(dir));
  for (const auto& dir : storage_dirs(plan)) tree.push_back(TreeEntry::directory(dir));
  std::vector<TreeEntry> conf = render_conf(plan, bundle.templates());
  for (const auto& entry : conf) {  // every parent directory of conf/, once, before its files
    for (fs::path parent = entry.kind == TreeEntry::kDirectory ? entry.path : entry.path.parent_path();
         parent != "conf" && !parent.empty(); parent = parent.parent_path()) {
      bool known = std::any_of(tree.begin(), tree.end(), [&](const auto& e) { return e.path == parent; });
      if (!known) tree.push_back(TreeEntry::directory(parent));
    }
  }
  std::stable_sort(tree.begin(), tree.end(), [](const auto& a, const auto& b) {
    return std::distance(a.path.begin(), a.path.end()) < std::distance(b.path.begin(), b.path.end());
  });
  for (auto& entry : conf)
    if (entry.kind == TreeEntry::kFile) tree.push_back(std::move(entry));
  for (auto& link : bundle_links(bundle)) tree.push_back(std::move(link));
  tree.push_back(TreeEntry::file(
      "bin/env", render_env_file(env_vars(plan.layout, bundle, version, plan.type().name, plan.ports().base())), 0644));
  return tree;
}

std::vector<std::string> loaded_collectd_plugins(const std::vector<TreeEntry>& files) {
  std::vector<std::string> plugins;
  for (const auto& f : files) {
    if (f.kind != TreeEntry::kFile || f.path.extension() != ".conf") continue;
    if (f.path.filename() != "collectd.conf" && f.path.parent_path().filename() != "collectd.d") continue;
    for (const auto& raw : split(f.content, '\n')) {
      std::string_view line = trim(raw);
      if (!line.empty() && line.front() == '<') {  // <LoadPlugin NAME> block form
        line.remove_prefix(1);
        if (!line.empty() && line.back() == '>') line.remove_suffix(1);
      }
      if (line.rfind("LoadPlugin", 0) != 0 || line.size() == 10 || !std::isspace(static_cast<unsigned char>(line[10])))
        continue;
      std::string name(trim(line.substr(10)));
      if (!name.empty() && name.front() == '"') name = name.substr(1, name.find('"', 1) - 1);
      if (!name.empty()) plugins.push_back(name);
    }
  }
  return plugins;
}

}  // namespace dkm::install
