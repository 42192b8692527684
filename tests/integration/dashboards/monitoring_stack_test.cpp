// Issue 18, item 4: the stack watches itself. What CI can check without go-carbon and
// carbonapi (monitoring_stack_real_test.cpp runs them): the Monitoring stack dashboard
// explains every panel and reads every part of the write and read path; the configs the
// installer renders make go-carbon and carbonapi report, every minute, under the names
// the dashboard and the stack's alert rules read, carbonapi to the go-carbon beside it
// (a query front, which has none, reports nothing); the alert rules' windows cover
// enough of those minutes.
#include "dashboard_checks.hpp"
#include "dashboards_fixture.hpp"
#include "stack_metrics.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>
#include <yaml-cpp/yaml.h>

#include <regex>

using namespace dkm;
using namespace dkm::test;

namespace {

/// An install of `type` from a test bundle holding the shipped dashboards.
struct Installed {
  TempDir tmp{"dkm-stack-"};
  TestBundle bundle = make_dashboards_bundle(tmp.path() / "dkumonitor-1.0.0");
  dkm::InstallLayout layout{tmp.path() / "inst"};
  int port = free_port_block();

  Installed(const std::string& type, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"-d", layout.root().string(), "-p", std::to_string(port), "-t", type};
    if (type == "all" || type == "backend-agent") args.insert(args.end(), {"--hostname", kCollectdHostname});
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult installed = run_installer(bundle, args);
    if (!installed.ok()) throw Error("installer: " + installed.output);
  }
  YAML::Node carbonapi() const { return YAML::LoadFile((layout.conf() / "carbonapi.yaml").string()); }
  toml::table go_carbon() const { return toml::parse_file((layout.conf() / "go-carbon.conf").string()); }
};

/// Seconds of a Go duration as go-carbon and carbonapi write them ("1m0s", "60s").
int go_duration_seconds(const std::string& text) {
  std::smatch m;
  if (!std::regex_match(text, m, std::regex("(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?")) || text.empty())
    throw Error("not a duration: " + text);
  auto part = [&](int i) { return m[i].matched ? std::stoi(m[i].str()) : 0; };
  return part(1) * 3600 + part(2) * 60 + part(3);
}

}  // namespace

TEST_CASE("the Monitoring stack dashboard explains every panel and reads the write and the read path",
          "[dashboards][stack]") {
  dkm::test::Dashboard d = shipped_dashboard(kStackDashboardUid);
  CHECK(d.title == "Monitoring stack");
  nlohmann::json doc = nlohmann::json::parse(read_file(d.name));
  CHECK(doc.value("description", "").size() > 40);
  for (const auto& v : doc["templating"]["list"]) CHECK(v.value("description", "").size() > 20);
  for (const auto& panel : doc["panels"]) {
    if (panel["type"] == "row") continue;
    INFO(panel["title"]);
    CHECK(panel.value("description", "").size() > 40);
    CHECK_FALSE(panel.value("targets", nlohmann::json::array()).empty());
  }

  // Every series is go-carbon's (carbon.agents.HOST) or carbonapi's (carbon.api.HOST), through the variables.
  std::string every_path;
  for (const auto& target : d.targets)
    for (const auto& path : dkm::test::graphite_series_paths(target.expression)) {
      INFO(target.panel << ": " << path);
      CHECK((path.rfind("carbon.agents.$carbon.", 0) == 0 || path.rfind("carbon.api.$api.", 0) == 0));
      every_path += path + "\n";
    }
  // go-carbon: received, committed, cache size, overflow, queue write-out time, files
  // created; carbonapi: requests, latency, errors, cache hits.
  for (const char* read : {".{tcp,udp}.metricsReceived", ".persister.committedPoints", ".cache.size",
                           ".cache.overflow", ".cache.queueWriteoutTime", ".persister.created", "$api.requests\n",
                           "$api.{requests_in_100ms", "$api.requests_status_code.", "$api.zipper.{find_errors",
                           "{request_cache_hits,"}) {
    INFO(read);
    CHECK(every_path.find(read) != std::string::npos);
  }
}

TEST_CASE("go-carbon and carbonapi report every minute under the names the dashboard and the alert rules read",
          "[dashboards][stack][provisioning]") {
  Installed all("all");
  toml::table gc = all.go_carbon();
  YAML::Node api = all.carbonapi();

  // go-carbon: carbon.agents.HOST.*, every minute, into its own cache.
  std::string agents = gc["common"]["graph-prefix"].value_or(std::string());
  CHECK(agents == "carbon.agents.{host}");
  CHECK(gc["common"]["metric-endpoint"].value_or(std::string()) == "local");
  int interval = go_duration_seconds(gc["common"]["metric-interval"].value_or(std::string()));
  CHECK(interval == 60);

  // carbonapi: carbon.api.HOST.*, as often, to go-carbon's carbon port, HTTP statuses counted.
  YAML::Node graphite = api["graphite"];
  CHECK(graphite["host"].as<std::string>() == "127.0.0.1:" + std::to_string(all.port + 1));
  std::string pattern = replace_every(graphite["pattern"].as<std::string>(), "{prefix}", graphite["prefix"].as<std::string>());
  CHECK(pattern == "carbon.api.{fqdn}");
  CHECK(go_duration_seconds(graphite["interval"].as<std::string>()) == interval);
  CHECK(api["upstreams"]["extendedStat"].as<bool>());

  // The dashboard's variables list exactly those hosts.
  dkm::test::Dashboard d = shipped_dashboard(kStackDashboardUid);
  REQUIRE(d.variables.size() == 2);
  CHECK(d.variables[0].query == replace_every(agents, "{host}", "*"));
  CHECK(d.variables[1].query == replace_every(pattern, "{fqdn}", "*"));

  // The stack's rules read go-carbon's names, over enough of its intervals to see a value.
  for (const auto& rule : stack_alert_rules()) {
    INFO(rule.title << ": " << rule.target);
    CHECK(rule.from_seconds >= 3 * interval);
    if (!reads_stack_metrics(rule.target)) continue;
    for (const auto& path : dkm::test::graphite_series_paths(rule.target))
      CHECK(path.rfind(replace_every(agents, "{host}", "*") + ".", 0) == 0);
  }
}

TEST_CASE("carbonapi reports to the go-carbon beside it, and a query front, which has none, reports nothing",
          "[dashboards][stack][provisioning]") {
  SECTION("a backend whose carbon listens on a chosen address") {
    Installed backend("backend-agent", {"--carbon-listen", "127.0.0.2"});
    CHECK(backend.carbonapi()["graphite"]["host"].as<std::string>() == "127.0.0.2:" + std::to_string(backend.port + 1));
    CHECK(backend.go_carbon()["tcp"]["listen"].value_or(std::string()) ==
          "127.0.0.2:" + std::to_string(backend.port + 1));
  }
  SECTION("a server") {
    Installed server("server");
    CHECK(server.carbonapi()["graphite"]["host"].as<std::string>() == "127.0.0.1:" + std::to_string(server.port + 1));
  }
  SECTION("a query front") {
    Installed front("frontend", {"--backends", "b1.example:27603,b2.example:27603"});
    CHECK(front.carbonapi()["graphite"]["host"].as<std::string>().empty());
    CHECK_FALSE(fs::exists(front.layout.conf() / "go-carbon.conf"));
  }
}
