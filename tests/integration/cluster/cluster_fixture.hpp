#pragma once
// The cluster tests' world: hosts that are network namespaces (netns_lab.hpp), each with
// its own install of the test bundle (the installer tests' fixture) in its own directory,
// and dkm run inside the host's namespace (`ip netns exec NS DIR/bin/dkm ...`), as an
// operator would run it on that host. The go-carbon test double (CarbonRecorder) and
// set_collectd_interval come from the dashboards tests' fixture.

#include "dashboards_fixture.hpp"
#include "netns_lab.hpp"

#include <dkm/core/proc_info.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/core/install_layout.hpp>

#include <deque>
#include <map>
#include <future>
#include <set>
#include <string>
#include <vector>

namespace dkm::test {

/// The base port of every host of a cluster test: namespaces do not share ports, so all
/// hosts use the same ten, as a real cluster installed with one command line would.
inline constexpr int kClusterPort = 27600;

/// One host of a cluster: its namespace and address, and its install directory.
struct ClusterHost {
  NetnsLab::Host net;              ///< namespace, address, role
  dkm::InstallLayout layout;   ///< its install (DIR = TMP/ROLE)
  bool installed = false;          ///< the installer ran successfully

  /// Runs `DIR/bin/dkm ARGS...` inside the host's namespace; output captured.
  RunResult dkm(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{"ip", "netns", "exec", net.ns, (layout.bin() / "dkm").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv);
  }
};

/// A cluster of hosts on one private network; on destruction every installed host gets
/// `dkm stop`, then the lab kills what is left and removes its namespaces.
class Cluster {
 public:
  /// A cluster whose installs go under `dir`, from `bundle`.
  Cluster(fs::path dir, TestBundle bundle) : dir_(std::move(dir)), bundle_(std::move(bundle)) {}
  ~Cluster() {
    for (const auto& h : hosts_)
      if (h.installed) h.dkm({"stop"});
  }
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  /// Adds the host `role` (its namespace and address); nothing installed yet.
  ClusterHost& add(const std::string& role) {
    hosts_.push_back({lab_.add_host(role), dkm::InstallLayout(dir_ / role)});
    return hosts_.back();
  }

  /// Runs the bundle's installer for `host` with `-d DIR -p kClusterPort` and `args`;
  /// throws Error with the installer's output when it fails.
  RunResult install(ClusterHost& host, const std::vector<std::string>& args) {
    std::vector<std::string> all{"-d", host.layout.root().string(), "-p", std::to_string(kClusterPort)};
    all.insert(all.end(), args.begin(), args.end());
    RunResult r = run_installer(bundle_, all);
    if (!r.ok()) throw Error("installer " + join(all, " ") + ": " + r.output);
    host.installed = true;
    return r;
  }

  /// Runs `dkm ARGS...` on several hosts at once (each in its namespace); results in order.
  static std::vector<RunResult> dkm_on(const std::vector<const ClusterHost*>& hosts, const std::vector<std::string>& args) {
    std::vector<std::future<RunResult>> running;
    for (const auto* h : hosts) running.push_back(std::async(std::launch::async, [h, &args] { return h->dkm(args); }));
    std::vector<RunResult> out;
    for (auto& r : running) out.push_back(r.get());
    return out;
  }

  /// Every host, in the order added.
  const std::deque<ClusterHost>& hosts() const { return hosts_; }
  /// The network.
  const NetnsLab& lab() const { return lab_; }

 private:
  fs::path dir_;
  TestBundle bundle_;
  NetnsLab lab_;  // declared before the hosts: destroyed after them, once dkm stopped them
  std::deque<ClusterHost> hosts_;
};

/// The collectd hosts (the node after "collectd.") among metric paths.
inline std::set<std::string> collectd_hosts(const std::set<std::string>& metric_names) {
  std::set<std::string> out;
  for (const auto& name : metric_names) {
    if (name.rfind("collectd.", 0) != 0) continue;
    out.insert(name.substr(9, name.find('.', 9) - 9));
  }
  return out;
}

/// How many of `metric_names` each collectd plugin of host `node` sends (the node after
/// "collectd.NODE."), for the figures the tests print.
inline std::map<std::string, int> metrics_by_plugin(const std::set<std::string>& metric_names, const std::string& node) {
  std::map<std::string, int> out;
  std::string prefix = "collectd." + node + ".";
  for (const auto& name : metric_names)
    if (name.rfind(prefix, 0) == 0) ++out[name.substr(prefix.size(), name.find('.', prefix.size()) - prefix.size())];
  return out;
}

/// "cpu 22, df 12, ..." for a plugin count map, with the total first.
inline std::string plugin_counts_text(const std::map<std::string, int>& counts) {
  int total = 0;
  std::vector<std::string> parts;
  for (const auto& [plugin, n] : counts) {
    total += n;
    parts.push_back(plugin + " " + std::to_string(n));
  }
  return std::to_string(total) + " metrics (" + join(parts, ", ") + ")";
}

}  // namespace dkm::test
