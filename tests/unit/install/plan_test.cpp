// install/plan: resolving flags into settings and the tree of an install.
#include <catch2/catch.hpp>

#include "installer_command_line.hpp"

#include <dkm/core/temp_dir.hpp>
#include <dkm/install/plan.hpp>

#include "test_support.hpp"

using namespace dkm;
using namespace dkm::install;

namespace {

InstallPlan plan_for(std::vector<std::string> args, std::string fqdn = "host.example.domain") {
  InstallOptions opt = installer::parse_installer_command_line(args).options;
  HostFacts facts{fqdn, "/usr/sbin/collectd"};
  return make_plan(opt, facts, "PASSWORDPASSWORD", "SECRETKEYSECRETKEY");
}

fs::path source_templates() { return test::source_dir() / "dist" / "templates"; }

const TreeEntry* find(const std::vector<TreeEntry>& tree, const std::string& path) {
  for (const auto& e : tree)
    if (e.path == path) return &e;
  return nullptr;
}

}  // namespace

TEST_CASE("a local install reaches its own listeners through loopback", "[install_plan]") {
  InstallPlan plan = plan_for({"-d", "/srv/mon", "-p", "27600"});
  CHECK(plan.collectd_hostname == "domain.example.host");
  CHECK(plan.carbon_target.str() == "127.0.0.1:27601");
  CHECK(plan.carbonapi_url == "http://127.0.0.1:27602");
  REQUIRE(plan.backends.size() == 1);
  CHECK(plan.backends[0].str() == "127.0.0.1:27603");
  CHECK(plan.system_collectd.empty());
  nlohmann::json v = template_values(plan);
  CHECK(v["carbon_listen"] == "0.0.0.0:27601");
  CHECK(v["carbonapi_listen"] == "0.0.0.0:27602");
  CHECK(v["carbonserver_listen"] == "127.0.0.1:27603");
  CHECK(v["go_carbon_ready"] == "127.0.0.1:27601");
  CHECK(v["collectd_command"] == "%(ENV_DKM_BUNDLE)s/bin/collectd");
  CHECK(v["go_carbon"] == true);
  CHECK(v["collectd"] == true);
}

TEST_CASE("listeners bound to one address are probed and read on that address", "[install_plan]") {
  InstallPlan plan = plan_for({"-d", "/srv/mon", "-p", "27600", "-t", "backend-agent", "--carbon-listen", "10.0.0.4",
                               "--carbonapi-listen", "::", "--carbonserver-listen", "10.0.0.4"});
  nlohmann::json v = template_values(plan);
  CHECK(plan.carbon_target.str() == "10.0.0.4:27601");
  CHECK(v["go_carbon_ready"] == "10.0.0.4:27601");
  CHECK(v["carbonapi_listen"] == "[::]:27602");
  CHECK(v["carbonapi_ready"] == "[::1]:27602");
  CHECK(v["backends"][0]["url"] == "http://10.0.0.4:27603");
  CHECK(v["grafana"] == false);
  CHECK(plan.admin_password.empty());  // no Grafana: no secret generated into the plan
}

TEST_CASE("agents and frontends point at the remote server, on the plan's ports unless told", "[install_plan]") {
  CHECK(plan_for({"-d", "/m", "-p", "27600", "-t", "agent", "--carbon-server", "mon.example.com"}).carbon_target.str() ==
        "mon.example.com:27601");
  CHECK(plan_for({"-d", "/m", "-p", "27600", "-t", "agent", "--carbon-server", "mon:2003"}).carbon_target.str() == "mon:2003");
  CHECK(plan_for({"-d", "/m", "-p", "27600", "-t", "frontend", "--carbon-server", "mon"}).carbonapi_url == "http://mon:27602");
  CHECK(plan_for({"-d", "/m", "-p", "27600", "-t", "frontend", "--carbon-server", "[fd00::2]:8081"}).carbonapi_url ==
        "http://[fd00::2]:8081");
  CHECK(plan_for({"-d", "/m", "-p", "27600", "-t", "server", "--backends", "b1:1,b2:2"}).backends.size() == 2);
}

TEST_CASE("the hostname flag replaces the host's name, and a bad host name asks for it", "[install_plan]") {
  CHECK(plan_for({"-d", "/m", "-p", "1", "--hostname", "x.y.z"}).collectd_hostname == "z.y.x");
  REQUIRE_THROWS_WITH(plan_for({"-d", "/m", "-p", "1"}, "bad_name"), Catch::Contains("--hostname"));
  CHECK(plan_for({"-d", "/m", "-p", "1", "-t", "server"}, "bad_name").collectd_hostname.empty());
}

TEST_CASE("the system collectd is named in the services and the bundle's paths are left out", "[install_plan]") {
  InstallPlan plan = plan_for({"-d", "/srv/mon", "-p", "27600", "-t", "agent", "--system-collectd"});
  CHECK(plan.system_collectd == "/usr/sbin/collectd");
  std::vector<TreeEntry> conf = render_conf(plan, source_templates());
  const TreeEntry* collectd = find(conf, "conf/collectd.conf");
  REQUIRE(collectd);
  CHECK_THAT(collectd->content, !Catch::Contains("PluginDir") && !Catch::Contains("TypesDB"));
  CHECK_THAT(find(conf, "conf/services.ini")->content, Catch::Contains("command = /usr/sbin/collectd -f -C"));
}

