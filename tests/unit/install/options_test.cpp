// install/options: the installer's flags, install types and their checks.
#include <catch2/catch.hpp>

#include "installer_command_line.hpp"

#include <dkm/install/options.hpp>

#include <climits>

using namespace dkm;
using namespace dkm::install;

namespace {
/// The installer's command line, parsed and checked as the installer does it.
InstallOptions parse(std::vector<std::string> args) { return installer::parse_installer_command_line(args).options; }
}  // namespace

TEST_CASE("install types run exactly their services", "[install_options]") {
  auto services = [](const std::string& t) { return find_install_type(t).services; };
  using V = std::vector<std::string>;
  CHECK(services("all") == V{"go-carbon", "carbonapi", "grafana", "collectd"});
  CHECK(services("agent") == V{"collectd"});
  CHECK(services("server") == V{"go-carbon", "carbonapi", "grafana"});
  CHECK(services("backend") == V{"go-carbon", "carbonapi"});
  CHECK(services("frontend") == V{"grafana"});
  CHECK(services("backend-agent") == V{"go-carbon", "carbonapi", "collectd"});
  CHECK(services("relay") == V{"carbon-c-relay"});
  REQUIRE_THROWS_WITH(find_install_type("everything"),
                      Catch::Contains("-t/--type") && Catch::Contains("'everything'") && Catch::Contains("backend-agent"));
}

TEST_CASE("a plain install takes -d and -p, and the type defaults to all", "[install_options]") {
  InstallOptions opt = parse({"-d", "/srv/mon/", "-p", "27600"});
  CHECK(opt.directory == "/srv/mon");
  CHECK(opt.ports->base() == 27600);
  CHECK(opt.type->name == "all");
  CHECK_FALSE(opt.update);
  CHECK(opt.carbon_listen.text == "0.0.0.0");
  CHECK(opt.carbonapi_listen.text == "0.0.0.0");
  CHECK(opt.carbonserver_listen.text == "127.0.0.1");
  CHECK(opt.carbonserver_port == 27603);
  CHECK(opt.backends.empty());
  CHECK_FALSE(opt.hostname);
  CHECK(parse({"--directory=rel/dir", "--port=2000", "--type=agent"}).directory == fs::absolute("rel/dir"));
}

TEST_CASE("missing and malformed flags are usage errors naming the flag", "[install_options]") {
  REQUIRE_THROWS_AS(parse({"-p", "27600"}), UsageError);
  REQUIRE_THROWS_WITH(parse({"-p", "27600"}), Catch::Contains("-d/--directory"));
  REQUIRE_THROWS_WITH(parse({"-d", "/x"}), Catch::Contains("-p/--port"));
  REQUIRE_THROWS_WITH(parse({"-d", "/x", "-p", "port"}), Catch::Contains("-p/--port") && Catch::Contains("'port'"));
  REQUIRE_THROWS_WITH(parse({"-d", "/x", "-p", "27600", "--frobnicate"}), Catch::Contains("--frobnicate"));
  REQUIRE_THROWS_WITH(parse({"-d", "/x", "-p", "27600", "stray"}), Catch::Contains("'stray'"));
  REQUIRE_THROWS_WITH(parse({"-d", "/x", "-p", "1", "-p", "2"}), Catch::Contains("port"));
  REQUIRE_THROWS_WITH(parse({"-d", "/x", "-p"}), Catch::Contains("port"));
  REQUIRE_THROWS_WITH(parse({"-d", "", "-p", "1"}), Catch::Contains("-d/--directory") && Catch::Contains("empty"));
  REQUIRE_THROWS_WITH(parse({"-d", "/", "-p", "1"}), Catch::Contains("root directory"));
  REQUIRE_THROWS_WITH(parse({"-d", "/srv/my mon", "-p", "1"}), Catch::Contains("-d/--directory") && Catch::Contains("' '"));
  REQUIRE_THROWS_WITH(parse({"-d", "/srv/$HOME", "-p", "1"}), Catch::Contains("'$'"));
  // No guessing of abbreviated long flags: an exact name or an error.
  REQUIRE_THROWS_WITH(parse({"--dir", "/x", "-p", "1"}), Catch::Contains("--dir"));
}

