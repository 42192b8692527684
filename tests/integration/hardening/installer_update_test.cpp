// Finding 1 (high): `installer -u` run by root on an install another account owns. The
// account controls everything inside DIR: it can put links where root will write or read.
// Root must never write outside DIR nor read a file on the account's say-so; the env file
// carries only the keys the installer writes. The owner's own update keeps working.
#include "hardening_fixture.hpp"

using namespace dkm;
using namespace dkm::test;

namespace {

/// An agent install owned by `account`, the bundle it came from (1.0.0) and a newer one
/// (1.1.0) to update to, all in one directory every account can traverse.
struct OwnedInstall {
  TempDir dir{"dkm-hard-"};
  dkm::InstallLayout layout{dir.path() / "inst"};
  TestBundle next;

  explicit OwnedInstall(const TestAccount& account) {
    open_up(dir.path());
    layout = make_install(dir.path() / "inst", account.uid());
    next = make_test_bundle(dir.path() / "dkumonitor-1.1.0", "1.1.0");
  }
  /// `installer -u -d DIR` of the newer bundle, as root.
  RunResult update_as_root() const { return run_installer(next, {"-u", "-d", layout.root().string()}); }
  /// The same, as `account`.
  RunResult update_as(const TestAccount& account) const {
    return run_as(account, {next.installer().string(), "-u", "-d", layout.root().string()});
  }
  /// DIR/bin/env as the installer reads it.
  std::map<std::string, std::string> env() const {
    return dkm::parse_env_file(read_file(layout.env_file()), layout.env_file().string());
  }
};

/// The paths under `dir` (links not followed) that `uid` does not own.
std::vector<std::string> not_owned_by(const fs::path& dir, uid_t uid) {
  std::vector<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (owner_of(entry.path()) != uid) out.push_back(entry.path().string());
  return out;
}

/// Every regular file under `dir` (links not followed) whose content holds `text`.
std::vector<std::string> files_holding(const fs::path& dir, const std::string& text) {
  std::vector<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    std::error_code ec;
    if (entry.is_symlink(ec) || !entry.is_regular_file(ec)) continue;
    if (read_file(entry.path()).find(text) != std::string::npos) out.push_back(entry.path().string());
  }
  return out;
}

/// The owner's own update of an untouched install works and moves it to 1.1.0.
void owner_update_works(const OwnedInstall& inst, const TestAccount& account) {
  RunResult own = inst.update_as(account);
  INFO("the owner's installer -u: " << own.output);
  CHECK(own.ok());
  CHECK(inst.env()["DKM_VERSION"] == "1.1.0");
  CHECK(fs::read_symlink(inst.layout.bin() / "dkm") == inst.next.root / "bin/dkm");
  CHECK(not_owned_by(inst.layout.root(), account.uid()).empty());
}

}  // namespace

TEST_CASE("installer -u as root on another account's install refuses with the owner's command, or acts as the owner",
          "[hardening][installer]") {
  TestAccount account;
  OwnedInstall inst(account);
  std::string before = tree_digest(inst.layout.root());

  RunResult r = inst.update_as_root();
  INFO(r.output);
  if (r.exit_code == 2) {
    CHECK_THAT(r.output, Catch::Contains("sudo -u " + account.name()));
    CHECK(tree_digest(inst.layout.root()) == before);
  } else {
    CHECK(r.ok());
    CHECK(not_owned_by(inst.layout.root(), account.uid()) == std::vector<std::string>{});
  }
  owner_update_works(inst, account);
}

TEST_CASE("a DIR/bin swapped for a link to another directory: root's installer -u writes nothing there",
          "[hardening][installer]") {
  TestAccount account;
  OwnedInstall inst(account);
  // A directory of root's, holding an env file (so that the install looks whole through it).
  fs::path elsewhere = inst.dir.path() / "root-owned";
  fs::create_directories(elsewhere);
  write_file_atomic(elsewhere / "env", read_file(inst.layout.env_file()) + "PLANTED=line\n");
  const std::string elsewhere_before = tree_digest(elsewhere);
  // The account swaps its bin/ for a link (done before the run: the race, made certain).
  fs::rename(inst.layout.bin(), inst.dir.path() / "inst/bin.moved");
  fs::create_symlink(elsewhere, inst.layout.bin());
  REQUIRE(::lchown(inst.layout.bin().c_str(), account.uid(), account.uid()) == 0);

  RunResult r = inst.update_as_root();
  INFO(r.output);
  CHECK(tree_digest(elsewhere) == elsewhere_before);
  CHECK(r.exit_code != 0);  // the install is not whole: bin/ is not the install's own

  fs::remove(inst.layout.bin());
  fs::rename(inst.dir.path() / "inst/bin.moved", inst.layout.bin());
  owner_update_works(inst, account);
}

TEST_CASE("a DIR/bin/env linked to a file only root can read: root's installer -u discloses nothing",
          "[hardening][installer]") {
  TestAccount account;
  OwnedInstall inst(account);
  fs::path secret = inst.dir.path() / "root-secret.env";
  write_file_atomic(secret, read_file(inst.layout.env_file()) + "SECRET_TOKEN=s3cr3t-4711\n", 0600);
  const std::string secret_before = tree_digest(secret);
  fs::path saved = inst.dir.path() / "env.saved";
  fs::rename(inst.layout.env_file(), saved);
  fs::create_symlink(secret, inst.layout.env_file());
  REQUIRE(::lchown(inst.layout.env_file().c_str(), account.uid(), account.uid()) == 0);

  RunResult r = inst.update_as_root();
  INFO(r.output);
  CHECK(tree_digest(secret) == secret_before);
  CHECK(files_holding(inst.layout.root(), "s3cr3t-4711") == std::vector<std::string>{});
  CHECK(r.output.find("s3cr3t-4711") == std::string::npos);

  fs::remove(inst.layout.env_file());
  fs::rename(saved, inst.layout.env_file());
  ::lchown(inst.layout.env_file().c_str(), account.uid(), account.uid());
  owner_update_works(inst, account);
}

TEST_CASE("bin/env keeps only the keys the installer writes: a line the account added does not survive an update",
          "[hardening][installer]") {
  TestAccount account;
  OwnedInstall inst(account);
  std::string text = read_file(inst.layout.env_file());
  write_file_atomic(inst.layout.env_file(), text + "LD_PRELOAD=/tmp/planted.so\n", 0644);
  ::lchown(inst.layout.env_file().c_str(), account.uid(), account.uid());

  RunResult r = inst.update_as(account);
  INFO(r.output);
  if (r.exit_code == 2) {
    CHECK_THAT(r.output, Catch::Contains("LD_PRELOAD"));  // refused, naming the line
  } else {
    REQUIRE(r.ok());
    auto env = inst.env();
    CHECK(env.count("LD_PRELOAD") == 0);
    for (const char* key : {"DKM_HOME", "DKM_BUNDLE", "DKM_VERSION", "DKM_INSTALL_TYPE", "DKM_PORT"}) {
      INFO(key);
      CHECK(env.count(key) == 1);
    }
    CHECK(env.size() == 5);
  }
}
