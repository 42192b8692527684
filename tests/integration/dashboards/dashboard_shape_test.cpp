// Every shipped dashboard is provisionable as is: a uid, a title,
// a schema version, and every datasource reference is the provisioned Graphite uid.
// Issue 13: Grafana 12's schema version, variable queries in Grafana's object form, and
// no pattern go-carbon would expand wrong.
#include "dashboard_checks.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace dkm;
using namespace dkm::test;

TEST_CASE("each dashboard has a uid, a title and a schema version, uids unique", "[dashboards]") {
  auto dashboards = shipped_dashboards();
  REQUIRE(dashboards.size() == 4);
  std::set<std::string> uids;
  for (const auto& d : dashboards) {
    INFO(d.name);
    CHECK(!d.uid.empty());
    CHECK(d.uid.size() <= 40);  // Grafana's limit
    CHECK(!d.title.empty());
    // Grafana 12.4's DASHBOARD_SCHEMA_VERSION (public/app/features/dashboard/state/
    // DashboardMigrator.ts), the last of the v1 dashboard model: Grafana migrates nothing.
    CHECK(d.schema_version == 42);
    CHECK(!d.targets.empty());
    uids.insert(d.uid);
  }
  CHECK(uids == std::set<std::string>{"dkumonitor-system", "dkumonitor-dss-host", "dkumonitor-dss-backend",
                                     "dkumonitor-stack"});
}

TEST_CASE("every panel, target and variable uses only the provisioned datasource uid", "[dashboards]") {
  for (const auto& d : shipped_dashboards()) {
    INFO(d.name);
    CHECK(d.datasources.size() >= d.targets.size());
    for (const auto& ref : d.datasources) {
      INFO(ref.where << " = " << ref.text);
      CHECK(ref.uid == kDatasourceUid);
    }
  }
}

TEST_CASE("every target parses as a Graphite expression reading at least one series", "[dashboards]") {
  for (const auto& d : shipped_dashboards()) {
    for (const auto& target : d.targets) {
      INFO(d.name << " " << target.where << ": " << target.expression);
      CHECK_FALSE(dkm::test::graphite_series_paths(target.expression).empty());
    }
  }
}

TEST_CASE("every query variable is in Grafana's object form, a Default query with a target", "[dashboards]") {
  for (const auto& d : shipped_dashboards()) {
    nlohmann::json doc = nlohmann::json::parse(read_file(source_dir() / "dist" / "dashboards" / fs::path(d.name).filename()));
    for (const auto& v : doc["templating"]["list"]) {
      if (v["type"] != "query") continue;
      INFO(d.name << " variable " << v["name"]);
      REQUIRE(v["query"].is_object());
      CHECK(v["query"]["queryType"] == "Default");
      CHECK(v["query"]["refId"] == "A");
      CHECK_FALSE(v["query"]["target"].get<std::string>().empty());
      CHECK(v["definition"] == v["query"]["target"]);
    }
  }
}

TEST_CASE("no brace group nests: go-carbon expands a group to its first closing brace", "[dashboards]") {
  // go-carbon's expandGlobBraces (carbonserver.go) takes {a,{b,c}} as "a" and "{b" then "c}".
  auto nested = [](const std::string& text) {
    int depth = 0;
    for (char c : text) {
      if (c == '{' && ++depth > 1) return true;
      if (c == '}') --depth;
    }
    return false;
  };
  for (const auto& d : shipped_dashboards()) {
    for (const auto& v : d.variables) {
      INFO(d.name << " variable " << v.name << ": " << v.query);
      CHECK_FALSE(nested(v.query));
    }
    for (const auto& target : d.targets)
      for (const auto& path : dkm::test::graphite_series_paths(target.expression)) {
        INFO(d.name << " " << target.where << ": " << path);
        CHECK_FALSE(nested(path));
      }
  }
}

TEST_CASE("the DSS lists skip the collectd tree and nothing else, the host lists skip one-node hosts' series",
          "[dashboards]") {
  // go-carbon walks its index node by node: a '*' where 'collectd' or a host sits walks
  // every host's series (seconds at 1,000 hosts), so the lists spell their first nodes out.
  std::string instances = shipped_dashboard("dkumonitor-dss-backend").variables.at(0).query;
  REQUIRE(instances.rfind("expand(", 0) == 0);
  test::GraphiteGlob instance_list(instances.substr(7, instances.size() - 8));
  for (const char* first : {"c", "co", "col", "coll", "colle", "collec", "collect", "collectdx", "corp", "cold", "dss",
                            "dataiku", "acme", "x"}) {
    INFO(first);
    CHECK(instance_list.matches(std::string(first) + ".backend.server"));
    CHECK(instance_list.matches(std::string(first) + ".a.b.c.d.e.f.g.backend.server"));  // 8 nodes
  }
  CHECK_FALSE(instance_list.matches("collectd.backend.server"));
  CHECK_FALSE(instance_list.matches("collectd.host.backend.server"));
  for (const char* uid : {"dkumonitor-system", "dkumonitor-dss-host"}) {
    INFO(uid);
    std::string hosts = shipped_dashboard(uid).variables.at(0).query;
    test::GraphiteGlob host_list(hosts.substr(7, hosts.size() - 8));
    for (const char* host : {"domain_example_host", "host", "com.example.host", "localdomain.host",
                             "com.example.dc1.rack2.host"})
      CHECK(host_list.matches("collectd." + std::string(host) + ".cpu"));
    CHECK_FALSE(host_list.matches("collectd.domain_example_host.cpu.cpu"));  // not into a one-node host
  }
}
