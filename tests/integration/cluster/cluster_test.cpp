// A monitored cluster across network namespaces. Six hosts on one private
// bridge: three agents (-t agent --carbon-server BACKEND) split over two backends
// (-t backend --carbonserver-listen ADDR), and a query front (-t frontend --backends
// B1,B2) whose carbonapi reads both. Every host has its own install directory; dkm runs
// inside each host's namespace.
//
// In CI the backends' go-carbon cannot run (it needs Go 1.24): on each backend host a
// TEST DOUBLE, CarbonRecorder, listens on the backend's address and PORT+1 inside its
// namespace and records the lines Debian's real collectd sends from the agents. The
// test labelled `real` runs the real go-carbon and carbonapi (DKM_REAL_BUNDLE) instead.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>
#include <yaml-cpp/yaml.h>

#include <ctime>
#include <iostream>
#include <map>
#include <memory>

#include "cluster_fixture.hpp"

using namespace dkm;
using namespace dkm::test;

namespace {

/// Which backend each agent sends to: two agents on backend1, one on backend2.
const std::map<std::string, std::string> kAssignment{
    {"agent1", "backend1"}, {"agent2", "backend2"}, {"agent3", "backend1"}};

/// The host name an agent reports (--hostname), and the node it becomes in metric paths.
std::string agent_fqdn(const std::string& agent) { return agent + ".cluster.test"; }
std::string agent_node(const std::string& agent) { return "test_cluster_" + agent; }

/// The six hosts installed: backends, front, agents (collectd every `interval` s).
struct SixHosts {
  ClusterHost* backend1;
  ClusterHost* backend2;
  ClusterHost* front;
  std::map<std::string, ClusterHost*> agents;

  /// The agents' hosts, for dkm_on.
  std::vector<const ClusterHost*> agent_hosts() const {
    std::vector<const ClusterHost*> out;
    for (const auto& [_, h] : agents) out.push_back(h);
    return out;
  }
};

SixHosts install_six_hosts(Cluster& c, int interval) {
  SixHosts s;
  s.backend1 = &c.add("backend1");
  s.backend2 = &c.add("backend2");
  s.front = &c.add("front");
  for (ClusterHost* b : {s.backend1, s.backend2})
    c.install(*b, {"-t", "backend", "--carbonserver-listen", b->net.address});
  std::string p3 = ":" + std::to_string(kClusterPort + 3);
  c.install(*s.front, {"-t", "frontend", "--backends", s.backend1->net.address + p3 + "," + s.backend2->net.address + p3});
  for (const auto& [agent, backend] : kAssignment) {
    ClusterHost& a = c.add(agent);
    const ClusterHost* b = backend == "backend1" ? s.backend1 : s.backend2;
    c.install(a, {"-t", "agent", "--carbon-server", b->net.address, "--hostname", agent_fqdn(agent)});
    set_collectd_interval(a.layout, interval);
    s.agents[agent] = &a;
  }
  return s;
}

/// Requires every result to be a success, showing the failing host's output.
void require_all_ok(const std::vector<RunResult>& results, const std::vector<const ClusterHost*>& hosts,
                    const std::string& what) {
  for (size_t i = 0; i < results.size(); ++i) {
    INFO(what << " on " << hosts[i]->net.role << ": " << results[i].output);
    REQUIRE(results[i].ok());
  }
}

/// `dkm stop` on every host, then: no process left in any namespace of the lab.
void stop_everything_and_check(const Cluster& c) {
  std::vector<const ClusterHost*> all;
  for (const auto& h : c.hosts()) all.push_back(&h);
  std::vector<RunResult> stopped = Cluster::dkm_on(all, {"stop"});
  require_all_ok(stopped, all, "dkm stop");
  std::vector<pid_t> left = c.lab().processes();
  std::string shown;
  for (pid_t pid : left) shown += std::to_string(pid) + " " + read_file("/proc/" + std::to_string(pid) + "/comm");
  INFO("processes left in the lab's namespaces: " << shown);
  CHECK(left.empty());
}

/// True when no namespace of `names` exists any more.
bool all_removed(const std::vector<std::string>& names) {
  for (const auto& ns : names)
    if (fs::exists(kNetnsDir / ns)) return false;
  return true;
}

}  // namespace

