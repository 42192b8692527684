// tests/support/graphite_expression and dashboard (the dashboard checker): the series a dashboard reads.
#include <catch2/catch.hpp>

#include "dashboard.hpp"

using namespace dkm;
using namespace dkm::test;

using Paths = std::vector<std::string>;

TEST_CASE("a bare path is its own series", "[dashboard]") {
  CHECK(graphite_series_paths("collectd.*.uptime.uptime") == Paths{"collectd.*.uptime.uptime"});
  CHECK(graphite_series_paths("  a.b  ") == Paths{"a.b"});
}

TEST_CASE("functions wrapping series give the path arguments only", "[dashboard]") {
  CHECK(graphite_series_paths("aliasByNode(sumSeries(a.b.*), 1)") == Paths{"a.b.*"});
  CHECK(graphite_series_paths("groupByNodes(c.*.cpu.*.percent.{user,system,wait}, 'avg', 1, 5)") ==
        Paths{"c.*.cpu.*.percent.{user,system,wait}"});
  CHECK(graphite_series_paths("asPercent(m.used, sumSeries(m.{used,free}))") == Paths{"m.used", "m.{used,free}"});
  CHECK(graphite_series_paths("aliasSub(a.[0-9].x, '(\\d+)', \"cpu \\1\")") == Paths{"a.[0-9].x"});
  CHECK(graphite_series_paths("scale(a.b, -0.0001)") == Paths{"a.b"});
  CHECK(graphite_series_paths("movingAverage(a.b, windowSize='5min', xFilesFactor=0.5)") == Paths{"a.b"});
  CHECK(graphite_series_paths("legendValue(a.b, 'avg', true)") == Paths{"a.b"});
  CHECK(graphite_series_paths("asPercent(#A, #B)").empty());
  CHECK(graphite_series_paths("f()").empty());
}

TEST_CASE("an expression that does not parse names itself and the offset", "[dashboard]") {
  REQUIRE_THROWS_WITH(graphite_series_paths("sumSeries(a.b"), Catch::Contains("sumSeries(a.b") && Catch::Contains("offset 13"));
  REQUIRE_THROWS_WITH(graphite_series_paths("alias(a.b, 'x)"), Catch::Contains("unterminated string"));
  REQUIRE_THROWS_WITH(graphite_series_paths("a.{b,c"), Catch::Contains("unbalanced '{'"));
  REQUIRE_THROWS_AS(graphite_series_paths(""), UsageError);
  REQUIRE_THROWS_AS(graphite_series_paths("f(a) b"), UsageError);
  REQUIRE_THROWS_AS(graphite_series_paths("f(a,,b)"), UsageError);
}

TEST_CASE("variables expand in every Grafana spelling", "[dashboard]") {
  std::map<std::string, std::string> values{{"host", "{h1,h2}"}, {"instance", "inst1"}};
  CHECK(expand_variables("collectd.$host.cpu", values) == "collectd.{h1,h2}.cpu");
  CHECK(expand_variables("collectd.${host}.cpu", values) == "collectd.{h1,h2}.cpu");
  CHECK(expand_variables("collectd.${host:raw}.cpu", values) == "collectd.{h1,h2}.cpu");
  CHECK(expand_variables("collectd.[[host]].cpu", values) == "collectd.{h1,h2}.cpu");
  CHECK(expand_variables("dataiku.dss.$instance.x.$unknown", values) == "dataiku.dss.inst1.x.$unknown");
  CHECK(expand_variables("$instance$instance", values) == "inst1inst1");
}

