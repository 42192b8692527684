// boot: instance names, init detection, unit and script text, records, and
// install/uninstall on a temporary root.
#include <catch2/catch.hpp>

#include <dkm/core/process.hpp>
#include <dkm/core/temp_dir.hpp>
#include <dkm/boot/boot.hpp>
#include <dkm/core/strings.hpp>

#include "boot/systemd.hpp"
#include "boot/sysv.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <sstream>

using namespace dkm;
using namespace dkm::boot;

namespace {

/// A fake install directory: what plan_boot_target looks at (bin/env, an executable
/// bin/dkm), not a working install. The live tests use the installer's.
InstallLayout fake_install(const fs::path& dir, const std::map<std::string, std::string>& extra_env = {}) {
  InstallLayout layout(dir);
  fs::create_directories(layout.bin());
  fs::create_directories(layout.run());
  auto env = extra_env;
  env["DKM_HOME"] = layout.root().string();
  write_file_atomic(layout.env_file(), render_env_file(env));
  write_file_atomic(layout.bin() / "dkm", "#!/bin/sh\nexit 0\n", 0755);
  return layout;
}

/// Every path under `root` with its kind and, for links, their text: a tree to compare.
std::string tree(const fs::path& root) {
  std::vector<std::string> lines;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    std::string line = entry.path().lexically_relative(root).string();
    if (entry.is_symlink()) line += " -> " + fs::read_symlink(entry.path()).string();
    else if (entry.is_directory()) line += "/";
    lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  return join(lines, "\n");
}

/// Test double for systemctl, update-rc.d and chkconfig: systemctl cannot run on a
/// machine where systemd is not PID 1, and the real update-rc.d would change this
/// machine's /etc. Records each command and answers with `exit_code`.
class RecordingBootCommands : public BootCommands {
 public:
  std::vector<std::string> present{"systemctl"};  ///< programs that locate() finds
  std::vector<std::string> calls;                 ///< each command run, joined by spaces
  std::string fail_on;                            ///< a command (joined) that fails

  fs::path locate(const std::string& program) override {
    return std::find(present.begin(), present.end(), program) != present.end() ? fs::path("/double") / program
                                                                               : fs::path();
  }
  RunResult run(const std::vector<std::string>& argv) override {
    std::vector<std::string> shown = argv;
    shown[0] = fs::path(argv[0]).filename().string();
    calls.push_back(join(shown, " "));
    RunResult result;
    result.exit_code = calls.back() == fail_on ? 1 : 0;
    if (result.exit_code) result.output = "Failed to enable unit: double says no";
    return result;
  }
};

/// Options that write under `root` like a real install would (commands run), for the
/// recording double. Needs root: install-boot refuses otherwise.
BootOptions live_like(const fs::path& root, const std::string& instance) {
  if (::geteuid() != 0) {
    std::cout << "SKIPPED: needs root, as install-boot does without --root\n";
    std::exit(77);
  }
  BootOptions options;
  options.root = root;
  options.offline = false;
  options.instance = instance;
  options.user = "daemon";
  return options;
}

}  // namespace

TEST_CASE("instance names are letters, digits, '-' and '_'", "[boot]") {
  for (const char* good : {"", "a", "db-2", "Prod_1", "x123"}) CHECK_NOTHROW(validate_instance_name(good));
  for (const char* bad : {"a.b", "a b", "../x", "-x", "a/b", "é", "a$b"})
    CHECK_THROWS_WITH(validate_instance_name(bad), Catch::StartsWith(std::string("--name '") + bad + "'"));
  CHECK_THROWS_AS(validate_instance_name(std::string(65, 'a')), UsageError);
  CHECK(boot_service_name("") == "dkumonitor");
  CHECK(boot_service_name("b") == "dkumonitor.b");
}

TEST_CASE("paths of the booted system map under --root and back", "[boot]") {
  CHECK(under_root("/", "/etc/init.d/x") == "/etc/init.d/x");
  CHECK(under_root("/img", "/etc/init.d/x") == "/img/etc/init.d/x");
  CHECK(seen_from_root("/img", "/img/opt/dkm") == "/opt/dkm");
  CHECK(seen_from_root("/img", "/srv/dkm") == "/srv/dkm");
  CHECK(seen_from_root("/img", "/image2/dkm") == "/image2/dkm");
  CHECK(seen_from_root("/", "/srv/dkm") == "/srv/dkm");
}

