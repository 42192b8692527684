#pragma once
// One point of the capacity benchmark, against a real install (go-carbon and carbonapi
// run by the install's dkm, storage emptied by the caller):
//   1. listen for go-carbon's own metrics, `dkm start`;
//   2. N simulated hosts start sending (load_generator.hpp);
//   3. creation: until every expected whisper file exists and every host renders through
//      carbonapi's /render (or --settle-timeout);
//   4. steady window: points/s sent, received, committed, lost; cache trend; go-carbon's
//      CPU and resident memory;
//   5. every shipped dashboard loaded --render-runs times at All, under the same load;
//   6. the hosts stop; go-carbon drains its cache; totals, the whisper tree;
//   7. go-carbon restarts: time until every host renders again (index rebuilt); `dkm stop`.
// The result is one JSON object (appended to --results) and a summary on stdout.

#include "metric_set.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace dkm::capacity {

/// A run's settings (flags of `dkm_capacity run`).
struct RunSettings {
  fs::path install;                  ///< the install directory (DIR)
  int port = 0;                      ///< the install's PORT: carbon PORT+1, carbonapi PORT+2
  int stats_port = 0;                ///< where go-carbon's metric-endpoint sends (tcp://127.0.0.1:P)
  fs::path metrics;                  ///< capture of a host
  fs::path dss_metrics;              ///< capture of a host running DSS (optional)
  size_t dss_every = 0;              ///< every K-th host runs DSS
  size_t dotted_every = 0;           ///< every K-th host writes its name with dots (a migrated agent)
  size_t hosts = 0;
  double interval = 60;              ///< seconds between a host's sends
  size_t connections = 0;            ///< 0: one per host
  double settle_timeout = 900;       ///< seconds allowed for creation
  double window = 300;               ///< seconds of steady state measured
  double drain_timeout = 180;        ///< seconds allowed for the cache to empty at the end
  fs::path dashboards;               ///< directory of dashboards (*.json); empty: none
  size_t render_runs = 20;
  std::string label;                 ///< the variant's name, copied into the result
  fs::path results;                  ///< JSONL file the result is appended to
};

/// Runs one point; returns the result (also written to settings.results).
nlohmann::json run_capacity_point(const RunSettings& settings);

/// Loads every dashboard of `dir` (*.json, by name) `runs` times through carbonapi on
/// `api_port` (see dashboard_load.hpp), sampling go-carbon's and carbonapi's resident
/// memory (pids, 0: not sampled); one JSON object per dashboard.
nlohmann::json time_dashboard_files(const fs::path& dir, int api_port, size_t runs, pid_t carbon_pid, pid_t api_pid);

/// Markdown tables of results (JSONL files): ingestion, then dashboards.
std::string results_tables(const std::vector<nlohmann::json>& results);

/// A markdown table of one result's dashboard panels: series, bytes, p50/p95.
std::string panel_table(const nlohmann::json& result);

}  // namespace dkm::capacity
