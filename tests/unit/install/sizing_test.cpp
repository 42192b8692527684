// install/sizing: go-carbon, carbonserver and carbonapi sized for fake machines and host counts.
#include <catch2/catch.hpp>

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/install/sizing.hpp>

using namespace dkm;
using namespace dkm::install;

namespace {

constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;

SizingInput input(unsigned cores, std::uint64_t memory, int hosts = kDefaultExpectedHosts, bool given = false) {
  SizingInput in;
  in.machine = {cores, memory};
  in.expected_hosts = hosts;
  in.hosts_given = given;
  in.metrics_per_host = 117;
  in.interval = 60;
  return in;
}

std::string value(const SizingInput& in, const char* name) { return size_install(in).at(name).value; }

}  // namespace

TEST_CASE("go-carbon uses every core, with a whisper writer per core from 2 to 16", "[sizing]") {
  for (auto [cores, workers] : std::vector<std::pair<unsigned, const char*>>{{1, "2"}, {2, "2"}, {8, "8"}, {64, "16"}}) {
    INFO(cores << " cores");
    CHECK(value(input(cores, 16 * kGiB), "max_cpu") == std::to_string(cores));
    CHECK(value(input(cores, 16 * kGiB), "workers") == workers);
    CHECK(value(input(cores, 16 * kGiB), "api_cpus") == std::to_string(cores));
  }
}

TEST_CASE("the cache holds 30 minutes of the expected hosts' points, within go-carbon's default and the memory",
          "[sizing]") {
  // 100 hosts x 117 metrics x 30 points: 351,000, under go-carbon's default.
  SizedSetting small = size_install(input(2, 8 * kGiB)).at("cache_max_size");
  CHECK(small.value == "1000000");
  CHECK_THAT(small.why, Catch::Contains("351,000 points") && Catch::Contains("Raised to go-carbon's default"));
  CHECK(value(input(2, 8 * kGiB, 1000, true), "cache_max_size") == "3510000");
  // 10,000 hosts want 35,100,000 points; an eighth of 8 GiB at 64 bytes a point holds 16,777,216.
  SizedSetting capped = size_install(input(2, 8 * kGiB, 10000, true)).at("cache_max_size");
  CHECK(capped.value == "16777216");
  CHECK_THAT(capped.why, Catch::Contains("Lowered to what an eighth of the memory holds") && Catch::Contains("1024 MiB"));
  // A small machine: memory wins over go-carbon's default.
  CHECK(value(input(1, kGiB / 4), "cache_max_size") == "524288");
}

TEST_CASE("carbonserver's queues and glob limit follow the expected hosts", "[sizing]") {
  CHECK(value(input(2, 8 * kGiB), "realtime_index") == "11700");       // 100 x 117
  CHECK(value(input(2, 8 * kGiB, 50, true), "realtime_index") == "10000");
  CHECK(value(input(2, 8 * kGiB, 1000, true), "realtime_index") == "117000");
  CHECK(value(input(2, 8 * kGiB, 1000, true), "input_buffer") == "117000");
  CHECK(value(input(2, 8 * kGiB), "max_globs") == "10000");
  CHECK(value(input(2, 8 * kGiB, 5000, true), "max_globs") == "20000");
}

TEST_CASE("caches take a share of the memory, within bounds", "[sizing]") {
  CHECK(value(input(2, 24 * kGiB), "api_cache_mb") == "768");
  CHECK(value(input(2, 256 * kGiB), "api_cache_mb") == "1024");
}

TEST_CASE("carbonapi's requests to one backend: 4 per core, at least 8", "[sizing]") {
  CHECK(value(input(1, 8 * kGiB), "api_per_server") == "8");
  CHECK(value(input(2, 8 * kGiB), "api_per_server") == "8");
  CHECK(value(input(3, 8 * kGiB), "api_per_server") == "12");
  CHECK(value(input(16, 8 * kGiB), "api_per_server") == "64");
}

TEST_CASE("every sized value comes with its reason as comment lines", "[sizing]") {
  Sizing s = size_install(input(2, 8 * kGiB));
  nlohmann::json v = sizing_template_values(s);
  CHECK_THAT(v["header"].get<std::string>(),
             Catch::StartsWith("# Sized by the installer for 2 cores, 8.0 GiB and 100 hosts (the default; "
                               "--expected-hosts N) of 117 metrics every 60 s"));
  for (const auto& setting : s.settings) {
    INFO(setting.name);
    CHECK(v[setting.name] == setting.value);
    std::string why = v[setting.name + "_why"];
    for (const auto& line : split(why, '\n')) {
      CHECK_THAT(line, Catch::StartsWith(std::string(static_cast<size_t>(setting.indent), ' ') + "# "));
      CHECK(line.size() <= 92);
    }
  }
  CHECK_THROWS_AS(s.at("no_such_setting"), Error);
  CHECK_THAT(describe_sizing(input(4, 16 * kGiB, 250, true)), Catch::Contains("250 hosts (--expected-hosts)"));
}

TEST_CASE("comment lines wrap at 92 columns and keep every word", "[sizing]") {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "word" + std::to_string(i) + " ";
  std::string lines = comment_lines(text, 2);
  std::string words;
  for (const auto& line : split(lines, '\n')) {
    CHECK(line.size() <= 92);
    REQUIRE(line.rfind("  # ", 0) == 0);
    words += line.substr(4) + " ";
  }
  CHECK(words == text);
  CHECK(comment_lines("short", 0) == "# short");
}

TEST_CASE("the disk the expected hosts take: metrics x whisper file, from the schema", "[sizing]") {
  const char* schemas = "[collectd]\npattern = ^collectd\\.\nretentions = 60s:7d,5m:30d,1h:1y\n";
  DiskNeed d = disk_need(input(2, 8 * kGiB, 1000, true), schemas, "storage-schemas.conf");
  CHECK(d.retentions == "60s:7d,5m:30d,1h:1y");
  CHECK(d.file_bytes == 329812);
  CHECK(d.per_host_bytes() == 117ull * 329812);
  CHECK(d.total_bytes() == 1000ull * 117 * 329812);
  CHECK(disk_size_text(d.total_bytes()) == "38.6 GB");
  CHECK(disk_size_text(d.per_host_bytes()) == "38.6 MB");
  CHECK(disk_size_text(329812) == "329.8 kB");
  CHECK(disk_size_text(9999) == "9,999 bytes");
  // A finer first archive doubles the first archive's points.
  DiskNeed fine = disk_need(input(2, 8 * kGiB, 1, true), "[all]\npattern = .\nretentions = 30s:7d\n", "s");
  CHECK(fine.file_bytes == 16 + 12 + 12 * 20160);
  CHECK(with_separators(1234567) == "1,234,567");
}
