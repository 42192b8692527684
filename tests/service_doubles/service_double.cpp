// TEST DOUBLE for the bundle's go-carbon, carbonapi and grafana, which CI cannot build.
// Installed in a test bundle as bin/go-carbon, bin/carbonapi and bin/grafana (links to
// this program), it is started by dkm with the real command lines of services.ini,
// reads its port from the rendered config it is given, and listens on 127.0.0.1 there:
//
//   go-carbon -config FILE      [tcp] listen = "HOST:PORT": prints every plaintext line
//                               received to stdout (dkm logs it in run/go-carbon.log)
//   carbonapi -config FILE      listen: "HOST:PORT": accepts connections, answers nothing
//   grafana server ... --config FILE   [server] http_port = PORT: same
//
// It ends on SIGTERM or SIGINT, as the real ones do.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>

#include "../support/carbon_recorder.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <regex>
#include <string>
#include <vector>

namespace {

volatile sig_atomic_t stopping = 0;

void on_signal(int) { stopping = 1; }

std::string flag_value(int argc, char** argv, const std::string& flag) {
  for (int i = 1; i + 1 < argc; ++i)
    if (flag == argv[i]) return argv[i + 1];
  throw dkm::Error("service_double: missing " + flag + " FILE");
}

// The port of the first match of `pattern` (its first group) in `file`.
int port_in(const std::string& file, const std::string& pattern) {
  std::smatch m;
  std::string text = dkm::read_file(file);
  if (!std::regex_search(text, m, std::regex(pattern))) throw dkm::Error(file + ": no port matching " + pattern);
  return std::stoi(m[1].str());
}

int listen_loopback(int port) {
  int fd = dkm::test::bind_loopback(port);
  if (fd < 0 || ::listen(fd, 16) != 0)
    throw dkm::Error("service_double: cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + dkm::errno_text());
  return fd;
}

}  // namespace

int main(int argc, char** argv) try {
  std::string role = dkm::fs::path(argv[0]).filename().string();
  int port = 0;
  bool print_lines = false;
  if (role == "go-carbon") {
    port = port_in(flag_value(argc, argv, "-config"), R"re(\[tcp\][^\[]*?\nlisten = "[^"]*:([0-9]+)")re");
    print_lines = true;
  } else if (role == "carbonapi") {
    port = port_in(flag_value(argc, argv, "-config"), R"re(\nlisten: "[^"]*:([0-9]+)")re");
  } else if (role == "grafana") {
    port = port_in(flag_value(argc, argv, "--config"), R"(\nhttp_port = ([0-9]+))");
  } else {
    throw dkm::Error("service_double: run as go-carbon, carbonapi or grafana, not " + role);
  }

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
  int listener = listen_loopback(port);
  std::cout << "service_double: test double for " << role << " on 127.0.0.1:" << port << std::endl;

  std::map<int, std::string> clients;  // fd -> partial line
  while (!stopping) {
    std::vector<pollfd> fds{{listener, POLLIN, 0}};
    for (const auto& [fd, _] : clients) fds.push_back({fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) continue;  // EINTR: check `stopping`
    if (fds[0].revents & POLLIN) {
      int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (client >= 0) clients[client];
    }
    for (size_t i = 1; i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      char buf[65536];
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        ::close(fds[i].fd);
        clients.erase(fds[i].fd);
        continue;
      }
      if (!print_lines) continue;
      std::string& pending = clients[fds[i].fd];
      pending.append(buf, static_cast<size_t>(n));
      size_t end = pending.rfind('\n');
      if (end == std::string::npos) continue;
      std::cout << pending.substr(0, end + 1) << std::flush;
      pending.erase(0, end + 1);
    }
  }
  return 0;
} catch (const std::exception& e) {
  std::cerr << e.what() << "\n";
  return 1;
}
