// Every shipped dashboard is provisionable as is: a uid, a title,
// a schema version, and every datasource reference is the provisioned Graphite uid.
#include "dashboard_checks.hpp"

#include <catch2/catch.hpp>

using namespace dkm;
using namespace dkm::test;

TEST_CASE("each dashboard has a uid, a title and a schema version, uids unique", "[dashboards]") {
  auto dashboards = shipped_dashboards();
  REQUIRE(dashboards.size() == 3);
  std::set<std::string> uids;
  for (const auto& d : dashboards) {
    INFO(d.name);
    CHECK(!d.uid.empty());
    CHECK(d.uid.size() <= 40);  // Grafana's limit
    CHECK(!d.title.empty());
    CHECK(d.schema_version > 0);
    CHECK(!d.targets.empty());
    uids.insert(d.uid);
  }
  CHECK(uids == std::set<std::string>{"dkumonitor-system", "dkumonitor-dss-host", "dkumonitor-dss-backend"});
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
