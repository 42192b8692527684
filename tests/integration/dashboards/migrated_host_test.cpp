// Issue 16's remaining gap: an agent migrated from the original dkumonitor keeps its
// metric names, the host name with its dots (collectd.domain.example.host.*:
// write_graphite's PreserveSeparator true), beside agents installed by this toolkit
// (collectd.domain_example_new.*, one node). The System overview and DSS host dashboards
// list both, every panel finds its series on each, and every legend names the host whole.
//
// Names come from Debian's real collectd run twice at a 1 s interval: once with the
// config `installer -u` wrote for an original backend-agent install (the migrate tests'
// world), once with a fresh agent install's; both send to one carbon recorder.
#include "../migrate/migrate_fixture.hpp"
#include "dashboard_checks.hpp"
#include "dashboards_fixture.hpp"

#include <catch2/catch.hpp>

#include <iostream>
#include <regex>

using namespace dkm;
using namespace dkm::test;

namespace {

const std::string kNewHostname = "new.example.domain", kNewHostNode = "domain_example_new";

/// The option values of variable `name` of `d`, resolved against `names` as Grafana does.
std::set<std::string> option_values(const test::Dashboard& d, const std::string& name,
                                    const std::set<std::string>& names) {
  std::set<std::string> out;
  auto resolved = resolve_dashboard_variables(d, metrics_api_over(names));
  for (const auto& option : resolved.at(name).options) out.insert(option.value);
  return out;
}

/// The variables at All, with `detail` (the one-host variable) set to `detail`.
std::map<std::string, std::string> values_with_detail(const test::Dashboard& d, const std::set<std::string>& names,
                                                      const std::string& detail) {
  auto values = selected_values(resolve_dashboard_variables(d, metrics_api_over(names)));
  values["detail"] = detail;
  return values;
}

/// The targets of `d` (variables `values`) that read none of `names`, as "PANEL (REF)".
std::vector<std::string> targets_without_data(const test::Dashboard& d, const std::map<std::string, std::string>& values,
                                              const std::set<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& target : d.targets) {
    bool data = false;
    for (const auto& path : test::graphite_series_paths(test::expand_variables(target.expression, values)))
      data = data || test::GraphiteGlob(path).matches_any(names);
    if (!data) out.push_back(target.panel + " (" + target.ref_id + ")");
  }
  return out;
}

/// For every target whose outermost call is aliasSub(SERIES, 'REGEX', 'REPLACEMENT'): each
/// legend it gives a series of `names` it reads, REGEX and REPLACEMENT applied as carbonapi
/// applies them (\1 is the first group). Returns "PANEL: NAME -> LEGEND" for every legend that
/// does not begin with the host of the series it draws (one of `hosts`), whole.
std::vector<std::string> wrong_legends(const test::Dashboard& d, const std::map<std::string, std::string>& values,
                                       const std::set<std::string>& names, const std::vector<std::string>& hosts) {
  static const std::regex alias_sub(R"(^aliasSub\((.*), '([^']*)', '([^']*)'\)$)");
  std::vector<std::string> wrong;
  for (const auto& target : d.targets) {
    std::string expression = test::expand_variables(target.expression, values);
    std::smatch m;
    if (!std::regex_match(expression, m, alias_sub)) continue;
    std::regex re(m[2].str());
    std::string replacement = std::regex_replace(m[3].str(), std::regex(R"(\\(\d))"), "$$$1");
    for (const auto& path : test::graphite_series_paths(expression))
      for (const auto& name : test::GraphiteGlob(path).find(names)) {
        std::string legend = std::regex_replace(name, re, replacement);
        bool ok = std::any_of(hosts.begin(), hosts.end(), [&](const std::string& host) {
          return name.rfind("collectd." + host + ".", 0) == 0 &&
                 (legend == host || legend.rfind(host + " ", 0) == 0);
        });
        if (!ok) wrong.push_back(target.panel + ": " + name + " -> " + legend);
      }
  }
  return wrong;
}

}  // namespace

