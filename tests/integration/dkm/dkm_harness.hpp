#pragma once
// A throw-away install for dkm's integration tests: a temporary DIR with
// conf/services.ini, the real `dkm` run against it, the real fixture programs
// (tests/fixtures/programs) as services, and /proc to see what really runs.

#include "background_process.hpp"
#include "test_support.hpp"

#include <dkm/core/strings.hpp>
#include <dkm/core/install_layout.hpp>
#include "supervise/control_socket.hpp"
#include "supervise/leftovers.hpp"
#include <dkm/core/proc_info.hpp>

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace dkm::test {

using namespace std::chrono_literals;

/// A built fixture program (tests/fixtures/programs).
inline std::string fixture_program(const std::string& name) {
  return (fs::path(DKM_BINARY_DIR) / "tests" / "fixtures" / "programs" / name).string();
}

/// Two services, as go-carbon and collectd: `listener` (priority 100) opens `port` after
/// `delay_ms`, with a tcp probe on it; `sender` (priority 200) runs `sender_script` in bash.
inline std::string listener_and_sender(int port, int delay_ms, const std::string& sender_script) {
  const std::string p = std::to_string(port);
  return "[program:listener]\ncommand = " + fixture_program("port_opener") + " " + p + " " + std::to_string(delay_ms) +
         " %(ENV_DKM_HOME)s/opened\npriority = 100\nautostart = false\nstartsecs = 0\nready = tcp:127.0.0.1:" + p +
         "\n[program:sender]\ncommand = /bin/bash -c \"" + sender_script +
         "\"\npriority = 200\nautostart = false\nstartsecs = 0\n";
}

/// Sends raw bytes on a fresh connection and returns everything the supervisor answers.
inline std::string raw_exchange(const fs::path& socket, const std::string& bytes) {
  int fd = dkm::supervise::connect_control_socket(socket);
  REQUIRE(fd >= 0);
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;  // the supervisor may close early on an oversized request
    off += static_cast<size_t>(n);
  }
  std::string answer;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return answer;
}

/// One service line of `dkm status`.
struct StatusLine {
  std::string state;
  long pid = 0;
  std::string text;
};

/// An install directory with a services file, and `dkm` to run it.
class DkmInstall {
 public:
  /// Creates DIR/conf/services.ini with `services` (and DIR/bin/env with DKM_HOME).
  explicit DkmInstall(const std::string& services) : dir_("dkm-it-"), layout_(dir_.path() / "inst") {
    fs::create_directories(layout_.conf());
    fs::create_directories(layout_.bin());
    write_services(services);
    write_file_atomic(layout_.env_file(), dkm::render_env_file({{"DKM_HOME", layout_.root().string()}}));
  }
  DkmInstall(const DkmInstall&) = delete;
  DkmInstall& operator=(const DkmInstall&) = delete;

  /// Stops whatever is left, so no test leaves processes behind.
  ~DkmInstall() {
    try {
      run_process({tool("dkm").string(), "-d", layout_.root().string(), "stop"}, options());
    } catch (...) {
    }
    for (pid_t pid : processes()) ::kill(pid, SIGKILL);
  }

  /// Replaces the services file.
  void write_services(const std::string& services) { write_file_atomic(layout_.services_file(), services); }

  /// The install's paths.
  const dkm::InstallLayout& layout() const { return layout_; }
  /// DIR.
  std::string root() const { return layout_.root().string(); }
  /// A scratch path inside the temporary directory (not inside DIR).
  fs::path scratch(const std::string& name) const { return dir_.path() / name; }

  /// Runs `dkm -d DIR args...` and returns its result (stdout and stderr together).
  RunResult dkm(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{tool("dkm").string(), "-d", root()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, options());
  }

  /// `dkm status` parsed: service name -> its line.
  std::map<std::string, StatusLine> status() const {
    std::map<std::string, StatusLine> out;
    RunResult r = dkm({"status"});
    for (const auto& line : split(r.output, '\n')) {
      auto words = split_words(line);
      if (words.size() < 2 || words[0].back() == ':' || words[0] == "dkm:") continue;
      StatusLine s;
      s.state = words[1];
      s.text = line;
      if (words.size() >= 4 && words[2] == "pid") s.pid = std::strtol(words[3].c_str(), nullptr, 10);
      out[words[0]] = s;
    }
    return out;
  }

  /// Waits until `name` is in `state`; returns its status line (state empty when it never was).
  StatusLine wait_for_state(const std::string& name, const std::string& state, std::chrono::milliseconds limit = 20s) {
    StatusLine seen;
    wait_until([&] {
      auto all = status();
      auto it = all.find(name);
      if (it == all.end()) return false;
      seen = it->second;
      return seen.state == state;
    }, limit, 20ms);
    if (seen.state != state) seen.state.clear();
    return seen;
  }

  /// The supervisor's pid from DIR/run/dkm.pid (0 when absent).
  pid_t supervisor_pid() const {
    std::error_code ec;
    if (!fs::exists(layout_.supervisor_pid_file(), ec)) return 0;
    return static_cast<pid_t>(std::strtol(read_file(layout_.supervisor_pid_file()).c_str(), nullptr, 10));
  }

  /// Every live process of this install: the supervisor (its command line names DIR) and
  /// every process carrying the install's service marker. Zombies are not processes.
  std::vector<pid_t> processes() const {
    std::vector<pid_t> out;
    const std::string marker = dkm::supervise::service_marker(layout_);
    for (pid_t pid : dkm::list_pids()) {
      if (pid == ::getpid() || !dkm::process_alive(pid)) continue;
      std::string cmdline = dkm::read_proc_file("/proc/" + std::to_string(pid) + "/cmdline");
      bool supervisor = cmdline.find(root() + std::string(1, '\0') + "supervise") != std::string::npos;
      if (supervisor || dkm::environ_contains(pid, marker)) out.push_back(pid);
    }
    return out;
  }

  /// The live processes started as service `name` (SUPERVISOR_PROCESS_NAME=name).
  std::vector<pid_t> service_processes(const std::string& name) const {
    std::vector<pid_t> out;
    const std::string marker = dkm::supervise::service_marker(layout_);
    for (pid_t pid : processes())
      if (dkm::environ_contains(pid, marker) && dkm::environ_contains(pid, "SUPERVISOR_PROCESS_NAME=" + name))
        out.push_back(pid);
    return out;
  }

 private:
  static RunOptions options() {
    RunOptions o;
    o.env["DKM_ALLOW_ROOT"] = "1";
    o.unset_env = {"DKM_HOME"};
    return o;
  }

  static std::vector<std::string> split_words(const std::string& line) {
    std::vector<std::string> words;
    for (const auto& w : split(line, ' '))
      if (!w.empty()) words.push_back(w);
    return words;
  }

  TempDir dir_;
  dkm::InstallLayout layout_;
};

/// A dkm command run in the background as the tests run dkm (DKM_ALLOW_ROOT=1, no
/// DKM_HOME), output to `output`; SIGTERM ends it (a foreground supervisor stops its
/// services then).
inline BackgroundProcess background_dkm(const std::vector<std::string>& argv, const fs::path& output) {
  return BackgroundProcess(argv, {output, {}, {{"DKM_ALLOW_ROOT", "1"}}, {"DKM_HOME"}, false, SIGTERM});
}

}  // namespace dkm::test
