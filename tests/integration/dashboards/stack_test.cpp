// A whole install run by dkm, end to end.
//
// In CI: `installer -t all --system-collectd`, `dkm start`, collectd's metrics reach
// carbon's port PORT+1 within one collectd interval (the installed 60 s, unchanged), and
// `dkm stop` leaves no process of the install. go-carbon, carbonapi and grafana cannot be
// built in CI, and `dkm start` only succeeds when every service of `-t all` is up (each
// has a readiness probe on its port): the test bundle's bin/go-carbon, bin/carbonapi and
// bin/grafana are service_double (tests/service_doubles), a TEST DOUBLE that
// listens on the port of the config it is given; as go-carbon it prints the received
// plaintext lines, which dkm writes to run/go-carbon.log.
//
// [real] (DKM_REAL_BUNDLE=DIR, a bundle with the real go-carbon and carbonapi,
// which replace the test bundle's stand-ins, and its collectd when it has one):
// `-t backend-agent` (the metrics servers and collectd; Grafana is not needed to ask
// carbonapi what a dashboard would ask). A DSS-like metric sent to PORT+1 reads back
// through carbonapi's /render on PORT+2, and every dashboard query (variables resolved by
// /metrics/find, like Grafana) finds its series through /metrics/find and renders.
#include "dashboard_checks.hpp"
#include "carbonapi_client.hpp"
#include "dashboards_fixture.hpp"
#include "stack_metrics.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <limits>
#include <iostream>

using namespace dkm;
using namespace dkm::test;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_between(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

/// The lines go-carbon's test double received (it prints them; dkm logs them).
std::vector<std::string> carbon_double_lines(const dkm::InstallLayout& layout) {
  std::error_code ec;
  fs::path log = layout.run() / "go-carbon.log";
  if (!fs::exists(log, ec)) return {};
  std::vector<std::string> out;
  for (auto& line : split(read_file(log), '\n'))
    if (line.rfind("collectd.", 0) == 0 || line.rfind("dataiku.", 0) == 0) out.push_back(line);
  return out;
}

/// What check_every_dashboard_query() asked.
struct QueryCounts {
  size_t series = 0;    ///< series paths found through /metrics/find
  size_t targets = 0;   ///< targets asked
  size_t rendered = 0;  ///< targets that rendered
};

/// Every dashboard query, as Grafana asks the carbonapi on port `carbonapi`: variables by
/// find or expand, series by find; then every target renders, with the legend its alias
/// makes.
QueryCounts check_every_dashboard_query(int carbonapi, const std::vector<dkm::test::Dashboard>& dashboards) {
  QueryCounts counts;
  GraphiteMetricsApi api = carbonapi_metrics_api(carbonapi);
  auto exists = [&](const std::string& path) { return !api.find(path).empty(); };
  for (const auto& d : dashboards) {
    counts.series += series_count(d);
    for (const auto& m : missing_series(d, api, exists)) FAIL_CHECK("carbonapi finds nothing for " << m);
  }

  for (const auto& d : dashboards) {
    auto values = selected_values(resolve_dashboard_variables(d, api));
    for (const auto& target : d.targets) {
      ++counts.targets;
      std::string expression = dkm::test::expand_variables(target.expression, values);
      nlohmann::json answer = carbonapi_render(carbonapi, expression);
      INFO(d.title << " / " << target.panel << ": " << expression);
      CHECK(answer.is_array());
      CHECK_FALSE(answer.empty());
      if (answer.is_array() && !answer.empty()) ++counts.rendered;
      // Every legend is what the target's alias makes of it, not a name left wrapped in
      // functions (an aliasSub whose regex did not match carbonapi's series name).
      for (const auto& one : answer.is_array() ? answer : nlohmann::json::array())
        CHECK(one.value("target", "(none)").find('(') == std::string::npos);
    }
  }
  return counts;
}

}  // namespace

