// dkmadmin on this SysV host without --root: the script goes to /etc/init.d and is
// enabled with the real update-rc.d. The test runs in a private mount namespace
// (unshare) with empty tmpfs over /etc/init.d, /etc/rc?.d and /var/lib, so this
// machine's own boot configuration is never touched.
#include <catch2/catch.hpp>

#include "dkmadmin_support.hpp"

using namespace dkm;
using namespace dkm::test;

TEST_CASE("install-boot on a SysV host enables with update-rc.d, and uninstall-boot takes it all back",
          "[dkmadmin][sysv]") {
  REQUIRE(::geteuid() == 0);
  REQUIRE_FALSE(fs::exists("/run/systemd/system"));  // detection must pick SysV init here
  bool has_update_rc_d = fs::exists("/usr/sbin/update-rc.d");  // Debian's init-system-helpers
  REQUIRE(has_update_rc_d);
  TempDir dir;
  auto inst = make_install(dir.path() / "inst");
  std::string admin = shell_quote(tool("dkmadmin").string()) + " -d " + shell_quote(inst.root().string());
  std::string script = R"(set -u
for d in /etc/init.d /etc/rc0.d /etc/rc1.d /etc/rc2.d /etc/rc3.d /etc/rc4.d /etc/rc5.d /etc/rc6.d /etc/rcS.d /var/lib; do
  mount -t tmpfs dkmtest "$d" || exit 90
done
listing() { find /etc/init.d /etc/rc?.d /var/lib -mindepth 1 | sort; }
echo "== before"; listing; echo "== before end"
)" + admin + R"( install-boot --name host; echo "install=$?"
echo "== installed"; listing
head -n 3 /etc/init.d/dkumonitor.host
)" + admin + R"( status-boot; echo "status=$?"
)" + admin + R"( uninstall-boot --name host; echo "uninstall=$?"
echo "== after"; listing
echo "== end"
)";
  auto result = run({"unshare", "--mount", "--propagation", "private", "sh", "-c", script});
  INFO(result.output);
  REQUIRE(result.ok());
  const std::string& out = result.output;
  CHECK_THAT(out, Catch::Contains("dkmadmin: ran update-rc.d dkumonitor.host defaults\n"));
  CHECK_THAT(out, Catch::Contains("install=0\n") && Catch::Contains("status=0\n") && Catch::Contains("uninstall=0\n"));
  std::string installed = out.substr(out.find("== installed"), out.find("#!/bin/sh") - out.find("== installed"));
  CHECK_THAT(installed, Catch::Contains("/etc/init.d/dkumonitor.host\n"));
  CHECK_THAT(installed, Catch::Matches("[\\s\\S]*/etc/rc2\\.d/S[0-9][0-9]dkumonitor\\.host\n[\\s\\S]*"));
  CHECK_THAT(installed, Catch::Matches("[\\s\\S]*/etc/rc0\\.d/K[0-9][0-9]dkumonitor\\.host\n[\\s\\S]*"));
  CHECK_THAT(installed, Catch::Contains("/var/lib/dkumonitor/boot/dkumonitor.host.json\n"));
  CHECK_THAT(out, Catch::Contains("# Provides:          dkumonitor.host\n"));
  CHECK_THAT(out, Catch::Contains("enabled: yes (update-rc.d)"));
  CHECK_THAT(out, Catch::Contains("dkmadmin: ran update-rc.d -f dkumonitor.host remove\n"));
  // Before and after are both empty: every link, file, record and directory is gone.
  CHECK_THAT(out, Catch::Contains("== before\n== before end\n") && Catch::Contains("== after\n== end"));
  CHECK_FALSE(fs::exists("/etc/init.d/dkumonitor.host"));
}
