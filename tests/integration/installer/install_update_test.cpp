// Update mode points the links and the environment file at the new
// bundle and leaves conf/ and storage/ exactly as they were (same digest: same entries,
// bytes, modes and modification times).
#include <catch2/catch.hpp>

#include "installer_fixture.hpp"

using namespace dkm;
using namespace dkm::test;

namespace {

struct TwoBundles {
  TempDir tmp{"dkm-update-"};
  TestBundle old_bundle = make_test_bundle(tmp.path() / "dkumonitor-1.0.0", "1.0.0");
  TestBundle new_bundle = make_test_bundle(tmp.path() / "dkumonitor-2.0.0", "2.0.0");
  dkm::InstallLayout layout{tmp.path() / "inst"};
};

void check_links(const dkm::InstallLayout& L, const TestBundle& b) {
  CHECK(fs::read_symlink(L.bin() / "dkm") == b.root / "bin/dkm");
  CHECK(fs::read_symlink(L.bin() / "dkmadmin") == b.root / "bin/dkmadmin");
  CHECK(fs::read_symlink(L.static_link()) == b.root / "static");
  CHECK(fs::read_symlink(L.lib_link()) == b.root / "lib");
  CHECK(fs::read_symlink(L.dashboards_link()) == b.root / "dashboards");
}

}  // namespace

TEST_CASE("update relinks to the new bundle and leaves conf and storage byte for byte", "[installer][update]") {
  TwoBundles t;
  const auto& L = t.layout;
  RunResult first = run_installer(t.old_bundle, {"-d", L.root().string(), "-p", "27600", "--hostname", "h.example.com"});
  INFO(first.output);
  REQUIRE(first.ok());
  check_links(L, t.old_bundle);

  // A host in use: a customised config, whisper files, Grafana's database, logs.
  write_file_atomic(L.conf() / "storage-schemas.conf", read_file(L.conf() / "storage-schemas.conf") + "# tuned by hand\n");
  fs::create_directories(L.storage() / "whisper/collectd/h");
  write_file_atomic(L.storage() / "whisper/collectd/h/load.wsp", std::string(4096, '\x01'));
  write_file_atomic(L.storage() / "grafana/grafana.db", "SQLite format 3");
  write_file_atomic(L.run() / "go-carbon.log", "old log\n");
  std::string conf_before = tree_digest(L.conf());
  std::string storage_before = tree_digest(L.storage());
  auto env_before = dkm::parse_env_file(read_file(L.env_file()), "env");

  RunResult up = run_installer(t.new_bundle, {"-u", "-d", L.root().string()});
  INFO(up.output);
  REQUIRE(up.ok());
  CHECK(tree_digest(L.conf()) == conf_before);
  CHECK(tree_digest(L.storage()) == storage_before);
  check_links(L, t.new_bundle);
  auto env = dkm::parse_env_file(read_file(L.env_file()), "env");
  CHECK(env["DKM_BUNDLE"] == t.new_bundle.root.string());
  CHECK(env["DKM_VERSION"] == "2.0.0");
  CHECK(env["DKM_HOME"] == L.root().string());
  CHECK(env["DKM_INSTALL_TYPE"] == env_before["DKM_INSTALL_TYPE"]);
  CHECK(env["DKM_PORT"] == env_before["DKM_PORT"]);
  CHECK_THAT(up.output, Catch::Contains("1.0.0 -> 2.0.0"));
  CHECK_THAT(up.output, Catch::Contains("dkm restart"));
  // No staging or temporary entry is left anywhere in DIR.
  for (auto it = fs::recursive_directory_iterator(L.root()); it != fs::recursive_directory_iterator(); ++it)
    CHECK_THAT(it->path().filename().string(), !Catch::Contains(".tmp") && !Catch::StartsWith(".dkm"));

  // Updating again with the same bundle changes nothing but keeps working.
  REQUIRE(run_installer(t.new_bundle, {"-u", "-d", L.root().string()}).ok());
  CHECK(tree_digest(L.conf()) == conf_before);
  check_links(L, t.new_bundle);
}

// bin/env holds only the installer's keys (issue 14: a line planted there, LD_PRELOAD say,
// must not survive an update); the summary names what it dropped and where such a
// variable belongs instead.
TEST_CASE("update keeps only the installer's keys in the environment file and names the others", "[installer][update]") {
  TwoBundles t;
  const auto& L = t.layout;
  REQUIRE(run_installer(t.old_bundle, {"-d", L.root().string(), "-p", "27600", "-t", "backend"}).ok());
  write_file_atomic(L.env_file(), read_file(L.env_file()) + "GOMAXPROCS=2\n");
  RunResult up = run_installer(t.new_bundle, {"-u", "-d", L.root().string()});
  INFO(up.output);
  REQUIRE(up.ok());
  CHECK_THAT(up.output, Catch::Contains("bin/env: dropped GOMAXPROCS") && Catch::Contains("environment ="));
  auto env = dkm::parse_env_file(read_file(L.env_file()), "env");
  CHECK(env.count("GOMAXPROCS") == 0);
  CHECK(env["DKM_INSTALL_TYPE"] == "backend");
  CHECK(env["DKM_PORT"] == "27600");
}

TEST_CASE("an update that cannot relink changes nothing", "[installer][update]") {
  TwoBundles t;
  const auto& L = t.layout;
  REQUIRE(run_installer(t.old_bundle, {"-d", L.root().string(), "-p", "27600", "-t", "agent", "--hostname", "a.b"}).ok());
  // Someone replaced the static link with a real directory: the update refuses up front.
  fs::remove(L.static_link());
  fs::create_directory(L.static_link());
  std::string before = tree_digest(L.root());
  RunResult up = run_installer(t.new_bundle, {"-u", "-d", L.root().string()});
  INFO(up.output);
  CHECK(up.exit_code == 2);
  CHECK_THAT(up.output, Catch::Contains(L.static_link().string()));
  CHECK(tree_digest(L.root()) == before);
}

TEST_CASE("an update to a bundle missing a service's binary changes nothing", "[installer][update]") {
  TwoBundles t;
  const auto& L = t.layout;
  REQUIRE(run_installer(t.old_bundle, {"-d", L.root().string(), "-p", "27600", "-t", "backend"}).ok());
  fs::remove(t.new_bundle.root / "bin/go-carbon");
  std::string before = tree_digest(L.root());
  RunResult up = run_installer(t.new_bundle, {"-u", "-d", L.root().string()});
  INFO(up.output);
  CHECK(up.exit_code == 1);
  CHECK_THAT(up.output, Catch::Contains("bin/go-carbon"));
  CHECK(tree_digest(L.root()) == before);
}

TEST_CASE("an install with the system's collectd updates from a bundle without one", "[installer][update]") {
  TwoBundles t;
  const auto& L = t.layout;
  RunOptions path;
  path.env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
  REQUIRE(run_installer(t.old_bundle, {"-d", L.root().string(), "-p", "27600", "-t", "agent", "--hostname", "a.b",
                                       "--system-collectd"}, path).ok());
  fs::remove(t.new_bundle.root / "bin/collectd");
  RunResult up = run_installer(t.new_bundle, {"-u", "-d", L.root().string()});
  INFO(up.output);
  CHECK(up.ok());
  check_links(L, t.new_bundle);
}
