// Markdown tables of capacity results (the JSON objects run_capacity_point writes).
#include "capacity_run.hpp"

#include <cstdio>
#include <string>

namespace dkm::capacity {

using nlohmann::json;

namespace {

/// `value` with `decimals` digits after the point, with a sign when `sign`.
std::string fmt(int decimals, double value, bool sign = false) {
  char buf[64];
  std::snprintf(buf, sizeof buf, sign ? "%+.*f" : "%.*f", decimals, value);
  return buf;
}

/// A number, or "-" when absent (a phase that timed out).
std::string num(const json& value, int decimals = 0, bool sign = false) {
  return value.is_number() ? fmt(decimals, value.get<double>(), sign) : std::string("-");
}

/// The member `key` of an object, or null (const operator[] must not be asked for a missing key).
json get(const json& object, const char* key) { return object.is_object() ? object.value(key, json()) : json(); }

std::string gib(const json& bytes) { return bytes.is_number() ? fmt(2, bytes.get<double>() / (1 << 30)) : "-"; }

std::string ingestion_row(const json& r) {
  const json& w = r.value("window", json::object());
  const json& t = r.value("totals", json::object());
  const json& d = r.value("disk", json::object());
  const json& cache = w.value("cache", json::object());
  std::string row = "| " + r.value("label", std::string()) + " | " + num(get(r, "hosts")) + " | " + num(get(r, "interval")) +
                    " | " + num(get(w, "sent_pps")) + " | " + num(get(w, "received_pps")) + " | " + num(get(w, "committed_pps")) +
                    " | " + num(get(w, "points_per_update"), 2) + " | " + num(get(r, "lost")) + " | ";
  row += num(get(cache, "first")) + " → " + num(get(cache, "last")) + " (max " + num(get(cache, "max")) + ", " +
         num(get(cache, "slope_pps"), 1, true) + "/s) | ";
  row += num(get(d, "files")) + " | " + gib(get(d, "apparent_bytes")) + " | " + gib(get(d, "allocated_bytes")) + " | " +
         num(get(w, "carbon_cpu_pct"), 1) + " | " + num(get(w, "carbon_rss_mib")) + " | " + num(get(r, "created_seconds")) + " | " +
         num(get(r, "renderable_seconds")) + " | " + num(get(w, "load_start"), 1) + "–" + num(get(w, "load_end"), 1) +
         " | " + (r.value("drained", false) ? "yes" : "no") + " | " + num(get(t, "received")) + " / " +
         num(get(t, "committed")) + " | " + num(get(get(r, "restart"), "renderable_seconds"), 1) + " |\n";
  return row;
}

std::string dashboard_rows(const json& r) {
  std::string out;
  for (const auto& d : r.value("dashboards", json::array())) {
    out += "| " + r.value("label", std::string()) + " | " + num(get(r, "hosts")) + " | " + num(get(r, "interval"), 2) +
           " | " + d.value("title", std::string()) + " | ";
    if (!d.value("skipped", std::string()).empty()) {
      out += "skipped: " + d.value("skipped", std::string()) + " | | | | | | | | |\n";
      continue;
    }
    // The slowest panel by p95: where a dashboard's time goes.
    json slowest = json::object();
    for (const auto& panel : d.value("panels", json::array()))
      if (slowest.empty() || panel.value("p95", 0.0) > slowest.value("p95", 0.0)) slowest = panel;
    out += num(get(d, "first"), 3) + " | " + num(get(d, "p50"), 3) + " | " + num(get(d, "p95"), 3) + " | " +
           num(get(d, "series")) + " | " + fmt(1, d.value("bytes", 0.0) / 1e6) + " | " + num(get(d, "errors")) + " | " +
           slowest.value("title", std::string()) + " " + num(get(slowest, "p95"), 3) + " s | " +
           num(get(d, "carbon_rss_mib")) + " / " + num(get(d, "carbonapi_rss_mib")) + " | " +
           num(get(d, "load_start"), 1) + "–" + num(get(d, "load_end"), 1) + " |\n";
  }
  return out;
}

}  // namespace

std::string results_tables(const std::vector<json>& results) {
  std::string out =
      "| variant | hosts | interval s | sent pts/s | received pts/s | committed pts/s | points/update | lost | "
      "cache points (window) | whisper files | apparent GiB | allocated GiB | go-carbon CPU % | go-carbon RSS MiB | "
      "all files s | all renderable s | load | drained | received / committed (run) | renderable after restart s |\n"
      "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : results) out += ingestion_row(r);
  out += "\n| variant | hosts | interval s | dashboard | first load s | p50 s | p95 s | series | MB | errors | "
         "slowest panel (p95) | peak RSS MiB go-carbon / carbonapi | load |\n"
         "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : results) out += dashboard_rows(r);
  return out;
}

std::string panel_table(const json& r) {
  std::string out = "| dashboard | panel | targets | series | MB | p50 s | p95 s |\n|---|---|---|---|---|---|---|\n";
  for (const auto& d : r.value("dashboards", json::array()))
    for (const auto& panel : d.value("panels", json::array()))
      out += "| " + d.value("title", std::string()) + " | " + panel.value("title", std::string()) + " | " +
             num(get(panel, "targets")) + " | " + num(get(panel, "series")) + " | " +
             fmt(1, panel.value("bytes", 0.0) / 1e6) + " | " + num(get(panel, "p50"), 3) + " | " +
             num(get(panel, "p95"), 3) + " |\n";
  return out;
}

}  // namespace dkm::capacity
