// The metric counts the sizing's disk figure is made of (install/collectd_metric_set)
// against Debian's real collectd 5.12 running the rendered agent config: per plugin, what
// collectd sends for this machine's CPUs, file systems, disks and interfaces, and for DSS
// process sets with and without a process running. The host's shape is read from the names
// collectd sends (cpu.N, df.X, disk.X, interface.X); every plugin's count must be the
// model's for that shape. collectd runs at a 1 s interval so that every rate has its second
// sample, sending to a CarbonRecorder (the go-carbon test double, which stores no NaN:
// go-carbon creates no whisper file for one).
#include <catch2/catch.hpp>

#include <dkm/install/collectd_metric_set.hpp>

#include "dashboards_fixture.hpp"

#include <map>
#include <set>

using namespace dkm;
using namespace dkm::test;
using namespace dkm::install;

namespace {

/// The distinct nodes right after `plugin.` among `names` (relative to the host).
std::set<std::string> instances(const std::set<std::string>& names, const std::string& plugin) {
  std::set<std::string> out;
  for (const auto& n : names)
    if (n.rfind(plugin + ".", 0) == 0) out.insert(split(n.substr(plugin.size() + 1), '.')[0]);
  return out;
}

/// The shape of the host that sent `names`.
HostShape shape_of(const std::set<std::string>& names, int dss_sets) {
  HostShape s;
  std::set<std::string> cpus = instances(names, "cpu");
  cpus.erase("count");
  s.cpus = static_cast<int>(cpus.size());
  s.file_systems = static_cast<int>(instances(names, "df").size());
  s.disks = static_cast<int>(instances(names, "disk").size());
  s.interfaces = static_cast<int>(instances(names, "interface").size());
  s.swap = instances(names, "swap").count("percent") > 0;
  s.dss_process_sets = dss_sets;
  s.dss_processes_running = 0;
  for (const auto& match : instances(names, "processes"))
    if (match.rfind("dss_", 0) == 0 && names.count("processes." + match + ".file_handles")) ++s.dss_processes_running;
  return s;
}

/// The metrics per plugin, relative to the host.
std::map<std::string, int> per_plugin(const std::set<std::string>& names) {
  std::map<std::string, int> out;
  for (const auto& n : names) ++out[split(n, '.')[0]];
  return out;
}

/// Installs an agent with `flags`, runs its collectd at a 1 s interval until what it sends
/// stops growing, and returns the names it sent, without the "collectd.HOST." prefix.
std::set<std::string> collectd_names(const TempDir& tmp, const std::vector<std::string>& flags) {
  TestBundle bundle = make_test_bundle(tmp.path() / "dkumonitor-1.0.0");
  dkm::InstallLayout layout(tmp.path() / "inst");
  int port = free_port_block();
  std::vector<std::string> args{"-d", layout.root().string(), "-p", std::to_string(port), "-t", "agent",
                                "--hostname", "shape.example.com"};
  args.insert(args.end(), flags.begin(), flags.end());
  RunResult installed = run_installer(bundle, args);
  INFO(installed.output);
  REQUIRE(installed.ok());
  set_collectd_interval(layout, 1);
  CarbonRecorder carbon(port + 1);
  BackgroundProcess agent(service_argv(layout, "collectd"), {tmp.path() / "collectd.log"});
  size_t last = 0;
  int steady = 0;
  wait_until([&] {  // three reads in a row without a new name, after the first ones
    size_t now = carbon.metric_names().size();
    steady = now == last && now > 50 ? steady + 1 : 0;
    last = now;
    return steady >= 3;
  }, std::chrono::seconds(30), std::chrono::milliseconds(1000));
  std::set<std::string> out;
  const std::string prefix = "collectd.com_example_shape.";
  for (const auto& n : carbon.metric_names())
    if (n.rfind(prefix, 0) == 0) out.insert(n.substr(prefix.size()));
  return out;
}

void check_model(const std::set<std::string>& names, int dss_sets) {
  HostShape shape = shape_of(names, dss_sets);
  INFO("host: " << describe_host(shape) << ", " << dss_sets << " DSS set(s); " << names.size() << " metrics");
  std::map<std::string, int> sent = per_plugin(names);
  // collectd sends a disk's pending_operations from the first read that finds a request in
  // flight: an idle disk may not have it yet. Counted as if it had.
  for (const auto& disk : instances(names, "disk"))
    if (!names.count("disk." + disk + ".pending_operations")) ++sent["disk"];
  int sent_total = 0;
  for (const auto& [plugin, count] : sent) sent_total += count;
  std::map<std::string, int> model;
  for (const auto& p : collectd_metrics_by_plugin(shape)) model[p.plugin] = p.metrics;
  for (const auto& [plugin, count] : model) {
    std::vector<std::string> of_plugin;
    for (const auto& n : names)
      if (n.rfind(plugin + ".", 0) == 0) of_plugin.push_back(n);
    INFO(plugin << ": " << join(of_plugin, " "));
    CHECK(sent[plugin] == count);
  }
  CHECK(sent_total == collectd_metric_count(shape));
  CHECK(shape.cpus >= 1);
}

}  // namespace

TEST_CASE("the metric count of the sizing is what collectd sends with the rendered config", "[installer][collectd][sizing]") {
  TempDir tmp{"dkm-metric-set-"};
  std::set<std::string> names = collectd_names(tmp, {});
  check_model(names, 1);
}

TEST_CASE("each DSS process set and running DSS process adds the metrics the sizing counts", "[installer][collectd][sizing]") {
  TempDir tmp{"dkm-metric-set-"};
  fs::path design = tmp.path() / "dss-design", automation = tmp.path() / "dss-automation";
  fs::create_directories(design);
  fs::create_directories(automation);
  DssProcessStandIn backend(dss_java_argv("backend", design));
  DssProcessStandIn jek(dss_java_argv("jek", design));
  std::set<std::string> names =
      collectd_names(tmp, {"--dss-home", design.string(), "--dss-home", automation.string()});
  HostShape shape = shape_of(names, 2);
  CHECK(shape.dss_processes_running == 2);
  check_model(names, 2);
}
