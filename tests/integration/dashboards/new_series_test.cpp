// Issue 13, item 6 ([real], DKM_REAL_BUNDLE=DIR: the real go-carbon and carbonapi): a
// host or DSS node that starts reporting is listed by the dashboards and rendered within
// two collector intervals, even when a dashboard asked for it before its first point (a
// dashboard opened right after install). go-carbon keeps find and glob answers 5 minutes,
// empty ones too; the shipped go-carbon.conf turns both caches off and indexes each new
// metric as it arrives (realtime index). The second case shows what the caches did.
#include "carbonapi_client.hpp"
#include "dashboard_checks.hpp"
#include "dashboards_fixture.hpp"
#include "real_backend.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>
#include <regex>
#include <thread>

using namespace dkm;
using namespace dkm::test;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kNode = "collectd." + kCollectdHostNode;
const std::string kDssPrefix = "dss.com.example.corp.dss9.10000";

/// What the dashboards ask when they open, and whether the new host and DSS node are in
/// the answers: the System overview's and DSS host's host lists, the DSS instance list,
/// and a render of the host's and the node's series.
struct Seen {
  bool host_listed = false, node_listed = false, instance_listed = false, host_rendered = false, dss_rendered = false;
  bool all() const { return host_listed && node_listed && instance_listed && host_rendered && dss_rendered; }
  bool any_listed() const { return host_listed || node_listed || instance_listed; }
};

Seen ask_like_grafana(int carbonapi) {
  GraphiteMetricsApi api = carbonapi_metrics_api(carbonapi);
  auto variable = [](const std::string& uid) { return shipped_dashboard(uid).variables.at(0); };
  auto contains = [](const std::vector<MetricFindValue>& answers, const std::string& text) {
    for (const auto& a : answers)
      if (a.text.find(text) != std::string::npos) return true;
    return false;
  };
  Seen seen;
  seen.host_listed = contains(graphite_metric_find_query(variable("dkumonitor-system"), {}, api), kCollectdHostNode);
  seen.node_listed = contains(graphite_metric_find_query(variable("dkumonitor-dss-host"), {}, api), kNode + ".cpu");
  seen.instance_listed = contains(graphite_metric_find_query(variable("dkumonitor-dss-backend"), {}, api), kDssPrefix);
  seen.host_rendered = points_in(carbonapi_render(carbonapi, "collectd.*.cpu.count")) > 0;
  seen.dss_rendered = points_in(carbonapi_render(carbonapi, "*.*.*.*.*.*.backend.server.jvm.memory.heap.used")) > 0;
  return seen;
}

/// Starts go-carbon and carbonapi, asks what the dashboards ask (nothing there yet), then
/// starts collectd (its first read is at once) and sends DSS's backend lines; returns the
/// seconds from then until everything is seen, or -1 after `patience`.
double seconds_to_seen(const RealBackend& b, std::chrono::seconds patience) {
  RunResult started = run_dkm(b.layout, {"start", "go-carbon", "carbonapi"});
  if (!started.ok()) throw Error("dkm start: " + started.output);
  for (int i = 0; i < 3; ++i)
    if (ask_like_grafana(b.carbonapi()).any_listed()) throw Error("listed before its first metric");
  auto t0 = Clock::now();
  BackgroundProcess collectd(service_argv(b.layout, "collectd"), b.tmp.path() / "collectd.log");  // services.ini's command
  send_plaintext(b.carbon(), dss_backend_lines(kDssPrefix));
  bool seen = wait_until([&] { return ask_like_grafana(b.carbonapi()).all(); }, patience,
                         std::chrono::milliseconds(50));
  return seen ? std::chrono::duration<double>(Clock::now() - t0).count() : -1;
}

}  // namespace

TEST_CASE("real go-carbon: a new host and DSS node are listed and rendered within two collector intervals "
          "though asked for before",
          "[dashboards][real]") {
  fs::path real = require_env_or_skip("DKM_REAL_BUNDLE", "it needs a bundle with the real go-carbon and carbonapi");
  RealBackend b(fs::absolute(real));  // go-carbon.conf as shipped
  StopAtEnd stop_at_end{b.layout};
  const double interval = 1;
  double seconds = seconds_to_seen(b, std::chrono::seconds(30));
  INFO("go-carbon's log:\n" << last_lines(read_file(b.layout.run() / "go-carbon.log"), 10));
  REQUIRE(seconds >= 0);
  CHECK(seconds <= 2 * interval);
  std::cout << "new series (shipped go-carbon.conf): host and DSS node listed by the three dashboards' variables "
               "and rendered "
            << seconds << " s after collectd started (interval " << interval
            << " s), the lists asked 3 times before\n";
}

TEST_CASE("real go-carbon with its find and glob caches on: an answer asked before the first metric stays empty",
          "[dashboards][real]") {
  fs::path real = require_env_or_skip("DKM_REAL_BUNDLE", "it needs a bundle with the real go-carbon and carbonapi");
  RealBackend b(fs::absolute(real), [](std::string conf) {
    conf = std::regex_replace(conf, std::regex("\nfind-cache-enabled = false"), "\nfind-cache-enabled = true");
    return std::regex_replace(conf, std::regex("\nglob-cache-enabled = false"), "\nglob-cache-enabled = true");
  });
  REQUIRE_THAT(read_file(b.layout.conf() / "go-carbon.conf"), Catch::Contains("\nfind-cache-enabled = true"));
  StopAtEnd stop_at_end{b.layout};
  double seconds = seconds_to_seen(b, std::chrono::seconds(10));
  Seen seen = ask_like_grafana(b.carbonapi());
  CHECK(seconds < 0);  // not all seen in 10 collector intervals
  CHECK_FALSE(seen.host_listed);
  CHECK(fs::exists(b.layout.storage() / "whisper" / "collectd" / kCollectdHostNode / "cpu" / "count.wsp"));
  std::cout << "with go-carbon's find and glob caches: after 10 s the host list is still "
            << (seen.host_listed ? "complete" : "empty") << ", the host's whisper files written\n";
}
