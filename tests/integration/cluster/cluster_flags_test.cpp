// The installer's topology flags, through the real installer: bad values exit
// with status 2, name the flag and write nothing; a query front installs carbonapi with
// Grafana, and its update needs a bundle with carbonapi.
#include <catch2/catch.hpp>

#include <yaml-cpp/yaml.h>

#include "installer_fixture.hpp"

using namespace dkm;
using namespace dkm::test;
namespace pt = boost::property_tree;

TEST_CASE("bad topology values: exit 2, the flag named, nothing written", "[cluster][bad-input]") {
  BadInputSetup s;
  const std::vector<std::string> base{"-d", s.dir.string(), "-p", "27600"};
  auto refused = [&](std::vector<std::string> extra, std::vector<std::string> culprits) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    expect_refused(s, args, culprits);
  };
  for (int round = 0; round < 2; ++round) {  // DIR absent, then DIR an empty directory
    INFO((round == 0 ? "DIR absent" : "DIR empty"));
    refused({"-t", "server", "--backends", "b1"}, {"--backends", "port"});
    refused({"-t", "server", "--backends", "b1:27603,,b2:27603"}, {"--backends", "empty entry"});
    refused({"-t", "server", "--backends", "0.0.0.0:27603"}, {"--backends", "wildcard"});
    refused({"-t", "server", "--backends", "b1:27603,b1:27603"}, {"--backends", "listed twice"});
    refused({"-t", "server", "--backends", "127.0.0.1:27602"}, {"--backends", "PORT+2"});
    refused({"-t", "server", "--backends", "b_1:27603"}, {"--backends", "b_1"});
    refused({"-t", "agent", "--backends", "b1:27603"}, {"--backends", "agent"});
    refused({"-t", "frontend", "--backends", "b1:27603", "--carbon-server", "mon"}, {"--backends", "--carbon-server"});
    refused({"-t", "frontend", "--carbonapi-listen", "10.0.0.1"}, {"--carbonapi-listen", "--backends"});
    refused({"-t", "agent", "--carbon-server", "[::]"}, {"--carbon-server", "wildcard"});
    refused({"-t", "agent", "--carbon-server", "mon:99999"}, {"--carbon-server", "1-65535"});
    refused({"-t", "server", "--carbon-server", "mon"}, {"--carbon-server", "-t agent"});
    refused({"-t", "backend", "--carbonserver-listen", "mon.example.com"}, {"--carbonserver-listen", "not an IP"});
    refused({"-t", "backend", "--carbonserver-listen", "10.0.0.2:27601"}, {"--carbonserver-listen", "PORT+1"});
    refused({"-t", "agent", "--carbonserver-listen", "10.0.0.2"}, {"--carbonserver-listen", "go-carbon"});
    fs::create_directories(s.dir);
  }
  CHECK(fs::is_empty(s.dir));
  // Update mode takes -d alone: every topology flag is refused, the install left as it was.
  REQUIRE(run_installer(s.bundle, {"-d", s.dir.string(), "-p", "27600", "-t", "backend"}).ok());
  for (std::vector<std::string> extra : {std::vector<std::string>{"--backends", "b1:27603"},
                                         {"--carbonserver-listen", "10.0.0.2"},
                                         {"--carbon-server", "mon"}}) {
    std::vector<std::string> args{"-u", "-d", s.dir.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    expect_refused(s, args, {"-u/--update", extra[0]});
  }
}

TEST_CASE("a query front runs carbonapi and Grafana, and updates only to a bundle that has both", "[cluster]") {
  TempDir tmp{"dkm-front-"};
  TestBundle bundle = make_test_bundle(tmp.path() / "dkumonitor-1.0.0");
  dkm::InstallLayout L(tmp.path() / "front");
  RunResult r = run_installer(bundle, {"-d", L.root().string(), "-p", "27600", "-t", "frontend", "--backends",
                                       "10.0.0.11:27603,10.0.0.12:27603"});
  INFO(r.output);
  REQUIRE(r.ok());
  CHECK_THAT(r.output, Catch::Contains("install type frontend: carbonapi, grafana") &&
                           Catch::Contains("reading 2 backend(s): 10.0.0.11:27603, 10.0.0.12:27603"));
  pt::ptree ini;
  pt::read_ini(L.services_file().string(), ini);
  std::vector<std::string> programs;
  for (const auto& [section, _] : ini) programs.push_back(section);
  CHECK(programs == std::vector<std::string>{"program:carbonapi", "program:grafana"});
  CHECK(ini.get<std::string>("program:carbonapi.ready") == "tcp:127.0.0.1:27602");
  YAML::Node ds = YAML::LoadFile((L.conf() / "grafana/provisioning/datasources/dkumonitor.yaml").string());
  CHECK(ds["datasources"][0]["url"].as<std::string>() == "http://127.0.0.1:27602");
  CHECK(dkm::parse_env_file(read_file(L.env_file()), "env")["DKM_INSTALL_TYPE"] == "frontend");

  // A bundle without carbonapi cannot run this front: the update is refused, nothing changes.
  TestBundle partial = make_test_bundle(tmp.path() / "dkumonitor-1.0.1", "1.0.1");
  fs::remove(partial.root / "bin/carbonapi");
  std::string before = tree_digest(L.root());
  RunResult refused = run_installer(partial, {"-u", "-d", L.root().string()});
  INFO(refused.output);
  CHECK_FALSE(refused.ok());
  CHECK_THAT(refused.output, Catch::Contains("bin/carbonapi"));
  CHECK(tree_digest(L.root()) == before);

  // A complete one is taken; conf/ stays as it was.
  TestBundle next = make_test_bundle(tmp.path() / "dkumonitor-1.0.2", "1.0.2");
  std::string conf_before = tree_digest(L.conf());
  RunResult updated = run_installer(next, {"-u", "-d", L.root().string()});
  INFO(updated.output);
  CHECK(updated.ok());
  CHECK(fs::read_symlink(L.bin() / "dkm") == next.root / "bin/dkm");
  CHECK(tree_digest(L.conf()) == conf_before);
}
