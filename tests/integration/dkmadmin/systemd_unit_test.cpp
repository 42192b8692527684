// dkmadmin install-boot for systemd: the unit it writes passes Debian's
// `systemd-analyze verify`, for the default instance and a named one.
//
// How verify is run here (no systemd as PID 1, and offline):
// - the unit is written with --root ROOT --init systemd, and verify is given the
//   file's path, not --root=ROOT: with --root, verify looks for systemd's own units
//   (sysinit.target, ...) inside ROOT and fails on an empty root;
// - verify checks that ExecStart='s program exists at its path, so the install
//   directory is a real directory (outside ROOT) holding an executable bin/dkm;
// - verify exits 0 even on "Unknown key" or "Failed to parse" warnings, so the test
//   also requires that it printed nothing;
// - `systemd-analyze security --offline=yes` scores the sandbox from the file alone.
#include <catch2/catch.hpp>

#include "dkmadmin_support.hpp"

using namespace dkm;
using namespace dkm::test;

namespace {

/// Runs systemd-analyze verify on one unit file; returns its result.
RunResult verify_unit(const fs::path& unit) {
  RunOptions options;
  options.env["SYSTEMD_LOG_COLOR"] = "0";
  return run({"systemd-analyze", "verify", unit.string()}, options);
}

}  // namespace

TEST_CASE("the systemd unit of the default and of a named instance passes systemd-analyze verify",
          "[dkmadmin][systemd]") {
  TempDir dir;
  open_up(dir.path());
  // (The installer allows no blank or '%' in DIR; the unit's quoting of them is unit-tested.)
  auto layout = make_install(dir.path() / "mon-itor_1");
  fs::path root = dir.path() / "root";
  fs::create_directories(root);

  for (std::string name : {"", "b-2"}) {
    std::vector<std::string> args{"-d", layout.root().string(), "install-boot", "--root", root.string(), "--init", "systemd"};
    if (!name.empty()) args.insert(args.end(), {"--name", name});
    auto installed = dkmadmin(args);
    INFO(installed.output);
    REQUIRE(installed.ok());
    std::string unit_name = name.empty() ? "dkumonitor.service" : "dkumonitor." + name + ".service";
    fs::path unit = root / "etc/systemd/system" / unit_name;
    REQUIRE(fs::is_regular_file(unit));
    CHECK(fs::read_symlink(root / "etc/systemd/system/multi-user.target.wants" / unit_name) ==
          fs::path("/etc/systemd/system") / unit_name);

    auto verified = verify_unit(unit);
    INFO("unit:\n" << read_file(unit) << "\nverify said:\n" << verified.output);
    CHECK(verified.ok());
    CHECK(verified.output.empty());

    // The sandbox keeps systemd's own exposure score "OK" (3.3 of 10 today; 4 at most).
    auto security = run({"systemd-analyze", "security", "--offline=yes", "--threshold=40", unit.string()});
    INFO("security:\n" << security.output);
    CHECK(security.ok());

    std::string text = read_file(unit);
    CHECK_THAT(text, Catch::Contains("\nUser=daemon\n"));  // make_install gives it to uid 1
    CHECK_THAT(text, Catch::Contains("\nExecStart=" + layout.root().string() + "/bin/dkm start\n"));
    CHECK_THAT(text, Catch::Contains("\nPIDFile=" + layout.root().string() + "/run/dkm.pid\n"));
    CHECK_THAT(text, Catch::Contains("\nPrivateTmp=" + std::string(dir.path().string().rfind("/tmp/", 0) == 0 ? "no" : "yes")));
  }

  // The test's own check can fail: a unit with a bad key is reported.
  fs::path broken = root / "etc/systemd/system/dkumonitor.broken.service";
  write_file_atomic(broken, read_file(root / "etc/systemd/system/dkumonitor.service") + "[Service]\nKillMode=bogus\n");
  CHECK_FALSE(verify_unit(broken).output.empty());
}