TEST_CASE("three agents over two backends across network namespaces: each agent's metrics reach its backend only",
          "[cluster]") {
  require_root_or_skip();
  TempDir tmp{"dkm-cluster-"};
  TestBundle bundle = make_test_bundle(tmp.path() / "bundle");
  std::vector<std::string> namespaces;
  {
    Cluster c(tmp.path(), bundle);
    SixHosts s = install_six_hosts(c, 1);
    namespaces = c.lab().namespaces();

    // The go-carbon TEST DOUBLE on each backend host: its address, PORT+1, in its namespace.
    std::map<std::string, std::unique_ptr<CarbonRecorder>> carbon;
    for (const ClusterHost* b : {s.backend1, s.backend2}) {
      InNetns inside(b->net.ns);
      carbon[b->net.role] = std::make_unique<CarbonRecorder>(b->net.address, kClusterPort + 1);
    }

    // Debian's real collectd on every agent, started by dkm inside the agent's namespace.
    require_all_ok(Cluster::dkm_on(s.agent_hosts(), {"start"}), s.agent_hosts(), "dkm start");

    // 1. Every agent's host name appears at the backend it was assigned to...
    std::map<std::string, std::set<std::string>> expected;
    for (const auto& [agent, backend] : kAssignment) expected[backend].insert(agent_node(agent));
    auto seen = [&](const std::string& backend) { return collectd_hosts(carbon[backend]->metric_names()); };
    bool arrived = wait_until([&] {
      for (const auto& [backend, nodes] : expected) {
        std::set<std::string> got = seen(backend);
        for (const auto& node : nodes)
          if (!got.count(node)) return false;
      }
      return true;
    }, std::chrono::seconds(30), std::chrono::milliseconds(100));
    std::string agent_logs;
    for (const auto& [agent, host] : s.agents)
      agent_logs += agent + " collectd.log:\n" + last_lines(read_file(host->layout.run() / "collectd.log"), 15) + "\n";
    INFO(agent_logs);
    REQUIRE(arrived);
    // ... and at no other, after three more intervals in which a stray line could come.
    std::this_thread::sleep_for(std::chrono::seconds(3));
    for (const auto& [backend, nodes] : expected) {
      INFO(backend);
      CHECK(seen(backend) == nodes);
    }
    for (const auto& [agent, backend] : kAssignment) {
      std::map<std::string, int> counts = metrics_by_plugin(carbon[backend]->metric_names(), agent_node(agent));
      std::cout << agent << " -> " << backend << ": " << plugin_counts_text(counts) << " per interval\n";
      CHECK(counts.size() >= 8);  // cpu, df, disk or not, interface, load, memory, processes, swap, uptime
    }

    // 2. The front's carbonapi reads both backends at their namespace addresses; its
    //    Grafana reads that carbonapi; each backend's carbonserver listens on that address.
    YAML::Node api = YAML::LoadFile((s.front->layout.conf() / "carbonapi.yaml").string());
    std::vector<std::string> servers;
    for (const auto& server : api["upstreams"]["backendsv2"]["backends"][0]["servers"]) servers.push_back(server.as<std::string>());
    std::string p3 = ":" + std::to_string(kClusterPort + 3);
    CHECK(servers == std::vector<std::string>{"http://" + s.backend1->net.address + p3, "http://" + s.backend2->net.address + p3});
    CHECK(api["upstreams"]["backendsv2"]["backends"][0]["lbMethod"].as<std::string>() == "broadcast");
    YAML::Node ds = YAML::LoadFile((s.front->layout.conf() / "grafana/provisioning/datasources/dkumonitor.yaml").string());
    CHECK(ds["datasources"][0]["url"].as<std::string>() == "http://127.0.0.1:" + std::to_string(kClusterPort + 2));
    for (const ClusterHost* b : {s.backend1, s.backend2}) {
      toml::table gc = toml::parse_file((b->layout.conf() / "go-carbon.conf").string());
      CHECK(gc["carbonserver"]["listen"].value_or(std::string()) == b->net.address + p3);
    }

    // 3. dkm stop on every host leaves no process in any namespace.
    stop_everything_and_check(c);
  }
  // ... and the namespaces (with the bridge and the links in them) are gone.
  CHECK_FALSE(namespaces.empty());
  CHECK(all_removed(namespaces));
}

