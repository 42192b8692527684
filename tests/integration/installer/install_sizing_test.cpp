// Configs sized to the host: the installer writes the values install/sizing derives for
// this machine (its cores and memory, read as the installer reads them) and the expected
// hosts, each under the comment that says why; the summary prints the disk those hosts'
// whisper files take, from the rendered storage-schemas.conf; bad --expected-hosts values
// are refused with nothing written; an update leaves the sized conf/ as it was. The rules
// themselves are unit-tested with fake machines (tests/unit/install/sizing_test.cpp).
#include <catch2/catch.hpp>

#include <dkm/install/collectd_metric_set.hpp>
#include <dkm/install/machine.hpp>
#include <dkm/install/sizing.hpp>

#include <toml++/toml.h>
#include <yaml-cpp/yaml.h>

#include "installer_fixture.hpp"

using namespace dkm;
using namespace dkm::test;
using namespace dkm::install;

namespace {

/// The sizing the installer should have written for this machine and `hosts`.
Sizing expected_sizing(int hosts, bool given) {
  SizingInput in;
  in.machine = read_machine();
  in.expected_hosts = hosts;
  in.hosts_given = given;
  in.metrics_per_host = collectd_metric_count(reference_host());
  in.interval = 60;
  return size_install(in);
}

/// The comment lines right above the first line that starts with `key` (after indentation).
std::string comment_above(const std::string& text, const std::string& key) {
  std::vector<std::string> lines = split(text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    if (trim(lines[i]).rfind(key, 0) != 0) continue;
    std::string above;
    for (size_t j = i; j > 0 && trim(lines[j - 1]).rfind("#", 0) == 0; --j) above = lines[j - 1] + "\n" + above;
    return above;
  }
  return "(no line starts with " + key + ")";
}

/// Checks that `key`'s line in `text` is preceded by the sizing's comment for `setting`.
void check_commented(const std::string& text, const std::string& key, const Sizing& sizing, const std::string& setting) {
  INFO(key << " (" << setting << ")");
  const SizedSetting& s = sizing.at(setting);
  CHECK_THAT(comment_above(text, key), Catch::Contains(comment_lines(s.why, s.indent)));
}

/// A test bundle and an install made with it.
struct Installed {
  TempDir tmp{"dkm-sizing-"};
  TestBundle bundle = make_test_bundle(tmp.path() / "dkumonitor-1.0.0");
  dkm::InstallLayout L{tmp.path() / "inst"};
  RunResult r;

  /// Installs into L with these flags after -d and -p.
  explicit Installed(const std::vector<std::string>& flags) {
    std::vector<std::string> args{"-d", L.root().string(), "-p", "27600"};
    args.insert(args.end(), flags.begin(), flags.end());
    r = run_installer(bundle, args);
  }
};

}  // namespace

TEST_CASE("the rendered configs carry the values sized for this machine and the expected hosts", "[installer][sizing]") {
  Installed in({"-t", "backend", "--expected-hosts", "1000"});
  const dkm::InstallLayout& L = in.L;
  const RunResult& r = in.r;
  INFO(r.output);
  REQUIRE(r.ok());
  Sizing sized = expected_sizing(1000, true);
  Machine machine = read_machine();

  std::string gc_text = read_file(L.conf() / "go-carbon.conf");
  toml::table gc = toml::parse(gc_text);
  CHECK(gc["common"]["max-cpu"].value_or(0) == static_cast<int>(machine.cores));
  CHECK(gc["whisper"]["workers"].value_or(0) == static_cast<int>(std::clamp(machine.cores, 2u, 16u)));
  // 1,000 hosts x 118 metrics: 118,000 points an interval, 3,540,000 in 30 minutes.
  CHECK(gc["carbonserver"]["realtime-index"].value_or(0) == 118000);
  CHECK(gc["tcp"]["buffer-size"].value_or(0) == 118000);
  CHECK(gc["udp"]["buffer-size"].value_or(0) == 118000);
  CHECK(gc["carbonserver"]["max-globs"].value_or(0) == 10000);
  if (machine.memory_bytes / 8 / kCachedPointBytes >= 3'540'000)
    CHECK(gc["cache"]["max-size"].value_or(0) == 3540000);
  for (const auto& [section, key, setting] : std::vector<std::tuple<const char*, const char*, const char*>>{
           {"common", "max-cpu", "max_cpu"}, {"whisper", "workers", "workers"}, {"cache", "max-size", "cache_max_size"},
           {"udp", "buffer-size", "input_buffer"}, {"carbonserver", "realtime-index", "realtime_index"},
           {"carbonserver", "max-globs", "max_globs"}}) {
    INFO(section << "." << key);
    CHECK(std::to_string(gc[section][key].value_or(-1)) == sized.at(setting).value);
    check_commented(gc_text, key, sized, setting);
  }
  CHECK_THAT(gc_text, Catch::Contains("# Sized by the installer for " + describe_machine(machine) + " and 1,000 hosts "
                                      "(--expected-hosts) of 118 metrics every 60 s"));

  std::string api_text = read_file(L.conf() / "carbonapi.yaml");
  YAML::Node api = YAML::Load(api_text);
  CHECK(api["cpus"].as<unsigned>() == machine.cores);
  CHECK(api["upstreams"]["concurrencyLimitPerServer"].as<std::string>() == sized.at("api_per_server").value);
  CHECK(api["upstreams"]["maxIdleConnsPerHost"].as<std::string>() == sized.at("api_per_server").value);
  check_commented(api_text, "cpus:", sized, "api_cpus");
  check_commented(api_text, "concurrencyLimitPerServer:", sized, "api_per_server");
  // The response cache stays off (its comment says why), its limit sized for when it is turned on.
  CHECK(api["cache"]["type"].as<std::string>() == "null");
  CHECK(api["cache"]["size_mb"].as<std::string>() == sized.at("api_cache_mb").value);
  check_commented(api_text, "size_mb:", sized, "api_cache_mb");
  CHECK_THAT(comment_above(api_text, "cache:"), Catch::Contains("variant api-cache"));
  // Patterns go to go-carbon whole, as measured faster.
  CHECK(api["maxBatchSize"].as<int>() == 0);
  CHECK_THAT(comment_above(api_text, "maxBatchSize:"), Catch::Contains("api-batch0"));
  for (const char* key : {"sparse-create", "write-strategy", "max-creates-per-second"}) {
    INFO(key);
    CHECK_THAT(comment_above(gc_text, key), Catch::Contains("variant"));
  }

  // The summary: what it was sized for, and the disk of 1,000 hosts' whisper files, from
  // the rendered schema (60s:7d,5m:30d,1h:1y: 329,812 bytes a file, 118 files a host).
  CHECK_THAT(r.output, Catch::Contains("sized        for " + describe_machine(machine) + " and 1,000 hosts"));
  CHECK_THAT(r.output, Catch::Contains("disk         38.9 GB for 1,000 hosts in " + (L.storage() / "whisper").string() +
                                       ": 118 whisper files a host of 329,812 bytes (60s:7d,5m:30d,1h:1y) = 38.9 MB a host"));
}

