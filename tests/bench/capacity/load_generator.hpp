#pragma once
// N simulated collectd hosts sending to a carbon plaintext port (go-carbon's PORT+1).
// Each host sends its whole metric set once per interval, all lines at one moment, as
// collectd's write_graphite does after a read; the hosts' moments are spread evenly over
// the interval (host i at i/N of it), and each host has its own TCP connection (as each
// collectd has), unless fewer connections are asked for. Sender threads sleep until the
// next host is due; when the receiver reads too slowly, TCP back-pressure delays them,
// which shows as lag (how late the last send was against its schedule).
//
// A host running DSS sends the DSS capture (our agent's set with DSS's processes) and its
// backend's own lines under DSS's default prefix (dss.invalid.bench.h00042.11200.backend.
// server.*, tests/integration/dashboards/dss_processes.hpp), as a DSS hooked up with
// `dssadmin install-monitoring-integration` does.
//
// With dotted_every, some hosts are agents migrated from the original dkumonitor: the
// same lines under collectd.invalid.bench.h00042 (the host name's dots kept) instead of
// collectd.invalid_bench_h00042 (the captured instance names hold no dot, so nothing else
// differs).

#include "metric_set.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace dkm::capacity {

/// What to simulate.
struct LoadOptions {
  int port = 0;                        ///< carbon plaintext TCP port on 127.0.0.1
  size_t hosts = 0;                    ///< simulated hosts
  double interval_seconds = 60;        ///< each host sends once per interval
  size_t connections = 0;              ///< TCP connections in all; 0: one per host
  size_t threads = 2;                  ///< sender threads
  size_t dss_every = 0;                ///< every K-th host runs DSS (sends the DSS set); 0: none
  size_t dotted_every = 0;             ///< every K-th host is a migrated agent (dotted host name); 0: none
};

/// Counters since start(), read while it runs.
struct LoadCounters {
  std::atomic<uint64_t> lines{0};           ///< plaintext lines sent
  std::atomic<uint64_t> points{0};          ///< of which go-carbon stores a point (not "nan")
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> host_sends{0};      ///< one host's whole set sent
  std::atomic<uint64_t> send_errors{0};     ///< failed connects or writes (the host's set is dropped)
  std::atomic<int64_t> last_lag_ms{0};      ///< lateness of the latest send
  std::atomic<int64_t> max_lag_ms{0};
};

/// Sends the simulated hosts' metrics until stopped.
class LoadGenerator {
 public:
  /// `plain` is what a host sends, `dss` what a host running DSS sends (used with dss_every).
  LoadGenerator(LoadOptions options, MetricSet plain, MetricSet dss);
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;
  ~LoadGenerator();

  /// Starts the sender threads; the first round begins now.
  void start();
  /// Stops sending and closes the connections.
  void stop();

  /// Counters so far.
  const LoadCounters& counters() const { return counters_; }
  /// The node of every simulated host, in order.
  std::vector<std::string> host_nodes() const;
  /// The prefix of DSS's backend lines on a host running DSS.
  static std::string dss_prefix(size_t index);
  /// True when host `index` writes its host name with dots (a migrated agent).
  bool dotted(size_t index) const { return options_.dotted_every > 0 && index % options_.dotted_every == 0; }
  /// True when host `index` sends the DSS set.
  bool runs_dss(size_t index) const { return options_.dss_every > 0 && index % options_.dss_every == 0; }
  /// Points (stored metrics) one round of every host sends: whisper files to expect.
  uint64_t points_per_round() const;

 private:
  struct Host {
    size_t index = 0;
    std::chrono::nanoseconds offset{};   ///< when in the interval it sends
    std::vector<std::string> prefixes;   ///< "path value " per line; the timestamp follows
    uint64_t stored = 0;                 ///< lines that carry a number
    size_t connection = 0;               ///< index in its thread's connections
  };
  struct Sender {
    std::vector<Host> hosts;             ///< by offset
    std::vector<int> sockets;            ///< -1 until connected
    std::thread thread;
  };

  void build_hosts();
  void run_sender(Sender& sender);
  bool send_host(Sender& sender, const Host& host, int64_t timestamp);
  int connect_socket();

  LoadOptions options_;
  MetricSet plain_, dss_;
  std::vector<Sender> senders_;
  std::chrono::steady_clock::time_point start_;
  std::atomic<bool> stopping_{false};
  LoadCounters counters_;
};

}  // namespace dkm::capacity
