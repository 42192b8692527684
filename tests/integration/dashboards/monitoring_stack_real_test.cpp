// Issue 18, item 4 ([real], DKM_REAL_BUNDLE=DIR: the real go-carbon, carbonapi and
// collectd): the stack watches itself. A backend-agent install as the installer renders
// it, run by dkm, with go-carbon and carbonapi reporting their own metrics every second
// instead of every minute (and go-carbon storing them at that step) and collectd reading
// every second:
// - every panel of the Monitoring stack dashboard, its variables resolved through
//   carbonapi as Grafana does, renders points from what go-carbon and carbonapi sent
//   (an error the test causes shows in the Errors panel);
// - every alert rule the stack brought (lost points, cache filling up, go-carbon silent,
//   a file system almost full) reads data, and none of go-carbon's fires on a healthy stack;
// - with a cache of 5,000 points, bursts of 300,000 points overflow it and the
//   lost-points rule, evaluated as Grafana would (alert_evaluation.hpp, a test double),
//   fires (a burst go-carbon's own count missed is followed by another, up to 5).
#include "carbonapi_client.hpp"
#include "dashboard_checks.hpp"
#include "dashboards_fixture.hpp"
#include "real_backend.hpp"
#include "stack_metrics.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <iostream>
#include <regex>

using namespace dkm;
using namespace dkm::test;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// A target of a dashboard, its variables resolved through carbonapi, and its answer.
struct RenderedTarget {
  std::string what;  ///< "PANEL (REF): EXPRESSION"
  nlohmann::json answer;
};

std::vector<RenderedTarget> render_every_target(const dkm::test::Dashboard& d, int carbonapi) {
  std::map<std::string, std::string> values;
  try {
    values = selected_values(resolve_dashboard_variables(d, carbonapi_metrics_api(carbonapi)));
  } catch (const Error&) {
    return {};  // a variable without options yet: nothing reported so far
  }
  std::vector<RenderedTarget> out;
  for (const auto& target : d.targets) {
    std::string expression = dkm::test::expand_variables(target.expression, values);
    out.push_back({target.panel + " (" + target.ref_id + "): " + expression, carbonapi_render(carbonapi, expression)});
  }
  return out;
}

/// The targets of `d` that render no point yet (all of them while a variable has no option).
std::vector<std::string> targets_without_points(const dkm::test::Dashboard& d, int carbonapi) {
  std::vector<RenderedTarget> rendered = render_every_target(d, carbonapi);
  if (rendered.empty()) return {"the variables: " + d.variables.front().query + " finds nothing"};
  std::vector<std::string> out;
  for (const auto& r : rendered)
    if (points_in(r.answer) == 0) out.push_back(r.what);
  return out;
}

/// The highest value of the series whose name ends with `suffix` in a /render answer (-1 when none).
double highest(const nlohmann::json& render, const std::string& suffix) {
  double top = -1;
  for (const auto& series : render.is_array() ? render : nlohmann::json::array())
    if (std::string name = series.value("target", "");
        name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      for (const auto& point : series["datapoints"])
        if (point[0].is_number()) top = std::max(top, point[0].get<double>());
  return top;
}

/// carbonapi's render of a rule's query over the rule's own time range.
nlohmann::json render_rule_query(const RealBackend& b, const AlertRuleQuery& rule) {
  return carbonapi_render(b.carbonapi(), rule.target, "-" + std::to_string(rule.from_seconds) + "s");
}

AlertRuleQuery stack_rule(const std::string& uid) {
  for (auto& rule : stack_alert_rules())
    if (rule.uid == uid) return rule;
  throw Error("no alert rule " + uid);
}

}  // namespace

