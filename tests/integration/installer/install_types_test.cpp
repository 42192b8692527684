// Each install type produces exactly its services and configs, with the
// planned ports. The rendered files are read with real parsers (toml++ for go-carbon's
// TOML, yaml-cpp for carbonapi and Grafana provisioning, Boost.PropertyTree for the INI
// files, a collectd-syntax reader) and checked value by value.
#include <catch2/catch.hpp>

#include <boost/property_tree/ini_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <toml++/toml.h>
#include <yaml-cpp/yaml.h>

#include "installer_fixture.hpp"

using namespace dkm;
using namespace dkm::test;
namespace pt = boost::property_tree;

namespace {

/// Regular files under `dir`, relative, sorted.
std::vector<std::string> files_under(const fs::path& dir) {
  std::vector<std::string> out;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it)
    if (it->is_regular_file()) out.push_back(it->path().lexically_relative(dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

/// The conf/ files a service brings.
std::vector<std::string> conf_files_of(const std::string& service) {
  if (service == "go-carbon") return {"go-carbon.conf", "storage-aggregation.conf", "storage-schemas.conf"};
  if (service == "carbonapi") return {"carbonapi.yaml"};
  if (service == "grafana")
    return {"grafana.ini", "grafana/provisioning/alerting/dkumonitor-alerts.yaml",
            "grafana/provisioning/dashboards/dkumonitor.yaml", "grafana/provisioning/datasources/dkumonitor.yaml"};
  if (service == "collectd") {
    std::vector<std::string> out{"collectd.conf", "telegraf.conf"};
    for (const char* p : {"cpu", "df", "disk", "interface", "load", "memory", "processes", "swap", "uptime", "write_graphite"})
      out.push_back(std::string("collectd.d/") + p + ".conf");
    return out;
  }
  return {};
}

pt::ptree read_ini(const fs::path& file) {
  pt::ptree tree;
  pt::read_ini(file.string(), tree);
  return tree;
}

/// The port of "HOST:PORT" or "[V6]:PORT".
int port_of(const std::string& host_port) { return std::stoi(host_port.substr(host_port.rfind(':') + 1)); }

/// Every `listen`/`address` value of a TOML table, at any depth, with its dotted key.
void collect_listeners(const toml::table& table, const std::string& prefix, std::map<std::string, std::string>& out) {
  for (const auto& [key, node] : table) {
    std::string name = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    if (const toml::table* sub = node.as_table()) collect_listeners(*sub, name, out);
    else if (key.str() == "listen") out[prefix] = node.value_or(std::string());
  }
}

struct Installed {
  TempDir tmp{"dkm-types-"};
  TestBundle bundle;
  dkm::InstallLayout layout{tmp.path() / "inst"};
  int port = 27600;
  RunResult result;
};

/// Installs type `type` with a fixed host name; extra flags appended.
std::unique_ptr<Installed> install_type(const std::string& type, std::vector<std::string> extra = {}) {
  auto in = std::make_unique<Installed>();
  in->bundle = make_test_bundle(in->tmp.path() / "dkumonitor-1.0.0");
  std::vector<std::string> args{"-d", in->layout.root().string(), "-p", "27600", "-t", type};
  if (type == "all" || type == "agent" || type == "backend-agent") {
    args.push_back("--hostname");
    args.push_back("web1.dc1.example.com");
  }
  args.insert(args.end(), extra.begin(), extra.end());
  in->result = run_installer(in->bundle, args);
  INFO(in->result.output);
  REQUIRE(in->result.ok());
  return in;
}

/// What each check of an installed type looks at.
struct Checked {
  const Installed& in;
  const dkm::InstallLayout& L;
  fs::path conf;
  int P;
  std::vector<std::string> services;
  bool has(const std::string& s) const { return std::count(services.begin(), services.end(), s) > 0; }
};

/// services.ini: exactly the type's services, in start order, each in supervisord's syntax with its probe.
void check_services_ini(const Checked& c) {
  const auto& L = c.L;
  const int P = c.P;
  const auto& services = c.services;
  pt::ptree ini = read_ini(L.services_file());
  std::vector<std::string> programs;
  for (const auto& [section, body] : ini) programs.push_back(section);
  std::vector<std::string> want;
  for (const auto& s : services) want.push_back("program:" + s);
  CHECK(programs == want);
  std::map<std::string, int> probe_port{{"go-carbon", P + 1}, {"carbonapi", P + 2}, {"grafana", P}};
  // Started in this order (stopped in reverse): the store first, the agent last.
  int last_priority = 0;
  for (const auto& s : services) {
    int priority = ini.get<int>("program:" + s + ".priority");
    CHECK(priority > last_priority);
    last_priority = priority;
  }
  for (const auto& s : services) {
    INFO("service " << s);
    const pt::ptree& p = ini.get_child("program:" + s);
    CHECK(p.get<std::string>("autostart") == "false");
    CHECK(p.get<std::string>("autorestart") == "true");
    CHECK(p.get<int>("startsecs") > 0);
    CHECK(p.get<int>("stopwaitsecs") > 0);
    CHECK(p.get<std::string>("redirect_stderr") == "true");
    CHECK(p.get<std::string>("stdout_logfile") == "%(ENV_DKM_HOME)s/run/" + s + ".log");
    std::string command = p.get<std::string>("command");
    CHECK_THAT(command, Catch::StartsWith("%(ENV_DKM_BUNDLE)s/bin/" + s + " "));
    CHECK_THAT(command, Catch::Contains("%(ENV_DKM_HOME)s/conf/"));
    if (probe_port.count(s)) CHECK(p.get<std::string>("ready") == "tcp:127.0.0.1:" + std::to_string(probe_port[s]));
    else CHECK_FALSE(p.get_optional<std::string>("ready"));
  }

}

/// Storage, run, links into the bundle, environment file.
void check_tree(const Checked& c, const std::string& type) {
  const auto& L = c.L;
  const auto* in = &c.in;
  const int P = c.P;
  const auto& services = c.services;
  CHECK(fs::is_directory(L.run()));
  CHECK(fs::is_directory(L.storage() / "whisper") == (std::count(services.begin(), services.end(), "go-carbon") > 0));
  CHECK(fs::is_directory(L.storage() / "grafana") == (std::count(services.begin(), services.end(), "grafana") > 0));
  CHECK(fs::is_directory(L.storage() / "collectd") == (std::count(services.begin(), services.end(), "collectd") > 0));
  CHECK(fs::read_symlink(L.bin() / "dkm") == in->bundle.root / "bin/dkm");
  CHECK(fs::read_symlink(L.bin() / "dkmadmin") == in->bundle.root / "bin/dkmadmin");
  CHECK(fs::read_symlink(L.static_link()) == in->bundle.root / "static");
  CHECK(fs::read_symlink(L.lib_link()) == in->bundle.root / "lib");
  CHECK(fs::read_symlink(L.dashboards_link()) == in->bundle.root / "dashboards");
  auto env = dkm::parse_env_file(read_file(L.env_file()), "env");
  CHECK(env["DKM_HOME"] == L.root().string());
  CHECK(env["DKM_BUNDLE"] == in->bundle.root.string());
  CHECK(env["DKM_VERSION"] == "1.0.0");
  CHECK(env["DKM_INSTALL_TYPE"] == type);
  CHECK(env["DKM_PORT"] == std::to_string(P));
  // The same install is found by the front ends through DIR/bin.
  CHECK(dkm::find_install("", (L.bin() / "dkm").string()).root() == L.root());

}

/// go-carbon's config: its listeners on the planned ports, the rest off, whisper in storage/.
void check_go_carbon(const Checked& c) {
  const auto& L = c.L;
  const fs::path& conf = c.conf;
  const int P = c.P;
  toml::table gc = toml::parse_file((conf / "go-carbon.conf").string());
  CHECK(gc["common"]["user"].value_or(std::string("unset")).empty());
  CHECK(gc["udp"]["listen"].value_or(std::string()) == "0.0.0.0:" + std::to_string(P + 1));
  CHECK(gc["tcp"]["listen"].value_or(std::string()) == "0.0.0.0:" + std::to_string(P + 1));
  CHECK(gc["udp"]["enabled"].value_or(false));
  CHECK(gc["tcp"]["enabled"].value_or(false));
  CHECK(gc["carbonserver"]["listen"].value_or(std::string()) == "127.0.0.1:" + std::to_string(P + 3));
  CHECK(gc["carbonserver"]["enabled"].value_or(false));
  for (const char* off : {"pickle", "carbonlink", "grpc", "pprof"}) {
    INFO(off);
    CHECK_FALSE(gc[off]["enabled"].value_or(true));
  }
  CHECK_FALSE(gc["carbonserver"]["grpc"]["enabled"].value_or(true));
  CHECK_FALSE(gc["tags"]["enabled"].value_or(true));
  CHECK_FALSE(gc["prometheus"]["enabled"].value_or(true));
  // Every listener, enabled or not, is on one of the ten planned ports, each on its own.
  std::map<std::string, std::string> listeners;
  collect_listeners(gc, "", listeners);
  CHECK(listeners.size() == 8);
  std::map<int, std::string> by_port;
  for (const auto& [name, addr] : listeners) {
    INFO(name << " = " << addr);
    int port = port_of(addr);
    CHECK(port >= P);
    CHECK(port <= P + 9);
    if (name != "udp") {  // UDP and TCP share PORT+1 (different protocols)
      CHECK_FALSE(by_port.count(port));
      by_port[port] = name;
    }
  }
  CHECK(gc["whisper"]["data-dir"].value_or(std::string()) == (L.storage() / "whisper").string());
  for (const char* key : {"schemas-file", "aggregation-file"}) {
    fs::path f = gc["whisper"][key].value_or(std::string());
    CHECK(f.parent_path() == conf);
    CHECK(fs::is_regular_file(f));
  }
  CHECK(gc["logging"][0]["file"].value_or(std::string()) == "stdout");
  // The first archive matches collectd's interval.
  CHECK_THAT(read_file(conf / "storage-schemas.conf"), Catch::Contains("retentions = 60s:"));
}

/// carbonapi's config: its listener, reading this install's carbonserver through backendsv2.
void check_carbonapi(const Checked& c) {
  const int P = c.P;
  YAML::Node api = YAML::LoadFile((c.conf / "carbonapi.yaml").string());
  CHECK(api["listen"].as<std::string>() == "0.0.0.0:" + std::to_string(P + 2));
  CHECK_FALSE(api["expvar"]["enabled"].as<bool>());
  YAML::Node groups = api["upstreams"]["backendsv2"]["backends"];
  REQUIRE(groups.size() == 1);
  CHECK(groups[0]["protocol"].as<std::string>() == "carbonapi_v3_pb");
  REQUIRE(groups[0]["servers"].size() == 1);
  CHECK(groups[0]["servers"][0].as<std::string>() == "http://127.0.0.1:" + std::to_string(P + 3));
  CHECK_FALSE(api["upstreams"]["backends"]);  // backendsv2 only
}

/// Grafana's config: its ports, paths, secrets (0600) and everything phoning home off; its provisioning.
void check_grafana(const Checked& c) {
  const auto& L = c.L;
  const fs::path& conf = c.conf;
  const int P = c.P;
  pt::ptree g = read_ini(conf / "grafana.ini");
  CHECK(g.get<int>("server.http_port") == P);
  CHECK(g.get<std::string>("server.http_addr").empty());
  CHECK(port_of(g.get<std::string>("grpc_server.address")) == P + 9);
  CHECK(g.get<std::string>("paths.data") == (L.storage() / "grafana").string());
  CHECK(g.get<std::string>("paths.provisioning") == (conf / "grafana/provisioning").string());
  CHECK(g.get<std::string>("server.static_root_path") == L.static_link().string());
  CHECK(g.get<std::string>("security.admin_password").size() >= 20);
  CHECK(g.get<std::string>("security.secret_key").size() >= 32);
  CHECK(g.get<std::string>("security.admin_password") != "admin");
  CHECK(g.get<std::string>("security.disable_gravatar") == "true");
  CHECK(g.get<std::string>("users.allow_sign_up") == "false");
  CHECK(g.get<std::string>(pt::ptree::path_type("auth.anonymous/enabled", '/')) == "false");
  CHECK(g.get<std::string>("analytics.reporting_enabled") == "false");
  CHECK(g.get<std::string>("analytics.check_for_updates") == "false");
  CHECK(g.get<std::string>("analytics.check_for_plugin_updates") == "false");
  CHECK(g.get<std::string>("plugins.preinstall_disabled") == "true");
  CHECK(g.get<std::string>("log.mode") == "console");
  CHECK((fs::status(conf / "grafana.ini").permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
  YAML::Node ds = YAML::LoadFile((conf / "grafana/provisioning/datasources/dkumonitor.yaml").string());
  REQUIRE(ds["datasources"].size() == 1);
  CHECK(ds["datasources"][0]["type"].as<std::string>() == "graphite");
  CHECK(ds["datasources"][0]["uid"].as<std::string>() == "dkumonitor-graphite");
  CHECK(ds["datasources"][0]["url"].as<std::string>() == "http://127.0.0.1:" + std::to_string(P + 2));
  YAML::Node dash = YAML::LoadFile((conf / "grafana/provisioning/dashboards/dkumonitor.yaml").string());
  CHECK(dash["providers"][0]["type"].as<std::string>() == "file");
  CHECK(dash["providers"][0]["options"]["path"].as<std::string>() == L.dashboards_link().string());
  for (const char* d : {"plugins", "alerting"}) CHECK(fs::is_directory(conf / "grafana/provisioning" / d));
}

/// collectd's config: its host, plugins, where it sends, the DSS processes it tracks.
void check_collectd(const Checked& c) {
  const auto& L = c.L;
  const fs::path& conf = c.conf;
  const auto* in = &c.in;
  const int P = c.P;
  CollectdItem main = parse_collectd_config(read_file(conf / "collectd.conf"));
  CHECK(main.value("Hostname") == "com.example.dc1.web1");
  CHECK(main.value("PluginDir") == (L.lib_link() / "collectd").string());
  CHECK(main.value("TypesDB") == (L.lib_link() / "collectd/types.db").string());
  CHECK(main.value("BaseDir") == (L.storage() / "collectd").string());
  CHECK(main.value("Include") == (conf / "collectd.d/*.conf").string());
  CollectdItem wg = parse_collectd_config(read_file(conf / "collectd.d/write_graphite.conf"));
  REQUIRE(wg.all("Plugin").size() == 1);
  const CollectdItem* node = wg.all("Plugin")[0]->all("Node")[0];
  CHECK(node->value("Host") == "127.0.0.1");
  CHECK(node->value("Port") == std::to_string(P + 1));
  CHECK(node->value("Protocol") == "tcp");
  CHECK(node->value("Prefix") == "collectd.");
  CHECK(node->value("EscapeCharacter") == "_");
  CHECK(node->value("PreserveSeparator") == "false");
  CHECK_THAT(in->result.output, Catch::Contains("collectd.com_example_dc1_web1.*"));
  CollectdItem pr = parse_collectd_config(read_file(conf / "collectd.d/processes.conf"));
  std::map<std::string, std::string> matches;
  for (const auto* m : pr.all("Plugin")[0]->all("ProcessMatch")) matches[m->values.at(0)] = m->values.at(1);
  CHECK(matches == std::map<std::string, std::string>{{"dss_backend", "java.* -Ddku\\.backend( |$)"},
                                                         {"dss_cak", "java.* -Ddku\\.cak( |$)"},
                                                       {"dss_fek", "java.* -Ddku\\.fek( |$)"},
                                                       {"dss_jek", "java.* -Ddku\\.jek( |$)"}});
  // telegraf is shipped, not enabled: no [program:telegraf].
  CHECK_THAT(read_file(conf / "telegraf.conf"), Catch::Contains("127.0.0.1:" + std::to_string(P + 1)));
}

/// What an install of `type` writes, and its summary, for the type's `services`.
void check_install_type(const std::string& type, const std::vector<std::string>& services) {
  auto in = install_type(type);
  Checked c{*in, in->layout, in->layout.conf(), in->port, services};
  // Exactly the conf files of the type's services.
  std::vector<std::string> expected{"services.ini"};
  for (const auto& s : services)
    for (const auto& f : conf_files_of(s)) expected.push_back(f);
  std::sort(expected.begin(), expected.end());
  CHECK(files_under(c.conf) == expected);
  check_services_ini(c);
  check_tree(c, type);
  if (c.has("go-carbon")) check_go_carbon(c);
  if (c.has("carbonapi")) check_carbonapi(c);
  if (c.has("grafana")) check_grafana(c);
  if (c.has("collectd")) check_collectd(c);
  const auto& L = c.L;
  const int P = c.P;
  auto has = [&](const std::string& s) { return c.has(s); };
  // The summary names the type, the ports and how to start.
  const std::string& out = in->result.output;
  CHECK_THAT(out, Catch::Contains("install type " + type));
  CHECK_THAT(out, Catch::Contains((L.bin() / "dkm").string() + " start"));
  if (has("grafana")) CHECK_THAT(out, Catch::Contains(":" + std::to_string(P) + "/"));
  if (has("go-carbon")) CHECK_THAT(out, Catch::Contains(":" + std::to_string(P + 1)));
  if (has("carbonapi")) CHECK_THAT(out, Catch::Contains(":" + std::to_string(P + 2) + "/"));
}

}  // namespace

TEST_CASE("install type all: go-carbon, carbonapi, grafana and collectd", "[installer][types]") {
  check_install_type("all", {"go-carbon", "carbonapi", "grafana", "collectd"});
}

TEST_CASE("install type agent: collectd only", "[installer][types]") { check_install_type("agent", {"collectd"}); }

TEST_CASE("install type server: go-carbon, carbonapi and grafana", "[installer][types]") {
  check_install_type("server", {"go-carbon", "carbonapi", "grafana"});
}

TEST_CASE("install type backend: go-carbon and carbonapi", "[installer][types]") {
  check_install_type("backend", {"go-carbon", "carbonapi"});
}

TEST_CASE("install type frontend: grafana only", "[installer][types]") { check_install_type("frontend", {"grafana"}); }

TEST_CASE("install type backend-agent: go-carbon, carbonapi and collectd", "[installer][types]") {
  check_install_type("backend-agent", {"go-carbon", "carbonapi", "collectd"});
}

TEST_CASE("the type defaults to all", "[installer][types]") {
  TempDir tmp;
  TestBundle bundle = make_test_bundle(tmp.path() / "b");
  RunResult r = run_installer(bundle, {"-d", (tmp.path() / "i").string(), "-p", "27600", "--hostname", "h.example"});
  INFO(r.output);
  REQUIRE(r.ok());
  CHECK(dkm::parse_env_file(read_file(tmp.path() / "i/bin/env"), "env")["DKM_INSTALL_TYPE"] == "all");
}

TEST_CASE("listen addresses and remote servers reach the configs", "[installer][types]") {
  SECTION("a backend listening on chosen addresses") {
    auto in = install_type("backend-agent", {"--carbon-listen", "127.0.0.2", "--carbonapi-listen", "::",
                                             "--carbonserver-listen", "127.0.0.3:40000"});
    fs::path conf = in->layout.conf();
    toml::table gc = toml::parse_file((conf / "go-carbon.conf").string());
    CHECK(gc["tcp"]["listen"].value_or(std::string()) == "127.0.0.2:27601");
    CHECK(gc["carbonserver"]["listen"].value_or(std::string()) == "127.0.0.3:40000");
    YAML::Node api = YAML::LoadFile((conf / "carbonapi.yaml").string());
    CHECK(api["listen"].as<std::string>() == "[::]:27602");
    CHECK(api["upstreams"]["backendsv2"]["backends"][0]["servers"][0].as<std::string>() == "http://127.0.0.3:40000");
    pt::ptree ini = read_ini(conf / "services.ini");
    CHECK(ini.get<std::string>("program:go-carbon.ready") == "tcp:127.0.0.2:27601");
    CHECK(ini.get<std::string>("program:carbonapi.ready") == "tcp:[::1]:27602");
    // collectd reaches go-carbon where it listens.
    CollectdItem wg = parse_collectd_config(read_file(conf / "collectd.d/write_graphite.conf"));
    CHECK(wg.all("Plugin")[0]->all("Node")[0]->value("Host") == "127.0.0.2");
  }
  SECTION("a server reading several backends") {
    auto in = install_type("server", {"--backends", "b1.example:27603,10.1.1.2:27603"});
    YAML::Node api = YAML::LoadFile((in->layout.conf() / "carbonapi.yaml").string());
    YAML::Node servers = api["upstreams"]["backendsv2"]["backends"][0]["servers"];
    REQUIRE(servers.size() == 2);
    CHECK(servers[0].as<std::string>() == "http://b1.example:27603");
    CHECK(servers[1].as<std::string>() == "http://10.1.1.2:27603");
    CHECK(api["upstreams"]["backendsv2"]["backends"][0]["lbMethod"].as<std::string>() == "broadcast");
  }
  SECTION("an agent sending to a remote server") {
    auto in = install_type("agent", {"--carbon-server", "mon.example.com"});
    CollectdItem wg = parse_collectd_config(read_file(in->layout.conf() / "collectd.d/write_graphite.conf"));
    const CollectdItem* node = wg.all("Plugin")[0]->all("Node")[0];
    CHECK(node->value("Host") == "mon.example.com");
    CHECK(node->value("Port") == "27601");
    CHECK_THAT(in->result.output, Catch::Contains("mon.example.com:27601"));
  }
  SECTION("a frontend reading a remote carbonapi") {
    auto in = install_type("frontend", {"--carbon-server", "mon.example.com:9090"});
    YAML::Node ds = YAML::LoadFile((in->layout.conf() / "grafana/provisioning/datasources/dkumonitor.yaml").string());
    CHECK(ds["datasources"][0]["url"].as<std::string>() == "http://mon.example.com:9090");
  }
}

TEST_CASE("an existing empty directory receives the install and keeps its mode", "[installer][types]") {
  TempDir tmp;
  TestBundle bundle = make_test_bundle(tmp.path() / "b");
  fs::path dir = tmp.path() / "pre-made";
  fs::create_directory(dir);
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
  RunResult r = run_installer(bundle, {"-d", dir.string(), "-p", "27600", "-t", "agent", "--hostname", "a.b"});
  INFO(r.output);
  REQUIRE(r.ok());
  CHECK((fs::status(dir).permissions() & fs::perms::all) == (fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec));
  CHECK(fs::is_regular_file(dir / "bin/env"));
  for (const auto& e : fs::directory_iterator(dir)) CHECK_THAT(e.path().filename().string(), !Catch::StartsWith("."));
}

TEST_CASE("missing parent directories are created", "[installer][types]") {
  TempDir tmp;
  TestBundle bundle = make_test_bundle(tmp.path() / "b");
  fs::path dir = tmp.path() / "a/b/c/inst";
  RunResult r = run_installer(bundle, {"-d", dir.string(), "-p", "27600", "-t", "backend"});
  INFO(r.output);
  REQUIRE(r.ok());
  CHECK(fs::is_regular_file(dir / "bin/env"));
  for (const auto& e : fs::directory_iterator(dir.parent_path())) CHECK(e.path().filename() == "inst");
}