TEST_CASE("dkm runs an all-in-one install: collectd's metrics reach carbon within one interval, stop leaves nothing",
          "[dashboards][dkm]") {
  TempDir tmp{"dkm-dashboards-"};
  TestBundle bundle = make_dashboards_bundle(tmp.path() / "dkumonitor-1.0.0");
  fs::path double_program = fs::path(DKM_BINARY_DIR) / "tests" / "service_doubles" / "service_double";
  for (const char* name : {"go-carbon", "carbonapi", "grafana"}) {
    fs::remove(bundle.root / "bin" / name);
    fs::create_symlink(double_program, bundle.root / "bin" / name);
  }
  dkm::InstallLayout layout(tmp.path() / "inst");
  int port = free_port_block();
  RunResult installed = run_installer(
      bundle, {"-d", layout.root().string(), "-p", std::to_string(port), "-t", "all", "--system-collectd", "--hostname",
               kCollectdHostname, "--carbon-listen", "127.0.0.1", "--carbonapi-listen", "127.0.0.1"});
  INFO(installed.output);
  REQUIRE(installed.ok());
  std::string conf = read_file(layout.conf() / "collectd.conf");
  REQUIRE_THAT(conf, Catch::Contains("\nInterval 60\n"));
  const double interval = 60;

  DssProcessStandIns dss_processes;
  auto before_start = Clock::now();
  long start_epoch = static_cast<long>(std::time(nullptr));
  RunResult started = run_dkm(layout, {"start"});
  auto after_start = Clock::now();
  INFO("dkm start:\n" << started.output);
  // Whatever happens below, no process of the install outlives the test.
  StopAtEnd stop_at_end{layout};
  REQUIRE(started.ok());
  RunResult status = run_dkm(layout, {"status"});
  INFO("dkm status:\n" << status.output);
  CHECK(status.exit_code == 0);
  for (const char* service : {"go-carbon", "carbonapi", "grafana", "collectd"})
    CHECK_THAT(status.output, Catch::Contains(service) && Catch::Contains("RUNNING"));

  // collectd reads once at start, then every interval: its first values are due within one.
  const std::string host = "collectd." + kCollectdHostNode + ".";
  bool arrived = wait_until(
      [&] {
        auto names = stored_metric_names(carbon_double_lines(layout));
        return names.count(host + "uptime.uptime") && names.count(host + "processes.dss_backend.ps_count.processes");
      },
      std::chrono::seconds(static_cast<int>(interval)), std::chrono::milliseconds(100));
  INFO("go-carbon's double received:\n" << last_lines(read_file(layout.run() / "go-carbon.log"), 20));
  REQUIRE(arrived);
  // The time collectd stamped its first values with, against the moment `dkm start` began.
  long first_stamp = std::numeric_limits<long>::max();
  for (const auto& line : carbon_double_lines(layout)) {
    auto fields = split(line, ' ');
    if (fields.size() == 3) first_stamp = std::min(first_stamp, std::atol(fields[2].c_str()));
  }
  CHECK(first_stamp - start_epoch <= interval);
  // Every plugin's first read arrives, except disk's: it submits from its second read on
  // (rates need two samples; interface sends "nan" first, which carbon does not store).
  std::set<std::string> names = stored_metric_names(carbon_double_lines(layout)), sent;
  for (const auto& line : carbon_double_lines(layout)) sent.insert(line.substr(0, line.find(' ')));
  for (const char* plugin : {"cpu", "df", "interface", "load", "memory", "processes", "swap", "uptime"}) {
    INFO(plugin);
    CHECK_FALSE(dkm::test::GraphiteGlob(host + plugin + ".*").find(sent).empty());
  }

  std::vector<pid_t> running = install_processes(layout);
  CHECK(running.size() >= 5);  // the supervisor and four services
  auto before_stop = Clock::now();
  RunResult stopped = run_dkm(layout, {"stop"});
  auto after_stop = Clock::now();
  INFO("dkm stop:\n" << stopped.output);
  CHECK(stopped.ok());
  CHECK(install_processes(layout).empty());
  for (pid_t pid : running) CHECK_FALSE(dkm::process_alive(pid));

  std::cout << "dkm start (4 services RUNNING): " << seconds_between(before_start, after_start)
            << " s; collectd's first metrics stamped " << first_stamp - start_epoch
            << " s after `dkm start` began (interval " << interval << " s); " << names.size()
            << " metrics; dkm stop: " << seconds_between(before_stop, after_stop) << " s, " << running.size()
            << " processes before, 0 after\n";
}

