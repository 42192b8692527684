// Finding 4 (medium): dkmadmin install-boot, run by root for an install another account
// owns. Running that account's services.ini as root at every boot is refused unless
// --force; the paths the unit makes writable are resolved and checked, never links the
// owner can point elsewhere. Units are written into an image (--root) as the dkmadmin
// group's tests do.
#include "hardening_fixture.hpp"

using namespace dkm;
using namespace dkm::test;

namespace {

/// An agent install owned by `account` and an empty image to write boot files into.
struct BootSetup {
  TempDir dir{"dkm-hard-"};
  dkm::InstallLayout layout{dir.path() / "inst"};
  fs::path image = dir.path() / "image";

  explicit BootSetup(const TestAccount& account) {
    open_up(dir.path());
    layout = make_install(dir.path() / "inst", account.uid());
    fs::create_directories(image);
  }
  /// `dkmadmin -d DIR install-boot --root IMAGE --init systemd MORE...`.
  RunResult install_boot(std::vector<std::string> more = {}, const fs::path& dir_arg = {}) const {
    std::vector<std::string> args{"-d", (dir_arg.empty() ? layout.root() : dir_arg).string(), "install-boot", "--root",
                                  image.string(), "--init", "systemd"};
    args.insert(args.end(), more.begin(), more.end());
    return dkmadmin(args);
  }
  /// The unit written into the image.
  std::string unit() const { return read_file(image / "etc/systemd/system/dkumonitor.service"); }
  /// The words of the unit's ReadWritePaths= line.
  std::vector<std::string> writable() const {
    std::string text = unit();
    size_t at = text.find("\nReadWritePaths=");
    REQUIRE(at != std::string::npos);
    at += 16;
    std::vector<std::string> words;
    for (const auto& w : split(text.substr(at, text.find('\n', at) - at), ' '))
      if (!w.empty()) words.push_back(w);
    return words;
  }
};

/// Replaces DIR/storage with a link to `target`, owned by `account`.
void link_storage(const BootSetup& s, const TestAccount& account, const fs::path& target) {
  fs::remove_all(s.layout.storage());
  fs::create_directory_symlink(target, s.layout.storage());
  REQUIRE(::lchown(s.layout.storage().c_str(), account.uid(), primary_gid(account)) == 0);
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

TEST_CASE("install-boot --user root for an install another account owns is refused without --force, saying why",
          "[hardening][dkmadmin]") {
  TestAccount account;
  BootSetup s(account);
  const std::string before = snapshot(s.image);

  RunResult r = s.install_boot({"--user", "root"});
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains(account.name()) && Catch::Contains("--force"));
  CHECK(snapshot(s.image) == before);

  RunResult own = s.install_boot();  // as the owner, the default
  INFO(own.output);
  REQUIRE(own.ok());
  CHECK_THAT(s.unit(), Catch::Contains("\nUser=" + account.name() + "\n"));
  RunResult forced = s.install_boot({"--user", "root", "--force"});  // the admin insists
  INFO(forced.output);
  REQUIRE(forced.ok());
  CHECK_THAT(s.unit(), Catch::Contains("\nUser=root\n"));
}

TEST_CASE("install-boot does not make writable a directory that a link of the owner's leads to, unless the owner's",
          "[hardening][dkmadmin]") {
  TestAccount account;
  BootSetup s(account);
  link_storage(s, account, "/etc");

  RunResult r = s.install_boot();
  INFO(r.output);
  if (r.exit_code == 2) {
    CHECK_THAT(r.output, Catch::Contains(s.layout.storage().string()));
  } else {
    REQUIRE(r.ok());
    INFO(s.unit());
    CHECK_FALSE(contains(s.writable(), "/etc"));
  }

  // Storage moved to a directory of the owner's: writable, by its real path.
  fs::path data = s.dir.path() / "data";
  fs::create_directories(data);
  REQUIRE(::chown(data.c_str(), account.uid(), primary_gid(account)) == 0);
  link_storage(s, account, data);
  RunResult moved = s.install_boot();
  INFO(moved.output);
  REQUIRE(moved.ok());
  CHECK(contains(s.writable(), data.string()));
}

TEST_CASE("install-boot through a link the owner controls writes the install's real path into the unit",
          "[hardening][dkmadmin]") {
  TestAccount account;
  BootSetup s(account);
  fs::path alias = s.dir.path() / "alias";
  fs::create_directory_symlink(s.layout.root(), alias);
  REQUIRE(::lchown(alias.c_str(), account.uid(), primary_gid(account)) == 0);

  RunResult r = s.install_boot({}, alias);
  INFO(r.output);
  if (r.exit_code == 2) {
    CHECK_THAT(r.output, Catch::Contains(alias.string()));
  } else {
    REQUIRE(r.ok());
    INFO(s.unit());
    CHECK_FALSE(contains(s.writable(), alias.string()));
    CHECK(contains(s.writable(), s.layout.root().string()));
  }
}
