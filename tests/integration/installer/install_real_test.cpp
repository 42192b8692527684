// Opt-in (label `real`): the real go-carbon and carbonapi accept the
// rendered configs. DKM_REAL_BUNDLE=DIR names a bundle directory whose bin/ holds the
// real go-carbon and carbonapi (built with Go 1.24, which CI lacks); the test bundle
// takes them from there (and collectd, Grafana too when DIR has them).
//
// Beyond `-check-config`: carbonapi runs with -exact-config (an unknown key is an
// error); every key of go-carbon.conf is one go-carbon knows (-config-print-default);
// both daemons start on loopback, listen on exactly their planned ports, and a metric
// sent to carbon (TCP and UDP) reads back through carbonapi's /render.
#include <catch2/catch.hpp>

#include <toml++/toml.h>

#include <ctime>
#include <functional>
#include <set>

#include "installer_fixture.hpp"

using namespace dkm;
using namespace dkm::test;

namespace {

/// Sends one plaintext line to 127.0.0.1:port as one UDP datagram.
void send_udp(int port, const std::string& line) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  std::string data = line + "\n";
  CHECK(::sendto(fd, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&addr), sizeof addr) ==
        static_cast<ssize_t>(data.size()));
  ::close(fd);
}

/// The ports a process listens on: "tcp:PORT" and "udp:PORT", from its socket inodes
/// (/proc/PID/fd) and the kernel's socket tables (/proc/net/{tcp,tcp6,udp,udp6}).
std::set<std::string> listening_ports(pid_t pid) {
  std::set<std::string> inodes;
  for (const auto& e : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    std::error_code ec;
    std::string target = fs::read_symlink(e.path(), ec).string();
    if (target.rfind("socket:[", 0) == 0) inodes.insert(target.substr(8, target.size() - 9));
  }
  std::set<std::string> out;
  for (const char* table : {"tcp", "tcp6", "udp", "udp6"}) {
    std::string proto = std::string(table).substr(0, 3);
    auto lines = split(read_file(std::string("/proc/net/") + table), '\n');
    for (size_t i = 1; i < lines.size(); ++i) {
      std::vector<std::string> f;
      for (auto& w : split(lines[i], ' '))
        if (!w.empty()) f.push_back(w);
      if (f.size() < 10 || !inodes.count(f[9])) continue;
      // TCP: state 0A is LISTEN; UDP: 07 is an unconnected (receiving) socket.
      if ((proto == "tcp" && f[3] != "0A") || (proto == "udp" && f[3] != "07")) continue;
      int port = std::stoi(f[1].substr(f[1].find(':') + 1), nullptr, 16);
      out.insert(proto + ":" + std::to_string(port));
    }
  }
  return out;
}

/// Every "table.key" of a TOML document; arrays of tables as "name[].key".
void toml_keys(const toml::table& t, const std::string& prefix, std::set<std::string>& out) {
  for (const auto& [k, node] : t) {
    std::string name = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = node.as_table()) {
      toml_keys(*sub, name, out);
    } else if (const auto* arr = node.as_array(); arr && arr->is_array_of_tables()) {
      for (const auto& item : *arr) toml_keys(*item.as_table(), name + "[]", out);
    } else {
      out.insert(name);
    }
  }
}

std::string base64(const std::string& in) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    unsigned n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    if (i + 2 < in.size()) n |= static_cast<unsigned char>(in[i + 2]);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? alphabet[(n >> 6) & 63] : '=';
    out += i + 2 < in.size() ? alphabet[n & 63] : '=';
  }
  return out;
}

/// The programs' own checks of their configs: `-check-config` (carbonapi's with
/// -exact-config: an unknown key is an error), and every key of go-carbon.conf one
/// go-carbon knows, since it ignores the others (-config-print-default).
void check_configs_by_the_programs(const std::vector<std::string>& go_carbon, const std::vector<std::string>& carbonapi,
                                   const fs::path& go_carbon_conf) {
  std::vector<std::string> check = go_carbon;
  check.push_back("-check-config");
  RunResult gc = run_process(check);
  INFO("go-carbon -check-config: " << gc.output);
  CHECK(gc.ok());
  check = carbonapi;
  check.insert(check.end(), {"-check-config", "-exact-config"});
  RunResult ca = run_process(check);
  INFO("carbonapi -check-config -exact-config: " << ca.output);
  CHECK(ca.ok());

  // go-carbon ignores keys it does not know: each rendered key must be one it prints.
  std::set<std::string> known, rendered;
  toml_keys(toml::parse(run_process({go_carbon[0], "-config-print-default"}).output), "", known);
  known.insert("carbonserver.request-timeout");  // a field without default, so not printed (carbon/config.go)
  toml_keys(toml::parse_file(go_carbon_conf.string()), "", rendered);
  std::vector<std::string> unknown;
  for (const auto& key : rendered)
    if (!known.count(key)) unknown.push_back(key);
  CHECK(unknown == std::vector<std::string>{});
}

