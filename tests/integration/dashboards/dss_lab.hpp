#pragma once
// DSS nodes hooked up to dkumonitor the ways Dataiku ships it, for the dashboards and
// alert-rule tests. Nothing here types a metric name: the names come from Debian's real
// collectd 5.12, run with the config DSS writes for its own collectd (composed from the
// facts Dataiku documents and its generator shows, shared/design/DSS-NOTES.md: Hostname
// "collectd", write_graphite's Prefix "PREFIX." with SeparateInstances, PreserveSeparator
// and DropDuplicateFields, the data directory's file system and disk only, one
// ProcessMatch per DSS process kind scoped by `-cp DATA_DIR/bin:`), or from dkumonitor's
// agent installed with --dss-home; DSS's processes are stand-ins with DSS's command lines
// (dss_processes.hpp), and the backend's own lines are sent as DSS sends them.
//
// A DssLab starts one setup (a host with its DSS instances) and records what carbon gets.

#include "dashboard_checks.hpp"
#include "dashboards_fixture.hpp"
#include "dss_processes.hpp"

#include <algorithm>
#include <ctime>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace dkm::test {

/// The device of the file system holding `dir` and its disk, as DSS's generator finds them
/// (the first word of `df DIR`'s last line; the disk is its last path component).
inline std::pair<std::string, std::string> dss_data_dir_device(const fs::path& dir) {
  RunResult df = run_process({"df", dir.string()});
  if (!df.ok()) throw Error("df " + dir.string() + ": " + df.output);
  std::vector<std::string> lines = split(trim(df.output), '\n');
  std::string device = split(trim(lines.back()), ' ').front();
  return {device, split(device, '/').back()};
}

/// DSS's collectd.conf for one data directory, sending to 127.0.0.1:carbon_port every
/// `interval` seconds under `prefix`.
inline std::string dss_collectd_config(const fs::path& data_dir, const std::string& prefix, int carbon_port,
                                       int interval) {
  auto [device, disk] = dss_data_dir_device(data_dir);
  // As DSS writes them: "\." for the dots of -Ddku.KIND and of the data directory (which
  // collectd's quoted strings read as a plain '.', matching any character).
  std::string dir = replace_every(data_dir.string(), ".", "\\.");
  std::string run = (data_dir / "run").string();
  std::string matches;
  for (const char* kind : {"backend", "fek", "jek", "cak"})
    matches += std::string("  <ProcessMatch \"dss_") + kind + "\" \".*java -Ddku\\." + kind + " .*-cp " + dir +
               "/bin:.*\">\n    CollectFileDescriptor false\n    CollectContextSwitch true\n  </ProcessMatch>\n";
  return "Hostname \"collectd\"\nBaseDir \"" + run + "\"\nPIDFile \"" + run + "/collectd.pid\"\n"
         "AutoLoadPlugin true\nCollectInternalStats false\nInterval " + std::to_string(interval) + "\n"
         "<Plugin logfile>\n  LogLevel info\n  File \"" + run + "/collectd.log\"\n  Timestamp true\n</Plugin>\n"
         "<Plugin cpu>\n  ReportByCpu true\n  ReportByState true\n  ValuesPercentage true\n  ReportNumCpu true\n"
         "  ReportGuestState true\n  SubtractGuestState true\n</Plugin>\n"
         "<Plugin df>\n  Device \"" + device + "\"\n  ValuesAbsolute true\n  ValuesPercentage true\n"
         "  ReportByDevice true\n</Plugin>\n"
         "<Plugin disk>\n  Disk \"/^" + disk + "?$/\"\n</Plugin>\n"
         "<Plugin interface>\n  Interface \"lo\"\n  IgnoreSelected true\n  ReportInactive false\n</Plugin>\n"
         "<Plugin load>\n  ReportRelative true\n</Plugin>\n"
         "<Plugin memory>\n  ValuesAbsolute true\n  ValuesPercentage true\n</Plugin>\n"
         "<Plugin processes>\n  CollectFileDescriptor true\n  CollectContextSwitch true\n  CollectMemoryMaps true\n" +
         matches + "</Plugin>\n"
         "<Plugin write_graphite>\n  <Node \"carbon\">\n    Host \"127.0.0.1\"\n    Port \"" +
         std::to_string(carbon_port) + "\"\n    Protocol \"tcp\"\n    ReconnectInterval 0\n    LogSendErrors true\n"
         "    Prefix \"" + prefix + ".\"\n    StoreRates true\n    AlwaysAppendDS false\n    EscapeCharacter \"_\"\n"
         "    SeparateInstances true\n    PreserveSeparator true\n    DropDuplicateFields true\n  </Node>\n"
         "</Plugin>\n";
}

