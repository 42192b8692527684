#pragma once
// Stand-ins for DSS (no DSS or Java here), shared by the dashboards and installer groups
// and the capacity benchmark: its Java processes are tests/service_doubles/
// dss_process_double, a TEST DOUBLE that does nothing, started with a DSS command line as
// its argv, so that /proc/PID/cmdline reads as a DSS process's does (that is all
// collectd's processes plugin looks at); its backend's own lines are written as DSS sends
// them, under the prefix DSS's monitoring integration gives them.

#include "test_support.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

namespace dkm::test {

/// The process double's program.
inline fs::path dss_process_double() { return fs::path(DKM_BINARY_DIR) / "tests" / "service_doubles" / "dss_process_double"; }

/// A DSS-like process, killed on destruction.
class DssProcessStandIn {
 public:
  /// Starts the double with `argv` (argv[0] as DSS's would be, e.g. ".../bin/java") and
  /// waits until its command line reads so.
  explicit DssProcessStandIn(std::vector<std::string> argv) {
    fs::path program = dss_process_double();
    pid_ = ::fork();
    if (pid_ < 0) throw Error("fork: " + errno_text());
    if (pid_ == 0) {
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(program.c_str(), args.data());
      ::_exit(127);
    }
    std::string expected = join(argv, std::string(1, '\0')) + '\0';
    fs::path cmdline = "/proc/" + std::to_string(pid_) + "/cmdline";
    if (!wait_until([&] { return read_file(cmdline) == expected; }))
      throw Error(program.string() + " did not start as " + join(argv, " "));
  }
  /// Starts the double with `command_line` split on spaces.
  explicit DssProcessStandIn(const std::string& command_line) : DssProcessStandIn(split_words(command_line)) {}
  DssProcessStandIn(const DssProcessStandIn&) = delete;
  DssProcessStandIn& operator=(const DssProcessStandIn&) = delete;
  ~DssProcessStandIn() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }

  /// The process id.
  pid_t pid() const { return pid_; }

 private:
  static std::vector<std::string> split_words(const std::string& text) {
    std::vector<std::string> out;
    for (auto& word : split(text, ' '))
      if (!word.empty()) out.push_back(word);
    return out;
  }

  pid_t pid_ = -1;
};

/// A DSS process's command line, as DSS starts its Java processes: the JVM, -Ddku.KIND
/// first, then options, and the class path beginning with DATA_DIR/bin (what DSS's own
/// collectd tells instances apart by).
inline std::vector<std::string> dss_java_argv(const std::string& kind, const fs::path& data_dir) {
  return {"/usr/lib/jvm/java-17-openjdk-amd64/bin/java", "-Ddku." + kind, "-Xmx2g", "-XX:+UseG1GC",
          "-Djava.awt.headless=true", "-cp", data_dir.string() + "/bin:" + data_dir.string() + "/lib/ivy/*",
          "com.dataiku.dip.DSSMain"};
}

/// The prefix `dssadmin install-monitoring-integration` takes without -prefix: "dss.",
/// the FQDN's labels reversed, and the DSS port.
inline std::string dss_default_prefix(const std::string& fqdn, int dss_port) {
  std::vector<std::string> labels = split(fqdn, '.');
  std::reverse(labels.begin(), labels.end());
  return "dss." + join(labels, ".") + "." + std::to_string(dss_port);
}

/// Lines DSS's backend sends under `prefix`: the names of the original product's DSS
/// dashboards (github.com/dataiku/dkumonitor, dashboards/dss_backend.json), and the JVM
/// heap gauges of Dropwizard's MemoryUsageGaugeSet (heap.used, heap.committed, heap.max),
/// which the backend's jvm.memory.heap.used comes with. `value` for the first four.
inline std::vector<std::string> dss_backend_lines(const std::string& prefix, long value = 42) {
  std::string now = std::to_string(static_cast<long>(std::time(nullptr)));
  std::vector<std::string> lines;
  for (const auto& [suffix, v] : std::vector<std::pair<std::string, long>>{
           {"dku.collaboration.activeUsers", value}, {"catalog.indexAll.datasets.count", value},
           {"catalog.indexAll.recipes", value}, {"jvm.memory.heap.used", value},
           {"jvm.memory.heap.committed", 1L << 30}, {"jvm.memory.heap.max", 2L << 30}})
    lines.push_back(prefix + ".backend.server." + suffix + " " + std::to_string(v) + " " + now);
  return lines;
}

}  // namespace dkm::test
