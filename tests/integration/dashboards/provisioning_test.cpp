// Grafana's provisioning (the installed half of the dashboards' checks), as the installer renders
// it, declares the datasource uid every shipped dashboard uses, pointing at carbonapi,
// and its dashboards provider reads the shipped dashboards.
#include "dashboard_checks.hpp"
#include "dashboards_fixture.hpp"

#include <catch2/catch.hpp>

#include <yaml-cpp/yaml.h>

using namespace dkm;
using namespace dkm::test;

TEST_CASE("the provisioned datasource is the one every dashboard uses, and the provider reads them all",
          "[dashboards][provisioning]") {
  TempDir tmp{"dkm-dashboards-"};
  TestBundle bundle = make_dashboards_bundle(tmp.path() / "dkumonitor-1.0.0");
  dkm::InstallLayout layout(tmp.path() / "inst");
  int port = free_port_block();
  RunResult installed = run_installer(bundle, {"-d", layout.root().string(), "-p", std::to_string(port), "-t", "server"});
  INFO(installed.output);
  REQUIRE(installed.ok());

  fs::path provisioning = layout.conf() / "grafana" / "provisioning";
  YAML::Node sources = YAML::LoadFile((provisioning / "datasources" / "dkumonitor.yaml").string());
  REQUIRE(sources["datasources"].size() == 1);
  YAML::Node graphite = sources["datasources"][0];
  CHECK(graphite["type"].as<std::string>() == "graphite");
  CHECK(graphite["url"].as<std::string>() == "http://127.0.0.1:" + std::to_string(port + 2));
  std::string uid = graphite["uid"].as<std::string>();
  CHECK(uid == kDatasourceUid);

  YAML::Node providers = YAML::LoadFile((provisioning / "dashboards" / "dkumonitor.yaml").string());
  REQUIRE(providers["providers"].size() == 1);
  fs::path dashboards_dir = providers["providers"][0]["options"]["path"].as<std::string>();
  std::set<std::string> provided, shipped;
  for (const auto& entry : fs::directory_iterator(dashboards_dir)) {
    dkm::test::Dashboard d = dkm::test::load_dashboard(entry.path());
    provided.insert(d.uid);
    for (const auto& ref : d.datasources) {
      INFO(entry.path() << " " << ref.where << " = " << ref.text);
      CHECK(ref.uid == uid);
    }
  }
  for (const auto& d : shipped_dashboards()) shipped.insert(d.uid);
  CHECK(provided == shipped);
}