TEST_CASE("a migrated agent's dotted host and a one-node host are both listed and drawn by the host dashboards",
          "[dashboards][migrate]") {
  // The original's backend-agent install, migrated: its collectd keeps the dotted names.
  OriginalWorld w{original_spec("0.0.4", "backend-agent"), false};
  RunResult migrated = w.migrate();
  INFO(migrated.output);
  REQUIRE(migrated.ok());
  const std::string dotted = original_collectd_hostname(w.spec);  // "domain.example.host"
  REQUIRE(dotted.find('.') != std::string::npos);
  set_collectd_interval(w.layout(), 1);
  CarbonRecorder carbon(w.spec.port + 1);  // the migrated write_graphite's server (test double for go-carbon)

  // A host installed by this toolkit, sending to the same recorder.
  TempDir tmp{"dkm-migrated-host-"};
  TestBundle bundle = make_dashboards_bundle(tmp.path() / "dkumonitor-1.0.0");
  InstallLayout fresh(tmp.path() / "agent");
  RunResult installed = run_installer(bundle, {"-d", fresh.root().string(), "-p", std::to_string(free_port_block()), "-t",
                                               "agent", "--hostname", kNewHostname, "--system-collectd",
                                               "--carbon-server", "127.0.0.1:" + std::to_string(carbon.port())});
  INFO(installed.output);
  REQUIRE(installed.ok());
  set_collectd_interval(fresh, 1);

  BackgroundProcess migrated_agent(service_argv(w.layout(), "collectd"), {tmp.path() / "migrated.log"});
  BackgroundProcess fresh_agent(service_argv(fresh, "collectd"), {tmp.path() / "fresh.log"});
  test::Dashboard system = shipped_dashboard("dkumonitor-system");
  test::Dashboard dss_host = shipped_dashboard("dkumonitor-dss-host");
  const std::vector<std::string> hosts{dotted, kNewHostNode};

  // Rates need two samples: wait until every System overview target reads something on each host.
  auto complete = [&](const std::set<std::string>& names) {
    try {
      for (const auto& host : hosts)
        if (!targets_without_data(system, values_with_detail(system, names, host), names).empty()) return false;
      return true;
    } catch (const Error&) {  // a variable without option yet
      return false;
    }
  };
  bool reported = wait_until([&] { return complete(carbon.metric_names()); }, std::chrono::seconds(20),
                             std::chrono::milliseconds(200));
  std::set<std::string> names = carbon.metric_names();
  INFO("migrated collectd's log:\n" << last_lines(read_file(tmp.path() / "migrated.log"), 20));
  INFO("received " << names.size() << " metrics");
  // The names are the real collectd's: the migrated one's dotted, the fresh one's one node.
  REQUIRE(names.count("collectd." + dotted + ".load.load.relative.shortterm"));
  REQUIRE(names.count("collectd." + kNewHostNode + ".load.load.relative.shortterm"));
  CHECK(reported);

  // Both lists hold both hosts whole, and nothing else.
  const std::set<std::string> host_values{dotted, kNewHostNode};
  CHECK(option_values(system, "host", names) == host_values);
  CHECK(option_values(system, "detail", names) == host_values);
  const std::set<std::string> node_values{"collectd." + dotted, "collectd." + kNewHostNode};
  CHECK(option_values(dss_host, "node", names) == node_values);
  CHECK(option_values(dss_host, "detail", names) == node_values);

  for (const auto& host : hosts) {
    INFO("Host: " << host);
    auto system_values = values_with_detail(system, names, host);
    for (const auto& t : targets_without_data(system, system_values, names)) FAIL_CHECK("System overview: no series for " << t);
    for (const auto& l : wrong_legends(system, system_values, names, hosts)) FAIL_CHECK("System overview legend: " << l);
    auto dss_values = values_with_detail(dss_host, names, "collectd." + host);
    auto empty = targets_without_data(dss_host, dss_values, names);
    // As in the DSS setups: a few panels need what a host without DSS does not have.
    CHECK(static_cast<double>(dss_host.targets.size() - empty.size()) >= 0.8 * static_cast<double>(dss_host.targets.size()));
    for (const auto& l : wrong_legends(dss_host, dss_values, names, hosts)) FAIL_CHECK("DSS host legend: " << l);
  }

  // The teeth: the former System overview (collectd.* and legends by node 1) missed the dotted host.
  CHECK(test::GraphiteGlob("collectd.*.cpu").find(names) ==
        std::set<std::string>{"collectd." + kNewHostNode + ".cpu"});
  std::cout << "migrated agent (" << dotted << ") beside a fresh one (" << kNewHostNode << "): " << names.size()
            << " metrics; both listed by System overview and DSS host, every System overview target reads each\n";
}