TEST_CASE("an image's init system is told by its systemd binary, and --init names are strict", "[boot]") {
  TempDir root;
  CHECK(detect_init_system(root.path()) == InitSystem::sysv);
  fs::create_directories(root.path() / "usr/lib/systemd");
  write_file_atomic(root.path() / "usr/lib/systemd/systemd", "", 0755);
  CHECK(detect_init_system(root.path()) == InitSystem::systemd);
  CHECK(parse_init_system("sysv") == InitSystem::sysv);
  CHECK_THROWS_WITH(parse_init_system("upstart"), "--init 'upstart': expected systemd or sysv");
}

TEST_CASE("an image's accounts come from its own etc/passwd", "[boot]") {
  TempDir root;
  fs::create_directories(root.path() / "etc");
  write_file_atomic(root.path() / "etc/passwd",
                    "root:x:0:0:root:/root:/bin/sh\nmonitor:x:1234:1234::/srv/monitor:/usr/sbin/nologin\n");
  std::string name = "monitor";
  auto by_name = find_account(root.path(), &name, 0);
  REQUIRE(by_name);
  CHECK(by_name->uid == 1234);
  auto by_uid = find_account(root.path(), nullptr, 1234);
  REQUIRE(by_uid);
  CHECK(by_uid->name == "monitor");
  std::string daemon = "daemon";  // on this machine, not in the image
  CHECK_FALSE(find_account(root.path(), &daemon, 0));
  CHECK(find_account("/", &daemon, 0));
}

TEST_CASE("the systemd unit runs dkm as the account with the sandbox the install allows", "[boot]") {
  BootTarget target;
  target.instance = "b";
  target.home = "/srv/dkm b%1";
  target.user = "monitor";
  target.writable = {"/srv/dkm b%1", "/data/whisper"};
  std::string unit = render_systemd_unit(target);
  CHECK_THAT(unit, Catch::Contains("\nType=forking\n"));
  CHECK_THAT(unit, Catch::Contains("\nUser=monitor\n"));
  CHECK_THAT(unit, Catch::Contains("\nPIDFile=/srv/dkm b%%1/run/dkm.pid\n"));
  CHECK_THAT(unit, Catch::Contains("\nExecStart=\"/srv/dkm b%%1/bin/dkm\" start\n"));
  CHECK_THAT(unit, Catch::Contains("\nExecStop=\"/srv/dkm b%%1/bin/dkm\" stop\n"));
  CHECK_THAT(unit, Catch::Contains("\nRestart=on-failure\n"));
  CHECK_THAT(unit, Catch::Contains("\nKillMode=control-group\n"));
  CHECK_THAT(unit, Catch::Contains("\nLimitNOFILE=65536\n"));
  CHECK_THAT(unit, Catch::Contains("\nNoNewPrivileges=yes\n"));
  CHECK_THAT(unit, Catch::Contains("\nProtectSystem=strict\n"));
  CHECK_THAT(unit, Catch::Contains("\nReadWritePaths=\"/srv/dkm b%%1\" /data/whisper\n"));
  CHECK_THAT(unit, Catch::Contains("\nProtectHome=yes\n"));
  CHECK_THAT(unit, Catch::Contains("\nPrivateTmp=yes\n"));
  CHECK_THAT(unit, Catch::Contains("\nWantedBy=multi-user.target\n"));
  CHECK_THAT(unit, !Catch::Contains("DKM_ALLOW_ROOT"));
  CHECK_THAT(unit, Catch::Contains("\nCapabilityBoundingSet=\n"));
  CHECK(marked_home(unit) == "/srv/dkm b%1");

  target.under_home = true;
  target.under_tmp = true;
  target.run_as_root = true;
  target.user = "root";
  unit = render_systemd_unit(target);
  CHECK_THAT(unit, Catch::Contains("\nProtectHome=read-only\n"));
  CHECK_THAT(unit, Catch::Contains("\nPrivateTmp=no\n"));
  CHECK_THAT(unit, Catch::Contains("\nEnvironment=\"DKM_HOME=/srv/dkm b%%1\" DKM_ALLOW_ROOT=1\n"));
  CHECK_THAT(unit, !Catch::Contains("CapabilityBoundingSet"));  // root keeps its capabilities
  CHECK(systemd_word("/a$b", true) == "/a$$b");
}

