// Benchmark, not run by ctest (hidden): what go-carbon's find and glob caches saved, which
// the shipped go-carbon.conf turns off so that new hosts show at once (new_series_test.cpp).
//
//   DKM_REAL_BUNDLE=DIR build/dev/tests/integration_dashboards "[bench]"
//
// The real go-carbon and carbonapi hold the names of 200 agent hosts and 50 DSS nodes:
// the names Debian's collectd really sends for one agent host and one DSS node (a DSS
// setup of dss_lab.hpp), repeated under other host names and prefixes. Then the
// dashboards' questions are timed through carbonapi, 20 times each, with the caches off
// (as shipped) and on (go-carbon's defaults): the median wall time, and go-carbon's CPU
// time per request.
#include "carbonapi_client.hpp"
#include "dashboard_checks.hpp"
#include "dss_lab.hpp"
#include "real_backend.hpp"

#include <catch2/catch.hpp>

#include <dkm/core/proc_info.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <regex>

using namespace dkm;
using namespace dkm::test;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kAgentHosts = 200, kDssNodes = 50, kRepeats = 20;

/// One agent host's and one DSS node's names, from a real run, repeated under other names.
std::vector<std::string> many_names() {
  DssLab lab(dss_setups()[6]);  // the agent watching two data directories, DSS backends
  DssLab dss(dss_setups()[1]);  // DSS's own collectd, default prefix
  if (!lab.wait_reported(5) || !dss.wait_reported(5)) throw Error("collectd did not report");
  const std::string agent_root = "collectd." + kDssAgentNode + ".", dss_prefix = dss.setup().instances[0].prefix + ".";
  std::vector<std::string> out;
  char node[64];
  for (const auto& name : lab.names())
    if (name.rfind(agent_root, 0) == 0)
      for (int i = 0; i < kAgentHosts; ++i) {
        std::snprintf(node, sizeof node, "collectd.host%03d.", i);
        out.push_back(node + name.substr(agent_root.size()));
      }
  for (const auto& name : dss.names())
    if (name.rfind(dss_prefix, 0) == 0)
      for (int i = 0; i < kDssNodes; ++i) {
        std::snprintf(node, sizeof node, "dss.com.example.corp.node%03d.10000.", i);
        out.push_back(node + name.substr(dss_prefix.size()));
      }
  return out;
}

/// go-carbon's CPU time so far, in seconds (utime + stime of /proc/PID/stat).
double cpu_seconds(pid_t pid) {
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  std::vector<std::string> fields = split(stat.substr(stat.rfind(')') + 2), ' ');
  return (std::stod(fields.at(11)) + std::stod(fields.at(12))) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

struct Timing {
  double median_ms = 0, cpu_ms = 0;
};

Timing time_request(pid_t go_carbon, const std::function<void()>& request) {
  std::vector<double> ms;
  double cpu0 = cpu_seconds(go_carbon);
  for (int i = 0; i < kRepeats; ++i) {
    auto t0 = Clock::now();
    request();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], (cpu_seconds(go_carbon) - cpu0) * 1000 / kRepeats};
}

/// Times the dashboards' questions against a backend holding `names`, its go-carbon.conf through `edit`.
void bench(const fs::path& real, const std::vector<std::string>& names, const std::string& label,
           const std::function<std::string(std::string)>& edit) {
  RealBackend b(real, edit);
  fs::path schemas = b.layout.conf() / "storage-schemas.conf";  // small files: the index is what is timed
  write_file_atomic(schemas, std::regex_replace(read_file(schemas), std::regex("retentions = .*"), "retentions = 60s:1h"));
  REQUIRE(run_dkm(b.layout, {"start", "go-carbon", "carbonapi"}).ok());
  StopAtEnd stop_at_end{b.layout};
  std::string now = " 1 " + std::to_string(static_cast<long>(std::time(nullptr)));
  std::vector<std::string> lines;
  for (const auto& name : names) lines.push_back(name + now);
  send_plaintext(b.carbon(), lines);
  REQUIRE(wait_until([&] { return whisper_metric_names(b.layout).size() == names.size(); }, std::chrono::seconds(300),
                     std::chrono::milliseconds(500)));
  pid_t pid = static_cast<pid_t>(std::stol(trim(run_dkm(b.layout, {"pid", "go-carbon"}).output).data()));
  int api = b.carbonapi();
  GraphiteMetricsApi grafana = carbonapi_metrics_api(api);
  auto list = [&](const std::string& uid) {
    return [&, uid] { graphite_metric_find_query(shipped_dashboard(uid).variables.at(0), {}, grafana); };
  };
  dkm::test::Dashboard host = shipped_dashboard("dkumonitor-dss-host");
  auto all_nodes = selected_values(resolve_dashboard_variables(host, grafana));
  auto cpu = std::find_if(host.targets.begin(), host.targets.end(), [](auto& t) { return t.panel == "CPU busy per core"; });
  REQUIRE(cpu != host.targets.end());
  std::string cpu_all = dkm::test::expand_variables(cpu->expression, all_nodes);
  std::vector<std::pair<std::string, std::function<void()>>> requests{
      {"System overview's host list (find)", list("dkumonitor-system")},
      {"DSS host's host list (expand)", list("dkumonitor-dss-host")},
      {"DSS backend's instance list (expand)", list("dkumonitor-dss-backend")},
      {"DSS host's CPU panel, all 250 hosts (render)", [&] { carbonapi_render(api, cpu_all); }},
  };
  for (const auto& [what, request] : requests) {
    Timing t = time_request(pid, request);
    std::printf("%-10s %-48s median %7.2f ms, go-carbon CPU %6.2f ms per request\n", label.c_str(), what.c_str(),
                t.median_ms, t.cpu_ms);
  }
}

}  // namespace

TEST_CASE("bench: go-carbon's find and glob caches, off as shipped and on", "[.][bench]") {
  fs::path real = fs::absolute(require_env_or_skip("DKM_REAL_BUNDLE", "it needs the real go-carbon and carbonapi"));
  std::vector<std::string> names = many_names();
  std::printf("%zu metrics (%d agent hosts, %d DSS nodes), %d requests each\n", names.size(), kAgentHosts, kDssNodes,
              kRepeats);
  bench(real, names, "caches off", [](std::string conf) { return conf; });
  bench(real, names, "caches on", [](std::string conf) {
    conf = std::regex_replace(conf, std::regex("\nfind-cache-enabled = false"), "\nfind-cache-enabled = true");
    return std::regex_replace(conf, std::regex("\nglob-cache-enabled = false"), "\nglob-cache-enabled = true");
  });
}
