// The installer's cluster topology: agents sending to a remote backend,
// backends exposing their carbonserver, a query front whose carbonapi reads them all,
// and Grafana reading the right carbonapi. Flags, plan, rendered configs, summary.
#include <catch2/catch.hpp>

#include "installer_command_line.hpp"

#include <dkm/core/temp_dir.hpp>
#include <dkm/install/install.hpp>
#include <dkm/install/summary.hpp>
#include <dkm/install/plan.hpp>

#include <yaml-cpp/yaml.h>

#include "test_support.hpp"

using namespace dkm;
using namespace dkm::install;

namespace {

/// The installer's command line, parsed and checked as the installer does it.
InstallOptions parse(std::vector<std::string> args) { return installer::parse_installer_command_line(args).options; }

InstallPlan plan_for(std::vector<std::string> args) {
  return make_plan(parse(std::move(args)), HostFacts{"front.example.com", {}}, "PASSWORDPASSWORD", "SECRETKEYSECRETKEY");
}

/// The rendered file at `path` (relative to DIR) of an install with `args`.
std::string rendered(const std::vector<std::string>& args, const std::string& path) {
  for (const auto& e : render_conf(plan_for(args), test::source_dir() / "dist" / "templates"))
    if (e.path == path) return e.content;
  FAIL("not rendered: " << path);
  return {};
}

std::vector<std::string> carbonapi_servers(const std::string& yaml) {
  std::vector<std::string> out;
  for (const auto& s : YAML::Load(yaml)["upstreams"]["backendsv2"]["backends"][0]["servers"]) out.push_back(s.as<std::string>());
  return out;
}

const std::vector<std::string> kFront{"-d", "/srv/mon", "-p", "27600", "-t", "frontend", "--backends",
                                      "10.0.0.2:27603,10.0.0.3:27603"};

}  // namespace

TEST_CASE("a frontend given --backends is a query front: carbonapi over them, Grafana reading it", "[install_cluster]") {
  InstallOptions opt = parse(kFront);
  CHECK(opt.services == std::vector<std::string>{"carbonapi", "grafana"});
  InstallPlan plan = plan_for(kFront);
  CHECK(plan.has("carbonapi"));
  CHECK_FALSE(plan.has("go-carbon"));
  CHECK(plan.carbonapi_url == "http://127.0.0.1:27602");
  CHECK(carbonapi_servers(rendered(kFront, "conf/carbonapi.yaml")) ==
        std::vector<std::string>{"http://10.0.0.2:27603", "http://10.0.0.3:27603"});
  YAML::Node ds = YAML::Load(rendered(kFront, "conf/grafana/provisioning/datasources/dkumonitor.yaml"));
  CHECK(ds["datasources"][0]["url"].as<std::string>() == "http://127.0.0.1:27602");
  std::string services = rendered(kFront, "conf/services.ini");
  CHECK_THAT(services, Catch::Contains("[program:carbonapi]") && Catch::Contains("[program:grafana]") &&
                           !Catch::Contains("[program:go-carbon]"));

  // carbonapi bound to one address: Grafana reads it there.
  std::vector<std::string> bound = kFront;
  bound.insert(bound.end(), {"--carbonapi-listen", "10.0.0.1"});
  CHECK(plan_for(bound).carbonapi_url == "http://10.0.0.1:27602");

  // Without --backends a frontend stays Grafana alone, reading a remote carbonapi.
  CHECK(parse({"-d", "/m", "-p", "27600", "-t", "frontend"}).services == std::vector<std::string>{"grafana"});
  CHECK(plan_for({"-d", "/m", "-p", "27600", "-t", "frontend", "--carbon-server", "mon"}).carbonapi_url ==
        "http://mon:27602");
  REQUIRE_THROWS_WITH(parse({"-d", "/m", "-p", "27600", "-t", "frontend", "--carbonapi-listen", "10.0.0.1"}),
                      Catch::Contains("--carbonapi-listen") && Catch::Contains("--backends"));
}