TEST_CASE("the SysV script has an LSB header naming this product and is valid sh", "[boot]") {
  BootTarget target;
  target.instance = "b";
  target.home = "/srv/it's here";
  target.user = "monitor";
  std::string script = render_sysv_script(target);
  CHECK(script.rfind("#!/bin/sh\n### BEGIN INIT INFO\n# Provides:          dkumonitor.b\n", 0) == 0);
  CHECK_THAT(script, Catch::Contains("# Short-Description: dkumonitor monitoring stack (b)\n"));
  CHECK_THAT(script, Catch::Contains("# Default-Start:     2 3 4 5\n"));
  CHECK_THAT(script, Catch::Contains("# chkconfig: 2345 80 20\n"));
  CHECK_THAT(script, Catch::Contains("\nDKM_HOME='/srv/it'\"'\"'s here'\n"));
  CHECK_THAT(script, !Catch::Contains("supervisor"));
  CHECK(marked_home(script) == "/srv/it's here");
  TempDir dir;
  write_file_atomic(dir.path() / "script", script, 0755);
  auto syntax = run_process({"sh", "-n", (dir.path() / "script").string()});
  CHECK(syntax.output.empty());
  CHECK(syntax.ok());
  // The header declares the variable assignments sh reads back: ask sh itself.
  auto home = run_process({"sh", "-c", "eval \"$(grep '^DKM_HOME=' \"$1\")\"; printf %s \"$DKM_HOME\"", "sh",
                           (dir.path() / "script").string()});
  CHECK(home.output == "/srv/it's here");
  auto usage = run_process({(dir.path() / "script").string(), "bogus"});
  CHECK(usage.exit_code == 2);
  CHECK_THAT(usage.output, Catch::Contains("{start|stop|restart|force-reload|status}"));
}

TEST_CASE("planning refuses a directory without an install and a root-owned one", "[boot]") {
  TempDir dir;
  BootOptions options;
  fs::create_directories(dir.path() / "empty");
  CHECK_THROWS_WITH(plan_boot_target(InstallLayout(dir.path() / "empty"), options),
                    Catch::Contains("holds no dkumonitor install"));
  InstallLayout layout = fake_install(dir.path() / "inst");
  REQUIRE(::chown(layout.root().c_str(), 0, 0) == 0);
  CHECK_THROWS_WITH(plan_boot_target(layout, options), Catch::Contains("is owned by root") && Catch::Contains("--user"));
  options.user = "no-such-account-here";
  CHECK_THROWS_WITH(plan_boot_target(layout, options), Catch::StartsWith("--user no-such-account-here: no such account"));
  options.user = "root";
  BootTarget as_root = plan_boot_target(layout, options);
  CHECK(as_root.run_as_root);
}

TEST_CASE("planning makes linked-out data writable and notices /home and /tmp", "[boot]") {
  TempDir dir;
  InstallLayout layout = fake_install(dir.path() / "inst", {{"DKM_BUNDLE", "/home/someone/dkumonitor-1.0"}});
  fs::create_directories(dir.path() / "data-disk");
  // The data disk is the account's: the sandbox makes writable nothing else a link leads to.
  REQUIRE(::chown((dir.path() / "data-disk").c_str(), find_account("/", nullptr, 1)->uid, 0) == 0);
  fs::create_symlink(dir.path() / "data-disk", layout.storage());
  fs::create_directories(layout.conf());
  BootOptions options;
  options.user = "daemon";
  BootTarget target = plan_boot_target(layout, options);
  CHECK(target.user == "daemon");
  CHECK(target.home == layout.root());
  CHECK(target.writable == std::vector<fs::path>{layout.root(), fs::canonical(dir.path() / "data-disk")});
  CHECK(target.under_home);  // the bundle is in /home
  CHECK(target.under_tmp == (layout.root().string().rfind("/tmp/", 0) == 0));

  // Under --root, the install inside the image is named as the image sees it.
  options.root = dir.path();
  options.offline = true;
  CHECK(plan_boot_target(layout, options).home == "/inst");
}

TEST_CASE("install-boot on a systemd host runs daemon-reload and enable, and uninstall-boot disables",
          "[boot]") {
  TempDir dir;
  InstallLayout layout = fake_install(dir.path() / "inst");
  fs::create_directories(dir.path() / "root/etc");
  BootOptions options = live_like(dir.path() / "root", "a");
  options.init = InitSystem::systemd;
  std::string before = tree(options.root);
  RecordingBootCommands commands;
  std::ostringstream out;
  BootRecord record = install_boot(layout, options, commands, out);
  CHECK(commands.calls == std::vector<std::string>{"systemctl daemon-reload", "systemctl enable dkumonitor.a.service"});
  CHECK(record.enabled_by == EnableMethod::systemctl);
  CHECK(record.links.empty());  // systemctl makes its own links and removes them on disable
  CHECK(fs::is_regular_file(options.root / "etc/systemd/system/dkumonitor.a.service"));
  CHECK_THAT(out.str(), Catch::Contains("systemctl start dkumonitor.a"));

  commands.calls.clear();
  CHECK(uninstall_boot(layout, options, commands, out));
  CHECK(commands.calls == std::vector<std::string>{"systemctl disable dkumonitor.a.service", "systemctl daemon-reload"});
  CHECK(tree(options.root) == before);
}

