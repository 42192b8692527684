#include "load_generator.hpp"

#include <dss_processes.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

namespace dkm::capacity {

using namespace std::chrono;

namespace {

void raise_max(std::atomic<int64_t>& target, int64_t value) {
  int64_t seen = target.load();
  while (value > seen && !target.compare_exchange_weak(seen, value)) {
  }
}

/// Writes all of `data`; false on error (the peer closed, the connection reset).
bool write_all(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

LoadGenerator::LoadGenerator(LoadOptions options, MetricSet plain, MetricSet dss)
    : options_(options), plain_(std::move(plain)), dss_(std::move(dss)) {
  if (options_.hosts == 0) throw UsageError("load: --hosts must be at least 1");
  if (options_.interval_seconds <= 0) throw UsageError("load: --interval must be positive");
  if (options_.threads == 0) options_.threads = 1;
  options_.threads = std::min(options_.threads, options_.hosts);
  if (options_.connections == 0 || options_.connections > options_.hosts) options_.connections = options_.hosts;
  options_.connections = std::max(options_.connections, options_.threads);
  if (options_.dss_every > 0 && dss_.metrics.empty()) throw UsageError("load: a DSS host share needs the DSS capture");
  build_hosts();
}

LoadGenerator::~LoadGenerator() { stop(); }

void LoadGenerator::build_hosts() {
  senders_ = std::vector<Sender>(options_.threads);
  size_t connections_per_thread = options_.connections / options_.threads;
  auto interval = duration_cast<nanoseconds>(duration<double>(options_.interval_seconds));
  for (size_t i = 0; i < options_.hosts; ++i) {
    Sender& sender = senders_[i % options_.threads];
    Host host;
    host.index = i;
    host.offset = interval * static_cast<int64_t>(i) / static_cast<int64_t>(options_.hosts);
    host.connection = (i / options_.threads) % connections_per_thread;
    const MetricSet& set = runs_dss(i) ? dss_ : plain_;
    std::string prefix = "collectd." + (dotted(i) ? simulated_dotted_host(i) : simulated_host_node(i)) + ".";
    for (const auto& metric : set.metrics) {
      host.prefixes.push_back(prefix + metric.suffix + " " + metric.value + " ");
      host.stored += metric.stored() ? 1 : 0;
    }
    if (runs_dss(i))
      for (const auto& line : test::dss_backend_lines(dss_prefix(i))) {  // "path value timestamp"
        host.prefixes.push_back(line.substr(0, line.rfind(' ') + 1));
        ++host.stored;
      }
    sender.hosts.push_back(std::move(host));
  }
  for (auto& sender : senders_) sender.sockets.assign(connections_per_thread, -1);
}

std::string LoadGenerator::dss_prefix(size_t index) { return test::dss_default_prefix(simulated_host_fqdn(index), 11200); }

std::vector<std::string> LoadGenerator::host_nodes() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < options_.hosts; ++i) out.push_back(simulated_host_node(i));
  return out;
}

uint64_t LoadGenerator::points_per_round() const {
  uint64_t n = 0;
  for (const auto& sender : senders_)
    for (const auto& host : sender.hosts) n += host.stored;
  return n;
}

void LoadGenerator::start() {
  stopping_ = false;
  start_ = steady_clock::now();
  for (auto& sender : senders_) sender.thread = std::thread([this, &sender] { run_sender(sender); });
}

void LoadGenerator::stop() {
  stopping_ = true;
  for (auto& sender : senders_) {
    if (sender.thread.joinable()) sender.thread.join();
    for (int& fd : sender.sockets) {
      if (fd >= 0) ::close(fd);
      fd = -1;
    }
  }
}

int LoadGenerator::connect_socket() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(options_.port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool LoadGenerator::send_host(Sender& sender, const Host& host, int64_t timestamp) {
  std::string ts = std::to_string(timestamp) + "\n";
  std::string payload;
  payload.reserve(host.prefixes.size() * 80);
  for (const auto& prefix : host.prefixes) payload.append(prefix).append(ts);
  int& fd = sender.sockets[host.connection];
  // A broken connection is reopened once, as collectd reconnects; a second failure drops the set.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (fd < 0) fd = connect_socket();
    if (fd >= 0 && write_all(fd, payload)) {
      counters_.lines += host.prefixes.size();
      counters_.points += host.stored;
      counters_.bytes += payload.size();
      ++counters_.host_sends;
      return true;
    }
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  ++counters_.send_errors;
  return false;
}

void LoadGenerator::run_sender(Sender& sender) {
  auto interval = duration_cast<nanoseconds>(duration<double>(options_.interval_seconds));
  for (int64_t round = 0; !stopping_; ++round) {
    for (const Host& host : sender.hosts) {
      auto due = start_ + interval * round + host.offset;
      // Sleep in short steps so that stop() is not kept waiting for a long interval.
      while (!stopping_ && steady_clock::now() < due)
        std::this_thread::sleep_until(std::min(due, steady_clock::now() + milliseconds(200)));
      if (stopping_) return;
      send_host(sender, host, static_cast<int64_t>(std::time(nullptr)));
      int64_t lag = duration_cast<milliseconds>(steady_clock::now() - due).count();
      counters_.last_lag_ms = lag;
      raise_max(counters_.max_lag_ms, lag);
    }
  }
}

}  // namespace dkm::capacity
