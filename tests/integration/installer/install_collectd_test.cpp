// Debian's real collectd 5.12 accepts the rendered config, with the
// bundle's plugin set (Debian's plugins standing in for the bundle's, same version) and
// with --system-collectd.
//
// `collectd -t` is run as asked, but collectd 5.12's -t does not read the config at all
// (upstream issue collectd#3216, fixed after 5.12.0 by collectd#3793): it exits 0 even
// for a missing file. So the check with teeth is `collectd -T`: it parses the config,
// loads every plugin, fails on any option a plugin rejects, runs one read of every
// plugin and hands the values to write_graphite. A test double (LineRecorder) listens
// on carbon's port PORT+1 and records what arrives (a test double: go-carbon cannot be
// built in CI). A broken config must fail it.
#include <catch2/catch.hpp>

#include <regex.h>

#include <algorithm>
#include <regex>

#include "installer_fixture.hpp"

using namespace dkm;
using namespace dkm::test;

namespace {

/// The collectd command services.ini runs, as argv.
std::vector<std::string> collectd_command(const dkm::InstallLayout& layout) { return service_argv(layout, "collectd"); }

/// The same command with the foreground flag replaced by a mode flag (-t or -T).
std::vector<std::string> with_mode(std::vector<std::string> argv, const std::string& mode) {
  auto f = std::find(argv.begin(), argv.end(), "-f");
  REQUIRE(f != argv.end());
  *f = mode;
  return argv;
}

/// The value of the first received line whose metric name is `name`, or "".
std::string value_of(const std::vector<std::string>& lines, const std::string& name) {
  for (const auto& l : lines) {
    auto words = split(l, ' ');
    if (words.size() == 3 && words[0] == name) return words[1];
  }
  return {};
}

/// Runs `command` as dkm runs it (services.ini's command, in the foreground) and checks
/// the metrics `carbon` receives from it: the first read happens at start; SIGTERM flushes
/// write_graphite's buffer to carbon.
void check_collectd_runs(const std::vector<std::string>& command, CarbonRecorder& carbon, const fs::path& log) {
  // Only its lines count from here (-T's may have lost some in its quick shutdown).
  size_t before = carbon.lines().size();
  BackgroundProcess daemon(command, {log});
  const std::string host = "collectd.com_example_web1.";
  // Its first reads are done when write_graphite's first full buffers have arrived; a
  // moment more for the slower plugins (processes reads /proc), then stop it.
  wait_until([&] { return carbon.lines().size() > before + 20; }, std::chrono::seconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  int status = daemon.stop(SIGTERM);
  INFO("collectd -f:\n" << read_file(log));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_THAT(read_file(log), !Catch::Contains("[error]"));
  const std::vector<std::string> expected{
      "processes.dss_backend.ps_count.processes", "processes.dss_jek.ps_count.processes",
      "processes.dss_fek.ps_count.processes", "load.load.relative.shortterm", "memory.memory.used",
      "memory.percent.used", "uptime.uptime"};
  auto daemon_lines = [&] {
    std::vector<std::string> all = carbon.lines();
    return std::vector<std::string>(all.begin() + static_cast<long>(std::min(before, all.size())), all.end());
  };
  bool complete = wait_until([&] {
    auto lines = daemon_lines();
    return std::all_of(expected.begin(), expected.end(), [&](const auto& m) { return !value_of(lines, host + m).empty(); });
  }, std::chrono::seconds(5));
  std::vector<std::string> lines = daemon_lines();
  INFO(lines.size() << " lines from collectd -f");
  for (const auto& m : expected) CHECK_FALSE(value_of(lines, host + m).empty());
  REQUIRE(complete);
  // Every line is a Graphite plaintext line under the reversed host name.
  std::regex plaintext(R"(collectd\.com_example_web1\.[A-Za-z0-9_.-]+ (-?[0-9.e+-]+|nan) [0-9]+)");
  std::vector<std::string> malformed;
  for (const auto& l : lines)
    if (!std::regex_match(l, plaintext)) malformed.push_back(l);
  CHECK(malformed == std::vector<std::string>{});
  // At least ours (a real DSS, or another test's stand-ins, on this machine would add to it).
  CHECK(std::stoi(value_of(lines, host + "processes.dss_backend.ps_count.processes")) >= 1);
  CHECK(std::stoi(value_of(lines, host + "processes.dss_jek.ps_count.processes")) >= 1);
}

/// Installs an agent, runs its collectd in test mode against a recording carbon, checks.
void check_collectd_accepts(bool system_collectd) {
  TempDir tmp{"dkm-collectd-"};
  TestBundle bundle = make_test_bundle(tmp.path() / "dkumonitor-1.0.0");
  dkm::InstallLayout layout(tmp.path() / "inst");
  int P = free_port_block();
  std::vector<std::string> args{"-d", layout.root().string(), "-p", std::to_string(P), "-t", "agent",
                                "--hostname", "web1.example.com"};
  if (system_collectd) args.push_back("--system-collectd");
  RunOptions path;
  path.env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  RunResult inst = run_installer(bundle, args, path);
  INFO(inst.output);
  REQUIRE(inst.ok());

  std::vector<std::string> command = collectd_command(layout);
  if (system_collectd) {
    CHECK(command[0] == "/usr/sbin/collectd");
    CHECK_THAT(read_file(layout.conf() / "collectd.conf"), !Catch::Contains("PluginDir"));
  } else {
    CHECK(command[0] == (bundle.root / "bin/collectd").string());
    CHECK_THAT(read_file(layout.conf() / "collectd.conf"), Catch::Contains("PluginDir \"" + layout.root().string() + "/lib/collectd\""));
  }

  // DSS-like processes for the processes plugin to find (stand-ins: no DSS or Java here).
  DssProcessStandIn backend("java -Ddku.backend -Xmx1g com.dataiku.dip.DSSBackendMain");
  DssProcessStandIn jek("/usr/lib/jvm/java-17/bin/java -Ddku.jek -Xmx512m");
  CarbonRecorder carbon(P + 1);  // test double for go-carbon's plaintext receiver

  RunResult t = run_process(with_mode(command, "-t"));
  INFO("collectd -t:\n" << t.output);
  CHECK(t.ok());

  RunResult T = run_process(with_mode(command, "-T"));
  INFO("collectd -T:\n" << T.output);
  CHECK(T.ok());
  for (const auto& plugin : bundle_collectd_plugins()) {
    if (plugin == "syslog") continue;  // shipped, not loaded
    CHECK_THAT(T.output, Catch::Contains("plugin \"" + plugin + "\" successfully loaded"));
  }
  CHECK_THAT(T.output, !Catch::Contains("[error]"));

  check_collectd_runs(command, carbon, tmp.path() / "collectd.log");
}

}  // namespace

TEST_CASE("collectd accepts the rendered config with the bundle's plugins", "[installer][collectd]") {
  check_collectd_accepts(false);
}

TEST_CASE("collectd accepts the rendered config with the system's collectd", "[installer][collectd]") {
  check_collectd_accepts(true);
}

TEST_CASE("the DSS process patterns match DSS's command lines and nothing close", "[installer][collectd]") {
  TempDir tmp{"dkm-collectd-"};
  TestBundle bundle = make_test_bundle(tmp.path() / "b");
  dkm::InstallLayout layout(tmp.path() / "inst");
  REQUIRE(run_installer(bundle, {"-d", layout.root().string(), "-p", "27600", "-t", "agent", "--hostname", "a.b"}).ok());
  // The patterns as collectd reads them (quotes and backslash escapes undone), compiled
  // the way its processes plugin compiles them (POSIX extended).
  CollectdItem conf = parse_collectd_config(read_file(layout.conf() / "collectd.d/processes.conf"));
  std::map<std::string, regex_t> re;
  for (const auto* m : conf.all("Plugin")[0]->all("ProcessMatch"))
    REQUIRE(::regcomp(&re[m->values.at(0)], m->values.at(1).c_str(), REG_EXTENDED | REG_NOSUB) == 0);
  REQUIRE(re.size() == 4);
  auto matches = [&](const std::string& name, const std::string& cmdline) {
    return ::regexec(&re.at(name), cmdline.c_str(), 0, nullptr, 0) == 0;
  };
  CHECK(matches("dss_backend", "java -Ddku.backend -Xmx2g com.dataiku.dip.DSSBackendMain"));
  CHECK(matches("dss_backend", "/usr/lib/jvm/java-17/bin/java -Xms1g -Ddku.backend -cp x Main"));
  CHECK(matches("dss_jek", "/opt/jdk/bin/java -Ddku.jek"));
  CHECK(matches("dss_fek", "java -XX:+UseG1GC -Ddku.fek -Dx=y"));
  CHECK(matches("dss_cak", "java -Ddku.cak -cp /data/dss/bin:x Main"));
  CHECK_FALSE(matches("dss_backend", "java -Ddku.backendX"));
  CHECK_FALSE(matches("dss_backend", "java -DdkuXbackend"));
  CHECK_FALSE(matches("dss_backend", "python -Ddku.backend"));
  CHECK_FALSE(matches("dss_fek", "java -Ddku.jek"));
  CHECK_FALSE(matches("dss_jek", "java -Ddku.backend"));
  for (auto& [name, r] : re) ::regfree(&r);
}

TEST_CASE("a rendered config collectd would reject fails the same check", "[installer][collectd]") {
  TempDir tmp{"dkm-collectd-"};
  TestBundle bundle = make_test_bundle(tmp.path() / "b");
  dkm::InstallLayout layout(tmp.path() / "inst");
  RunResult inst = run_installer(bundle, {"-d", layout.root().string(), "-p", "27600", "-t", "agent", "--hostname", "a.b"});
  REQUIRE(inst.ok());
  std::vector<std::string> command = collectd_command(layout);
  REQUIRE(run_process(with_mode(command, "-T")).ok());
  // One option the cpu plugin does not know: the config is refused.
  fs::path cpu = layout.conf() / "collectd.d/cpu.conf";
  std::string text = read_file(cpu);
  text.insert(text.find("</Plugin>"), "  ReportByCore true\n");
  write_file_atomic(cpu, text);
  RunResult T = run_process(with_mode(command, "-T"));
  INFO(T.output);
  CHECK_FALSE(T.ok());
  CHECK_THAT(T.output, Catch::Contains("ReportByCore"));
}
