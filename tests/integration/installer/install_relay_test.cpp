// The relay install type. `-t relay --carbon-backends ...` installs
// carbon-c-relay only; its rendered config is checked by Debian's real carbon-c-relay
// (the bundle's stand-in, kDebianRelay) in its test mode, which prints the configuration it
// parsed and where it routes a metric. Bad values of the new flag exit 2, name it, write nothing.
#include <catch2/catch.hpp>

#include "installer_fixture.hpp"

using namespace dkm;
using namespace dkm::test;
namespace pt = boost::property_tree;

namespace {

/// What carbon-c-relay's test mode (`-t -f CONF`, metric names on stdin) prints: the
/// configuration it parsed, then the route of each metric.
RunResult relay_test_mode(const fs::path& conf, const std::string& metrics) {
  TempDir tmp("dkm-relay-t-");
  write_file_atomic(tmp.path() / "metrics", metrics);
  return run_process({"sh", "-c", "exec \"$0\" -t -f \"$1\" < \"$2\"", kDebianRelay.string(), conf.string(),
                      (tmp.path() / "metrics").string()});
}

}  // namespace

TEST_CASE("a relay install renders a config Debian's carbon-c-relay accepts: every backend, PORT+1 on TCP and UDP",
          "[installer][relay]") {
  require_debian_relay();
  TempDir tmp("dkm-relay-");
  TestBundle bundle = make_test_bundle(tmp.path() / "bundle");
  dkm::InstallLayout L(tmp.path() / "inst");
  const int port = 27600;
  RunResult r = run_installer(bundle, {"-d", L.root().string(), "-p", std::to_string(port), "-t", "relay",
                                       "--carbon-backends", "10.0.0.2,10.0.0.3:2003,[fd00::4]:2103"});
  INFO(r.output);
  REQUIRE(r.ok());
  CHECK_THAT(r.output, Catch::Contains("install type relay: carbon-c-relay"));
  CHECK_THAT(r.output, Catch::Contains("10.0.0.2:27601, 10.0.0.3:2003, [fd00::4]:2103"));

  // carbon-c-relay only: no other service, no other config, no storage.
  pt::ptree ini;
  pt::read_ini(L.services_file().string(), ini);
  std::vector<std::string> programs;
  for (const auto& [section, _] : ini) programs.push_back(section);
  CHECK(programs == std::vector<std::string>{"program:carbon-c-relay"});
  CHECK(ini.get<std::string>("program:carbon-c-relay.ready") == "tcp:127.0.0.1:" + std::to_string(port + 1));
  std::vector<std::string> argv = service_argv(L, "carbon-c-relay");
  REQUIRE(argv.size() == 3);
  CHECK(argv[0] == (bundle.root / "bin/carbon-c-relay").string());
  CHECK(argv[2] == (L.conf() / "carbon-c-relay.conf").string());
  std::vector<std::string> conf_files;
  for (const auto& e : fs::directory_iterator(L.conf())) conf_files.push_back(e.path().filename());
  std::sort(conf_files.begin(), conf_files.end());
  CHECK(conf_files == std::vector<std::string>{"carbon-c-relay.conf", "services.ini"});
  CHECK(fs::is_empty(L.storage()));

  // The relay's own check of the config (-t -t: parse, then exit)...
  RunResult check = run_process({kDebianRelay.string(), "-t", "-t", "-f", (L.conf() / "carbon-c-relay.conf").string()});
  INFO(check.output);
  CHECK(check.ok());
  // ... and what it parsed: the listeners, the consistent-hash cluster of every backend,
  // and a metric's route into it.
  RunResult parsed = relay_test_mode(L.conf() / "carbon-c-relay.conf", "collectd.h.load.load.shortterm 1 1700000000\n");
  INFO(parsed.output);
  REQUIRE(parsed.ok());
  const std::string p1 = std::to_string(port + 1);
  CHECK_THAT(parsed.output, Catch::Contains("0.0.0.0:" + p1 + " proto tcp"));
  CHECK_THAT(parsed.output, Catch::Contains("0.0.0.0:" + p1 + " proto udp"));
  CHECK_THAT(parsed.output, Catch::Contains("cluster backends\n    fnv1a_ch replication 1\n        10.0.0.2:" + p1 +
                                            "\n        10.0.0.3:2003\n        [fd00::4]:2103\n    ;"));
  CHECK_THAT(parsed.output, Catch::Contains("* -> collectd.h.load.load.shortterm\n    fnv1a_ch(backends)"));

  // --carbon-listen moves the relay's listeners.
  dkm::InstallLayout L2(tmp.path() / "inst2");
  RunResult r2 = run_installer(bundle, {"-d", L2.root().string(), "-p", std::to_string(port), "-t", "relay",
                                        "--carbon-listen", "127.0.0.2", "--carbon-backends", "mon1"});
  INFO(r2.output);
  REQUIRE(r2.ok());
  CHECK_THAT(read_file(L2.conf() / "carbon-c-relay.conf"), Catch::Contains("127.0.0.2:" + p1 + " proto tcp"));
  pt::ptree ini2;
  pt::read_ini(L2.services_file().string(), ini2);
  CHECK(ini2.get<std::string>("program:carbon-c-relay.ready") == "tcp:127.0.0.2:" + p1);
}

