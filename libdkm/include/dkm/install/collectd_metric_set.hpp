#pragma once
// How many metrics the installer's collectd config (dist/templates/collectd/collectd.d)
// sends for one monitored host, from the host's shape: per plugin, a fixed part and a part
// per CPU, file system, disk, network interface and DSS process match. The figures are
// collectd 5.12's with our plugin options, read from a real run; the installer test
// `install_metric_set_test.cpp` runs Debian's collectd on the rendered config and checks
// every figure against what it sends. Each metric is one whisper file on the backend, so
// this count times the whisper file size is a host's disk (sizing.hpp).
// Implementation: libdkm/src/install/collectd_metric_set.cpp.

#include <string>
#include <vector>

namespace dkm::install {

/// What a monitored host has, as far as the number of its metrics goes.
struct HostShape {
  int cpus = 1;                   ///< CPUs (cpu plugin: ReportByCpu)
  int file_systems = 1;           ///< file systems df reports (pseudo file systems left out)
  int disks = 1;                  ///< whole disks the disk plugin matches
  int interfaces = 1;             ///< network interfaces, loopback and veths left out
  bool swap = false;              ///< swap configured: without it the swap percentages are NaN, which go-carbon does not store
  int dss_process_sets = 1;       ///< DSS ProcessMatch sets: one, or one per --dss-home
  int dss_processes_running = 0;  ///< matches with a DSS process running (backend, JEK, FEK, CAK of each set)
};

/// The metrics one plugin sends for a host.
struct PluginMetrics {
  std::string plugin;  ///< collectd's plugin name (the metric path's node after the host)
  int metrics = 0;     ///< how many, for that host
  std::string rule;    ///< how the count follows from the host's shape ("10 per CPU, and the count")
};

/// Metrics each match of a DSS process set sends while no process matches it (count,
/// threads, CPU, memory, page faults), and the ones a running process adds (file handles,
/// I/O, context switches).
inline constexpr int kDssMatchMetrics = 11;
inline constexpr int kDssRunningExtraMetrics = 9;
/// Process kinds of one DSS set: backend, JEK, FEK, CAK.
inline constexpr int kDssKinds = 4;

/// The metrics each plugin of the installer's collectd config sends for a host of `shape`.
std::vector<PluginMetrics> collectd_metrics_by_plugin(const HostShape& shape);

/// Their sum: the whisper files a host of `shape` makes on its backend.
int collectd_metric_count(const HostShape& shape);

/// The host the sizing counts with: the capacity benchmark's (2 CPUs, one file system,
/// disk and interface, no swap, DSS's processes matched and not running), 118 metrics.
HostShape reference_host();

/// "2 CPUs, 1 file system, 1 disk, 1 network interface, no swap, no DSS process running".
std::string describe_host(const HostShape& shape);

}  // namespace dkm::install
