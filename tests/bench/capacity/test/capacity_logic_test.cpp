// The capacity benchmark's own logic, without sockets or processes: the captured metric
// set, go-carbon's self-metrics arithmetic, percentiles. Built and run by
// tests/bench/capacity.sh before it measures anything (target dkm_capacity_tests; not in ctest).
#include "../go_carbon_stats.hpp"
#include "../metric_set.hpp"
#include "../percentile.hpp"

#include <dkm/core/temp_dir.hpp>

#include <catch2/catch.hpp>

using namespace dkm;
using namespace dkm::capacity;

TEST_CASE("a capture keeps each metric's last numeric value and the nan-only ones as nan", "[capacity]") {
  std::vector<std::string> lines{
      "collectd.h_x.interface.eth0.if_octets.rx nan 100",  // a rate's first sample
      "collectd.h_x.swap.percent.used nan 100",            // 0/0 on a host without swap
      "collectd.h_x.load.load.shortterm 0.5 100",
      "collectd.h_x.interface.eth0.if_octets.rx 42 101",
      "collectd.h_x.load.load.shortterm 0.7 101",
      "collectd.h_x.interface.eth0.if_octets.rx nan 102",
  };
  MetricSet set = metric_set_from_lines(lines, "h_x");
  REQUIRE(set.metrics.size() == 3);
  CHECK(set.stored_count() == 2);
  std::map<std::string, std::string> values;
  for (const auto& m : set.metrics) values[m.suffix] = m.value;
  CHECK(values["interface.eth0.if_octets.rx"] == "42");
  CHECK(values["load.load.shortterm"] == "0.7");
  CHECK(values["swap.percent.used"] == "nan");
}

TEST_CASE("a capture refuses a line of another host, and an empty one", "[capacity]") {
  CHECK_THROWS_WITH(metric_set_from_lines({"collectd.other.load.load.shortterm 1 1"}, "h_x"),
                    Catch::Contains("another host"));
  CHECK_THROWS_WITH(metric_set_from_lines({}, "h_x"), Catch::Contains("no metric"));
}

TEST_CASE("a capture file reads back as written, and a bad line is named", "[capacity]") {
  MetricSet set{"h_x", {{"cpu.0.percent.user", "1.5"}, {"swap.percent.used", "nan"}}};
  TempDir dir("capacity-test-");
  fs::path file = dir.path() / "host.metrics";
  write_file_atomic(file, format_metric_set(set, {"a comment"}));
  MetricSet back = load_metric_set(file);
  CHECK(back.host_node == "h_x");
  REQUIRE(back.metrics.size() == 2);
  CHECK(back.metrics[0].suffix == "cpu.0.percent.user");
  CHECK(back.metrics[1].value == "nan");
  write_file_atomic(file, std::string(kCaptureHeader) + "h_x\ncollectd.other.cpu 1\n");
  CHECK_THROWS_WITH(load_metric_set(file), Catch::Contains("host.metrics:2:"));
}

TEST_CASE("simulated host nodes are distinct single nodes", "[capacity]") {
  CHECK(simulated_host_node(42) == "invalid_bench_h00042");
  CHECK(simulated_host_node(7).find('.') == std::string::npos);
}

TEST_CASE("go-carbon's self metrics: counters add up over a window, gauges give their trend", "[capacity]") {
  std::vector<std::string> lines{
      "carbon.agents.my_host.tcp.metricsReceived 100 1000", "carbon.agents.my_host.cache.size 10 1000",
      "carbon.agents.my_host.tcp.metricsReceived 200 1010", "carbon.agents.my_host.cache.size 30 1010",
      "carbon.agents.my_host.tcp.metricsReceived 300 1020", "carbon.agents.my_host.cache.size 50 1020",
      "collectd.h.load.load.shortterm 1 1020",  // not go-carbon's: ignored
  };
  GoCarbonSeries series = parse_go_carbon_stats(lines);
  CHECK(series.size() == 2);
  CHECK(counter_total(series, "tcp.metricsReceived", 1000, 1020) == 500);  // (from, to]
  CHECK(counter_total(series, "tcp.metricsReceived", 999, 1020) == 600);
  GaugeSummary cache = gauge_summary(series, "cache.size", 999, 1020);
  CHECK(cache.first == 10);
  CHECK(cache.last == 50);
  CHECK(cache.max == 50);
  CHECK(cache.slope_per_second == Approx(2.0));
  CHECK(latest(series, "cache.size") == 50);
  CHECK(latest(series, "cache.overflow", -1) == -1);
}

TEST_CASE("percentiles are nearest-rank", "[capacity]") {
  std::vector<double> v;
  for (int i = 20; i >= 1; --i) v.push_back(i);
  CHECK(percentile(v, 50) == 10);
  CHECK(percentile(v, 95) == 19);
  CHECK(percentile(v, 100) == 20);
  CHECK(percentile({}, 50) == 0);
}

TEST_CASE("a simulated host's node is its FQDN reversed with '_' for dots, as our agent writes it", "[capacity]") {
  CHECK(simulated_host_fqdn(42) == "h00042.bench.invalid");
  CHECK(simulated_host_node(42) == "invalid_bench_h00042");
}

TEST_CASE("a simulated migrated agent writes its host name with the dots kept", "[capacity]") {
  CHECK(simulated_dotted_host(42) == "invalid.bench.h00042");
}
