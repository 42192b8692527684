// dkmadmin: several instances per host, and uninstall-boot removing exactly what
// install-boot wrote (trees under --root compared before and after).
#include <catch2/catch.hpp>

#include "dkmadmin_support.hpp"

#include <nlohmann/json.hpp>

using namespace dkm;
using namespace dkm::test;

namespace {

/// Installs the boot service of `dir` as instance `name` under `root`; requires success.
void install_boot_of(const fs::path& dir, const fs::path& root, const std::string& init, const std::string& name) {
  std::vector<std::string> args{"-d", dir.string(), "install-boot", "--root", root.string(), "--init", init};
  if (!name.empty()) args.insert(args.end(), {"--name", name});
  auto result = dkmadmin(args);
  INFO(result.output);
  REQUIRE(result.ok());
}

/// Uninstalls instance `name` of `dir` under `root`; requires success.
void uninstall(const fs::path& dir, const fs::path& root, const std::string& name) {
  std::vector<std::string> args{"-d", dir.string(), "uninstall-boot", "--root", root.string()};
  if (!name.empty()) args.insert(args.end(), {"--name", name});
  auto result = dkmadmin(args);
  INFO(result.output);
  REQUIRE(result.ok());
}

/// A root that already holds other services' files, which must survive untouched.
void populate(const fs::path& root) {
  fs::create_directories(root / "etc/init.d");
  fs::create_directories(root / "etc/rc2.d");
  fs::create_directories(root / "etc/systemd/system/multi-user.target.wants");
  write_file_atomic(root / "etc/init.d/other", "#!/bin/sh\n", 0755);
  fs::create_symlink("../init.d/other", root / "etc/rc2.d/S01other");
  write_file_atomic(root / "etc/systemd/system/other.service", "[Service]\nExecStart=/bin/true\n");
  fs::create_symlink("/etc/systemd/system/other.service", root / "etc/systemd/system/multi-user.target.wants/other.service");
}

}  // namespace

TEST_CASE("two instances for two installs coexist, and uninstalling one leaves the other intact",
          "[dkmadmin][instances]") {
  std::string init = GENERATE(std::string("systemd"), std::string("sysv"));
  TempDir dir;
  auto a = make_install(dir.path() / "a");
  auto b = make_install(dir.path() / "b");
  fs::path root = dir.path() / "root", only_b = dir.path() / "only-b";
  fs::create_directories(root);
  fs::create_directories(only_b);

  install_boot_of(a.root(), root, init, "a");
  install_boot_of(b.root(), root, init, "b");
  // What the root looks like with b alone: the state uninstalling a must leave.
  install_boot_of(b.root(), only_b, init, "b");

  fs::path file_a = init == "systemd" ? root / "etc/systemd/system/dkumonitor.a.service" : root / "etc/init.d/dkumonitor.a";
  fs::path file_b = init == "systemd" ? root / "etc/systemd/system/dkumonitor.b.service" : root / "etc/init.d/dkumonitor.b";
  CHECK_THAT(read_file(file_a), Catch::Contains("# dkumonitor-home: " + a.root().string() + "\n"));
  CHECK_THAT(read_file(file_b), Catch::Contains("# dkumonitor-home: " + b.root().string() + "\n"));

  auto status_a = dkmadmin({"-d", a.root().string(), "status-boot", "--root", root.string()});
  CHECK(status_a.exit_code == 0);
  CHECK_THAT(status_a.output, Catch::Contains("dkumonitor.a: ") && !Catch::Contains("dkumonitor.b"));

  // a's dkmadmin does not take b away by mistake.
  auto wrong = dkmadmin({"-d", a.root().string(), "uninstall-boot", "--root", root.string(), "--name", "b"});
  CHECK(wrong.exit_code == 2);
  CHECK_THAT(wrong.output, Catch::Contains("starts the install in " + b.root().string()));

  uninstall(a.root(), root, "a");
  CHECK(snapshot(root) == snapshot(only_b));
  auto status_b = dkmadmin({"-d", b.root().string(), "status-boot", "--root", root.string()});
  CHECK(status_b.exit_code == 0);
  CHECK_THAT(status_b.output, Catch::Contains("dkumonitor.b: ") && Catch::Contains("enabled: yes (links)"));
  CHECK(dkmadmin({"-d", a.root().string(), "status-boot", "--root", root.string()}).exit_code == 3);

  uninstall(b.root(), root, "b");
  CHECK(fs::is_empty(root));
}

TEST_CASE("uninstall-boot removes exactly the files install-boot wrote", "[dkmadmin][exact]") {
  std::string init = GENERATE(std::string("systemd"), std::string("sysv"));
  std::string name = GENERATE(std::string(""), std::string("x_1"));
  TempDir dir;
  auto inst = make_install(dir.path() / "inst");
  fs::path root = dir.path() / "root";
  populate(root);
  std::string before = snapshot(root);
  auto paths_before = listed_paths(root);

  install_boot_of(inst.root(), root, init, name);
  // Everything new is listed in the record (the record itself aside).
  auto paths_after = listed_paths(root);
  std::vector<std::string> added;
  std::set_difference(paths_after.begin(), paths_after.end(), paths_before.begin(), paths_before.end(),
                      std::back_inserter(added));
  std::string service = name.empty() ? "dkumonitor" : "dkumonitor." + name;
  fs::path record_file = root / "var/lib/dkumonitor/boot" / (service + ".json");
  auto record = nlohmann::json::parse(read_file(record_file));
  std::vector<std::string> recorded{"/var/lib/dkumonitor/boot/" + service + ".json"};
  for (const char* key : {"files", "links", "created_dirs"})
    for (const auto& p : record[key]) recorded.push_back(p.get<std::string>());
  std::sort(recorded.begin(), recorded.end());
  CHECK(added == recorded);
  CHECK(added.size() >= (init == "systemd" ? 6u : 12u));  // file + link(s) + record + their directories

  // Reinstalling changes nothing on disk.
  std::string installed = snapshot(root);
  install_boot_of(inst.root(), root, init, name);
  CHECK(snapshot(root) == installed);

  uninstall(inst.root(), root, name);
  CHECK(snapshot(root) == before);
  // A second uninstall has nothing to do.
  std::vector<std::string> args{"-d", inst.root().string(), "uninstall-boot", "--root", root.string()};
  if (!name.empty()) args.insert(args.end(), {"--name", name});
  auto again = dkmadmin(args);
  CHECK(again.ok());
  CHECK_THAT(again.output, Catch::Contains("nothing to do"));
}
