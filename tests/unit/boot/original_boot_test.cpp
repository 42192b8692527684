// boot/original_boot: the original dkumonitor's boot services, told by their text.
#include <catch2/catch.hpp>

#include <dkm/boot/original_boot.hpp>
#include <dkm/core/strings.hpp>

#include "test_support.hpp"

using namespace dkm;
using namespace dkm::boot;
using dkm::test::replace_every;

TEST_CASE("the original's boot files are told by their text", "[original_boot]") {
  std::string unit = "[Unit]\nDescription=Dku monitor process control\n[Service]\nType=forking\nUser=dss\n"
                     "ExecStart=/srv/dkm/bin/dkm start\nExecStop=/srv/dkm/bin/dkm stop\n";
  auto s = parse_original_boot_file(unit, InitSystem::systemd, "/usr/lib/systemd/system/dkumonitor.service", "dkumonitor");
  REQUIRE(s);
  CHECK(s->home == "/srv/dkm");
  CHECK(s->user == "dss");
  CHECK_FALSE(parse_original_boot_file(replace_every(unit, "Dku monitor", "Other"), InitSystem::systemd, "f", "dkumonitor"));
  std::string script = "#! /bin/sh\nDKU_MONITOR_HOME=/srv/dkm\nDKU_MONITOR_USER=dss\nstart() {\n"
                       "  su - \"$DKU_MONITOR_USER\" -c \"$DKU_MONITOR_HOME/bin/dkm start\"\n}\n";
  auto v = parse_original_boot_file(script, InitSystem::sysv, "/etc/init.d/dkumonitor.b", "dkumonitor.b");
  REQUIRE(v);
  CHECK(v->home == "/srv/dkm");
  CHECK(v->service == "dkumonitor.b");
  CHECK_THROWS_WITH(OriginalBootTakeover({*v}, "dkumonitor", false), Catch::Contains("--name b"));
  CHECK_NOTHROW(OriginalBootTakeover({*v}, "dkumonitor.b", false));
}
