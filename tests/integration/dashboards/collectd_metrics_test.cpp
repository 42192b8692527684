// Every query of every shipped dashboard, its variables resolved the
// way Grafana does (find queries), matches at least one metric that Debian's real
// collectd 5.12 sends with the installer's rendered config, or that DSS sends.
//
// collectd runs with the installed conf/ as is, except its Interval, lowered from the
// installed 60 s to 1 s so the test takes seconds. It sends to a CarbonRecorder on
// PORT+1: the test double for go-carbon (which CI cannot build). DSS's
// backend, JEK and FEK are stand-ins (see DssProcessStandIns); DSS's own metrics are
// sent by the test as DSS sends them, with the recommended prefix dataiku.dss.inst1.
#include "dashboard_checks.hpp"
#include "dashboards_fixture.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>

using namespace dkm;
using namespace dkm::test;

namespace {

/// Every series of these dashboards that the recorded metrics miss.
std::vector<std::string> missing(const std::vector<dkm::test::Dashboard>& dashboards, const std::set<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& d : dashboards)
    for (auto& m : missing_series(d, names)) out.push_back(m);
  return out;
}

}  // namespace

TEST_CASE("every dashboard query matches what collectd and DSS send", "[dashboards][collectd]") {
  auto start = std::chrono::steady_clock::now();
  auto seconds_since_start = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  TempDir tmp{"dkm-dashboards-"};
  TestBundle bundle = make_dashboards_bundle(tmp.path() / "dkumonitor-1.0.0");
  dkm::InstallLayout layout(tmp.path() / "inst");
  int port = free_port_block();
  RunResult installed = run_installer(bundle, {"-d", layout.root().string(), "-p", std::to_string(port), "-t", "agent",
                                               "--hostname", kCollectdHostname, "--system-collectd"});
  INFO(installed.output);
  REQUIRE(installed.ok());
  set_collectd_interval(layout, 1);

  DssProcessStandIns dss_processes;
  CarbonRecorder carbon(port + 1);  // test double for go-carbon's plaintext receiver
  fs::path agent_log = tmp.path() / "collectd.log";
  BackgroundProcess agent(service_argv(layout, "collectd"), {agent_log});  // services.ini's command

  dkm::test::Dashboard system = shipped_dashboard("dkumonitor-system");
  dkm::test::Dashboard dss_host = shipped_dashboard("dkumonitor-dss-host");
  dkm::test::Dashboard dss_backend = shipped_dashboard("dkumonitor-dss-backend");

  // Rates need two samples: wait until the collectd dashboards are satisfied, or give up.
  double first_metric = -1;
  bool complete = wait_until(
      [&] {
        auto names = carbon.metric_names();
        if (first_metric < 0 && !names.empty()) first_metric = seconds_since_start();
        return !names.empty() && missing({system, dss_host}, names).empty();
      },
      std::chrono::seconds(20), std::chrono::milliseconds(100));
  double collectd_complete = seconds_since_start();

  std::set<std::string> names = carbon.metric_names();
  INFO("collectd's log:\n" << last_lines(read_file(agent_log), 20));
  INFO("received " << carbon.lines().size() << " lines, " << names.size() << " metrics");
  REQUIRE_FALSE(names.empty());
  // The host is one node (write_graphite writes the host name's dots as '_').
  CHECK(dkm::test::GraphiteGlob("collectd.*").find(names) == std::set<std::string>{"collectd." + kCollectdHostNode});
  for (const auto& m : missing({system, dss_host}, names)) FAIL_CHECK("no metric for " << m);
  CHECK(complete);

  // Before DSS sends anything, its dashboard finds no instance: the check has teeth.
  CHECK_FALSE(missing({dss_backend}, names).empty());
  send_plaintext(port + 1, dss_backend_lines("dataiku.dss.inst1"));
  REQUIRE(wait_until([&] { return carbon.metric_names().count("dataiku.dss.inst1.backend.server.jvm.memory.heap.max"); }));
  names = carbon.metric_names();
  for (const auto& m : missing({dss_backend}, names)) FAIL_CHECK("no metric for " << m);

  std::cout << "collectd (Interval 1): first metric after " << first_metric << " s, the collectd dashboards' "
            << "queries all matched after " << collectd_complete << " s; " << names.size()
            << " metrics stored from " << carbon.lines().size() << " lines\n";
  for (const auto& d : {system, dss_host, dss_backend})
    std::cout << "  " << d.title << ": " << d.targets.size() << " targets, " << series_count(d) << " series paths\n";
}