TEST_CASE("a server's --backends replaces its own backend, and the summary says so", "[install_cluster]") {
  std::vector<std::string> args{"-d", "/srv/mon", "-p", "27600", "-t", "server", "--backends", "b1:27603,b2:27603"};
  CHECK(carbonapi_servers(rendered(args, "conf/carbonapi.yaml")) ==
        std::vector<std::string>{"http://b1:27603", "http://b2:27603"});
  InstallResult r{plan_for(args), "1.0.0", "/b"};
  CHECK_THAT(install_summary(r), Catch::Contains("reading 2 backend(s): b1:27603, b2:27603") &&
                                     Catch::Contains("own go-carbon") && Catch::Contains("not among them"));

  // Listed (through loopback, or at the address it listens on): no note.
  args.back() = "b1:27603,127.0.0.1:27603";
  CHECK_THAT(install_summary({plan_for(args), "1.0.0", "/b"}), !Catch::Contains("not among them"));
  CHECK_THAT(install_summary({plan_for({"-d", "/m", "-p", "27600", "-t", "server"}), "1.0.0", "/b"}),
             Catch::Contains("reading 1 backend(s): 127.0.0.1:27603") && !Catch::Contains("not among them"));
  CHECK_THAT(install_summary({plan_for({"-d", "/m", "-p", "27600", "-t", "backend", "--carbonserver-listen", "10.0.0.2",
                                        "--backends", "10.0.0.2:27603,10.0.0.3:27603"}),
                              "1.0.0", "/b"}),
             !Catch::Contains("not among them") && Catch::Contains("list it in the query front's --backends"));
}

TEST_CASE("a backend's carbonserver listens where the front can reach it", "[install_cluster]") {
  std::vector<std::string> args{"-d", "/srv/mon", "-p", "27600", "-t", "backend", "--carbonserver-listen", "10.0.0.2"};
  InstallPlan plan = plan_for(args);
  CHECK(template_values(plan)["carbonserver_listen"] == "10.0.0.2:27603");
  // Its own carbonapi reads it at that address (a listener bound to one address has no loopback).
  CHECK(carbonapi_servers(rendered(args, "conf/carbonapi.yaml")) == std::vector<std::string>{"http://10.0.0.2:27603"});
  CHECK_THAT(install_summary({plan, "1.0.0", "/b"}), Catch::Contains("carbonserver 10.0.0.2:27603"));
  // The default stays on loopback, and the summary says how to open it.
  CHECK_THAT(install_summary({plan_for({"-d", "/m", "-p", "27600", "-t", "backend"}), "1.0.0", "/b"}),
             Catch::Contains("carbonserver 127.0.0.1:27603") && Catch::Contains("--carbonserver-listen IP"));
  // IPv6, and a port of its own outside the ten.
  InstallOptions v6 = parse({"-d", "/m", "-p", "27600", "-t", "backend", "--carbonserver-listen", "[fd00::2]:9103"});
  CHECK(v6.carbonserver_listen.text == "fd00::2");
  CHECK(v6.carbonserver_port == 9103);
}

TEST_CASE("an agent sends to its backend's carbon port", "[install_cluster]") {
  std::vector<std::string> args{"-d", "/m", "-p", "27600", "-t", "agent", "--carbon-server", "10.0.0.2", "--hostname", "a1.example"};
  CHECK(plan_for(args).carbon_target.str() == "10.0.0.2:27601");
  std::string wg = rendered(args, "conf/collectd.d/write_graphite.conf");
  CHECK_THAT(wg, Catch::Contains("Host \"10.0.0.2\"") && Catch::Contains("Port \"27601\""));
}

