// Issue 13 ([real], DKM_REAL_BUNDLE=DIR): the DSS setups of dss_lab.hpp through the real
// go-carbon and carbonapi. Every setup runs (Debian's collectd configured as DSS's own,
// or dkumonitor's agent), what carbon received is passed on to the real go-carbon as it
// came, and Grafana's questions go to the real carbonapi: the DSS dashboards' variables
// list every setup's nodes (/metrics/expand and the regex), at least 80 % of each
// dashboard's targets render points with a setup's own nodes selected (the first of them in
// DSS host's one-node variable, detail), every legend is what the target's alias makes of
// it, and every alert rule's query renders (but those on go-carbon's own metrics, which
// monitoring_stack_real_test.cpp renders).
#include "carbonapi_client.hpp"
#include "dashboard_checks.hpp"
#include "dss_lab.hpp"
#include "real_backend.hpp"
#include "stack_metrics.hpp"

#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <iostream>

using namespace dkm;
using namespace dkm::test;

namespace {

/// The targets of `d` that render points through carbonapi with `values` for its variables.
TargetCoverage rendered_coverage(const dkm::test::Dashboard& d, const std::map<std::string, std::string>& values,
                                 int carbonapi) {
  TargetCoverage coverage;
  coverage.total = d.targets.size();
  for (const auto& target : d.targets) {
    nlohmann::json answer = carbonapi_render(carbonapi, dkm::test::expand_variables(target.expression, values), "-1h");
    for (const auto& series : answer.is_array() ? answer : nlohmann::json::array())
      CHECK(series.value("target", "(none)").find('(') == std::string::npos);  // the alias matched
    if (points_in(answer) > 0) ++coverage.with_data;
    else coverage.empty.push_back(target.panel + " (" + target.ref_id + ")");
  }
  return coverage;
}

/// The values of variable `name` of `d` as Grafana lists them from carbonapi.
std::set<std::string> listed(const dkm::test::Dashboard& d, const std::string& name, int carbonapi) {
  std::set<std::string> out;
  auto resolved = resolve_dashboard_variables(d, carbonapi_metrics_api(carbonapi));
  for (const auto& option : resolved.at(name).options) out.insert(option.value);
  return out;
}

}  // namespace

TEST_CASE("real go-carbon and carbonapi: every DSS setup's nodes are listed and its panels render", "[dashboards][real]") {
  fs::path real = require_env_or_skip("DKM_REAL_BUNDLE", "it needs a bundle with the real go-carbon and carbonapi");
  RealBackend b(fs::absolute(real));
  RunResult started = run_dkm(b.layout, {"start", "go-carbon", "carbonapi"});
  StopAtEnd stop_at_end{b.layout};
  INFO(started.output);
  REQUIRE(started.ok());

  std::vector<std::unique_ptr<DssLab>> labs = start_every_dss_setup();
  std::set<std::string> sent;
  for (const auto& lab : labs) {
    INFO(lab->setup().name << ":\n" << lab->logs());
    REQUIRE(lab->wait_reported(5));
    send_plaintext(b.carbon(), lab->lines());
    for (const auto& name : lab->names()) sent.insert(name);
  }
  dkm::test::Dashboard backend = shipped_dashboard("dkumonitor-dss-backend");
  dkm::test::Dashboard host = shipped_dashboard("dkumonitor-dss-host");
  REQUIRE(wait_until([&] { return whisper_metric_names(b.layout) == sent; }, std::chrono::seconds(30),
                     std::chrono::milliseconds(200)));
  std::set<std::string> instances = listed(backend, "instance", b.carbonapi()), nodes = listed(host, "node", b.carbonapi());

  for (const auto& lab : labs) {
    std::vector<std::string> prefixes, roots = lab->collectd_roots();
    for (const auto& instance : lab->setup().instances) prefixes.push_back(instance.prefix);
    INFO(lab->setup().name);
    for (const auto& p : prefixes) CHECK(instances.count(p) == 1);
    for (const auto& r : roots) CHECK(nodes.count(r) == 1);
    std::cout << "real, DSS setup '" << lab->setup().name << "':";
    for (const auto& [d, values] : {std::pair{backend, std::map<std::string, std::string>{
                                                           {"instance", dkm::test::graphite_value_list(prefixes)}}},
                                    std::pair{host, std::map<std::string, std::string>{
                                                        {"node", dkm::test::graphite_value_list(roots)},
                                                        {"detail", roots.front()}}}}) {
      TargetCoverage c = rendered_coverage(d, values, b.carbonapi());
      INFO(d.title << ": targets without points: " << join(c.empty, ", "));
      CHECK(c.share() >= 0.8);
      std::cout << " " << d.title << " " << c.with_data << "/" << c.total << " targets render points"
                << (c.empty.empty() ? "" : " (none for " + join(c.empty, ", ") + ")") << ";";
    }
    std::cout << "\n";
  }

  // Every alert rule's Graphite query, as Grafana's alerting would send it, renders points.
  fs::path alerting = b.layout.root() / "conf" / "grafana" / "provisioning" / "alerting";
  std::error_code ec;
  REQUIRE_FALSE(fs::exists(alerting, ec));  // a backend-agent runs no Grafana: read the template
  YAML::Node rules = YAML::LoadFile((source_dir() / "dist/templates/grafana/grafana/provisioning/alerting/"
                                                    "dkumonitor-alerts.yaml").string());
  for (const auto& rule : rules["groups"][0]["rules"])
    for (const auto& q : rule["data"]) {
      if (q["datasourceUid"].as<std::string>() == "__expr__") continue;
      std::string target = q["model"]["target"].as<std::string>();
      if (reads_stack_metrics(target)) continue;  // go-carbon reports them every minute
      size_t points = points_in(carbonapi_render(b.carbonapi(), target, "-1h"));
      INFO(rule["title"].as<std::string>() << ": " << target);
      CHECK(points > 0);
      std::cout << "real, alert rule '" << rule["title"].as<std::string>() << "': " << points << " points\n";
    }
}
