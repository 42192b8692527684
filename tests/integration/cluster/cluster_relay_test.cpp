// Agents write to one relay, which shards over the backends.
// Five hosts on one private bridge: two agents (-t agent --carbon-server RELAY), a relay
// (-t relay --carbon-backends B1,B2) running Debian's real carbon-c-relay under dkm (the
// bundle's stand-in), and two backend hosts where, as in cluster_test.cpp, a TEST DOUBLE
// (CarbonRecorder) stands for go-carbon on the backend's address and PORT+1, recording
// the lines the relay forwards from Debian's real collectd on the agents.
#include <catch2/catch.hpp>

#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "cluster_fixture.hpp"

using namespace dkm;
using namespace dkm::test;

namespace {

/// The backend address carbon-c-relay's test mode routes each metric of `names` to,
/// by the relay host's rendered config (its consistent hash ring).
std::map<std::string, std::string> relay_routes(const fs::path& conf, const std::set<std::string>& names) {
  TempDir tmp("dkm-relay-routes-");
  std::string input;
  for (const auto& n : names) input += n + " 1 1700000000\n";
  write_file_atomic(tmp.path() / "metrics", input);
  RunResult r = run_process({"sh", "-c", "exec \"$0\" -t -f \"$1\" < \"$2\"", kDebianRelay.string(), conf.string(),
                             (tmp.path() / "metrics").string()});
  INFO(r.output);
  REQUIRE(r.ok());
  // Each route reads: "    * -> NAME", "    fnv1a_ch(backends)", "        ADDRESS".
  std::map<std::string, std::string> out;
  std::vector<std::string> lines = split(r.output, '\n');
  for (size_t i = 0; i + 2 < lines.size(); ++i) {
    std::string_view line = trim(lines[i]);
    if (line.rfind("* -> ", 0) != 0 || trim(lines[i + 1]) != "fnv1a_ch(backends)") continue;
    out[std::string(line.substr(5))] = std::string(trim(lines[i + 2]));
  }
  return out;
}

/// Requires every result to be a success, showing the failing host's output.
void require_all_ok_on(const std::vector<const ClusterHost*>& hosts, const std::vector<RunResult>& results,
                       const std::string& what) {
  for (size_t i = 0; i < results.size(); ++i) {
    INFO(what << " on " << hosts[i]->net.role << ": " << results[i].output);
    REQUIRE(results[i].ok());
  }
}

using Recorders = std::map<std::string, std::unique_ptr<CarbonRecorder>>;  ///< by "ADDRESS:PORT"

/// Checks that every metric name reached exactly one backend (so always the same one),
/// each backend some, from both agents, again and again; returns metric -> backend.
std::map<std::string, std::string> check_each_metric_at_one_backend(const Recorders& carbon) {
  std::map<std::string, std::string> landed;  // metric -> backend
  size_t lines = 0;
  for (const auto& [backend, rec] : carbon) {
    std::set<std::string> names = rec->metric_names();
    lines += rec->lines().size();
    INFO(backend);
    CHECK(names.size() > 10);
    for (const auto& name : names) {
      auto [first, fresh] = landed.emplace(name, backend);
      INFO(name << " reached " << first->second << " and " << backend);
      CHECK(fresh);
    }
  }
  CHECK(collectd_hosts([&] {
          std::set<std::string> all;
          for (const auto& [name, _] : landed) all.insert(name);
          return all;
        }()) == std::set<std::string>{"test_cluster_agent1", "test_cluster_agent2"});
  CHECK(lines > 2 * landed.size());  // names came again and again, to the same backend
  std::cout << "relay: " << landed.size() << " metrics, " << lines << " lines: ";
  for (const auto& [backend, rec] : carbon) std::cout << backend << " " << rec->metric_names().size() << " metrics; ";
  std::cout << "\n";
  return landed;
}

/// Checks that each metric of `landed` went where the relay's consistent hash ring puts
/// it (carbon-c-relay's own test mode asked, on the relay's config `conf`).
void check_routes(const fs::path& conf, const std::map<std::string, std::string>& landed) {
  std::set<std::string> names;
  for (const auto& [name, _] : landed) names.insert(name);
  std::map<std::string, std::string> routes = relay_routes(conf, names);
  REQUIRE(routes.size() == landed.size());
  for (const auto& [name, backend] : landed) {
    INFO(name);
    CHECK(routes[name] == backend);
  }
}

}  // namespace

TEST_CASE("agents send to one relay, which shards over two backends: each metric at exactly one, always the same",
          "[cluster][relay]") {
  require_root_or_skip();
  require_debian_relay();
  TempDir tmp{"dkm-cluster-relay-"};
  TestBundle bundle = make_test_bundle(tmp.path() / "bundle");
  std::vector<std::string> namespaces;
  {
    Cluster c(tmp.path(), bundle);
    ClusterHost& backend1 = c.add("backend1");
    ClusterHost& backend2 = c.add("backend2");
    ClusterHost& relay = c.add("relay");
    namespaces = c.lab().namespaces();
    const std::string p1 = ":" + std::to_string(kClusterPort + 1);
    c.install(relay, {"-t", "relay", "--carbon-backends", backend1.net.address + "," + backend2.net.address});
    std::vector<const ClusterHost*> agents;
    for (const char* name : {"agent1", "agent2"}) {
      ClusterHost& a = c.add(name);
      c.install(a, {"-t", "agent", "--carbon-server", relay.net.address, "--hostname", std::string(name) + ".cluster.test"});
      set_collectd_interval(a.layout, 1);
      agents.push_back(&a);
    }
    namespaces = c.lab().namespaces();

    // The go-carbon TEST DOUBLE on each backend host, then the relay, then the agents.
    Recorders carbon;
    for (const ClusterHost* b : {&backend1, &backend2}) {
      InNetns inside(b->net.ns);
      carbon[b->net.address + p1] = std::make_unique<CarbonRecorder>(b->net.address, kClusterPort + 1);
    }
    RunResult started = relay.dkm({"start"});
    INFO(started.output);
    REQUIRE(started.ok());
    require_all_ok_on(agents, Cluster::dkm_on(agents, {"start"}), "dkm start");

    // Both agents' metrics come through, over both backends, for a few intervals.
    auto union_hosts = [&] {
      std::set<std::string> all;
      for (const auto& [_, rec] : carbon)
        for (const auto& h : collectd_hosts(rec->metric_names())) all.insert(h);
      return all;
    };
    bool arrived = wait_until([&] { return union_hosts().size() == 2; }, std::chrono::seconds(30),
                              std::chrono::milliseconds(100));
    INFO("relay log:\n" << last_lines(read_file(relay.layout.run() / "carbon-c-relay.log"), 20));
    REQUIRE(arrived);
    std::this_thread::sleep_for(std::chrono::seconds(3));  // three more intervals of every metric

    std::map<std::string, std::string> landed = check_each_metric_at_one_backend(carbon);
    check_routes(relay.layout.conf() / "carbon-c-relay.conf", landed);

    // dkm stop on every installed host leaves no process in any namespace.
    std::vector<const ClusterHost*> all{&relay};
    all.insert(all.end(), agents.begin(), agents.end());
    carbon.clear();
    require_all_ok_on(all, Cluster::dkm_on(all, {"stop"}), "dkm stop");
    CHECK(c.lab().processes().empty());
  }
  for (const auto& ns : namespaces) CHECK_FALSE(fs::exists(kNetnsDir / ns));
}
