// tests/support/js_regex.hpp and grafana_variables.hpp: Grafana's resolution of a
// Graphite query variable (find or expand, then the regex), reproduced for the tests.
#include <catch2/catch.hpp>

#include "grafana_variables.hpp"

using namespace dkm;
using namespace dkm::test;

namespace {

std::vector<std::string> values_of(const std::vector<VariableOption>& options) {
  std::vector<std::string> out;
  for (const auto& o : options) out.push_back(o.value);
  return out;
}

std::vector<MetricFindValue> answers(const std::vector<std::string>& texts) {
  std::vector<MetricFindValue> out;
  for (const auto& t : texts) out.push_back({t, std::nullopt});
  return out;
}

}  // namespace

TEST_CASE("a JavaScript regex numbers its groups as JavaScript does, named ones included", "[grafana]") {
  JsRegex re(R"(^(?<value>(?<text>.+?)(?:\.collectd)?)\.([a-z]+)$)", "");
  size_t last = 0;
  auto m = re.exec("dss.com.example.h1.10000.collectd.cpu", last);
  REQUIRE(m);
  REQUIRE(m->groups.size() == 4);
  CHECK(m->group("value") == "dss.com.example.h1.10000.collectd");
  CHECK(m->group("text") == "dss.com.example.h1.10000");
  CHECK(m->groups[3] == "cpu");
  CHECK(m->group("absent") == std::nullopt);
  // Parentheses escaped or inside a class are not groups.
  JsRegex literal(R"(^\((a)[(]$)", "");
  REQUIRE(literal.exec("(a(", last));
  CHECK(literal.exec("(a(", last)->groups.size() == 2);
  // A group that takes no part is undefined.
  JsRegex optional("^x(y)?$", "");
  CHECK(optional.exec("x", last)->groups[1] == std::nullopt);
}

TEST_CASE("exec with the g flag walks lastIndex, without it starts over", "[grafana]") {
  JsRegex global("[0-9]+", "g");
  size_t last = 0;
  CHECK(global.exec("a1b22c333", last)->groups[0] == "1");
  CHECK(last == 2);
  CHECK(global.exec("a1b22c333", last)->groups[0] == "22");
  CHECK(global.exec("a1b22c333", last)->groups[0] == "333");
  CHECK_FALSE(global.exec("a1b22c333", last));
  CHECK(last == 0);
  JsRegex once("[0-9]+", "");
  last = 5;
  CHECK(once.exec("a1b22", last)->groups[0] == "1");
  JsRegex anchored("^b", "g");
  last = 1;
  CHECK_FALSE(anchored.exec("ab", last));  // ^ is the start of the text, not of lastIndex
}

TEST_CASE("what the regex class does not reproduce is refused, not read another way", "[grafana]") {
  CHECK_THROWS_WITH(JsRegex("(?<=a)b", ""), Catch::Contains("lookbehind"));
  CHECK_THROWS_WITH(JsRegex("a", "s"), Catch::Contains("flag 's'"));
  CHECK_THROWS_AS(JsRegex("(a", ""), UsageError);
}

TEST_CASE("stringToJsRegex: /body/flags is a literal, a bare pattern must match whole", "[grafana]") {
  size_t last = 0;
  CHECK(string_to_js_regex("b.*").exec("bcd", last));
  CHECK_FALSE(string_to_js_regex("b.*").exec("abcd", last));  // ^b.*$
  CHECK(string_to_js_regex("/b.*/").exec("abcd", last));
  CHECK(string_to_js_regex("/B/gi").global());
  CHECK_THROWS_WITH(string_to_js_regex("/a/x"), "'/a/x' is not a valid regular expression.");
}

TEST_CASE("metricNamesToVariableValues: the regex picks, drops and names options", "[grafana]") {
  auto items = answers({"h1.cpu", "h2.cpu", "other"});
  CHECK(values_of(metric_names_to_variable_values("", items)) == std::vector<std::string>{"h1.cpu", "h2.cpu", "other"});
  // The first capture group is text and value; non-matching answers are dropped.
  CHECK(values_of(metric_names_to_variable_values(R"(/^(.+)\.cpu$/)", items)) == std::vector<std::string>{"h1", "h2"});
  // Named groups: value and text apart.
  auto named = metric_names_to_variable_values(R"(/^(?<value>(?<text>h[0-9])\.cpu)$/)", items);
  REQUIRE(named.size() == 2);
  CHECK(named[0].text == "h1");
  CHECK(named[0].value == "h1.cpu");
  // No capture group: the whole answer stays when it matches.
  CHECK(values_of(metric_names_to_variable_values("/cpu/", items)) == std::vector<std::string>{"h1.cpu", "h2.cpu"});
  // With the g flag and a group, every match is an option; options are unique by value.
  CHECK(values_of(metric_names_to_variable_values("/h([0-9])/g", answers({"h1h2", "h1"}))) ==
        std::vector<std::string>{"1", "2"});
  CHECK_THROWS_WITH(metric_names_to_variable_values("/^x(y)?$/", answers({"x"})), Catch::Contains("undefined"));
}