TEST_CASE("update mode takes -d alone", "[install_options]") {
  InstallOptions opt = parse({"-u", "-d", "/srv/mon"});
  CHECK(opt.update);
  CHECK_FALSE(opt.ports);
  REQUIRE_THROWS_WITH(parse({"-u", "-d", "/srv/mon", "-p", "27600"}),
                      Catch::Contains("-u/--update") && Catch::Contains("-p/--port"));
  REQUIRE_THROWS_WITH(parse({"-u", "-d", "/srv/mon", "-t", "agent"}), Catch::Contains("-t/--type"));
  REQUIRE_THROWS_WITH(parse({"-u", "-d", "/srv/mon", "--system-collectd"}), Catch::Contains("--system-collectd"));
  REQUIRE_THROWS_WITH(parse({"-u", "-d", "/srv/mon", "--hostname", "a.b"}), Catch::Contains("--hostname"));
  REQUIRE_THROWS_WITH(parse({"-u"}), Catch::Contains("-d/--directory"));
}

TEST_CASE("a directory whose name is longer than a file name may be is bad input naming it", "[install_options]") {
  const std::string longest(NAME_MAX, 'd'), too_long(NAME_MAX + 1, 'd');
  CHECK(path_problem("/srv/" + longest).empty());
  CHECK_THAT(path_problem("/srv/" + too_long + "/x"), Catch::Contains("'" + too_long + "'") && Catch::Contains("255"));
  CHECK_THAT(path_problem(std::string(PATH_MAX, 'd')), Catch::Contains("more than a path may have"));
  REQUIRE_THROWS_WITH(parse({"-d", "/srv/" + too_long, "-p", "27600"}),
                      Catch::StartsWith("-d/--directory: '/srv/" + too_long + "'"));
}

TEST_CASE("listen addresses must be IP addresses", "[install_options]") {
  InstallOptions opt = parse({"-d", "/x", "-p", "27600", "--carbon-listen", "10.0.0.1", "--carbonapi-listen", "::"});
  CHECK(opt.carbon_listen.text == "10.0.0.1");
  CHECK(opt.carbonapi_listen.v6);
  REQUIRE_THROWS_WITH(parse({"-d", "/x", "-p", "27600", "--carbon-listen", "localhost"}),
                      Catch::Contains("--carbon-listen") && Catch::Contains("'localhost'"));
  REQUIRE_THROWS_WITH(parse({"-d", "/x", "-p", "27600", "--carbonapi-listen", "1.2.3.4.5"}),
                      Catch::Contains("--carbonapi-listen"));
}

TEST_CASE("a flag for a service the type does not run is refused", "[install_options]") {
  REQUIRE_THROWS_WITH(parse({"-d", "/x", "-p", "1", "-t", "agent", "--carbon-listen", "0.0.0.0"}),
                      Catch::Contains("--carbon-listen") && Catch::Contains("agent"));
  REQUIRE_THROWS_WITH(parse({"-d", "/x", "-p", "1", "-t", "server", "--hostname", "a.b"}),
                      Catch::Contains("--hostname") && Catch::Contains("collectd"));
  REQUIRE_THROWS_WITH(parse({"-d", "/x", "-p", "1", "-t", "frontend", "--system-collectd"}),
                      Catch::Contains("--system-collectd"));
  REQUIRE_THROWS_WITH(parse({"-d", "/x", "-p", "1", "-t", "agent", "--backends", "a:1"}), Catch::Contains("--backends"));
  REQUIRE_THROWS_WITH(parse({"-d", "/x", "-p", "1", "--carbon-server", "srv"}),
                      Catch::Contains("--carbon-server") && Catch::Contains("-t agent"));
  CHECK(parse({"-d", "/x", "-p", "1", "-t", "agent", "--carbon-server", "srv"}).carbon_server->host == "srv");
  CHECK(parse({"-d", "/x", "-p", "1", "-t", "frontend", "--carbon-server", "srv:8080"}).carbon_server->port == 8080);
}