TEST_CASE("two backends on one host, told apart by port, each get a share of the metrics", "[installer][relay]") {
  // (carbon_ch would hash both to the same member: it ignores the port.)
  require_debian_relay();
  TempDir tmp("dkm-relay-ports-");
  TestBundle bundle = make_test_bundle(tmp.path() / "bundle");
  dkm::InstallLayout L(tmp.path() / "inst");
  RunResult r = run_installer(bundle, {"-d", L.root().string(), "-p", "27600", "-t", "relay", "--carbon-backends",
                                       "10.0.0.2:2003,10.0.0.2:2103"});
  INFO(r.output);
  REQUIRE(r.ok());
  std::string metrics;
  for (int i = 0; i < 100; ++i) metrics += "collectd.host" + std::to_string(i) + ".load.load.shortterm 1 1700000000\n";
  RunResult routes = relay_test_mode(L.conf() / "carbon-c-relay.conf", metrics);
  INFO(routes.output);
  REQUIRE(routes.ok());
  auto routed_to = [&](const std::string& address) {
    const std::string route = "(backends)\n        " + address + "\n";
    int n = 0;
    for (auto at = routes.output.find(route); at != std::string::npos; at = routes.output.find(route, at + 1)) ++n;
    return n;
  };
  int first = routed_to("10.0.0.2:2003"), second = routed_to("10.0.0.2:2103");
  INFO(first << " and " << second << " of 100 metrics");
  CHECK(first + second == 100);
  CHECK(first >= 20);
  CHECK(second >= 20);
}

TEST_CASE("a relay install updates to a new bundle like any other", "[installer][relay][update]") {
  require_debian_relay();
  TempDir tmp("dkm-relay-update-");
  TestBundle old_bundle = make_test_bundle(tmp.path() / "dkumonitor-1.0.0", "1.0.0");
  TestBundle new_bundle = make_test_bundle(tmp.path() / "dkumonitor-2.0.0", "2.0.0");
  dkm::InstallLayout L(tmp.path() / "inst");
  REQUIRE(run_installer(old_bundle, {"-d", L.root().string(), "-p", "27600", "-t", "relay", "--carbon-backends", "mon1,mon2"})
              .ok());
  std::string conf_before = tree_digest(L.conf());
  RunResult up = run_installer(new_bundle, {"-u", "-d", L.root().string()});
  INFO(up.output);
  REQUIRE(up.ok());
  CHECK(tree_digest(L.conf()) == conf_before);
  CHECK(dkm::parse_env_file(read_file(L.env_file()), "env")["DKM_BUNDLE"] == new_bundle.root.string());
  CHECK(service_argv(L, "carbon-c-relay")[0] == (new_bundle.root / "bin/carbon-c-relay").string());

  // A bundle without carbon-c-relay cannot run this install: refused, nothing changed.
  TestBundle bare = make_test_bundle(tmp.path() / "dkumonitor-3.0.0", "3.0.0");
  fs::remove(bare.root / "bin/carbon-c-relay");
  std::string before = tree_digest(L.root());
  RunResult refused = run_installer(bare, {"-u", "-d", L.root().string()});
  INFO(refused.output);
  CHECK_FALSE(refused.ok());
  CHECK_THAT(refused.output, Catch::Contains("bin/carbon-c-relay"));
  CHECK(tree_digest(L.root()) == before);
}

TEST_CASE("bad --carbon-backends values: exit 2, the flag named, nothing written", "[installer][relay][bad-input]") {
  BadInputSetup s;
  auto refused = [&](std::vector<std::string> extra, std::vector<std::string> culprits) {
    std::vector<std::string> args{"-d", s.dir.string(), "-p", "27600"};
    args.insert(args.end(), extra.begin(), extra.end());
    expect_refused(s, args, culprits);
  };
  for (int round = 0; round < 2; ++round) {  // DIR absent, then DIR an empty directory
    INFO((round == 0 ? "DIR absent" : "DIR empty"));
    refused({"-t", "relay"}, {"--carbon-backends", "missing"});
    refused({"-t", "agent", "--carbon-backends", "mon1"}, {"--carbon-backends", "agent", "carbon-c-relay"});
    refused({"--carbon-backends", "mon1"}, {"--carbon-backends", "all"});
    refused({"-t", "relay", "--carbon-backends", "mon1,,mon2"}, {"--carbon-backends", "empty entry"});
    refused({"-t", "relay", "--carbon-backends", ""}, {"--carbon-backends", "empty entry"});
    refused({"-t", "relay", "--carbon-backends", "mon1,mon1:27601"}, {"--carbon-backends", "mon1:27601", "listed twice"});
    refused({"-t", "relay", "--carbon-backends", "0.0.0.0"}, {"--carbon-backends", "wildcard"});
    refused({"-t", "relay", "--carbon-backends", "mon1:99999"}, {"--carbon-backends", "1-65535"});
    refused({"-t", "relay", "--carbon-backends", "mon_1"}, {"--carbon-backends", "mon_1"});
    refused({"-t", "relay", "--carbon-backends", "127.0.0.1"}, {"--carbon-backends", "PORT+1", "itself"});
    refused({"-t", "relay", "--carbon-backends", "mon1", "--hostname", "h.example.com"}, {"--hostname", "relay"});
    refused({"-t", "relay", "--carbon-backends", "mon1", "--carbon-server", "mon2"}, {"--carbon-server"});
    fs::create_directories(s.dir);
  }
}

TEST_CASE("the installer's --help documents the relay type and --carbon-backends", "[installer][relay]") {
  TempDir tmp("dkm-relay-help-");
  TestBundle bundle = make_test_bundle(tmp.path() / "bundle");
  RunResult help = run_installer(bundle, {"--help"});
  REQUIRE(help.ok());
  CHECK_THAT(help.output, Catch::Contains("--carbon-backends HOST[:PORT],..."));
  CHECK_THAT(help.output, Catch::Contains("  relay          carbon-c-relay only"));
  CHECK_THAT(help.output, Catch::Contains("services: carbon-c-relay"));
}
