// Issue 13, item 3: the alert rules Grafana provisions from conf/grafana/provisioning/
// alerting/, as the installer renders them: every file parses and has what Grafana's
// file provisioning needs (pkg/services/provisioning/alerting: apiVersion 1, groups with
// a name, a folder and an interval, rules with a uid, a title, a condition naming one of
// their queries, queries with a refId, a time range, a datasource and a model), no
// contact point is provisioned, the thresholds sit in one block, and every Graphite
// query reads series that DSS's collectd, DSS's backend or dkumonitor's agent really send
// (the DSS setups of dss_lab.hpp, run side by side), except the rules on go-carbon's own
// metrics, which only a real go-carbon sends (monitoring_stack_real_test.cpp).
#include "dashboard_checks.hpp"
#include "dss_lab.hpp"
#include "stack_metrics.hpp"

#include <catch2/catch.hpp>

#include <yaml-cpp/yaml.h>

#include <iostream>
#include <regex>

using namespace dkm;
using namespace dkm::test;

namespace {

/// The alerting files of a freshly installed server, and its provisioned datasource's uid.
struct RenderedAlerting {
  TempDir tmp{"dkm-alerts-"};
  std::vector<fs::path> files;
  std::string datasource_uid;

  RenderedAlerting() {
    TestBundle bundle = make_dashboards_bundle(tmp.path() / "dkumonitor-1.0.0");
    dkm::InstallLayout layout(tmp.path() / "inst");
    RunResult installed = run_installer(bundle, {"-d", layout.root().string(), "-p", std::to_string(free_port_block()),
                                                 "-t", "server"});
    if (!installed.ok()) throw Error("installer: " + installed.output);
    fs::path provisioning = layout.conf() / "grafana" / "provisioning";
    for (const auto& entry : fs::directory_iterator(provisioning / "alerting")) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    datasource_uid = YAML::LoadFile((provisioning / "datasources" / "dkumonitor.yaml").string())["datasources"][0]["uid"]
                         .as<std::string>();
  }
};

bool is_duration(const std::string& text) { return std::regex_match(text, std::regex("[0-9]+(ms|s|m|h|d|w|y)")); }

/// Checks one query of a rule (`refs`: the refIds before it) against what provisioning needs.
void check_query(const YAML::Node& q, const std::set<std::string>& refs, const std::string& datasource_uid) {
  std::string ref = q["refId"].as<std::string>("");
  INFO("query " << ref);
  CHECK_FALSE(ref.empty());
  CHECK(q["relativeTimeRange"]["from"].as<int>(-1) >= 0);
  CHECK(q["relativeTimeRange"]["to"].as<int>(-1) >= 0);
  REQUIRE(q["model"].IsMap());
  CHECK(q["model"]["refId"].as<std::string>("") == ref);
  std::string datasource = q["datasourceUid"].as<std::string>("");
  if (datasource == "__expr__") {
    std::string type = q["model"]["type"].as<std::string>("");
    CHECK((type == "reduce" || type == "threshold" || type == "math"));
    CHECK(refs.count(q["model"]["expression"].as<std::string>("")) == 1);
  } else {
    CHECK(datasource == datasource_uid);
    CHECK(q["model"]["datasource"]["uid"].as<std::string>("") == datasource_uid);
    CHECK_NOTHROW(dkm::test::graphite_series_paths(q["model"]["target"].as<std::string>("")));
  }
}

/// Checks one rule against what provisioning needs; returns its uid.
std::string check_rule(const YAML::Node& rule, const std::string& datasource_uid) {
  std::string uid = rule["uid"].as<std::string>(""), title = rule["title"].as<std::string>("");
  INFO("rule " << uid << " (" << title << ")");
  CHECK_FALSE(uid.empty());
  CHECK(uid.size() <= 40);
  CHECK_FALSE(title.empty());
  CHECK(is_duration(rule["for"].as<std::string>("0s")));
  static const std::set<std::string> no_data{"NoData", "Alerting", "OK", "KeepLast"},
      exec_err{"Error", "Alerting", "OK", "KeepLast"};
  CHECK(no_data.count(rule["noDataState"].as<std::string>("NoData")) == 1);
  CHECK(exec_err.count(rule["execErrState"].as<std::string>("Error")) == 1);
  REQUIRE(rule["data"].IsSequence());
  REQUIRE(rule["data"].size() > 0);
  std::set<std::string> refs;
  for (const auto& q : rule["data"]) {
    check_query(q, refs, datasource_uid);
    refs.insert(q["refId"].as<std::string>(""));
  }
  CHECK(refs.count(rule["condition"].as<std::string>("")) == 1);
  return uid;
}

/// Every Graphite query (target) of every rule of every file.
std::vector<std::pair<std::string, std::string>> graphite_queries(const std::vector<fs::path>& files) {
  std::vector<std::pair<std::string, std::string>> out;  // rule title, target
  for (const auto& file : files)
    for (const auto& group : YAML::LoadFile(file.string())["groups"])
      for (const auto& rule : group["rules"])
        for (const auto& q : rule["data"])
          if (q["datasourceUid"].as<std::string>("") != "__expr__")
            out.push_back({rule["title"].as<std::string>(""), q["model"]["target"].as<std::string>("")});
  return out;
}

}  // namespace

