#pragma once
// Helpers shared by the tests: where the built tools and fixtures are, running a
// program, waiting for a condition, finding a free port, skipping opt-in tests.

#include <dkm/core/files.hpp>
#include <dkm/core/process.hpp>
#include <dkm/core/temp_dir.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <string>
#include <thread>

namespace dkm::test {

/// Exit code that CTest reports as "skipped" (SKIP_RETURN_CODE in tests/CMakeLists.txt).
inline constexpr int kSkipExitCode = 77;

/// The directory of the built front ends (dkmpack, installer, dkm, dkmadmin).
inline fs::path tools_dir() { return DKM_TOOLS_DIR; }
/// The path of one built front end.
inline fs::path tool(const std::string& name) { return tools_dir() / name; }
/// The project's source tree.
inline fs::path source_dir() { return DKM_SOURCE_DIR; }
/// tests/fixtures in the source tree.
inline fs::path fixtures_dir() { return source_dir() / "tests" / "fixtures"; }

/// Runs a program and returns its result (output captured).
inline RunResult run(const std::vector<std::string>& argv, RunOptions options = {}) {
  return run_process(argv, options);
}

/// Polls `condition` every `step` until it holds or `timeout` passes; returns whether it held.
inline bool wait_until(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10),
                       std::chrono::milliseconds step = std::chrono::milliseconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(step);
  }
}

/// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it back).
inline int free_tcp_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

/// Ends an opt-in test as "skipped" (with the reason on stdout) unless `var` is set.
/// Each test case runs in its own process under CTest, so exiting is safe.
inline std::string require_env_or_skip(const char* var, const std::string& why) {
  const char* value = std::getenv(var);
  if (value && *value) return value;
  std::cout << "SKIPPED: " << var << " is not set; " << why << "\n";
  std::exit(kSkipExitCode);
}

/// Replaces every occurrence of `from` in `text`.
inline std::string replace_every(std::string text, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size()) text.replace(pos, from.size(), to);
  return text;
}

}  // namespace dkm::test
