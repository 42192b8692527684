// dkm_capacity: the capacity benchmark's load generator and measurements (driven by
// tests/bench/capacity.sh, which installs, configures and cleans up).
//
//   dkm_capacity capture --collectd PROG --config CONF --host-node NODE --port P --seconds S [--dss] --out FILE
//   dkm_capacity run --install DIR --port PORT --stats-port P --metrics FILE --hosts N [...]
//   dkm_capacity table RESULTS.jsonl...
#include "capacity_run.hpp"
#include "metric_set.hpp"

#include <carbon_recorder.hpp>
#include <dss_processes.hpp>

#include <dkm/core/process.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <thread>

using namespace dkm;
using namespace dkm::capacity;

namespace {

const char* const kUsage =
    "usage:\n"
    "  dkm_capacity capture --collectd PROG --config CONF --host-node NODE --port P --seconds S [--dss] --out FILE\n"
    "      runs collectd on CONF (its write_graphite pointed at 127.0.0.1:P) for S seconds, with stand-ins for\n"
    "      DSS's three java processes when --dss, and writes the metric set it sent (last value of each)\n"
    "  dkm_capacity run --install DIR --port PORT --stats-port P --metrics FILE --hosts N\n"
    "      [--interval S (60)] [--dss-metrics FILE --dss-every K] [--dotted-every K] [--connections C (one per host)]\n"
    "      [--settle-timeout S (900)] [--window S (300)] [--drain-timeout S (180)]\n"
    "      [--dashboards DIR] [--render-runs R (20)] [--label NAME] [--results FILE.jsonl]\n"
    "      one point of the benchmark against DIR's go-carbon and carbonapi (started and stopped with DIR/bin/dkm;\n"
    "      go-carbon's metric-endpoint must be tcp://127.0.0.1:P)\n"
    "  dkm_capacity dashboards --port PORT --dashboards DIR [--runs R (20)]\n"
    "      times every dashboard of DIR against a running install's carbonapi (PORT+2), as the run's last phase does\n"
    "  dkm_capacity table FILE.jsonl...   markdown tables of results\n"
    "  dkm_capacity panels FILE.jsonl LABEL HOSTS [INTERVAL]   each dashboard panel of those results\n";

/// --flag value pairs (and bare flags in `switches`); throws UsageError on anything else.
std::map<std::string, std::string> parse_flags(int argc, char** argv, const std::set<std::string>& switches) {
  std::map<std::string, std::string> flags;
  for (int i = 2; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag.rfind("--", 0) != 0) throw UsageError("unexpected argument '" + flag + "'");
    if (switches.count(flag)) {
      flags[flag] = "1";
    } else {
      if (i + 1 >= argc) throw UsageError(flag + " needs a value");
      flags[flag] = argv[++i];
    }
  }
  return flags;
}

std::string need(const std::map<std::string, std::string>& flags, const std::string& name) {
  auto it = flags.find(name);
  if (it == flags.end()) throw UsageError(name + " is required");
  return it->second;
}

double number(const std::map<std::string, std::string>& flags, const std::string& name, double fallback) {
  auto it = flags.find(name);
  if (it == flags.end()) return fallback;
  char* end = nullptr;
  double v = std::strtod(it->second.c_str(), &end);
  if (end == it->second.c_str() || *end != '\0' || v < 0) throw UsageError(name + ": '" + it->second + "' is not a number");
  return v;
}

int capture(const std::map<std::string, std::string>& flags) {
  std::string node = need(flags, "--host-node");
  int port = static_cast<int>(number(flags, "--port", 0));
  double seconds = number(flags, "--seconds", 10);
  test::CarbonRecorder carbon(port);
  std::vector<std::unique_ptr<test::DssProcessStandIn>> dss;
  if (flags.count("--dss"))
    for (const char* kind : {"backend", "jek", "fek"})
      dss.push_back(std::make_unique<test::DssProcessStandIn>(test::dss_java_argv(kind, "/opt/dss/data")));
  std::vector<std::string> argv{"timeout", std::to_string(static_cast<int>(seconds)), need(flags, "--collectd"), "-f",
                                "-C", need(flags, "--config")};
  RunResult r = run_process(argv);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the last lines in flight
  if (r.exit_code != 124 && r.exit_code != 0) throw Error("collectd: " + r.describe() + "\n" + r.output);
  MetricSet set = metric_set_from_lines(carbon.lines(), node);
  std::vector<std::string> comment{
      "captured by dkm_capacity from: " + join(argv, " "),
      std::to_string(carbon.lines().size()) + " lines received, DSS stand-ins: " + (dss.empty() ? "no" : "yes"),
      std::to_string(set.metrics.size()) + " metrics, " + std::to_string(set.stored_count()) + " with a value"};
  write_file_atomic(need(flags, "--out"), format_metric_set(set, comment));
  std::printf("%s: %zu metrics (%zu stored by go-carbon) from %zu lines\n", need(flags, "--out").c_str(),
              set.metrics.size(), set.stored_count(), carbon.lines().size());
  return 0;
}

