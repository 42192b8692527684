// The metrics the installer's collectd config sends for a host of a given shape.
#include <dkm/install/collectd_metric_set.hpp>

namespace dkm::install {

std::vector<PluginMetrics> collectd_metrics_by_plugin(const HostShape& s) {
  int dss_matches = kDssKinds * s.dss_process_sets;
  return {
      {"cpu", 10 * s.cpus + 1, "10 per CPU (percent of user, system, wait, nice, interrupt, softirq, steal, idle, "
                               "guest, guest_nice), and the count"},
      {"df", 6 * s.file_systems, "6 per file system (bytes and percent free, used, reserved)"},
      {"disk", 11 * s.disks, "11 per disk (octets, operations, merged and time for read and write, I/O time, weighted, "
                             "and pending operations, which collectd sends from the first read that finds a request in "
                             "flight)"},
      {"interface", 8 * s.interfaces, "8 per interface (octets, packets, errors, drops, received and sent)"},
      {"load", 3, "3 (short, mid and long term, per CPU)"},
      {"memory", 12, "12 (bytes and percent of used, buffered, cached, free, slab_recl, slab_unrecl)"},
      {"processes", 7 + kDssMatchMetrics * dss_matches + kDssRunningExtraMetrics * s.dss_processes_running,
       "7 (process states and fork rate), 11 per DSS process match (backend, JEK, FEK and CAK of each set), 9 more "
       "per match with a process running (file handles, I/O, context switches)"},
      {"swap", s.swap ? 8 : 5, "5 (bytes used, free, cached, pages in and out), 3 more with swap configured (percent)"},
      {"uptime", 1, "1"},
  };
}

int collectd_metric_count(const HostShape& shape) {
  int total = 0;
  for (const auto& p : collectd_metrics_by_plugin(shape)) total += p.metrics;
  return total;
}

HostShape reference_host() {
  HostShape h;
  h.cpus = 2;
  return h;
}

std::string describe_host(const HostShape& s) {
  auto count = [](int n, const std::string& what) { return std::to_string(n) + " " + what + (n == 1 ? "" : "s"); };
  std::string dss = s.dss_processes_running == 0 ? "no DSS process running"
                                                 : count(s.dss_processes_running, "DSS process") + " running";
  return count(s.cpus, "CPU") + ", " + count(s.file_systems, "file system") + ", " + count(s.disks, "disk") + ", " +
         count(s.interfaces, "network interface") + (s.swap ? ", swap, " : ", no swap, ") + dss;
}

}  // namespace dkm::install