/// One DSS instance of a setup.
struct DssInstanceSpec {
  std::string prefix;         ///< where its backend (and its own collectd) send
  std::string data_dir;       ///< the data directory's name in the setup's directory
  int jeks = 1;               ///< JEKs running (one backend and one FEK always; no CAK)
  bool own_collectd = true;   ///< dssadmin's route (DSS runs its collectd); false: general settings
};

/// A host with its DSS instances, and whether dkumonitor's agent runs there (with
/// --dss-home for every instance).
struct DssSetup {
  std::string name;                         ///< for test names and figures
  std::vector<DssInstanceSpec> instances;   ///< the DSS instances
  bool agent = false;                       ///< dkumonitor's agent on the host
};

/// The agent's host name in the setups, and the node it becomes.
inline const std::string kDssAgentHostname = "dss2.corp.example.com";
inline const std::string kDssAgentNode = "com_example_corp_dss2";

/// Every setup the tests run: the documented default prefix with FQDNs of 2, 4 and 5
/// labels, a custom prefix, the original README's dataiku.dss.NAME, two instances on one
/// host, and dkumonitor's agent watching two data directories.
inline std::vector<DssSetup> dss_setups() {
  return {
      {"default prefix, 2-label FQDN", {{dss_default_prefix("dss1.example", 10000), "dss_data"}}},
      {"default prefix, 4-label FQDN", {{dss_default_prefix("dss1.corp.example.com", 10000), "dss_data"}}},
      {"default prefix, 5-label FQDN", {{dss_default_prefix("dss1.paris.corp.example.com", 11200), "dss.data"}}},
      {"custom 3-node prefix", {{"acme.analytics.design", "dss_data"}}},
      {"dataiku.dss.NAME prefix", {{"dataiku.dss.design", "dss_data"}}},
      {"two instances on one host",
       {{dss_default_prefix("dss1.corp.example.com", 10000), "design", 2},
        {dss_default_prefix("dss1.corp.example.com", 11000), "automation", 1}}},
      {"dkumonitor agent, two data directories, general settings",
       {{"dataiku.dss.design", "design", 2, false}, {"dataiku.dss.automation", "automation", 1, false}},
       true},
  };
}

/// One setup running: DSS's processes, its collectd (or dkumonitor's agent), a carbon
/// test double recording it all. Everything stops when it goes out of scope.
class DssLab {
 public:
  /// Starts `setup`, every collectd reading each `interval` seconds.
  explicit DssLab(DssSetup setup, int interval = 1) : setup_(std::move(setup)) {
    carbon_ = std::make_unique<CarbonRecorder>(free_tcp_port());
    for (const auto& instance : setup_.instances) start_instance(instance, interval);
    if (setup_.agent) start_agent(interval);
    for (const auto& instance : setup_.instances) send_plaintext(carbon_->port(), dss_backend_lines(instance.prefix));
  }

  /// The setup.
  const DssSetup& setup() const { return setup_; }
  /// An instance's data directory.
  fs::path data_dir(const DssInstanceSpec& instance) const { return tmp_.path() / instance.data_dir; }
  /// The collectd roots that report: PREFIX.collectd for DSS's own, collectd.NODE for the agent.
  std::vector<std::string> collectd_roots() const {
    std::vector<std::string> roots;
    for (const auto& instance : setup_.instances)
      if (instance.own_collectd) roots.push_back(instance.prefix + ".collectd");
    if (setup_.agent) roots.push_back("collectd." + kDssAgentNode);
    return roots;
  }

