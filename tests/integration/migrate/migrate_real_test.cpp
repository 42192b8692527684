// Issue 16, [real] (DKM_REAL_BUNDLE=DIR, a bundle with the real go-carbon 0.19.1 and
// carbonapi 0.18.2, and its collectd when it has one): an original backend-agent install
// whose whisper files (python3-whisper, the original's retentions, named as the
// original's collectd names them) hold points is migrated; the real go-carbon reads the
// whisper tree where it is, with the same file-name rules, and carbonapi gives every old
// point back; then collectd's new points land in the same series (continuity).
#include "migrate_fixture.hpp"

#include <catch2/catch.hpp>
#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <regex>

using namespace dkm;
using namespace dkm::test;

namespace {

std::string url_encode(const std::string& text) {
  char* escaped = curl_easy_escape(nullptr, text.c_str(), static_cast<int>(text.size()));
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

/// carbonapi's /render of `target` over the last `minutes`, as timestamp -> value (non-null points).
std::map<long, double> render_points(int port, const std::string& target, int minutes) {
  int status = 0;
  std::string body = http_get(port, "/render?format=json&from=-" + std::to_string(minutes) + "min&target=" +
                                        url_encode(target), &status);
  std::map<long, double> points;
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (status != 200 || !doc.is_array()) return points;
  for (const auto& series : doc)
    for (const auto& p : series.value("datapoints", nlohmann::json::array()))
      if (p.is_array() && p.size() == 2 && !p[0].is_null()) points[p[1].get<long>()] = p[0].get<double>();
  return points;
}

}  // namespace

TEST_CASE("real go-carbon and carbonapi read a migrated original install's whisper points, and go on writing them",
          "[migrate][real]") {
  fs::path real = require_env_or_skip("DKM_REAL_BUNDLE", "it needs a bundle with the real go-carbon and carbonapi");
  OriginalWorld w{original_spec("0.0.4", "backend-agent")};
  RealComponents taken = take_real_components(w.bundle, fs::absolute(real));
  REQUIRE(w.stored.size() >= 4);
  std::string storage_before = tree_digest(w.dir / "storage");
  RunResult r = w.migrate();
  INFO(r.output);
  REQUIRE(r.ok());
  REQUIRE(tree_digest(w.dir / "storage") == storage_before);
  dkm::InstallLayout L = w.layout();
  fs::path conf = L.conf() / "go-carbon.conf";  // a fresh index every second, for the test
  write_file_atomic(conf, std::regex_replace(read_file(conf), std::regex(R"(\nscan-frequency = "[^"]*")"),
                                             "\nscan-frequency = \"1s\""));

  RunResult started = run_dkm(L, {"start"});
  StopAtEnd stop_at_end{L};
  INFO("dkm start:\n" << started.output);
  REQUIRE(started.ok());
  const int carbonapi = w.spec.port + 2;
  INFO("go-carbon's log:\n" << last_lines(read_file(L.run() / "go-carbon.log"), 10));
  INFO("carbonapi's log:\n" << last_lines(read_file(L.run() / "carbonapi.log"), 10));

  // Every old point of every migrated series, through carbonapi (from the files as they are).
  size_t read_back = 0;
  for (const auto& name : w.stored) {
    std::map<long, double> points;
    wait_until([&] { return (points = render_points(carbonapi, name, 120)).size() >= w.stamps.size(); },
               std::chrono::seconds(20), std::chrono::milliseconds(250));
    INFO(name);
    for (size_t i = 0; i < w.stamps.size(); ++i) {
      CHECK(points.count(w.stamps[i]));
      if (points.count(w.stamps[i]) && points[w.stamps[i]] == static_cast<double>(i + 1)) ++read_back;
    }
  }
  CHECK(read_back == w.stored.size() * w.stamps.size());

  // collectd (the original's host name, dots kept) writes into the same files.
  std::string load = w.metric("load.load.relative.shortterm");
  long last_old = w.stamps.back();
  std::map<long, double> points;
  bool continued = wait_until(
      [&] {
        points = render_points(carbonapi, load, 120);
        return !points.empty() && points.rbegin()->first > last_old;
      },
      std::chrono::seconds(60), std::chrono::milliseconds(500));
  CHECK(continued);
  CHECK(points.count(w.stamps.front()));  // history and new points in one series
  RunResult stopped = run_dkm(L, {"stop"});
  CHECK(stopped.ok());
  std::cout << "real: " << read_back << " old points of " << w.stored.size()
            << " migrated whisper files read back through carbonapi; new point of " << load << " at "
            << (points.empty() ? 0 : points.rbegin()->first) << " after the last old one at " << last_old
            << " (collectd: " << (taken.collectd ? "the bundle's" : "Debian's stand-in") << ")\n";
}