TEST_CASE("bad topology values are usage errors naming the flag", "[install_cluster]") {
  const std::vector<std::string> base{"-d", "/m", "-p", "27600"};
  auto refused = [&](std::vector<std::string> extra, std::vector<std::string> culprits) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    INFO(join(args, " "));
    try {
      parse(args);
      FAIL("accepted");
    } catch (const UsageError& e) {
      for (const auto& c : culprits) CHECK_THAT(e.what(), Catch::Contains(c));
    }
  };
  // --backends
  refused({"-t", "server", "--backends", ""}, {"--backends", "empty"});
  refused({"-t", "server", "--backends", "b1:27603,"}, {"--backends", "empty entry"});
  refused({"-t", "server", "--backends", "b1"}, {"--backends", "port"});
  refused({"-t", "server", "--backends", "b1:http"}, {"--backends", "'http'"});
  refused({"-t", "server", "--backends", "b1:70000"}, {"--backends", "1-65535"});
  refused({"-t", "server", "--backends", "bad_host:27603"}, {"--backends", "bad_host"});
  refused({"-t", "server", "--backends", "0.0.0.0:27603"}, {"--backends", "wildcard"});
  refused({"-t", "server", "--backends", "[::]:27603"}, {"--backends", "wildcard"});
  refused({"-t", "server", "--backends", "b1:27603,B1:27603"}, {"--backends", "listed twice"});
  refused({"-t", "server", "--backends", "127.0.0.1:27601"}, {"--backends", "PORT+1", "27603"});
  refused({"-t", "agent", "--backends", "b1:27603"}, {"--backends", "agent"});
  refused({"-t", "frontend", "--backends", "b1:27603", "--carbon-server", "mon"}, {"--backends", "--carbon-server"});
  // --carbon-server
  refused({"-t", "agent", "--carbon-server", "0.0.0.0"}, {"--carbon-server", "wildcard"});
  refused({"-t", "agent", "--carbon-server", "mon:"}, {"--carbon-server", "no port"});
  refused({"-t", "agent", "--carbon-server", "mon:0"}, {"--carbon-server", "1-65535"});
  refused({"-t", "backend", "--carbon-server", "mon"}, {"--carbon-server", "-t agent"});
  // --carbonserver-listen
  refused({"-t", "backend", "--carbonserver-listen", "backend1.example"}, {"--carbonserver-listen", "not an IP"});
  refused({"-t", "backend", "--carbonserver-listen", "10.0.0.2:27602"}, {"--carbonserver-listen", "PORT+2"});
  refused({"-t", "backend", "--carbonserver-listen", "10.0.0.2:"}, {"--carbonserver-listen", "no port"});
  refused({"-t", "frontend", "--carbonserver-listen", "10.0.0.2"}, {"--carbonserver-listen", "go-carbon"});
  refused({"-t", "agent", "--carbonserver-listen", "10.0.0.2"}, {"--carbonserver-listen", "go-carbon"});
}

TEST_CASE("update mode refuses every topology flag", "[install_cluster]") {
  for (std::vector<std::string> extra : {std::vector<std::string>{"--backends", "b1:27603"},
                                         {"--carbonserver-listen", "10.0.0.2"},
                                         {"--carbon-server", "mon"}}) {
    std::vector<std::string> args{"-u", "-d", "/srv/mon"};
    args.insert(args.end(), extra.begin(), extra.end());
    REQUIRE_THROWS_WITH(parse(args), Catch::Contains("-u/--update") && Catch::Contains(extra[0]));
  }
}

TEST_CASE("an update checks the bundle for every service the services file runs", "[install_cluster]") {
  TempDir dir;
  InstallLayout layout(dir.path());
  fs::create_directories(layout.conf());
  const InstallType& frontend = find_install_type("frontend");
  write_file_atomic(layout.services_file(), "# a query front\n[program:carbonapi]\ncommand = x\n\n[program:grafana]\ncommand = y\n"
                                            "#[program:telegraf]\n");
  CHECK(installed_services(layout, frontend) == std::vector<std::string>{"carbonapi", "grafana"});
  write_file_atomic(layout.services_file(), "[program:grafana]\ncommand = y\n");
  CHECK(installed_services(layout, frontend) == std::vector<std::string>{"grafana"});
  write_file_atomic(layout.services_file(), "[program:grafana]\ncommand = y\n[program:grafana]\n");  // not INI any more
  CHECK(installed_services(layout, frontend) == std::vector<std::string>{"grafana"});
  fs::remove(layout.services_file());
  CHECK(installed_services(layout, find_install_type("backend")) == std::vector<std::string>{"go-carbon", "carbonapi"});
}

TEST_CASE("the installer's --help documents the topology flags and the query front", "[install_cluster]") {
  std::string usage = installer::installer_usage();
  CHECK_THAT(usage, Catch::Contains("--backends") && Catch::Contains("query front") &&
                        Catch::Contains("(and carbonapi with --backends)") && Catch::Contains("--carbonserver-listen"));
}