namespace {

const char* kDashboard = R"json({
  "uid": "d1", "title": "Test", "schemaVersion": 39,
  "templating": {"list": [
    {"name": "host", "type": "query", "query": "collectd.*", "multi": true, "includeAll": true,
     "datasource": {"type": "graphite", "uid": "ds1"}},
    {"name": "disk", "type": "query", "query": {"query": "collectd.$host.disk.*"},
     "datasource": {"type": "graphite", "uid": "ds1"}},
    {"name": "state", "type": "custom", "query": "user, system"}
  ]},
  "panels": [
    {"type": "row", "title": "Row", "collapsed": true, "panels": [
      {"title": "Inner", "datasource": {"uid": "ds1"}, "targets": [{"refId": "A", "target": "collectd.$host.uptime.uptime"}]}
    ]},
    {"title": "CPU", "datasource": {"type": "graphite", "uid": "ds1"},
     "targets": [{"refId": "A", "target": "aliasByNode(collectd.$host.cpu.*.percent.$state, 1)", "datasource": "Graphite"},
                 {"refId": "B", "target": "collectd.$host.disk.$disk.disk_ops.read"},
                 {"refId": "C", "target": "", "hide": true}]}
  ]
})json";

}  // namespace

TEST_CASE("a dashboard gives its identity, variables, targets and datasource references", "[dashboard]") {
  Dashboard d = parse_dashboard(kDashboard, "test.json");
  CHECK(d.uid == "d1");
  CHECK(d.title == "Test");
  CHECK(d.schema_version == 39);
  REQUIRE(d.variables.size() == 3);
  CHECK(d.variables[0].multi);
  CHECK(d.variables[1].query == "collectd.$host.disk.*");
  REQUIRE(d.targets.size() == 3);
  CHECK(d.targets[0].panel == "Inner");
  CHECK(d.targets[0].where == "/panels/0/panels/0/targets/0");
  CHECK(d.targets[2].ref_id == "B");
  std::vector<std::string> uids, texts;
  for (const auto& ref : d.datasources) {
    uids.push_back(ref.uid);
    texts.push_back(ref.text);
  }
  // Four in objects with a uid (two variables, two panels), one legacy name without.
  CHECK(std::count(uids.begin(), uids.end(), "ds1") == 4);
  CHECK(std::count(texts.begin(), texts.end(), "\"Graphite\"") == 1);
}

TEST_CASE("a variable in Grafana's object form gives its target, query type and regex", "[dashboard]") {
  Dashboard d = parse_dashboard(R"json({"templating": {"list": [
    {"name": "n", "type": "query", "regex": "/^(.+)$/",
     "query": {"queryType": "Default", "refId": "A", "target": "expand(a.*)"}}]}})json", "o.json");
  REQUIRE(d.variables.size() == 1);
  CHECK(d.variables[0].query == "expand(a.*)");
  CHECK(d.variables[0].query_type == "Default");
  CHECK(d.variables[0].regex == "/^(.+)$/");
}

TEST_CASE("targets expand with the variables' values", "[dashboard]") {
  Dashboard d = parse_dashboard(kDashboard, "test.json");
  auto series = expanded_series(d, {{"host", "{h1,h2}"}, {"state", "{user,system}"}, {"disk", "vda"}});
  REQUIRE(series.size() == 3);
  CHECK(series[0].path == "collectd.{h1,h2}.uptime.uptime");
  CHECK(series[1].path == "collectd.{h1,h2}.cpu.*.percent.{user,system}");
  CHECK(series[1].expression == "aliasByNode(collectd.{h1,h2}.cpu.*.percent.{user,system}, 1)");
  CHECK(series[2].path == "collectd.{h1,h2}.disk.vda.disk_ops.read");
}

TEST_CASE("bad dashboards are errors naming the file and the target", "[dashboard]") {
  REQUIRE_THROWS_WITH(parse_dashboard("{nope", "bad.json"), Catch::StartsWith("bad.json: not valid JSON"));
  REQUIRE_THROWS_WITH(parse_dashboard("[1]", "bad.json"), "bad.json: a dashboard must be a JSON object");
  Dashboard d = parse_dashboard(R"({"panels": [{"title": "P", "targets": [{"refId": "A", "target": "sum(a"}]}]})", "b.json");
  REQUIRE_THROWS_WITH(expanded_series(d, {}), Catch::StartsWith("b.json: /panels/0/targets/0 (panel 'P'): graphite target 'sum(a'"));
}