TEST_CASE("a cluster test that fails still stops its processes and removes its namespaces", "[cluster]") {
  require_root_or_skip();
  TempDir tmp{"dkm-cluster-"};
  TestBundle bundle = make_test_bundle(tmp.path() / "bundle");
  std::vector<std::string> namespaces;
  std::vector<pid_t> pids;
  try {
    Cluster c(tmp.path(), bundle);
    ClusterHost& agent = c.add("agent1");
    ClusterHost& other = c.add("other");
    c.install(agent, {"-t", "agent", "--carbon-server", other.net.address, "--hostname", agent_fqdn("agent1")});
    RunResult started = agent.dkm({"start"});
    INFO(started.output);
    REQUIRE(started.ok());
    // A process dkm knows nothing of, detached inside the other host's namespace.
    REQUIRE(run_process({"ip", "netns", "exec", other.net.ns, "sh", "-c", "setsid sleep 600 </dev/null >/dev/null 2>&1 &"}).ok());
    REQUIRE(wait_until([&] { return !netns_pids(other.net.ns).empty(); }));
    pids = c.lab().processes();
    namespaces = c.lab().namespaces();
    throw std::runtime_error("the test fails here, with processes running in its namespaces");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("fails here"));
  }
  CHECK(pids.size() >= 3);  // dkm's supervisor, collectd, the detached sleep
  CHECK(namespaces.size() == 3);
  CHECK(all_removed(namespaces));
  for (pid_t pid : pids) {
    INFO("pid " << pid);
    CHECK_FALSE(process_alive(pid));
  }
}

TEST_CASE("namespaces a dead run left behind are removed by the next run, a live run's are not", "[cluster]") {
  require_root_or_skip();
  pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ::waitpid(dead, nullptr, 0);
  std::string leftover = kLabPrefix + std::to_string(dead) + "-0-agent1";
  std::string live = kLabPrefix + std::to_string(::getpid()) + "-999-agent1";
  ip({"netns", "add", leftover});
  ip({"netns", "add", live});
  REQUIRE(run_process({"ip", "netns", "exec", leftover, "sh", "-c", "setsid sleep 600 </dev/null >/dev/null 2>&1 &"}).ok());
  std::vector<pid_t> inside;
  REQUIRE(wait_until([&] { return !(inside = netns_pids(leftover)).empty(); }));

  std::vector<std::string> removed = remove_leftover_namespaces();
  CHECK(std::find(removed.begin(), removed.end(), leftover) != removed.end());
  CHECK_FALSE(fs::exists(kNetnsDir / leftover));
  CHECK_FALSE(process_alive(inside.at(0)));
  CHECK(fs::exists(kNetnsDir / live));
  remove_netns(live);
  CHECK_FALSE(fs::exists(kNetnsDir / live));
}

namespace {

/// The last lines of every host's service logs, for a failure's message.
std::string cluster_logs(const Cluster& c) {
  std::string out;
  for (const auto& h : c.hosts())
    for (const char* name : {"go-carbon.log", "carbonapi.log", "collectd.log", "dkm.log"})
      if (fs::exists(h.layout.run() / name))
        out += h.net.role + "/" + name + ":\n" + last_lines(read_file(h.layout.run() / name), 10) + "\n";
  return out;
}

/// One /render through the front's carbonapi returns a series of each of the three agents.
void check_render_returns_every_agent(const Cluster& c, const ClusterHost& front) {
  const std::string target = "collectd.*.load.load.relative.shortterm";
  std::string body;
  std::set<std::string> with_points;
  auto render = [&] {
    InNetns inside(front.net.ns);
    int status = 0;
    body = http_get(kClusterPort + 2, "/render?format=json&from=-5min&target=" + target, &status, "", front.net.address);
    with_points.clear();
    if (status != 200) return false;
    for (const auto& series : nlohmann::json::parse(body, nullptr, false)) {
      if (!series.is_object()) continue;
      bool has_point = false;
      for (const auto& point : series["datapoints"]) has_point = has_point || !point[0].is_null();
      if (has_point) with_points.insert(series["target"].get<std::string>());
    }
    return with_points.size() == kAssignment.size();
  };
  bool all_three = wait_until(render, std::chrono::seconds(90), std::chrono::milliseconds(500));
  INFO("render: " << body << "\n" << cluster_logs(c));
  REQUIRE(all_three);
  std::set<std::string> expected;
  for (const auto& [agent, _] : kAssignment) expected.insert("collectd." + agent_node(agent) + ".load.load.relative.shortterm");
  CHECK(with_points == expected);
}

/// A series held by both backends (an agent moved from one to the other: older points on
/// the first, newer on the second) reads back through the front as one series with both.
void check_series_on_both_backends_reads_as_one(const SixHosts& s) {
  long now = static_cast<long>(std::time(nullptr)) / 60 * 60;
  const std::string moved = "dataiku.dss.cluster.moved";
  for (const auto& [b, line] : {std::pair{s.backend1, moved + " 11 " + std::to_string(now - 300)},
                                std::pair{s.backend2, moved + " 22 " + std::to_string(now - 120)}}) {
    InNetns inside(b->net.ns);
    send_plaintext(kClusterPort + 1, {line});
  }
  // go-carbon caches an empty answer (render 60 s, find 300 s): ask once both files exist.
  CHECK(wait_until([&] {
    return fs::exists(s.backend1->layout.storage() / "whisper/dataiku/dss/cluster/moved.wsp") &&
           fs::exists(s.backend2->layout.storage() / "whisper/dataiku/dss/cluster/moved.wsp");
  }, std::chrono::seconds(20), std::chrono::milliseconds(100)));
  std::string merged;
  bool both_points = wait_until([&] {
    InNetns inside(s.front->net.ns);
    merged = http_get(kClusterPort + 2, "/render?format=json&from=-10min&target=" + moved, nullptr, "", s.front->net.address);
    nlohmann::json series = nlohmann::json::parse(merged, nullptr, false);
    if (!series.is_array() || series.size() != 1) return false;
    std::set<double> values;
    for (const auto& point : series[0]["datapoints"])
      if (!point[0].is_null()) values.insert(point[0].get<double>());
    return values == std::set<double>{11, 22};
  }, std::chrono::seconds(30), std::chrono::milliseconds(500));
  INFO("render " << moved << ": " << merged);
  CHECK(both_points);
}

/// Backend `b` stores its own agents only; its whisper files give the figures of a
/// larger topology (printed).
void check_backend_stores_its_agents(const ClusterHost& b) {
  std::set<std::string> stored;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(b.layout.storage() / "whisper" / "collectd", ec)) stored.insert(e.path().filename());
  std::set<std::string> assigned;
  for (const auto& [agent, backend] : kAssignment)
    if (backend == b.net.role) assigned.insert(agent_node(agent));
  INFO(b.net.role);
  CHECK(stored == assigned);
  for (const auto& node : stored) {
    fs::path dir = b.layout.storage() / "whisper" / "collectd" / node;
    std::set<std::string> metrics;
    uintmax_t bytes = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir))
      if (e.is_regular_file() && e.path().extension() == ".wsp") {
        fs::path rel = e.path().lexically_relative(dir).replace_extension();
        std::string name = "collectd." + node;
        for (const auto& part : rel) name += "." + part.string();
        metrics.insert(name);
        bytes += e.file_size();
      }
    std::cout << b.net.role << ": " << node << ": " << plugin_counts_text(metrics_by_plugin(metrics, node)) << ", "
              << bytes / 1024 << " KiB of whisper files (" << (metrics.empty() ? 0 : bytes / metrics.size())
              << " bytes each)\n";
    CHECK(metrics.size() > 20);
  }
}

}  // namespace

