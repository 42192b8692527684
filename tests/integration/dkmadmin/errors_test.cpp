// dkmadmin on bad input: exit status 2, an error naming the culprit, nothing written.
#include <catch2/catch.hpp>

#include "dkmadmin_support.hpp"

using namespace dkm;
using namespace dkm::test;

namespace {

/// Requires exit status 2 and `message` on the output.
void require_refused(const RunResult& result, const std::string& message) {
  INFO(result.output);
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.output, Catch::Contains("dkmadmin: ") && Catch::Contains(message));
}

}  // namespace

TEST_CASE("bad input is refused with exit status 2 and nothing written", "[dkmadmin][errors]") {
  TempDir dir;
  auto a = make_install(dir.path() / "a");
  auto b = make_install(dir.path() / "b");
  fs::path root = dir.path() / "root";
  fs::create_directories(root / "etc/init.d");
  write_file_atomic(root / "etc/init.d/dkumonitor.foreign", "#!/bin/sh\n# written by hand\n", 0755);
  auto install = [&](const fs::path& inst, std::vector<std::string> more) {
    std::vector<std::string> args{"-d", inst.string(), "install-boot", "--root", root.string(), "--init", "sysv"};
    args.insert(args.end(), more.begin(), more.end());
    return dkmadmin(args);
  };
  REQUIRE(install(a.root(), {"--name", "taken"}).ok());
  const std::string before = snapshot(root);

  SECTION("an invalid name") {
    require_refused(install(a.root(), {"--name", "a.b"}), "--name 'a.b': use only letters, digits, '-' and '_'");
    require_refused(install(a.root(), {"--name", "../../x"}), "--name '../../x'");
    require_refused(install(a.root(), {"--name", ""}), "--name: needs a name");
    require_refused(dkmadmin({"-d", a.root().string(), "uninstall-boot", "--root", root.string(), "--name", "a b"}),
                    "--name 'a b'");
  }
  SECTION("a directory that holds no install") {
    fs::create_directories(dir.path() / "empty");
    require_refused(install(dir.path() / "empty", {}), (dir.path() / "empty").string() + ": holds no dkumonitor install");
    require_refused(install(dir.path() / "missing", {}), (dir.path() / "missing").string() + ": holds no dkumonitor install");
    RunOptions no_home;
    no_home.unset_env = {"DKM_HOME"};
    auto unfound = run({tool("dkmadmin").string(), "install-boot", "--root", root.string()}, no_home);
    require_refused(unfound, "cannot tell which install to use");
  }
  SECTION("a name taken by another install, unless --force") {
    require_refused(install(b.root(), {"--name", "taken"}),
                    "dkumonitor.taken is already installed for " + a.root().string());
    require_refused(install(b.root(), {"--name", "foreign"}),
                    (root / "etc/init.d/dkumonitor.foreign").string() + " already exists and was not written by dkmadmin");
    CHECK(snapshot(root) == before);
    auto forced = install(b.root(), {"--name", "taken", "--force"});
    INFO(forced.output);
    REQUIRE(forced.ok());
    CHECK_THAT(read_file(root / "etc/init.d/dkumonitor.taken"),
               Catch::Contains("# dkumonitor-home: " + b.root().string() + "\n"));
    return;  // the tree changed on purpose
  }
  SECTION("an install owned by root without --user, or an unknown account") {
    auto c = make_install(dir.path() / "c", 0);
    require_refused(install(c.root(), {}), c.root().string() + " is owned by root, and dkm does not run as root");
    require_refused(install(a.root(), {"--user", "no-such-account"}), "--user no-such-account: no such account");
  }
  SECTION("flags and values that do not exist") {
    require_refused(install(a.root(), {"--nmae", "x"}), "install-boot: unrecognised option '--nmae'");
    require_refused(dkmadmin({"-d", a.root().string(), "install-boot", "--root", root.string(), "--init", "upstart"}),
                    "--init 'upstart': expected systemd or sysv");
    require_refused(dkmadmin({"-d", a.root().string(), "install-boot", "--root", (dir.path() / "nowhere").string()}),
                    "--root " + (dir.path() / "nowhere").string() + ": no such directory");
    require_refused(dkmadmin({"boot-install"}), "unknown command 'boot-install'");
    CHECK(dkmadmin({}).exit_code == 2);
  }
  CHECK(snapshot(root) == before);
}

TEST_CASE("install-boot and uninstall-boot refuse to run without root unless --root is given",
          "[dkmadmin][errors]") {
  TempDir dir;
  open_up(dir.path());
  auto inst = make_install(dir.path() / "inst", 65534);
  // A name no other test uses, so that the real /etc can be checked for it.
  std::string name = "nonroot" + std::to_string(::getpid());
  auto as_nobody = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", tool("dkmadmin").string(),
                                  "-d", inst.root().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
  };
  std::error_code ec;
  bool records_existed = fs::exists("/var/lib/dkumonitor", ec);
  require_refused(as_nobody({"install-boot", "--name", name}), "install-boot must run as root");
  require_refused(as_nobody({"uninstall-boot", "--name", name}), "uninstall-boot must run as root");
  CHECK_FALSE(fs::exists("/etc/init.d/dkumonitor." + name, ec));
  CHECK_FALSE(fs::exists("/etc/systemd/system/dkumonitor." + name + ".service", ec));
  CHECK(fs::exists("/var/lib/dkumonitor", ec) == records_existed);

  // With --root, an account writes into a root of its own.
  fs::path root = dir.path() / "root";
  fs::create_directories(root);
  REQUIRE(::chown(root.c_str(), 65534, 65534) == 0);
  auto offline = as_nobody({"install-boot", "--root", root.string(), "--init", "sysv", "--name", name});
  INFO(offline.output);
  CHECK(offline.ok());
  CHECK(fs::exists(root / "etc/init.d" / ("dkumonitor." + name)));
  CHECK(as_nobody({"status-boot", "--root", root.string()}).ok());
  CHECK(as_nobody({"uninstall-boot", "--root", root.string(), "--name", name}).ok());
  CHECK(fs::is_empty(root));
}
