#pragma once
// A shipped dashboard loaded the way Grafana loads it with every variable at "All":
// first its query variables' lists (/metrics/find, or /metrics/expand for expand(...),
// in order, resolved as Grafana resolves them: tests/support/grafana_variables.hpp), then
// one POST /render per panel holding all of that panel's targets, with the variables
// expanded (a variable's allValue when it has one, as Grafana sends it; otherwise every
// value listed, as {a,b,...}; a single-valued variable its first value, Grafana's
// default), the dashboard's time range and maxDataPoints = the panel's width in pixels on
// a 1920-pixel screen (gridPos.w / 24 of it), at most six requests in flight (a browser's
// connections to one host). Every panel outside a collapsed row is loaded, as if the page
// were scrolled to the end (Grafana loads panels below the fold when they come into view,
// and the panels of a collapsed row only when the row is opened).

#include "graphite_client.hpp"
#include "percentile.hpp"

#include <dkm/core/files.hpp>

#include <string>
#include <vector>

namespace dkm::capacity {

/// One panel's request.
struct PanelRequest {
  std::string title;
  std::vector<std::string> targets;  ///< variables expanded
  int max_data_points = 0;
};

/// What loading one dashboard asks of carbonapi.
struct DashboardRequests {
  std::string file;                        ///< the dashboard file's name
  std::string title;
  std::string from = "-6h";                ///< the dashboard's time range, as Grafana sends it
  /// The variables' list queries, in order: {"/metrics/find" or "/metrics/expand", query}.
  std::vector<std::pair<std::string, std::string>> variable_queries;
  std::vector<PanelRequest> panels;
  std::string skipped;                     ///< why it cannot be loaded here (a variable lists nothing)
  size_t collapsed_targets = 0;            ///< targets of panels in collapsed rows (not loaded)
};

/// Reads a dashboard file and resolves its variables at All through `client`.
DashboardRequests dashboard_requests(const fs::path& file, GraphiteClient& client);

/// One load of a dashboard.
struct DashboardLoad {
  double seconds = 0;                  ///< from the first find to the last panel's answer
  std::vector<double> panel_seconds;   ///< per panel, in the order of DashboardRequests::panels
  std::vector<size_t> panel_series;    ///< series each panel's answer holds
  std::vector<size_t> panel_bytes;     ///< bytes of each panel's answer
  size_t series = 0;                   ///< series returned, all panels
  size_t bytes = 0;                    ///< bytes of the answers
  int errors = 0;                      ///< requests without a 200 answer
  std::string first_error;
};

/// Loads the dashboard once against carbonapi on `port`, `parallel` panel requests at a time.
DashboardLoad load_dashboard(const DashboardRequests& dashboard, int port, int parallel = 6);

/// Figures of repeated loads.
struct DashboardFigures {
  std::string title;
  std::string skipped;
  size_t runs = 0;
  double first = 0, p50 = 0, p95 = 0, max = 0;  ///< seconds
  size_t series = 0, bytes = 0;
  int errors = 0;
  std::string first_error;
  struct Panel {
    std::string title;
    size_t targets = 0;
    size_t series = 0, bytes = 0;  ///< of the last load
    double p50 = 0, p95 = 0;
  };
  std::vector<Panel> panels;
};

/// Loads the dashboard `runs` times, each at a new second (so no answer comes from
/// go-carbon's one-minute render cache, whose key holds the absolute time range, as a
/// one-minute refresh would not either); p50/p95 of the whole load and of each panel.
DashboardFigures time_dashboard(const DashboardRequests& dashboard, int port, size_t runs);

}  // namespace dkm::capacity
