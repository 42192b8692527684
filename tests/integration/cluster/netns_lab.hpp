#pragma once
// Hosts for the cluster tests: network namespaces made with iproute2's `ip`, each with a
// veth link to one bridge that lives in a namespace of its own (the "switch"), and
// addresses from 10.231.N.0/24 on those links only. Nothing touches the host's own
// interfaces or routes: every link is created inside the lab's namespaces, and goes away
// with them.
//
// Names are unique per run: "dkmcl-PID-SEQ-ROLE". The lab removes its namespaces when it
// is destroyed (also while a failing test unwinds), after killing whatever still runs in
// them; a run that died before (SIGKILL, crash) leaves namespaces whose PID is gone, and
// the next lab removes those (remove_leftover_namespaces).

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/process.hpp>
#include <dkm/core/strings.hpp>

#include "test_support.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace dkm::test {

/// The prefix of every namespace the cluster tests create.
inline const std::string kLabPrefix = "dkmcl-";

/// Where `ip netns` keeps its named namespaces.
inline const fs::path kNetnsDir = "/run/netns";

/// Ends the test as "skipped" unless it runs as root, which making network namespaces
/// needs (CI runs the tests as root; each test case is its own process).
inline void require_root_or_skip() {
  if (::geteuid() == 0) return;
  std::cout << "SKIPPED: the cluster tests make network namespaces with `ip netns`: run them as root\n";
  std::exit(kSkipExitCode);
}

/// Runs `ip ARGS...`; throws Error with its output when it fails.
inline void ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult r = run_process(argv);
  if (!r.ok()) throw Error(join(argv, " ") + ": " + r.output);
}

/// The pids of the processes in network namespace `ns` (`ip netns pids`); empty when it is gone.
inline std::vector<pid_t> netns_pids(const std::string& ns) {
  RunResult r = run_process({"ip", "netns", "pids", ns});
  std::vector<pid_t> out;
  if (!r.ok()) return out;
  for (const auto& word : split(r.output, '\n'))
    if (!trim(word).empty()) out.push_back(static_cast<pid_t>(std::stol(std::string(trim(word)))));
  return out;
}

/// The named network namespaces whose names start with `prefix`.
inline std::vector<std::string> named_netns(const std::string& prefix) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(kNetnsDir, ec)) return out;
  for (const auto& e : fs::directory_iterator(kNetnsDir, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) == 0) out.push_back(name);
  }
  return out;
}

/// Kills every process in namespace `ns` (SIGKILL), waits until none is left (up to 10 s),
/// then deletes the namespace; its links go with it.
inline void remove_netns(const std::string& ns) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (std::vector<pid_t> pids; !(pids = netns_pids(ns)).empty() && std::chrono::steady_clock::now() < deadline;) {
    for (pid_t pid : pids) ::kill(pid, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  run_process({"ip", "netns", "delete", ns});
}

/// Removes the namespaces of earlier runs that died without cleaning up: those named
/// "dkmcl-PID-..." whose PID no longer exists (a live run's are left alone).
inline std::vector<std::string> remove_leftover_namespaces() {
  std::vector<std::string> removed;
  for (const auto& name : named_netns(kLabPrefix)) {
    std::string rest = name.substr(kLabPrefix.size());
    pid_t pid = static_cast<pid_t>(std::strtol(rest.c_str(), nullptr, 10));
    if (pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM)) continue;
    remove_netns(name);
    removed.push_back(name);
  }
  return removed;
}

/// Puts the calling thread into a network namespace for its lifetime: sockets created
/// meanwhile belong to that namespace (and stay there after).
class InNetns {
 public:
  /// Enters namespace `ns` (a name under /run/netns).
  explicit InNetns(const std::string& ns) {
    own_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    int target = ::open((kNetnsDir / ns).c_str(), O_RDONLY | O_CLOEXEC);
    if (own_ < 0 || target < 0 || ::setns(target, CLONE_NEWNET) != 0) {
      std::string why = errno_text();
      if (target >= 0) ::close(target);
      if (own_ >= 0) ::close(own_);
      throw Error("cannot enter network namespace " + ns + ": " + why);
    }
    ::close(target);
  }
  ~InNetns() {
    ::setns(own_, CLONE_NEWNET);
    ::close(own_);
  }
  InNetns(const InNetns&) = delete;
  InNetns& operator=(const InNetns&) = delete;

 private:
  int own_ = -1;
};

/// A set of hosts (network namespaces) on one private bridge.
class NetnsLab {
 public:
  /// One host of the lab.
  struct Host {
    std::string role;     ///< the test's name for it ("front", "backend1", ...)
    std::string ns;       ///< its network namespace
    std::string address;  ///< its IPv4 address on the bridge
  };

  /// Creates the switch namespace and its bridge (after removing dead runs' leftovers).
  NetnsLab() {
    static std::atomic<int> sequence{0};
    remove_leftover_namespaces();
    prefix_ = kLabPrefix + std::to_string(::getpid()) + "-" + std::to_string(sequence++) + "-";
    subnet_ = "10.231." + std::to_string(::getpid() % 250 + 1);
    try {
      add_netns(prefix_ + "switch");
      ip({"-n", prefix_ + "switch", "link", "add", "br0", "type", "bridge"});
      ip({"-n", prefix_ + "switch", "link", "set", "br0", "up"});
    } catch (...) {
      remove_all();
      throw;
    }
  }
  ~NetnsLab() { remove_all(); }
  NetnsLab(const NetnsLab&) = delete;
  NetnsLab& operator=(const NetnsLab&) = delete;

  /// Adds a host named `role`: its namespace, a veth link to the bridge, the next address
  /// of the subnet on it, and loopback up.
  Host add_host(const std::string& role) {
    std::string ns = prefix_ + role;
    std::string port = "p" + std::to_string(hosts_.size());  // the bridge's end, inside the switch namespace
    std::string address = subnet_ + "." + std::to_string(hosts_.size() + 10);
    add_netns(ns);
    ip({"-n", prefix_ + "switch", "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns});
    ip({"-n", prefix_ + "switch", "link", "set", port, "master", "br0", "up"});
    ip({"-n", ns, "addr", "add", address + "/24", "dev", "eth0"});
    ip({"-n", ns, "link", "set", "eth0", "up"});
    ip({"-n", ns, "link", "set", "lo", "up"});
    hosts_.push_back({role, ns, address});
    return hosts_.back();
  }

  /// The host named `role`; throws Error when there is none.
  Host host(const std::string& role) const {
    for (const auto& h : hosts_)
      if (h.role == role) return h;
    throw Error("no host " + role + " in the lab");
  }

  /// Every namespace of the lab, the switch's included.
  std::vector<std::string> namespaces() const { return namespaces_; }

  /// The processes running in any namespace of the lab.
  std::vector<pid_t> processes() const {
    std::vector<pid_t> out;
    for (const auto& ns : namespaces_)
      for (pid_t pid : netns_pids(ns)) out.push_back(pid);
    return out;
  }

 private:
  void add_netns(const std::string& ns) {
    ip({"netns", "add", ns});
    namespaces_.push_back(ns);
  }

  void remove_all() {
    for (auto it = namespaces_.rbegin(); it != namespaces_.rend(); ++it) remove_netns(*it);
    namespaces_.clear();
  }

  std::string prefix_;
  std::string subnet_;
  std::vector<Host> hosts_;
  std::vector<std::string> namespaces_;
};

}  // namespace dkm::test
