#pragma once
// Stand-ins for DSS's Java processes (no DSS or Java here), shared by the dashboards and
// installer groups: tests/service_doubles/dss_process_double, a TEST DOUBLE that does
// nothing, started with a DSS command line as its argv, so that /proc/PID/cmdline reads as
// a DSS process's does. That is all collectd's processes plugin looks at.

#include "test_support.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
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

}  // namespace dkm::test