TEST_CASE("the real go-carbon on two backends and carbonapi on the front: one render returns all three agents",
          "[cluster][real]") {
  fs::path real = require_env_or_skip("DKM_REAL_BUNDLE",
                                      "set it to a bundle directory whose bin/ has the real go-carbon and carbonapi "
                                      "(and collectd, lib/collectd: else Debian's collectd runs on the agents)");
  require_root_or_skip();
  TempDir tmp{"dkm-cluster-real-"};
  TestBundle bundle = make_test_bundle(tmp.path() / "bundle");
  RealComponents got = take_real_components(bundle, real);
  std::cout << "agents run " << (got.collectd ? "the bundle's collectd" : "Debian's collectd") << "; the front runs "
            << (got.grafana ? "carbonapi and Grafana" : "carbonapi (no real Grafana in the bundle)") << "\n";
  const int interval = 2;
  std::vector<std::string> namespaces;
  {
    Cluster c(tmp.path(), bundle);
    SixHosts s = install_six_hosts(c, interval);
    namespaces = c.lab().namespaces();

    // The real go-carbon (and the backend's own carbonapi) on both backends, the real
    // carbonapi on the front, then collectd on the agents.
    std::vector<const ClusterHost*> backends{s.backend1, s.backend2};
    require_all_ok(Cluster::dkm_on(backends, {"start"}), backends, "dkm start");
    std::vector<std::string> front_start{"start"};
    if (!got.grafana) front_start.push_back("carbonapi");
    require_all_ok(Cluster::dkm_on({s.front}, front_start), {s.front}, "dkm start");
    require_all_ok(Cluster::dkm_on(s.agent_hosts(), {"start"}), s.agent_hosts(), "dkm start");

    check_render_returns_every_agent(c, *s.front);

    check_series_on_both_backends_reads_as_one(s);

    // Each backend's storage, counted after two more intervals (the first creates files as
    // it goes).
    std::this_thread::sleep_for(std::chrono::seconds(2 * interval));
    for (const ClusterHost* b : backends) check_backend_stores_its_agents(*b);

    stop_everything_and_check(c);
  }
  CHECK(all_removed(namespaces));
}
