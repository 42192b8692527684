#include "capacity_run.hpp"

#include "dashboard_load.hpp"
#include "go_carbon_stats.hpp"
#include "graphite_client.hpp"
#include "load_generator.hpp"
#include "system_probes.hpp"

// The go-carbon plaintext listener of the dashboards tests: here it receives go-carbon's own metrics.
#include <carbon_recorder.hpp>

#include <dkm/core/process.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <thread>

namespace dkm::capacity {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

int64_t epoch_now() { return static_cast<int64_t>(std::time(nullptr)); }

void sleep_seconds(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }

/// Runs the install's dkm; throws Error with its output when it fails.
void dkm(const RunSettings& s, const std::vector<std::string>& args) {
  std::vector<std::string> argv{(s.install / "bin" / "dkm").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  RunOptions options;
  options.env["DKM_ALLOW_ROOT"] = "1";
  RunResult r = run_process(argv, options);
  if (!r.ok()) throw Error("dkm " + join(args, " ") + ": " + r.describe() + "\n" + r.output);
}

/// Host-node globs that all match every simulated host ("invalid_bench_h00042") but are
/// written differently, so each probe misses go-carbon's five-minute glob cache.
std::vector<std::string> host_glob_variants() {
  const std::string node = simulated_host_node(0);
  std::vector<std::string> out;
  for (size_t k = 0; k < node.size(); ++k) out.push_back(std::string(k, '?') + "*");
  for (size_t k = 1; k < node.size() - 5; ++k) out.push_back(node.substr(0, k) + "*");
  for (size_t k = 1; k < node.size(); ++k) out.push_back("*" + std::string(k, '?'));
  return out;
}

/// The metric probed for "renderable": the load average's short term, else the first stored one.
std::string probe_suffix(const MetricSet& set) {
  for (const auto& m : set.metrics)
    if (m.suffix == "load.load.shortterm" && m.stored()) return m.suffix;
  for (const auto& m : set.metrics)
    if (m.stored()) return m.suffix;
  throw Error("capture: no metric with a value");
}

struct Point {
  const RunSettings& s;
  MetricSet plain;
  test::CarbonRecorder stats;
  LoadGenerator load;
  GraphiteClient api;
  pid_t carbon_pid = 0, api_pid = 0;
  Clock::time_point t0;
  int64_t epoch0 = 0;
  json result;

  Point(const RunSettings& settings, MetricSet plain_set, MetricSet dss_set, LoadOptions options)
      : s(settings), plain(plain_set), stats(settings.stats_port), load(options, plain_set, dss_set),
        api(settings.port + 2) {}

  double elapsed() const { return std::chrono::duration<double>(Clock::now() - t0).count(); }
  GoCarbonSeries series() const { return parse_go_carbon_stats(stats.lines()); }
};

/// Hosts whose `probe` series renders points since `from`: one-node hosts through the glob
/// variant `glob`, migrated agents' dotted hosts through collectd.invalid.bench.*.
size_t renderable_hosts(Point& p, const std::string& glob, const std::string& probe, const std::string& from) {
  size_t n = series_with_points(p.api.render({"collectd." + glob + "." + probe}, from)).size();
  if (p.s.dotted_every > 0)
    n += series_with_points(p.api.render({"collectd.invalid.bench.*." + probe}, from)).size();
  return n;
}

/// Phase 3: until every whisper file exists and every host renders, or the timeout.
void settle(Point& p) {
  const uint64_t expected = p.load.points_per_round();
  const std::string probe = probe_suffix(p.plain);
  std::vector<std::string> globs = host_glob_variants();
  size_t next_glob = 0, renderable = 0;
  json created = nullptr, rendered = nullptr;
  while (p.elapsed() < p.s.settle_timeout && (created.is_null() || rendered.is_null())) {
    sleep_seconds(10);
    DiskUsage usage = whisper_usage(p.s.install / "storage" / "whisper");
    if (created.is_null() && usage.files >= expected) created = p.elapsed();
    if (rendered.is_null()) {
      renderable = renderable_hosts(p, globs[next_glob++ % globs.size()], probe, "-10min");
      if (renderable >= p.s.hosts) rendered = p.elapsed();
    }
    std::printf("  t=%5.0fs files %llu/%llu, hosts renderable %zu/%zu, cache %.0f points, sender lag %lld ms, load %.1f\n",
                p.elapsed(), static_cast<unsigned long long>(usage.files), static_cast<unsigned long long>(expected),
                renderable, p.s.hosts, latest(p.series(), "cache.size", 0),
                static_cast<long long>(p.load.counters().last_lag_ms.load()), load_average());
    std::fflush(stdout);
  }
  p.result["files_expected"] = expected;
  p.result["created_seconds"] = created;
  p.result["renderable_seconds"] = rendered;
  p.result["renderable_hosts"] = renderable;
}

/// The reporting interval of go-carbon's metrics, from consecutive reports (10 s by default here).
double report_interval(const GoCarbonSeries& series) {
  auto it = series.find("tcp.metricsReceived");
  if (it == series.end() || it->second.size() < 2) return 10;
  std::vector<double> gaps;
  for (size_t i = 1; i < it->second.size(); ++i)
    gaps.push_back(static_cast<double>(it->second[i].timestamp - it->second[i - 1].timestamp));
  return std::max(1.0, percentile(gaps, 50));
}

/// Phase 4: the steady window, after creation.
void measure_window(Point& p) {
  double cpu0 = cpu_seconds(p.carbon_pid), load0 = load_average(), own0 = cpu_seconds(::getpid());
  uint64_t sent0 = p.load.counters().points;
  int64_t from = epoch_now();
  auto w0 = Clock::now();
  long carbon_rss = 0, api_rss = 0;
  while (std::chrono::duration<double>(Clock::now() - w0).count() < p.s.window) {
    sleep_seconds(std::min(10.0, p.s.window));
    carbon_rss = std::max(carbon_rss, resident_kib(p.carbon_pid));
    api_rss = std::max(api_rss, resident_kib(p.api_pid));
  }
  double seconds = std::chrono::duration<double>(Clock::now() - w0).count();
  double cpu = cpu_seconds(p.carbon_pid) - cpu0;
  uint64_t sent = p.load.counters().points - sent0;
  int64_t to = epoch_now();
  GoCarbonSeries series = p.series();
  double covered = static_cast<double>(samples_between(series, "tcp.metricsReceived", from, to).size()) *
                   report_interval(series);
  auto rate = [&](const char* key) { return covered > 0 ? counter_total(series, key, from, to) / covered : 0.0; };
  GaugeSummary cache = gauge_summary(series, "cache.size", from, to);
  double updates = counter_total(series, "persister.updateOperations", from, to);
  json w;
  w["seconds"] = seconds;
  w["load_start"] = load0;
  w["load_end"] = load_average();
  w["sent_pps"] = static_cast<double>(sent) / seconds;
  w["received_pps"] = rate("tcp.metricsReceived");
  w["committed_pps"] = rate("persister.committedPoints");
  w["updates_ps"] = rate("persister.updateOperations");
  w["points_per_update"] = updates > 0 ? counter_total(series, "persister.committedPoints", from, to) / updates : 0;
  w["overflow"] = counter_total(series, "cache.overflow", from, to);
  w["created"] = counter_total(series, "persister.created", from, to);
  w["cache"] = {{"first", cache.first}, {"last", cache.last}, {"max", cache.max}, {"slope_pps", cache.slope_per_second}};
  w["queue_writeout_max_s"] = gauge_summary(series, "cache.queueWriteoutTime", from, to).max;
  w["carbon_cpu_pct"] = 100.0 * cpu / seconds;
  w["generator_cpu_pct"] = 100.0 * (cpu_seconds(::getpid()) - own0) / seconds;  // competes for the same cores
  w["carbon_rss_mib"] = static_cast<double>(carbon_rss) / 1024.0;
  w["carbonapi_rss_mib"] = static_cast<double>(api_rss) / 1024.0;
  w["sender_max_lag_ms"] = p.load.counters().max_lag_ms.load();
  p.result["window"] = w;
}

/// The largest resident memory of two processes while it lives, sampled every 200 ms
/// (a dashboard load's peak lasts a second or two).
class PeakResident {
 public:
  PeakResident(pid_t a, pid_t b) : thread_([this, a, b] {
      while (!stop_) {
        peak_a_ = std::max(peak_a_.load(), resident_kib(a));
        peak_b_ = std::max(peak_b_.load(), resident_kib(b));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    }) {}
  PeakResident(const PeakResident&) = delete;
  PeakResident& operator=(const PeakResident&) = delete;
  ~PeakResident() {
    stop_ = true;
    thread_.join();
  }
  /// The peaks so far, in MiB.
  double mib_a() const { return static_cast<double>(peak_a_.load()) / 1024; }
  double mib_b() const { return static_cast<double>(peak_b_.load()) / 1024; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<long> peak_a_{0}, peak_b_{0};
  std::thread thread_;
};

/// go-carbon's own metrics come to the benchmark (its metric-endpoint), not to its whisper
/// files: stored now, the Monitoring stack dashboard has its series like the others.
void store_own_metrics(Point& p) {
  std::vector<std::string> lines = p.stats.lines();
  if (lines.empty()) return;
  test::send_plaintext(p.s.port + 1, lines);
  sleep_seconds(2);
}

/// Phase 5: every dashboard, --render-runs loads each.
void time_dashboards(Point& p) {
  store_own_metrics(p);
  p.result["dashboards"] = p.s.dashboards.empty() || p.s.render_runs == 0
                               ? json::array()
                               : time_dashboard_files(p.s.dashboards, p.s.port + 2, p.s.render_runs, p.carbon_pid,
                                                      p.api_pid);
}

/// Phase 6: stop sending, let go-carbon write its cache out, take the totals.
void drain(Point& p) {
  p.load.stop();
  int64_t stopped = epoch_now();
  auto d0 = Clock::now();
  bool drained = false;
  while (!drained && std::chrono::duration<double>(Clock::now() - d0).count() < p.s.drain_timeout) {
    sleep_seconds(5);
    auto samples = samples_between(p.series(), "cache.size", stopped, epoch_now());
    drained = !samples.empty() && samples.back().value == 0;
  }
  int64_t from = p.epoch0 - 1, to = epoch_now() + 1;
  GoCarbonSeries series = p.series();
  const LoadCounters& c = p.load.counters();
  double received = counter_total(series, "tcp.metricsReceived", from, to);
  double overflow = counter_total(series, "cache.overflow", from, to);
  double committed = counter_total(series, "persister.committedPoints", from, to);
  p.result["drained"] = drained;
  p.result["drain_seconds"] = std::chrono::duration<double>(Clock::now() - d0).count();
  p.result["totals"] = {{"sent_points", c.points.load()},       {"sent_lines", c.lines.load()},
                        {"send_errors", c.send_errors.load()},  {"received", received},
                        {"tcp_errors", counter_total(series, "tcp.errors", from, to)},
                        {"committed", committed},               {"overflow", overflow},
                        {"created", counter_total(series, "persister.created", from, to)}};
  // Lost: dropped by the cache, or never parsed out of what was sent.
  p.result["lost"] = overflow + std::max(0.0, static_cast<double>(c.points.load()) - received);
  DiskUsage usage = whisper_usage(p.s.install / "storage" / "whisper");
  p.result["disk"] = {{"files", usage.files}, {"apparent_bytes", usage.apparent_bytes},
                      {"allocated_bytes", usage.allocated_bytes}};
}

/// Phase 7: go-carbon restarted on the files it holds (no load): seconds until `dkm restart`
/// returns (its port answers) and until every host renders again (the index is rebuilt).
void restart(Point& p) {
  const std::string probe = probe_suffix(p.plain);
  std::vector<std::string> globs = host_glob_variants();
  auto r0 = Clock::now();
  dkm(p.s, {"restart", "go-carbon"});
  double ready = std::chrono::duration<double>(Clock::now() - r0).count();
  json rendered = nullptr;
  for (size_t attempt = 0; rendered.is_null() && attempt < globs.size(); ++attempt) {
    if (renderable_hosts(p, globs[attempt], probe, "-30min") >= p.s.hosts)
      rendered = std::chrono::duration<double>(Clock::now() - r0).count();
    else
      sleep_seconds(2);
  }
  p.result["restart"] = {{"ready_seconds", ready}, {"renderable_seconds", rendered}};
  std::printf("  go-carbon restarted: port ready after %.1f s, every host renders after %s s\n", ready,
              rendered.is_null() ? "(not within the probes)" : std::to_string(rendered.get<double>()).c_str());
}

}  // namespace

json time_dashboard_files(const fs::path& dir, int api_port, size_t runs, pid_t carbon_pid, pid_t api_pid) {
  json all = json::array();
  GraphiteClient api(api_port);
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    double load0 = load_average();
    PeakResident peak(carbon_pid, api_pid);
    DashboardRequests requests = dashboard_requests(file, api);
    DashboardFigures f = time_dashboard(requests, api_port, runs);
    json panels = json::array();
    for (const auto& panel : f.panels)
      panels.push_back({{"title", panel.title}, {"targets", panel.targets}, {"series", panel.series},
                        {"bytes", panel.bytes}, {"p50", panel.p50}, {"p95", panel.p95}});
    all.push_back({{"file", requests.file}, {"title", f.title}, {"skipped", f.skipped}, {"runs", f.runs},
                   {"first", f.first}, {"p50", f.p50}, {"p95", f.p95}, {"max", f.max}, {"series", f.series},
                   {"bytes", f.bytes}, {"errors", f.errors}, {"first_error", f.first_error}, {"load_start", load0},
                   {"load_end", load_average()},
                   {"carbon_rss_mib", peak.mib_a()}, {"carbonapi_rss_mib", peak.mib_b()},
                   {"panels", panels}});
    std::printf("  dashboard %-18s %s\n", f.title.c_str(),
                f.skipped.empty() ? ("p50 " + std::to_string(f.p50) + " s, p95 " + std::to_string(f.p95) +
                                     " s, first " + std::to_string(f.first) + " s, errors " + std::to_string(f.errors))
                                        .c_str()
                                  : ("skipped: " + f.skipped).c_str());
    std::fflush(stdout);
  }
  return all;
}

json run_capacity_point(const RunSettings& s) {
  MetricSet plain = load_metric_set(s.metrics);
  MetricSet dss = s.dss_metrics.empty() ? MetricSet{} : load_metric_set(s.dss_metrics);
  LoadOptions options{s.port + 1, s.hosts, s.interval, s.connections, 2, s.dss_every, s.dotted_every};
  Point p(s, plain, dss, options);
  dkm(s, {"start"});
  p.carbon_pid = service_pid(s.install, "go-carbon");
  p.api_pid = service_pid(s.install, "carbonapi");
  if (p.carbon_pid <= 0 || p.api_pid <= 0) throw Error("no pid file for go-carbon or carbonapi in " + s.install.string());
  p.result = {{"label", s.label}, {"hosts", s.hosts}, {"interval", s.interval}, {"dss_every", s.dss_every}, {"dotted_every", s.dotted_every},
              {"metrics_per_host", plain.stored_count()}, {"connections", s.connections ? s.connections : s.hosts},
              {"started", epoch_now()}, {"load_start", load_average()}};
  std::printf("%s: %zu hosts every %g s (%zu stored metrics each), carbon 127.0.0.1:%d\n", s.label.c_str(), s.hosts,
              s.interval, plain.stored_count(), s.port + 1);
  p.t0 = Clock::now();
  p.epoch0 = epoch_now();
  p.load.start();
  try {
    settle(p);
    measure_window(p);
    time_dashboards(p);
    drain(p);
    restart(p);
  } catch (...) {
    p.load.stop();
    dkm(s, {"stop"});
    throw;
  }
  p.result["load_end"] = load_average();
  dkm(s, {"stop"});
  if (!s.results.empty()) {
    std::ofstream out(s.results, std::ios::app);
    out << p.result.dump() << "\n";
  }
  return p.result;
}

}  // namespace dkm::capacity