TEST_CASE("real go-carbon and carbonapi: every Monitoring stack panel and stack alert query reads what they report",
          "[dashboards][real]") {
  fs::path real = require_env_or_skip("DKM_REAL_BUNDLE", "it needs a bundle with the real go-carbon and carbonapi");
  RealBackend b(fs::absolute(real));
  report_stack_metrics_every_second(b.layout);
  auto t0 = Clock::now();
  RunResult started = run_dkm(b.layout, {"start"});
  StopAtEnd stop_at_end{b.layout};
  INFO("dkm start:\n" << started.output);
  REQUIRE(started.ok());
  INFO("go-carbon's log:\n" << last_lines(read_file(b.layout.run() / "go-carbon.log"), 10));
  INFO("carbonapi's log:\n" << last_lines(read_file(b.layout.run() / "carbonapi.log"), 10));

  dkm::test::Dashboard stack = shipped_dashboard(kStackDashboardUid);
  std::vector<std::string> empty;
  bool complete = wait_until([&] { return (empty = targets_without_points(stack, b.carbonapi())).empty(); },
                             std::chrono::seconds(30), std::chrono::milliseconds(500));
  for (const auto& e : empty) FAIL_CHECK("no point for " << e);
  REQUIRE(complete);
  double all_panels = seconds_since(t0);

  // Every legend is a name the target's alias makes, not a name wrapped in functions.
  for (const auto& r : render_every_target(stack, b.carbonapi())) {
    INFO(r.what);
    for (const auto& series : r.answer) CHECK(series.value("target", "(none)").find('(') == std::string::npos);
  }

  // A request carbonapi refuses shows in the Errors panel.
  int status = 0;
  http_get(b.carbonapi(), "/render?format=json&target=sumSeries(", &status);
  CHECK(status == 400);
  auto refused = Clock::now();
  bool bad_request_shown = wait_until(
      [&] {
        for (const auto& r : render_every_target(stack, b.carbonapi()))
          if (r.what.rfind("Errors (A)", 0) == 0 && highest(r.answer, ".400") > 0) return true;
        return false;
      },
      std::chrono::seconds(10), std::chrono::milliseconds(500));
  CHECK(bad_request_shown);
  double error_shown = seconds_since(refused);

  // The stack's alert rules read data; go-carbon's do not fire on this healthy stack.
  std::vector<AlertRuleQuery> rules = stack_alert_rules();
  CHECK(rules.size() == 4);
  for (const auto& rule : rules) {
    INFO(rule.title << ": " << rule.target);
    nlohmann::json answer = render_rule_query(b, rule);
    REQUIRE(answer.is_array());
    CHECK(points_in(answer) > 0);
    std::vector<AlertInstance> instances = evaluate_alert_rule(rule, answer);
    if (reads_stack_metrics(rule.target)) CHECK_FALSE(any_firing(instances));
    for (const auto& i : instances)
      std::cout << "alert rule '" << rule.title << "': " << i.series << " = " << i.value
                << (i.firing ? " (firing)" : "") << "\n";
  }
  std::cout << "Monitoring stack: its " << stack.targets.size() << " targets all render points "
            << all_panels << " s after dkm start (go-carbon and carbonapi reporting every second); a refused "
            << "request shows in Errors " << error_shown << " s after\n";
}

TEST_CASE("real go-carbon with a cache of 5000 points: a burst overflows it and the lost-points rule fires",
          "[dashboards][real]") {
  fs::path real = require_env_or_skip("DKM_REAL_BUNDLE", "it needs a bundle with the real go-carbon and carbonapi");
  RealBackend b(fs::absolute(real), [](std::string conf) {
    return std::regex_replace(conf, std::regex("\nmax-size = [0-9]+\n"), "\nmax-size = 5000\n");
  });
  REQUIRE_THAT(read_file(b.layout.conf() / "go-carbon.conf"), Catch::Contains("\nmax-size = 5000\n"));
  report_stack_metrics_every_second(b.layout);
  RunResult started = run_dkm(b.layout, {"start", "go-carbon", "carbonapi"});
  StopAtEnd stop_at_end{b.layout};
  INFO("dkm start:\n" << started.output);
  REQUIRE(started.ok());
  INFO("go-carbon's log:\n" << last_lines(read_file(b.layout.run() / "go-carbon.log"), 10));

  AlertRuleQuery lost = stack_rule("dkumonitor-carbon-lost-points");
  // Before the burst: go-carbon reports its overflow count (0), and the rule does not fire.
  REQUIRE(wait_until([&] { return points_in(render_rule_query(b, lost)) > 0; }, std::chrono::seconds(20),
                     std::chrono::milliseconds(200)));
  CHECK_FALSE(any_firing(evaluate_alert_rule(lost, render_rule_query(b, lost))));

  // Bursts of 300,000 points, 6,000 for each of 50 metrics, at once over one connection,
  // every 5 s until the rule fires. go-carbon's own count goes through its cache too: a
  // count made while the cache is full is dropped with the burst, so one burst may go
  // uncounted when go-carbon reports in the middle of it (it reports every second here).
  const int kMetrics = 50, kPoints = 300000;
  int bursts = 0;
  auto send_burst = [&] {
    long now = static_cast<long>(std::time(nullptr));
    std::vector<std::string> lines;
    lines.reserve(kPoints);
    for (int i = 0; i < kPoints; ++i)
      lines.push_back("stack.burst.m" + std::to_string(i % kMetrics) + " " + std::to_string(i) + " " +
                      std::to_string(now - i / kMetrics));
    send_plaintext(b.carbon(), lines);
    ++bursts;
  };
  auto sent = Clock::now();
  std::vector<AlertInstance> instances;
  bool fired = false;
  for (int attempt = 0; attempt < 5 && !fired; ++attempt) {
    send_burst();
    fired = wait_until([&] { return any_firing(instances = evaluate_alert_rule(lost, render_rule_query(b, lost))); },
                       std::chrono::seconds(5), std::chrono::milliseconds(200));
  }
  REQUIRE(fired);
  double counted = 0;
  for (const auto& i : instances) counted += i.value;
  CHECK(counted > lost.threshold);
  CHECK(counted <= static_cast<double>(bursts) * kPoints);
  std::cout << "cache max-size 5000, " << bursts << " burst(s) of " << kPoints << " points: go-carbon counted "
            << counted << " points lost (cache.overflow), and the rule '" << lost.title << "' fired "
            << seconds_since(sent) << " s after the first burst was sent\n";
}