TEST_CASE("hostname, backends and carbonserver address are checked", "[install_options]") {
  CHECK(*parse({"-d", "/x", "-p", "1", "--hostname", "h.example.com"}).hostname == "h.example.com");
  REQUIRE_THROWS_WITH(parse({"-d", "/x", "-p", "1", "--hostname", ""}), Catch::Contains("--hostname") && Catch::Contains("empty"));
  REQUIRE_THROWS_WITH(parse({"-d", "/x", "-p", "1", "--hostname", "bad_name"}), Catch::Contains("--hostname"));

  InstallOptions opt = parse({"-d", "/x", "-p", "27600", "-t", "server", "--backends", "b1:27603, 10.0.0.2:2103,[fd00::1]:9"});
  REQUIRE(opt.backends.size() == 3);
  CHECK(opt.backends[0].str() == "b1:27603");
  CHECK(opt.backends[1].str() == "10.0.0.2:2103");
  CHECK(opt.backends[2].str() == "[fd00::1]:9");
  REQUIRE_THROWS_WITH(parse({"-d", "/x", "-p", "1", "--backends", "b1"}), Catch::Contains("--backends") && Catch::Contains("port"));
  REQUIRE_THROWS_WITH(parse({"-d", "/x", "-p", "1", "--backends", "b1:1,,b2:2"}), Catch::Contains("empty entry"));

  opt = parse({"-d", "/x", "-p", "27600", "-t", "backend", "--carbonserver-listen", "10.0.0.9"});
  CHECK(opt.carbonserver_listen.text == "10.0.0.9");
  CHECK(opt.carbonserver_port == 27603);
  CHECK(parse({"-d", "/x", "-p", "27600", "--carbonserver-listen", "10.0.0.9:8080"}).carbonserver_port == 8080);
  REQUIRE_THROWS_WITH(parse({"-d", "/x", "-p", "27600", "--carbonserver-listen", "10.0.0.9:27601"}),
                      Catch::Contains("--carbonserver-listen") && Catch::Contains("PORT+1"));
  REQUIRE_THROWS_WITH(parse({"-d", "/x", "-p", "27600", "--carbonserver-listen", "name.example"}),
                      Catch::Contains("--carbonserver-listen") && Catch::Contains("not an IP"));
}

TEST_CASE("help and version need no other flag", "[install_options]") {
  CHECK(installer::parse_installer_command_line({"--help"}).help);
  CHECK(installer::parse_installer_command_line({"-h"}).help);
  CHECK(installer::parse_installer_command_line({"--version"}).version);
  std::string usage = installer::installer_usage();
  for (const char* flag : {"--directory", "--port", "--type", "--update", "--carbon-listen", "--carbonapi-listen",
                           "--carbonserver-listen", "--backends", "--carbon-server", "--hostname", "--system-collectd",
                           "--help", "backend-agent", "PORT+1", "PORT+2", "PORT+3"})
    CHECK_THAT(usage, Catch::Contains(flag));
}

TEST_CASE("a relay shards over --carbon-backends, on the carbon port PORT+1 unless told", "[install_options]") {
  InstallOptions opt = parse({"-d", "/srv/r", "-p", "27600", "-t", "relay", "--carbon-backends", "mon1, 10.0.0.2:2003,[fd00::1]"});
  REQUIRE(opt.carbon_backends.size() == 3);
  CHECK(opt.carbon_backends[0].str() == "mon1:27601");
  CHECK(opt.carbon_backends[1].str() == "10.0.0.2:2003");
  CHECK(opt.carbon_backends[2].str() == "[fd00::1]:27601");
  CHECK(opt.services == std::vector<std::string>{"carbon-c-relay"});
  CHECK(parse({"-d", "/srv/r", "-p", "27600", "-t", "relay", "--carbon-backends", "m", "--carbon-listen", "10.0.0.9"})
            .carbon_listen.text == "10.0.0.9");
  // A loopback backend outside the ten ports is another install on this host: allowed.
  CHECK(parse({"-d", "/srv/r", "-p", "27600", "-t", "relay", "--carbon-backends", "127.0.0.1:27701"}).carbon_backends.size() == 1);
  REQUIRE_THROWS_WITH(parse({"-d", "/srv/r", "-p", "27600", "-t", "relay"}),
                      Catch::StartsWith("--carbon-backends is missing"));
  REQUIRE_THROWS_WITH(parse({"-d", "/srv/r", "-p", "27600", "-t", "backend", "--carbon-backends", "m"}),
                      Catch::StartsWith("--carbon-backends") && Catch::Contains("backend install runs no carbon-c-relay"));
  REQUIRE_THROWS_WITH(parse({"-d", "/srv/r", "-p", "27600", "-t", "relay", "--carbon-backends", "localhost:27601"}),
                      Catch::StartsWith("--carbon-backends: localhost:27601") && Catch::Contains("itself"));
  REQUIRE_THROWS_WITH(parse({"-d", "/srv/r", "-p", "27600", "-t", "relay", "--carbon-backends", "127.0.0.1:27603"}),
                      Catch::Contains("PORT+3") && Catch::Contains("not a go-carbon"));
  REQUIRE_THROWS_WITH(parse({"-d", "/srv/r", "-p", "27600", "-t", "agent", "--carbon-listen", "10.0.0.9"}),
                      Catch::StartsWith("--carbon-listen"));
}
