#pragma once
// A backend-agent install running the real go-carbon and carbonapi of a bundle
// (DKM_REAL_BUNDLE), for the dashboards' `real` tests.

#include "dashboard_checks.hpp"
#include "dashboards_fixture.hpp"

#include <functional>
#include <string>

namespace dkm::test {

/// A backend-agent install with the real go-carbon and carbonapi of `real`, its shipped
/// go-carbon.conf passed through `edit`, and collectd reading every second (not started).
struct RealBackend {
  TempDir tmp{"dkm-real-backend-"};
  TestBundle bundle = make_dashboards_bundle(tmp.path() / "dkumonitor-1.0.0");
  dkm::InstallLayout layout{tmp.path() / "inst"};
  int port = free_port_block();

  explicit RealBackend(const fs::path& real,
                       const std::function<std::string(std::string)>& edit = [](std::string conf) { return conf; }) {
    take_real_components(bundle, real);
    RunResult installed = run_installer(bundle, {"-d", layout.root().string(), "-p", std::to_string(port), "-t",
                                                 "backend-agent", "--hostname", kCollectdHostname, "--carbon-listen",
                                                 "127.0.0.1", "--carbonapi-listen", "127.0.0.1"});
    if (!installed.ok()) throw Error("installer: " + installed.output);
    set_collectd_interval(layout, 1);
    fs::path conf = layout.conf() / "go-carbon.conf";
    write_file_atomic(conf, edit(read_file(conf)));
  }
  /// carbonapi's port.
  int carbonapi() const { return port + 2; }
  /// go-carbon's carbon plaintext port.
  int carbon() const { return port + 1; }
};

}  // namespace dkm::test
