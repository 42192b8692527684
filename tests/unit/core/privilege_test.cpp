// core/privilege: the paths of an install that another account owns, and root's refusal
// to act on them (SECURITY.md, the privilege rule).
#include <catch2/catch.hpp>

#include <dkm/core/privilege.hpp>
#include <dkm/core/temp_dir.hpp>

#include <unistd.h>

using namespace dkm;

namespace {

/// An account number no test machine gives a name to.
constexpr uid_t kStranger = 4012345;

}  // namespace

TEST_CASE("find_foreign_path names the first path another account owns, a link or what it leads to",
          "[core][privilege]") {
  if (::geteuid() != 0) return;  // giving a file away needs root
  TempDir tmp;
  fs::path mine = tmp.path() / "mine", theirs = tmp.path() / "theirs", link = tmp.path() / "link";
  fs::create_directory(mine);
  fs::create_directory(theirs);
  REQUIRE(::chown(theirs.c_str(), kStranger, kStranger) == 0);
  fs::create_directory_symlink(theirs, link);  // root's link to the stranger's directory

  CHECK_FALSE(find_foreign_path({mine, tmp.path() / "absent"}, 0));
  auto found = find_foreign_path({mine, link, theirs}, 0);
  REQUIRE(found);
  CHECK(found->path == link);
  CHECK(found->owner == kStranger);
  REQUIRE(::lchown(link.c_str(), kStranger, kStranger) == 0);  // the stranger's link to root's directory
  fs::remove(link);
  fs::create_directory_symlink(mine, link);
  REQUIRE(::lchown(link.c_str(), kStranger, kStranger) == 0);
  CHECK(find_foreign_path({link}, 0)->owner == kStranger);
  CHECK(find_foreign_path({theirs}, kStranger) == std::nullopt);
}

TEST_CASE("root refuses another account's paths with the command to run as that account", "[core][privilege]") {
  if (::geteuid() != 0) return;
  TempDir tmp;
  fs::path theirs = tmp.path() / "inst";
  fs::create_directory(theirs);
  REQUIRE(::chown(theirs.c_str(), kStranger, kStranger) == 0);
  try {
    refuse_another_accounts_paths({tmp.path(), theirs}, "/srv/inst/bin/dkm stop");
    FAIL("not refused");
  } catch (const UsageError& e) {
    CHECK(e.exit_code() == kExitUsage);
    CHECK(std::string(e.what()) == theirs.string() + " belongs to 4012345: root does not act on another account's "
                                                     "install (see SECURITY.md); run it as 4012345: sudo -u '#4012345' "
                                                     "/srv/inst/bin/dkm stop");
  }
  CHECK_NOTHROW(refuse_another_accounts_paths({tmp.path()}, "x"));
}