TEST_CASE("without --expected-hosts the install is sized for 100 hosts, and says so", "[installer][sizing]") {
  Installed in({"-t", "all", "--hostname", "a.example"});
  const dkm::InstallLayout& L = in.L;
  const RunResult& r = in.r;
  INFO(r.output);
  REQUIRE(r.ok());
  CHECK_THAT(r.output, Catch::Contains("100 hosts (the default; --expected-hosts N)"));
  CHECK_THAT(r.output, Catch::Contains("disk         3.9 GB for 100 hosts"));
  toml::table gc = toml::parse_file((L.conf() / "go-carbon.conf").string());
  CHECK(gc["carbonserver"]["realtime-index"].value_or(0) == 11800);
  CHECK(std::to_string(gc["cache"]["max-size"].value_or(0)) == expected_sizing(100, false).at("cache_max_size").value);
  // A schema edited before the install is what the figure follows: a 30 s first archive.
  write_file_atomic(in.bundle.root / "templates/go-carbon/storage-schemas.conf",
                    "[all]\npattern = .*\nretentions = 30s:7d,5m:30d,1h:1y\n");
  dkm::InstallLayout L2(in.tmp.path() / "inst2");
  RunResult r2 = run_installer(in.bundle, {"-d", L2.root().string(), "-p", "27700", "-t", "backend", "--expected-hosts", "10"});
  INFO(r2.output);
  REQUIRE(r2.ok());
  // 16 + 3 x 12 + 12 x (20,160 + 8,640 + 8,760) = 450,772 bytes a file.
  CHECK_THAT(r2.output, Catch::Contains("118 whisper files a host of 450,772 bytes (30s:7d,5m:30d,1h:1y)"));
}

TEST_CASE("bad input: --expected-hosts", "[installer][bad-input][sizing]") {
  BadInputSetup s;
  for (const char* bad : {"0", "-5", "abc", "12x", "1000001", "", "1e3", "99999999999"})
    expect_refused(s, {"-d", s.dir.string(), "-p", "27600", "-t", "backend", "--expected-hosts", bad},
                   {"--expected-hosts", "'" + std::string(bad) + "'", "1 to 1000000"});
  // A type without go-carbon has nothing to size.
  expect_refused(s, {"-d", s.dir.string(), "-p", "27600", "-t", "agent", "--expected-hosts", "10"},
                 {"--expected-hosts", "runs no go-carbon"});
  // An update never touches conf/.
  REQUIRE(run_installer(s.bundle, {"-d", s.dir.string(), "-p", "27600", "-t", "backend"}).ok());
  expect_refused(s, {"-u", "-d", s.dir.string(), "--expected-hosts", "10"}, {"--expected-hosts", "update"});
}

TEST_CASE("an update leaves the sized configs as they were", "[installer][sizing][update]") {
  TempDir tmp{"dkm-sizing-"};
  TestBundle bundle = make_test_bundle(tmp.path() / "dkumonitor-1.0.0");
  TestBundle next = make_test_bundle(tmp.path() / "dkumonitor-1.0.1", "1.0.1");
  dkm::InstallLayout L(tmp.path() / "inst");
  REQUIRE(run_installer(bundle, {"-d", L.root().string(), "-p", "27600", "-t", "backend", "--expected-hosts", "500"}).ok());
  std::string conf_before = tree_digest(L.conf());
  RunResult u = run_installer(next, {"-u", "-d", L.root().string()});
  INFO(u.output);
  REQUIRE(u.ok());
  CHECK(tree_digest(L.conf()) == conf_before);
  CHECK_THAT(read_file(L.conf() / "go-carbon.conf"), Catch::Contains("500 hosts (--expected-hosts)"));
}
