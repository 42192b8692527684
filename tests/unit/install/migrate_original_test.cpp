// install/migrate_original: reading an original dkumonitor install from texts handed in
// through a fake OriginalFiles (no disk). Its INI files' syntax is migrate_ini_test.cpp's.
#include <catch2/catch.hpp>

#include <dkm/install/migrate_original.hpp>

#include "fake_original_install.hpp"

using namespace dkm;
using namespace dkm::install;
using namespace dkm::test;

TEST_CASE("listen addresses and versions, as the original's files write them", "[migrate]") {
  CHECK(parse_listen_address("0.0.0.0:27601", "f").ip == "0.0.0.0");
  CHECK(parse_listen_address(":27601", "f").ip == "0.0.0.0");
  CHECK(parse_listen_address("localhost:7007", "f").ip == "127.0.0.1");
  CHECK(parse_listen_address("[::1]:27603", "f").ip == "::1");
  CHECK(parse_listen_address("10.0.0.5:27603", "f").port == 27603);
  REQUIRE_THROWS_WITH(parse_listen_address("10.0.0.5", "go-carbon.conf [tcp] listen"),
                      Catch::Contains("go-carbon.conf [tcp] listen") && Catch::Contains("IP:PORT"));
  REQUIRE_THROWS_WITH(parse_listen_address("mon.example.com:1", "f"), Catch::Contains("not an IP address"));
  CHECK(original_version_of("/opt/dkumonitor-0.0.4") == "0.0.4");
  CHECK(original_version_of("/opt/dkumonitor-0.0.3/") == "0.0.3");
  CHECK(original_version_of("/opt/monitoring") == "unknown");
}

TEST_CASE("an original install is read from its files", "[migrate]") {
  FakeOriginal fake = fake_original("all");
  OriginalInstall o = read_original_install(fake, "/srv/dkm");
  CHECK(o.version == "0.0.4");
  CHECK(o.old_bundle == "/opt/dkumonitor-0.0.4");
  CHECK(o.programs == std::set<std::string>{"go-carbon", "carbonapi", "grafana-server", "collectd"});
  CHECK(o.grafana_port == 27600);
  CHECK(o.grafana_data_dir == "/srv/dkm/storage");
  CHECK(o.grafana_plugins_dir == "/srv/dkm/storage/plugins");
  CHECK(o.carbon_tcp->ip == "0.0.0.0");
  CHECK(o.carbon_tcp->port == 27601);
  CHECK(o.carbonserver->port == 27603);
  CHECK(o.whisper_dir == "/srv/dkm/storage/whisper");
  CHECK(o.carbonapi->port == 27602);
  CHECK(o.carbonapi_backends == std::vector<std::string>{"http://127.0.0.1:27603"});
  CHECK(o.collectd_hostname == "domain.example.host");
  CHECK(o.collectd_interval == 300);
  CHECK(o.collectd_target_host == "127.0.0.1");
  CHECK(o.collectd_target_port == 27601);
  CHECK(o.storage_schemas);
  CHECK(o.has_pyenv);
  CHECK(o.links == std::vector<std::string>{"bin/dkm", "bin/dkumonitor", "bin/dkmadmin", "static", "lib"});
  CHECK(std::find(o.conf_files.begin(), o.conf_files.end(), "collectd.d/cpu.conf") != o.conf_files.end());
}

TEST_CASE("reading errors name the file and the line", "[migrate]") {
  FakeOriginal fake = fake_original("all");
  fake.files.erase("conf/go-carbon.conf");
  REQUIRE_THROWS_WITH(read_original_install(fake, "/srv/dkm"),
                      Catch::Contains("/srv/dkm/conf/go-carbon.conf is missing"));
  fake = fake_original("all");
  fake.files["conf/go-carbon.conf"] = "[tcp]\nlisten = 0.0.0.0:1\n";
  REQUIRE_THROWS_WITH(read_original_install(fake, "/srv/dkm"), Catch::Contains("/srv/dkm/conf/go-carbon.conf:2:"));
  fake = fake_original("all");
  fake.files["conf/collectd.conf"] += "<Plugin x>\n";
  REQUIRE_THROWS_WITH(read_original_install(fake, "/srv/dkm"), Catch::Contains("collectd.conf:") && Catch::Contains("never closed"));
  fake = fake_original("all");
  fake.files["conf/collectd.conf"] = "Interval five\n";
  REQUIRE_THROWS_WITH(read_original_install(fake, "/srv/dkm"), Catch::Contains("collectd.conf:1: Interval"));
}