TEST_CASE("alert rules: every file parses and has what Grafana's provisioning needs", "[dashboards][alerts]") {
  RenderedAlerting alerting;
  REQUIRE_FALSE(alerting.files.empty());
  std::set<std::string> uids;
  size_t rules = 0;
  for (const auto& file : alerting.files) {
    INFO(file);
    CHECK((file.extension() == ".yaml" || file.extension() == ".yml" || file.extension() == ".json"));
    YAML::Node doc;
    REQUIRE_NOTHROW(doc = YAML::LoadFile(file.string()));
    CHECK(doc["apiVersion"].as<int>(0) == 1);
    REQUIRE(doc["groups"].IsSequence());
    for (const auto& group : doc["groups"]) {
      CHECK(group["orgId"].as<int>(1) >= 1);
      CHECK_FALSE(group["name"].as<std::string>("").empty());
      CHECK_FALSE(group["folder"].as<std::string>("").empty());
      CHECK(is_duration(group["interval"].as<std::string>("")));
      for (const auto& rule : group["rules"]) {
        CHECK(uids.insert(check_rule(rule, alerting.datasource_uid)).second);
        ++rules;
      }
    }
  }
  CHECK(rules == 9);
}

TEST_CASE("alert rules: no contact point by default and the thresholds in one block the rules read",
          "[dashboards][alerts]") {
  RenderedAlerting alerting;
  for (const auto& file : alerting.files) {
    YAML::Node doc = YAML::LoadFile(file.string());
    for (const char* key : {"contactPoints", "policies", "templates", "muteTimes"}) CHECK_FALSE(doc[key]);
  }
  // The file as written: the rules name the thresholds (YAML aliases) rather than repeat numbers.
  std::string text = read_file(alerting.files.front());
  YAML::Node doc = YAML::Load(text);
  REQUIRE(doc["thresholds"].IsMap());
  for (const char* alias : {"params: [*data_dir_used_percent]", "params: [*heap_used_ratio]",
                            "from: *agent_silence_seconds", "from: *dss_collectd_silence_seconds",
                            "from: *dss_window_seconds", "for: *pending", "params: [*lost_points]",
                            "params: [*cache_used_ratio]", "params: [*disk_used_percent]",
                            "from: *stack_window_seconds", "from: *go_carbon_silence_seconds"})
    CHECK_THAT(text, Catch::Contains(alias));
  std::regex literal_params(R"(params: \[[0-9.]+\])");
  std::vector<std::string> literals;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), literal_params); it != std::sregex_iterator(); ++it)
    literals.push_back(it->str());
  CHECK(literals == std::vector<std::string>(4, "params: [1]"));  // "fewer than 1 process or value": no threshold
  CHECK(doc["thresholds"]["data_dir_used_percent"].as<double>() == 90);
  CHECK(doc["thresholds"]["heap_used_ratio"].as<double>() == 0.9);
  CHECK(doc["thresholds"]["lost_points"].as<double>() == 0);
  CHECK(doc["thresholds"]["cache_used_ratio"].as<double>() == 0.5);
  CHECK(doc["thresholds"]["disk_used_percent"].as<double>() == 90);
}

TEST_CASE("alert rules: every query reads series that DSS and dkumonitor's agent send", "[dashboards][alerts][dss]") {
  RenderedAlerting alerting;
  std::vector<std::unique_ptr<DssLab>> labs = start_every_dss_setup();
  std::set<std::string> names;
  for (const auto& lab : labs) {
    INFO(lab->setup().name << ":\n" << lab->logs());
    CHECK(lab->wait_reported(5));
    for (const auto& name : lab->names()) names.insert(name);
  }
  auto queries = graphite_queries(alerting.files);
  CHECK(queries.size() == 9);
  for (const auto& [title, target] : queries) {
    INFO(title << ": " << target);
    if (reads_stack_metrics(target)) continue;  // go-carbon's own: monitoring_stack_real_test.cpp
    size_t matched = 0;
    for (const auto& path : dkm::test::graphite_series_paths(target))
      matched += dkm::test::GraphiteGlob(path).find(names).size();
    CHECK(matched > 0);
    std::cout << "alert rule '" << title << "': its query reads " << matched << " series of the DSS setups\n";
  }
}