  /// Waits until every collectd has reported `reads` times (rates need two reads), at most `timeout`.
  bool wait_reported(int reads, std::chrono::seconds timeout = std::chrono::seconds(20)) const {
    return wait_until([&] {
      std::vector<std::string> lines = carbon_->lines();
      for (const auto& root : collectd_roots()) {
        std::string count = root + ".cpu.count ";
        if (std::count_if(lines.begin(), lines.end(), [&](const auto& l) { return l.rfind(count, 0) == 0; }) < reads)
          return false;
      }
      return true;
    }, timeout, std::chrono::milliseconds(100));
  }

  /// The metric names carbon would hold.
  std::set<std::string> names() const { return carbon_->metric_names(); }
  /// Every plaintext line carbon received, in arrival order.
  std::vector<std::string> lines() const { return carbon_->lines(); }
  /// The last value received for `path` ("" when none).
  std::string last_value(const std::string& path) const {
    std::string value;
    for (const auto& line : carbon_->lines()) {
      auto words = split(line, ' ');
      if (words.size() == 3 && words[0] == path) value = words[1];
    }
    return value;
  }
  /// The last lines of every collectd's log, for failure messages.
  std::string logs() const {
    std::string out;
    for (const auto& log : logs_) out += log.string() + ":\n" + last_lines(read_file(log), 10) + "\n";
    return out;
  }

 private:
  void start_instance(const DssInstanceSpec& instance, int interval) {
    fs::path dir = data_dir(instance);
    fs::create_directories(dir / "bin");
    fs::create_directories(dir / "run");
    std::vector<std::string> kinds{"backend", "fek"};
    kinds.insert(kinds.end(), static_cast<size_t>(instance.jeks), "jek");
    for (const auto& kind : kinds) processes_.push_back(std::make_unique<DssProcessStandIn>(dss_java_argv(kind, dir)));
    if (!instance.own_collectd) return;
    fs::path conf = dir / "run" / "collectd.conf";
    write_file_atomic(conf, dss_collectd_config(dir, instance.prefix, carbon_->port(), interval));
    logs_.push_back(dir / "run" / "collectd.log");
    collectds_.push_back(std::make_unique<BackgroundProcess>(std::vector<std::string>{"/usr/sbin/collectd", "-f", "-C",
                                                                               conf.string()},
                                                      dir / "run" / "collectd.out"));
  }

  void start_agent(int interval) {
    bundle_ = make_dashboards_bundle(tmp_.path() / "dkumonitor-1.0.0");
    dkm::InstallLayout layout(tmp_.path() / "agent");
    std::vector<std::string> args{"-d", layout.root().string(), "-p", std::to_string(free_port_block()), "-t",
                                  "agent", "--hostname", kDssAgentHostname, "--system-collectd", "--carbon-server",
                                  "127.0.0.1:" + std::to_string(carbon_->port())};
    for (const auto& instance : setup_.instances) {
      args.push_back("--dss-home");
      args.push_back(data_dir(instance).string());
    }
    RunResult installed = run_installer(bundle_, args);
    if (!installed.ok()) throw Error("installer " + join(args, " ") + ":\n" + installed.output);
    set_collectd_interval(layout, interval);
    logs_.push_back(tmp_.path() / "agent.log");
    collectds_.push_back(std::make_unique<BackgroundProcess>(service_argv(layout, "collectd"), logs_.back()));
  }

  TempDir tmp_{"dkm-dss-lab-"};
  DssSetup setup_;
  TestBundle bundle_;
  std::unique_ptr<CarbonRecorder> carbon_;
  std::vector<std::unique_ptr<DssProcessStandIn>> processes_;
  std::vector<std::unique_ptr<BackgroundProcess>> collectds_;
  std::vector<fs::path> logs_;
};

/// Every setup of dss_setups() started side by side (each waits for its own collectd).
inline std::vector<std::unique_ptr<DssLab>> start_every_dss_setup() {
  std::vector<std::unique_ptr<DssLab>> labs;
  for (const auto& setup : dss_setups()) labs.push_back(std::make_unique<DssLab>(setup));
  return labs;
}

}  // namespace dkm::test