/// Grafana, run as dkm runs it (`argv`, its output in `log_dir`) on port `port`, is
/// healthy, the generated admin password of `grafana_ini` works, and the provisioned
/// datasource points at carbonapi.
void check_grafana(const std::vector<std::string>& argv, const fs::path& grafana_ini, int port, const fs::path& log_dir,
                   const std::function<std::string()>& logs) {
  BackgroundProcess grafana_daemon(argv, {log_dir / "grafana.log"});
  int status = 0;
  bool healthy = wait_until([&] { return http_get(port, "/api/health", &status).find("\"database\"") != std::string::npos; },
                            std::chrono::seconds(120), std::chrono::milliseconds(500));
  INFO(logs());
  REQUIRE(healthy);
  CHECK(status == 200);
  // The generated admin password works; the provisioned datasource points at carbonapi.
  std::string password;
  for (const auto& line : split(read_file(grafana_ini), '\n'))
    if (line.rfind("admin_password = ", 0) == 0) password = line.substr(17);
  std::string ds = http_get(port, "/api/datasources/uid/dkumonitor-graphite", &status, base64("admin:" + password));
  INFO("datasource: " << ds);
  CHECK(status == 200);
  CHECK_THAT(ds, Catch::Contains("127.0.0.1:" + std::to_string(port + 2)));
  http_get(port, "/api/datasources/uid/dkumonitor-graphite", &status, base64("admin:admin"));
  CHECK(status == 401);
  CHECK(listening_ports(grafana_daemon.pid()).count("tcp:" + std::to_string(port)));
}

}  // namespace

TEST_CASE("the real go-carbon and carbonapi accept the rendered configs and serve on the planned ports",
          "[installer][real]") {
  fs::path real = require_env_or_skip(
      "DKM_REAL_BUNDLE", "set it to a bundle directory whose bin/ has the real go-carbon and carbonapi (Go 1.24 builds)");
  for (const char* bin : {"bin/go-carbon", "bin/carbonapi"}) {
    INFO(real / bin);
    REQUIRE(::access((real / bin).c_str(), X_OK) == 0);
  }
  TempDir tmp{"dkm-real-"};
  TestBundle bundle = make_test_bundle(tmp.path() / "dkumonitor-real");
  bool grafana = take_real_components(bundle, real).grafana;
  dkm::InstallLayout L(tmp.path() / "inst");
  int P = free_port_block();
  RunResult inst = run_installer(bundle, {"-d", L.root().string(), "-p", std::to_string(P), "-t", grafana ? "server" : "backend"});
  INFO(inst.output);
  REQUIRE(inst.ok());
  std::vector<std::string> go_carbon = service_argv(L, "go-carbon");
  std::vector<std::string> carbonapi = service_argv(L, "carbonapi");

  check_configs_by_the_programs(go_carbon, carbonapi, L.conf() / "go-carbon.conf");

  // Both daemons, run as dkm runs them.
  BackgroundProcess carbon_daemon(go_carbon, {tmp.path() / "go-carbon.log"});
  BackgroundProcess api_daemon(carbonapi, {tmp.path() / "carbonapi.log"});
  auto logs = [&] {
    std::string out;
    for (const char* name : {"go-carbon.log", "carbonapi.log", "grafana.log"})
      if (fs::exists(tmp.path() / name)) out += std::string(name) + ":\n" + last_lines(read_file(tmp.path() / name), 30) + "\n";
    return out;
  };
  bool up = wait_until([&] { return port_taken(P + 1) && port_taken(P + 3) && port_taken(P + 2); },
                       std::chrono::seconds(20));
  INFO(logs());
  REQUIRE(up);
  CHECK(listening_ports(carbon_daemon.pid()) ==
        std::set<std::string>{"tcp:" + std::to_string(P + 1), "udp:" + std::to_string(P + 1), "tcp:" + std::to_string(P + 3)});
  CHECK(listening_ports(api_daemon.pid()) == std::set<std::string>{"tcp:" + std::to_string(P + 2)});

  long now = static_cast<long>(std::time(nullptr));
  send_plaintext(P + 1, {"dataiku.dss.inst1.backend.server.jvm.memory.heap.used 4242 " + std::to_string(now)});
  send_udp(P + 1, "dataiku.dss.inst1.udp.probe 77 " + std::to_string(now));
  auto render = [&](const std::string& target) {
    return http_get(P + 2, "/render?format=json&from=-10min&target=" + target);
  };
  std::string body;
  bool read_back = wait_until(
      [&] { return (body = render("dataiku.dss.inst1.backend.server.jvm.memory.heap.used")).find("[4242,") != std::string::npos; },
      std::chrono::seconds(30), std::chrono::milliseconds(500));
  bool udp_read_back = wait_until([&] { return render("dataiku.dss.inst1.udp.probe").find("[77,") != std::string::npos; },
                                  std::chrono::seconds(30), std::chrono::milliseconds(500));
  {
    INFO("render: " << body << "\n" << logs());
    CHECK(read_back);
    CHECK(udp_read_back);
  }
  // The whisper file went where the config says, with the planned retention.
  CHECK(wait_until([&] { return fs::exists(L.storage() / "whisper/dataiku/dss/inst1/backend/server/jvm/memory/heap/used.wsp"); },
                   std::chrono::seconds(20), std::chrono::milliseconds(200)));

  if (grafana) check_grafana(service_argv(L, "grafana"), L.conf() / "grafana.ini", P, tmp.path(), logs);
  // SIGTERM (dkm's stopsignal) ends both: an exit, or the signal's default action.
  for (BackgroundProcess* daemon : {&carbon_daemon, &api_daemon}) {
    int status = daemon->stop(SIGTERM);
    CHECK(((WIFEXITED(status) && WEXITSTATUS(status) == 0) || (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)));
  }
}