TEST_CASE("a failed systemctl enable takes back what install-boot wrote", "[boot]") {
  TempDir dir;
  InstallLayout layout = fake_install(dir.path() / "inst");
  fs::create_directories(dir.path() / "root");
  BootOptions options = live_like(dir.path() / "root", "");
  options.init = InitSystem::systemd;
  RecordingBootCommands commands;
  commands.fail_on = "systemctl enable dkumonitor.service";
  std::ostringstream out;
  CHECK_THROWS_WITH(install_boot(layout, options, commands, out),
                    Catch::StartsWith("systemctl enable dkumonitor.service failed (exit status 1):\nFailed to enable"));
  CHECK(fs::is_empty(options.root));
}

TEST_CASE("install-boot on SysV init enables with update-rc.d, else chkconfig, else warns", "[boot]") {
  TempDir dir;
  InstallLayout layout = fake_install(dir.path() / "inst");
  fs::create_directories(dir.path() / "root");
  BootOptions options = live_like(dir.path() / "root", "s");
  options.init = InitSystem::sysv;
  std::ostringstream out;
  struct Case {
    std::vector<std::string> present;
    std::vector<std::string> install_calls, uninstall_calls;
    EnableMethod method;
  };
  for (const Case& c : {
           Case{{"update-rc.d", "chkconfig"}, {"update-rc.d dkumonitor.s defaults"}, {"update-rc.d -f dkumonitor.s remove"},
                EnableMethod::update_rc_d},
           Case{{"chkconfig"}, {"chkconfig --add dkumonitor.s"}, {"chkconfig --del dkumonitor.s"}, EnableMethod::chkconfig},
           Case{{}, {}, {}, EnableMethod::none},
       }) {
    RecordingBootCommands commands;
    commands.present = c.present;
    BootRecord record = install_boot(layout, options, commands, out);
    CHECK(record.enabled_by == c.method);
    CHECK(commands.calls == c.install_calls);
    struct stat st {};
    REQUIRE(::stat((options.root / "etc/init.d/dkumonitor.s").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0755);
    commands.calls.clear();
    CHECK(uninstall_boot(layout, options, commands, out));
    CHECK(commands.calls == c.uninstall_calls);
    CHECK(fs::is_empty(options.root));
  }
  CHECK_THAT(out.str(), Catch::Contains("neither update-rc.d nor chkconfig"));
  // fake_install's directories belong to root, not to the account dkm runs as.
  CHECK_THAT(out.str(), Catch::Contains("warning: daemon does not own " + layout.root().string() + ", " +
                                        layout.run().string()));
}

TEST_CASE("reinstalling for the same install keeps one record of everything", "[boot]") {
  TempDir dir;
  InstallLayout layout = fake_install(dir.path() / "inst");
  fs::create_directories(dir.path() / "root");
  BootOptions options;
  options.root = dir.path() / "root";
  options.offline = true;
  options.user = "daemon";
  options.init = InitSystem::sysv;
  RecordingBootCommands commands;
  std::ostringstream out;
  install_boot(layout, options, commands, out);
  std::string once = tree(options.root);
  options.user = "bin";
  BootRecord again = install_boot(layout, options, commands, out);
  CHECK(tree(options.root) == once);
  CHECK(again.user == "bin");
  CHECK(again.created_dirs.front() == "/etc");  // still listed: the last uninstall removes it
  // Switching to systemd replaces the script by a unit.
  options.init = InitSystem::systemd;
  install_boot(layout, options, commands, out);
  CHECK_FALSE(fs::exists(options.root / "etc/init.d/dkumonitor"));
  CHECK(fs::exists(options.root / "etc/systemd/system/dkumonitor.service"));
  CHECK(uninstall_boot(layout, options, commands, out));
  CHECK(fs::is_empty(options.root));
  CHECK(commands.calls.empty());
}