int run(const std::map<std::string, std::string>& flags) {
  RunSettings s;
  s.install = fs::absolute(need(flags, "--install"));
  s.port = static_cast<int>(number(flags, "--port", 0));
  s.stats_port = static_cast<int>(number(flags, "--stats-port", 0));
  s.metrics = need(flags, "--metrics");
  if (flags.count("--dss-metrics")) s.dss_metrics = flags.at("--dss-metrics");
  s.dss_every = static_cast<size_t>(number(flags, "--dss-every", 0));
  s.dotted_every = static_cast<size_t>(number(flags, "--dotted-every", 0));
  s.hosts = static_cast<size_t>(number(flags, "--hosts", 0));
  s.interval = number(flags, "--interval", 60);
  s.connections = static_cast<size_t>(number(flags, "--connections", 0));
  s.settle_timeout = number(flags, "--settle-timeout", 900);
  s.window = number(flags, "--window", 300);
  s.drain_timeout = number(flags, "--drain-timeout", 180);
  if (flags.count("--dashboards")) s.dashboards = flags.at("--dashboards");
  s.render_runs = static_cast<size_t>(number(flags, "--render-runs", 20));
  s.label = flags.count("--label") ? flags.at("--label") : "run";
  if (flags.count("--results")) s.results = flags.at("--results");
  if (s.port <= 0 || s.stats_port <= 0 || s.hosts == 0) throw UsageError("--port, --stats-port and --hosts are required");
  nlohmann::json result = run_capacity_point(s);
  std::printf("%s", results_tables({result}).c_str());
  return 0;
}

int dashboards(const std::map<std::string, std::string>& flags) {
  int port = static_cast<int>(number(flags, "--port", 0));
  if (port <= 0) throw UsageError("--port is required");
  nlohmann::json all = time_dashboard_files(need(flags, "--dashboards"), port + 2,
                                            static_cast<size_t>(number(flags, "--runs", 20)), 0, 0);
  std::printf("%s", panel_table({{"dashboards", all}}).c_str());
  return 0;
}

std::vector<nlohmann::json> read_results(const std::vector<std::string>& files) {
  std::vector<nlohmann::json> results;
  for (const auto& file : files) {
    std::ifstream in(file);
    if (!in) throw UsageError(file + ": cannot read");
    std::string line;
    for (long n = 1; std::getline(in, line); ++n) {
      if (trim(line).empty()) continue;
      auto doc = nlohmann::json::parse(line, nullptr, false);
      if (doc.is_discarded()) throw UsageError(at_line(file, n, "not a JSON result"));
      results.push_back(doc);
    }
  }
  return results;
}

int table(int argc, char** argv) {
  std::printf("%s", results_tables(read_results(std::vector<std::string>(argv + 2, argv + argc))).c_str());
  return 0;
}

int panels(int argc, char** argv) {
  if (argc < 5) throw UsageError("panels: FILE.jsonl LABEL HOSTS [INTERVAL] expected");
  double hosts = std::strtod(argv[4], nullptr), interval = argc > 5 ? std::strtod(argv[5], nullptr) : 60;
  for (const auto& r : read_results({argv[2]})) {
    if (r.value("label", std::string()) != argv[3] || r.value("hosts", 0.0) != hosts ||
        r.value("interval", 0.0) != interval)
      continue;
    std::printf("%s: %s hosts, every %s s, started %s\n%s\n", argv[3], argv[4], std::to_string(interval).c_str(),
                std::to_string(r.value("started", 0L)).c_str(), panel_table(r).c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string command = argc > 1 ? argv[1] : "";
  try {
    if (command == "capture") return capture(parse_flags(argc, argv, {"--dss"}));
    if (command == "run") return run(parse_flags(argc, argv, {}));
    if (command == "dashboards") return dashboards(parse_flags(argc, argv, {}));
    if (command == "table") return table(argc, argv);
    if (command == "panels") return panels(argc, argv);
    if (command == "--help" || command == "-h" || command == "help") {
      std::printf("%s", kUsage);
      return 0;
    }
    std::fprintf(stderr, "%s", kUsage);
    return kExitUsage;
  } catch (const Error& e) {
    std::fprintf(stderr, "dkm_capacity: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dkm_capacity: %s\n", e.what());
    return kExitFailure;
  }
}