TEST_CASE("real go-carbon and carbonapi: a DSS metric reads back, every dashboard query resolves",
          "[dashboards][real]") {
  fs::path real = require_env_or_skip("DKM_REAL_BUNDLE", "it needs a bundle with the real go-carbon and carbonapi");
  TempDir tmp{"dkm-dashboards-real-"};
  TestBundle bundle = make_dashboards_bundle(tmp.path() / "dkumonitor-1.0.0");
  RealComponents taken = take_real_components(bundle, fs::absolute(real));
  dkm::InstallLayout layout(tmp.path() / "inst");
  int port = free_port_block();
  std::vector<std::string> args{"-d", layout.root().string(), "-p", std::to_string(port), "-t", "backend-agent",
                                "--hostname", kCollectdHostname, "--carbon-listen", "127.0.0.1",
                                "--carbonapi-listen", "127.0.0.1"};
  RunResult installed = run_installer(bundle, args);
  INFO(installed.output);
  REQUIRE(installed.ok());
  // Seconds, not minutes: collectd every second, and go-carbon and carbonapi report their
  // own metrics (the Monitoring stack dashboard's) every second (go-carbon's config as
  // shipped otherwise: each new metric is indexed as it arrives, new_series_test.cpp).
  set_collectd_interval(layout, 1);
  report_stack_metrics_every_second(layout);

  DssProcessStandIns dss_processes;
  auto before_start = Clock::now();
  RunResult started = run_dkm(layout, {"start"});
  StopAtEnd stop_at_end{layout};
  INFO("dkm start:\n" << started.output);
  REQUIRE(started.ok());
  double started_after = seconds_between(before_start, Clock::now());
  const int carbonapi = port + 2;

  // What DSS sends, once. Then the test waits until go-carbon has written every series
  // the dashboards read (its whisper files show it).
  const std::string heap = "dataiku.dss.inst1.backend.server.jvm.memory.heap.used";
  auto sent = Clock::now();
  send_plaintext(port + 1, dss_backend_lines("dataiku.dss.inst1", 4242));
  std::vector<dkm::test::Dashboard> dashboards = shipped_dashboards();
  std::vector<std::string> missing_on_disk;
  bool written = wait_until(
      [&] {
        std::set<std::string> stored = whisper_metric_names(layout);
        missing_on_disk.clear();
        for (const auto& d : dashboards)
          for (auto& m : missing_series(d, stored)) missing_on_disk.push_back(m);
        return missing_on_disk.empty();
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200));
  for (const auto& m : missing_on_disk) FAIL_CHECK("go-carbon stored nothing for " << m);
  REQUIRE(written);
  auto on_disk = Clock::now();

  INFO("go-carbon's log:\n" << last_lines(read_file(layout.run() / "go-carbon.log"), 5));
  INFO("carbonapi's log:\n" << last_lines(read_file(layout.run() / "carbonapi.log"), 5));
  nlohmann::json render = carbonapi_render(carbonapi, heap);
  REQUIRE(points_in(render) > 0);
  CHECK(render[0]["target"] == heap);
  bool value_found = false;
  for (const auto& point : render[0]["datapoints"])
    if (!point[0].is_null() && point[0].get<double>() == 4242) value_found = true;
  CHECK(value_found);

  QueryCounts queries = check_every_dashboard_query(carbonapi, dashboards);

  std::vector<pid_t> running = install_processes(layout);
  RunResult stopped = run_dkm(layout, {"stop"});
  CHECK(stopped.ok());
  CHECK(install_processes(layout).empty());

  std::cout << "real stack: dkm start " << started_after << " s; every dashboard series written by go-carbon "
            << seconds_between(sent, on_disk) << " s after the DSS metric was sent (collectd every 1 s); "
            << queries.series << " series paths found through /metrics/find, " << queries.rendered << "/" << queries.targets
            << " targets render through carbonapi; DSS value read back; " << running.size()
            << " processes stopped (collectd: " << (taken.collectd ? "the bundle's" : "Debian's stand-in") << ")\n";
}