namespace {

const char* kDashboard = R"json({
  "uid": "d1", "title": "Test", "schemaVersion": 42,
  "templating": {"list": [
    {"name": "node", "type": "query", "multi": true, "includeAll": true,
     "query": {"queryType": "Default", "refId": "A",
               "target": "expand({collectd.*,*.collectd,*.*.collectd}.cpu)"},
     "regex": "/^(?<value>(?<text>.+?)(?:\\.collectd)?)\\.cpu$/"},
    {"name": "disk", "type": "query", "multi": true, "includeAll": true, "allValue": "*",
     "query": {"queryType": "Default", "refId": "A", "target": "$node.disk.*"}},
    {"name": "state", "type": "custom", "query": "user, system"}
  ]},
  "panels": [{"title": "Disk", "targets": [{"refId": "A", "target": "$node.disk.$disk.disk_ops.read"}]}]
})json";

}  // namespace

TEST_CASE("variables resolve in order through expand and find, then the targets expand", "[grafana]") {
  dkm::test::Dashboard d = dkm::test::parse_dashboard(kDashboard, "test.json");
  REQUIRE(d.variables[0].query_type == "Default");
  std::set<std::string> names{"collectd.h1.cpu.count", "collectd.h1.disk.vda.disk_ops.read",
                              "dss.h2.collectd.cpu.count",
                              "dss.h2.collectd.disk.sda.disk_ops.read", "dataiku.dss.x.backend.y"};
  std::vector<std::string> asked;
  GraphiteMetricsApi api = metrics_api_over(names), recorded = api;
  recorded.find = [&](const std::string& q) { asked.push_back("find " + q); return api.find(q); };
  recorded.expand = [&](const std::string& q) { asked.push_back("expand " + q); return api.expand(q); };

  auto resolved = resolve_dashboard_variables(d, recorded);
  CHECK(asked == std::vector<std::string>{
                     "expand {collectd.*,*.collectd,*.*.collectd}.cpu",
                     "find {collectd.h1,dss.h2.collectd}.disk.*"});
  const auto& node = resolved["node"];
  REQUIRE(node.options.size() == 2);
  CHECK(node.options[0].text == "collectd.h1");
  CHECK(node.options[1].text == "dss.h2");
  CHECK(node.options[1].value == "dss.h2.collectd");
  CHECK(node.all == "{collectd.h1,dss.h2.collectd}");
  CHECK(values_of(resolved["disk"].options) == std::vector<std::string>{"sda", "vda"});
  CHECK(resolved["disk"].all == "*");
  CHECK(resolved["state"].all == "user");  // single-valued: the first option

  auto series = dkm::test::expanded_series(d, selected_values(resolved));
  REQUIRE(series.size() == 1);
  CHECK(dkm::test::GraphiteGlob(series[0].path).find(names).size() == 2);
}

TEST_CASE("find answers node names once each and a variable with no option names itself", "[grafana]") {
  std::set<std::string> names{"a.x.m", "b.x.m", "b.y.m"};
  CHECK(metrics_api_over(names).find("*.*") == std::vector<std::string>{"x", "y"});
  CHECK(metrics_api_over(names).expand("*.x") == std::vector<std::string>{"a.x", "b.x"});
  dkm::test::Dashboard d = dkm::test::parse_dashboard(kDashboard, "test.json");
  std::set<std::string> none;
  CHECK_THROWS_WITH(resolve_dashboard_variables(d, metrics_api_over(none)),
                    Catch::StartsWith("test.json: variable 'node': query 'expand({collectd.*"));
  dkm::test::DashboardVariable value_query{"v", "query", "a.b", "Value", "", false, false, ""};
  CHECK_THROWS_WITH(graphite_metric_find_query(value_query, {}, metrics_api_over(names)), Catch::Contains("Value"));
}
