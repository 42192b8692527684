#pragma once
// The migrate tests' world: an original install in use (original_install.hpp,
// original_runtime.hpp) beside a test bundle of this toolkit (the installer tests'),
// whose go-carbon, carbonapi and grafana are the TEST DOUBLE service_double so that
// `dkm start` brings every service of an install up (tests/service_doubles).

#include "original_runtime.hpp"

#include <dkm/core/install_layout.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace dkm::test {

/// An original install in use, and this toolkit's bundle to migrate it with.
struct OriginalWorld {
  TempDir tmp{"dkm-migrate-"};
  OriginalSpec spec;
  fs::path old_bundle;               ///< the original's bundle (stand-ins)
  fs::path dir;                      ///< the original install
  TestBundle bundle;                 ///< this toolkit's bundle (installer, dkm, dkmadmin...)
  std::set<std::string> sent_names;  ///< what the original's collectd sends (a real collectd run)
  std::vector<std::string> stored;   ///< the metrics given whisper files
  std::vector<long> stamps;          ///< the points' timestamps

  /// A metric of this host as the original's collectd named it ("load.load.relative.shortterm").
  std::string metric(const std::string& suffix) const { return "collectd." + original_collectd_hostname(spec) + "." + suffix; }

  /// Writes the original install of `spec` (its port chosen free), its metrics, its storage.
  explicit OriginalWorld(OriginalSpec s, bool collectd_run = true) : spec(std::move(s)) {
    spec.port = free_port_block();
    old_bundle = write_original_bundle(tmp.path() / "old", spec.version);
    dir = tmp.path() / "srv" / "dkumonitor";
    write_original_install(dir, old_bundle, spec);
    bundle = make_test_bundle(tmp.path() / "dkumonitor-1.0.0");
    for (const auto& entry : fs::directory_iterator(source_dir() / "dist" / "dashboards"))
      fs::copy_file(entry.path(), bundle.root / "dashboards" / entry.path().filename());
    fs::path double_program = fs::path(DKM_BINARY_DIR) / "tests" / "service_doubles" / "service_double";
    for (const char* name : {"go-carbon", "carbonapi", "grafana"}) {
      fs::remove(bundle.root / "bin" / name);
      fs::create_symlink(double_program, bundle.root / "bin" / name);
    }
    write_original_storage(dir);
    if (!collectd_run) return;
    sent_names = original_collectd_metric_names(dir, spec, tmp.path() / "collectd-run");
    std::string host = "collectd." + original_collectd_hostname(spec) + ".";
    for (const char* suffix : {"load.load.relative.shortterm", "load.load.relative.midterm", "memory.memory.used",
                               "memory.percent.used", "cpu.0.percent.user", "cpu.count"})
      if (sent_names.count(host + suffix)) stored.push_back(host + suffix);
    stamps = write_whisper_points(dir / "storage/whisper", stored);
  }

  /// The install's layout.
  dkm::InstallLayout layout() const { return dkm::InstallLayout(dir); }

  /// installer -u -d DIR [extra...] with this toolkit's bundle.
  RunResult migrate(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args{"-u", "-d", dir.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_installer(bundle, args);
  }
};

/// The services the go-carbon test double received lines for (dkm logs what it prints).
inline std::set<std::string> double_received_names(const dkm::InstallLayout& layout) {
  std::set<std::string> names;
  std::error_code ec;
  if (!fs::exists(layout.run() / "go-carbon.log", ec)) return names;
  for (const auto& line : split(read_file(layout.run() / "go-carbon.log"), '\n'))
    if (line.rfind("collectd.", 0) == 0) names.insert(line.substr(0, line.find(' ')));
  return names;
}

/// The value of `key` in a rendered INI-like text (`key = value` at a line's start).
inline std::string setting(const std::string& text, const std::string& key) {
  for (const auto& raw : split(text, '\n')) {
    std::string_view line = trim(raw);
    if (line.rfind(key, 0) != 0) continue;
    std::string_view rest = trim(line.substr(key.size()));
    if (rest.empty() || rest.front() != '=') continue;
    return std::string(trim(rest.substr(1)));
  }
  return {};
}

}  // namespace dkm::test
