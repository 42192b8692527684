// Issue 16: `dkmadmin install-boot` on a migrated install replaces the boot service the
// original's dkmadmin wrote under the same name (its systemd unit in /usr/lib/systemd/system,
// enabled; or its /etc/init.d script), and `status-boot` tells an original one apart.
// Written into an image (--root), as the dkmadmin tests do: no systemctl runs.
#include "migrate_fixture.hpp"

#include <catch2/catch.hpp>

using namespace dkm;
using namespace dkm::test;

namespace {

RunResult dkmadmin(const std::vector<std::string>& args) {
  std::vector<std::string> argv{tool("dkmadmin").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv);
}

/// Every path under `root` with its link target or content.
std::map<std::string, std::string> image(const fs::path& root) { return tree_contents(root); }

}  // namespace

TEST_CASE("install-boot replaces the original's systemd unit of a migrated install, and status-boot tells it apart",
          "[migrate][boot]") {
  OriginalWorld w{original_spec("0.0.4", "agent"), false};
  fs::path root = w.tmp.path() / "image";
  fs::create_directories(root / "usr/lib/systemd/system");
  fs::create_directories(root / "etc/systemd/system/multi-user.target.wants");
  write_file_atomic(root / "usr/lib/systemd/system/dkumonitor.service", original_systemd_unit(w.dir, "daemon"));
  fs::create_symlink("/usr/lib/systemd/system/dkumonitor.service",
                     root / "etc/systemd/system/multi-user.target.wants/dkumonitor.service");
  REQUIRE(w.migrate().ok());

  std::vector<std::string> common{"-d", w.dir.string(), "--root", root.string()};
  std::vector<std::string> status_args{"status-boot"};
  status_args.insert(status_args.end(), common.begin(), common.end());
  RunResult status = dkmadmin(status_args);
  INFO(status.output);
  CHECK(status.exit_code == 1);
  CHECK_THAT(status.output, Catch::Contains("dkumonitor: the original dkumonitor's systemd unit") &&
                                Catch::Contains("/usr/lib/systemd/system/dkumonitor.service") &&
                                Catch::Contains("install-boot"));

  std::vector<std::string> install_args{"install-boot", "--init", "systemd", "--user", "daemon"};
  install_args.insert(install_args.end(), common.begin(), common.end());
  RunResult installed = dkmadmin(install_args);
  INFO(installed.output);
  REQUIRE(installed.ok());
  CHECK_THAT(installed.output, Catch::Contains("replaced the original dkumonitor's dkumonitor"));
  auto after = image(root);
  CHECK_FALSE(after.count("usr/lib/systemd/system/dkumonitor.service"));
  for (const auto& [path, _] : after) CHECK_THAT(path, !Catch::Contains("dkm-replaced"));
  REQUIRE(after.count("etc/systemd/system/dkumonitor.service"));
  CHECK_THAT(after["etc/systemd/system/dkumonitor.service"], Catch::Contains("# dkumonitor-home: " + w.dir.string()));
  CHECK_THAT(after["etc/systemd/system/multi-user.target.wants/dkumonitor.service"],
             Catch::EndsWith("-> /etc/systemd/system/dkumonitor.service"));
  status = dkmadmin(status_args);
  INFO(status.output);
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.output, !Catch::Contains("original"));
}

TEST_CASE("install-boot replaces the original's init script of the same name, refuses to add a second name",
          "[migrate][boot]") {
  OriginalWorld w{original_spec("0.0.4", "agent"), false};
  fs::path root = w.tmp.path() / "image";
  fs::create_directories(root / "etc/init.d");
  write_file_atomic(root / "etc/init.d/dkumonitor.second", original_init_script(w.dir, "daemon"), 0755);
  REQUIRE(w.migrate().ok());
  std::vector<std::string> args{"install-boot", "--init", "sysv", "--user", "daemon", "-d", w.dir.string(),
                                "--root", root.string()};

  // Without --name, a second service would start the install too.
  auto before = image(root);
  RunResult refused = dkmadmin(args);
  INFO(refused.output);
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.output, Catch::Contains("dkumonitor.second") && Catch::Contains("--name second"));
  CHECK(image(root) == before);

  args.insert(args.end(), {"--name", "second"});
  RunResult installed = dkmadmin(args);
  INFO(installed.output);
  REQUIRE(installed.ok());
  std::string script = image(root)["etc/init.d/dkumonitor.second"];
  CHECK_THAT(script, Catch::Contains("# dkumonitor-home: " + w.dir.string()));
  CHECK_THAT(script, !Catch::Contains("DKU_MONITOR_HOME"));
}