TEST_CASE("only files holding a secret are 0600, and they hold both", "[install_plan]") {
  InstallPlan plan = plan_for({"-d", "/srv/mon", "-p", "27600"});
  std::vector<TreeEntry> conf = render_conf(plan, source_templates());
  int secret_files = 0;
  for (const auto& e : conf) {
    if (e.kind != TreeEntry::kFile) continue;
    bool holds = e.content.find("PASSWORDPASSWORD") != std::string::npos || e.content.find("SECRETKEY") != std::string::npos;
    INFO(e.path);
    CHECK(e.mode == (holds ? 0600 : 0644));
    secret_files += holds;
  }
  CHECK(secret_files == 1);
  CHECK_THAT(find(conf, "conf/grafana.ini")->content,
             Catch::Contains("admin_password = PASSWORDPASSWORD") && Catch::Contains("secret_key = SECRETKEYSECRETKEY"));
}

TEST_CASE("the tree of an install has its directories, links into the bundle and env file", "[install_plan]") {
  TempDir dir;
  fs::create_directories(dir.path() / "bundle");
  fs::create_directory_symlink(source_templates(), dir.path() / "bundle" / "templates");
  Bundle bundle(dir.path() / "bundle");
  InstallPlan plan = plan_for({"-d", (dir.path() / "inst").string(), "-p", "27600", "-t", "agent"});
  std::vector<TreeEntry> tree = plan_tree(plan, bundle, "1.2.3");
  for (const char* d : {"conf", "bin", "storage", "run", "storage/collectd", "conf/collectd.d"}) {
    INFO(d);
    REQUIRE(find(tree, d));
    CHECK(find(tree, d)->kind == TreeEntry::kDirectory);
  }
  CHECK_FALSE(find(tree, "storage/whisper"));
  CHECK_FALSE(find(tree, "conf/go-carbon.conf"));
  CHECK(find(tree, "static")->target == bundle.root() / "static");
  CHECK(find(tree, "bin/dkm")->target == bundle.root() / "bin/dkm");
  CHECK(find(tree, "dashboards")->kind == TreeEntry::kSymlink);
  auto env = parse_env_file(find(tree, "bin/env")->content, "env");
  CHECK(env["DKM_HOME"] == (dir.path() / "inst").string());
  CHECK(env["DKM_BUNDLE"] == bundle.root().string());
  CHECK(env["DKM_VERSION"] == "1.2.3");
  CHECK(env["DKM_INSTALL_TYPE"] == "agent");
  CHECK(env["DKM_PORT"] == "27600");
  // Parents come before their children.
  for (size_t i = 0; i < tree.size(); ++i)
    for (size_t j = i + 1; j < tree.size(); ++j) CHECK_FALSE(tree[j].path == tree[i].path.parent_path());
}

TEST_CASE("the collectd plugins a config loads are listed", "[install_plan]") {
  std::vector<TreeEntry> files{
      TreeEntry::file("conf/collectd.conf", "LoadPlugin logfile\n# LoadPlugin commented\n", 0644),
      TreeEntry::file("conf/collectd.d/x.conf", "  LoadPlugin \"cpu\"\n<LoadPlugin df>\n</LoadPlugin>\n", 0644),
      TreeEntry::file("conf/telegraf.conf", "LoadPlugin nothing\n", 0644)};
  CHECK(loaded_collectd_plugins(files) == std::vector<std::string>{"logfile", "cpu", "df"});
}

TEST_CASE("a relay install renders carbon-c-relay's config and service, and nothing else", "[install_plan]") {
  InstallPlan plan = plan_for({"-d", "/srv/r", "-p", "27600", "-t", "relay", "--carbon-backends", "mon1,mon2:2003"});
  std::vector<TreeEntry> conf = render_conf(plan, source_templates());
  std::vector<std::string> files;
  for (const auto& e : conf) files.push_back(e.path.string());
  CHECK(files == std::vector<std::string>{"conf/carbon-c-relay.conf", "conf/services.ini"});
  const TreeEntry* relay = find(conf, "conf/carbon-c-relay.conf");
  REQUIRE(relay != nullptr);
  CHECK_THAT(relay->content, Catch::Contains("        0.0.0.0:27601 proto tcp\n        0.0.0.0:27601 proto udp\n"));
  CHECK_THAT(relay->content, Catch::Contains("    fnv1a_ch\n        mon1:27601\n        mon2:2003\n    ;"));
  const TreeEntry* services = find(conf, "conf/services.ini");
  REQUIRE(services != nullptr);
  CHECK_THAT(services->content, Catch::Contains("[program:carbon-c-relay]\ncommand = %(ENV_DKM_BUNDLE)s/bin/carbon-c-relay -f "
                                                "%(ENV_DKM_HOME)s/conf/carbon-c-relay.conf\n"));
  CHECK_THAT(services->content, Catch::Contains("ready = tcp:127.0.0.1:27601\n"));
  CHECK(storage_dirs(plan).empty());
}
