#pragma once
// The dashboards tests' world, on top of the installer tests' (test bundle, installer,
// background processes), carbon_recorder.hpp (the go-carbon test double) and
// dss_processes.hpp (DSS process stand-ins): a test bundle with the shipped dashboards, DSS's three processes,
// installs run by dkm, and the knob the tests turn to finish in seconds.

#include "installer_fixture.hpp"
#include "carbon_recorder.hpp"

#include <dkm/core/install_layout.hpp>
#include "supervise/leftovers.hpp"
#include <dkm/core/proc_info.hpp>

#include <memory>
#include <regex>
#include <string>
#include <vector>

namespace dkm::test {

/// A test bundle (see make_test_bundle) whose dashboards/ holds dist/dashboards, as dkmpack stages it.
inline TestBundle make_dashboards_bundle(const fs::path& dir) {
  TestBundle bundle = make_test_bundle(dir);
  for (const auto& entry : fs::directory_iterator(source_dir() / "dist" / "dashboards"))
    fs::copy_file(entry.path(), dir / "dashboards" / entry.path().filename(), fs::copy_options::overwrite_existing);
  return bundle;
}

/// Stand-ins for a DSS backend, one JEK and one FEK of a DSS installed in /opt/dss, as
/// collectd's processes plugin sees them.
class DssProcessStandIns {
 public:
  /// Starts the three stand-ins (each waits until its command line reads like DSS's).
  DssProcessStandIns() {
    for (const char* kind : {"backend", "jek", "fek"})
      processes_.push_back(std::make_unique<DssProcessStandIn>(dss_java_argv(kind, "/opt/dss")));
  }

 private:
  std::vector<std::unique_ptr<DssProcessStandIn>> processes_;
};

/// Rewrites the Interval of an installed collectd.conf (tests lower the installed 60 s).
inline void set_collectd_interval(const dkm::InstallLayout& layout, int seconds) {
  fs::path conf = layout.conf() / "collectd.conf";
  std::string text = read_file(conf);
  std::regex interval_line(R"((^|\n)Interval [0-9]+\n)");
  if (!std::regex_search(text, interval_line)) throw Error(conf.string() + ": no Interval line");
  write_file_atomic(conf, std::regex_replace(text, interval_line, "$1Interval " + std::to_string(seconds) + "\n"));
}

/// The live processes of an install: its supervisor (run/dkm.pid) and every process
/// carrying the install's service marker in its environment (see libdkm/src/supervise/leftovers.hpp).
inline std::vector<pid_t> install_processes(const dkm::InstallLayout& layout) {
  std::vector<pid_t> out;
  std::string marker = dkm::supervise::service_marker(layout);
  for (pid_t pid : dkm::list_pids())
    if (dkm::process_alive(pid) && dkm::environ_contains(pid, marker)) out.push_back(pid);
  std::error_code ec;
  if (fs::exists(layout.supervisor_pid_file(), ec)) {
    pid_t supervisor = static_cast<pid_t>(std::atol(read_file(layout.supervisor_pid_file()).c_str()));
    if (supervisor > 0 && dkm::process_alive(supervisor)) out.push_back(supervisor);
  }
  return out;
}

/// Runs the install's dkm (DIR/bin/dkm) with `args`.
inline RunResult run_dkm(const dkm::InstallLayout& layout, const std::vector<std::string>& args) {
  std::vector<std::string> argv{(layout.bin() / "dkm").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  RunOptions options;
  options.env["DKM_ALLOW_ROOT"] = "1";
  return run_process(argv, options);
}

/// Stops the install's services and supervisor when it goes out of scope, whatever happened.
struct StopAtEnd {
  const dkm::InstallLayout& layout;  ///< the install
  ~StopAtEnd() { run_dkm(layout, {"stop"}); }
};

}  // namespace dkm::test
